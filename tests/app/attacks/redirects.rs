//! Open redirects: `next=` on sign-in (form and page), the sign-in prompt's own `next`, the
//! `view` a write form carries back, and the headers htmx sends. The browser must never be
//! sent off-site, nor get a header split.
//!
//! Held by: `web::auth::safe_next` (one leading slash, no scheme, host, backslash or control
//! characters), `ListView::from_form` (a view is re-serialised, never echoed), and the
//! sign-in prompt taking only the path of `HX-Current-URL`.

use reqwest::StatusCode;

use crate::both_backends;
use crate::helpers::{PASSWORD, location, urlencode};

const EVIL_NEXTS: &[&str] = &[
    "//evil.example",
    "//evil.example/tasks",
    "///evil.example",
    "////evil.example",
    "https://evil.example",
    "http:evil.example",
    "https:/evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    " //evil.example",
    "\t//evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/tasks\r\nLocation: https://evil.example",
    "/tasks\r\nSet-Cookie: auth=planted",
    "/%0d%0aSet-Cookie:%20auth=planted",
    "@evil.example",
    "evil.example",
    "/\u{3000}/evil.example",
    "/\u{2215}\u{2215}evil.example",
];

/// A path a browser would resolve to this site.
fn assert_on_site_path(loc: &str, what: &str) {
    assert!(loc.starts_with('/'), "{what}: {loc:?}");
    assert!(
        !loc.starts_with("//") && !loc.contains('\\'),
        "{what}: {loc:?}"
    );
    assert!(!loc.chars().any(|c| c.is_control()), "{what}: {loc:?}");
    let base = url::Url::parse("http://app.test/login").unwrap();
    assert_eq!(
        base.join(loc).unwrap().host_str(),
        Some("app.test"),
        "{what}: {loc:?} resolves off-site"
    );
}

/// A Location a browser would resolve to this site, with no header injected.
fn assert_same_site(res: &reqwest::Response, what: &str) {
    let loc = location(res);
    assert_on_site_path(loc, what);
    assert!(loc.starts_with('/'), "{what}: {loc:?}");
    assert!(
        !loc.starts_with("//") && !loc.contains('\\'),
        "{what}: {loc:?}"
    );
    assert!(!loc.chars().any(|c| c.is_control()), "{what}: {loc:?}");
    let base = url::Url::parse("http://app.test/login").unwrap();
    let resolved = base.join(loc).unwrap();
    assert_eq!(
        resolved.host_str(),
        Some("app.test"),
        "{what}: {loc:?} resolves off-site"
    );
    assert!(
        res.headers()
            .get_all("set-cookie")
            .iter()
            .all(|c| !c.to_str().unwrap_or_default().contains("planted")),
        "{what}: a header was injected"
    );
}

