//! Cross-site request forgery defence, for every state-changing request.
//!
//! Two independent checks, both in one middleware so that no route can forget them:
//! 1. the request's `Origin` (or, without one, `Sec-Fetch-Site`) must be this site's own;
//! 2. a token kept in the signed, encrypted actix-session cookie must come back, either in
//!    the `X-CSRF-Token` header (htmx sends it on every request, from `hx-headers` on
//!    `<body>`) or in the `csrf_token` form field (plain forms without JavaScript), and match
//!    in constant time.
//!
//! Pages never show the token itself but a fresh masking of it for each response (see
//! [`mask`]): compressed pages reflect input (a search, a `next` address) next to the token,
//! and a token that never repeats gives a BREACH-style attacker nothing to guess at.
//!
//! The JSON API under `/api/` is exempt: it never accepts the cookie for a write (see
//! [`is_api_request`]).

use actix_session::{Session, SessionExt};
use actix_web::{
    Error, HttpMessage,
    body::{EitherBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::header,
    middleware::Next,
    web,
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use subtle::ConstantTimeEq;

use crate::{
    error::AppError,
    web::{multipart, state::AppState},
};

const SESSION_KEY: &str = "csrf";
pub const HEADER: &str = "x-csrf-token";
pub const FIELD: &str = "csrf_token";

/// This browser's CSRF token as one response carries it (masked afresh: see [`mask`]); the
/// token is created on first use.
pub fn token(session: &Session) -> Result<String, AppError> {
    if let Some(token) = existing(session) {
        return mask(&token);
    }
    let token = crate::secrets::random_token(32);
    session
        .insert(SESSION_KEY, &token)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("storing the CSRF token: {e}")))?;
    mask(&token)
}

/// This browser's CSRF token as one response carries it, if it has one already (error pages
/// show it where they show forms, and never create one).
pub fn existing_token(session: &Session) -> Option<String> {
    existing(session).and_then(|token| mask(&token).ok())
}

fn existing(session: &Session) -> Option<String> {
    session.get::<String>(SESSION_KEY).ok().flatten()
}

/// `token` masked with a one-time pad: base64url of `pad ‖ pad ⊕ token`, a new random pad
/// each time, so two responses never carry the same bytes, and [`unmask`] gives the token
/// back whichever one comes in. Without the OS random source there is no pad, and the
/// request fails with an internal error rather than panicking or showing the bare token.
pub fn mask(token: &str) -> Result<String, AppError> {
    let token = token.as_bytes();
    let mut masked = vec![0u8; 2 * token.len()];
    let (pad, xored) = masked.split_at_mut(token.len());
    getrandom::fill(pad).map_err(|e| {
        AppError::Internal(anyhow::anyhow!("no random pad for the CSRF token: {e}"))
    })?;
    for ((x, p), t) in xored.iter_mut().zip(pad.iter()).zip(token) {
        *x = p ^ t;
    }
    Ok(URL_SAFE_NO_PAD.encode(masked))
}

/// The token a masked one (see [`mask`]) carries; `None` for anything that is not one.
fn unmask(masked: &str) -> Option<Vec<u8>> {
    let bytes = URL_SAFE_NO_PAD.decode(masked).ok()?;
    if bytes.is_empty() || bytes.len() % 2 != 0 {
        return None;
    }
    let (pad, xored) = bytes.split_at(bytes.len() / 2);
    Some(pad.iter().zip(xored).map(|(p, x)| p ^ x).collect())
}

/// Replaces the token, e.g. at sign-in, so a token seen before cannot be replayed after.
pub fn rotate(session: &Session) {
    session.remove(SESSION_KEY);
}

