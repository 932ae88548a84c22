//! Forged, tampered, stale and orphaned tokens, against the pages (the auth cookie: a 303 to
//! `/login`) and the API (a bearer token: 401 with `WWW-Authenticate: Bearer`).
//!
//! Held by: the algorithm pinned to HS256 and the required claims (`auth::jwt`), and the
//! session row that every request looks up (`SESSION_USER`: same user, not revoked, not
//! expired, user still there).

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;

use super::{api, assert_token_refused, claims_of, cookie_token, page_with_token, victim};
use crate::both_backends;
use crate::helpers::{SECRET, location};

const OTHER_KEY: &str = "another-secret-another-secret-another";

/// A JWT with any header, signed HMAC-SHA256 with `key` whatever the header says.
fn hmac_token(header: &Value, claims: &Value, key: &[u8]) -> String {
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap();
    mac.update(signing_input.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{signing_input}.{signature}")
}

fn sign(claims: &Value, key: &str) -> String {
    sign_with(Algorithm::HS256, claims, key)
}

fn sign_with(alg: Algorithm, claims: &Value, key: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(alg),
        claims,
        &EncodingKey::from_secret(key.as_bytes()),
    )
    .unwrap()
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The real token still works: the refusals below are about the attack, not a broken setup.
async fn assert_token_accepted(app: &crate::helpers::TestApp, token: &str) {
    assert_eq!(
        page_with_token(app, "/tasks", token).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        api(app, "GET", "/api/tasks", token, None).await.status(),
        StatusCode::OK
    );
}

both_backends! {
    async fn alg_none_tokens_are_refused(app: TestApp) {
        let v = victim(&app, "none").await;
        assert_token_accepted(&app, &v.token).await;
        let parts: Vec<&str> = v.token.split('.').collect();
        for alg in ["none", "None", "NONE", "nOnE"] {
            let header = URL_SAFE_NO_PAD.encode(json!({"alg": alg, "typ": "JWT"}).to_string());
            assert_token_refused(&app, &format!("{header}.{}.", parts[1]), &format!("alg {alg}, no signature")).await;
            assert_token_refused(&app, &format!("{header}.{}.{}", parts[1], parts[2]), &format!("alg {alg}, the real signature")).await;
        }
    }

    async fn algorithm_confusion_tokens_are_refused(app: TestApp) {
        let v = victim(&app, "confuse").await;
        let claims = claims_of(&v.token);
        // RS/ES/PS headers signed with the shared secret as an HMAC key: a verifier that
        // trusted the header and used the secret as "the key" would accept these.
        for alg in ["RS256", "RS512", "ES256", "PS256", "EdDSA"] {
            let forged = hmac_token(&json!({"alg": alg, "typ": "JWT"}), &claims, SECRET.as_bytes());
            assert_token_refused(&app, &forged, &format!("{alg} header signed with the secret")).await;
        }
        // Other HMAC strengths with the right secret: the algorithm is pinned, not negotiated.
        for alg in [Algorithm::HS384, Algorithm::HS512] {
            assert_token_refused(&app, &sign_with(alg, &claims, SECRET), &format!("{alg:?}")).await;
        }
        // A header that says HS256 but also smuggles a key or key URL is still just HS256
        // with our key: signed with another key, it fails.
        let smuggled = hmac_token(&json!({"alg": "HS256", "typ": "JWT", "jwk": {"kty": "oct", "k": URL_SAFE_NO_PAD.encode(OTHER_KEY)}, "jku": "https://evil.example/jwks"}), &claims, OTHER_KEY.as_bytes());
        assert_token_refused(&app, &smuggled, "an embedded jwk/jku").await;
    }

    async fn tokens_signed_with_another_key_or_tampered_are_refused(app: TestApp) {
        let v = victim(&app, "tamper").await;
        let claims = claims_of(&v.token);
        assert_token_refused(&app, &sign(&claims, OTHER_KEY), "another key").await;
        assert_token_refused(&app, &sign(&claims, ""), "an empty key").await;
        let parts: Vec<&str> = v.token.split('.').collect();
        let mut edited = claims.clone();
        edited["exp"] = (now() + 10 * 365 * 86400).into();
        let forged = format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(edited.to_string()), parts[2]);
        assert_token_refused(&app, &forged, "an edited payload with the old signature").await;
        let mut signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        signature[0] ^= 1;
        let flipped = format!("{}.{}.{}", parts[0], parts[1], URL_SAFE_NO_PAD.encode(signature));
        assert_token_refused(&app, &flipped, "one flipped signature bit").await;
        for garbage in ["garbage", "a.b.c", "..", &format!("{}.{}", parts[0], parts[1]), &format!("{}.x", v.token), &v.token[..v.token.len() - 1]] {
            assert_token_refused(&app, garbage, garbage).await;
        }
    }

    async fn expired_and_not_yet_valid_tokens_are_refused(app: TestApp) {
        let v = victim(&app, "time").await;
        let claims = claims_of(&v.token);
        let mut expired = claims.clone();
        expired["exp"] = (now() - 60).into();
        assert_token_refused(&app, &sign(&expired, SECRET), "expired a minute ago").await;
        let mut early = claims.clone();
        early["nbf"] = (now() + 3600).into();
        assert_token_refused(&app, &sign(&early, SECRET), "nbf in an hour").await;
        // The session row expiring ends the token too, even though the JWT is still current.
        assert_token_accepted(&app, &v.token).await;
        app.sql(&format!("UPDATE sessions SET expires_at = '2000-01-01T00:00:00+00:00' WHERE user_id = {}", v.id)).await;
        assert_token_refused(&app, &v.token, "a token whose session row has expired").await;
    }

    async fn tokens_missing_a_claim_or_with_a_claim_of_the_wrong_type_are_refused(app: TestApp) {
        let v = victim(&app, "claims").await;
        let claims = claims_of(&v.token);
        assert_token_accepted(&app, &sign(&claims, SECRET)).await;
        for claim in ["sub", "sid", "exp", "iat", "nbf"] {
            let mut missing = claims.clone();
            missing.as_object_mut().unwrap().remove(claim);
            assert_token_refused(&app, &sign(&missing, SECRET), &format!("no {claim}")).await;
        }
        let sub = claims["sub"].as_str().unwrap().to_owned();
        let wrong_types = [
            ("sub", json!(sub.parse::<i64>().unwrap())),
            ("sub", json!([sub])),
            ("sub", Value::Null),
            ("sid", json!(12345)),
            ("sid", json!({"id": claims["sid"]})),
            ("exp", json!(claims["exp"].to_string())),
            ("exp", json!(1e300)),
            ("iat", json!("yesterday")),
            ("nbf", json!(true)),
        ];
        for (claim, value) in wrong_types {
            let mut wrong = claims.clone();
            wrong[claim] = value.clone();
            assert_token_refused(&app, &sign(&wrong, SECRET), &format!("{claim}: {value}")).await;
        }
    }

    async fn a_well_signed_token_naming_another_user_or_session_is_refused(app: TestApp) {
        let v = victim(&app, "owner").await;
        let other = app.another_browser();
        let intruder = victim(&other, "intruder").await;
        let mine = claims_of(&intruder.token);
        // The intruder's own session id, with the victim's user id as subject: the session
        // row must belong to the subject.
        let mut swapped = mine.clone();
        swapped["sub"] = json!(v.id.to_string());
        assert_token_refused(&app, &sign(&swapped, SECRET), "sub of another user, own sid").await;
        for sub in ["0", "-1", "1.0", " 1", "9223372036854775808", ""] {
            let mut odd = mine.clone();
            odd["sub"] = json!(sub);
            assert_token_refused(&app, &sign(&odd, SECRET), &format!("sub {sub:?}")).await;
        }
        let mut made_up = mine.clone();
        made_up["sid"] = json!("made-up-session");
        assert_token_refused(&app, &sign(&made_up, SECRET), "a session that does not exist").await;
        assert_token_accepted(&app, &intruder.token).await;
    }

    async fn a_cookie_is_useless_after_signing_out(app: TestApp) {
        let v = victim(&app, "logout").await;
        let token = cookie_token(&app, &v.email).await;
        assert_token_accepted(&app, &token).await;
        let res = app.post_form("/logout", &[]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_token_refused(&app, &token, "the cookie of a signed-out session").await;
        assert_token_accepted(&app, &v.token).await;
    }

    async fn a_signed_out_session_gets_no_rows_from_the_dashboard_fragment(app: TestApp) {
        // The dashboard checks the session row in the same round trip as it reads the rows
        // (they run alongside): what it read must never reach a signed-out browser.
        let v = victim(&app, "fragment").await;
        let token = cookie_token(&app, &v.email).await;
        app.create_task("Secret plans", "high", "").await;
        app.post_form("/logout", &[]).await;
        for path in ["/tasks", "/tasks?q=secret", "/tasks?sort=title", "/tasks?page=last"] {
            let res = reqwest::Client::new()
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
        assert_token_refused(&app, &token, "the page as well").await;
    }

    async fn a_bearer_token_is_useless_after_delete_api_auth_token(app: TestApp) {
        let v = victim(&app, "revoke").await;
        assert_eq!(api(&app, "DELETE", "/api/auth/token", &v.token, None).await.status(), StatusCode::NO_CONTENT);
        assert_token_refused(&app, &v.token, "a revoked bearer token").await;
        // Revoking twice is refused too: the token names a dead session.
        assert_eq!(api(&app, "DELETE", "/api/auth/token", &v.token, None).await.status(), StatusCode::UNAUTHORIZED);
    }

    async fn tokens_of_a_deleted_user_are_refused(app: TestApp) {
        let v = victim(&app, "gone").await;
        let token = cookie_token(&app, &v.email).await;
        assert_token_accepted(&app, &token).await;
        app.sql(&format!("DELETE FROM users WHERE id = {}", v.id)).await;
        assert_token_refused(&app, &token, "the cookie of a deleted user").await;
        assert_token_refused(&app, &v.token, "the bearer token of a deleted user").await;
    }

    async fn a_refused_token_in_an_htmx_request_redirects_the_whole_page_to_login(app: TestApp) {
        let v = victim(&app, "hx").await;
        let mut expired = claims_of(&v.token);
        expired["exp"] = (now() - 60).into();
        let res = crate::attacks::new_client()
            .get(app.url("/tasks?status=open"))
            .header("Cookie", format!("auth={}", sign(&expired, SECRET)))
            .header("HX-Request", "true")
            .header("HX-Current-URL", format!("{}/tasks?status=open", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["hx-redirect"], "/login?next=%2Ftasks%3Fstatus%3Dopen&session=ended");
        assert!(location(&res).is_empty());
        assert!(!res.text().await.unwrap().contains("<form"), "never the login form as a fragment");
    }
}

both_backends! {
    // Issue 17, item 6: a revoked token keeps its signature until it expires, and used to
    // keep a timing oracle too: the dashboard ran the search for `q` before it confirmed
    // the session. Now the first read confirms the session in the same statement that
    // searches, so a dead session reads nothing (no count, no row) and its request is a
    // sign-out. Fails when `Store::session_page` stops requiring a live session row.
    async fn a_revoked_token_cannot_time_searches_over_its_victims_tasks(app: TestApp) {
        use chrono::Utc;
        use task_dashboard::domain::{
            listing::{ListRequest, PageAt},
            task::{SortDir, SortKey, TaskFilter},
        };
        use task_dashboard::store::TodayWindow;

        let v = victim(&app, "searched").await;
        app.create_task("invoice for march", "medium", "").await;
        let sid = claims_of(&v.token)["sid"].as_str().unwrap().to_owned();
        let search = ListRequest {
            filter: TaskFilter { q: Some("invoice".into()), ..TaskFilter::default() },
            sort: SortKey::Created,
            dir: SortDir::Desc,
            size: 25,
            at: PageAt::First,
        };
        let window = TodayWindow::at(Utc::now());
        let read = || app.store.session_page(&sid, v.id, Utc::now(), window, &search, window.second, true);
        let (_, page) = read().await.unwrap().expect("a live session searches");
        assert_eq!(page.tasks.len(), 1);

        let res = api(&app, "DELETE", "/api/auth/token", &v.token, None).await;
        assert!(res.status().is_success(), "{}", res.status());
        assert!(read().await.unwrap().is_none(), "the revoked session still read the search");
        assert_token_refused(&app, &v.token, "the revoked token").await;
        let res = page_with_token(&app, "/tasks?q=invoice", &v.token).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "a search with the revoked token");
    }
}
