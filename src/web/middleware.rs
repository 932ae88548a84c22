//! Middleware that wraps every response: a request id with one log line per request, the
//! security headers, and HEAD answered wherever GET is.

use std::time::Instant;

use actix_web::{
    Error, HttpMessage,
    body::{EitherBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::{
        Method,
        header::{self, HeaderValue},
    },
    middleware::Next,
    web,
};
use tracing::Instrument;

use crate::{
    error::AppError,
    meter,
    web::{session::UserId, state::AppState},
};

/// The id of one request: in the log line, the `X-Request-Id` header and every error message.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, Error> {
    let mut raw = [0u8; 8];
    getrandom::fill(&mut raw)
        .map_err(|e| actix_web::error::ErrorInternalServerError(e.to_string()))?;
    let id = hex::encode(raw);
    req.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!("request", request_id = %id);
    let method = req.method().clone();
    let path = req.path().to_owned();
    let started = Instant::now();
    let mut res = next.call(req).instrument(span.clone()).await?;
    let user_id = res.request().extensions().get::<UserId>().map(|u| u.0);
    let status = res.status().as_u16();
    let took = started.elapsed();
    // The pattern the request matched (`/tasks/{id}`), for the logs and metrics to group
    // by: a raw path would name every task.
    let route = res.request().match_pattern();
    if meter::enabled() {
        meter::request(&method, route.clone(), status, took);
    }
    span.in_scope(|| {
        tracing::info!(
            %method,
            route = route.as_deref().unwrap_or("unmatched"),
            path,
            status,
            micros = took.as_micros() as u64,
            user_id,
            "request"
        )
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut()
            .insert(header::HeaderName::from_static("x-request-id"), value);
    }
    Ok(res)
}

/// The policy: only our own scripts, styles, images and connections; no inline code, no
/// plugins, no framing, no `<base>` tricks, forms only to ourselves.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; \
     manifest-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; \
     object-src 'none'";

/// Browsers that saw it over HTTPS use nothing else for this host (and its subdomains) for
/// two years, so a network attacker cannot downgrade a later visit to plain HTTP.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=63072000; includeSubDomains";

pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, Error> {
    // Secure cookies mean the site is served over HTTPS; plain-HTTP development must not
    // pin its host (often localhost, shared by everything one develops) to HTTPS.
    let https = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|state| state.cookie_secure);
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(STRICT_TRANSPORT_SECURITY),
        );
    }
    let set = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            header::HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), interest-cohort=()",
        ),
        (
            header::HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ];
    for (name, value) in set {
        headers.insert(name, HeaderValue::from_static(value));
    }
    // Anything not marked cacheable (only hashed static files are) is never stored: pages
    // hold one user's data.
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}

/// The longest request target (path and query) read; longer ones get a 414 with a problem
/// body. RFC 9110 asks for at least 8,000 octets; the longest link the app itself makes (a
/// title cursor at its bound, plus a 200-character search, nested in `view=`) is under 10 KiB.
/// (Beyond 64 KiB actix-http refuses the request head itself, before any middleware runs,
/// with an empty 400: see the README.)
pub const MAX_TARGET_BYTES: usize = 16 * 1024;

/// A request target must fit in [`MAX_TARGET_BYTES`]; a request body must be sent as is (a `Content-Encoding` is a 415), and query strings and
/// url-encoded form bodies must decode to UTF-8 (SPEC section 4: invalid UTF-8 is a 400). actix's readers would otherwise replace bad bytes with U+FFFD and carry
/// on, storing text the user never typed. The body is read within the app's payload limit
/// (413 beyond it) and put back for the handler.
pub async fn require_utf8(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody + 'static>>, Error> {
    let refuse =
        |req: ServiceRequest, error: Error| Ok(req.error_response(error).map_into_right_body());
    let invalid = || AppError::BadRequest("The request is not valid UTF-8 text.".into());
    let target = req.uri().path_and_query().map_or(0, |t| t.as_str().len());
    if target > MAX_TARGET_BYTES {
        return refuse(req, AppError::UriTooLong.into());
    }
    // Bodies are read as sent: one in an encoding we do not decode (gzip, br, ...) would be
    // read as garbage, so it is refused as such.
    if req
        .headers()
        .get(header::CONTENT_ENCODING)
        .is_some_and(|e| !e.as_bytes().eq_ignore_ascii_case(b"identity"))
    {
        return refuse(req, AppError::UnsupportedEncoding.into());
    }
    if !decodes_to_utf8(req.query_string().as_bytes()) {
        return refuse(req, invalid().into());
    }
    if req.content_type() == "application/x-www-form-urlencoded" {
        let body = match req.extract::<web::Bytes>().await {
            Ok(body) => body,
            Err(error) => return refuse(req, error),
        };
        let valid = decodes_to_utf8(&body);
        req.set_payload(actix_web::dev::Payload::from(body));
        if !valid {
            return refuse(req, invalid().into());
        }
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

/// True when percent-decoding `raw` (as `application/x-www-form-urlencoded`) gives UTF-8.
fn decodes_to_utf8(raw: &[u8]) -> bool {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut decoded = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match (
            raw[i],
            raw.get(i + 1).copied().and_then(hex),
            raw.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(high), Some(low)) => {
                decoded.push(high << 4 | low);
                i += 3;
            }
            (byte, _, _) => {
                decoded.push(byte);
                i += 1;
            }
        }
    }
    std::str::from_utf8(&decoded).is_ok()
}

/// HEAD is GET without the body (RFC 9110, 9.3.2): the route table lists GET only, this
/// hands a HEAD request to the GET route, and actix's HTTP codec, which saw the HEAD, sends
/// the status and headers alone. So HEAD works wherever GET does, and nowhere else.
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}

#[cfg(test)]
mod tests {
    use super::decodes_to_utf8;

    #[test]
    fn only_text_that_decodes_to_utf8_passes() {
        for good in [
            "",
            "q=caf%C3%A9",
            "q=%",
            "q=%2",
            "q=100%25+off",
            "a=b&c=%E2%9C%93",
        ] {
            assert!(decodes_to_utf8(good.as_bytes()), "{good}");
        }
        for bad in [&b"q=%FF"[..], b"q=%C3%28", b"q=%ED%A0%80", b"title=\xff"] {
            assert!(!decodes_to_utf8(bad), "{bad:?}");
        }
    }
}
