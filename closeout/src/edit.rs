//! Edits to closeout.toml that keep the user's comments, order and formatting (toml_edit),
//! each checked by re-validating the result before anything is written. Pure: text in,
//! text out.

use std::path::Path;

use toml_edit::{value, ArrayOfTables, DocumentMut, Item, Table};

use crate::error::{Error, Result};

/// A value to set on a table entry.
#[derive(Debug, Clone)]
pub enum Value {
    Str(String),
    Bool(bool),
    /// Remove the key.
    Remove,
}

fn parse(text: &str) -> Result<DocumentMut> {
    text.parse::<DocumentMut>().map_err(|e| Error::Usage(format!("closeout.toml cannot be edited: {e}")))
}

fn entry_mut<'a>(doc: &'a mut DocumentMut, table: &str, id: &str) -> Result<&'a mut Table> {
    let aot = doc
        .get_mut(table)
        .and_then(Item::as_array_of_tables_mut)
        .ok_or_else(|| Error::Usage(format!("closeout.toml has no [[{table}]] entries")))?;
    aot.iter_mut()
        .find(|t| t.get("id").and_then(|v| v.as_str()) == Some(id))
        .ok_or_else(|| Error::Usage(format!("closeout.toml has no [[{table}]] with id = \"{id}\"")))
}

fn apply(table: &mut Table, fields: &[(&str, Value)]) {
    for (key, v) in fields {
        match v {
            Value::Str(s) => table[*key] = value(s.as_str()),
            Value::Bool(b) => table[*key] = value(*b),
            Value::Remove => {
                table.remove(key);
            }
        }
    }
}

/// Set keys on the `[[table]]` entry whose id is `id`.
pub fn set(text: &str, table: &str, id: &str, fields: &[(&str, Value)]) -> Result<String> {
    let mut doc = parse(text)?;
    apply(entry_mut(&mut doc, table, id)?, fields);
    Ok(doc.to_string())
}

/// Append a `[[table]]` entry with `fields`, after the existing ones.
pub fn append(text: &str, table: &str, fields: &[(&str, Value)]) -> Result<String> {
    let mut doc = parse(text)?;
    if doc.get(table).is_none() {
        doc[table] = Item::ArrayOfTables(ArrayOfTables::new());
    }
    let aot = doc[table]
        .as_array_of_tables_mut()
        .ok_or_else(|| Error::Usage(format!("`{table}` in closeout.toml is not an array of tables")))?;
    let mut entry = Table::new();
    apply(&mut entry, fields);
    aot.push(entry);
    Ok(doc.to_string())
}

/// Set `key = value` on every `[[table]]` entry, with `comment` (one `# ` line) above it.
pub fn set_all(text: &str, table: &str, key: &str, value_: bool, comment: &str) -> Result<String> {
    let mut doc = parse(text)?;
    if let Some(aot) = doc.get_mut(table).and_then(Item::as_array_of_tables_mut) {
        for entry in aot.iter_mut() {
            entry[key] = value(value_);
            if let Some(mut k) = entry.key_mut(key) {
                k.leaf_decor_mut().set_prefix(format!("# {comment}\n"));
            }
        }
    }
    Ok(doc.to_string())
}

/// Check an edited closeout.toml before it is written; the edit must not make it invalid.
pub fn validate(text: &str, root: &Path) -> Result<crate::model::Program> {
    let shown = Path::new(crate::discover::FILE_NAME);
    let program = crate::config::parse(text, shown, root, &|p| root.join(p).exists())?;
    crate::discover::same_docs(&program, text, shown)?;
    Ok(program)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# my program\n[program]\nname = \"p\" # inline comment\n\n[[debt]]\nid = \"DL-1\" # first\ndescription = \"d\"\n";

    #[test]
    fn set_keeps_comments() {
        let out = set(
            TEXT,
            "debt",
            "DL-1",
            &[("status", Value::Str("resolved".into())), ("resolution", Value::Str("fixed".into()))],
        )
        .unwrap();
        assert!(out.starts_with("# my program\n[program]\nname = \"p\" # inline comment\n"), "{out}");
        assert!(out.contains("id = \"DL-1\" # first\n"), "{out}");
        assert!(out.contains("status = \"resolved\"\nresolution = \"fixed\"\n"), "{out}");
        let back = set(
            &out,
            "debt",
            "DL-1",
            &[("status", Value::Str("open".into())), ("resolution", Value::Remove)],
        )
        .unwrap();
        assert!(!back.contains("resolution"), "{back}");
    }

    #[test]
    fn append_adds_an_entry_at_the_end() {
        let out =
            append(TEXT, "debt", &[("id", Value::Str("DL-2".into())), ("blocks_release", Value::Bool(true))])
                .unwrap();
        assert!(out.ends_with("[[debt]]\nid = \"DL-2\"\nblocks_release = true\n"), "{out}");
        let fresh =
            append("[program]\nname = \"p\"\n", "debt", &[("id", Value::Str("DL-1".into()))]).unwrap();
        assert!(fresh.contains("[[debt]]\nid = \"DL-1\""), "{fresh}");
    }

    #[test]
    fn unknown_ids_are_errors() {
        assert!(set(TEXT, "debt", "DL-9", &[]).is_err());
        assert!(set(TEXT, "packet", "00", &[]).is_err());
    }
}
