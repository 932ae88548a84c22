//! Clickjacking, MIME sniffing, referrer leaks, caching of private pages, and script the CSP
//! should stop: the security headers on every kind of answer, and no internals in any error.
//!
//! Held by: `web::middleware::security_headers` (outermost but for compression and the
//! request id, so error pages and early refusals get them too) and `web::errors`.

use reqwest::{Response, StatusCode};
use serde_json::json;

use super::{api, assert_no_internals, victim};
use crate::both_backends;

fn assert_security_headers(res: &Response, what: &str) {
    let h = res.headers();
    let csp = h
        .get("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no CSP"))
        .to_str()
        .unwrap();
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ] {
        assert!(
            csp.contains(directive),
            "{what}: {directive} missing from {csp}"
        );
    }
    for weak in ["unsafe-inline", "unsafe-eval", "*", "data:", "http:"] {
        assert!(!csp.contains(weak), "{what}: {weak} in {csp}");
    }
    assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
    assert_eq!(h["x-frame-options"], "DENY", "{what}");
    let referrer = h["referrer-policy"].to_str().unwrap();
    assert!(
        matches!(referrer, "same-origin" | "strict-origin-when-cross-origin"),
        "{what}: Referrer-Policy {referrer} (no-referrer would make the Origin check refuse forms)"
    );
    assert!(h.contains_key("x-request-id"), "{what}");
    // Plain-HTTP development (these tests' default) must not pin its host to HTTPS.
    assert!(
        !h.contains_key("strict-transport-security"),
        "{what}: HSTS over plain HTTP"
    );
    let cache = h["cache-control"].to_str().unwrap();
    if what.starts_with("static") {
        assert!(cache.contains("immutable"), "{what}: {cache}");
    } else if what == "OpenAPI" {
        // The same public document for everyone.
        assert!(cache.starts_with("public"), "{what}: {cache}");
    } else {
        assert_eq!(
            cache, "no-store",
            "{what}: private answers are never cached"
        );
    }
}

