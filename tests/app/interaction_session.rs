//! Interaction details (issue 14): typed work survives a session that ended, error pages keep
//! the app's header, unreadable views fall back visibly, and sign-up says what went wrong.

use reqwest::StatusCode;

use crate::both_backends;
use crate::helpers::{PASSWORD, TestApp, location, set_cookie};

const KEPT: &str = "We kept what you typed: check it and save.";
const ENDED: &str = "Your session ended; sign in to continue.";

/// Ends every session behind the browser's back, as signing out elsewhere does.
async fn end_sessions(app: &TestApp) {
    app.sql("UPDATE sessions SET revoked_at = created_at").await;
}

async fn api_titles(app: &TestApp, email: &str) -> Vec<String> {
    let token = app.bearer_token(email).await;
    let res = app
        .new_browser()
        .get(app.url("/api/tasks"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let tasks: Vec<serde_json::Value> = res.json().await.unwrap();
    tasks
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_owned())
        .collect()
}

const NEW_TASK: &[(&str, &str)] = &[
    ("title", "Buy milk"),
    ("description", "Two litres & \"semi\""),
    ("priority", "high"),
    ("due_date", "2030-01-02"),
    ("view", "status=open"),
];

both_backends! {
    async fn an_add_after_the_session_ended_is_kept_through_sign_in_without_javascript(app: TestApp) {
        let email = app.sign_up("kept").await;
        end_sessions(&app).await;
        let res = app.post_form("/tasks", NEW_TASK).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&res), "/login?next=%2Ftasks%3Fstatus%3Dopen&session=ended");
        let cookie = set_cookie(&res, "draft").expect("the draft is kept");
        assert!(!cookie.contains("milk") && !cookie.contains("litres"), "encrypted: {cookie}");
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(api_titles(&app, &email).await.is_empty(), "nothing was saved unseen");

        let page = app.get(location(&res)).await.text().await.unwrap();
        assert!(page.contains(ENDED), "the sign-in page says why");
        let res = app.post_form("/login", &[("email", &email), ("password", PASSWORD), ("next", "/tasks?status=open")]).await;
        assert_eq!(location(&res), "/tasks?status=open", "back to the same view");

        let res = app.get("/tasks?status=open").await;
        assert!(set_cookie(&res, "draft").is_some_and(|c| c.contains("Max-Age=0")), "shown once");
        let page = res.text().await.unwrap();
        assert!(page.contains(KEPT), "says what it did");
        for typed in [r#"value="Buy milk""#, "Two litres &#38; &#34;semi&#34;", r#"value="2030-01-02""#, r#"<option value="high" selected>"#] {
            assert!(page.contains(typed), "{typed}");
        }
        let again = app.get("/tasks?status=open").await.text().await.unwrap();
        assert!(!again.contains(KEPT) && !again.contains(r#"value="Buy milk""#));
    }

    async fn an_htmx_add_after_the_session_ended_redirects_with_next_and_keeps_the_draft(app: TestApp) {
        let email = app.sign_up("keptx").await;
        end_sessions(&app).await;
        let res = app.post_htmx("/tasks", NEW_TASK).await;
        assert_eq!(res.headers()["hx-redirect"], "/login?next=%2Ftasks%3Fstatus%3Dopen&session=ended");
        assert!(set_cookie(&res, "draft").is_some());
        app.post_form("/login", &[("email", &email), ("password", PASSWORD), ("next", "/tasks?status=open")]).await;
        let page = app.get("/tasks?status=open").await.text().await.unwrap();
        assert!(page.contains(KEPT) && page.contains(r#"value="Buy milk""#));
        assert!(api_titles(&app, &email).await.is_empty());
    }

    async fn an_edit_after_the_session_ended_comes_back_to_its_edit_page_as_typed(app: TestApp) {
        let email = app.sign_up("keptedit").await;
        let id = app.create_task("Old title", "low", "").await;
        end_sessions(&app).await;
        let path = format!("/tasks/{id}");
        let res = app.post_form(&path, &[("title", "New title"), ("description", "Typed notes"), ("priority", "medium"), ("due_date", ""), ("version", "1"), ("view", "sort=title")]).await;
        assert_eq!(location(&res), format!("/login?next=%2Ftasks%2F{id}%2Fedit%3Fview%3Dsort%253Dtitle&session=ended"));
        let next = format!("/tasks/{id}/edit?view=sort%3Dtitle");
        let res = app.post_form("/login", &[("email", &email), ("password", PASSWORD), ("next", &next)]).await;
        assert_eq!(location(&res), next);
        let page = app.get(&next).await.text().await.unwrap();
        assert!(page.contains(KEPT) && page.contains(r#"value="New title""#) && page.contains("Typed notes"), "{page}");
        assert_eq!(api_titles(&app, &email).await, ["Old title"], "not saved unseen");
        let res = app.post_form(&path, &[("title", "New title"), ("version", "1"), ("view", "sort=title")]).await;
        assert_eq!(location(&res), "/tasks?sort=title", "saved once confirmed");
        assert_eq!(api_titles(&app, &email).await, ["New title"]);
    }

    async fn a_kept_draft_is_never_shown_to_another_account(app: TestApp) {
        app.sign_up("owner").await;
        end_sessions(&app).await;
        assert!(set_cookie(&app.post_form("/tasks", NEW_TASK).await, "draft").is_some());
        app.sign_up("someone-else").await;
        let page = app.get("/tasks?status=open").await.text().await.unwrap();
        assert!(!page.contains("Buy milk") && !page.contains(KEPT));
    }

    async fn a_write_without_session_or_csrf_token_is_sent_to_sign_in_and_changes_nothing(app: TestApp) {
        let email = app.sign_up("lost").await;
        // A browser that lost both cookies (closed while its session expired).
        let res = app.new_browser().post(app.url("/tasks")).form(&[("title", "x")]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert!(location(&res).starts_with("/login?") && location(&res).contains("session=ended"), "{}", location(&res));
        // The CSRF defence is unchanged: a cross-site post is still refused, a signed-in one
        // without a token too, and sign-in itself still needs its token.
        let res = app.new_browser().post(app.url("/tasks")).header("Origin", "https://evil.example").form(&[("title", "x")]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = app.client.post(app.url("/tasks")).form(&[("title", "x")]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = app.new_browser().post(app.url("/login")).form(&[("email", email.as_str()), ("password", PASSWORD)]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert!(api_titles(&app, &email).await.is_empty());
    }

    async fn a_plain_form_write_after_the_session_ended_comes_back_to_its_page(app: TestApp) {
        let id = {
            app.sign_up("referer").await;
            app.create_task("Toggle me", "low", "").await
        };
        end_sessions(&app).await;
        let token = app.csrf("/login").await;
        let res = app.client.post(app.url(&format!("/tasks/{id}/toggle")))
            .header("Referer", app.url("/tasks?status=open"))
            .form(&[("csrf_token", token.as_str())]).send().await.unwrap();
        assert_eq!(location(&res), "/login?next=%2Ftasks%3Fstatus%3Dopen&session=ended");
    }

    async fn error_pages_keep_the_app_header_when_signed_in(app: TestApp) {
        let email = app.sign_up("header").await;
        for (path, status) in [("/no-such-page", StatusCode::NOT_FOUND), ("/tasks/999999999", StatusCode::NOT_FOUND), ("/tasks/not-a-number", StatusCode::NOT_FOUND), ("/tasks?status=open&status=done", StatusCode::BAD_REQUEST)] {
            let res = app.get(path).await;
            assert_eq!(res.status(), status, "{path}");
            let page = res.text().await.unwrap();
            assert!(page.contains(&email) && page.contains("Sign out") && page.contains(r#"href="/account""#), "{path}");
        }
        let signed_out = app.new_browser().get(app.url("/no-such-page")).send().await.unwrap();
        assert_eq!(signed_out.status(), StatusCode::NOT_FOUND);
        assert!(!signed_out.text().await.unwrap().contains("Sign out"));
    }

    async fn sign_up_refuses_malformed_emails(app: TestApp) {
        let long_label = format!("ada@{}.com", "a".repeat(180));
        for email in ["a@b...@example.com", long_label.as_str(), "ada@example..com", ".ada@example.com"] {
            let res = app.post_form("/signup", &[("email", email), ("password", PASSWORD), ("password_confirm", PASSWORD)]).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{email}");
            let page = res.text().await.unwrap();
            assert!(page.contains(r#"id="email-error""#) && page.contains(r#"role="alert""#), "{email}");
        }
    }

    async fn an_email_already_taken_is_announced_with_a_link_to_sign_in_that_keeps_it(app: TestApp) {
        let email = app.sign_up("taken").await;
        app.post_form("/logout", &[]).await;
        let res = app.post_form("/signup", &[("email", &email.to_uppercase()), ("password", PASSWORD), ("password_confirm", PASSWORD)]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = res.text().await.unwrap();
        assert!(page.contains(r#"role="alert" tabindex="-1" autofocus"#), "announced and focused");
        assert!(page.contains(r#"<a class="link" href="/login" data-sign-in-instead>Sign in instead</a>"#));
        assert!(page.contains("enter your password again"), "says why the passwords are empty");
        assert!(page.contains(&format!(r#"value="{}""#, email.to_uppercase())), "the email as typed");
        let login = app.get("/login").await.text().await.unwrap();
        assert!(login.contains(&format!(r#"value="{email}""#)), "sign-in has the email filled in");
        let again = app.get("/login").await.text().await.unwrap();
        assert!(!again.contains(&format!(r#"value="{email}""#)), "once");
    }

    async fn signed_in_visits_to_sign_in_or_sign_up_go_to_the_tasks(app: TestApp) {
        app.sign_up("already").await;
        for (path, to) in [("/login", "/tasks"), ("/signup", "/tasks"), ("/login?next=%2Ftasks%3Fstatus%3Dopen", "/tasks?status=open"), ("/login?next=https://evil.example", "/tasks")] {
            let res = app.get(path).await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
            assert_eq!(location(&res), to, "{path}");
        }
        end_sessions(&app).await;
        assert_eq!(app.get("/login").await.status(), StatusCode::OK, "an ended session may sign in again");
    }
}
