//! `GET /api/openapi.json`: the OpenAPI 3.1 document, generated from the handlers' own
//! annotations and from the very types they send ([`Problem`] for every error), so it cannot
//! drift from the code.
//!
//! Handlers name an error's body as `body = Problem`; [`ProblemContent`] then lists both media
//! types every error is sent as (`application/json`, and `application/problem+json` for a
//! client whose `Accept` asks for it), so no annotation can forget one.

use std::sync::LazyLock;

use actix_web::HttpResponse;
use utoipa::{
    Modify, OpenApi,
    openapi::{
        Content, RefOr, Response,
        security::{Http, HttpAuthScheme, SecurityScheme},
    },
};

use super::{
    auth, me, tags,
    tasks::{create, import, item, list},
};
use crate::error::{FieldError, Problem};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tasks API",
        version = "1",
        description = "Your tasks, and only yours. Get a token from POST /api/auth/token and send it as `Authorization: Bearer <token>`. Errors are RFC 9457 problem details: `application/problem+json` when `Accept` names it, `application/json` otherwise."
    ),
    paths(
        auth::create,
        auth::revoke,
        list::list,
        create::create,
        import::import,
        item::get,
        item::put,
        item::patch,
        item::delete,
        item::complete,
        item::restore,
        tags::list,
        me::get,
        me::patch,
        me::stats
    ),
    components(schemas(Problem, FieldError)),
    modifiers(&BearerAuth, &ProblemContent)
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("JWT".into());
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The media types a [`Problem`] is sent as (see [`crate::web::errors`]).
const PROBLEM_TYPES: [&str; 2] = ["application/json", "application/problem+json"];

/// Gives every operation the answer any request can get (414, from
/// [`crate::web::middleware::MAX_TARGET_BYTES`]), and every 4xx and 5xx answer of every
/// operation both of [`PROBLEM_TYPES`], with the [`Problem`] schema.
struct ProblemContent;

impl Modify for ProblemContent {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let schema = RefOr::Ref(utoipa::openapi::Ref::from_schema_name("Problem"));
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                operation.responses.responses.insert(
                    "414".into(),
                    RefOr::T(Response::new(
                        "The request target (path and query) is longer than 16 KiB",
                    )),
                );
                for (status, response) in operation.responses.responses.iter_mut() {
                    if !(status.starts_with('4') || status.starts_with('5')) {
                        continue;
                    }
                    if let RefOr::T(response) = response {
                        response.content = PROBLEM_TYPES
                            .iter()
                            .map(|t| (t.to_string(), RefOr::T(Content::new(Some(schema.clone())))))
                            .collect();
                    }
                }
            }
        }
    }
}

static DOCUMENT: LazyLock<String> =
    LazyLock::new(|| ApiDoc::openapi().to_pretty_json().unwrap_or_default());

/// `GET /api/openapi.json`.
pub async fn document() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(DOCUMENT.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_answer_is_documented_as_a_problem_in_both_media_types() {
        let doc: serde_json::Value = serde_json::from_str(&DOCUMENT).unwrap();
        let mut errors = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                for (status, response) in operation["responses"].as_object().unwrap() {
                    if status.as_str() < "400" {
                        continue;
                    }
                    errors += 1;
                    let content = response["content"].as_object().unwrap();
                    let types: Vec<&str> = content.keys().map(String::as_str).collect();
                    assert_eq!(types, PROBLEM_TYPES, "{method} {path} {status}");
                    for media in content.values() {
                        assert_eq!(
                            media["schema"]["$ref"], "#/components/schemas/Problem",
                            "{method} {path} {status}"
                        );
                    }
                }
            }
        }
        assert!(errors > 20, "only {errors} error answers documented");
    }
}
