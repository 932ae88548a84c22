//! SQL metacharacters in every query parameter of the dashboard and the API, and in stored
//! text: a 200 with the literal matches (the caller's only) or a clear 400, never a 500.
//!
//! Held by: bound parameters only; sort keys and filters parsed into enums mapped to fixed
//! SQL; `LIKE` patterns with `%`, `_` and `\` escaped (`TaskFilter::like_pattern`).

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::Value;
use task_dashboard::domain::task::{Priority, TaskInput};

use super::{api, victim};
use crate::both_backends;
use crate::helpers::{task_ids, urlencode};

const METACHARACTERS: &[&str] = &[
    "'",
    "\"",
    ";--",
    "%",
    "_",
    "\\",
    "' OR 1=1 --",
    "' OR '1'='1",
    "%' OR 1=1 --",
    "1; DROP TABLE tasks; --",
    "') UNION SELECT id, email, password_hash FROM users --",
    "$1",
    "?",
    "*",
    "[a-z]",
    "\\%",
    "\u{0}",
    "é' OR 'é",
];

/// Titles that contain the metacharacters, so a literal search has something to find.
const TITLES: &[&str] = &[
    "it's quoted",
    "say \"hi\"",
    "semi;-- colon",
    "100% done",
    "snake_case",
    "back\\slash",
    "' OR 1=1 -- literally",
    "plain words",
    "dollar $1 and ? mark",
];

fn expected(query: &str, titles: &[(i64, &str)]) -> BTreeSet<i64> {
    let q = query.trim().to_lowercase();
    titles
        .iter()
        .filter(|(_, t)| t.to_lowercase().contains(&q))
        .map(|(id, _)| *id)
        .collect()
}

