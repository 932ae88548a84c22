//! Export: `/tasks/export.csv` and `/tasks/export.json` hold every task of the view (its
//! filters and order, across as many store pages as it takes), every column, cells a
//! spreadsheet would run written as text; by cookie or bearer token; only the caller's tasks.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use task_dashboard::{
    domain::{repeat::Repeat, task::Priority},
    store::ImportTask,
};

use crate::both_backends;

/// The records of an RFC 4180 body (quoted fields may hold commas, quotes and line breaks).
fn records(body: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => assert_eq!(chars.next(), Some('\n'), "records end CRLF"),
            (false, '\n') => panic!("a bare LF ends a record"),
            (false, c) => field.push(c),
        }
        if !quoted && c == '\r' {
            record.push(std::mem::take(&mut field));
            records.push(std::mem::take(&mut record));
        }
    }
    assert!(
        field.is_empty() && record.is_empty(),
        "the body ends with CRLF"
    );
    records
}

both_backends! {
    async fn the_csv_has_every_column_and_writes_formulas_as_text(app: TestApp) {
        let email = app.sign_up("exportcsv").await;
        let token = app.bearer_token(&email).await;
        let mut made = Vec::new();
        for body in [
            json!({"title": "=HYPERLINK(\"http://x\")", "description": "a, \"quoted\"\nsecond line", "priority": "high", "due_date": "2026-12-31", "tags": ["work", "-minus"], "repeat": "monthly"}),
            json!({"title": "Plain", "priority": "low"}),
            json!({"title": "@mention +1", "description": "-2"}),
        ] {
            let res = app.call_api("POST", "/api/tasks", &token, Some(body)).await;
            assert_eq!(res.status(), StatusCode::CREATED);
            made.push(res.json::<Value>().await.unwrap());
        }
        let res = app.get("/tasks/export.csv?sort=title").await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
        let disposition = res.headers()["content-disposition"].to_str().unwrap().to_owned();
        assert!(disposition.starts_with("attachment; filename=\"tasks-") && disposition.ends_with(".csv\""), "{disposition}");
        let rows = records(&res.text().await.unwrap());
        assert_eq!(rows[0], ["title", "description", "is_completed", "priority", "due_date", "tags", "repeat", "created_at", "updated_at"]);
        let by_title: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
        // Title order (A to Z, as the view says), each formula behind a '.
        assert_eq!(by_title, ["'=HYPERLINK(\"http://x\")", "'@mention +1", "Plain"]);
        let first = &rows[1];
        assert_eq!(first[1], "a, \"quoted\"\nsecond line");
        assert_eq!(&first[2..7], ["false", "high", "2026-12-31", "'-minus work", "monthly"]);
        assert_eq!(first[7], made[0]["created_at"].as_str().unwrap().replace("+00:00", "Z"));
        assert_eq!(rows[2][1], "'-2");
        assert_eq!(&rows[3][1..7], ["", "false", "low", "", "", "none"]);

        // The same view as JSON is the API's list of it, whole.
        let res = app.call_api("GET", "/tasks/export.json?sort=title", &token, None).await;
        assert_eq!(res.status(), StatusCode::OK, "a bearer token works too");
        assert_eq!(res.headers()["content-type"], "application/json");
        let exported: Value = res.json().await.unwrap();
        let listed: Value = app.call_api("GET", "/api/tasks?sort=title", &token, None).await.json().await.unwrap();
        assert_eq!(exported, listed);

        // Filters hold: the dashboard's "Export this view" link of the high-priority view
        // exports only the high-priority task.
        let page = app.get("/tasks?priority=high").await.text().await.unwrap();
        let at = page.find("href=\"/tasks/export.csv").expect("an export link") + 6;
        let link = page[at..at + page[at..].find('"').unwrap()].replace("&amp;", "&");
        assert!(link.contains("priority=high"), "{link}");
        let body = app.get(&link).await.text().await.unwrap();
        assert_eq!(records(&body).len(), 2);
        // A view that cannot be read is refused, not exported as something else.
        assert_eq!(app.get("/tasks/export.csv?status=nope").await.status(), StatusCode::BAD_REQUEST);
    }

    async fn a_large_view_is_exported_whole_and_only_the_callers(app: TestApp) {
        let email = app.sign_up("exportbig").await;
        let user = app.user_id(&email).await;
        let start = Utc::now() - Duration::days(30);
        // More than two store pages, some sharing a timestamp (paging breaks ties by id).
        let tasks: Vec<ImportTask> = (0..1_203_i64)
            .map(|i| ImportTask {
                user_id: user,
                title: format!("Task {i}"),
                description: None,
                is_completed: i % 4 == 0,
                priority: Priority::Medium,
                due_date: None,
                created_at: start + Duration::seconds(i / 2),
                repeat: Repeat::None,
                updated_at: None,
                tags: if i % 3 == 0 { vec!["third".to_owned()] } else { Vec::new() },
            })
            .collect();
        app.store.import_tasks(&tasks).await.unwrap();
        let other = app.another_browser();
        let other_email = other.sign_up("exportother").await;
        let other_token = other.bearer_token(&other_email).await;
        other.create_task("Not yours", "medium", "").await;

        let body = app.get("/tasks/export.csv").await.text().await.unwrap();
        let rows = records(&body);
        assert_eq!(rows.len(), 1 + 1_203);
        let titles: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
        // Newest first, as the dashboard's default order.
        assert_eq!(titles.first(), Some(&"Task 1202"));
        assert_eq!(titles.last(), Some(&"Task 0"));
        let mut unique = titles.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 1_203, "no task twice");
        assert!(!body.contains("Not yours"));

        let tagged: Value = app.get("/tasks/export.json?tag=third&status=done").await.json().await.unwrap();
        // i % 3 == 0 and i % 4 == 0: every 12th of 1,203.
        assert_eq!(tagged.as_array().unwrap().len(), 101);

        // The other account's export holds its one task; no session, no export.
        let theirs: Value = other.call_api("GET", "/tasks/export.json", &other_token, None).await.json().await.unwrap();
        assert_eq!(theirs.as_array().unwrap().len(), 1);
        let res = app.new_browser().get(app.url("/tasks/export.csv")).send().await.unwrap();
        assert_ne!(res.status(), StatusCode::OK);
        assert!(!res.text().await.unwrap().contains("Task 1"));
    }
}
