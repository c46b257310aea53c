//! The API reference for signed-in developers: the OpenAPI document the server builds from
//! its routes (`server::api::described`), simplified here into what the page shows, so the
//! page is plain server-rendered HTML. The CSP forbids the external scripts a usual
//! OpenAPI viewer needs, and this way the page also reads without WASM.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The served OpenAPI document, serialised once at start-up and provided to every request
/// by the server (`app` cannot depend on `server`, which builds it).
#[cfg(feature = "ssr")]
#[derive(Debug, Clone)]
pub struct ApiReference(pub std::sync::Arc<serde_json::Value>);

/// The document as the page shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    pub title: String,
    pub version: String,
    /// The description's paragraphs before the error codes.
    pub introduction: Vec<String>,
    /// Each stable error code and what it means.
    pub error_codes: Vec<(String, String)>,
    /// Operations grouped by tag, in the order tags first appear.
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub tag: String,
    pub operations: Vec<Operation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operation {
    /// `GET`, `POST`…
    pub method: String,
    pub path: String,
    pub summary: String,
    pub description: String,
    pub parameters: Vec<Parameter>,
    /// The JSON body's fields, when the operation takes one.
    pub body: Vec<Parameter>,
    /// Status and meaning.
    pub responses: Vec<(String, String)>,
}

