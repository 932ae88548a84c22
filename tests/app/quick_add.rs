//! Quick add (issue 20): the dashboard's one-line add reads "Pay rent tomorrow #home !high"
//! as a task titled "Pay rent", due tomorrow (the user's tomorrow), tagged home, of high
//! priority; the preview under the field says so as it is typed. The parser itself is tested
//! in `src/domain/quick_add.rs` and by a property test in `fuzz`.

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::Value;
use task_dashboard::{clock::Clock, config::Settings};

use crate::both_backends;
use crate::helpers::{TestApp, location};

/// 11:30 UTC on 15 June 2026: already 16 June in Kiritimati (UTC+14).
fn mid_june(s: &mut Settings) {
    let at: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-06-15T11:30:00Z")
        .unwrap()
        .to_utc();
    s.clock = Clock::manual(at);
}

/// Signs up in this browser, living in Kiritimati.
async fn sign_up_ahead(app: &TestApp) -> String {
    app.sign_up_in("quick", "Pacific/Kiritimati").await
}

/// The dashboard's one-line form as a browser sends it, "More options" left as they are.
fn one_line(line: &str) -> Vec<(&str, &str)> {
    vec![
        ("title", line),
        ("quick", "1"),
        ("description", ""),
        ("priority", "medium"),
        ("due_date", ""),
        ("repeat", "none"),
        ("tags", ""),
    ]
}

async fn tasks(app: &TestApp, token: &str) -> Vec<Value> {
    app.api_tasks(token, "").await
}

both_backends! {
    settings = mid_june;

    async fn a_line_says_the_whole_task_on_the_users_own_day(app: TestApp) {
        let email = sign_up_ahead(&app).await;
        let token = app.bearer_token(&email).await;
        let res = app.post_form("/tasks", &one_line("Pay rent tomorrow #home !high")).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        // Without JavaScript the message after the redirect says what was understood.
        let page = app.get(location(&res)).await.text().await.unwrap();
        assert!(
            page.contains("Added “Pay rent”: due Jun 17, 2026, high priority, #home."),
            "{page}"
        );
        let made = tasks(&app, &token).await;
        assert_eq!(made.len(), 1);
        assert_eq!(made[0]["title"], "Pay rent");
        // Tomorrow in Kiritimati, where it is already the 16th.
        assert_eq!(made[0]["due_date"], "2026-06-17");
        assert_eq!(made[0]["priority"], "high");
        assert_eq!(made[0]["tags"], serde_json::json!(["home"]));

        // A repeat without a date starts today; a plain title says nothing more.
        let res = app.post_form("/tasks", &one_line("Water plants every week")).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let res = app.post_form("/tasks", &one_line("Review pull request #42")).await;
        let page = app.get(location(&res)).await.text().await.unwrap();
        assert!(page.contains("Added “Review pull request #42”."), "{page}");
        let made = tasks(&app, &token).await;
        let plants = made.iter().find(|t| t["title"] == "Water plants").unwrap();
        assert_eq!((plants["repeat"].as_str(), plants["due_date"].as_str()), (Some("weekly"), Some("2026-06-16")));
        assert!(made.iter().any(|t| t["title"] == "Review pull request #42" && t["tags"] == serde_json::json!([])));
    }

    async fn the_full_form_is_not_read_as_a_line_and_its_options_win(app: TestApp) {
        let email = sign_up_ahead(&app).await;
        let token = app.bearer_token(&email).await;
        // The stand-alone form (and any post without `quick`) keeps the title as typed.
        let res = app
            .post_form("/tasks", &[("title", "Call mom today #family"), ("from", "new")])
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        // A field set in "More options" wins over the line; tags join.
        let mut fields = one_line("Pay rent tomorrow !high #home");
        fields.retain(|(name, _)| !matches!(*name, "priority" | "tags"));
        fields.extend([("priority", "low"), ("tags", "bills")]);
        assert_eq!(app.post_form("/tasks", &fields).await.status(), StatusCode::SEE_OTHER);
        let made = tasks(&app, &token).await;
        assert!(made.iter().any(|t| t["title"] == "Call mom today #family" && t["due_date"].is_null()));
        let rent = made.iter().find(|t| t["title"] == "Pay rent").unwrap();
        assert_eq!(rent["priority"], "low");
        assert_eq!(rent["due_date"], "2026-06-17");
        assert_eq!(rent["tags"], serde_json::json!(["bills", "home"]));
    }

    async fn a_line_that_is_no_task_is_refused_and_kept_as_typed(app: TestApp) {
        let email = sign_up_ahead(&app).await;
        let token = app.bearer_token(&email).await;
        let res = app.post_form("/tasks", &one_line("tomorrow #home !high")).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = res.text().await.unwrap();
        assert!(page.contains(r#"value="tomorrow #home !high""#), "the line as typed: {page}");
        assert!(page.contains(r#"id="new-title-error""#));
        assert!(tasks(&app, &token).await.is_empty());
    }

    async fn the_preview_says_what_was_understood(app: TestApp) {
        sign_up_ahead(&app).await;
        let res = app.get_htmx("/tasks/quick-add?title=Pay+rent+friday+%23home+every+month").await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["vary"], "HX-Request");
        let html = res.text().await.unwrap();
        // Tuesday 16 June in Kiritimati: the next Friday is the 19th.
        for said in ["“Pay rent”", "due Jun 19, 2026", "#home", "repeats monthly"] {
            assert!(html.contains(said), "{said} in {html}");
        }
        // Only a title: nothing to preview. No title yet: said so. Markup is escaped.
        let html = app.get_htmx("/tasks/quick-add?title=Just+a+title").await.text().await.unwrap();
        assert!(html.trim().is_empty(), "{html}");
        let html = app.get_htmx("/tasks/quick-add?title=today").await.text().await.unwrap();
        assert!(html.contains("No title yet"), "{html}");
        let html = app
            .get_htmx("/tasks/quick-add?title=%3Cb%3Ex%3C%2Fb%3E+today")
            .await
            .text()
            .await
            .unwrap();
        assert!(html.contains("&#60;b&#62;x") && !html.contains("<b>"), "{html}");
        // A plain browser is sent to the dashboard; one whose session ended gets nothing (the
        // page stays, with what is being typed).
        let res = app.get("/tasks/quick-add?title=x").await;
        assert_eq!((res.status(), location(&res)), (StatusCode::SEE_OTHER, "/tasks"));
        let stranger = app.another_browser();
        let res = stranger.get_htmx("/tasks/quick-add?title=x+today").await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        assert!(res.headers().get("hx-redirect").is_none());
    }
}
