//! Each user's own day (`src/domain/calendar.rs`): "today", overdue and every date shown are
//! counted in the user's time zone. Every test stands the app's clock at a fixed instant
//! (`Clock::manual`), so none depends on the real time.

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use task_dashboard::{clock::Clock, config::Settings};

use crate::both_backends;
use crate::helpers::{PASSWORD, TestApp, location, task_ids};

fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339).unwrap().to_utc()
}

/// 11:30 UTC on 15 June 2026: already 16 June (01:30) in Kiritimati (UTC+14), still
/// 15 June (00:30) in Pago Pago (UTC-11).
fn mid_june(s: &mut Settings) {
    s.clock = Clock::manual(at("2026-06-15T11:30:00Z"));
}

async fn token(app: &TestApp, email: &str) -> String {
    app.bearer_token(email).await
}

/// An API call's status and JSON body (`null` when there is none).
async fn api(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let res = app.call_api(method, path, token, body).await;
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The number a stats card shows.
fn stat(html: &str, name: &str) -> i64 {
    let marker = format!("data-stat=\"{name}\">");
    let rest = html.split(&marker).nth(1).expect("the stat is shown");
    rest.split('<').next().unwrap().trim().parse().unwrap()
}

/// The row of task `id` (its `<tr>`, which is also the phone's card).
fn row(html: &str, id: i64) -> String {
    let start = html
        .find(&format!("id=\"task-{id}\""))
        .expect("the task has a row");
    let end = html[start..].find("</tr>").unwrap();
    html[start..start + end].to_owned()
}

async fn dashboard(app: &TestApp, query: &str) -> String {
    let res = app.get(&format!("/tasks{query}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.text().await.unwrap()
}

both_backends! {
    settings = mid_june;

    async fn the_same_due_date_is_overdue_across_the_date_line_and_not_before_it(app: TestApp) {
        let kiri = app.another_browser();
        let kiri_email = kiri.sign_up_in("kiri", "Pacific/Kiritimati").await;
        let kiri_task = kiri.create_task("Water the plants", "medium", "2026-06-15").await;
        let pago = app.another_browser();
        let pago_email = pago.sign_up_in("pago", "Pacific/Pago_Pago").await;
        let pago_task = pago.create_task("Water the plants", "medium", "2026-06-15").await;

        // Rows (on a phone, the same markup is the card).
        let kiri_page = dashboard(&kiri, "").await;
        assert!(row(&kiri_page, kiri_task).contains("Overdue"), "16 June in Kiritimati");
        assert!(row(&kiri_page, kiri_task).contains("class=\"overdue\""));
        let pago_page = dashboard(&pago, "").await;
        assert!(!row(&pago_page, pago_task).contains("Overdue"), "still 15 June in Pago Pago");
        // The cards.
        assert_eq!(stat(&kiri_page, "overdue"), 1);
        assert_eq!(stat(&pago_page, "overdue"), 0);
        // The filter, on the dashboard (page and fragment) and in the API.
        assert_eq!(task_ids(&dashboard(&kiri, "?status=overdue").await), vec![kiri_task]);
        assert_eq!(task_ids(&dashboard(&pago, "?status=overdue").await), Vec::<i64>::new());
        let fragment = kiri.get_htmx("/tasks?status=overdue").await.text().await.unwrap();
        assert_eq!(task_ids(&fragment), vec![kiri_task]);
        let kiri_token = token(&app, &kiri_email).await;
        let pago_token = token(&app, &pago_email).await;
        let (status, listed) = api(&app, "GET", "/api/tasks?status=overdue", &kiri_token, None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(listed.as_array().unwrap().len(), 1);
        let (_, listed) = api(&app, "GET", "/api/tasks?status=overdue", &pago_token, None).await;
        assert_eq!(listed, json!([]));
        // /api/stats.
        let (status, stats) = api(&app, "GET", "/api/stats", &kiri_token, None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(stats, json!({"total": 1, "open": 1, "done": 0, "overdue": 1}));
        let (_, stats) = api(&app, "GET", "/api/stats", &pago_token, None).await;
        assert_eq!(stats, json!({"total": 1, "open": 1, "done": 0, "overdue": 0}));

        // Half a day on, it is still 15 June there (23:30 UTC, 12:30 local)...
        app.clock.set(at("2026-06-15T23:30:00Z"));
        assert_eq!(stat(&dashboard(&pago, "").await, "overdue"), 0);
        // ...and a day on it is 16 June in Pago Pago too (11:30 UTC, 00:30 local).
        app.clock.set(at("2026-06-16T11:30:00Z"));
        let pago_page = dashboard(&pago, "").await;
        assert!(row(&pago_page, pago_task).contains("Overdue"));
        assert_eq!(stat(&pago_page, "overdue"), 1);
        let (_, stats) = api(&app, "GET", "/api/stats", &pago_token, None).await;
        assert_eq!(stats["overdue"], 1);
        // A done task is never overdue.
        let res = pago.post_form(&format!("/tasks/{pago_task}/toggle"), &[]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(stat(&dashboard(&pago, "").await, "overdue"), 0);
    }

    async fn a_zone_change_takes_effect_on_the_next_request(app: TestApp) {
        let email = app.sign_up_in("mover", "Pacific/Pago_Pago").await;
        let id = app.create_task("Call the bank", "high", "2026-06-15").await;
        assert_eq!(stat(&dashboard(&app, "").await, "overdue"), 0);
        // Without JavaScript: the account page's plain form.
        let res = app
            .post_form("/account/time-zone", &[("time_zone", "Pacific/Kiritimati")])
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&res), "/account");
        let account = app.get("/account").await.text().await.unwrap();
        assert!(account.contains("Time zone set to Pacific/Kiritimati."), "the flash says so");
        assert!(account.contains("<option value=\"Pacific/Kiritimati\" selected>"));
        assert!(account.contains("16 Jun 2026, 01:30 +14"), "the local time, in the new zone");
        let page = dashboard(&app, "").await;
        assert_eq!(stat(&page, "overdue"), 1);
        assert!(row(&page, id).contains("Overdue"));
        // The same through the API, and back; another device's session follows at once.
        let token = token(&app, &email).await;
        let (status, me) = api(&app, "GET", "/api/me", &token, None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(me, json!({"email": email, "time_zone": "Pacific/Kiritimati"}));
        let (status, me) = api(&app, "PATCH", "/api/me", &token, Some(json!({"time_zone": "Pacific/Pago_Pago"}))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(me["time_zone"], "Pacific/Pago_Pago");
        assert_eq!(stat(&dashboard(&app, "").await, "overdue"), 0);
        // With htmx: the card comes back with the news, the sessions list out of band.
        let res = app
            .post_htmx("/account/time-zone", &[("time_zone", "Europe/Berlin")])
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let body = res.text().await.unwrap();
        assert!(body.contains("id=\"time-zone\"") && body.contains("Time zone set to Europe/Berlin."));
        assert!(body.contains("id=\"sessions\"") && body.contains("hx-swap-oob"));
        let (_, me) = api(&app, "GET", "/api/me", &token, None).await;
        assert_eq!(me["time_zone"], "Europe/Berlin");
    }

    async fn an_unknown_zone_is_a_clear_error_that_keeps_the_input(app: TestApp) {
        let email = app.sign_up_in("typo", "Europe/Berlin").await;
        for sent in ["Mars/Olympus_Mons", "europe/berlin", ""] {
            let res = app.post_form("/account/time-zone", &[("time_zone", sent)]).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{sent:?}");
            let page = res.text().await.unwrap();
            assert!(page.contains("id=\"time-zone-error\""), "{sent:?}");
            assert!(page.contains(&format!("<option value=\"{sent}\" selected>")), "{sent:?} is kept");
            assert!(page.contains("aria-invalid=\"true\""));
        }
        let res = app.post_htmx("/account/time-zone", &[("time_zone", "Atlantis/Capital")]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let fragment = res.text().await.unwrap();
        assert!(fragment.contains("is not a time zone we know") && !fragment.contains("<html"));
        // Nothing changed.
        let token = token(&app, &email).await;
        let (_, me) = api(&app, "GET", "/api/me", &token, None).await;
        assert_eq!(me["time_zone"], "Europe/Berlin");
        // The API names the field.
        for body in [json!({"time_zone": "Mars/Olympus_Mons"}), json!({"time_zone": 5}), json!({"time_zone": null}), json!({}), json!({"zone": "UTC"})] {
            let (status, problem) = api(&app, "PATCH", "/api/me", &token, Some(body.clone())).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            let named: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
            assert!(named == ["time_zone"] || named == ["zone"], "{body}: {problem}");
        }
        let (_, me) = api(&app, "GET", "/api/me", &token, None).await;
        assert_eq!(me["time_zone"], "Europe/Berlin");
        // Signed out: 401, as every API route.
        let res = app.new_browser().get(app.url("/api/me")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let res = app.new_browser().get(app.url("/api/stats")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }

    async fn sign_up_takes_the_browsers_zone_and_falls_back_to_utc(app: TestApp) {
        let page = app.get("/signup").await.text().await.unwrap();
        assert!(page.contains("name=\"time_zone\" value=\"\""), "the script fills it in");
        assert!(page.contains("Dates will show in UTC."), "without the script, UTC, and it says so");
        let berlin = app.another_browser().sign_up_in("berliner", "Europe/Berlin").await;
        let plain = app.another_browser().sign_up_in("nojs", "").await;
        let odd = app.another_browser().sign_up_in("odd", "Mars/Olympus_Mons").await;
        for (email, zone) in [(berlin, "Europe/Berlin"), (plain, "UTC"), (odd, "UTC")] {
            let token = token(&app, &email).await;
            let (_, me) = api(&app, "GET", "/api/me", &token, None).await;
            assert_eq!(me["time_zone"], zone, "{email}");
        }
        // A refused sign-up keeps the zone the browser sent.
        let res = app
            .post_form(
                "/signup",
                &[("email", "not an email"), ("password", PASSWORD), ("password_confirm", PASSWORD), ("time_zone", "Asia/Tokyo")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = res.text().await.unwrap();
        assert!(page.contains("name=\"time_zone\" value=\"Asia/Tokyo\""));
        assert!(page.contains("Dates will show in your time zone, Asia/Tokyo."));
    }
}

/// Stands the clock at `instant`, then reads the dashboard and one task's page.
async fn at_instant(app: &TestApp, instant: &str, id: i64) -> (String, String) {
    app.clock.set(at(instant));
    let dash = dashboard(app, "").await;
    let page = app.get(&format!("/tasks/{id}")).await.text().await.unwrap();
    (dash, page)
}

both_backends! {
    settings = mid_june;

    async fn daylight_saving_changes_in_new_york_show_the_right_local_dates(app: TestApp) {
        app.sign_up_in("nyc", "America/New_York").await;
        // Created at 04:30 UTC on 9 March 2026: 00:30 EDT on the 9th (the clocks went forward
        // on the 8th; counted as EST it would still be the 8th).
        app.clock.set(at("2026-03-09T04:30:00Z"));
        let id = app.create_task("Pay rent", "high", "2026-03-08").await;
        let (dash, page) = at_instant(&app, "2026-03-09T04:30:00Z", id).await;
        assert!(row(&dash, id).contains(">Mar 9, 2026</time>"), "created on the 9th, local");
        assert!(row(&dash, id).contains("<time datetime=\"2026-03-09\">Mar 9"), "the machine-readable date is the one shown");
        assert!(row(&dash, id).contains("Overdue"), "due the 8th, and it is the 9th");
        assert!(page.contains(">Mar 9, 2026</time>") && page.contains("(overdue)"));
        // An hour earlier it was 23:30 EDT on the 8th: due today, not overdue.
        let (dash, _) = at_instant(&app, "2026-03-09T03:30:00Z", id).await;
        assert!(!row(&dash, id).contains("Overdue"));
        // Autumn: 1 November, 03:30 UTC is 23:30 EDT on 31 October; 04:30 UTC is the 1st.
        app.clock.set(at("2026-11-01T03:30:00Z"));
        let late = app.create_task("Halloween party", "low", "2026-10-31").await;
        let (dash, _) = at_instant(&app, "2026-11-01T03:30:00Z", late).await;
        assert!(row(&dash, late).contains(">Oct 31, 2026</time>"));
        assert!(!row(&dash, late).contains("Overdue"));
        // 06:30 UTC, after the clocks went back: 01:30 EST on the 1st.
        let (dash, _) = at_instant(&app, "2026-11-01T06:30:00Z", late).await;
        assert!(row(&dash, late).contains("Overdue"));
        let account = app.get("/account").await.text().await.unwrap();
        assert!(account.contains("1 Nov 2026, 01:30 EST"), "the local time after the change");
    }

    async fn daylight_saving_changes_in_berlin_show_the_right_local_dates(app: TestApp) {
        app.sign_up_in("berlin", "Europe/Berlin").await;
        // Spring: 22:30 UTC on 29 March 2026 is 00:30 CEST on the 30th (CET would say the
        // 29th, 23:30).
        app.clock.set(at("2026-03-29T22:30:00Z"));
        let spring = app.create_task("Clocks forward", "medium", "2026-03-29").await;
        let (dash, page) = at_instant(&app, "2026-03-29T22:30:00Z", spring).await;
        assert!(row(&dash, spring).contains(">Mar 30, 2026</time>"));
        assert!(row(&dash, spring).contains("Overdue"));
        assert!(page.contains(">Mar 30, 2026</time>"));
        // Autumn: 22:30 UTC on 25 October is 23:30 CET on the 25th (CEST would say the
        // 26th); an hour later it is the 26th.
        app.clock.set(at("2026-10-25T22:30:00Z"));
        let autumn = app.create_task("Clocks back", "medium", "2026-10-25").await;
        let (dash, _) = at_instant(&app, "2026-10-25T22:30:00Z", autumn).await;
        assert!(row(&dash, autumn).contains(">Oct 25, 2026</time>"));
        assert!(!row(&dash, autumn).contains("Overdue"));
        assert_eq!(stat(&dash, "overdue"), 1, "only the spring task");
        let (dash, _) = at_instant(&app, "2026-10-25T23:30:00Z", autumn).await;
        assert!(row(&dash, autumn).contains("Overdue"));
        assert_eq!(stat(&dash, "overdue"), 2);
        let account = app.get("/account").await.text().await.unwrap();
        assert!(account.contains("26 Oct 2026, 00:30 CET"));
    }
}
