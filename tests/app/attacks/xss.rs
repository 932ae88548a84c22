//! Script injected through anything a user types: task fields, emails, search, `next=`, sort
//! and filter values, the `view` a form carries back, and URL paths, rendered in full pages,
//! htmx fragments, flash messages and announcements, validation re-renders, conflict pages
//! and error pages.
//!
//! Held by: Askama's HTML escaping (no `|safe` on user data), URL-encoding of values put in
//! links, and error messages in words of our own. The CSP is the second line (see
//! `headers.rs`).

use reqwest::StatusCode;

use super::victim;
use crate::both_backends;
use crate::helpers::{PASSWORD, location, urlencode};

/// Several classic payloads in one title-sized string (tag, attribute break-outs, textarea
/// break-out).
const TITLE: &str = "<script>alert(1)</script>\"><img src=x onerror=alert(1)>' onmouseover='alert(2)</textarea><svg onload=alert(3)>";
const DESCRIPTION: &str = "</p><script>alert(4)</script><a href=\"javascript:alert(5)\">x</a>";
/// A URL-shaped payload, for fields that end up in links.
const JS_URL: &str = "javascript:alert(6)";
/// An email address (no spaces) that is also markup; sign-up refuses it (`<`, `>` and `"`
/// are not allowed unquoted), sign-in looks it up.
const EMAIL: &str = "\"><img/src=x/onerror=alert(7)>@evil.example";
/// A valid address (dot-atom characters only) that would break out of a quoted attribute.
const VALID_EMAIL: &str = "'onmouseover='alert`7`'@evil.example";

/// What must never appear in a page: any payload as live markup, or a `javascript:` URL in
/// an attribute that navigates or loads.
fn assert_inert(body: &str, what: &str) {
    for live in [
        "<script>alert",
        "<img src=x",
        "<img/src=x",
        "<svg onload",
        "onmouseover='alert",
        "</textarea><svg",
        "<a href=\"javascript:",
    ] {
        assert!(!body.contains(live), "{what}: {live:?} appears unescaped");
    }
    let squashed = body.to_lowercase().replace([' ', '\n', '\t'], "");
    for attr in [
        "href",
        "src",
        "action",
        "formaction",
        "hx-get",
        "hx-post",
        "hx-push-url",
    ] {
        for quote in ["\"", "'", ""] {
            let sink = format!("{attr}={quote}javascript:");
            assert!(!squashed.contains(&sink), "{what}: {sink}");
        }
    }
}

async fn body(res: reqwest::Response) -> String {
    assert_ne!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    res.text().await.unwrap()
}

