//! Brute force: guessing passwords online. Sign-in is limited per account (5 failures a
//! minute) and per client address (60 attempts a minute), on the form, the token endpoint and
//! the password change alike; a browser that signed in before has its own allowance, so the
//! limit cannot be turned against the owner; `X-Forwarded-For` counts only from a trusted
//! proxy. Each test fails if its limit is removed (checked by deleting the
//! `record_sign_in_attempt` call in `auth::sign_in::check`).

use reqwest::{StatusCode, header};
use serde_json::json;

use task_dashboard::auth::sign_in::CLIENT_LIMIT;

use crate::both_backends;
use crate::helpers::{PASSWORD, TestApp};

const NEW_PASSWORD: &str = "a different horse, same battery";

async fn api_token(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.new_browser()
        .post(app.url("/api/auth/token"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

both_backends! {
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
        assert_eq!(res.headers()[header::CONTENT_TYPE], "application/json");

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

        // Each sign-up costs a password hash: one address cannot make the server hash
        // without end.
        async fn sixty_sign_ups_a_minute_then_429_with_the_form_kept(app: TestApp) {
            // A new browser each time (a sign-up rotates the CSRF token), one address.
            let sign_up = |i: usize| {
                let browser = app.another_browser();
                async move {
                    let email = format!("mass{i}@example.com");
                    browser
                        .post_form("/signup", &[("email", email.as_str()), ("password", PASSWORD), ("password_confirm", PASSWORD)])
                        .await
                }
            };
            for i in 0..60 {
                let res = sign_up(i).await;
                assert_eq!(res.status(), StatusCode::SEE_OTHER, "sign-up {i}");
            }
            let res = sign_up(60).await;
            assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
            assert!(res.headers().contains_key(header::RETRY_AFTER));
            let body = res.text().await.unwrap();
            assert!(body.contains("Too many sign-ups"), "{body}");
            assert!(body.contains("value=\"mass60@example.com\""), "the email is kept");
            assert!(app.store.find_credentials("mass60@example.com").await.unwrap().is_none());
        }
    }
}

/// A wrong password for a fresh unknown account (`i`), through a trusted proxy that says
/// the client is `from`: only the client's limit applies.
async fn guess_from(app: &TestApp, from: &str, i: i64) -> StatusCode {
    app.new_browser()
        .post(app.url("/api/auth/token"))
        .header("X-Forwarded-For", from)
        .json(
            &json!({"email": format!("v6-spray{i}@example.com"), "password": "guess guess guess"}),
        )
        .send()
        .await
        .unwrap()
        .status()
}

both_backends! {
    settings = |s| s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    async fn one_ipv6_64_is_one_client_however_many_addresses_it_uses(app: TestApp) {
        // A /64 holds 2^64 addresses: a fresh one for every guess must not mean a fresh limit.
        for i in 0..CLIENT_LIMIT {
            assert_eq!(guess_from(&app, &format!("2001:db8:1:2::{:x}", i + 1), i).await, StatusCode::UNAUTHORIZED, "attempt {i}");
        }
        assert_eq!(guess_from(&app, "2001:db8:1:2:ffff:ffff:ffff:fffe", 99).await, StatusCode::TOO_MANY_REQUESTS, "the same /64");
        assert_eq!(guess_from(&app, "2001:db8:1:3::1", 99).await, StatusCode::UNAUTHORIZED, "the next /64 is another client");
    }
}

both_backends! {
    settings = |s| s.hash_concurrency = Some(0);
    async fn a_hashing_flood_is_turned_away_at_once_not_queued(app: TestApp) {
        // Every hashing slot taken (here there are none): each way in that would hash answers
        // 503 with Retry-After: 1 straight away, keeps what was typed and changes nothing.
        let busy = |res: &reqwest::Response, what: &str| {
            assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "{what}");
            assert_eq!(res.headers()[header::RETRY_AFTER], "1", "{what}");
        };
        let res = app.post_form("/signup", &[("email", "flood@example.com"), ("password", PASSWORD), ("password_confirm", PASSWORD)]).await;
        busy(&res, "sign-up");
        let body = res.text().await.unwrap();
        assert!(body.contains("Too many sign-ins are being checked"), "{body}");
        assert!(body.contains("value=\"flood@example.com\""), "the email is kept");
        assert!(app.store.find_credentials("flood@example.com").await.unwrap().is_none());

        let res = app.sign_in("flood@example.com", PASSWORD).await;
        busy(&res, "sign-in form");
        assert!(res.text().await.unwrap().contains("value=\"flood@example.com\""), "the email is kept");
        let res = api_token(&app, "flood@example.com", PASSWORD).await;
        busy(&res, "API token");
        assert!(res.headers()["content-type"].to_str().unwrap().contains("json"), "a problem body");
    }
}

both_backends! {
    settings = |s| {
        s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        s.sign_ups_per_minute = 3;
    };
    async fn many_addresses_together_cannot_sign_up_without_end(app: TestApp) {
        // Each address is well within its own limit; together they meet the global budget.
        let app = &app;
        let sign_up = move |i: usize| async move {
            let browser = app.another_browser();
            let token = browser.csrf("/signup").await;
            let email = format!("botnet{i}@example.com");
            browser
                .client
                .post(browser.url("/signup"))
                .header("X-Forwarded-For", format!("198.51.100.{}", i + 1))
                .form(&[("email", email.as_str()), ("password", PASSWORD), ("password_confirm", PASSWORD), ("csrf_token", &token)])
                .send()
                .await
                .unwrap()
        };
        for i in 0..3 {
            assert_eq!(sign_up(i).await.status(), StatusCode::SEE_OTHER, "sign-up {i}");
        }
        let res = sign_up(3).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "the budget is spent");
        assert!(res.headers().contains_key(header::RETRY_AFTER));
        assert!(app.store.find_credentials("botnet3@example.com").await.unwrap().is_none());
    }
}