both_backends! {
    async fn sql_metacharacters_in_search_match_literally_and_only_the_callers_tasks(app: TestApp) {
        let a = victim(&app, "alice").await;
        let b = victim(&app.another_browser(), "bob").await;
        let now = chrono::Utc::now();
        let input = |title: &str| TaskInput { title: title.into(), description: None, priority: Priority::Medium, due_date: None, repeat: Default::default(), tags: Vec::new() };
        let mut mine = Vec::new();
        for title in TITLES {
            mine.push((app.store.create_task(a.id, &input(title), false, now).await.unwrap().id, *title));
        }
        // Bob's tasks match every search; none may show up for Alice.
        for title in TITLES {
            app.store.create_task(b.id, &input(&format!("bob {title} %_\\'\"")), false, now).await.unwrap();
        }
        for q in METACHARACTERS {
            let path = format!("/tasks?q={}", urlencode(q));
            let res = app.get(&path).await;
            if q.contains('\u{0}') {
                assert!(matches!(res.status(), StatusCode::OK | StatusCode::BAD_REQUEST), "{q:?}: {}", res.status());
            } else {
                assert_eq!(res.status(), StatusCode::OK, "{q:?}");
                let seen: BTreeSet<i64> = task_ids(&res.text().await.unwrap()).into_iter().collect();
                assert_eq!(seen, expected(q, &mine), "page search {q:?} matches literally");
            }
            let res = api(&app, "GET", &format!("/api/tasks?q={}", urlencode(q)), &a.token, None).await;
            if q.contains('\u{0}') {
                assert!(matches!(res.status(), StatusCode::OK | StatusCode::BAD_REQUEST), "API {q:?}: {}", res.status());
            } else {
                assert_eq!(res.status(), StatusCode::OK, "API {q:?}");
                let tasks: Vec<Value> = res.json().await.unwrap();
                assert!(tasks.iter().all(|t| t["user_id"] == serde_json::json!(a.id)), "API {q:?}: only Alice's");
                let seen: BTreeSet<i64> = tasks.iter().map(|t| t["id"].as_i64().unwrap()).collect();
                assert_eq!(seen, expected(q, &mine), "API search {q:?} matches literally");
            }
        }
        // The tables are all still there.
        assert_eq!(app.get("/tasks").await.status(), StatusCode::OK);
    }

    async fn sql_metacharacters_in_every_other_query_parameter_are_refused_or_ignored(app: TestApp) {
        let v = victim(&app, "params").await;
        app.create_task("something", "low", "").await;
        // The dashboard ignores them, visibly, and shows the default view; the API refuses.
        for param in ["status", "priority", "sort", "dir", "size", "after", "before", "page"] {
            for value in METACHARACTERS {
                let path = format!("/tasks?{param}={}", urlencode(value));
                let body = app.get(&path).await.text().await.unwrap();
                assert!(body.contains("data-ignored-view") && body.contains("something"), "{path}");
                let res = app.get_htmx(&path).await;
                assert_eq!(res.status(), StatusCode::OK, "htmx {path}");
                assert!(res.text().await.unwrap().contains("data-ignored-view"), "htmx {path}");
            }
        }
        for param in ["status", "priority", "sort", "dir", "limit", "cursor"] {
            for value in METACHARACTERS {
                let path = format!("/api/tasks?{param}={}", urlencode(value));
                let res = api(&app, "GET", &path, &v.token, None).await;
                assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{path}");
                assert_eq!(res.headers()["content-type"], "application/json");
            }
        }
    }

    async fn a_forged_cursor_carrying_sql_pages_only_the_callers_tasks(app: TestApp) {
        use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
        let v = victim(&app, "cursor").await;
        let other = victim(&app.another_browser(), "other").await;
        let now = chrono::Utc::now();
        let input = |title: &str| TaskInput { title: title.into(), description: None, priority: Priority::High, due_date: None, repeat: Default::default(), tags: Vec::new() };
        let mine = app.store.create_task(v.id, &input("mine"), false, now).await.unwrap().id;
        app.store.create_task(other.id, &input("theirs"), false, now).await.unwrap();
        for (sort, value) in [
            ("title", "t:' OR 1=1 --"),
            ("title", "t:a') OR ('1'='1"),
            ("title", "t:\u{0}"),
            ("title", "t:%"),
            ("priority", "p:3 OR 1=1"),
            ("due", "d:2026-01-01' OR '1'='1"),
            ("created", "c:0 OR 1=1"),
            ("created", "c:99999999999999999999"),
        ] {
            for id in ["0", "-1", "9223372036854775807", "1 OR 1=1"] {
                let cursor = URL_SAFE_NO_PAD.encode(format!("{id}|{value}"));
                let path = format!("/tasks?sort={sort}&after={cursor}");
                let res = app.get(&path).await;
                assert!(matches!(res.status(), StatusCode::OK | StatusCode::BAD_REQUEST), "{id}|{value}: {}", res.status());
                if res.status() == StatusCode::OK {
                    let seen = task_ids(&res.text().await.unwrap());
                    assert!(seen.iter().all(|s| *s == mine), "{id}|{value}: {seen:?}");
                }
                let res = api(&app, "GET", &format!("/api/tasks?sort={sort}&cursor={cursor}"), &v.token, None).await;
                assert!(matches!(res.status(), StatusCode::OK | StatusCode::BAD_REQUEST), "API {id}|{value}: {}", res.status());
                if res.status() == StatusCode::OK {
                    let tasks: Vec<Value> = res.json().await.unwrap();
                    assert!(tasks.iter().all(|t| t["id"] == serde_json::json!(mine)), "API {id}|{value}");
                }
            }
        }
    }

    async fn sql_in_stored_text_is_stored_literally(app: TestApp) {
        let v = victim(&app, "stored").await;
        for text in ["'); DROP TABLE tasks; --", "\" OR \"\"=\"", "Robert'); DELETE FROM users WHERE ('1'='1", "\\'; --"] {
            let id = app.create_task(text, "low", "").await;
            let t = app.store.get_task(v.id, id).await.unwrap().unwrap();
            assert_eq!(t.title, text);
            let res = api(&app, "POST", "/api/tasks", &v.token, Some(serde_json::json!({"title": text, "description": text}))).await;
            assert_eq!(res.status(), StatusCode::CREATED);
        }
        let res = app.post_form("/tasks/bulk", &[("action", "delete"), ("ids", "1 OR 1=1")]).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let res = app.post_form("/tasks/bulk", &[("action", "delete' OR '1'='1"), ("ids", "1")]).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let tasks: Vec<Value> = api(&app, "GET", "/api/tasks", &v.token, None).await.json().await.unwrap();
        assert_eq!(tasks.len(), 8, "every task stored, none lost");
        assert!(app.store.find_credentials(&v.email).await.unwrap().is_some(), "users intact");
    }

    async fn text_with_a_nul_byte_is_refused_or_stored_never_a_500(app: TestApp) {
        let v = victim(&app, "nul").await;
        let res = app.post_form("/tasks", &[("title", "nul \u{0} byte"), ("description", "and \u{0} here")]).await;
        assert!(matches!(res.status(), StatusCode::SEE_OTHER | StatusCode::UNPROCESSABLE_ENTITY), "form: {}", res.status());
        let res = api(&app, "POST", "/api/tasks", &v.token, Some(serde_json::json!({"title": "nul \u{0} byte"}))).await;
        assert!(matches!(res.status(), StatusCode::CREATED | StatusCode::UNPROCESSABLE_ENTITY), "API: {}", res.status());
        let res = app.sign_in("nul\u{0}@example.com", "x\u{0}y").await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
}