both_backends! {
    async fn every_kind_of_answer_carries_the_security_headers(app: TestApp) {
        let v = victim(&app, "headers").await;
        let id = app.create_task("Headers", "low", "").await;
        let page = app.get("/tasks").await.text().await.unwrap();
        let css = page.split("href=\"").find(|s| s.starts_with("/static/app.")).unwrap().split('"').next().unwrap().to_owned();
        let js = page.split("src=\"").find(|s| s.starts_with("/static/")).unwrap().split('"').next().unwrap().to_owned();
        let token = app.csrf("/tasks").await;
        let big = "x".repeat(100 * 1024);
        let mut answers: Vec<(String, Response)> = vec![
            ("page".into(), app.get("/tasks").await),
            ("login page".into(), app.get("/login").await),
            ("fragment".into(), app.get_htmx("/tasks").await),
            ("htmx write".into(), app.post_htmx(&format!("/tasks/{id}/toggle"), &[("view", "")]).await),
            ("redirect 303".into(), app.post_form(&format!("/tasks/{id}/toggle"), &[]).await),
            ("signed-out redirect".into(), crate::attacks::new_client().get(app.url("/tasks")).send().await.unwrap()),
            ("signed-out HX-Redirect".into(), crate::attacks::new_client().get(app.url("/tasks")).header("HX-Request", "true").send().await.unwrap()),
            ("400 page".into(), app.get("/tasks?sort=due&sort=title").await),
            ("400 fragment".into(), app.get_htmx("/tasks?sort=due&sort=title").await),
            ("ignored view".into(), app.get("/tasks?sort=evil").await),
            ("404 page".into(), app.get("/no-such-page").await),
            ("404 task".into(), app.get("/tasks/999999999").await),
            ("405 page".into(), app.get("/logout").await),
            ("413 page".into(), app.client.post(app.url("/tasks")).header("X-CSRF-Token", &token).form(&[("title", big.as_str())]).send().await.unwrap()),
            ("403 CSRF".into(), app.client.post(app.url("/tasks")).form(&[("title", "x")]).send().await.unwrap()),
            ("422 page".into(), app.post_form("/tasks", &[("title", "")]).await),
            ("409 page".into(), app.post_form(&format!("/tasks/{id}"), &[("title", "x"), ("version", "1")]).await),
            ("JSON".into(), api(&app, "GET", "/api/tasks", &v.token, None).await),
            ("JSON 201".into(), api(&app, "POST", "/api/tasks", &v.token, Some(json!({"title": "x"}))).await),
            ("JSON 204".into(), api(&app, "DELETE", &format!("/api/tasks/{id}"), &v.token, None).await),
            ("OpenAPI".into(), app.get("/api/openapi.json").await),
            ("problem 400".into(), api(&app, "GET", "/api/tasks?limit=0", &v.token, None).await),
            ("problem 401".into(), api(&app, "GET", "/api/tasks", "nope", None).await),
            ("problem 404".into(), api(&app, "GET", "/api/nothing", &v.token, None).await),
            ("problem 405".into(), api(&app, "PUT", "/api/tasks", &v.token, None).await),
            ("problem 413".into(), api(&app, "POST", "/api/tasks", &v.token, Some(json!({"title": big}))).await),
            ("problem 415".into(), crate::attacks::new_client().post(app.url("/api/tasks")).bearer_auth(&v.token).header("Content-Type", "text/plain").body("x").send().await.unwrap()),
            ("problem 422".into(), api(&app, "POST", "/api/tasks", &v.token, Some(json!({"title": ""}))).await),
            ("health".into(), app.get("/healthz").await),
            ("ready".into(), app.get("/readyz").await),
            ("static css".into(), app.get(&css).await),
            ("static js".into(), app.get(&js).await),
            ("static 404".into(), app.get("/static/app.0000000000.css").await),
        ];
        let held = app.stop_database().await;
        answers.push(("503 page".into(), app.get("/tasks").await));
        answers.push(("503 fragment".into(), app.get_htmx("/tasks").await));
        answers.push(("503 problem".into(), api(&app, "GET", "/api/tasks", &v.token, None).await));
        answers.push(("503 readyz".into(), app.get("/readyz").await));
        app.start_database(held).await;
        for (what, res) in answers {
            let what = if what.starts_with("static") && res.status() == StatusCode::NOT_FOUND { format!("{what} (404)").replace("static", "missing static") } else { what };
            assert_security_headers(&res, &what);
            if what.starts_with("static") {
                assert!(res.status().is_success(), "{what}");
            }
            let status = res.status();
            let content_type = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
            let body = res.text().await.unwrap();
            if status.is_client_error() || status.is_server_error() {
                assert_no_internals(&body, &what);
                assert!(content_type.starts_with("text/html") || content_type == "application/json", "{what}: {content_type}");
            }
        }
    }

    async fn a_server_error_shows_no_internals(app: TestApp) {
        let v = victim(&app, "internals").await;
        app.create_task("Soon broken", "low", "").await;
        // A failure that is not an outage: the table is gone (a botched deploy).
        app.sql("ALTER TABLE tasks RENAME TO tasks_gone").await;
        let page = app.get("/tasks").await;
        assert_eq!(page.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_security_headers(&page, "500 page");
        let request_id = page.headers()["x-request-id"].to_str().unwrap().to_owned();
        let body = page.text().await.unwrap();
        assert_no_internals(&body, "500 page");
        assert!(body.contains(&request_id), "the page gives the request id to quote");
        let fragment = app.get_htmx("/tasks").await;
        assert_eq!(fragment.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_no_internals(&fragment.text().await.unwrap(), "500 fragment");
        let res = api(&app, "GET", "/api/tasks", &v.token, None).await;
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(res.headers()["content-type"], "application/json");
        assert_no_internals(&res.text().await.unwrap(), "500 problem");
        let res = app.post_form("/tasks", &[("title", "x")]).await;
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_no_internals(&res.text().await.unwrap(), "500 after a write");
        app.sql("ALTER TABLE tasks_gone RENAME TO tasks").await;
    }
}

both_backends! {
    settings = |s| s.cookie_secure = Some(true);
    async fn a_network_attacker_cannot_downgrade_a_later_visit_to_http(app: TestApp) {
        // With Secure cookies (production) the site is HTTPS: every kind of answer, error
        // pages and static files included, tells the browser to use nothing else.
        let client = crate::attacks::new_client();
        for path in ["/login", "/tasks", "/no-such-page", "/healthz", "/api/tasks", "/api/openapi.json"] {
            let res = client.get(app.url(path)).send().await.unwrap();
            let hsts = res.headers().get("strict-transport-security").unwrap_or_else(|| panic!("{path}: no HSTS"));
            assert_eq!(hsts, "max-age=63072000; includeSubDomains", "{path}: two years, subdomains too");
        }
    }
}
