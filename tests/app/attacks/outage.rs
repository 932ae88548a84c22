//! The database going away: every kind of client gets a 503 with `Retry-After` (never a
//! sign-out, never a 500 with internals), a write sent during the outage leaves nothing half
//! done, and once the database is back the app recovers and a retried write lands once.
//!
//! Held by: `error::is_unavailable` mapping connection failures to `AppError::Unavailable`,
//! the error renderer's 503 with `Retry-After`, one statement (or one transaction, for bulk
//! actions) per write, and the pool reconnecting by itself.

use std::time::Duration;

use chrono::NaiveDate;
use reqwest::StatusCode;
use serde_json::{Value, json};
use task_dashboard::domain::task::TaskFilter;

use super::{api, assert_no_internals, victim};
use crate::both_backends;
use crate::helpers::TestApp;

async fn assert_unavailable(res: reqwest::Response, what: &str) -> String {
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "{what}");
    let retry = res
        .headers()
        .get("retry-after")
        .unwrap_or_else(|| panic!("{what}: no Retry-After"));
    assert!(
        retry.to_str().unwrap().parse::<u32>().is_ok_and(|s| s > 0),
        "{what}: {retry:?}"
    );
    assert!(
        res.headers().get("location").is_none(),
        "{what}: an outage is not a sign-out"
    );
    assert!(
        res.headers().get("hx-redirect").is_none(),
        "{what}: an outage is not a sign-out"
    );
    let body = res.text().await.unwrap();
    assert_no_internals(&body, what);
    body
}

