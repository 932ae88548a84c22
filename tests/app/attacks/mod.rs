//! The adversarial suite: one module per threat (SECURITY.md's table), each test named for
//! the attack it makes. Every test runs on SQLite and PostgreSQL (`both_backends!`) and is
//! written so that it fails if the defence it probes is taken away (see each module's doc).
//!
//! Feature tests (`accounts.rs`, `tasks.rs`, `api.rs`) show that things work; these show that
//! an attacker cannot make them work for them.

mod access_control;
mod brute_force;
mod cookies;
mod csrf;
mod enumeration;
mod flood;
mod headers;
mod hygiene;
mod injection;
mod malformed;
mod outage;
mod redirects;
mod tokens;
mod xss;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, location, set_cookie};

/// A user signed up in `app`'s browser, with a bearer token for the API as well.
pub struct Victim {
    pub email: String,
    pub id: i64,
    pub token: String,
}

/// Signs a user up in this browser and gets them a bearer token too.
pub async fn victim(app: &TestApp, name: &str) -> Victim {
    let email = app.sign_up(name).await;
    let id = app.user_id(&email).await;
    let token = api_token(app, &email).await;
    Victim { email, id, token }
}

/// A bearer token from `POST /api/auth/token`.
pub async fn api_token(app: &TestApp, email: &str) -> String {
    let res = new_client()
        .post(app.url("/api/auth/token"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "token for {email}");
    let body: Value = res.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

/// Signs in again in this browser and returns the raw JWT its auth cookie carries.
pub async fn cookie_token(app: &TestApp, email: &str) -> String {
    let res = app.sign_in(email, PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let cookie = set_cookie(&res, "auth").expect("an auth cookie");
    cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("auth=")
        .to_owned()
}

/// The claims of a JWT, unverified.
pub fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// A browser without cookies that does not follow redirects.
pub fn new_client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// One API call with a bearer token, from a fresh client (no cookies).
pub async fn api(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> Response {
    app.call_api(method, path, token, body).await
}

/// A page request carrying only this auth cookie.
pub async fn page_with_token(app: &TestApp, path: &str, token: &str) -> Response {
    new_client()
        .get(app.url(path))
        .header("Cookie", format!("auth={token}"))
        .send()
        .await
        .unwrap()
}

/// The token is refused by pages (303 to `/login`) and by the API (401 with a Bearer
/// challenge and a JSON `detail`).
pub async fn assert_token_refused(app: &TestApp, token: &str, what: &str) {
    let res = page_with_token(app, "/tasks", token).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "page: {what}");
    assert!(location(&res).starts_with("/login"), "page: {what}");
    let res = api(app, "GET", "/api/tasks", token, None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "API: {what}");
    assert_eq!(res.headers()["www-authenticate"], "Bearer", "API: {what}");
    let body: Value = res.json().await.unwrap();
    assert!(body["detail"].is_string(), "API: {what}: {body}");
}

/// The same body with what legitimately differs between two answers (request ids, CSRF
/// tokens) blanked out, so two answers can be compared for what they reveal.
pub fn normalized(body: &str) -> String {
    // Request ids are 16 lower-case hex digits, session ids 43 base64url characters and CSRF
    // tokens as pages carry them (masked afresh each time) 115: blank every run of word
    // characters of exactly that shape.
    let word = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let mut out = String::with_capacity(body.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let hex = run.len() == 16
            && run
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c));
        if hex {
            out.push_str("<id>");
        } else if run.len() == 43 || run.len() == 115 {
            out.push_str("<token>");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in body.chars() {
        if word(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Words that would show internals: SQL, driver and panic text, source paths, secrets.
pub fn assert_no_internals(body: &str, what: &str) {
    let lower = body.to_lowercase();
    for leak in [
        "sqlx",
        "panicked",
        "from tasks",
        "where user_id",
        "insert into",
        "update tasks",
        "delete from",
        "src/",
        ".rs:",
        "stack backtrace",
        "no such table",
        "relation \"",
        "syntax error",
        "pooltimedout",
        "postgres://",
        "sqlite://",
        "database error",
        "tasks_gone",
        crate::helpers::SECRET,
    ] {
        assert!(!lower.contains(leak), "{what} shows {leak:?}: {body}");
    }
}
