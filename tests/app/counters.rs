//! What the dashboard reads instead of counting (issue 16): the cards' counters that every
//! write keeps in the same transaction (migration 0013), and searches that are not counted.
//! The counters must agree with counting the rows after every kind of write: the API's and
//! the forms', imports, bulk actions and a user's deletion.

use chrono::{Duration, NaiveDate, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use task_dashboard::{domain::task::Priority, store::ImportTask};

use crate::both_backends;
use crate::helpers::{TestApp, rel_link, task_ids};

async fn api(app: &TestApp, method: &str, path: &str, token: &str, body: Option<Value>) -> Value {
    let res = app.call_api(method, path, token, body).await;
    assert!(
        res.status().is_success(),
        "{method} {path}: {}",
        res.status()
    );
    res.json().await.unwrap_or(Value::Null)
}

/// The cards as the counters give them, and as counting every listed row gives them.
async fn cards_and_recount(app: &TestApp, token: &str) -> (Value, Value) {
    let cards = api(app, "GET", "/api/stats", token, None).await;
    let today = Utc::now().date_naive().to_string();
    let (mut total, mut done, mut overdue) = (0, 0, 0);
    let mut path = "/api/tasks?limit=100".to_owned();
    loop {
        let res = app.call_api("GET", &path, token, None).await;
        let next = res.headers().get("link").and_then(|l| {
            let l = l
                .to_str()
                .ok()?
                .split(',')
                .find(|part| part.contains("rel=\"next\""))?;
            let start = l.find('<')? + 1;
            let end = start + l[start..].find('>')?;
            Some(l[start..end].to_owned())
        });
        for task in res.json::<Value>().await.unwrap().as_array().unwrap() {
            total += 1;
            if task["is_completed"] == json!(true) {
                done += 1;
            } else if task["due_date"]
                .as_str()
                .is_some_and(|due| due < today.as_str())
            {
                overdue += 1;
            }
        }
        match next {
            Some(next) => path = next.trim_start_matches(&app.url("")).to_owned(),
            None => break,
        }
    }
    let recount = json!({"total": total, "open": total - done, "done": done, "overdue": overdue});
    (cards, recount)
}

both_backends! {
    async fn the_cards_counters_agree_with_counting_after_every_kind_of_write(app: TestApp) {
        let email = app.sign_up("counted").await;
        let token = app.bearer_token(&email).await;
        let user = app.user_id(&email).await;
        let check = |step: &'static str| {
            let app = &app;
            let token = token.clone();
            async move {
                let (cards, recount) = cards_and_recount(app, &token).await;
                assert_eq!(cards, recount, "after {step}");
                cards
            }
        };
        assert_eq!(check("sign-up").await["total"], 0);

        // An import (multi-row inserts), some done, some overdue, some on the same day.
        let today = Utc::now().date_naive();
        let day = |n: i64| Some(today + Duration::days(n));
        let imported: Vec<ImportTask> = (0..40)
            .map(|i| ImportTask {
                user_id: user,
                title: format!("Imported {i}"),
                description: None,
                is_completed: i % 3 == 0,
                priority: Priority::Medium,
                due_date: [day(-3), day(-1), day(0), day(2), None][i as usize % 5],
                created_at: Utc::now() - Duration::minutes(i),
            })
            .collect();
        app.store.import_tasks(&imported).await.unwrap();
        check("an import").await;

        // The API: create, complete, move a due date into the past, clear it, delete.
        let created = api(&app, "POST", "/api/tasks", &token, Some(json!({"title": "Fresh", "due_date": (today - Duration::days(5)).to_string()}))).await;
        let id = created["id"].as_i64().unwrap();
        check("a create").await;
        api(&app, "PATCH", &format!("/api/tasks/{id}"), &token, Some(json!({"due_date": (today - Duration::days(9)).to_string()}))).await;
        check("a new due date").await;
        api(&app, "PATCH", &format!("/api/tasks/{id}/complete"), &token, None).await;
        check("a completion").await;
        api(&app, "PATCH", &format!("/api/tasks/{id}"), &token, Some(json!({"is_completed": false, "due_date": null}))).await;
        check("a reopen without a date").await;
        api(&app, "DELETE", &format!("/api/tasks/{id}"), &token, None).await;
        check("a delete").await;

        // The forms: toggle, bulk complete, bulk delete.
        let ids = task_ids(&app.get("/tasks?size=10").await.text().await.unwrap());
        assert_eq!(app.post_form(&format!("/tasks/{}/toggle", ids[0]), &[]).await.status(), StatusCode::SEE_OTHER);
        check("a toggle").await;
        let picked: Vec<(&str, String)> = ids[1..6].iter().map(|id| ("ids", id.to_string())).collect();
        let mut fields: Vec<(&str, &str)> = picked.iter().map(|(k, v)| (*k, v.as_str())).collect();
        fields.push(("action", "complete"));
        app.post_form("/tasks/bulk", &fields).await;
        check("a bulk completion").await;
        fields.pop();
        fields.extend([("action", "delete"), ("confirm", "yes")]);
        app.post_form("/tasks/bulk", &fields).await;
        let cards = check("a bulk delete").await;
        assert_eq!(cards["total"], 35);

        // Another account's tasks never count here, and deleting that account (its tasks go
        // with it, through the cascade) leaves these counters alone.
        let other = app.another_browser();
        let other_email = other.sign_up("other").await;
        other.create_task("Theirs", "high", &(today - Duration::days(1)).to_string()).await;
        let other_id = other.user_id(&other_email).await;
        assert_eq!(check("another account's write").await, cards);
        app.sql(&format!("DELETE FROM users WHERE id = {other_id}")).await;
        assert_eq!(check("another account's deletion").await, cards);
    }

    async fn a_search_is_not_counted_and_finds_matches_beyond_the_newest_rows(app: TestApp) {
        let email = app.sign_up("needle").await;
        let user = app.user_id(&email).await;
        let start = Utc::now() - Duration::days(30);
        // 2,100 tasks, newest last; "needle" only in the three oldest (two titles and a
        // note), far past the rows a search reads before it turns to the text index.
        let tasks: Vec<ImportTask> = (0..2_100)
            .map(|i| ImportTask {
                user_id: user,
                title: if i < 2 { format!("Find the needle {i}") } else { format!("Hay {i}") },
                description: (i == 2).then(|| "A needle in here".to_owned()),
                is_completed: false,
                priority: Priority::Low,
                due_date: None::<NaiveDate>,
                created_at: start + Duration::seconds(i),
            })
            .collect();
        app.store.import_tasks(&tasks).await.unwrap();
        let position = |html: &str| {
            let start = html.find("data-position>").expect("a position") + "data-position>".len();
            html[start..start + html[start..].find('<').unwrap()].to_owned()
        };
        let html = app.get("/tasks?q=NEEDLE").await.text().await.unwrap();
        assert_eq!(task_ids(&html).len(), 3, "the oldest rows are found");
        assert_eq!(position(&html), "3 matching tasks");

        // A common text, paged: each page says what it holds, none counts them all.
        let html = app.get("/tasks?q=hay%201&size=50").await.text().await.unwrap();
        assert_eq!(position(&html), "First 50 matching tasks");
        let first = task_ids(&html);
        let html = app.get(&rel_link(&html, "next").unwrap()).await.text().await.unwrap();
        assert_eq!(position(&html), "50 more matching tasks");
        assert!(task_ids(&html).iter().all(|id| !first.contains(id)));
        let html = app.get("/tasks?q=hay%201&size=50&page=last").await.text().await.unwrap();
        // The last page is a whole page, read back from the end.
        assert_eq!(position(&html), "Last 50 matching tasks");
        // Filters without a search still say where the page sits, from the cards' counts.
        let html = app.get("/tasks?status=open&size=100").await.text().await.unwrap();
        assert_eq!(position(&html), "1–100 of 2100 matching tasks");
    }
}