both_backends! {
    async fn script_in_task_fields_is_escaped_on_every_page_and_fragment(app: TestApp) {
        app.sign_up("xss").await;
        let res = app.post_form("/tasks", &[("title", TITLE), ("description", DESCRIPTION), ("priority", "high")]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let page = body(app.get(location(&res)).await).await;
        assert!(page.contains("Added “"), "the flash message quotes the title");
        assert!(page.contains("&#60;script&#62;alert(1)"), "the title is shown, escaped");
        assert_inert(&page, "the dashboard with its flash");
        let id = crate::helpers::task_ids(&page)[0];
        for path in [
            "/tasks".to_owned(),
            format!("/tasks/{id}"),
            format!("/tasks/{id}/edit"),
            format!("/tasks/{id}/delete"),
            format!("/tasks/{id}?view={}", urlencode(TITLE)),
            format!("/tasks?q={}", urlencode("script")),
        ] {
            assert_inert(&body(app.get(&path).await).await, &path);
            assert_inert(&body(app.get_htmx(&path).await).await, &format!("htmx {path}"));
        }
        let res = app.post_htmx("/tasks", &[("title", TITLE), ("description", DESCRIPTION), ("view", "")]).await;
        assert_inert(&body(res).await, "htmx create: region, stats and announcement");
        let id_s = id.to_string();
        for (path, form) in [
            (format!("/tasks/{id}/toggle"), vec![("view", TITLE)]),
            ("/tasks/bulk".to_owned(), vec![("action", "complete"), ("ids", id_s.as_str()), ("view", TITLE)]),
        ] {
            let res = app.post_htmx(&path, &form).await;
            assert_inert(&body(res).await, &format!("htmx {path}"));
            let res = app.post_form(&path, &form).await;
            assert!(!location(&res).contains('<') && !location(&res).contains('"'), "{path}: the view is re-encoded: {}", location(&res));
            assert_inert(&body(app.get(location(&res)).await).await, &format!("{path}: the flash"));
        }
    }

    async fn script_in_rejected_input_is_escaped_in_validation_and_conflict_pages(app: TestApp) {
        app.sign_up("xss422").await;
        // 422: the typed input comes back in the form.
        let bad = [("title", TITLE), ("description", DESCRIPTION), ("priority", TITLE), ("due_date", TITLE)];
        let res = app.post_form("/tasks", &bad).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_inert(&body(res).await, "422 dashboard");
        let res = app.post_htmx("/tasks", &bad).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_inert(&body(res).await, "422 create form fragment");
        let mut standalone = bad.to_vec();
        standalone.push(("from", "new"));
        assert_inert(&body(app.post_form("/tasks", &standalone).await).await, "422 new-task page");
        let id = app.create_task(TITLE, "low", "").await;
        let path = format!("/tasks/{id}");
        let mut edit = bad.to_vec();
        edit.push(("version", "1"));
        assert_inert(&body(app.post_form(&path, &edit).await).await, "422 edit page");
        assert_inert(&body(app.post_htmx(&path, &edit).await).await, "422 edit row");
        // 409: the user's input and the current values, side by side.
        app.post_form(&format!("{path}/toggle"), &[]).await;
        let stale = [("title", TITLE), ("description", DESCRIPTION), ("priority", "high"), ("version", "1")];
        let res = app.post_form(&path, &stale).await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        assert_inert(&body(res).await, "409 page");
        let res = app.post_htmx(&path, &stale).await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        assert_inert(&body(res).await, "409 row");
    }

    async fn script_in_an_email_is_escaped_at_sign_up_sign_in_and_in_the_nav(app: TestApp) {
        for email in [TITLE, EMAIL] {
            let form = [("email", email), ("password", "short"), ("password_confirm", "short")];
            assert_inert(&body(app.post_form("/signup", &form).await).await, "422 sign-up");
            assert_inert(&body(app.post_htmx("/signup", &form).await).await, "422 sign-up fragment");
            assert_inert(&body(app.sign_in(email, PASSWORD).await).await, "422 sign-in");
            assert_inert(&body(app.post_htmx("/login", &[("email", email), ("password", "x")]).await).await, "422 sign-in fragment");
        }
        // A valid address that could break out of an attribute is shown, escaped, on every
        // signed-in page.
        let res = app.post_form("/signup", &[("email", VALID_EMAIL), ("password", PASSWORD), ("password_confirm", PASSWORD)]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "it is a valid address");
        let page = body(app.get("/tasks").await).await;
        assert!(page.contains("&#39;onmouseover=&#39;alert`7`&#39;@evil.example"), "the nav shows it escaped");
        assert_inert(&page, "the nav");
        assert_inert(&body(app.get("/tasks/new").await).await, "the new-task page nav");
        // Signing up again with it: the "already exists" re-render.
        let other = app.another_browser();
        assert_inert(&body(other.post_form("/signup", &[("email", VALID_EMAIL), ("password", PASSWORD), ("password_confirm", PASSWORD)]).await).await, "duplicate sign-up");
    }

    async fn script_in_a_user_agent_is_escaped_on_the_account_page(app: TestApp) {
        let email = app.sign_up("xssua").await;
        // The user agent is the client's to write; the account page shows part of it.
        for agent in ["<script>alert(1)</script>/1.0", "\"><img src=x onerror=alert(1)>/2.0"] {
            let res = app
                .new_browser()
                .post(app.url("/api/auth/token"))
                .header("User-Agent", agent)
                .json(&serde_json::json!({"email": email, "password": PASSWORD}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK);
        }
        let browser = app.another_browser();
        let res = browser
            .client
            .post(app.url("/login"))
            .header("User-Agent", "Mozilla/5.0 <svg onload=alert(3)> Firefox/1")
            .form(&[("email", email.as_str()), ("password", PASSWORD), ("csrf_token", &browser.csrf("/login").await)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let page = body(app.get("/account").await).await;
        assert!(page.contains("&#60;script&#62;alert(1)&#60;"), "shown, escaped: {page}");
        assert_inert(&page, "the account page");
        let token = app.csrf("/account").await;
        let fragment = app
            .client
            .post(app.url("/account/sessions/others/revoke"))
            .header("HX-Request", "true")
            .header("X-CSRF-Token", token)
            .send()
            .await
            .unwrap();
        assert_inert(&body(fragment).await, "the sessions fragment");
    }

    async fn script_in_query_values_and_next_is_escaped_or_refused(app: TestApp) {
        let login = body(app.get(&format!("/login?next={}", urlencode(&format!("/tasks?q={TITLE}")))).await).await;
        assert_inert(&login, "login with a same-site next carrying markup");
        for next in [JS_URL, TITLE, "javascript://%0aalert(1)"] {
            let page = body(app.get(&format!("/login?next={}", urlencode(next))).await).await;
            assert_inert(&page, "login next");
            assert!(!page.contains("value=\"javascript:"), "a javascript: next is dropped");
        }
        app.sign_up("xssq").await;
        for param in ["q", "status", "priority", "sort", "dir", "size", "after", "before", "page"] {
            for payload in [TITLE, JS_URL] {
                let path = format!("/tasks?{param}={}", urlencode(payload));
                assert_inert(&body(app.get(&path).await).await, &path);
                assert_inert(&body(app.get_htmx(&path).await).await, &format!("htmx {path}"));
            }
        }
        let search = body(app.get(&format!("/tasks?q={}", urlencode(TITLE))).await).await;
        assert!(search.contains("&#60;script&#62;alert(1)"), "the search text is kept, escaped");
    }

    async fn script_in_a_url_path_is_escaped_on_error_pages(app: TestApp) {
        app.sign_up("xsspath").await;
        for path in [
            format!("/{}", urlencode(TITLE)),
            format!("/tasks/{}", urlencode(TITLE)),
            format!("/tasks/{}/edit", urlencode(TITLE)),
            format!("/static/{}", urlencode(TITLE)),
            format!("/api/{}", urlencode(TITLE)),
            format!("/logout?{}", urlencode(TITLE)),
        ] {
            let res = app.get(&path).await;
            assert!(res.status().is_client_error(), "{path}: {}", res.status());
            assert_inert(&body(res).await, &path);
            assert_inert(&body(app.get_htmx(&path).await).await, &format!("htmx {path}"));
        }
    }

    async fn script_in_api_fields_is_returned_as_json_never_html(app: TestApp) {
        let v = victim(&app, "xssapi").await;
        let res = crate::attacks::api(&app, "POST", "/api/tasks", &v.token, Some(serde_json::json!({"title": TITLE, "description": DESCRIPTION}))).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        assert_eq!(res.headers()["content-type"], "application/json");
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        let res = crate::attacks::api(&app, "POST", "/api/tasks", &v.token, Some(serde_json::json!({"title": "x", TITLE: 1}))).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(res.headers()["content-type"], "application/json", "an echoed field name is JSON, not markup");
        // The same task through the dashboard is escaped.
        assert_inert(&body(app.get("/tasks").await).await, "API-made task on the dashboard");
    }
}
