//! The checked-in JSON Schema (`schema/aovpn-diag.schema.json`) as a
//! validator, for tests that check real documents against it. Include it
//! with `#[path = "support/schema.rs"] mod schema;`.

// Each test crate uses only some of these.
#![allow(dead_code)]

use std::fs;
use std::path::Path;
use std::sync::OnceLock;

use serde_json::Value;

use aovpn_diag::report::schema::SCHEMA_FILE;

/// The compiled schema, read once per test process.
pub fn validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(SCHEMA_FILE);
        let schema: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
        jsonschema::validator_for(&schema).expect("the checked-in schema compiles")
    })
}

/// The first few ways `doc` breaks the schema, each with where (empty: valid).
pub fn errors(doc: &Value) -> Vec<String> {
    validator()
        .iter_errors(doc)
        .map(|e| {
            let text = e.to_string();
            let short: String = text
                .chars()
                .rev()
                .take(300)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            format!("...{short} at {}", e.instance_path())
        })
        .take(5)
        .collect()
}

/// Panics with the errors when `doc` does not validate.
pub fn assert_valid(doc: &Value) {
    let e = errors(doc);
    assert!(
        e.is_empty(),
        "the document breaks schema/aovpn-diag.schema.json:\n  {}",
        e.join("\n  ")
    );
}
