//! Small element trees out of a stream of XML (quick-xml), for the few
//! elements that matter: each Windows `<Event>` and each WFP `<netEvent>`.
//!
//! `wevtutil qe ... /f:xml` prints `<Event>` elements one after another with
//! no common root, `Get-WinEvent | ForEach-Object ToXml` likewise, while
//! `netsh wfp show netevents` writes one document. A streaming reader takes
//! all three alike and keeps in memory only the element being collected, so
//! memory stays bounded whatever the size of the file: an element is cut off
//! at [`MAX_NODES`] nodes and [`MAX_TEXT`] bytes of text (it is then
//! reported as an error, never silently truncated). PURE: text in, trees out.

use std::ops::ControlFlow;

use quick_xml::Reader;
use quick_xml::events::Event;

/// Most elements (nodes) one collected element may hold: a Windows event
/// has a few dozen, a WFP net event about a hundred.
pub const MAX_NODES: usize = 10_000;
/// Most text (bytes) one collected element may hold.
pub const MAX_TEXT: usize = 1 << 20;

/// One element with its local name (namespace prefix dropped), attributes,
/// text and children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// The first child with this local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child with this local name.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The trimmed text of the child `name`, when it has some.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name)
            .map(|c| c.text.trim())
            .filter(|t| !t.is_empty())
    }
}

/// Why the XML could not be read: where, and a short quote (at most 80
/// characters, control characters escaped) of what stands there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {what} (at `{near}`)")]
pub struct XmlError {
    pub line: usize,
    pub what: String,
    pub near: String,
}

impl XmlError {
    fn at(text: &str, pos: usize, what: impl Into<String>) -> XmlError {
        let pos = floor_char_boundary(text, pos.min(text.len()));
        XmlError {
            line: text[..pos].bytes().filter(|b| *b == b'\n').count() + 1,
            what: short(&what.into(), 120),
            near: short(&text[pos..], 40),
        }
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// At most `max` characters of `s` on one line: control characters shown
/// as escapes, `…` when cut.
pub fn short(s: &str, max: usize) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Streams `text` and hands every element for which `want(name, parent)`
/// is true to `found`, as a complete tree (elements inside a collected one
/// are part of its tree, not offered again). `found` may stop the walk.
/// Returns how many elements were collected.
///
/// Errors: malformed XML (mismatched or unclosed tags, bad references,
/// text that ends inside an element) and elements over the size limits.
pub fn collect(
    text: &str,
    want: impl Fn(&str, Option<&str>) -> bool,
    mut found: impl FnMut(Element) -> ControlFlow<()>,
) -> Result<usize, XmlError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    // Names of the open elements outside a collected one (for `parent`).
    let mut path: Vec<String> = Vec::new();
    // The element being collected and its open descendants.
    let mut open: Vec<Element> = Vec::new();
    let (mut nodes, mut text_len, mut count) = (0usize, 0usize, 0usize);
    loop {
        let pos = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader
            .read_event()
            .map_err(|e| XmlError::at(text, pos, e.to_string()))?;
        let (start, empty) = match event {
            Event::Start(start) => (Some(start), false),
            Event::Empty(start) => (Some(start), true),
            other => {
                match other {
                    Event::End(_) if open.is_empty() => {
                        path.pop();
                    }
                    Event::End(_) => {
                        if let Some(done) = close(&mut open) {
                            count += 1;
                            (nodes, text_len) = (0, 0);
                            if found(done).is_break() {
                                return Ok(count);
                            }
                        }
                    }
                    Event::Text(t) if !open.is_empty() => {
                        let t = t.xml10_content();
                        text_len += t.len();
                        push_text(&mut open, &t);
                    }
                    Event::CData(t) if !open.is_empty() => {
                        text_len += t.len();
                        push_text(&mut open, &t);
                    }
                    Event::GeneralRef(r) if !open.is_empty() => {
                        let c = reference(&r).map_err(|what| XmlError::at(text, pos, what))?;
                        text_len += c.len_utf8();
                        push_text(&mut open, c.encode_utf8(&mut [0; 4]));
                    }
                    Event::DocType(_) => {
                        return Err(XmlError::at(
                            text,
                            pos,
                            "a DOCTYPE declaration (Windows never writes one; refused so entities cannot expand)",
                        ));
                    }
                    Event::Eof if open.is_empty() && path.is_empty() => return Ok(count),
                    Event::Eof => {
                        return Err(XmlError::at(
                            text,
                            text.len(),
                            "the text ends inside an element (a cut-off copy?)",
                        ));
                    }
                    _ => {}
                }
                (None, false)
            }
        };
        if let Some(start) = start {
            let name = start.local_name().as_ref().to_owned();
            if open.is_empty() && !want(&name, path.last().map(String::as_str)) {
                if !empty {
                    path.push(name);
                }
            } else {
                nodes += 1;
                if nodes > MAX_NODES {
                    return Err(XmlError::at(
                        text,
                        pos,
                        format!("one element holds more than {MAX_NODES} elements"),
                    ));
                }
                let mut el = Element {
                    name,
                    ..Element::default()
                };
                for attr in start.attributes() {
                    let attr = attr.map_err(|e| XmlError::at(text, pos, e.to_string()))?;
                    let value = attr
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|e| XmlError::at(text, pos, e.to_string()))?;
                    text_len += value.len();
                    el.attrs.push((
                        attr.key.local_name().as_ref().to_owned(),
                        value.into_owned(),
                    ));
                }
                open.push(el);
                if empty && let Some(done) = close(&mut open) {
                    count += 1;
                    (nodes, text_len) = (0, 0);
                    if found(done).is_break() {
                        return Ok(count);
                    }
                }
            }
        }
        if text_len > MAX_TEXT {
            return Err(XmlError::at(
                text,
                pos,
                format!("one element holds more than {MAX_TEXT} bytes of text"),
            ));
        }
    }
}

