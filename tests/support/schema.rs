//! The published JSON Schema (`schema/aovpn-diag.schema.json`) for tests
//! that read `--json` documents: validate one and get its errors.

use std::path::Path;
use std::sync::OnceLock;

use serde_json::Value;

pub fn validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join(aovpn_diag::report::schema::SCHEMA_FILE);
        let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        jsonschema::validator_for(&schema).expect("the checked-in schema compiles")
    })
}

/// Why `doc` does not validate (at most five errors, with where), empty
/// when it does.
pub fn errors(doc: &Value) -> Vec<String> {
    validator()
        .iter_errors(doc)
        .take(5)
        .map(|e| {
            let text = e.to_string();
            let tail: String = text
                .chars()
                .rev()
                .take(300)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            format!("...{tail} at {}", e.instance_path())
        })
        .collect()
}
