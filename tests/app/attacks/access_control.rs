//! Another signed-up user probing ids, fields and cursors.
//!
//! Held by: every store query naming the owner in its own `WHERE` (`src/store/tasks.rs`, `task_list.rs`), `bulk`
//! passing over (and counting alike) ids that are missing or someone else's, the strict JSON reader (`read_json` refuses
//! server-owned fields) and typed forms (unknown fields are never written).

use chrono::NaiveDate;
use reqwest::StatusCode;
use serde_json::{Value, json};
use task_dashboard::domain::task::TaskFilter;

use super::{api, normalized, victim};
use crate::both_backends;
use crate::helpers::{TestApp, rel_link, task_ids};

/// The owner's task as the store holds it, to show nothing changed.
async fn state_of(app: &TestApp, owner: i64, id: i64) -> (String, Option<String>, bool, i64, i64) {
    let t = app
        .store
        .get_task(owner, id)
        .await
        .unwrap()
        .expect("the owner's task is still there");
    let count = app
        .store
        .count_tasks(owner, &TaskFilter::default(), NaiveDate::MIN)
        .await
        .unwrap();
    (t.title, t.description, t.is_completed, t.version, count)
}

both_backends! {
    async fn another_users_task_id_answers_404_like_a_missing_one_on_every_page_route(app: TestApp) {
        let owner = victim(&app, "owner").await;
        let theirs = app.create_task("Owner's secret plan", "high", "").await;
        let intruder = app.another_browser();
        let intruder_uid = app.user_id(&intruder.sign_up("intruder").await).await;
        let mine = intruder.create_task("Intruder's own", "low", "").await;
        let missing = theirs + 1_000_000;
        let before = state_of(&app, owner.id, theirs).await;

        for suffix in ["", "/edit", "/delete"] {
            for htmx in [false, true] {
                let get = |id: i64| {
                    let intruder = &intruder;
                    let path = format!("/tasks/{id}{suffix}");
                    async move { if htmx { intruder.get_htmx(&path).await } else { intruder.get(&path).await } }
                };
                let (foreign, absent) = (get(theirs).await, get(missing).await);
                assert_eq!(foreign.status(), StatusCode::NOT_FOUND, "GET /tasks/{{theirs}}{suffix} htmx={htmx}");
                assert_eq!(absent.status(), StatusCode::NOT_FOUND);
                let (foreign, absent) = (foreign.text().await.unwrap(), absent.text().await.unwrap());
                assert!(!foreign.contains("secret plan"));
                assert_eq!(normalized(&foreign), normalized(&absent), "GET {suffix} htmx={htmx}: the same body as a missing task");
            }
        }
        let (theirs_s, missing_s) = (theirs.to_string(), missing.to_string());
        // The id the request named, where an answer repeats it (an inline editor's row).
        let unid = |body: String, id: i64| {
            body.replace(&format!("task-{id}\""), "task-ID\"")
                .replace(&format!("edit-{id}-"), "edit-ID-")
        };
        let posts: Vec<(&str, Vec<(&str, &str)>)> = vec![
            ("", vec![("title", "pwned"), ("priority", "low"), ("version", "1")]),
            ("", vec![("title", ""), ("priority", "low"), ("version", "1")]),
            ("/toggle", vec![]),
            ("/delete", vec![]),
        ];
        for (suffix, form) in &posts {
            for htmx in [false, true] {
                let post = |id: i64| {
                    let intruder = &intruder;
                    let path = format!("/tasks/{id}{suffix}");
                    async move { if htmx { intruder.post_htmx(&path, form).await } else { intruder.post_form(&path, form).await } }
                };
                // A task deleted in another tab is answered calmly (redirect and message, or
                // the refreshed list), and someone else's exactly alike, but for the id sent.
                let (foreign, absent) = (post(theirs).await, post(missing).await);
                assert_eq!(foreign.status(), absent.status(), "POST {suffix} {form:?} htmx={htmx}");
                assert!(foreign.status() == StatusCode::OK || foreign.status() == StatusCode::SEE_OTHER, "{}", foreign.status());
                assert_eq!(foreign.headers().get("location"), absent.headers().get("location"));
                let foreign = unid(foreign.text().await.unwrap(), theirs);
                let absent = unid(absent.text().await.unwrap(), missing);
                assert!(!foreign.contains("secret plan"));
                assert_eq!(normalized(&foreign), normalized(&absent), "POST {suffix} htmx={htmx}");
            }
        }
        // Bulk: someone else's ids are passed over and counted exactly like missing ones; the
        // intruder's own tasks in the same request are acted on either way.
        for action in ["complete", "reopen", "delete"] {
            for htmx in [false, true] {
                let bulk = |own: i64, other: &str| {
                    let intruder = &intruder;
                    let (own, other) = (own.to_string(), other.to_owned());
                    async move {
                        let form = [("action", action), ("confirm", "yes"), ("view", ""), ("ids", own.as_str()), ("ids", other.as_str())];
                        let res = if htmx { intruder.post_htmx("/tasks/bulk", &form).await } else { intruder.post_form("/tasks/bulk", &form).await };
                        let status = res.status();
                        let body = if htmx { res.text().await.unwrap() } else { intruder.get("/tasks").await.text().await.unwrap() };
                        (status, body)
                    }
                };
                let (a, b) = (intruder.create_task("Own A", "low", "").await, intruder.create_task("Own B", "low", "").await);
                if action == "reopen" {
                    for id in [a, b] { intruder.post_form(&format!("/tasks/{id}/toggle"), &[]).await; }
                }
                let (foreign_status, foreign) = bulk(a, &theirs_s).await;
                let (absent_status, absent) = bulk(b, &missing_s).await;
                assert_eq!(foreign_status, absent_status, "bulk {action} htmx={htmx}");
                let said = |body: &str| body.lines().filter(|l| l.contains("already deleted elsewhere")).map(str::trim).map(|l| l.replace("Own A", "Own").replace("Own B", "Own")).collect::<Vec<_>>();
                assert!(!said(&foreign).is_empty(), "bulk {action} htmx={htmx}: the gone id is reported: {foreign}");
                assert_eq!(said(&foreign), said(&absent), "bulk {action} htmx={htmx}: the same words for theirs and a missing one");
                assert!(!foreign.contains("secret plan"));
                for id in [a, b] {
                    let now = app.store.get_task(intruder_uid, id).await.unwrap();
                    match action {
                        "complete" => assert!(now.unwrap().is_completed, "own task {id} completed"),
                        "reopen" => assert!(!now.unwrap().is_completed, "own task {id} reopened"),
                        _ => assert!(now.is_none(), "own task {id} deleted"),
                    }
                }
                for id in [a, b] { intruder.post_form(&format!("/tasks/{id}/delete"), &[]).await; }
            }
        }
        assert_eq!(state_of(&app, owner.id, theirs).await, before, "the owner's task is untouched");
        assert_eq!(task_ids(&intruder.get("/tasks").await.text().await.unwrap()), vec![mine], "only the intruder's own tasks changed");
    }

    async fn another_users_task_id_answers_404_like_a_missing_one_on_every_api_verb(app: TestApp) {
        let owner = victim(&app, "owner").await;
        let intruder = victim(&app.another_browser(), "intruder").await;
        let task: Value = api(&app, "POST", "/api/tasks", &owner.token, Some(json!({"title": "mine", "description": "secret"}))).await.json().await.unwrap();
        let id = task["id"].as_i64().unwrap();
        let missing = id + 1_000_000;
        let calls: Vec<(&str, &str, Option<Value>)> = vec![
            ("GET", "", None),
            ("PUT", "", Some(json!({"title": "pwned"}))),
            ("PUT", "", Some(json!({"title": "pwned", "version": 1}))),
            ("PATCH", "", Some(json!({"title": "pwned"}))),
            ("PATCH", "", Some(json!({"is_completed": true}))),
            ("PATCH", "/complete", None),
            ("PATCH", "/complete", Some(json!({"is_completed": true}))),
            ("DELETE", "", None),
        ];
        for (method, suffix, body) in calls {
            let foreign = api(&app, method, &format!("/api/tasks/{id}{suffix}"), &intruder.token, body.clone()).await;
            let absent = api(&app, method, &format!("/api/tasks/{missing}{suffix}"), &intruder.token, body.clone()).await;
            assert_eq!(foreign.status(), StatusCode::NOT_FOUND, "{method} {suffix} {body:?}");
            assert_eq!(absent.status(), StatusCode::NOT_FOUND);
            let (foreign, absent): (Value, Value) = (foreign.json().await.unwrap(), absent.json().await.unwrap());
            let strip = |mut v: Value| { v.as_object_mut().unwrap().remove("request_id"); v };
            assert_eq!(strip(foreign), strip(absent), "{method} {suffix}: the same body as a missing task");
        }
        let list: Vec<Value> = api(&app, "GET", "/api/tasks", &intruder.token, None).await.json().await.unwrap();
        assert!(list.is_empty(), "the owner's task is not in the intruder's list");
        let unchanged: Value = api(&app, "GET", &format!("/api/tasks/{id}"), &owner.token, None).await.json().await.unwrap();
        assert_eq!(unchanged, task, "nothing changed");
    }

    async fn server_owned_fields_in_a_form_are_never_written(app: TestApp) {
        let owner = victim(&app, "owner").await;
        let owner_task = app.create_task("Owner's", "medium", "").await;
        let intruder = app.another_browser();
        let intruder_email = intruder.sign_up("intruder").await;
        let intruder_id = app.user_id(&intruder_email).await;
        let owner_s = owner.id.to_string();
        let owner_task_s = owner_task.to_string();
        let res = intruder.post_form("/tasks", &[
            ("title", "planted"), ("priority", "low"), ("user_id", &owner_s), ("id", &owner_task_s),
            ("created_at", "2000-01-01T00:00:00Z"), ("updated_at", "2000-01-01T00:00:00Z"), ("version", "99"), ("is_completed", "true"),
        ]).await;
        assert!(res.status() == StatusCode::SEE_OTHER || res.status() == StatusCode::UNPROCESSABLE_ENTITY, "{}", res.status());
        assert_eq!(app.store.count_tasks(owner.id, &TaskFilter::default(), NaiveDate::MIN).await.unwrap(), 1, "nothing planted in the owner's list");
        let planted = task_ids(&intruder.get("/tasks").await.text().await.unwrap());
        for id in planted {
            let t = app.store.get_task(intruder_id, id).await.unwrap().unwrap();
            assert_ne!(t.id, owner_task);
            assert_eq!((t.user_id, t.version, t.is_completed), (intruder_id, 1, false), "server-owned fields are the server's");
            assert!(t.created_at > chrono::Utc::now() - chrono::Duration::minutes(5));
        }
        // An update cannot move a task to another owner either.
        let own = intruder.create_task("Intruder's", "low", "").await;
        let res = intruder.post_form(&format!("/tasks/{own}"), &[("title", "moved?"), ("priority", "low"), ("version", "1"), ("user_id", &owner_s), ("id", &owner_task_s)]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let t = app.store.get_task(intruder_id, own).await.unwrap().expect("still the intruder's, same id");
        assert_eq!((t.title.as_str(), t.user_id), ("moved?", intruder_id));
        let owners = app.store.get_task(owner.id, owner_task).await.unwrap().unwrap();
        assert_eq!(owners.title, "Owner's", "the id named in the form was not touched");
    }

    async fn server_owned_fields_in_json_are_refused_with_422(app: TestApp) {
        let owner = victim(&app, "owner").await;
        let intruder = victim(&app.another_browser(), "intruder").await;
        let task: Value = api(&app, "POST", "/api/tasks", &intruder.token, Some(json!({"title": "own"}))).await.json().await.unwrap();
        let path = format!("/api/tasks/{}", task["id"]);
        for field in ["user_id", "id", "created_at", "updated_at", "owner"] {
            let value = if field == "user_id" || field == "id" { json!(owner.id) } else { json!("2000-01-01T00:00:00Z") };
            let res = api(&app, "POST", "/api/tasks", &intruder.token, Some(json!({"title": "x", field: value}))).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "POST with {field}");
            let body: Value = res.json().await.unwrap();
            assert!(body["errors"].as_array().unwrap().iter().any(|e| e["field"] == field), "{field} is named: {body}");
            for method in ["PUT", "PATCH"] {
                let res = api(&app, method, &path, &intruder.token, Some(json!({"title": "x", field: value}))).await;
                assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{method} with {field}");
            }
        }
        // `version` is a precondition, never a value to write.
        let res = api(&app, "PATCH", &path, &intruder.token, Some(json!({"version": 999}))).await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        let now: Value = api(&app, "GET", &path, &intruder.token, None).await.json().await.unwrap();
        assert_eq!(now, task, "nothing was written");
        let owners: Vec<Value> = api(&app, "GET", "/api/tasks", &owner.token, None).await.json().await.unwrap();
        assert!(owners.is_empty(), "nothing reached the owner");
    }

    async fn a_cursor_replayed_by_another_user_shows_only_their_own_tasks(app: TestApp) {
        let a = victim(&app, "alice").await;
        let b_app = app.another_browser();
        let b = victim(&b_app, "bob").await;
        let now = chrono::Utc::now();
        let input = |title: String| task_dashboard::domain::task::TaskInput { title, description: None, priority: task_dashboard::domain::task::Priority::Medium, due_date: None, repeat: Default::default(), tags: Vec::new() };
        let mut a_ids = Vec::new();
        for i in 0..12 {
            a_ids.push(app.store.create_task(a.id, &input(format!("alice {i:02}")), false, now).await.unwrap().id);
        }
        let mut b_ids = Vec::new();
        for i in 0..3 {
            b_ids.push(app.store.create_task(b.id, &input(format!("bob {i:02}")), false, now).await.unwrap().id);
        }
        for sort in ["", "&sort=title", "&sort=priority", "&sort=due&dir=desc"] {
            let page = app.get(&format!("/tasks?size=10{sort}")).await.text().await.unwrap();
            let next = rel_link(&page, "next").expect("Alice has a second page");
            let replayed = b_app.get(&next).await;
            assert_eq!(replayed.status(), StatusCode::OK, "{next}");
            let seen = task_ids(&replayed.text().await.unwrap());
            assert!(seen.iter().all(|id| b_ids.contains(id)), "{sort}: only Bob's tasks: {seen:?}");
            let replayed = b_app.get_htmx(&next).await.text().await.unwrap();
            assert!(task_ids(&replayed).iter().all(|id| b_ids.contains(id)), "{sort}: fragment");
            assert!(!replayed.contains("alice"), "{sort}: no title leaks");
        }
        let res = api(&app, "GET", "/api/tasks?limit=5", &a.token, None).await;
        let link = res.headers()["link"].to_str().unwrap().to_owned();
        let next = &link[1..link.find('>').unwrap()];
        let replayed: Vec<Value> = api(&app, "GET", next, &b.token, None).await.json().await.unwrap();
        assert!(replayed.iter().all(|t| t["user_id"] == json!(b.id)), "API: only Bob's: {replayed:?}");
        assert!(replayed.iter().all(|t| !a_ids.contains(&t["id"].as_i64().unwrap())));
    }
}
