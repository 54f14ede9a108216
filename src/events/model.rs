//! One Windows event as the event schema describes it
//! (`http://schemas.microsoft.com/win/2004/08/events/event`): the `<System>`
//! part (provider, event ID, time, record ID, computer, channel, correlation)
//! and the `<EventData>` values in order. Classic sources such as RasClient
//! and RemoteAccess write their message inserts as unnamed `<Data>`
//! elements (`%1` is the first); manifest providers such as NPS name them.
//! PURE.

use serde::Serialize;

use super::time::Timestamp;
use super::xml::Element;

/// One event, reduced to what the diagnosis reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct WinEvent {
    /// `Provider/@Name` (`RasClient`, `RemoteAccess`, ...); for classic events
    /// also `@EventSourceName`.
    pub provider: String,
    /// The event ID: `<EventID>` text (classic events: the low 16 bits, with
    /// the high 16 bits in `@Qualifiers`).
    pub id: u32,
    pub time: Option<Timestamp>,
    pub record_id: Option<u64>,
    pub computer: Option<String>,
    pub channel: Option<String>,
    /// `Correlation/@ActivityID`, when the provider set one.
    pub activity_id: Option<String>,
    /// `<EventData>` (or `<UserData>` leaves) in order: (`Name` attribute, text).
    pub data: Vec<(Option<String>, String)>,
}

impl WinEvent {
    /// Reads an `<Event>` element; `None` when it has no provider or no
    /// numeric event ID (not a Windows event).
    pub fn from_element(el: &Element) -> Option<WinEvent> {
        let system = el.child("System")?;
        let provider = system.child("Provider")?;
        let provider = provider
            .attr("Name")
            .or_else(|| provider.attr("EventSourceName"))?
            .trim()
            .to_owned();
        let id: u32 = system.child_text("EventID")?.parse().ok()?;
        let time = system
            .child("TimeCreated")
            .and_then(|t| t.attr("SystemTime"))
            .and_then(Timestamp::parse);
        let mut data = Vec::new();
        if let Some(ed) = el.child("EventData") {
            for d in ed.children_named("Data") {
                data.push((d.attr("Name").map(str::to_owned), d.text.clone()));
            }
        } else if let Some(ud) = el.child("UserData") {
            // One provider-defined element whose children are the values.
            for inner in &ud.children {
                for leaf in &inner.children {
                    data.push((Some(leaf.name.clone()), leaf.text.clone()));
                }
            }
        }
        Some(WinEvent {
            provider,
            id,
            time,
            record_id: system
                .child_text("EventRecordID")
                .and_then(|r| r.parse().ok()),
            computer: system.child_text("Computer").map(str::to_owned),
            channel: system.child_text("Channel").map(str::to_owned),
            activity_id: system
                .child("Correlation")
                .and_then(|c| c.attr("ActivityID"))
                .map(str::to_owned),
            data,
        })
    }

    /// The `n`th insert (`%n`, counting from 1), trimmed.
    pub fn insert(&self, n: usize) -> Option<&str> {
        let (_, v) = self.data.get(n.checked_sub(1)?)?;
        Some(v.trim())
    }

    /// The value of the `<Data Name="name">` element, trimmed.
    pub fn named(&self, name: &str) -> Option<&str> {
        self.data
            .iter()
            .find(|(k, _)| k.as_deref() == Some(name))
            .map(|(_, v)| v.trim())
    }
}

#[cfg(test)]
mod tests {
    use std::ops::ControlFlow;

    use super::*;
    use crate::events::xml::collect;

    fn parse(text: &str) -> Vec<WinEvent> {
        let mut out = Vec::new();
        collect(
            text,
            |n, _| n == "Event",
            |e| {
                out.extend(WinEvent::from_element(&e));
                ControlFlow::Continue(())
            },
        )
        .unwrap();
        out
    }

    #[test]
    fn reads_a_classic_rasclient_event() {
        let e = parse(
            r#"<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="RasClient"/><EventID Qualifiers="0">20227</EventID><Level>2</Level><TimeCreated SystemTime="2016-03-18T13:29:21.000000000Z"/><EventRecordID>4203</EventRecordID><Correlation/><Channel>Application</Channel><Computer>on-prem-vm</Computer><Security/></System><EventData><Data>{B4000371-A67F-452F-AA4C-3125AA9CFC78}</Data><Data>SYSTEM</Data><Data>AzureGateway</Data><Data>809</Data></EventData></Event>"#,
        );
        assert_eq!(e.len(), 1);
        let e = &e[0];
        assert_eq!((e.provider.as_str(), e.id), ("RasClient", 20227));
        assert_eq!(e.time.unwrap().to_string(), "2016-03-18T13:29:21.000Z");
        assert_eq!(e.record_id, Some(4203));
        assert_eq!(e.insert(1), Some("{B4000371-A67F-452F-AA4C-3125AA9CFC78}"));
        assert_eq!(e.insert(4), Some("809"));
        assert_eq!(e.insert(5), None);
        assert_eq!(e.insert(0), None);
        assert_eq!(e.channel.as_deref(), Some("Application"));
    }

    #[test]
    fn named_data_and_user_data() {
        let e = parse(
            r#"<Event><System><Provider Name="Microsoft-Windows-Security-Auditing"/><EventID>6273</EventID></System><EventData><Data Name="ReasonCode">258</Data></EventData></Event><Event><System><Provider Name="X"/><EventID>1</EventID></System><UserData><Thing><A>1</A><B>2</B></Thing></UserData></Event>"#,
        );
        assert_eq!(e[0].named("ReasonCode"), Some("258"));
        assert_eq!(e[1].named("B"), Some("2"));
    }

    #[test]
    fn an_event_without_provider_or_id_is_skipped() {
        assert!(parse("<Event><System><EventID>1</EventID></System></Event>").is_empty());
        assert!(
            parse("<Event><System><Provider Name='a'/><EventID>x</EventID></System></Event>")
                .is_empty()
        );
    }
}
