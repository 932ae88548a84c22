//! Signing up, in and out, as a person with a browser would (`/signup`, `/login`, `/logout`,
//! `src/web/auth/`), and the password rules and hashing behind them.

use reqwest::StatusCode;

use crate::both_backends;
use crate::helpers::{PASSWORD, location};

both_backends! {
    async fn signing_up_signs_in_and_lands_on_the_dashboard(app: TestApp) {
        let email = app.sign_up("ada").await;
        let res = app.get("/tasks").await;
        assert_eq!(res.status(), StatusCode::OK);
        let body = res.text().await.unwrap();
        assert!(body.contains(&email), "the nav names the signed-in user");
    }

    async fn signing_up_with_a_taken_email_keeps_the_email_and_says_why(app: TestApp) {
        let email = app.sign_up("taken").await;
        let other = app.new_browser();
        let token = crate::helpers::csrf_of(&other, &app.url("/signup")).await;
        let shouted = email.to_uppercase();
        let res = other
            .post(app.url("/signup"))
            .form(&[("email", shouted.as_str()), ("password", PASSWORD), ("password_confirm", PASSWORD), ("csrf_token", &token)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = res.text().await.unwrap();
        assert!(body.contains("already exists"), "{body}");
        assert!(body.contains(&format!("value=\"{shouted}\"")), "the typed email is kept");
    }

    async fn signing_up_with_a_short_password_or_a_mismatch_names_the_field(app: TestApp) {
        let res = app
            .post_form("/signup", &[("email", "new@example.com"), ("password", "short"), ("password_confirm", "short")])
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = res.text().await.unwrap();
        assert!(body.contains("id=\"password-error\""), "{body}");
        assert!(body.contains("value=\"new@example.com\""));

        let res = app
            .post_form("/signup", &[("email", "new@example.com"), ("password", PASSWORD), ("password_confirm", "something else")])
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.unwrap().contains("id=\"password-confirm-error\""));
    }

    async fn an_htmx_sign_up_error_is_the_form_alone(app: TestApp) {
        let token = app.csrf("/signup").await;
        let res = app
            .client
            .post(app.url("/signup"))
            .header("HX-Request", "true")
            .form(&[("email", "not-an-email"), ("password", PASSWORD), ("password_confirm", PASSWORD), ("csrf_token", &token)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = res.text().await.unwrap();
        assert!(body.trim_start().starts_with("<form"), "{body}");
        assert!(!body.contains("<html"));
        assert!(body.contains("id=\"email-error\""));
    }

    async fn signing_out_then_back_in_works(app: TestApp) {
        let email = app.sign_up("bob").await;
        let res = app.post_form("/logout", &[]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&res), "/login");
        let res = app.get("/tasks").await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let res = app.sign_in(&email, PASSWORD).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&res), "/tasks");
        assert_eq!(app.get("/tasks").await.status(), StatusCode::OK);
    }

    async fn a_signed_out_page_request_is_sent_to_login_with_next(app: TestApp) {
        let res = app.get("/tasks?status=open").await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&res), "/login?next=%2Ftasks%3Fstatus%3Dopen");
        let res = app.get("/").await;
        assert_eq!(location(&res), "/login");
    }

    async fn a_signed_out_htmx_request_gets_hx_redirect_not_the_login_page(app: TestApp) {
        let res = app
            .client
            .get(app.url("/tasks"))
            .header("HX-Request", "true")
            .header("HX-Current-URL", format!("{}/tasks?q=milk", app.base))
            .send()
            .await
            .unwrap();
        // htmx only runs on a page shown while signed in: that session has ended.
        assert_eq!(res.headers()["hx-redirect"], "/login?next=%2Ftasks%3Fq%3Dmilk&session=ended");
        assert!(!res.text().await.unwrap().contains("<form"));
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
        let email = app.sign_up("upgrade").await;
        let id = app.user_id(&email).await;
        let weak = crate::helpers::old_hash(PASSWORD);
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
}
