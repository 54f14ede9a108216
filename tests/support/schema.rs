//! Validating documents against the checked-in JSON Schema
//! (`schema/aovpn-diag.schema.json`) from integration and lab tests. Include
//! it with `#[path = "support/schema.rs"] mod schema;`.

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

/// The whole-document validator.
pub fn document_validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| jsonschema::validator_for(schema()).expect("the checked-in schema compiles"))
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

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .take(5)
        .map(|e| {
            let text = e.to_string();
            let short: String = text.chars().take(300).collect();
            format!("{short} at {}", e.instance_path())
        })
        .collect()
}

/// Panics with the first errors unless `doc` is a valid document.
pub fn assert_document(doc: &Value) {
    let e = errors(document_validator(), doc);
    assert!(e.is_empty(), "invalid document:\n  {}", e.join("\n  "));
}

/// Panics unless `line` is a valid NDJSON live event (`LiveEvent`).
pub fn assert_live_event(line: &Value) {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    let v = V.get_or_init(|| definition_validator("LiveEvent"));
    let e = errors(v, line);
    assert!(
        e.is_empty(),
        "invalid live event {line}:\n  {}",
        e.join("\n  ")
    );
}
