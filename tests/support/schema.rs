//! The checked-in JSON Schema (`schema/aovpn-diag.schema.json`) as a
//! validator, for integration and lab tests that check real documents (and
//! `capture --json`'s NDJSON lines) against it. Include it with
//! `#[path = "support/schema.rs"] mod schema;`.

// Each test crate uses only some of these.
#![allow(dead_code)]

use std::fs;
use std::path::Path;
use std::sync::OnceLock;

use serde_json::{Value, json};

use aovpn_diag::report::schema::SCHEMA_FILE;

fn schema() -> &'static Value {
    static S: OnceLock<Value> = OnceLock::new();
    S.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(SCHEMA_FILE);
        serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
    })
}

/// The whole-document validator, compiled once per test process.
pub fn validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| jsonschema::validator_for(schema()).expect("the checked-in schema compiles"))
}

/// The same, by the name the capture tests use.
pub fn document_validator() -> &'static jsonschema::Validator {
    validator()
}

/// A validator for one definition of the schema (`LiveEvent`: a line of
/// `capture --json`'s NDJSON stream).
fn definition_validator(name: &str) -> jsonschema::Validator {
    let wrapped = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": format!("#/$defs/{name}"),
        "$defs": schema()["$defs"].clone(),
    });
    jsonschema::validator_for(&wrapped).expect("the definition compiles")
}

/// The first few ways `doc` breaks `v`, each with where (empty: valid).
fn errors_of(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .take(5)
        .map(|e| {
            let text = e.to_string();
            let short: String = text.chars().take(300).collect();
            format!("{short} at {}", e.instance_path())
        })
        .collect()
}

/// The first few ways a document breaks the schema (empty: valid).
pub fn errors(doc: &Value) -> Vec<String> {
    errors_of(validator(), doc)
}

/// Panics with the first errors unless `doc` is a valid document.
pub fn assert_document(doc: &Value) {
    let e = errors(doc);
    assert!(
        e.is_empty(),
        "the document breaks schema/aovpn-diag.schema.json:\n  {}",
        e.join("\n  ")
    );
}

/// The same, by the name the load-balancer tests use.
pub fn assert_valid(doc: &Value) {
    assert_document(doc);
}

/// Panics unless `line` is a valid NDJSON live event (`LiveEvent`).
pub fn assert_live_event(line: &Value) {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    let v = V.get_or_init(|| definition_validator("LiveEvent"));
    let e = errors_of(v, line);
    assert!(
        e.is_empty(),
        "invalid live event {line}:\n  {}",
        e.join("\n  ")
    );
}
