//! The JSON Schema of `closeout.toml`, generated from the key tables of [`crate::keys`]
//! (the ones `config` validates against), so the two cannot drift. Editors using taplo
//! (Even Better TOML) validate, complete and document the file with it once its first line
//! is the [`DIRECTIVE`]. Pure.
//!
//! Draft-07: taplo validates with the `jsonschema` crate built without its 2019-09 and
//! 2020-12 drafts, and its documentation promises draft 4; this schema uses only keywords
//! both know, plus draft-07's `if`/`then` for a key required by another's value.

use serde_json::{json, Map, Value};

use crate::keys::{Key, Kind, Required, TOP};

/// Where `init` and `import` write the schema, relative to the folder holding
/// `closeout.toml`; committed with it (`.closeout/` is closeout's committed output).
pub const PATH: &str = ".closeout/closeout.schema.json";

/// taplo's schema directive, the first line `init` and `import` write in closeout.toml. A
/// relative path is relative to the TOML file; a comment to TOML.
pub const DIRECTIVE: &str = "#:schema ./.closeout/closeout.schema.json\n";

/// The draft's meta-schema URI.
pub const DRAFT: &str = "http://json-schema.org/draft-07/schema#";

/// An id: no control character (Unicode category Cc) and no bidirectional embedding,
/// override or isolate. ECMA-262 and Rust regex syntax alike.
const ID: &str = r"^[^\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]*$";
/// A text or command: as an id, but newlines, tabs and CRLF allowed.
const TEXT: &str = r"^(?:[^\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]|\r\n)*$";
/// What a required text must hold besides blanks.
const NOT_BLANK: &str = r"\S";
/// [`crate::duration::parse`]: digits and a unit, units from `h` down to `ms`, each once.
const DURATION: &str = r"^(?:[0-9]+h(?:[0-9]+m)?(?:[0-9]+s)?(?:[0-9]+ms)?|[0-9]+m(?:[0-9]+s)?(?:[0-9]+ms)?|[0-9]+s(?:[0-9]+ms)?|[0-9]+ms)$";
/// A duration longer than zero holds a non-zero digit.
const NON_ZERO: &str = "[1-9]";
/// A gate's `tolerance`: `"30%"` or `"off"`.
const PERCENTAGE: &str = r"^(?:off|\s*\+?[0-9]+\s*%)$";
/// A `covers` entry.
const COVERS: &str = "^(?:track|packet):";

/// The schema as a JSON value.
pub fn schema() -> Value {
    let mut root = object(TOP);
    let map = root.as_object_mut().expect("an object schema");
    map.insert("$schema".into(), json!(DRAFT));
    map.insert("title".into(), json!("closeout.toml"));
    map.insert(
        "description".into(),
        json!("A closeout program: its validation baseline, packets, risks, debt and the docs closeout regenerates. Every key is documented in docs/configuration.md of the closeout repository."),
    );
    map.insert(
        "$comment".into(),
        json!("Generated from closeout/core/src/keys.rs by `closeout schema`; refresh it with `closeout schema --out .closeout/closeout.schema.json` after upgrading closeout."),
    );
    root
}

/// The schema as the file closeout writes: pretty JSON and a final newline.
pub fn text() -> String {
    let mut text = serde_json::to_string_pretty(&schema()).expect("a JSON value serializes");
    text.push('\n');
    text
}

