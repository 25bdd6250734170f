//! `codearena openapi --out DIR`: each HTTP service's OpenAPI document, as the service
//! serves it, written to `DIR/<service>.json`. The web app generates its API types from
//! the copies committed in `web/openapi/` (`npm run gen:api`); a test below fails when
//! those copies are stale.
//!
//! The documents are written with their object keys sorted and a trailing newline, so the
//! same code always writes the same bytes (whatever order maps keep in memory) and a diff
//! of the committed files shows what the API changed.

use std::path::Path;

use anyhow::Context;
use serde_json::{Map, Value};

/// Each service with an HTTP API of its own, and its document. (Realtime speaks
/// Socket.IO; its protocol is described in docs/realtime.md.)
pub fn documents() -> Vec<(&'static str, utoipa::openapi::OpenApi)> {
    vec![
        ("auth", auth::http::openapi()),
        ("battle", battle::http::openapi()),
        ("execution", execution::http::openapi()),
        ("rating", rating::http::openapi()),
    ]
}

/// A document as written: pretty JSON, keys sorted, ending in a newline.
pub fn render(document: &utoipa::openapi::OpenApi) -> anyhow::Result<String> {
    let value = serde_json::to_value(document).context("serializing an OpenAPI document")?;
    let mut text = serde_json::to_string_pretty(&sorted(value))?;
    text.push('\n');
    Ok(text)
}

/// Writes every document into `dir` (created if missing).
pub fn write(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for (service, document) in documents() {
        let path = dir.join(format!("{service}.json"));
        std::fs::write(&path, render(&document)?)
            .with_context(|| format!("writing {}", path.display()))?;
        println!("{}", path.display());
    }
    Ok(())
}

/// `value` with every object's keys in order. Rebuilt rather than relied on: serde_json
/// keeps insertion order when any crate in the build enables its `preserve_order`.
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(object) => {
            let mut entries: Vec<(String, Value)> = object.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            let object: Map<String, Value> = entries
                .into_iter()
                .map(|(key, value)| (key, sorted(value)))
                .collect();
            Value::Object(object)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use serde_json::json;

    use super::*;

    #[test]
    fn the_committed_documents_are_what_the_code_serves() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../web/openapi");
        let fix = "Run `cargo run -p codearena -- openapi --out web/openapi` and commit the \
                   result; then regenerate the web app's types with `npm run gen:api` in web/.";
        let mut stale = Vec::new();
        for (service, document) in documents() {
            let name = format!("web/openapi/{service}.json");
            let expected = render(&document).unwrap();
            match std::fs::read_to_string(dir.join(format!("{service}.json"))) {
                Ok(committed) if committed == expected => {}
                Ok(_) => stale.push(format!("{name} is not what the code serves")),
                Err(e) => stale.push(format!("{name}: {e}")),
            }
        }
        assert!(stale.is_empty(), "{}.\n{fix}", stale.join(";\n"));
    }

    #[test]
    fn keys_are_sorted_at_every_level_and_arrays_keep_their_order() {
        let value = json!({"b": {"y": 1, "x": [{"d": 1, "c": 2}, 3]}, "a": 0});
        let text = serde_json::to_string(&sorted(value)).unwrap();
        assert_eq!(text, r#"{"a":0,"b":{"x":[{"c":2,"d":1},3],"y":1}}"#);
    }

    #[test]
    fn each_document_is_the_one_its_service_serves() {
        for (service, document) in documents() {
            let own = format!("/api/{service}/openapi.json");
            assert!(document.paths.paths.contains_key(&own), "{service}: {own}");
        }
    }
}