pub async fn protect(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody + 'static>>, Error> {
    if !req.method().is_safe()
        && !is_api_request(&req)
        && let Err(refusal) = check(&mut req).await
    {
        // Answered as a response carrying the error, for the error renderer outside.
        return Ok(req.error_response(refusal).map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

async fn check(req: &mut ServiceRequest) -> Result<(), Error> {
    check_origin(req)?;
    match check_token(req).await {
        Err(refused) if needs_sign_in(req).await => {
            // A same-site write (the Origin check passed) from a browser that has lost both
            // its CSRF token and its session (e.g. the browser was closed while the session
            // expired): nothing runs and nothing changes, as with any refusal, but the answer
            // is the sign-in prompt that says why, which is what the user can act on.
            tracing::info!(refused = %refused, "write without a session or a CSRF token");
            Err(AppError::SignedOut.into())
        }
        other => other,
    }
}

/// True when the request is for a page that needs a session, and carries no live one.
/// Sign-in, sign-up and sign-out are for signed-out browsers: their refusals stay 403.
async fn needs_sign_in(req: &ServiceRequest) -> bool {
    if matches!(req.path(), "/login" | "/signup" | "/logout") {
        return false;
    }
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return false;
    };
    match req.cookie(state.auth_cookie_name()) {
        None => true,
        Some(token) => matches!(
            crate::web::session::authenticate(state, token.value()).await,
            Err(AppError::SignedOut)
        ),
    }
}

async fn check_token(req: &mut ServiceRequest) -> Result<(), Error> {
    let expected =
        existing(&req.get_session()).ok_or(AppError::Forbidden("no CSRF token in the session"))?;
    let supplied = match req.headers().get(HEADER) {
        Some(value) => value.to_str().unwrap_or_default().to_owned(),
        None => form_token(req).await?,
    };
    // Only a masked token is accepted: the bare token is never shown, so it proves nothing.
    let supplied = unmask(&supplied).unwrap_or_default();
    if bool::from(supplied.ct_eq(expected.as_bytes())) {
        Ok(())
    } else {
        Err(AppError::Forbidden("CSRF token missing or wrong").into())
    }
}

/// The JSON API authenticates writes with a bearer token only (the cookie is accepted for
/// reads alone, see `web::api`), and a cross-site page can neither set that header nor send
/// `application/json` without a CORS preflight we never grant: CSRF cannot reach it.
fn is_api_request(req: &ServiceRequest) -> bool {
    req.path().starts_with("/api/")
}

/// Refuses requests a browser marks as coming from another site.
fn check_origin(req: &ServiceRequest) -> Result<(), AppError> {
    if let Some(origin) = req.headers().get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or_default();
        let expected = match req
            .app_data::<web::Data<AppState>>()
            .and_then(|s| s.public_origin.clone())
        {
            Some(public) => public,
            None => {
                let info = req.connection_info();
                format!("{}://{}", info.scheme(), info.host())
            }
        };
        if !origin.eq_ignore_ascii_case(&expected) {
            return Err(AppError::Forbidden("cross-origin request"));
        }
        return Ok(());
    }
    match req.headers().get("sec-fetch-site").map(|v| v.as_bytes()) {
        None | Some(b"same-origin") | Some(b"none") => Ok(()),
        Some(_) => Err(AppError::Forbidden("cross-site request")),
    }
}

/// The `csrf_token` field of a url-encoded form (or of the import's upload: see
/// [`multipart`]). The body is read (within the app's payload limit, or the upload's) and
/// put back for the handler.
async fn form_token(req: &mut ServiceRequest) -> Result<String, Error> {
    if req.path() == multipart::UPLOAD_PATH
        && let Some(boundary) = multipart::boundary(req)
    {
        let body = multipart::buffer(req).await?;
        let token = multipart::fields(&body, &boundary)
            .into_iter()
            .find(|field| field.name == FIELD)
            .and_then(|field| String::from_utf8(field.value.to_vec()).ok())
            .unwrap_or_default();
        return Ok(token);
    }
    let is_form = req.content_type() == "application/x-www-form-urlencoded";
    if !is_form {
        return Err(AppError::Forbidden("CSRF token missing").into());
    }
    let body = req.extract::<web::Bytes>().await?;
    let token = url::form_urlencoded::parse(&body)
        .find(|(key, _)| key == FIELD)
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    req.set_payload(actix_web::dev::Payload::from(body));
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_masked_token_never_repeats_and_always_unmasks_to_the_token() {
        let token = crate::secrets::random_token(32);
        let (a, b) = (mask(&token).unwrap(), mask(&token).unwrap());
        assert_ne!(a, b, "a fresh pad each time");
        assert!(!a.contains(&token));
        assert_eq!(unmask(&a).as_deref(), Some(token.as_bytes()));
        assert_eq!(unmask(&b).as_deref(), Some(token.as_bytes()));
    }

    #[test]
    fn what_is_not_a_masked_token_unmasks_to_nothing() {
        for junk in ["", "!!!", "a", "abcd"] {
            assert_eq!(unmask(junk), None, "{junk:?}");
        }
        // The bare token is not a masking of itself.
        let token = crate::secrets::random_token(32);
        assert_ne!(unmask(&token).as_deref(), Some(token.as_bytes()));
    }
}
