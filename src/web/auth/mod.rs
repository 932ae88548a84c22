//! Accounts in the browser: sign up ([`signup`]), sign in ([`login`]), sign out ([`logout`]);
//! [`admit`] is what a successful sign-in or sign-up does. The URLs are in the route table,
//! [`crate::startup`].

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

#[cfg(test)]
mod tests {
    use super::safe_next;

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
