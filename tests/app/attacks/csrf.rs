//! Cross-site request forgery, on every state-changing route.
//!
//! [`HTML_ROUTES`] lists every unsafe (non-GET) route of the browser surface and
//! [`API_ROUTES`] every unsafe route under `/api/`. The attack tests try each browser route
//! with a cross-site `Origin`, with no token, with a wrong token, with
//! `Sec-Fetch-Site: cross-site` (and a few variants) and require 403 and nothing changed;
//! the API routes, which are CSRF-exempt by design, must refuse the browser's cookie for
//! every write.
//!
//! **The guard** (`every_unsafe_route_the_app_registers_is_in_the_csrf_lists`) keeps the
//! lists complete. Actix cannot list its routes at run time, so the test reads the route
//! table where it is written: it scans `src/` for `web::scope("…")` / `web::resource("…")`
//! registrations and the `.post(` / `.put(` / `.patch(` / `.delete(` calls chained on each
//! (a resource inside a scope's builder chain gets the scope's prefix), and fails closed on
//! any registration style it does not understand (`.route(`, `web::post()`, `web::method(`,
//! `#[post(…)]` attribute macros), so a new way of adding routes cannot slip past it. It then
//! asks the running app: each listed path answers an unknown method with 405 and an `Allow`
//! header, whose unsafe methods must be exactly the listed ones. A new unsafe route therefore
//! fails the guard until it is added to one of the two lists below, and then the attack tests
//! cover it.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use reqwest::{Response, StatusCode};
use serde_json::json;
use task_dashboard::domain::task::TaskFilter;

use super::{new_client, victim};
use crate::both_backends;
use crate::helpers::{PASSWORD, TestApp, set_cookie, unmask_csrf};

/// Every CSRF token a page carries: form fields and htmx's `hx-headers`.
fn tokens_in(body: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    for marker in [r#"name="csrf_token" value=""#, r#""X-CSRF-Token": ""#] {
        for part in body.split(marker).skip(1) {
            tokens.push(part.split('"').next().unwrap().to_owned());
        }
    }
    tokens
}

/// Form fields, as name and value.
type Fields = &'static [(&'static str, &'static str)];

/// Every unsafe route of the browser surface: method, path (`{id}` is a task id) and the
/// form fields a real request would send.
pub const HTML_ROUTES: &[(&str, &str, Fields)] = &[
    (
        "POST",
        "/signup",
        &[
            ("email", "forged-signup@example.com"),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
        ],
    ),
    (
        "POST",
        "/login",
        &[("email", "attacker@example.com"), ("password", PASSWORD)],
    ),
    ("POST", "/logout", &[]),
    (
        "POST",
        "/tasks",
        &[("title", "forged"), ("priority", "high")],
    ),
    ("POST", "/tasks/import", &[("csv", "title\nforged\n")]),
    ("POST", "/tasks/undo", &[("batch", "forged")]),
    ("POST", "/tasks/trash/empty", &[("confirm", "1")]),
    ("POST", "/tasks/trash/{id}/restore", &[]),
    ("POST", "/tasks/trash/{id}/erase", &[("confirm", "1")]),
    (
        "POST",
        "/tasks/bulk",
        &[("action", "delete"), ("ids", "{id}")],
    ),
    (
        "POST",
        "/tasks/{id}",
        &[("title", "forged"), ("priority", "low"), ("version", "1")],
    ),
    ("POST", "/tasks/{id}/toggle", &[]),
    ("POST", "/tasks/{id}/delete", &[]),
    (
        "POST",
        "/account/password",
        &[
            ("current_password", PASSWORD),
            ("new_password", "a forged new password"),
            ("new_password_confirm", "a forged new password"),
        ],
    ),
    (
        "POST",
        "/account/time-zone",
        &[("time_zone", "Pacific/Kiritimati")],
    ),
    ("POST", "/account/sessions/others/revoke", &[]),
    (
        "POST",
        "/tags/rename",
        &[("from", "home"), ("to", "forged"), ("confirm", "1")],
    ),
    ("POST", "/tags/delete", &[("tag", "home"), ("confirm", "1")]),
    // `{handle}` is the victim's API session.
    ("POST", "/account/sessions/{handle}/revoke", &[]),
];