/// The character an entity or character reference stands for; only the
/// five predefined entities exist without a DTD.
fn reference(r: &quick_xml::events::BytesRef<'_>) -> Result<char, String> {
    match r.resolve_char_ref() {
        Ok(Some(c)) => Ok(c),
        Ok(None) => match &**r {
            "amp" => Ok('&'),
            "lt" => Ok('<'),
            "gt" => Ok('>'),
            "quot" => Ok('"'),
            "apos" => Ok('\''),
            other => Err(format!("unknown entity &{};", short(other, 20))),
        },
        Err(e) => Err(e.to_string()),
    }
}

/// Closes the innermost open element; returns the collected element when
/// that was the outermost one.
fn close(open: &mut Vec<Element>) -> Option<Element> {
    let done = open.pop()?;
    match open.last_mut() {
        Some(parent) => {
            parent.children.push(done);
            None
        }
        None => Some(done),
    }
}

fn push_text(open: &mut [Element], t: &str) {
    if let Some(el) = open.last_mut() {
        el.text.push_str(t);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(text: &str) -> Result<Vec<Element>, XmlError> {
        let mut out = Vec::new();
        collect(
            text,
            |n, _| n == "Event",
            |e| {
                out.push(e);
                ControlFlow::Continue(())
            },
        )?;
        Ok(out)
    }

    #[test]
    fn concatenated_elements_without_a_root_are_read() {
        let text = "<?xml version=\"1.0\"?>\r\n<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><EventID Qualifiers='0'>20227</EventID></System><EventData><Data>a &amp; b</Data><Data/></EventData></Event>\r\n<Event><System><EventID>20221</EventID></System></Event>";
        let got = events(text).unwrap();
        assert_eq!(got.len(), 2);
        let sys = got[0].child("System").unwrap();
        assert_eq!(sys.child_text("EventID"), Some("20227"));
        assert_eq!(sys.child("EventID").unwrap().attr("Qualifiers"), Some("0"));
        let data: Vec<&str> = got[0]
            .child("EventData")
            .unwrap()
            .children_named("Data")
            .map(|d| d.text.as_str())
            .collect();
        assert_eq!(data, ["a & b", ""]);
        assert_eq!(
            got[1].child("System").unwrap().child_text("EventID"),
            Some("20221")
        );
    }

    #[test]
    fn a_root_element_and_parent_names_are_seen() {
        let text =
            "<netEvents><item><header/><type>T</type></item><other><item/></other></netEvents>";
        let mut n = 0;
        collect(
            text,
            |name, parent| name == "item" && parent == Some("netEvents"),
            |e| {
                assert_eq!(e.child_text("type"), Some("T"));
                n += 1;
                ControlFlow::Continue(())
            },
        )
        .unwrap();
        assert_eq!(n, 1);
    }

    #[test]
    fn broken_xml_is_an_error_with_a_short_quote() {
        let long = format!("<Event><System>{}</Sys></Event>", "x".repeat(500));
        let e = events(&long).unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.near.chars().count() <= 41, "{e}");
        assert!(e.to_string().len() < 300, "{e}");
        let cut = events("<Event><System><EventID>20227</EventID>\n").unwrap_err();
        assert_eq!(cut.line, 2);
        assert!(cut.what.contains("ends inside"), "{cut}");
        assert!(events("<Event>&bomb;</Event>").is_err());
        assert!(events("<!DOCTYPE x [<!ENTITY a 'b'>]><Event>&a;</Event>").is_err());
    }

    #[test]
    fn oversized_elements_are_refused() {
        let many = format!("<Event>{}</Event>", "<a/>".repeat(MAX_NODES + 1));
        assert!(events(&many).unwrap_err().what.contains("more than"));
        let big = format!("<Event><a>{}</a></Event>", "y".repeat(MAX_TEXT + 1));
        assert!(events(&big).unwrap_err().what.contains("bytes of text"));
    }

    #[test]
    fn short_escapes_and_cuts() {
        assert_eq!(short("a\nb", 10), "a\\nb");
        assert_eq!(short("abcdef", 3), "abc…");
    }
}
