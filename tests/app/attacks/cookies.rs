//! Cookie theft and planting: the auth cookie (the JWT) and the session cookie (CSRF token,
//! flash) are HttpOnly, SameSite=Lax, Path=/, host-only; the auth cookie lives exactly as
//! long as its session; with `COOKIE_SECURE` both are `Secure` and `__Host-` prefixed, and
//! only the prefixed name is read.
//!
//! Held by: `web::session::session_cookie` / `removal_cookie` and the `SessionMiddleware` builder in
//! `startup.rs`.

use reqwest::StatusCode;

use super::{claims_of, new_client};
use crate::both_backends;
use crate::helpers::{PASSWORD, extract_csrf, set_cookie, unmask_csrf};

/// The attributes of a `Set-Cookie` value, lower-cased, without the name=value pair.
fn attributes(cookie: &str) -> Vec<String> {
    cookie
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_lowercase())
        .collect()
}

fn max_age(cookie: &str) -> i64 {
    attributes(cookie)
        .iter()
        .find_map(|a| a.strip_prefix("max-age=").map(|n| n.parse().unwrap()))
        .unwrap_or_else(|| panic!("no Max-Age: {cookie}"))
}

fn assert_hardened(cookie: &str, secure: bool) {
    let attrs = attributes(cookie);
    for wanted in ["httponly", "samesite=lax", "path=/"] {
        assert!(
            attrs.iter().any(|a| a == wanted),
            "{wanted} missing: {cookie}"
        );
    }
    assert!(
        !attrs.iter().any(|a| a.starts_with("domain")),
        "host-only, no Domain: {cookie}"
    );
    assert_eq!(
        attrs.iter().any(|a| a == "secure"),
        secure,
        "Secure must be {secure}: {cookie}"
    );
}

both_backends! {
    settings = |s| s.session_ttl_secs = 4321;
    async fn the_auth_cookie_is_hardened_and_lives_exactly_as_long_as_its_session(app: TestApp) {
        let email = app.sign_up("cookie").await;
        let res = app.post_form("/logout", &[]).await;
        let removal = set_cookie(&res, "auth").expect("sign-out clears the cookie");
        assert_hardened(&removal, false);
        assert_eq!(max_age(&removal), 0, "{removal}");

        let res = app.sign_in(&email, PASSWORD).await;
        let cookie = set_cookie(&res, "auth").expect("an auth cookie");
        assert_hardened(&cookie, false);
        let age = max_age(&cookie);
        assert!((4319..=4321).contains(&age), "Max-Age follows the session lifetime: {cookie}");
        let token = cookie.split(';').next().unwrap().trim_start_matches("auth=");
        let claims = claims_of(token);
        let lifetime = claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap();
        assert_eq!(lifetime, 4321, "the token expires with the cookie");
    }

    async fn the_session_cookie_is_hardened_and_does_not_show_the_csrf_token(app: TestApp) {
        let res = app.client.get(app.url("/login")).send().await.unwrap();
        let cookie = set_cookie(&res, "session").expect("a session cookie");
        assert_hardened(&cookie, false);
        let token = unmask_csrf(&extract_csrf(&res.text().await.unwrap()).unwrap());
        assert!(!cookie.contains(&token), "the session cookie is encrypted, not just signed");
    }
}

both_backends! {
    settings = |s| s.cookie_secure = Some(true);
    async fn with_secure_cookies_both_cookies_are_secure_and_host_prefixed(app: TestApp) {
        // reqwest rightly keeps Secure cookies off plain HTTP, so carry the session cookie by hand.
        let client = new_client();
        let res = client.get(app.url("/signup")).send().await.unwrap();
        assert!(set_cookie(&res, "session").is_none(), "no unprefixed session cookie");
        let session = set_cookie(&res, "__Host-session").expect("the session cookie is __Host- prefixed");
        assert_hardened(&session, true);
        let token = extract_csrf(&res.text().await.unwrap()).unwrap();
        let pair = session.split(';').next().unwrap().to_owned();
        let res = client
            .post(app.url("/signup"))
            .header("Cookie", &pair)
            .form(&[("email", "secure@example.com"), ("password", PASSWORD), ("password_confirm", PASSWORD), ("csrf_token", &token)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert!(set_cookie(&res, "auth").is_none(), "no unprefixed auth cookie");
        let auth = set_cookie(&res, "__Host-auth").expect("the auth cookie is __Host- prefixed");
        assert_hardened(&auth, true);
        let jwt = auth.split(';').next().unwrap().trim_start_matches("__Host-auth=").to_owned();

        // Only the prefixed name is read: a cookie planted under the plain name (which a
        // sibling subdomain or a plain-HTTP response could set) signs no one in.
        let res = client.get(app.url("/tasks")).header("Cookie", format!("auth={jwt}")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "the unprefixed name is ignored");
        let res = client.get(app.url("/tasks")).header("Cookie", format!("__Host-auth={jwt}")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
}
