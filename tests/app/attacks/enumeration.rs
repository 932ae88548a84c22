//! Account enumeration: does the app tell "no such account" from "wrong password"?
//!
//! Sign-in (the form and `POST /api/auth/token`) answers both with the same status, body and
//! message, and in about the same time: an unknown email is checked against a dummy argon2
//! hash. Sign-up with a taken email does say so (a usability choice most sites make, noted in
//! the report); what it must not do is sign in, reveal anything about the account, or touch it.
//!
//! Held by: `web::auth::login` / `web::api::auth` (one message) and `auth::password::verify`
//! with `DUMMY_HASH` (the same work).

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{new_client, normalized};
use crate::both_backends;
use crate::helpers::{PASSWORD, TestApp, csrf_of, set_cookie};

/// A sign-in from a fresh browser: (status, body, time taken).
async fn form_sign_in(
    app: &TestApp,
    email: &str,
    password: &str,
) -> (StatusCode, String, Duration) {
    let client = crate::helpers::new_client();
    let token = csrf_of(&client, &app.url("/login")).await;
    let started = Instant::now();
    let res = client
        .post(app.url("/login"))
        .form(&[
            ("email", email),
            ("password", password),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap();
    let took = started.elapsed();
    let status = res.status();
    (status, res.text().await.unwrap(), took)
}

async fn api_sign_in(app: &TestApp, email: &str, password: &str) -> (StatusCode, Value, Duration) {
    let started = Instant::now();
    let res = new_client()
        .post(app.url("/api/auth/token"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    let took = started.elapsed();
    let status = res.status();
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    let mut body: Value = res.json().await.unwrap();
    // Each answer quotes its own request id; everything else must be the same.
    assert!(
        body.as_object_mut().unwrap().remove("request_id").is_some(),
        "{body}"
    );
    (status, body, took)
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

both_backends! {
    async fn unknown_email_and_wrong_password_get_the_same_answer(app: TestApp) {
        let email = app.sign_up("known").await;
        let unknown = "nobody-here@example.com";
        let (s1, wrong, _) = form_sign_in(&app, &email, "wrong password!").await;
        let (s2, missing, _) = form_sign_in(&app, unknown, PASSWORD).await;
        assert_eq!((s1, s2), (StatusCode::UNPROCESSABLE_ENTITY, StatusCode::UNPROCESSABLE_ENTITY));
        // The pages differ only by the email typed, which is kept in the form.
        assert_eq!(normalized(&wrong.replace(&email, "EMAIL")), normalized(&missing.replace(unknown, "EMAIL")), "the same page");
        assert!(wrong.contains("Incorrect email or password."));

        let (s1, wrong, _) = api_sign_in(&app, &email, "wrong password!").await;
        let (s2, missing, _) = api_sign_in(&app, unknown, PASSWORD).await;
        assert_eq!((s1, s2), (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED));
        assert_eq!(wrong, missing, "the same JSON");
        // A malformed email is just another wrong sign-in, not a different answer.
        let (s3, malformed, _) = api_sign_in(&app, "not-an-email", PASSWORD).await;
        assert_eq!((s3, &malformed), (StatusCode::UNAUTHORIZED, &wrong));
    }

    async fn unknown_email_and_wrong_password_take_about_the_same_time(app: TestApp) {
        // Three accounts, so that no one account collects enough failures to be rate limited.
        let accounts = [app.sign_up("timing-a").await, app.another_browser().sign_up("timing-b").await, app.another_browser().sign_up("timing-c").await];
        let mut wrong = Vec::new();
        let mut unknown = Vec::new();
        // Interleaved, so load on the shared machine hits both alike.
        for round in 0..6 {
            let email = &accounts[round % 3];
            let ghost = format!("nobody-{round}@example.com");
            if round % 2 == 0 {
                wrong.push(form_sign_in(&app, email, "wrong password!").await.2);
                unknown.push(form_sign_in(&app, &ghost, PASSWORD).await.2);
            } else {
                unknown.push(api_sign_in(&app, &ghost, PASSWORD).await.2);
                wrong.push(api_sign_in(&app, email, "wrong password!").await.2);
            }
        }
        let (w, u) = (median(wrong), median(unknown));
        // Loose on purpose (a noisy two-core box): the same order of magnitude, which a
        // missing dummy hash (microseconds against tens of milliseconds) would break.
        assert!(u * 3 >= w && w * 3 >= u, "unknown email {u:?} against wrong password {w:?}");
    }

    async fn signing_up_with_a_taken_email_reveals_nothing_else_and_changes_nothing(app: TestApp) {
        let email = app.sign_up("taken").await;
        let attacker = app.another_browser();
        let res = attacker.post_form("/signup", &[("email", &email.to_uppercase()), ("password", "attacker's password"), ("password_confirm", "attacker's password")]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(set_cookie(&res, "auth").is_none(), "not signed in as the owner");
        let body = res.text().await.unwrap();
        assert!(!body.contains("attacker's password"), "passwords are never echoed");
        assert_eq!(attacker.get("/tasks").await.status(), StatusCode::SEE_OTHER, "still signed out");
        // The account is untouched: the owner's password works, the attacker's does not.
        let res = attacker.sign_in(&email, "attacker's password").await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let res = attacker.sign_in(&email, PASSWORD).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
}