/// Every unsafe route under `/api/`: bearer tokens only, so the cookie must never work.
/// `POST /api/auth/token` is the sign-in itself (email and password in, token out in the
/// body, no cookie set), so there is no session for a forged request to ride on.
pub const API_ROUTES: &[(&str, &str)] = &[
    ("POST", "/api/auth/token"),
    ("DELETE", "/api/auth/token"),
    ("POST", "/api/tasks"),
    ("POST", "/api/tasks/import"),
    ("PUT", "/api/tasks/{id}"),
    ("PATCH", "/api/tasks/{id}"),
    ("DELETE", "/api/tasks/{id}"),
    ("PATCH", "/api/tasks/{id}/complete"),
    ("POST", "/api/tasks/{id}/restore"),
    ("PATCH", "/api/me"),
];

const EVIL: &str = "https://evil.example";

/// How a forged request is dressed.
#[derive(Debug, Clone, Copy)]
enum Forgery {
    /// The right token, sent from another site's page.
    CrossSiteOrigin,
    /// `Origin: null` (sandboxed frames, `data:` pages) with the right token.
    NullOrigin,
    /// A look-alike origin: this host with another port.
    OtherPortOrigin,
    /// No token at all, same origin.
    NoToken,
    /// A made-up token, in the form.
    WrongToken,
    /// A made-up token, in the header htmx uses.
    WrongHeaderToken,
    /// A real token, but another browser's.
    AnotherBrowsersToken,
    /// No `Origin`, but the browser says the request is cross-site.
    SecFetchCrossSite,
    /// No `Origin`, `Sec-Fetch-Site: same-site` (a sibling subdomain).
    SecFetchSameSite,
}

const FORGERIES: [Forgery; 9] = [
    Forgery::CrossSiteOrigin,
    Forgery::NullOrigin,
    Forgery::OtherPortOrigin,
    Forgery::NoToken,
    Forgery::WrongToken,
    Forgery::WrongHeaderToken,
    Forgery::AnotherBrowsersToken,
    Forgery::SecFetchCrossSite,
    Forgery::SecFetchSameSite,
];

fn fill(path: &str, id: i64) -> String {
    path.replace("{id}", &id.to_string())
}

/// This browser's CSRF token and another browser's, and the handle of the victim's other
/// session (for the revoke route).
struct Tokens<'a> {
    mine: &'a str,
    other: &'a str,
    handle: &'a str,
}

async fn send(
    app: &TestApp,
    (method, path, fields): (&str, &str, &[(&str, &str)]),
    id: i64,
    forgery: Option<Forgery>,
    tokens: &Tokens<'_>,
) -> Response {
    let (token, other_token) = (tokens.mine, tokens.other);
    let id_s = id.to_string();
    let mut form: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (*k, if *v == "{id}" { id_s.as_str() } else { *v }))
        .collect();
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let path = fill(path, id).replace("{handle}", tokens.handle);
    let mut req = app.client.request(method, app.url(&path));
    let port = app.base.rsplit(':').next().unwrap();
    let other_port = format!("http://127.0.0.1:{}", port.parse::<u16>().unwrap() ^ 1);
    match forgery {
        None => {
            form.push(("csrf_token", token));
            req = req.header("Origin", &app.base);
        }
        Some(Forgery::CrossSiteOrigin) => {
            form.push(("csrf_token", token));
            req = req.header("Origin", EVIL);
        }
        Some(Forgery::NullOrigin) => {
            form.push(("csrf_token", token));
            req = req.header("Origin", "null");
        }
        Some(Forgery::OtherPortOrigin) => {
            form.push(("csrf_token", token));
            req = req.header("Origin", other_port);
        }
        Some(Forgery::NoToken) => req = req.header("Origin", &app.base),
        Some(Forgery::WrongToken) => {
            form.push(("csrf_token", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
        }
        Some(Forgery::WrongHeaderToken) => req = req.header("X-CSRF-Token", "not-the-token"),
        Some(Forgery::AnotherBrowsersToken) => form.push(("csrf_token", other_token)),
        Some(Forgery::SecFetchCrossSite) => {
            form.push(("csrf_token", token));
            req = req.header("Sec-Fetch-Site", "cross-site");
        }
        Some(Forgery::SecFetchSameSite) => {
            form.push(("csrf_token", token));
            req = req.header("Sec-Fetch-Site", "same-site");
        }
    }
    req.form(&form).send().await.unwrap()
}

/// What a forged request could have changed.
#[derive(Debug, PartialEq)]
struct Snapshot {
    task: Option<(String, bool, i64)>,
    count: i64,
    forged_account: bool,
    password_hash: Option<String>,
    time_zone: Option<String>,
    live_sessions: Vec<String>,
}

async fn snapshot(app: &TestApp, user: i64, task: i64) -> Snapshot {
    let t = app.store.get_task(user, task).await.unwrap();
    Snapshot {
        password_hash: app.store.password_hash(user).await.unwrap(),
        time_zone: app.store.time_zone_of(user).await.unwrap(),
        live_sessions: app
            .store
            .list_sessions(user, chrono::Utc::now())
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.id)
            .collect(),
        task: t.map(|t| (t.title, t.is_completed, t.version)),
        count: app
            .store
            .count_tasks(user, &TaskFilter::default(), NaiveDate::MIN)
            .await
            .unwrap(),
        forged_account: app
            .store
            .find_credentials("forged-signup@example.com")
            .await
            .unwrap()
            .is_some(),
    }
}