/// A table with exactly `keys`.
fn object(keys: &[Key]) -> Value {
    let mut properties = Map::new();
    for key in keys {
        let mut value = kind(&key.kind);
        if key.required == Required::Yes && matches!(key.kind, Kind::Id | Kind::Text) {
            value = all_of(value, json!({ "pattern": NOT_BLANK }));
        }
        value.as_object_mut().expect("a kind is an object").insert("description".into(), json!(key.doc));
        properties.insert(key.name.into(), value);
    }
    let required: Vec<&str> = keys.iter().filter(|k| k.required == Required::Yes).map(|k| k.name).collect();
    let mut out = json!({ "type": "object", "additionalProperties": false, "properties": properties });
    if !required.is_empty() {
        out["required"] = json!(required);
    }
    let conditions: Vec<Value> = keys
        .iter()
        .filter_map(|k| match k.required {
            Required::When(other, value) => Some(json!({
                "if": { "properties": { (other): { "const": value } }, "required": [other] },
                "then": { "properties": { (k.name): { "pattern": NOT_BLANK } }, "required": [k.name] },
            })),
            _ => None,
        })
        .collect();
    if !conditions.is_empty() {
        out["allOf"] = json!(conditions);
    }
    out
}

/// What a value of `kind` must be.
fn kind(kind: &Kind) -> Value {
    match kind {
        Kind::Id => json!({ "type": "string", "pattern": ID }),
        Kind::Text => json!({ "type": "string", "pattern": TEXT }),
        Kind::Duration { zero_ok: true } => json!({ "type": "string", "pattern": DURATION }),
        Kind::Duration { zero_ok: false } => {
            all_of(json!({ "type": "string", "pattern": DURATION }), json!({ "pattern": NON_ZERO }))
        }
        Kind::Percentage => json!({ "type": "string", "pattern": PERCENTAGE }),
        Kind::Count { max } => json!({ "type": "integer", "minimum": 0, "maximum": max }),
        Kind::Bool => json!({ "type": "boolean" }),
        Kind::OneOf(names) => json!({ "type": "string", "enum": names }),
        Kind::Texts => json!({ "type": "array", "items": { "type": "string" } }),
        Kind::Covers => json!({ "type": "array", "items": { "type": "string", "pattern": COVERS } }),
        Kind::Columns => json!({ "type": "object", "additionalProperties": { "type": "string" } }),
        Kind::Moved => json!({
            "type": "object",
            "additionalProperties": {
                "anyOf": [
                    { "type": "string" },
                    { "type": "array", "items": { "type": "string" }, "minItems": 1 },
                ],
            },
        }),
        Kind::Table(keys) => object(keys),
        Kind::Tables(keys) => json!({ "type": "array", "items": object(keys) }),
    }
}

/// `schema` and `more` both: `more` joins `schema`'s `allOf`.
fn all_of(mut schema: Value, more: Value) -> Value {
    let map = schema.as_object_mut().expect("an object schema");
    match map.get_mut("allOf") {
        Some(Value::Array(list)) => list.push(more),
        _ => {
            map.insert("allOf".into(), json!([more]));
        }
    }
    schema
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_of_every_table_is_a_documented_property_and_nothing_else_is_accepted() {
        let schema = schema();
        let program = &schema["properties"]["program"];
        assert_eq!(program["additionalProperties"], json!(false));
        assert_eq!(program["required"], json!(["name"]));
        assert_eq!(schema["required"], json!(["program"]));
        let gate = &schema["properties"]["gate"]["items"];
        assert_eq!(gate["required"], json!(["id", "run"]));
        assert_eq!(gate["properties"]["parser"]["enum"][0], json!("auto"));
        let files = &schema["properties"]["packet"]["items"]["properties"]["files"]["items"];
        assert_eq!(files["required"], json!(["path"]));
        for table in ["track", "packet", "risk", "debt"] {
            let columns = &schema["properties"][table]["items"]["properties"]["columns"];
            assert_eq!(columns["additionalProperties"], json!({ "type": "string" }), "{table}");
        }
        let debt = &schema["properties"]["debt"]["items"];
        assert_eq!(debt["allOf"][0]["then"]["required"], json!(["resolution"]));
    }

    #[test]
    fn the_directive_names_the_path_the_schema_is_written_to() {
        assert_eq!(DIRECTIVE, format!("#:schema ./{PATH}\n"));
        assert!(text().ends_with("}\n"));
    }
}
