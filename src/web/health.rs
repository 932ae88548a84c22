//! What load balancers, orchestrators and Prometheus ask: is the process up (`/healthz`),
//! should it get traffic (`/readyz`), and its metrics (`/metrics`, on `METRICS_ADDR` only).

use actix_web::{HttpResponse, http::header, web};

use crate::{error::AppError, meter, store::Store, web::state::AppState};

/// `GET /healthz`: the process is up.
pub async fn healthz() -> HttpResponse {
    text(HttpResponse::Ok(), "ok")
}

/// `GET /readyz`: 200 when this instance can take traffic: not draining, the database
/// answers, and its schema is one this binary serves (see [`crate::store::Schema`]; once
/// seen, only the database is asked). Else
/// 503 with the reason, so that a load balancer sends requests elsewhere.
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    if state.readiness.draining() {
        return Ok(not_ready("draining: this instance is shutting down"));
    }
    if state.readiness.schema_seen() {
        state.store.ping().await?;
    } else {
        let schema = state.store.schema().await?;
        if !schema.serves() {
            return Ok(not_ready(&schema.to_string()));
        }
        state.readiness.see_schema();
    }
    Ok(text(HttpResponse::Ok(), "ready"))
}

fn not_ready(why: &str) -> HttpResponse {
    let mut res = HttpResponse::ServiceUnavailable();
    res.insert_header((header::RETRY_AFTER, "5"));
    text(res, &format!("not ready: {why}"))
}

fn text(mut res: actix_web::HttpResponseBuilder, body: &str) -> HttpResponse {
    res.content_type("text/plain; charset=utf-8")
        .insert_header(header::CacheControl(vec![header::CacheDirective::NoStore]))
        .body(body.to_owned())
}

/// `GET /metrics` on the metrics listener: Prometheus's text format.
pub async fn metrics(store: web::Data<Store>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(meter::render(store.pool_stats()))
}
