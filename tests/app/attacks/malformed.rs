//! Oversize, malformed and oddly encoded input: 413 for bodies over the limit, 400 for what
//! cannot be parsed (bad JSON, invalid UTF-8, bad numbers), 404 or 400 for odd ids, and
//! never a 500; nothing is half-written.
//!
//! Held by: the 64 KiB payload/form/JSON limits (`startup::BODY_LIMIT`), typed extractors,
//! the strict JSON reader (`web::api::read_json`) and the UTF-8 check on query strings and
//! form bodies.

use chrono::NaiveDate;
use reqwest::StatusCode;
use serde_json::json;
use task_dashboard::domain::task::TaskFilter;

use super::{api, victim};
use crate::both_backends;
use crate::helpers::TestApp;

const ODD_IDS: &[&str] = &[
    "0",
    "-1",
    "9223372036854775808",
    "-9223372036854775809",
    "99999999999999999999999",
    "abc",
    "1.5",
    "1e3",
    "0x10",
    "%00",
    "%20",
    "1%00",
    "%FF",
    "..%2F..%2Fetc%2Fpasswd",
    "%E2%80%AE1",
];

/// Sends `body` with `content_type` to `path` as htmx would (CSRF token in the header, so
/// the body is read by the handler, not the CSRF check).
async fn raw_post(
    app: &TestApp,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    let token = app.csrf("/login").await;
    app.client
        .post(app.url(path))
        .header("X-CSRF-Token", token)
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn count(app: &TestApp, user: i64) -> i64 {
    app.store
        .count_tasks(user, &TaskFilter::default(), NaiveDate::MIN)
        .await
        .unwrap()
}

both_backends! {
    async fn an_unsupported_method_answers_405_naming_the_allowed_ones(app: TestApp) {
        // (Unsafe methods pass the CSRF check first, so they carry a token.)
        let token = app.csrf("/login").await;
        for (method, path, allow) in [("GET", "/logout", "POST"), ("HEAD", "/logout", "POST"), ("PUT", "/tasks", "GET, HEAD, POST"), ("DELETE", "/tasks/1", "GET, HEAD, POST"), ("PATCH", "/login", "GET, HEAD, POST"), ("POST", "/healthz", "GET, HEAD")] {
            let res = app.client.request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), app.url(path)).header("X-CSRF-Token", &token).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            assert_eq!(res.headers()["allow"], allow, "{method} {path}");
            crate::attacks::assert_no_internals(&res.text().await.unwrap(), path);
        }
        assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
        assert_eq!(app.get("/readyz").await.status(), StatusCode::OK);
    }

    async fn head_works_wherever_get_does_with_the_same_headers_and_no_body(app: TestApp) {
        let email = app.sign_up("head").await;
        let token = app.bearer_token(&email).await;
        let id = app.create_task("Heads up", "high", "").await;
        // (`/login` and `/signup` send a signed-in browser on: a 303 to HEAD as to GET.)
        for path in ["/healthz", "/readyz", "/tasks", &format!("/tasks/{id}"), "/account", "/api/openapi.json", "/api/tasks", &format!("/api/tasks/{id}")] {
            let get = app.client.get(app.url(path)).bearer_auth(&token).send().await.unwrap();
            let head = app.client.head(app.url(path)).bearer_auth(&token).send().await.unwrap();
            assert_eq!(head.status(), get.status(), "HEAD {path}");
            assert_eq!(head.status(), StatusCode::OK, "HEAD {path}");
            assert_eq!(head.headers().get("content-type"), get.headers().get("content-type"), "HEAD {path}");
            assert!(head.bytes().await.unwrap().is_empty(), "HEAD {path} sends no body");
        }
        // Signed out, HEAD is refused like GET.
        let res = app.new_browser().head(app.url("/api/tasks")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }

    async fn oversize_bodies_are_refused_with_413_on_every_route(app: TestApp) {
        let v = victim(&app, "big").await;
        let id = app.create_task("Keep", "low", "").await;
        let big = "x".repeat(100 * 1024);
        let form = |field: &str| format!("{field}={big}&priority=low&version=1").into_bytes();
        for path in ["/tasks", &format!("/tasks/{id}"), &format!("/tasks/{id}/toggle"), &format!("/tasks/{id}/delete"), "/tasks/bulk", "/login", "/signup", "/logout"] {
            // (`/logout` reads no body, so with the token in the header it never sees one.)
            if path != "/logout" {
                let res = raw_post(&app, path, "application/x-www-form-urlencoded", form("title")).await;
                assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}, token in the header");
            }
            // With the token in the form, the CSRF check reads the body: the limit holds there too.
            let token = app.csrf("/login").await;
            let mut body = form("title");
            body.extend_from_slice(format!("&csrf_token={token}").as_bytes());
            let res = app.client.post(app.url(path)).header("Content-Type", "application/x-www-form-urlencoded").body(body).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}, token in the form");
        }
        let huge = json!({"title": "big", "description": big});
        for (method, path) in [("POST", "/api/tasks".to_owned()), ("PUT", format!("/api/tasks/{id}")), ("PATCH", format!("/api/tasks/{id}")), ("PATCH", format!("/api/tasks/{id}/complete")), ("POST", "/api/auth/token".to_owned())] {
            let res = api(&app, method, &path, &v.token, Some(huge.clone())).await;
            assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE, "{method} {path}");
            assert_eq!(res.headers()["content-type"], "application/json");
        }
        assert_eq!(count(&app, v.id).await, 1, "nothing written");
        assert_eq!(app.store.get_task(v.id, id).await.unwrap().unwrap().version, 1, "nothing changed");
    }

    async fn malformed_form_bodies_answer_400_never_500(app: TestApp) {
        let v = victim(&app, "form").await;
        let id = app.create_task("Keep", "low", "").await;
        let update = format!("/tasks/{id}");
        let update = update.as_str();
        let cases: [(&str, &str, &[u8]); 11] = [
            (update, "application/x-www-form-urlencoded", b"title=x&priority=low"),
            (update, "application/x-www-form-urlencoded", b"title=x&priority=low&version=abc"),
            (update, "application/x-www-form-urlencoded", b"title=x&priority=low&version=99999999999999999999"),
            (update, "application/x-www-form-urlencoded", b"title=x&version=1&version=2"),
            ("/tasks", "application/json", br#"{"title": "json to a form route"}"#),
            ("/tasks", "text/plain", b"title=x"),
            ("/tasks", "multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nx\r\n--x--"),
            ("/tasks/bulk", "application/x-www-form-urlencoded", b"action=delete&ids=1.5"),
            ("/tasks/bulk", "application/x-www-form-urlencoded", b"action=delete&ids="),
            ("/tasks/bulk", "application/x-www-form-urlencoded", b"action=&ids=1"),
            ("/tasks/bulk", "application/x-www-form-urlencoded", b"ids=1"),
        ];
        for (path, content_type, body) in cases {
            let res = raw_post(&app, path, content_type, body.to_vec()).await;
            let status = res.status();
            assert!(matches!(status, StatusCode::BAD_REQUEST | StatusCode::UNSUPPORTED_MEDIA_TYPE | StatusCode::UNPROCESSABLE_ENTITY), "{path} {content_type} {:?}: {status}", String::from_utf8_lossy(body));
            crate::attacks::assert_no_internals(&res.text().await.unwrap(), path);
        }
        let too_many: String = std::iter::once("action=delete".to_owned()).chain((0..501).map(|i| format!("ids={i}"))).collect::<Vec<_>>().join("&");
        assert_eq!(raw_post(&app, "/tasks/bulk", "application/x-www-form-urlencoded", too_many.into_bytes()).await.status(), StatusCode::BAD_REQUEST);
        assert_eq!(count(&app, v.id).await, 1);
        assert_eq!(app.store.get_task(v.id, id).await.unwrap().unwrap().title, "Keep");
    }

    async fn invalid_utf8_in_forms_query_strings_and_json_answers_400(app: TestApp) {
        let v = victim(&app, "utf8").await;
        let id = app.create_task("Keep", "low", "").await;
        for (path, body) in [
            ("/tasks".to_owned(), b"title=%FF%FE&priority=low".to_vec()),
            ("/tasks".to_owned(), b"title=\xff\xfe&priority=low".to_vec()),
            (format!("/tasks/{id}"), b"title=%C3%28&priority=low&version=1".to_vec()),
            ("/login".to_owned(), b"email=%ED%A0%80@example.com&password=x".to_vec()),
            ("/signup".to_owned(), b"email=a%FF@example.com&password=xxxxxxxxxx&password_confirm=xxxxxxxxxx".to_vec()),
        ] {
            let res = raw_post(&app, &path, "application/x-www-form-urlencoded", body.clone()).await;
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{path} {:?}", String::from_utf8_lossy(&body));
        }
        for query in ["q=%FF", "q=%C0%AF", "status=%FF", "q=a%ED%A0%80"] {
            assert_eq!(app.get(&format!("/tasks?{query}")).await.status(), StatusCode::BAD_REQUEST, "{query}");
            let res = api(&app, "GET", &format!("/api/tasks?{query}"), &v.token, None).await;
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "API {query}");
        }
        for body in [&b"{\"title\": \"\xff\"}"[..], &b"{\"title\": \"\\udc00\"}"[..], &b"\xef\xbb\xbf{\"title\": \"bom\"}"[..]] {
            let res = crate::attacks::new_client().post(app.url("/api/tasks")).bearer_auth(&v.token).header("Content-Type", "application/json").body(body.to_vec()).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{:?}", String::from_utf8_lossy(body));
        }
        assert_eq!(count(&app, v.id).await, 1, "nothing written");
    }

    async fn malformed_json_answers_400_or_422_never_500(app: TestApp) {
        let v = victim(&app, "json").await;
        let id = app.create_task("Keep", "low", "").await;
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let bodies: Vec<(&str, StatusCode)> = vec![
            ("{", StatusCode::BAD_REQUEST),
            ("{\"title\": }", StatusCode::BAD_REQUEST),
            ("{\"title\": \"x\",}", StatusCode::BAD_REQUEST),
            ("{'title': 'x'}", StatusCode::BAD_REQUEST),
            ("NaN", StatusCode::BAD_REQUEST),
            (deep.as_str(), StatusCode::BAD_REQUEST),
            ("null", StatusCode::UNPROCESSABLE_ENTITY),
            ("\"title\"", StatusCode::UNPROCESSABLE_ENTITY),
            ("[{\"title\": \"x\"}]", StatusCode::UNPROCESSABLE_ENTITY),
            ("{\"title\": {\"$gt\": \"\"}}", StatusCode::UNPROCESSABLE_ENTITY),
            ("{\"title\": \"x\", \"version\": 1e400}", StatusCode::BAD_REQUEST),
            ("{\"title\": \"x\", \"version\": \"1\"}", StatusCode::UNPROCESSABLE_ENTITY),
            ("{\"title\": \"x\", \"version\": 9223372036854775808}", StatusCode::UNPROCESSABLE_ENTITY),
            ("{\"title\": \"x\", \"is_completed\": \"yes\"}", StatusCode::UNPROCESSABLE_ENTITY),
            ("{\"title\": \"x\", \"due_date\": \"2026-02-30\"}", StatusCode::UNPROCESSABLE_ENTITY),
            ("{\"title\": \"x\", \"due_date\": \"+275760-09-13\"}", StatusCode::UNPROCESSABLE_ENTITY),
            ("{\"title\": \"x\", \"priority\": [\"high\"]}", StatusCode::UNPROCESSABLE_ENTITY),
        ];
        for (body, want) in &bodies {
            for (method, path) in [("PATCH", format!("/api/tasks/{id}")), ("PUT", format!("/api/tasks/{id}"))] {
                let res = crate::attacks::new_client().request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), app.url(&path)).bearer_auth(&v.token).header("Content-Type", "application/json").body(body.to_string()).send().await.unwrap();
                let status = res.status();
                let text = res.text().await.unwrap();
                assert_eq!(status, *want, "{method} {path} {}", &body[..body.len().min(60)]);
                crate::attacks::assert_no_internals(&text, body);
            }
        }
        for body in ["{\"email\": 1, \"password\": 2}", "{\"email\": \"a@b.c\"}", "[]", "{", "{\"email\": \"a@b.c\", \"password\": \"x\", \"admin\": true}"] {
            let res = crate::attacks::new_client().post(app.url("/api/auth/token")).header("Content-Type", "application/json").body(body).send().await.unwrap();
            assert!(matches!(res.status(), StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY), "token {body}: {}", res.status());
        }
        let t = app.store.get_task(v.id, id).await.unwrap().unwrap();
        assert_eq!((t.title.as_str(), t.version), ("Keep", 1), "nothing half-written");
    }

    async fn odd_ids_in_paths_answer_404_or_400_never_500(app: TestApp) {
        let v = victim(&app, "ids").await;
        app.create_task("Keep", "low", "").await;
        let token = app.csrf("/login").await;
        for id in ODD_IDS {
            for (method, path) in [
                ("GET", format!("/tasks/{id}")),
                ("GET", format!("/tasks/{id}/edit")),
                ("GET", format!("/tasks/{id}/delete")),
                ("POST", format!("/tasks/{id}")),
                ("POST", format!("/tasks/{id}/toggle")),
                ("POST", format!("/tasks/{id}/delete")),
            ] {
                let res = app.client.request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), app.url(&path)).header("X-CSRF-Token", &token).form(&[("title", "x"), ("priority", "low"), ("version", "1")]).send().await.unwrap();
                // A write to a task that is not there is answered calmly (back to the list, or
                // the edit form offering a new task): a well-formed id that names no task.
                let calm = method == "POST" && matches!(res.status(), StatusCode::SEE_OTHER | StatusCode::OK);
                assert!(calm || matches!(res.status(), StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST), "{method} {path}: {}", res.status());
            }
            for (method, path) in [
                ("GET", format!("/api/tasks/{id}")),
                ("PUT", format!("/api/tasks/{id}")),
                ("PATCH", format!("/api/tasks/{id}")),
                ("DELETE", format!("/api/tasks/{id}")),
                ("PATCH", format!("/api/tasks/{id}/complete")),
            ] {
                let body = (method == "PUT" || (method == "PATCH" && !path.ends_with("/complete"))).then(|| json!({"title": "x"}));
                let res = api(&app, method, &path, &v.token, body).await;
                assert!(matches!(res.status(), StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST), "{method} {path}: {}", res.status());
                assert_eq!(res.headers()["content-type"], "application/json", "{method} {path}");
            }
        }
        assert_eq!(count(&app, v.id).await, 1);
    }
}
