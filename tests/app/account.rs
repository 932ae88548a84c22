//! The account page: seeing and revoking sessions, changing the password; and the password
//! rules and brute-force limits behind every sign-in.

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
fn revoke_paths(html: &str) -> Vec<String> {
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

    async fn a_common_password_is_refused_at_sign_up(app: TestApp) {
        let res = app
            .post_form("/signup", &[("email", "common@example.com"), ("password", "iloveyou1"), ("password_confirm", "iloveyou1")])
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = res.text().await.unwrap();
        assert!(body.contains("most common passwords"), "{body}");
        assert!(body.contains("value=\"common@example.com\""), "the email is kept");
    }

    async fn a_hash_made_with_weaker_parameters_is_upgraded_at_sign_in(app: TestApp) {
        use argon2::{PasswordHasher, password_hash::{SaltString, rand_core::OsRng}};
        let email = app.sign_up("upgrade").await;
        let id = app.user_id(&email).await;
        let weak = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, argon2::Params::new(4096, 1, 1, None).unwrap())
            .hash_password(PASSWORD.as_bytes(), &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        app.store.set_password_hash(id, &weak, None, chrono::Utc::now()).await.unwrap();
        let stored = || async { app.store.find_credentials(&email).await.unwrap().unwrap().password_hash };
        assert!(stored().await.contains("m=4096,t=1,p=1"));

        let other = app.another_browser();
        assert_eq!(other.sign_in(&email, "not the password").await.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(stored().await.contains("m=4096,t=1,p=1"), "a failed attempt changes nothing");
        assert_eq!(location(&other.sign_in(&email, PASSWORD).await), "/tasks");
        let upgraded = stored().await;
        assert!(upgraded.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{upgraded}");
        let again = app.another_browser();
        assert_eq!(location(&again.sign_in(&email, PASSWORD).await), "/tasks", "the new hash verifies");
    }

    async fn repeated_failures_for_one_account_are_limited_with_429_and_retry_after(app: TestApp) {
        let email = app.sign_up("target").await;
        let attacker = app.another_browser();
        for _ in 0..5 {
            assert_eq!(attacker.sign_in(&email, "guess guess guess").await.status(), StatusCode::UNPROCESSABLE_ENTITY);
        }
        let res = attacker.sign_in(&email, "guess guess guess").await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        let retry: u64 = res.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
        let body = res.text().await.unwrap();
        assert!(body.contains("Too many sign-in attempts"), "{body}");
        assert!(body.contains(&format!("value=\"{email}\"")), "the typed email is kept");

        // Even the right password waits: the limit is checked before the password.
        assert_eq!(attacker.sign_in(&email, PASSWORD).await.status(), StatusCode::TOO_MANY_REQUESTS);
        // The API shares the limit, and answers as an API does.
        let res = api_token(&app, &email, PASSWORD).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(res.headers().contains_key(header::RETRY_AFTER));
        assert_eq!(res.headers()[header::CONTENT_TYPE], "application/problem+json");

        // Another account is not affected.
        let bystander = app.another_browser();
        let other = bystander.sign_up("bystander").await;
        bystander.post_form("/logout", &[]).await;
        assert_eq!(app.another_browser().sign_in(&other, "nope nope nope").await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }

    async fn an_unknown_email_is_limited_exactly_like_a_known_one(app: TestApp) {
        let attacker = app.another_browser();
        for _ in 0..5 {
            assert_eq!(attacker.sign_in("nobody@example.com", "guess guess guess").await.status(), StatusCode::UNPROCESSABLE_ENTITY);
        }
        assert_eq!(attacker.sign_in("nobody@example.com", "guess guess guess").await.status(), StatusCode::TOO_MANY_REQUESTS);
    }

    async fn an_attacker_cannot_lock_the_owner_out_of_a_browser_that_signed_in_before(app: TestApp) {
        let email = app.sign_up("owner").await;
        app.post_form("/logout", &[]).await;
        let attacker = app.another_browser();
        for _ in 0..6 {
            attacker.sign_in(&email, "guess guess guess").await;
        }
        assert_eq!(attacker.sign_in(&email, PASSWORD).await.status(), StatusCode::TOO_MANY_REQUESTS);
        // The owner's browser carries the device cookie from signing up: its attempts have a
        // limit of their own.
        let res = app.sign_in(&email, PASSWORD).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
        // ...which a forged device cookie does not get.
        let id = app.user_id(&email).await;
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        jar.add_cookie_str(&format!("device={id}.{}; Path=/", "0".repeat(64)), &app.base.parse().unwrap());
        let forger = reqwest::Client::builder()
            .cookie_provider(jar)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let csrf = crate::helpers::csrf_of(&forger, &app.url("/login")).await;
        let res = forger
            .post(app.url("/login"))
            .form(&[("email", email.as_str()), ("password", PASSWORD), ("csrf_token", &csrf)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    }

    async fn a_wrong_current_password_counts_towards_the_limit(app: TestApp) {
        app.sign_up("thief").await;
        // A thief holding a signed-in browser cannot brute-force the password through the
        // change form either.
        let mut last = StatusCode::OK;
        for _ in 0..6 {
            last = app
                .post_form("/account/password", &[("current_password", "guess guess guess"), ("new_password", NEW_PASSWORD), ("new_password_confirm", NEW_PASSWORD)])
                .await
                .status();
        }
        assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    }
}

/// The per-address limit, with the app behind a trusted proxy so that one test can speak
/// from several addresses.
mod per_client_address {
    use super::*;
    use crate::helpers::Backend;

    async fn behind_proxy(backend: Backend) -> TestApp {
        TestApp::spawn_with(backend, |s| {
            s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]
        })
        .await
    }

    async fn attempt(app: &TestApp, forwarded_for: &str, email: &str) -> StatusCode {
        app.new_browser()
            .post(app.url("/api/auth/token"))
            .header("X-Forwarded-For", forwarded_for)
            .json(&json!({"email": email, "password": "guess guess guess"}))
            .send()
            .await
            .unwrap()
            .status()
    }

    async fn sixty_a_minute_then_429_for_that_address_only(app: TestApp) {
        for i in 0..60 {
            // A different account each time: only the address limit applies.
            let status = attempt(
                &app,
                "198.51.100.1, 203.0.113.9",
                &format!("spray{i}@example.com"),
            )
            .await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}");
        }
        assert_eq!(
            attempt(&app, "203.0.113.9", "spray-last@example.com").await,
            StatusCode::TOO_MANY_REQUESTS
        );
        assert_eq!(
            attempt(&app, "203.0.113.10", "spray-last@example.com").await,
            StatusCode::UNAUTHORIZED,
            "another address is not limited"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        sixty_a_minute_then_429_for_that_address_only(behind_proxy(Backend::Sqlite).await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        let trust = |s: &mut task_dashboard::config::Settings| {
            s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]
        };
        if let Some(app) = TestApp::spawn_postgres_with(trust).await {
            sixty_a_minute_then_429_for_that_address_only(app).await;
        }
    }

    /// Without a trusted proxy, `X-Forwarded-For` is the client's to write and means nothing.
    async fn a_forged_forwarded_for_does_not_escape_the_limit(app: TestApp) {
        for i in 0..60 {
            let status = attempt(
                &app,
                &format!("192.0.2.{i}"),
                &format!("spray{i}@example.com"),
            )
            .await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}");
        }
        assert_eq!(
            attempt(&app, "192.0.2.200", "spray-last@example.com").await,
            StatusCode::TOO_MANY_REQUESTS
        );
    }

    crate::both_backends! {
        async fn forwarded_for_is_ignored_without_a_trusted_proxy(app: TestApp) {
            a_forged_forwarded_for_does_not_escape_the_limit(app).await;
        }
    }
}