/// The victim's browser is still signed in as the victim.
async fn assert_still_the_victim(app: &TestApp, email: &str, what: &str) {
    let res = app.get("/tasks").await;
    assert_eq!(res.status(), StatusCode::OK, "{what}: still signed in");
    assert!(
        res.text().await.unwrap().contains(email),
        "{what}: still the victim"
    );
}

both_backends! {
    async fn forged_posts_to_every_browser_route_are_refused_and_change_nothing(app: TestApp) {
        let v = victim(&app, "victim").await;
        // The attacker has an account, to log the victim into (login CSRF).
        let attacker = app.another_browser();
        attacker.post_form("/signup", &[("email", "attacker@example.com"), ("password", PASSWORD), ("password_confirm", PASSWORD)]).await;
        let task = app.create_task("Victim's task", "medium", "").await;
        let token = app.csrf("/tasks").await;
        let other_token = attacker.csrf("/tasks").await;
        let before = snapshot(&app, v.id, task).await;
        let handle = app
            .store
            .list_sessions(v.id, chrono::Utc::now())
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.kind == "api")
            .map(|s| task_dashboard::store::sessions::handle_of(&s.id))
            .expect("the victim's API session");
        assert_eq!(before.live_sessions.len(), 2, "this browser and the API token");
        for (method, path, fields) in HTML_ROUTES {
            for forgery in FORGERIES {
                let what = format!("{method} {path} with {forgery:?}");
                let tokens = Tokens { mine: &token, other: &other_token, handle: &handle };
                let res = send(&app, (method, path, fields), task, Some(forgery), &tokens).await;
                assert_eq!(res.status(), StatusCode::FORBIDDEN, "{what}");
                assert!(set_cookie(&res, "auth").is_none(), "{what}: no sign-in, no sign-out");
                let body = res.text().await.unwrap();
                assert!(body.contains("came from another site"), "{what}: {body}");
                assert_eq!(snapshot(&app, v.id, task).await, before, "{what}: nothing changed");
            }
        }
        assert_still_the_victim(&app, &v.email, "after every forgery").await;

        // Control: the same requests, same-origin with the right token, are not refused,
        // so the 403s above were the CSRF defence and not a broken request.
        for (method, path, fields) in HTML_ROUTES {
            let token = app.csrf("/login").await;
            let res = send(&app, (method, path, fields), task, None, &Tokens { mine: &token, other: &other_token, handle: &handle }).await;
            assert_ne!(res.status(), StatusCode::FORBIDDEN, "control: {method} {path}");
            assert!(res.status().is_success() || res.status().is_redirection() || res.status() == StatusCode::NOT_FOUND || res.status() == StatusCode::UNPROCESSABLE_ENTITY, "control: {method} {path}: {}", res.status());
        }
    }

    async fn htmx_posts_need_the_header_token_too(app: TestApp) {
        let v = victim(&app, "hx").await;
        let task = app.create_task("Keep me", "medium", "").await;
        let before = app.store.get_task(v.id, task).await.unwrap().unwrap().version;
        for token in ["", "wrong", &format!("{}x", app.csrf("/tasks").await)] {
            let res = app.client.post(app.url(&format!("/tasks/{task}/toggle"))).header("HX-Request", "true").header("X-CSRF-Token", token).form(&[("view", "")]).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "token {token:?}");
        }
        assert_eq!(app.store.get_task(v.id, task).await.unwrap().unwrap().version, before);
        let res = app.post_htmx(&format!("/tasks/{task}/toggle"), &[("view", "")]).await;
        assert_eq!(res.status(), StatusCode::OK, "control");
    }

    async fn breach_finds_no_repeated_token_next_to_reflected_input(app: TestApp) {
        // BREACH: a compressed page that reflects the attacker's guess (`q`) next to a secret
        // that never changes leaks the secret through the compressed size. The token a page
        // carries is masked afresh for every response, so there is nothing fixed to guess at.
        victim(&app, "breach").await;
        for guess in ["csrf_token", "value=", "X-CSRF-Token"] {
            app.create_task(&format!("{guess} guess"), "low", "").await;
        }
        let mut seen = BTreeSet::new();
        let mut secrets = BTreeSet::new();
        for guess in ["csrf_token", "value=", "X-CSRF-Token"] {
            for htmx in [false, true] {
                let res = if htmx { app.get_htmx(&format!("/tasks?q={guess}")).await } else { app.get(&format!("/tasks?q={guess}")).await };
                let body = res.text().await.unwrap();
                let tokens = tokens_in(&body);
                assert!(!tokens.is_empty(), "a token on every page and fragment with forms");
                // One response may repeat its own masking; no two responses share one.
                let here: BTreeSet<_> = tokens.into_iter().collect();
                for token in &here {
                    assert!(seen.insert(token.clone()), "{token} was in an earlier response");
                    secrets.insert(unmask_csrf(token));
                }
            }
        }
        assert_eq!(secrets.len(), 1, "every masking carries the session's one token");
        // Each masking works, as a form field and as htmx's header...
        for (i, token) in seen.iter().enumerate() {
            let res = app.client.post(app.url("/tasks")).form(&[("title", format!("masked {i}").as_str()), ("csrf_token", token)]).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::SEE_OTHER, "form field {token}");
            let res = app.client.post(app.url("/tasks")).header("HX-Request", "true").header("X-CSRF-Token", token).form(&[("title", format!("header {i}").as_str())]).send().await.unwrap();
            assert!(res.status().is_success(), "header {token}: {}", res.status());
        }
        // ...and the bare token, which no page shows, proves nothing.
        let bare = secrets.into_iter().next().unwrap();
        let res = app.client.post(app.url("/tasks")).form(&[("title", "bare"), ("csrf_token", &bare)]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
    }

    async fn a_token_from_before_sign_in_is_useless_after_it(app: TestApp) {
        let email = app.sign_up("fixation").await;
        app.post_form("/logout", &[]).await;
        // An attacker who planted or read the token of a signed-out browser...
        let old = app.csrf("/login").await;
        app.sign_in(&email, PASSWORD).await;
        let res = app.client.post(app.url("/tasks")).form(&[("title", "fixated"), ("csrf_token", &old)]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "the token rotates at sign-in");
    }

    async fn the_api_never_accepts_the_browser_cookie_for_a_write(app: TestApp) {
        let v = victim(&app, "apicookie").await;
        let task = app.create_task("API target", "medium", "").await;
        let before = snapshot(&app, v.id, task).await;
        let token = app.csrf("/tasks").await;
        for (method, path) in API_ROUTES {
            if *path == "/api/auth/token" && *method == "POST" {
                continue;
            }
            let res = app
                .client
                .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), app.url(&fill(path, task)))
                .header("Origin", &app.base)
                .header("X-CSRF-Token", &token)
                .json(&json!({"title": "forged", "is_completed": true}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{method} {path} with the cookie");
            assert_eq!(res.headers()["www-authenticate"], "Bearer");
            // A cross-site form can only send a simple content type, without preflight.
            let res = app
                .client
                .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), app.url(&fill(path, task)))
                .header("Origin", EVIL)
                .form(&[("title", "forged")])
                .send()
                .await
                .unwrap();
            assert!(matches!(res.status(), StatusCode::UNAUTHORIZED | StatusCode::METHOD_NOT_ALLOWED), "{method} {path} as a cross-site form: {}", res.status());
        }
        assert_eq!(snapshot(&app, v.id, task).await, before, "nothing changed");
        // Signing in through the API sets no cookie: a forged sign-in cannot switch the
        // browser's account.
        let res = app.client.post(app.url("/api/auth/token")).header("Origin", EVIL).json(&json!({"email": v.email, "password": PASSWORD})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers().get("set-cookie").is_none(), "no cookie from the API sign-in");
        // And the API's reads and writes answer no CORS grant to another origin.
        let res = app.client.get(app.url("/api/tasks")).header("Origin", EVIL).send().await.unwrap();
        assert!(res.headers().get("access-control-allow-origin").is_none());
        let res = app.client.request(reqwest::Method::OPTIONS, app.url("/api/tasks")).header("Origin", EVIL).header("Access-Control-Request-Method", "POST").send().await.unwrap();
        assert!(res.headers().get("access-control-allow-origin").is_none(), "no preflight is granted");
    }

    async fn every_unsafe_route_the_app_registers_is_in_the_csrf_lists(app: TestApp) {
        let listed: BTreeSet<(String, String)> = HTML_ROUTES
            .iter()
            .map(|(m, p, _)| (m.to_string(), p.to_string()))
            .chain(API_ROUTES.iter().map(|(m, p)| (m.to_string(), p.to_string())))
            .collect();
        let registered = registered_unsafe_routes();
        let unlisted: Vec<_> = registered.difference(&listed).collect();
        assert!(unlisted.is_empty(), "unsafe routes missing from HTML_ROUTES/API_ROUTES in tests/app/attacks/csrf.rs: {unlisted:?}");
        let stale: Vec<_> = listed.difference(&registered).collect();
        assert!(stale.is_empty(), "listed routes the app does not register: {stale:?}");

        // The running app agrees: each path's 405 names exactly the listed unsafe methods.
        let paths: BTreeSet<&str> = listed.iter().map(|(_, p)| p.as_str()).collect();
        for path in paths {
            let res = new_client().request(reqwest::Method::TRACE, app.url(&fill(path, 1))).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED, "{path}");
            let allow = res.headers()["allow"].to_str().unwrap().to_owned();
            let unsafe_allowed: BTreeSet<String> = allow
                .split(',')
                .map(|m| m.trim().to_owned())
                .filter(|m| !matches!(m.as_str(), "GET" | "HEAD" | "OPTIONS"))
                .collect();
            let unsafe_listed: BTreeSet<String> = listed.iter().filter(|(_, p)| p == path).map(|(m, _)| m.clone()).collect();
            assert_eq!(unsafe_allowed, unsafe_listed, "{path}: Allow: {allow}");
        }
    }
}

