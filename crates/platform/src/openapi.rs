//! What every service's OpenAPI document has in common, and serving it.
//!
//! A service derives its document from its handlers and body types: each handler carries a
//! `#[utoipa::path]` (summary, body, and each status with its possible `code`s in the
//! description), each body a `ToSchema`, and the service registers handlers with
//! utoipa-axum's `routes!`, so a route and its operation are added together. Then
//! [`with_document`] serves the document and adds what is the same everywhere: the
//! `bearer` security scheme that `security(("bearer" = []))` refers to, the [`Problem`]
//! schema, and an `application/problem+json` body of that schema on every error response
//! (4xx, 5xx) that names no body of its own.
//!
//! Errors an extractor answers are listed once, beside it: [`JsonErrors`] and
//! [`AuthUserErrors`]. A handler lists them in `responses(...)` before its own; where it
//! answers one of their statuses with more codes it lists that status again, after them,
//! with all the codes (the later entry wins).
//!
//! [`JsonErrors`]: crate::extract::JsonErrors
//! [`AuthUserErrors`]: crate::auth::AuthUserErrors

use std::sync::Arc;

use axum::Json;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use utoipa::openapi::path::{HttpMethod, Operation, OperationBuilder};
use utoipa::openapi::schema::{Object, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, ResponseBuilder};
use utoipa::{PartialSchema, ToSchema};
use utoipa_axum::router::OpenApiRouter;

use crate::problem::{CONTENT_TYPE, Problem};

/// The name of the security scheme for `Authorization: Bearer <access token>`.
pub const BEARER: &str = "bearer";
/// The security scheme of service-to-service endpoints: a shared secret as a bearer token.
pub const SERVICE: &str = "service";

/// Adds `GET path`, which serves the OpenAPI document of `routes` and of itself, finished
/// with the shared parts. Call it last, when every route is in.
pub fn with_document<S>(mut routes: OpenApiRouter<S>, path: &str) -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    let operation = OperationBuilder::new()
        .summary(Some("This document"))
        .operation_id(Some("openapi"))
        .response(
            "200",
            ResponseBuilder::new().description("OpenAPI 3.1").content(
                "application/json",
                Content::new(Some(Object::with_type(Type::Object))),
            ),
        );
    let doc = routes.get_openapi_mut();
    doc.paths
        .add_path_operation(path, vec![HttpMethod::Get], operation);
    finish(doc);
    let document = Document(Arc::new(doc.clone()));
    routes.route(path, get(move || async move { document }))
}

#[derive(Clone)]
struct Document(Arc<OpenApi>);

impl IntoResponse for Document {
    fn into_response(self) -> Response {
        Json(self.0.as_ref()).into_response()
    }
}

/// Adds the shared security scheme, the `Problem` schema and the error bodies to `doc`.
fn finish(doc: &mut OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        BEARER,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .build(),
        ),
    );
    components.add_security_scheme(
        SERVICE,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some("A secret shared by CodeArena's services"))
                .build(),
        ),
    );
    let mut schemas = vec![(Problem::name().into_owned(), Problem::schema())];
    Problem::schemas(&mut schemas);
    components.schemas.extend(schemas);

    for item in doc.paths.paths.values_mut() {
        for operation in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            add_problem_bodies(operation);
        }
    }
}

fn add_problem_bodies(operation: &mut Operation) {
    for (status, response) in &mut operation.responses.responses {
        let is_error = status.starts_with('4') || status.starts_with('5');
        if let (true, RefOr::T(response)) = (is_error, response)
            && response.content.is_empty()
        {
            let schema = Ref::from_schema_name(Problem::name());
            response
                .content
                .insert(CONTENT_TYPE.into(), Content::new(Some(schema)).into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// Found.
    #[utoipa::path(
        get,
        path = "/x",
        responses(
            (status = 200, description = "fine", body = String),
            (status = 404, description = "`not_found`"),
            (status = 503, description = "`down`"),
        )
    )]
    async fn x() -> &'static str {
        "x"
    }

    #[tokio::test]
    async fn the_document_is_served_with_problem_bodies_on_errors_only() {
        let routes = with_document(OpenApiRouter::new().routes(utoipa_axum::routes!(x)), "/doc");
        let (router, built) = routes.split_for_parts();
        let server = crate::http::Server::bind("127.0.0.1", 0).await.unwrap();
        let url = format!("http://{}/doc", server.local_addr());
        let shutdown = crate::shutdown::Shutdown::new();
        tokio::spawn(server.run_until_stopped(router, shutdown.clone()));
        let doc: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
        shutdown.cancel();
        assert_eq!(doc, serde_json::to_value(built).unwrap());

        let responses = &doc["paths"]["/x"]["get"]["responses"];
        assert_eq!(
            responses["200"]["content"]["text/plain"]["schema"]["type"],
            "string"
        );
        for status in ["404", "503"] {
            assert_eq!(
                responses[status]["content"]["application/problem+json"]["schema"],
                json!({"$ref": "#/components/schemas/Problem"})
            );
        }
        let own = &doc["paths"]["/doc"]["get"];
        assert_eq!(own["summary"], "This document");
        assert!(own["responses"]["200"]["content"]["application/json"].is_object());
        assert_eq!(
            doc["components"]["securitySchemes"]["bearer"],
            json!({"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
        );
        let problem = &doc["components"]["schemas"]["Problem"];
        assert_eq!(
            problem["required"],
            json!(["type", "title", "status", "code"])
        );
        assert_eq!(problem["properties"]["detail"]["type"], "string");
        assert_eq!(
            problem["properties"]["errors"]["items"],
            json!({"$ref": "#/components/schemas/FieldError"})
        );
        assert!(doc["components"]["schemas"]["FieldError"].is_object());
    }
}