both_backends! {
    async fn next_on_sign_in_never_leaves_the_site(app: TestApp) {
        let email = app.sign_up("redir").await;
        for (i, next) in EVIL_NEXTS.iter().enumerate() {
            app.post_form("/logout", &[]).await;
            let res = app.post_form("/login", &[("email", &email), ("password", PASSWORD), ("next", next)]).await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER, "{next:?}");
            assert_same_site(&res, &format!("POST /login next={next:?}"));
            // The sign-in page never carries it into its form.
            let page = app.new_browser().get(app.url(&format!("/login?next={}", urlencode(next)))).send().await.unwrap().text().await.unwrap();
            let marker = "name=\"next\" value=\"";
            let start = page.find(marker).expect("the form carries next") + marker.len();
            let kept = page[start..].split('"').next().unwrap().replace("&#x2F;", "/").replace("&#47;", "/");
            assert_on_site_path(&kept, &format!("GET /login?next={next:?}"));
            // htmx sign-in: the same rule for HX-Redirect (a sample: sign-ins are rate limited).
            if i % 4 != 0 {
                continue;
            }
            app.post_form("/logout", &[]).await;
            let res = app.post_htmx("/login", &[("email", &email), ("password", PASSWORD), ("next", next)]).await;
            let hx = res.headers().get("hx-redirect").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
            assert!(hx.starts_with('/') && !hx.starts_with("//") && !hx.contains('\\'), "htmx next={next:?}: {hx:?}");
        }
        // Control: a same-site path is honoured.
        app.post_form("/logout", &[]).await;
        let res = app.post_form("/login", &[("email", &email), ("password", PASSWORD), ("next", "/tasks?status=open")]).await;
        assert_eq!(location(&res), "/tasks?status=open");
    }

    async fn sign_up_and_sign_out_redirect_only_on_site(app: TestApp) {
        let email = format!("{}@example.com", "redirsignup");
        let token = app.csrf("/signup").await;
        let res = app.client.post(app.url(&format!("/signup?next={}", urlencode("//evil.example")))).form(&[("email", email.as_str()), ("password", PASSWORD), ("password_confirm", PASSWORD), ("csrf_token", &token), ("next", "https://evil.example")]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_same_site(&res, "sign-up");
        let page = app.get(&format!("/signup?next={}", urlencode("https://evil.example"))).await.text().await.unwrap();
        assert!(!page.contains("evil.example"));
        let res = app.post_form(&format!("/logout?next={}", urlencode("//evil.example")), &[("next", "//evil.example")]).await;
        assert_same_site(&res, "sign-out");
        assert_eq!(location(&res), "/login");
    }

    async fn the_sign_in_prompt_keeps_next_on_site_whatever_the_request_says(app: TestApp) {
        // Signed out: a page request comes back to its own path...
        for path in ["//evil.example", "/\\evil.example", "/tasks?next=//evil.example"] {
            let res = app.get(path).await;
            if res.status() == StatusCode::SEE_OTHER {
                assert_same_site(&res, path);
                let next = url::Url::parse(&format!("http://app.test{}", location(&res))).unwrap().query_pairs().find(|(k, _)| k == "next").map(|(_, v)| v.into_owned());
                if let Some(next) = next {
                    assert!(next.starts_with('/') && !next.starts_with("//") && !next.contains('\\'), "{path}: next={next:?}");
                }
            }
        }
        // ...and an htmx request takes only the path of HX-Current-URL, which a script could
        // set to anything.
        let email = app.sign_up("prompt").await;
        app.post_form("/logout", &[]).await;
        for current in ["https://evil.example/tasks", "//evil.example/x", "https://evil.example//evil.example", "javascript:alert(1)"] {
            let res = app.client.get(app.url("/tasks")).header("HX-Request", "true").header("HX-Current-URL", current).send().await.unwrap();
            let hx = res.headers()["hx-redirect"].to_str().unwrap().to_owned();
            assert!(hx.starts_with("/login"), "{current}: {hx}");
            let next = url::Url::parse(&format!("http://app.test{hx}")).unwrap().query_pairs().find(|(k, _)| k == "next").map(|(_, v)| v.into_owned()).unwrap_or_default();
            let res = app.post_form("/login", &[("email", &email), ("password", PASSWORD), ("next", &next)]).await;
            assert_same_site(&res, &format!("HX-Current-URL {current}: next={next:?}"));
            app.post_form("/logout", &[]).await;
        }
    }

    async fn the_view_a_write_carries_back_never_leaves_the_dashboard(app: TestApp) {
        app.sign_up("view").await;
        let id = app.create_task("Redirect me", "low", "").await;
        for view in ["//evil.example", "https://evil.example", "/\\evil.example", "?q=x&after=//evil.example", "q=%0d%0aSet-Cookie:%20auth=planted", "\r\nLocation: https://evil.example"] {
            let res = app.post_form(&format!("/tasks/{id}/toggle"), &[("view", view)]).await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER, "{view:?}");
            assert_same_site(&res, view);
            assert!(location(&res).starts_with("/tasks"), "{view:?}: {}", location(&res));
        }
    }
}