/// The unsafe `(method, path)` pairs registered in `src/`, read from the source.
fn registered_unsafe_routes() -> BTreeSet<(String, String)> {
    let mut files = Vec::new();
    collect_rs(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut routes = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        // Comments cannot register routes.
        let code: String = text
            .lines()
            .map(|l| match l.find("//") {
                Some(i) if !l[..i].contains('"') => &l[..i],
                _ => l,
            })
            .collect::<Vec<_>>()
            .join("\n");
        for unknown in [
            ".route(",
            "web::post()",
            "web::put()",
            "web::patch()",
            "web::delete()",
            "web::method(",
            "#[post(",
            "#[put(",
            "#[patch(",
            "#[delete(",
            "#[route(",
            "Resource::new(",
        ] {
            assert!(
                !code.contains(unknown),
                "{}: registers routes with `{unknown}`, which this guard does not read: teach registered_unsafe_routes() about it",
                file.display()
            );
        }
        // Every scope, as its prefix and the span of its builder chain: a resource inside
        // that span is inside the scope (scopes may nest).
        let scopes: Vec<(&str, std::ops::Range<usize>)> = code
            .match_indices("web::scope(\"")
            .map(|(at, _)| {
                let prefix = code[at + "web::scope(\"".len()..]
                    .split('"')
                    .next()
                    .unwrap();
                (prefix, at..expression_end(&code, at))
            })
            .collect();
        for (at, _) in code.match_indices("web::resource(\"") {
            let path = code[at + "web::resource(\"".len()..]
                .split('"')
                .next()
                .unwrap();
            // The resource's builder chain: up to the end of the call it is an argument of.
            let chain = &code[at..expression_end(&code, at)];
            let prefix: String = scopes
                .iter()
                .filter(|(_, span)| span.contains(&at))
                .map(|(prefix, _)| *prefix)
                .collect();
            for (call, method) in [
                (".post(", "POST"),
                (".put(", "PUT"),
                (".patch(", "PATCH"),
                (".delete(", "DELETE"),
            ] {
                if chain.contains(call) {
                    routes.insert((method.to_owned(), format!("{prefix}{path}")));
                }
            }
        }
    }
    assert!(
        routes.len() >= 10,
        "the scan found too few routes to be reading the route table: {routes:?}"
    );
    routes
}

/// Where the expression starting at `start` ends: where the bracket it sits in closes, or at
/// the end of its statement. Brackets inside string literals do not count.
fn expression_end(code: &str, start: usize) -> usize {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in code[start..].char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => return start + i,
            ')' | ']' | '}' => depth -= 1,
            ';' if depth == 0 => return start + i,
            _ => {}
        }
    }
    code.len()
}

fn collect_rs(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_rs(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}