/// The value of the device cookie a sign-in in a fresh browser sets.
async fn device_cookie_of(app: &TestApp, email: &str) -> (TestApp, String) {
    let browser = app.another_browser();
    let res = browser.sign_in(email, PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let cookie = crate::helpers::set_cookie(&res, "device").expect("a device cookie");
    (
        browser,
        cookie
            .split(';')
            .next()
            .unwrap()
            .trim_start_matches("device=")
            .to_owned(),
    )
}

/// Locks the account's shared limit by guessing from a browser without a device cookie.
async fn lock_account(app: &TestApp, email: &str) {
    let attacker = app.another_browser();
    for _ in 0..6 {
        attacker.sign_in(email, "guess guess guess").await;
    }
    assert_eq!(
        attacker.sign_in(email, PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

both_backends! {
    async fn a_device_cookie_names_no_user_and_is_new_for_every_device(app: TestApp) {
        let email = app.sign_up("device-id").await;
        let id = app.user_id(&email).await;
        let (_, first) = device_cookie_of(&app, &email).await;
        let (_, second) = device_cookie_of(&app, &email).await;
        assert_ne!(first, second, "every browser its own device");
        for cookie in [&first, &second] {
            assert!(!cookie.starts_with(&format!("{id}.")) && !cookie.contains(&email), "no user in clear: {cookie}");
        }
    }

    async fn one_devices_guessing_does_not_use_up_another_devices_allowance(app: TestApp) {
        let email = app.sign_up("two-devices").await;
        let (laptop, _) = device_cookie_of(&app, &email).await;
        let (phone, _) = device_cookie_of(&app, &email).await;
        lock_account(&app, &email).await;
        // Someone holding the (stolen) laptop guesses until its allowance is gone...
        for _ in 0..6 {
            laptop.sign_in(&email, "guess guess guess").await;
        }
        assert_eq!(laptop.sign_in(&email, PASSWORD).await.status(), StatusCode::TOO_MANY_REQUESTS);
        // ...and the owner's phone still signs in.
        assert_eq!(phone.sign_in(&email, PASSWORD).await.status(), StatusCode::SEE_OTHER);
    }

    async fn a_password_change_forgets_every_device(app: TestApp) {
        let email = app.sign_up("forget-on-change").await;
        let (stolen, _) = device_cookie_of(&app, &email).await;
        let res = app.post_form("/account/password", &[("current_password", PASSWORD), ("new_password", NEW_PASSWORD), ("new_password_confirm", NEW_PASSWORD)]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "password changed");
        lock_account(&app, &email).await;
        // The stolen browser is no longer a known device: it shares the locked limit.
        assert_eq!(stolen.sign_in(&email, NEW_PASSWORD).await.status(), StatusCode::TOO_MANY_REQUESTS);
    }

    async fn signing_out_everywhere_forgets_every_device(app: TestApp) {
        let email = app.sign_up("forget-everywhere").await;
        let (stolen, _) = device_cookie_of(&app, &email).await;
        let res = app.post_form("/account/sessions/others/revoke", &[]).await;
        assert!(res.status().is_redirection() || res.status().is_success(), "{}", res.status());
        lock_account(&app, &email).await;
        assert_eq!(stolen.sign_in(&email, PASSWORD).await.status(), StatusCode::TOO_MANY_REQUESTS);
    }
}

both_backends! {
    settings = |s| s.clock = task_dashboard::clock::Clock::manual(chrono::Utc::now());
    async fn a_device_cookie_expires_on_the_server_after_180_days(app: TestApp) {
        // The browser may keep a cookie as long as it likes: the server counts the days.
        let email = app.sign_up("old-device").await;
        let (recent, _) = device_cookie_of(&app, &email).await;
        let (old, _) = device_cookie_of(&app, &email).await;
        lock_account(&app, &email).await;
        let start = app.clock.now();
        app.clock.set(start + chrono::Duration::days(179));
        assert_eq!(recent.sign_in(&email, PASSWORD).await.status(), StatusCode::SEE_OTHER, "179 days: still known");
        app.clock.set(start + chrono::Duration::days(181));
        assert_eq!(old.sign_in(&email, PASSWORD).await.status(), StatusCode::TOO_MANY_REQUESTS, "181 days: forgotten");
    }
}
