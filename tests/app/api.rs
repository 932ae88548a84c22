//! The JSON API (SPEC section 5): the seed's contract (`GET /api/tasks` is 200 with only the
//! caller's tasks, newest first, and 401 without a valid token), CRUD, paging and errors.

use std::collections::HashSet;

use chrono::Utc;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use task_dashboard::{
    domain::task::{Priority, TaskInput},
    error::Problem,
};

use crate::both_backends;
use crate::helpers::{PASSWORD, TestApp};

/// Signs a user up in this browser and returns a bearer token for them.
async fn token(app: &TestApp, name: &str) -> String {
    let email = app.sign_up(name).await;
    let res = app
        .client
        .post(app.url("/api/auth/token"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["token_type"], "bearer");
    assert!(body["expires_in"].as_i64().unwrap() > 3000);
    body["access_token"].as_str().unwrap().to_owned()
}

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> Response {
    app.call_api(method, path, token, body).await
}

/// Checks an error answer: its status, and a [`Problem`] sent as `application/json` (the
/// client did not ask for `application/problem+json`) quoting this request's id.
async fn problem(res: Response, status: StatusCode) -> Problem {
    assert_eq!(res.status(), status);
    let (content_type, problem) = crate::problems::read(res).await;
    assert_eq!(content_type, "application/json");
    assert_eq!(problem.status, status.as_u16());
    problem
}

fn fields(problem: &Problem) -> HashSet<String> {
    let errors = problem.errors.as_ref().expect("a 422 names its fields");
    errors.iter().map(|e| e.field.clone()).collect()
}

both_backends! {
    async fn get_tasks_returns_only_the_callers_tasks_newest_first(app: TestApp) {
        let ada = token(&app, "ada").await;
        let bob_app = app.another_browser();
        let bob = token(&bob_app, "bob").await;
        for title in ["first", "second", "third"] {
            let res = call(&app, "POST", "/api/tasks", &ada, Some(json!({"title": title}))).await;
            assert_eq!(res.status(), StatusCode::CREATED);
        }
        call(&app, "POST", "/api/tasks", &bob, Some(json!({"title": "bob's"}))).await;
        let res = call(&app, "GET", "/api/tasks", &ada, None).await;
        assert_eq!(res.status(), StatusCode::OK);
        let tasks: Vec<Value> = res.json().await.unwrap();
        let titles: Vec<&str> = tasks.iter().map(|t| t["title"].as_str().unwrap()).collect();
        assert_eq!(titles, ["third", "second", "first"], "only Ada's, newest first");
        let t = &tasks[0];
        for (field, kind) in [("id", "number"), ("title", "string"), ("is_completed", "boolean"), ("priority", "string"), ("created_at", "string"), ("updated_at", "string"), ("user_id", "number")] {
            let ok = match kind { "number" => t[field].is_i64(), "boolean" => t[field].is_boolean(), _ => t[field].is_string() };
            assert!(ok, "{field} is a {kind}: {t}");
        }
        assert!(t["description"].is_null() && t["due_date"].is_null(), "null where absent");
        assert!(t["created_at"].as_str().unwrap().ends_with('Z'), "RFC 3339 UTC");
        let bobs: Vec<Value> = call(&app, "GET", "/api/tasks", &bob, None).await.json().await.unwrap();
        assert_eq!(bobs.len(), 1);
    }

    async fn without_a_valid_token_the_api_answers_401_with_a_bearer_challenge(app: TestApp) {
        let good = token(&app, "tok").await;
        let expired = {
            let now = Utc::now().timestamp();
            jsonwebtoken::encode(
                &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
                &json!({"sub": "1", "sid": "x", "iat": now - 7200, "nbf": now - 7200, "exp": now - 3600}),
                &jsonwebtoken::EncodingKey::from_secret(crate::helpers::SECRET.as_bytes()),
            ).unwrap()
        };
        let anonymous = app.new_browser().get(app.url("/api/tasks")).send().await.unwrap();
        assert_eq!(anonymous.headers()["www-authenticate"], "Bearer");
        problem(anonymous, StatusCode::UNAUTHORIZED).await;
        for bad in ["garbage", &expired, &format!("{good}x")] {
            let res = call(&app, "GET", "/api/tasks", bad, None).await;
            assert_eq!(res.headers()["www-authenticate"], "Bearer");
            problem(res, StatusCode::UNAUTHORIZED).await;
        }
        let basic = app.new_browser().get(app.url("/api/tasks")).header("Authorization", "Basic YTpi").send().await.unwrap();
        problem(basic, StatusCode::UNAUTHORIZED).await;
    }

    async fn every_write_answers_with_the_right_status(app: TestApp) {
        let t = token(&app, "crud").await;
        let res = call(&app, "POST", "/api/tasks", &t, Some(json!({"title": "  Write the API  ", "priority": "high", "due_date": "2026-12-24", "description": "notes"}))).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        let task: Value = res.json().await.unwrap();
        assert_eq!(location, format!("/api/tasks/{}", task["id"]));
        assert_eq!(task["title"], "Write the API");
        assert_eq!(task["due_date"], "2026-12-24");

        let got: Value = call(&app, "GET", &location, &t, None).await.json().await.unwrap();
        assert_eq!(got, task);
        let res = call(&app, "PATCH", &location, &t, Some(json!({"priority": "low", "due_date": null}))).await;
        assert_eq!(res.status(), StatusCode::OK);
        let patched: Value = res.json().await.unwrap();
        assert_eq!((patched["priority"].as_str(), patched["due_date"].is_null(), patched["title"].as_str(), patched["description"].as_str()), (Some("low"), true, Some("Write the API"), Some("notes")), "partial: the rest kept");
        let res = call(&app, "PUT", &location, &t, Some(json!({"title": "Renamed", "version": patched["version"]}))).await;
        assert_eq!(res.status(), StatusCode::OK);
        problem(call(&app, "PUT", &location, &t, Some(json!({"title": "Stale", "version": 1}))).await, StatusCode::CONFLICT).await;

        let toggled: Value = call(&app, "PATCH", &format!("{location}/complete"), &t, None).await.json().await.unwrap();
        assert_eq!(toggled["is_completed"], true);
        let set: Value = call(&app, "PATCH", &format!("{location}/complete"), &t, Some(json!({"is_completed": true}))).await.json().await.unwrap();
        assert_eq!(set["is_completed"], true, "setting is idempotent");
        let reopened: Value = call(&app, "PATCH", &format!("{location}/complete"), &t, Some(json!({"is_completed": false}))).await.json().await.unwrap();
        assert_eq!(reopened["is_completed"], false);

        let p = problem(call(&app, "POST", "/api/tasks", &t, Some(json!({"title": "", "priority": "urgent", "due_date": "soon"}))).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(fields(&p), HashSet::from(["title".into(), "priority".into(), "due_date".into()]));
        let p = problem(call(&app, "POST", "/api/tasks", &t, Some(json!({"title": "x".repeat(201)}))).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(fields(&p), HashSet::from(["title".into()]));
        let p = problem(call(&app, "POST", "/api/tasks", &t, Some(json!({"title": "mass", "user_id": 1, "id": 5, "owner": "me"}))).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(fields(&p), HashSet::from(["user_id".into(), "id".into(), "owner".into()]));
        let p = problem(call(&app, "PATCH", &location, &t, Some(json!({"title": 7}))).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(fields(&p), HashSet::from(["title".into()]));
        problem(call(&app, "POST", "/api/tasks", &t, Some(json!(["not", "an", "object"]))).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        let p = problem(call(&app, "PATCH", &location, &t, None).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(fields(&p), HashSet::from(["body".into()]), "a change needs a body");

        let raw = |body: &'static str, content_type: &'static str| {
            let app = &app;
            let t = t.clone();
            async move {
                app.new_browser().post(app.url("/api/tasks")).bearer_auth(t).header("Content-Type", content_type).body(body).send().await.unwrap()
            }
        };
        problem(raw("{\"title\": ", "application/json").await, StatusCode::BAD_REQUEST).await;
        problem(raw("title=x", "application/x-www-form-urlencoded").await, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
        let huge = json!({"title": "big", "description": "x".repeat(100 * 1024)});
        problem(call(&app, "POST", "/api/tasks", &t, Some(huge)).await, StatusCode::PAYLOAD_TOO_LARGE).await;

        assert_eq!(call(&app, "DELETE", &location, &t, None).await.status(), StatusCode::NO_CONTENT);
        problem(call(&app, "GET", &location, &t, None).await, StatusCode::NOT_FOUND).await;
        problem(call(&app, "GET", "/api/tasks/abc", &t, None).await, StatusCode::NOT_FOUND).await;
        let res = call(&app, "POST", &location, &t, None).await;
        assert_eq!(res.headers()["allow"], "GET, HEAD, PUT, PATCH, DELETE");
        problem(res, StatusCode::METHOD_NOT_ALLOWED).await;
    }

    async fn cursor_paging_walks_ties_without_repeats_or_gaps(app: TestApp) {
        let email = app.sign_up("pages").await;
        let t = {
            let res = app.client.post(app.url("/api/auth/token")).json(&json!({"email": email, "password": PASSWORD})).send().await.unwrap();
            res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned()
        };
        let user = app.user_id(&email).await;
        let now = Utc::now();
        let mut all = HashSet::new();
        for i in 0..23 {
            let input = TaskInput { title: format!("tie {i}"), description: None, priority: Priority::Medium, due_date: None, repeat: Default::default(), tags: Vec::new() };
            all.insert(app.store.create_task(user, &input, false, now).await.unwrap().id);
        }
        let mut seen = Vec::new();
        let mut next = Some("/api/tasks?limit=5".to_owned());
        while let Some(path) = next {
            let res = call(&app, "GET", &path, &t, None).await;
            assert_eq!(res.status(), StatusCode::OK);
            next = res.headers().get("link").map(|l| {
                let l = l.to_str().unwrap();
                assert!(l.ends_with("; rel=\"next\""), "{l}");
                l[1..l.find('>').unwrap()].to_owned()
            });
            let page: Vec<Value> = res.json().await.unwrap();
            seen.extend(page.iter().map(|t| t["id"].as_i64().unwrap()));
            assert!(seen.len() <= 23, "no repeats");
        }
        assert_eq!(seen.len(), 23);
        assert_eq!(seen.into_iter().collect::<HashSet<_>>(), all);
        for bad in ["limit=0", "limit=101", "limit=ten", "cursor=garbage", "sort=evil", "status=x"] {
            problem(call(&app, "GET", &format!("/api/tasks?{bad}"), &t, None).await, StatusCode::BAD_REQUEST).await;
        }
    }

    async fn the_openapi_document_describes_every_endpoint(app: TestApp) {
        let doc: Value = app.get("/api/openapi.json").await.json().await.unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        for path in ["/api/auth/token", "/api/tasks", "/api/tasks/{id}", "/api/tasks/{id}/complete"] {
            assert!(doc["paths"][path].is_object(), "{path}");
        }
        assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    }
}