/// Waits (briefly) until the app answers `path` with 200 again.
async fn until_recovered(app: &TestApp, path: &str) {
    for _ in 0..40 {
        if app.get(path).await.status() == StatusCode::OK {
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("the app did not recover");
}

both_backends! {
    async fn an_outage_answers_503_with_retry_after_to_pages_fragments_and_the_api(app: TestApp) {
        let v = victim(&app, "outage").await;
        let id = app.create_task("Survives", "low", "").await;
        let held = app.stop_database().await;
        let page = assert_unavailable(app.get("/tasks").await, "page").await;
        assert!(page.contains("<html"), "a full page without JavaScript");
        let fragment = assert_unavailable(app.get_htmx("/tasks?status=open").await, "fragment").await;
        assert!(fragment.contains("data-error-state") && !fragment.contains("<html"), "a fragment for htmx");
        let _ = assert_unavailable(app.get(&format!("/tasks/{id}")).await, "task page").await;
        let _ = assert_unavailable(api(&app, "GET", "/api/tasks", &v.token, None).await, "API list").await;
        let _ = assert_unavailable(api(&app, "GET", &format!("/api/tasks/{id}"), &v.token, None).await, "API task").await;
        let _ = assert_unavailable(app.get("/readyz").await, "readiness").await;
        assert_eq!(app.get("/healthz").await.status(), StatusCode::OK, "alive, just not ready");
        app.start_database(held).await;
        until_recovered(&app, "/tasks").await;
        let tasks: Vec<Value> = api(&app, "GET", "/api/tasks", &v.token, None).await.json().await.unwrap();
        assert_eq!(tasks.len(), 1, "nothing lost");
    }

    async fn a_write_during_an_outage_is_not_half_applied_and_a_retry_lands_once(app: TestApp) {
        let v = victim(&app, "write").await;
        let a = app.create_task("First", "low", "").await;
        let b = app.create_task("Second", "low", "").await;
        let (a_s, b_s) = (a.to_string(), b.to_string());
        let held = app.stop_database().await;
        let _ = assert_unavailable(app.post_form("/tasks", &[("title", "Written in the dark"), ("priority", "high")]).await, "create").await;
        let _ = assert_unavailable(app.post_htmx("/tasks", &[("title", "Written in the dark"), ("view", "")]).await, "htmx create").await;
        let _ = assert_unavailable(app.post_form("/tasks/bulk", &[("action", "complete"), ("ids", &a_s), ("ids", &b_s)]).await, "bulk").await;
        let _ = assert_unavailable(app.post_form(&format!("/tasks/{a}"), &[("title", "Renamed in the dark"), ("priority", "low"), ("version", "1")]).await, "update").await;
        let _ = assert_unavailable(api(&app, "POST", "/api/tasks", &v.token, Some(json!({"title": "Written in the dark"}))).await, "API create").await;
        let _ = assert_unavailable(api(&app, "PATCH", &format!("/api/tasks/{b}/complete"), &v.token, None).await, "API toggle").await;
        app.start_database(held).await;
        until_recovered(&app, "/tasks").await;

        let all = TaskFilter::default();
        assert_eq!(app.store.count_tasks(v.id, &all, NaiveDate::MIN).await.unwrap(), 2, "no create was applied");
        for id in [a, b] {
            let t = app.store.get_task(v.id, id).await.unwrap().unwrap();
            assert_eq!((t.is_completed, t.version), (false, 1), "the bulk action and the update left no trace");
        }
        // The user retries: each write lands exactly once.
        assert_eq!(app.post_form("/tasks", &[("title", "Written in the dark"), ("priority", "high")]).await.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.post_form("/tasks/bulk", &[("action", "complete"), ("ids", &a_s), ("ids", &b_s)]).await.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.post_form(&format!("/tasks/{a}"), &[("title", "Renamed"), ("priority", "low"), ("version", "2")]).await.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.store.count_tasks(v.id, &all, NaiveDate::MIN).await.unwrap(), 3, "one new task, not two");
        let a_now = app.store.get_task(v.id, a).await.unwrap().unwrap();
        assert_eq!((a_now.title.as_str(), a_now.is_completed, a_now.version), ("Renamed", true, 3));
        let b_now = app.store.get_task(v.id, b).await.unwrap().unwrap();
        assert_eq!((b_now.is_completed, b_now.version), (true, 2), "completed once");
    }

    async fn signing_in_during_an_outage_is_503_not_wrong_password(app: TestApp) {
        let email = app.sign_up("signin").await;
        app.post_form("/logout", &[]).await;
        let held = app.stop_database().await;
        let _ = assert_unavailable(app.sign_in(&email, crate::helpers::PASSWORD).await, "sign-in").await;
        let res = crate::attacks::new_client().post(app.url("/api/auth/token")).json(&json!({"email": email, "password": crate::helpers::PASSWORD})).send().await.unwrap();
        let _ = assert_unavailable(res, "API sign-in").await;
        app.start_database(held).await;
        until_recovered(&app, "/readyz").await;
        assert_eq!(app.sign_in(&email, crate::helpers::PASSWORD).await.status(), StatusCode::SEE_OTHER);
    }
}

/// SQLite only: a write whose commit fails is never answered as saved. A full disk or a
/// read-only file system fails the commit of an autocommit write as it finishes, after its
/// `RETURNING` row has been read; here a deferred constraint, which SQLite checks at that
/// same moment, stands in for them (`bench/faults` runs the real ones). Held by
/// `store::written`: stepping each returning write to its end, so that the commit's error is
/// the caller's. Without it create, edit and delete answered 201, 200 and 204 and the
/// writes were gone (or the task still there).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_whose_commit_fails_is_never_answered_as_saved() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite).await;
    let v = victim(&app, "commit").await;
    let created = api(
        &app,
        "POST",
        "/api/tasks",
        &v.token,
        Some(json!({"title": "Kept"})),
    )
    .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let kept: Value = created.json().await.unwrap();
    let id = kept["id"].as_i64().unwrap();
    app.sql(
        "CREATE TABLE commit_guard_parent (id INTEGER PRIMARY KEY); \
         CREATE TABLE commit_guard (parent INTEGER \
             REFERENCES commit_guard_parent (id) DEFERRABLE INITIALLY DEFERRED); \
         CREATE TRIGGER fail_insert_commit AFTER INSERT ON tasks \
             BEGIN INSERT INTO commit_guard VALUES (1); END; \
         CREATE TRIGGER fail_update_commit AFTER UPDATE ON tasks \
             BEGIN INSERT INTO commit_guard VALUES (1); END; \
         CREATE TRIGGER fail_delete_commit AFTER DELETE ON tasks \
             BEGIN INSERT INTO commit_guard VALUES (1); END;",
    )
    .await;
    let path = format!("/api/tasks/{id}");
    let create = api(
        &app,
        "POST",
        "/api/tasks",
        &v.token,
        Some(json!({"title": "Lost"})),
    )
    .await;
    assert!(
        !create.status().is_success(),
        "create answered {}",
        create.status()
    );
    let edit = api(
        &app,
        "PATCH",
        &path,
        &v.token,
        Some(json!({"title": "Changed"})),
    )
    .await;
    assert!(
        !edit.status().is_success(),
        "edit answered {}",
        edit.status()
    );
    let toggle = api(
        &app,
        "PATCH",
        &format!("{path}/complete"),
        &v.token,
        Some(json!({"is_completed": true})),
    )
    .await;
    assert!(
        !toggle.status().is_success(),
        "completing answered {}",
        toggle.status()
    );
    let delete = api(&app, "DELETE", &path, &v.token, None).await;
    assert!(
        !delete.status().is_success(),
        "delete answered {}",
        delete.status()
    );

    let tasks: Vec<Value> = api(&app, "GET", "/api/tasks", &v.token, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    assert_eq!(tasks[0]["title"], "Kept");
    assert_eq!(tasks[0]["is_completed"], false);
    assert_eq!(tasks[0]["version"], kept["version"]);
}