/// A parameter (path, query, header) or a body field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parameter {
    pub name: String,
    /// `path`, `query`, `header`, or `body`.
    pub location: String,
    pub kind: String,
    pub required: bool,
    pub description: String,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    //! Reading the OpenAPI 3.1 JSON. Whatever the document lacks shows as empty text: the
    //! page degrades rather than fails on a shape this reader does not know.

    use serde_json::Value;

    use super::{Operation, Parameter, Reference, Section};

    const METHODS: [&str; 7] = ["get", "post", "put", "patch", "delete", "head", "options"];
    const CODES_HEADING: &str = "Error codes:";

    fn text(value: &Value, key: &str) -> String {
        value
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    }

    /// `#/components/schemas/Name` resolved in `document`.
    fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => reference
                .strip_prefix("#/")
                .and_then(|path| {
                    path.split('/')
                        .try_fold(document, |node, part| node.get(part))
                })
                .unwrap_or(schema),
            None => schema,
        }
    }

    /// A schema's type in words: `string`, `integer or null`, `array of NewLineItem`,
    /// `CheckoutSessionObject`.
    fn kind(schema: &Value) -> String {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            return reference.rsplit('/').next().unwrap_or(reference).to_owned();
        }
        if let Some(options) = schema.get("oneOf").or_else(|| schema.get("anyOf")) {
            let kinds: Vec<String> = options.as_array().into_iter().flatten().map(kind).collect();
            return kinds.join(" or ");
        }
        let named = match schema.get("type") {
            Some(Value::String(name)) => vec![name.clone()],
            Some(Value::Array(names)) => names
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            _ => Vec::new(),
        };
        named
            .into_iter()
            .map(|name| match (name.as_str(), schema.get("items")) {
                ("array", Some(items)) => format!("array of {}", kind(items)),
                _ => name,
            })
            .collect::<Vec<_>>()
            .join(" or ")
    }

    fn parameters(document: &Value, operation: &Value) -> Vec<Parameter> {
        operation
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|parameter| {
                let parameter = resolve(document, parameter);
                Parameter {
                    name: text(parameter, "name"),
                    location: text(parameter, "in"),
                    kind: parameter.get("schema").map(kind).unwrap_or_default(),
                    required: parameter
                        .get("required")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                    description: text(parameter, "description"),
                }
            })
            .collect()
    }

    /// The JSON body's fields, read from its schema: the top-level ones, and one level
    /// into each object or array of objects (`line_items[].name`), which is where the
    /// API's bodies keep their detail.
    fn body(document: &Value, operation: &Value) -> Vec<Parameter> {
        let Some(schema) = operation
            .get("requestBody")
            .map(|body| resolve(document, body))
            .and_then(|body| body.pointer("/content/application~1json/schema"))
        else {
            return Vec::new();
        };
        let mut fields = Vec::new();
        object_fields(document, resolve(document, schema), "", 2, &mut fields);
        fields
    }

    fn object_fields(
        document: &Value,
        schema: &Value,
        prefix: &str,
        depth: u8,
        fields: &mut Vec<Parameter>,
    ) {
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let properties = schema.get("properties").and_then(Value::as_object);
        for (name, field) in properties.into_iter().flatten() {
            let qualified = format!("{prefix}{name}");
            fields.push(Parameter {
                name: qualified.clone(),
                location: "body".into(),
                kind: kind(field),
                required: required.contains(&name.as_str()),
                description: text(field, "description"),
            });
            if depth > 1 {
                let (inner, path) = match field.get("items") {
                    Some(items) => (resolve(document, items), format!("{qualified}[].")),
                    None => (resolve(document, field), format!("{qualified}.")),
                };
                object_fields(document, inner, &path, depth - 1, fields);
            }
        }
    }

    fn responses(operation: &Value) -> Vec<(String, String)> {
        operation
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(status, response)| (status.clone(), text(response, "description")))
            .collect()
    }

    /// The description split at its "Error codes:" list, whose lines read
    /// ``- `code`: meaning``.
    fn introduction_and_codes(description: &str) -> (Vec<String>, Vec<(String, String)>) {
        let (introduction, codes) = description
            .split_once(CODES_HEADING)
            .unwrap_or((description, ""));
        let paragraphs = introduction
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect();
        let codes = codes
            .lines()
            .filter_map(|line| {
                let line = line.trim().strip_prefix("- `")?;
                let (code, meaning) = line.split_once('`')?;
                let meaning = meaning.trim_start_matches(':').trim();
                Some((code.to_owned(), meaning.to_owned()))
            })
            .collect();
        (paragraphs, codes)
    }

    /// The page's view of `document`.
    pub fn reference(document: &Value) -> Reference {
        let info = document.get("info").unwrap_or(&Value::Null);
        let (introduction, error_codes) = introduction_and_codes(&text(info, "description"));
        let mut sections: Vec<Section> = Vec::new();
        let paths = document.get("paths").and_then(Value::as_object);
        for (path, item) in paths.into_iter().flatten() {
            for method in METHODS {
                let Some(operation) = item.get(method) else {
                    continue;
                };
                let tag = operation
                    .pointer("/tags/0")
                    .and_then(Value::as_str)
                    .unwrap_or("Other")
                    .to_owned();
                let operation = Operation {
                    method: method.to_uppercase(),
                    path: path.clone(),
                    summary: text(operation, "summary"),
                    description: text(operation, "description"),
                    parameters: parameters(document, operation),
                    body: body(document, operation),
                    responses: responses(operation),
                };
                match sections.iter_mut().find(|s| s.tag == tag) {
                    Some(section) => section.operations.push(operation),
                    None => sections.push(Section {
                        tag,
                        operations: vec![operation],
                    }),
                }
            }
        }
        Reference {
            title: text(info, "title"),
            version: text(info, "version"),
            introduction,
            error_codes,
            sections,
        }
    }

    #[cfg(test)]
    mod tests {
        use serde_json::json;

        use super::reference;

        #[test]
        fn operations_are_grouped_by_tag_with_their_parameters_body_and_codes() {
            let document = json!({
                "info": {"title": "Saleonix API", "version": "1",
                         "description": "Use a key.\n\nSecond paragraph.\n\nError codes:\n- `api_key_missing`: No key.\n- `not_found`: Nothing there."},
                "paths": {
                    "/v1/things": {
                        "post": {"tags": ["Things"], "summary": "Make a thing",
                                 "parameters": [{"name": "Idempotency-Key", "in": "header", "required": false,
                                                 "schema": {"type": ["string", "null"]}, "description": "Retry safely."}],
                                 "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewThing"}}}},
                                 "responses": {"200": {"description": "The thing."}, "4XX": {"description": "Refused."}}},
                        "get": {"tags": ["Things"], "responses": {"200": {"description": "Things."}}}
                    },
                    "/v1/other": {"get": {"tags": ["Other"], "responses": {}}}
                },
                "components": {"schemas": {"NewThing": {"type": "object", "required": ["lines"],
                    "properties": {"lines": {"type": "array", "items": {"$ref": "#/components/schemas/Line"}, "description": "1 to 50."},
                                   "note": {"type": ["string", "null"]}}},
                    "Line": {"type": "object", "properties": {"name": {"type": "string", "description": "What it is."}}}}}
            });
            let view = reference(&document);
            assert_eq!(view.title, "Saleonix API");
            assert_eq!(view.introduction, ["Use a key.", "Second paragraph."]);
            assert_eq!(
                view.error_codes,
                [
                    ("api_key_missing".to_owned(), "No key.".to_owned()),
                    ("not_found".to_owned(), "Nothing there.".to_owned())
                ]
            );
            let mut tags: Vec<&str> = view.sections.iter().map(|s| s.tag.as_str()).collect();
            tags.sort_unstable();
            assert_eq!(tags, ["Other", "Things"]);
            let things = &view
                .sections
                .iter()
                .find(|s| s.tag == "Things")
                .unwrap()
                .operations;
            assert_eq!(things.len(), 2);
            let post = things.iter().find(|o| o.method == "POST").unwrap();
            assert_eq!(post.parameters[0].kind, "string or null");
            let field = |name: &str| post.body.iter().find(|f| f.name == name).unwrap();
            assert_eq!(field("lines").kind, "array of Line");
            assert!(field("lines").required && !field("note").required);
            assert_eq!(field("lines[].name").description, "What it is.");
            assert_eq!(
                post.responses,
                [
                    ("200".to_owned(), "The thing.".to_owned()),
                    ("4XX".to_owned(), "Refused.".to_owned())
                ]
            );
        }
    }
}

/// The API reference, from the document the server serves at `/v1/openapi.json`.
#[server(endpoint = "developers/reference")]
pub async fn api_reference_document() -> Result<Reference, AppError> {
    // Taken before the first await: during server rendering the context is gone after one.
    let document = use_context::<ApiReference>();
    async {
        crate::auth::session::require_declared::<ApiReferenceDocument>()
            .await?
            .merchant()?;
        let document =
            document.ok_or_else(|| crate::error::internal("the API reference was not provided"))?;
        Ok(ssr::reference(&document.0))
    }
    .await
    .map_err(AppError::respond)
}
