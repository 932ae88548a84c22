//! Concurrent writes through the API (issue 12): without a version the last writer wins;
//! with `version` a stale write is a 409 carrying the task as it is now; `ETag` and
//! `If-Match` work as HTTP clients expect (412 on a mismatch); a write that changes nothing
//! leaves the version and `updated_at` alone.

use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::TestApp;

async fn send(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    if_match: Option<&str>,
    body: Option<Value>,
) -> Response {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = app
        .new_browser()
        .request(method, app.url(path))
        .bearer_auth(token);
    if let Some(tag) = if_match {
        req = req.header("If-Match", tag);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    req.send().await.unwrap()
}

async fn new_task(app: &TestApp, token: &str, body: Value) -> Value {
    let res = send(app, token, "POST", "/api/tasks", None, Some(body)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

both_backends! {
    async fn without_a_version_parallel_writes_all_apply_and_the_last_one_wins(app: TestApp) {
        let email = app.sign_up("race").await;
        let token = app.bearer_token(&email).await;
        let task = new_task(&app, &token, json!({"title": "Race"})).await;
        let path = format!("/api/tasks/{}", task["id"]);
        let writes = (0..20).map(|i| {
            let (app, token, path) = (&app, &token, &path);
            async move { send(app, token, "PATCH", path, None, Some(json!({"title": format!("Writer {i}")}))).await.status() }
        });
        let statuses = futures_util::future::join_all(writes).await;
        assert!(statuses.iter().all(|s| *s == StatusCode::OK), "{statuses:?}");
        let now: Value = send(&app, &token, "GET", &path, None, None).await.json().await.unwrap();
        assert!(now["title"].as_str().unwrap().starts_with("Writer "));
        assert_eq!(now["version"], 21, "each write counted once");
    }

    async fn a_stale_version_is_a_409_that_carries_the_task_as_it_is_now(app: TestApp) {
        let email = app.sign_up("stale").await;
        let token = app.bearer_token(&email).await;
        let task = new_task(&app, &token, json!({"title": "Original"})).await;
        let path = format!("/api/tasks/{}", task["id"]);
        send(&app, &token, "PATCH", &path, None, Some(json!({"title": "Theirs", "version": 1}))).await;
        let res = send(&app, &token, "PATCH", &path, None, Some(json!({"title": "Mine", "version": 1}))).await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["current_version"], 2);
        assert_eq!(body["current"]["title"], "Theirs");
        assert!(body["detail"].as_str().unwrap().contains("version 2"), "{body}");
    }

    async fn etag_and_if_match_guard_writes_with_412(app: TestApp) {
        let email = app.sign_up("etag").await;
        let token = app.bearer_token(&email).await;
        let task = new_task(&app, &token, json!({"title": "Tagged"})).await;
        let path = format!("/api/tasks/{}", task["id"]);
        let res = send(&app, &token, "GET", &path, None, None).await;
        assert_eq!(res.headers()["etag"], "\"1\"");
        let res = send(&app, &token, "PATCH", &path, Some("\"1\""), Some(json!({"title": "Tagged twice"}))).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["etag"], "\"2\"");
        for (method, body) in [("PATCH", Some(json!({"title": "Late"}))), ("PUT", Some(json!({"title": "Late"}))), ("DELETE", None)] {
            let res = send(&app, &token, method, &path, Some("\"1\""), body).await;
            assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED, "{method}");
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["current_version"], 2, "{method}");
            assert_eq!(body["current"]["title"], "Tagged twice", "{method}");
        }
        let res = send(&app, &token, "PATCH", &format!("{path}/complete"), Some("W/\"2\""), None).await;
        assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED, "a weak tag never matches");
        let res = send(&app, &token, "PATCH", &path, Some("not a tag"), Some(json!({"title": "x"}))).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let res = send(&app, &token, "PATCH", &format!("{path}/complete"), Some("*"), None).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["etag"], "\"3\"");
        let res = send(&app, &token, "DELETE", &path, Some("\"3\""), None).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let res = send(&app, &token, "DELETE", &path, Some("*"), None).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "gone is 404, whatever the condition");
    }

    async fn a_write_that_changes_nothing_keeps_the_version_and_the_time(app: TestApp) {
        let email = app.sign_up("noop").await;
        let token = app.bearer_token(&email).await;
        let task = new_task(&app, &token, json!({"title": "Done at birth", "is_completed": true, "description": "d"})).await;
        assert_eq!(task["version"], 1, "created done, still version 1");
        assert_eq!(task["is_completed"], true);
        let path = format!("/api/tasks/{}", task["id"]);
        for (method, path, body) in [
            ("PATCH", path.clone(), Some(json!({"title": "Done at birth"}))),
            ("PATCH", path.clone(), Some(json!({"description": "d", "is_completed": true}))),
            ("PUT", path.clone(), Some(json!({"title": "Done at birth", "version": 1}))),
            ("PATCH", format!("{path}/complete"), Some(json!({"is_completed": true}))),
        ] {
            let res = send(&app, &token, method, &path, None, body.clone()).await;
            assert_eq!(res.status(), StatusCode::OK, "{method} {path} {body:?}");
            let now: Value = res.json().await.unwrap();
            assert_eq!(now["version"], 1, "{method} {path} {body:?}");
            assert_eq!(now["updated_at"], task["updated_at"], "{method} {path} {body:?}");
        }
        let res = send(&app, &token, "PATCH", &format!("{path}/complete"), None, Some(json!({"is_completed": false}))).await;
        let reopened: Value = res.json().await.unwrap();
        assert_eq!(reopened["version"], 2, "a real change still counts");
    }
}
