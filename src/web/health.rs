//! Liveness and readiness probes for load balancers and orchestrators.

use actix_web::{HttpResponse, web};

use crate::{error::AppError, web::state::AppState};

/// `GET /healthz`: the process is up.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body("ok")
}

/// `GET /readyz`: the database answers, so this instance can take traffic.
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    state.store.ping().await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body("ready"))
}
