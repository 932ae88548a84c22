//! The security rules of SPEC section 6 that the foundation owns: tokens, CSRF, headers.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Client, StatusCode};
use serde_json::Value;

use crate::both_backends;
use crate::helpers::{SECRET, TestApp, location, set_cookie};

/// Signs up, signs in again (to hold the response that sets the cookie) and returns the raw
/// auth token and its claims.
async fn signed_up_token(app: &TestApp) -> (String, Value) {
    let email = app.sign_up("tok").await;
    app.post_form("/logout", &[]).await;
    let res = app.sign_in(&email, crate::helpers::PASSWORD).await;
    let cookie = set_cookie(&res, "auth").unwrap();
    let token = cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("auth=")
        .to_owned();
    let payload = token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    (token, claims)
}

/// A fresh browser holding only this auth cookie.
async fn dashboard_with_token(app: &TestApp, token: &str) -> reqwest::Response {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/tasks"))
        .header("Cookie", format!("auth={token}"))
        .send()
        .await
        .unwrap()
}

fn sign(claims: &Value, key: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(key.as_bytes()),
    )
    .unwrap()
}

fn assert_refused(res: &reqwest::Response, what: &str) {
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{what} must be refused"
    );
    assert!(
        location(res).starts_with("/login"),
        "{what}: {}",
        location(res)
    );
}

