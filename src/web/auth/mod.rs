//! Accounts in the browser: sign up ([`signup`]), sign in ([`login`]), sign out ([`logout`]);
//! [`admit`] is what a successful sign-in or sign-up does. The URLs are in the route table,
//! [`crate::routes`].

pub mod admit;
pub mod login;
pub mod logout;
pub mod signup;

/// Accepts only a same-site path for `next=`: one leading slash, no scheme, no host, no
/// backslash, control or non-ASCII characters. Anything else falls back to the dashboard.
pub fn safe_next(next: Option<&str>) -> String {
    const FALLBACK: &str = "/tasks";
    let Some(next) = next.map(str::trim).filter(|n| !n.is_empty()) else {
        return FALLBACK.into();
    };
    // ASCII only: a path we made is percent-encoded, and a raw non-ASCII byte in `Location`
    // is read differently by different clients.
    let ok = next.starts_with('/')
        && next.is_ascii()
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control())
        && next.len() <= 2000;
    if ok { next.into() } else { FALLBACK.into() }
}

/// The sign-in page, coming back to `next` afterwards; `ended` makes it say that a session
/// ended (see [`login::SESSION_ENDED`]).
pub fn login_url(next: Option<&str>, ended: bool) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if let Some(next) = next {
        query.append_pair("next", next);
    }
    if ended {
        query.append_pair("session", "ended");
    }
    match query.finish() {
        q if q.is_empty() => "/login".to_owned(),
        q => format!("/login?{q}"),
    }
}

#[cfg(test)]
mod tests {
    use super::{login_url, safe_next};

    #[test]
    fn the_sign_in_url_carries_next_and_why() {
        assert_eq!(login_url(None, false), "/login");
        assert_eq!(
            login_url(Some("/tasks?q=a b"), true),
            "/login?next=%2Ftasks%3Fq%3Da+b&session=ended"
        );
    }

    #[test]
    fn next_keeps_same_site_paths_and_drops_everything_else() {
        assert_eq!(safe_next(Some("/tasks?status=open")), "/tasks?status=open");
        for evil in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
            "/tasks\n",
            "/\u{3000}/evil.example",
            "",
        ] {
            assert_eq!(safe_next(Some(evil)), "/tasks", "{evil:?}");
        }
        assert_eq!(safe_next(None), "/tasks");
    }
}
