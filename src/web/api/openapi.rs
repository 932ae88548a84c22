//! The OpenAPI 3.1 document, generated from the handlers' own annotations so it cannot drift
//! from the code.

use std::sync::LazyLock;

use actix_web::HttpResponse;
use serde::Serialize;
use utoipa::{
    Modify, OpenApi, ToSchema,
    openapi::security::{Http, HttpAuthScheme, SecurityScheme},
};

use super::{auth, tasks};
use crate::error::FieldError;

/// An error, as RFC 9457 problem details.
#[derive(Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// What went wrong, for people.
    pub detail: String,
    /// Quote it when reporting a problem: the server log has the rest.
    pub request_id: Option<String>,
    /// With 422: each field that was refused, and why.
    pub errors: Option<Vec<FieldError>>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tasks API",
        version = "1",
        description = "Your tasks, and only yours. Get a token from POST /api/auth/token and send it as `Authorization: Bearer <token>`."
    ),
    paths(
        auth::create,
        auth::revoke,
        tasks::list,
        tasks::create,
        tasks::get,
        tasks::put,
        tasks::patch,
        tasks::delete,
        tasks::complete
    ),
    components(schemas(Problem, FieldError)),
    modifiers(&BearerAuth)
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

static DOCUMENT: LazyLock<String> =
    LazyLock::new(|| ApiDoc::openapi().to_pretty_json().unwrap_or_default());

/// `GET /api/openapi.json`.
pub async fn document() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(DOCUMENT.as_str())
}
