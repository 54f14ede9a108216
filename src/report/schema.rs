//! The published JSON Schema of every `--json` document
//! (`schema/aovpn-diag.schema.json`), generated from the serde output types
//! with schemars: one schema for every command, the [`Envelope`] shared by
//! all and, per command, its body (`if command == X then body X`).
//!
//! Adding a command's JSON is one line in `bodies!` below: its name and
//! its body type (which derives `schemars::JsonSchema` beside `Serialize`).
//! `tests/generated_files.rs` rewrites the checked-in file, and
//! `tests/json_schema.rs` fails for a subcommand without a line here.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Map, Value, json};

use super::envelope::{Envelope, SCHEMA_VERSION};
use super::{capture, check, events, files, lb, mtu, pcap, probe, profile, sixtofour};

/// Where the schema is checked in, relative to the repository.
pub const SCHEMA_FILE: &str = "schema/aovpn-diag.schema.json";

macro_rules! bodies {
    ($($name:literal => $ty:ty,)*) => {
        /// The commands whose JSON body the schema describes, in `--help` order.
        pub const COMMANDS: &[&str] = &[$($name),*];

        /// Each command's body schema (a `$ref` into `generator`'s definitions).
        fn body_schemas(generator: &mut SchemaGenerator) -> Vec<(&'static str, Value)> {
            vec![$(($name, generator.subschema_for::<$ty>().to_value())),*]
        }
    };
}

// One line per command: the name it is typed as, and the type of the fields
// its document adds after the envelope.
bodies! {
    "check" => check::CheckJson<'static>,
    "pcap" => pcap::PcapBody<'static>,
    "capture" => capture::CaptureBody<'static>,
    "probe" => probe::ProbeJson<'static>,
    "mtu" => mtu::JsonDoc<'static>,
    "lb" => lb::LbJson<'static>,
    "6to4" => sixtofour::Json<'static>,
    "profile" => profile::ProfileJson<'static>,
    "events" => events::EventsReport<'static>,
    "completions" => files::CompletionsJson,
    "man" => files::ManJson,
}

/// The whole schema (JSON Schema draft 2020-12).
pub fn schema() -> Value {
    let mut generator = SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator();
    let envelope = generator.subschema_for::<Envelope<'static>>().to_value();
    let bodies = body_schemas(&mut generator);
    let mut defs = generator.take_definitions(true);
    for def in defs.values_mut() {
        close_objects(def);
    }
    // The envelope and the bodies describe parts of one object, so they
    // must let each other's fields through; `unevaluatedProperties` at the
    // top rejects whatever neither describes.
    for (_, body) in bodies.iter().chain([&("", envelope.clone())]) {
        if let Some(name) = def_name(body) {
            open_part(&mut defs, name);
        }
    }

    let mut all_of = vec![
        envelope,
        json!({
            "description": "`error` is an object exactly when `verdict` is `error`",
            "if": {"properties": {"verdict": {"const": "error"}}},
            "then": {"properties": {"error": {"type": "object"}}, "required": ["error"]},
            "else": {"properties": {"error": {"type": "null"}}},
        }),
        json!({
            "description": "a document without a command is a usage error",
            "if": {"properties": {"command": {"type": "null"}}, "required": ["command"]},
            "then": {"properties": {
                "verdict": {"const": "error"},
                "error": {"properties": {"code": {"const": "usage"}}},
            }},
        }),
    ];
    for (name, body) in &bodies {
        all_of.push(json!({
            "if": {"properties": {"command": {"const": name}}, "required": ["command"]},
            "then": {"anyOf": [
                body,
                {
                    "description": "an error before the command had anything to show: the envelope alone",
                    "properties": {"verdict": {"const": "error"}},
                },
            ]},
        }));
    }
    let mut commands: Vec<Value> = COMMANDS.iter().map(|c| json!(c)).collect();
    commands.push(Value::Null);
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("urn:aovpn-diag:json:{SCHEMA_VERSION}"),
        "title": "aovpn-diag --json document",
        "description": "The one JSON document every aovpn-diag command prints on stdout with --json, for every outcome: the envelope (schema_version, tool_version, command, verdict, findings, error), then the command's own fields. Generated from the serde output types; see README, \"JSON output\".",
        "type": "object",
        "properties": {
            "schema_version": {"const": SCHEMA_VERSION},
            "command": {"enum": commands},
        },
        "allOf": all_of,
        "unevaluatedProperties": false,
        "$defs": Value::Object(defs),
    })
}

/// The schema as the checked-in file holds it.
pub fn schema_text() -> String {
    let mut s = serde_json::to_string_pretty(&schema()).unwrap_or_default();
    s.push('\n');
    s
}

/// The schema of one type on its own (for tests of single parts).
pub fn schema_of<T: JsonSchema>() -> Value {
    SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<T>()
        .to_value()
}

/// `Name` of a `{"$ref": "#/$defs/Name"}`.
fn def_name(schema: &Value) -> Option<&str> {
    schema.get("$ref")?.as_str()?.strip_prefix("#/$defs/")
}

/// Every object schema that lists its properties allows no others, so a
/// field the schema does not know fails validation.
fn close_objects(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if map.get("properties").is_some_and(Value::is_object)
                && !map.contains_key("additionalProperties")
            {
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
            map.values_mut().for_each(close_objects);
        }
        Value::Array(items) => items.iter_mut().for_each(close_objects),
        _ => {}
    }
}

/// Undoes [`close_objects`] at the root of the definition `name`, a part
/// of the document, and of its alternatives (inline or referenced).
fn open_part(defs: &mut Map<String, Value>, name: &str) {
    let mut referenced = Vec::new();
    if let Some(def) = defs.get_mut(name) {
        open_root(def, &mut referenced);
    }
    for r in referenced {
        open_part(defs, &r);
    }
}

fn open_root(v: &mut Value, referenced: &mut Vec<String>) {
    if let Some(name) = def_name(v) {
        referenced.push(name.to_owned());
    }
    let Some(map) = v.as_object_mut() else { return };
    if map.get("additionalProperties") == Some(&Value::Bool(false)) {
        map.remove("additionalProperties");
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(Value::Array(items)) = map.get_mut(key) {
            for item in items {
                open_root(item, referenced);
            }
        }
    }
}

/// The body definitions' names, for tests: every command has one.
pub fn body_definitions() -> Map<String, Value> {
    let mut generator = SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator();
    body_schemas(&mut generator)
        .into_iter()
        .map(|(n, s)| (n.to_owned(), s))
        .collect()
}
