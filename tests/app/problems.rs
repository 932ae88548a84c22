//! How the API answers an error (`src/error.rs`, `src/web/errors.rs`): one shape, the
//! [`Problem`] type, with a `detail` and the request's id, sent as `application/problem+json`
//! to a client whose `Accept` asks for it and as `application/json` to everyone else (clients
//! written against the original contract expect `application/json`).

use reqwest::{RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};
use task_dashboard::error::Problem;

use crate::both_backends;
use crate::helpers::{PASSWORD, TestApp};

/// The answer's media type, and its body read as a [`Problem`], after checking that the body
/// is exactly a `Problem` (no member missing, none extra) quoting this request's id. `api.rs`
/// reads its errors with it too.
pub async fn read(res: Response) -> (String, Problem) {
    let content_type = res.headers()["content-type"].to_str().unwrap().to_owned();
    let request_id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body: Value = res.json().await.unwrap();
    let problem: Problem =
        serde_json::from_value(body.clone()).unwrap_or_else(|e| panic!("{e}: {body}"));
    assert_eq!(
        serde_json::to_value(&problem).unwrap(),
        body,
        "the body is a Problem, no more"
    );
    assert_eq!(
        problem.request_id, request_id,
        "the body quotes the request id"
    );
    (content_type, problem)
}

/// What the server answers a `GET` of `target` written straight to its socket.
async fn raw_get(app: &TestApp, target: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.base.trim_start_matches("http://");
    let mut socket = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!("GET {target} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    socket.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    socket.read_to_end(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

fn list_tasks(app: &TestApp) -> RequestBuilder {
    app.new_browser().get(app.url("/api/tasks"))
}

both_backends! {
    async fn an_api_401_without_accept_is_json_with_a_detail_and_the_request_id(app: TestApp) {
        let res = list_tasks(&app).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(res.headers()["www-authenticate"], "Bearer");
        let (content_type, problem) = read(res).await;
        assert_eq!(content_type, "application/json");
        assert_eq!((problem.status, problem.title.as_str(), problem.kind.as_str()), (401, "Unauthorized", "about:blank"));
        assert!(!problem.detail.is_empty());
        assert!(!problem.request_id.is_empty());
    }

    async fn an_api_401_for_a_client_that_asks_for_problem_json_is_problem_json(app: TestApp) {
        for accept in ["application/problem+json", "application/problem+json, application/json;q=0.5", "application/json;q=0.9, application/problem+json"] {
            let res = list_tasks(&app).header("Accept", accept).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{accept}");
            let (content_type, problem) = read(res).await;
            assert_eq!(content_type, "application/problem+json", "{accept}");
            assert_eq!(problem.status, 401);
        }
        // Only an explicit, wanted problem+json: wildcards and a refusal get plain JSON.
        for accept in ["*/*", "application/*", "application/json", "application/problem+json;q=0, application/json", "text/html"] {
            let res = list_tasks(&app).header("Accept", accept).send().await.unwrap();
            let (content_type, _) = read(res).await;
            assert_eq!(content_type, "application/json", "{accept}");
        }
    }

    async fn a_wrong_password_for_a_token_is_a_401_problem_with_the_request_id(app: TestApp) {
        let email = app.sign_up("tokenless").await;
        let res = app.new_browser().post(app.url("/api/auth/token")).json(&json!({"email": email, "password": "not it at all"})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(res.headers()["www-authenticate"], "Bearer");
        let (content_type, problem) = read(res).await;
        assert_eq!(content_type, "application/json");
        assert_eq!(problem.detail, "Incorrect email or password.");
    }

    async fn a_422_is_the_same_problem_in_either_media_type(app: TestApp) {
        let email = app.sign_up("shape").await;
        let token: serde_json::Value = app.new_browser().post(app.url("/api/auth/token")).json(&json!({"email": email, "password": PASSWORD})).send().await.unwrap().json().await.unwrap();
        let token = token["access_token"].as_str().unwrap();
        let invalid = |accept: &'static str| app.new_browser().post(app.url("/api/tasks")).bearer_auth(token).header("Accept", accept).json(&json!({"title": "", "priority": "urgent"})).send();
        let (plain_type, plain) = read(invalid("application/json").await.unwrap()).await;
        let (problem_type, problem) = read(invalid("application/problem+json").await.unwrap()).await;
        assert_eq!((plain_type.as_str(), problem_type.as_str()), ("application/json", "application/problem+json"));
        assert_eq!(plain.status, 422);
        let fields: Vec<&str> = plain.errors.as_ref().expect("a 422 names its fields").iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["title", "priority"]);
        let same_but_id = Problem { request_id: plain.request_id.clone(), ..problem };
        assert_eq!(plain, same_but_id, "one body, two media types");
    }

    async fn an_address_longer_than_the_server_reads_is_a_414_problem(app: TestApp) {
        // 16 KiB of target is read (here: a 401, as no token is sent); one byte more is a 414.
        let target = |len: usize| {
            let prefix = "/api/tasks?q=";
            format!("{prefix}{}", "a".repeat(len - prefix.len()))
        };
        let res = app.new_browser().get(app.url(&target(16 * 1024))).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let res = app.new_browser().get(app.url(&target(16 * 1024 + 1))).header("Accept", "application/problem+json").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::URI_TOO_LONG);
        let (content_type, problem) = read(res).await;
        assert_eq!(content_type, "application/problem+json");
        assert_eq!((problem.status, problem.title.as_str()), (414, "URI Too Long"));
        assert!(problem.detail.contains("16 KiB"), "{}", problem.detail);
        // A page answers the same status with a page.
        let res = app.new_browser().get(app.url(&format!("/tasks?q={}", "a".repeat(17 * 1024)))).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::URI_TOO_LONG);
        assert!(res.text().await.unwrap().contains("16 KiB"));
        // Beyond 64 KiB actix-http refuses the request head before the app sees it, with an
        // empty 400 (README, "Long addresses"). Pinned so a change there is noticed. (Sent by
        // hand: no HTTP client builds such a URL.)
        let answer = raw_get(&app, &target(100 * 1024)).await;
        assert!(answer.starts_with("HTTP/1.1 400 "), "{}", &answer[..answer.len().min(200)]);
        assert!(answer.to_ascii_lowercase().contains("content-length: 0"), "{answer}");
    }
}
