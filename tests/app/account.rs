//! The account page (`/account`, `src/web/account/`): seeing and revoking sessions, and
//! changing the password.

use reqwest::{StatusCode, header};
use serde_json::json;

use crate::both_backends;
use crate::helpers::{PASSWORD, TestApp, location};

const NEW_PASSWORD: &str = "a different horse, same battery";

/// A bearer token for `email`, as a script would get one.
async fn api_token(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.new_browser()
        .post(app.url("/api/auth/token"))
        .header(header::USER_AGENT, "curl/8.5.0")
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

async fn token_for(app: &TestApp, email: &str) -> String {
    let res = api_token(app, email, PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<serde_json::Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn api_status(app: &TestApp, token: &str) -> StatusCode {
    app.new_browser()
        .get(app.url("/api/tasks"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

/// The revoke URLs on the account page, in the order listed (this session first).
pub fn revoke_paths(html: &str) -> Vec<String> {
    html.split("action=\"/account/sessions/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|path| !path.starts_with("others/"))
        .map(|path| format!("/account/sessions/{path}"))
        .collect()
}

async fn account_page(app: &TestApp) -> String {
    let res = app.get("/account").await;
    assert_eq!(res.status(), StatusCode::OK);
    res.text().await.unwrap()
}

both_backends! {
    async fn the_account_page_lists_this_browser_and_every_api_token(app: TestApp) {
        let email = app.sign_up("lister").await;
        token_for(&app, &email).await;
        let page = account_page(&app).await;
        assert!(page.contains(&email), "names the account");
        assert!(page.contains("This session"), "marks this browser");
        assert!(page.contains("API token") && page.contains("curl"), "lists the token: {page}");
        assert_eq!(revoke_paths(&page).len(), 2, "one revoke form per session");
        assert!(page.contains("Sign out everywhere else"));
        let res = app.client.get(app.url("/account")).send().await.unwrap();
        assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");
    }

    async fn the_account_page_needs_a_session(app: TestApp) {
        let res = app.get("/account").await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&res), "/login?next=%2Faccount");
    }

    async fn revoking_another_session_signs_it_out_at_once(app: TestApp) {
        let email = app.sign_up("revoker").await;
        let laptop = app.another_browser();
        assert_eq!(laptop.sign_in(&email, PASSWORD).await.status(), StatusCode::SEE_OTHER);
        assert_eq!(laptop.get("/tasks").await.status(), StatusCode::OK);

        let page = account_page(&app).await;
        let paths = revoke_paths(&page);
        assert_eq!(paths.len(), 2);
        let res = app.post_form(&paths[1], &[]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&res), "/account");
        assert!(account_page(&app).await.contains("Signed out"), "a flash says what happened");

        assert_eq!(laptop.get("/tasks").await.status(), StatusCode::SEE_OTHER, "the laptop is out");
        assert_eq!(app.get("/tasks").await.status(), StatusCode::OK, "this browser is still in");
        assert_eq!(revoke_paths(&account_page(&app).await).len(), 1);
    }

    async fn revoking_with_htmx_answers_with_the_refreshed_list(app: TestApp) {
        let email = app.sign_up("htmxrevoker").await;
        let token = token_for(&app, &email).await;
        let paths = revoke_paths(&account_page(&app).await);
        let res = app.post_htmx(&paths[1], &[]).await;
        assert_eq!(res.status(), StatusCode::OK);
        let body = res.text().await.unwrap();
        assert!(body.trim_start().starts_with("<section id=\"sessions\""), "{body}");
        assert!(!body.contains("<html"));
        assert!(body.contains("hx-swap-oob=\"true\">Signed out API token"), "announced: {body}");
        assert_eq!(api_status(&app, &token).await, StatusCode::UNAUTHORIZED);
    }

    async fn revoking_this_session_is_signing_out(app: TestApp) {
        app.sign_up("self").await;
        let paths = revoke_paths(&account_page(&app).await);
        let res = app.post_form(&paths[0], &[]).await;
        assert_eq!(location(&res), "/login");
        assert_eq!(app.get("/tasks").await.status(), StatusCode::SEE_OTHER);
    }

    async fn a_session_handle_of_another_user_is_not_found_and_changes_nothing(app: TestApp) {
        app.sign_up("mallory").await;
        let victim = app.another_browser();
        victim.sign_up("victim").await;
        let victims = revoke_paths(&account_page(&victim).await);
        let res = app.post_form(&victims[0], &[]).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let res = app.post_form("/account/sessions/not-a-handle/revoke", &[]).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert_eq!(victim.get("/tasks").await.status(), StatusCode::OK, "the victim is still in");
    }

    async fn signing_out_everywhere_else_keeps_only_this_browser(app: TestApp) {
        let email = app.sign_up("everywhere").await;
        let phone = app.another_browser();
        phone.sign_in(&email, PASSWORD).await;
        let token = token_for(&app, &email).await;
        let res = app.post_form("/account/sessions/others/revoke", &[]).await;
        assert_eq!(location(&res), "/account");
        assert!(account_page(&app).await.contains("Signed out 2 other sessions."));
        assert_eq!(phone.get("/tasks").await.status(), StatusCode::SEE_OTHER);
        assert_eq!(api_status(&app, &token).await, StatusCode::UNAUTHORIZED);
        assert_eq!(app.get("/tasks").await.status(), StatusCode::OK);
    }

    async fn changing_the_password_needs_the_current_one(app: TestApp) {
        let email = app.sign_up("forgetful").await;
        let phone = app.another_browser();
        phone.sign_in(&email, PASSWORD).await;
        let res = app
            .post_form("/account/password", &[("current_password", "not it at all"), ("new_password", NEW_PASSWORD), ("new_password_confirm", NEW_PASSWORD)])
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = res.text().await.unwrap();
        assert!(body.contains("id=\"current-password-error\""), "{body}");
        assert!(!body.contains(NEW_PASSWORD), "passwords are never echoed back");
        assert_eq!(phone.get("/tasks").await.status(), StatusCode::OK, "nothing changed");
        app.post_form("/logout", &[]).await;
        assert_eq!(location(&app.sign_in(&email, PASSWORD).await), "/tasks", "the old password still works");
    }

    async fn a_new_password_must_pass_the_sign_up_rules(app: TestApp) {
        app.sign_up("rules").await;
        for (new, confirm, field) in [
            ("short", "short", "new-password-error"),
            ("password123", "password123", "new-password-error"),
            (NEW_PASSWORD, "something else entirely", "new-password-confirm-error"),
            (PASSWORD, PASSWORD, "new-password-error"),
        ] {
            let res = app
                .post_form("/account/password", &[("current_password", PASSWORD), ("new_password", new), ("new_password_confirm", confirm)])
                .await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{new:?}");
            assert!(res.text().await.unwrap().contains(&format!("id=\"{field}\"")), "{new:?}");
        }
    }

    async fn changing_the_password_signs_out_every_other_session_and_token(app: TestApp) {
        let email = app.sign_up("changer").await;
        let phone = app.another_browser();
        phone.sign_in(&email, PASSWORD).await;
        let token = token_for(&app, &email).await;
        let res = app
            .post_form("/account/password", &[("current_password", PASSWORD), ("new_password", NEW_PASSWORD), ("new_password_confirm", NEW_PASSWORD)])
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&res), "/account");
        assert!(account_page(&app).await.contains("Password changed. Your 2 other sessions were signed out."));
        assert_eq!(phone.get("/tasks").await.status(), StatusCode::SEE_OTHER, "the other browser is out");
        assert_eq!(api_status(&app, &token).await, StatusCode::UNAUTHORIZED, "the old token is dead");
        assert_eq!(app.get("/tasks").await.status(), StatusCode::OK, "this browser stays in");

        let other = app.another_browser();
        assert_eq!(other.sign_in(&email, PASSWORD).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(location(&other.sign_in(&email, NEW_PASSWORD).await), "/tasks");
        assert_eq!(api_token(&app, &email, PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    }

    async fn changing_the_password_with_htmx_swaps_the_card_and_the_list(app: TestApp) {
        let email = app.sign_up("htmxchanger").await;
        token_for(&app, &email).await;
        let res = app
            .post_htmx("/account/password", &[("current_password", PASSWORD), ("new_password", NEW_PASSWORD), ("new_password_confirm", NEW_PASSWORD)])
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let body = res.text().await.unwrap();
        assert!(body.trim_start().starts_with("<section id=\"password\""), "{body}");
        assert!(body.contains("Your 1 other session was signed out."));
        assert!(body.contains("<section id=\"sessions\" class=\"card\" aria-labelledby=\"sessions-heading\" hx-swap-oob=\"true\""), "{body}");
        assert_eq!(revoke_paths(&body).len(), 1, "the list now holds this session only");

        let res = app
            .post_htmx("/account/password", &[("current_password", "wrong wrong wrong"), ("new_password", PASSWORD), ("new_password_confirm", PASSWORD)])
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = res.text().await.unwrap();
        assert!(body.trim_start().starts_with("<section id=\"password\""), "{body}");
        assert!(body.contains("id=\"current-password-error\""));
    }
}
