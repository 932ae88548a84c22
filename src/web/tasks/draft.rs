//! Typed work kept across a sign-in: when a create or an edit is posted after the session
//! ended (expired, or signed out elsewhere), the form's fields are kept in a short-lived,
//! encrypted cookie and the browser goes to sign in; once signed in, the dashboard's create
//! form or the task's edit page shows them again, to be checked and saved. Nothing is saved
//! unseen: the write was made under a session that no longer exists, with its CSRF token.
//!
//! The cookie is encrypted and authenticated (AES-256-GCM, key derived from `JWT_SECRET`),
//! HttpOnly, lives 30 minutes, and names the account it was typed in (from the old token,
//! or the browser's device cookie): only that account gets it back. Notes never go in a URL
//! or a log line. A draft too big for a cookie (about 4 KB once compressed and encrypted,
//! e.g. long notes in a non-Latin script) is not kept.

use std::io::{Read, Write};

use actix_web::{
    HttpRequest, HttpResponse,
    cookie::{Cookie, CookieJar, Key, SameSite, time},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};

use crate::{
    auth::sign_in::device_owner,
    domain::task::TaskDraft,
    error::AppError,
    web::{auth::login_url, page::redirect, session::device_claim, state::AppState},
};

/// What the restored form says.
pub const KEPT: &str = "We kept what you typed: check it and save.";

const LIFETIME_MINUTES: i64 = 30;
/// Browsers keep cookies up to 4096 bytes, name and attributes included.
const MAX_VALUE_BYTES: usize = 3900;

/// A kept form.
#[derive(Serialize, Deserialize)]
pub struct KeptDraft {
    /// The account it was typed in.
    owner: i64,
    /// For an edit: the task and the version the form was based on (a save that someone
    /// else overtook in the meantime is still a conflict, shown side by side).
    pub task: Option<(i64, i64)>,
    pub draft: TaskDraft,
}

fn cookie_name(state: &AppState) -> &'static str {
    if state.cookie_secure {
        "__Host-draft"
    } else {
        "draft"
    }
}

fn key(state: &AppState) -> Option<Key> {
    state.cookie_key("draft-cookie")
}

/// The account whose session just ended in this browser: the (well-signed, possibly
/// expired or revoked) token's subject, else the device cookie's account.
fn owner(state: &AppState, req: &HttpRequest) -> Option<i64> {
    if let Some(id) = req
        .cookie(state.auth_cookie_name())
        .and_then(|c| state.jwt.subject_even_if_expired(c.value()))
    {
        return Some(id);
    }
    device_owner(&device_claim(state, req)?)
}

fn encode(kept: &KeptDraft) -> Option<String> {
    let json = serde_json::to_vec(kept).ok()?;
    let mut deflate = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    deflate.write_all(&json).ok()?;
    Some(URL_SAFE_NO_PAD.encode(deflate.finish().ok()?))
}

fn decode(value: &str) -> Option<KeptDraft> {
    let packed = URL_SAFE_NO_PAD.decode(value).ok()?;
    let mut json = Vec::new();
    flate2::read::DeflateDecoder::new(packed.as_slice())
        .take(64 * 1024)
        .read_to_end(&mut json)
        .ok()?;
    serde_json::from_slice(&json).ok()
}

/// The encrypted cookie holding `draft`, if the account is known and it fits.
fn keep(
    state: &AppState,
    req: &HttpRequest,
    task: Option<(i64, i64)>,
    draft: TaskDraft,
) -> Option<Cookie<'static>> {
    let owner = owner(state, req)?;
    let value = encode(&KeptDraft { owner, task, draft })?;
    let name = cookie_name(state);
    let mut jar = CookieJar::new();
    jar.private_mut(&key(state)?).add(
        Cookie::build(name, value)
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(state.cookie_secure)
            .max_age(time::Duration::minutes(LIFETIME_MINUTES))
            .finish(),
    );
    let cookie = jar.get(name)?.clone();
    if cookie.value().len() <= MAX_VALUE_BYTES {
        Some(cookie)
    } else {
        tracing::info!("a form posted after its session ended is too big to keep");
        None
    }
}

/// The answer to a create or an edit posted after the session ended: sign in, saying why,
/// then come back to `next` with what was typed.
pub fn session_ended(
    req: &HttpRequest,
    htmx: bool,
    next: &str,
    task: Option<(i64, i64)>,
    draft: TaskDraft,
) -> Result<HttpResponse, AppError> {
    let state = AppState::from_request_ref(req)?;
    let mut response = redirect(htmx, &login_url(Some(next), true));
    if let Some(cookie) = keep(&state, req, task, draft) {
        response
            .add_cookie(&cookie)
            .map_err(|e| AppError::Internal(e.into()))?;
    }
    Ok(response)
}

/// True when a write's [`Writer`](super::writer::Writer) could not be made because the
/// session has ended (the form is then kept, see [`session_ended`]).
pub fn is_signed_out(error: &actix_web::Error) -> bool {
    matches!(error.as_error::<AppError>(), Some(AppError::SignedOut))
}

/// The draft kept for `user_id` and this form (`task` for an edit, `None` for a create),
/// if this browser holds one; the answer must then carry [`forget`].
pub fn take(
    state: &AppState,
    req: &HttpRequest,
    user_id: i64,
    task: Option<i64>,
) -> Option<KeptDraft> {
    let original = req.cookie(cookie_name(state))?;
    let mut jar = CookieJar::new();
    jar.add_original(original);
    let kept = decode(jar.private(&key(state)?).get(cookie_name(state))?.value())?;
    (kept.owner == user_id && kept.task.map(|(id, _)| id) == task).then_some(kept)
}

/// Removes the kept draft from the browser (it is shown once).
pub fn forget(state: &AppState, response: &mut HttpResponse) -> Result<(), AppError> {
    let mut cookie = Cookie::build(cookie_name(state), "")
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.cookie_secure)
        .finish();
    cookie.make_removal();
    response
        .add_cookie(&cookie)
        .map_err(|e| AppError::Internal(e.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_survives_its_encoding() {
        let kept = KeptDraft {
            owner: 7,
            task: Some((3, 4)),
            draft: TaskDraft {
                title: "Call Zoë".into(),
                description: "line one\nline two ".repeat(100),
                priority: "high".into(),
                due_date: "2027-01-02".into(),
                repeat: "monthly".into(),
                tags: "home, work".into(),
            },
        };
        let back = decode(&encode(&kept).unwrap()).unwrap();
        assert_eq!((back.owner, back.task), (7, Some((3, 4))));
        assert_eq!(back.draft.description, kept.draft.description);
        assert_eq!(back.draft.repeat, "monthly");
        assert_eq!(back.draft.tags, "home, work");
        assert!(decode("not a draft").is_none());
    }
}