both_backends! {
    async fn a_valid_token_opens_the_dashboard_and_tampered_ones_do_not(app: TestApp) {
        let (token, claims) = signed_up_token(&app).await;
        assert_eq!(dashboard_with_token(&app, &token).await.status(), StatusCode::OK, "control: the real token works");

        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let payload = token.split('.').nth(1).unwrap();
        let alg_none = format!("{header}.{payload}.");
        assert_refused(&dashboard_with_token(&app, &alg_none).await, "alg: none");

        let wrong_key = sign(&claims, "another-secret-another-secret-another");
        assert_refused(&dashboard_with_token(&app, &wrong_key).await, "a token signed with another key");

        let mut edited = claims.clone();
        edited["sub"] = Value::String("999999".into());
        let parts: Vec<&str> = token.split('.').collect();
        let forged = format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(edited.to_string()), parts[2]);
        assert_refused(&dashboard_with_token(&app, &forged).await, "an edited payload");

        let mut expired = claims.clone();
        let now = chrono::Utc::now().timestamp();
        expired["iat"] = (now - 7200).into();
        expired["nbf"] = (now - 7200).into();
        expired["exp"] = (now - 3600).into();
        assert_refused(&dashboard_with_token(&app, &sign(&expired, SECRET)).await, "an expired token");

        let mut early = claims.clone();
        early["nbf"] = (now + 3600).into();
        assert_refused(&dashboard_with_token(&app, &sign(&early, SECRET)).await, "a token not valid yet");

        let mut no_session = claims.clone();
        no_session.as_object_mut().unwrap().remove("sid");
        assert_refused(&dashboard_with_token(&app, &sign(&no_session, SECRET)).await, "a token without a session id");

        let mut other_session = claims.clone();
        other_session["sid"] = Value::String("made-up-session".into());
        assert_refused(&dashboard_with_token(&app, &sign(&other_session, SECRET)).await, "a well-signed token naming no session");
    }

    async fn an_old_cookie_is_useless_after_signing_out(app: TestApp) {
        let (token, _) = signed_up_token(&app).await;
        assert_eq!(dashboard_with_token(&app, &token).await.status(), StatusCode::OK);
        let res = app.post_form("/logout", &[]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let cleared = set_cookie(&res, "auth").unwrap();
        assert!(cleared.contains("Max-Age=0") || cleared.contains("Expires="), "{cleared}");
        assert_refused(&dashboard_with_token(&app, &token).await, "the cookie of a signed-out session");
    }

    async fn a_signed_out_session_gets_no_rows_from_the_dashboard_fragment(app: TestApp) {
        // The dashboard checks the session row in the same round trip as it reads the rows
        // (they run alongside): what it read must never reach a signed-out browser.
        let (token, _) = signed_up_token(&app).await;
        app.create_task("Secret plans", "high", "").await;
        app.post_form("/logout", &[]).await;
        for path in ["/tasks", "/tasks?q=secret", "/tasks?sort=title", "/tasks?page=last"] {
            let res = Client::new()
                .get(app.url(path))
                .header("Cookie", format!("auth={token}"))
                .header("HX-Request", "true")
                .send()
                .await
                .unwrap();
            let redirect = res.headers().get("HX-Redirect").map(|v| v.to_str().unwrap().to_owned());
            assert!(redirect.is_some_and(|to| to.starts_with("/login")), "{path}");
            assert!(!res.text().await.unwrap().contains("Secret plans"), "{path}");
        }
        assert_refused(&dashboard_with_token(&app, &token).await, "the page as well");
    }

    async fn a_post_without_or_with_a_wrong_csrf_token_is_refused_and_changes_nothing(app: TestApp) {
        app.csrf("/signup").await; // the browser has a session and a token
        let form = [("email", "mallory@example.com"), ("password", "correct horse battery"), ("password_confirm", "correct horse battery")];
        let res = app.client.post(app.url("/signup")).form(&form).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let mut wrong = form.to_vec();
        wrong.push(("csrf_token", "not-the-token"));
        let res = app.client.post(app.url("/signup")).form(&wrong).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = app.client.post(app.url("/signup")).header("X-CSRF-Token", "nope").form(&form).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        // Nothing was created: the account does not exist.
        let res = app.sign_in("mallory@example.com", "correct horse battery").await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }

    async fn a_cross_site_post_is_refused_even_with_a_valid_token(app: TestApp) {
        app.sign_up("victim").await;
        let token = app.csrf("/tasks").await;
        let res = app
            .client
            .post(app.url("/logout"))
            .header("Origin", "https://evil.example")
            .form(&[("csrf_token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = app
            .client
            .post(app.url("/logout"))
            .header("Sec-Fetch-Site", "cross-site")
            .form(&[("csrf_token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert_eq!(app.get("/tasks").await.status(), StatusCode::OK, "still signed in");
        let res = app
            .client
            .post(app.url("/logout"))
            .header("Origin", &app.base)
            .form(&[("csrf_token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "the same origin is fine");
    }

    async fn pages_errors_and_static_files_carry_the_security_headers(app: TestApp) {
        app.sign_up("hdr").await;
        let page = app.get("/tasks").await;
        let html = page.text().await.unwrap();
        let css = html.split("href=\"").find(|s| s.starts_with("/static/app.")).unwrap().split('"').next().unwrap().to_owned();
        for path in ["/tasks", "/login", "/no-such-page", css.as_str()] {
            let res = app.get(path).await;
            let h = res.headers();
            let csp = h["content-security-policy"].to_str().unwrap();
            for directive in ["script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"] {
                assert!(csp.contains(directive), "{path}: {csp}");
            }
            assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{csp}");
            assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
            assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin", "{path}");
            assert!(h.contains_key("x-request-id"), "{path}");
        }
        let res = app.get("/tasks").await;
        assert_eq!(res.headers()["cache-control"], "no-store");
        assert_eq!(res.headers()["content-type"], "text/html; charset=utf-8");
        let res = app.get(&css).await;
        assert!(res.headers()["cache-control"].to_str().unwrap().contains("immutable"));
        let res = app.get("/no-such-page").await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert_eq!(res.headers()["content-type"], "text/html; charset=utf-8");
    }

    async fn an_oversized_body_is_refused_with_413(app: TestApp) {
        let token = app.csrf("/login").await;
        let big = "x".repeat(200 * 1024);
        let res = app
            .client
            .post(app.url("/login"))
            .header("X-CSRF-Token", token)
            .form(&[("email", big.as_str()), ("password", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }

    async fn an_unsupported_method_answers_405_and_probes_answer(app: TestApp) {
        let res = app.get("/logout").await;
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(res.headers()["allow"], "POST");
        assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
        assert_eq!(app.get("/readyz").await.status(), StatusCode::OK);
    }

    async fn the_database_going_away_answers_503_and_the_app_recovers(app: TestApp) {
        app.sign_up("outage").await;
        let held = app.stop_database().await;
        let res = app.get("/readyz").await;
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        let res = app.get("/tasks").await;
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(res.headers().contains_key("retry-after"));
        let body = res.text().await.unwrap();
        assert!(body.contains("<html"), "a full page without JS");
        assert!(!body.to_lowercase().contains("sqlx") && !body.contains("pool"), "no internals: {body}");
        app.start_database(held).await;
        let mut status = StatusCode::SERVICE_UNAVAILABLE;
        for _ in 0..20 {
            status = app.get("/tasks").await.status();
            if status == StatusCode::OK { break; }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
        assert_eq!(status, StatusCode::OK, "the app recovers once the database is back");
    }
}

#[tokio::test]
async fn with_secure_cookies_on_both_cookies_are_secure_and_host_prefixed() {
    let app = TestApp::spawn_with(crate::helpers::Backend::Sqlite, |s| {
        s.cookie_secure = Some(true)
    })
    .await;
    // reqwest rightly keeps Secure cookies off plain HTTP, so carry the session cookie by hand.
    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = client.get(app.url("/signup")).send().await.unwrap();
    let session =
        set_cookie(&res, "__Host-session").expect("the session cookie is __Host- prefixed");
    assert!(
        session.contains("Secure") && session.contains("HttpOnly") && session.contains("Path=/"),
        "{session}"
    );
    let token = crate::helpers::extract_csrf(&res.text().await.unwrap()).unwrap();
    let pair = session.split(';').next().unwrap().to_owned();
    let password = crate::helpers::PASSWORD;
    let res = client
        .post(app.url("/signup"))
        .header("Cookie", pair)
        .form(&[
            ("email", "secure@example.com"),
            ("password", password),
            ("password_confirm", password),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let auth = set_cookie(&res, "__Host-auth").expect("the auth cookie is __Host- prefixed");
    for attribute in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(auth.contains(attribute), "{attribute} missing: {auth}");
    }
}
