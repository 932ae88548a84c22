//! Signing up, in and out, as a person with a browser would.

use reqwest::StatusCode;

use crate::both_backends;
use crate::helpers::{PASSWORD, location, set_cookie};

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

    async fn a_wrong_password_and_an_unknown_email_get_the_same_answer(app: TestApp) {
        let email = app.sign_up("carol").await;
        app.post_form("/logout", &[]).await;
        let wrong = app.sign_in(&email, "not the password").await;
        let unknown = app.sign_in("nobody@example.com", PASSWORD).await;
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let (wrong, unknown) = (wrong.text().await.unwrap(), unknown.text().await.unwrap());
        let message = "Incorrect email or password.";
        assert!(wrong.contains(message) && unknown.contains(message));
        assert!(wrong.contains(&format!("value=\"{email}\"")), "the typed email is kept");
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
        assert_eq!(res.headers()["hx-redirect"], "/login?next=%2Ftasks%3Fq%3Dmilk");
        assert!(!res.text().await.unwrap().contains("<form"));
    }

    async fn sign_in_honours_a_same_site_next_and_refuses_any_other(app: TestApp) {
        let email = app.sign_up("dan").await;
        app.post_form("/logout", &[]).await;
        let res = app.post_form("/login", &[("email", &email), ("password", PASSWORD), ("next", "/tasks?status=open")]).await;
        assert_eq!(location(&res), "/tasks?status=open");
        for evil in ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"] {
            app.post_form("/logout", &[]).await;
            let res = app.post_form("/login", &[("email", &email), ("password", PASSWORD), ("next", evil)]).await;
            assert_eq!(location(&res), "/tasks", "next={evil}");
        }
        let page = app.get("/login?next=https://evil.example/").await.text().await.unwrap();
        assert!(!page.contains("evil.example"));
    }

    async fn the_session_cookie_is_http_only_lax_and_scoped_to_the_site(app: TestApp) {
        let email = app.sign_up("erin").await;
        app.post_form("/logout", &[]).await;
        let res = app.sign_in(&email, PASSWORD).await;
        let cookie = set_cookie(&res, "auth").expect("an auth cookie");
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Lax"), "{cookie}");
        assert!(cookie.contains("Path=/"), "{cookie}");
        assert!(cookie.contains("Max-Age=3600") || cookie.contains("Max-Age=3599"), "{cookie}");
        // The value is the JWT itself: header.payload.signature.
        let value = cookie.split(';').next().unwrap().trim_start_matches("auth=");
        assert_eq!(value.split('.').count(), 3);
    }
}
