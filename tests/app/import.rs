//! Import (issue 20): a CSV with the export's columns, by the API (`POST /api/tasks/import`,
//! `text/csv`) or the page (`/tasks/import`: upload, preview, confirm). Every row in one
//! transaction or none; problems named by row and column; limits answered with 413; an
//! export imported into an empty account reproduces it.

use reqwest::{StatusCode, header};
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{TestApp, location};

/// Posts `csv` to the API's import as `content_type`.
async fn import_as(
    app: &TestApp,
    token: &str,
    content_type: &str,
    csv: impl Into<reqwest::Body>,
) -> reqwest::Response {
    reqwest::Client::new()
        .post(app.url("/api/tasks/import"))
        .bearer_auth(token)
        .header(header::CONTENT_TYPE, content_type)
        .body(csv)
        .send()
        .await
        .unwrap()
}

async fn import(app: &TestApp, token: &str, csv: &str) -> reqwest::Response {
    import_as(app, token, "text/csv; charset=utf-8", csv.to_owned()).await
}

async fn export(app: &TestApp, token: &str) -> String {
    let res = reqwest::Client::new()
        .get(app.url("/tasks/export.csv?sort=title&dir=asc"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.text().await.unwrap()
}

async fn count(app: &TestApp, token: &str) -> usize {
    let res = app
        .call_api("GET", "/api/tasks?limit=100", token, None)
        .await;
    res.json::<Value>().await.unwrap().as_array().unwrap().len()
}

/// A `multipart/form-data` body as a browser sends it: (name, file name, value) each.
fn multipart(fields: &[(&str, Option<&str>, &str)]) -> (String, Vec<u8>) {
    let boundary = "----formBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, file, value) in fields {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(file) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
        }
        body.extend_from_slice(value.as_bytes());
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Posts the import page's form from this browser.
async fn upload(app: &TestApp, fields: &[(&str, Option<&str>, &str)]) -> reqwest::Response {
    let (content_type, body) = multipart(fields);
    app.client
        .post(app.url("/tasks/import"))
        .header(header::CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// The value of the hidden `csv` field on a preview page, as a browser would send it back.
fn previewed_csv(page: &str) -> String {
    let start =
        page.find(r#"name="csv" value=""#).expect("a confirm form") + r#"name="csv" value=""#.len();
    let raw = &page[start..start + page[start..].find('"').unwrap()];
    raw.replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

both_backends! {
    async fn an_export_imported_into_an_empty_account_reproduces_it(app: TestApp) {
        let from = app.bearer_token(&app.sign_up("importfrom").await).await;
        for body in [
            json!({"title": "=HYPERLINK(\"http://x\")", "description": "a, \"quoted\"\nsecond line", "priority": "high", "due_date": "2026-12-31", "tags": ["work", "-minus"], "repeat": "monthly"}),
            json!({"title": "Plain", "priority": "low", "is_completed": true}),
            json!({"title": "@mention +1", "description": "'quoted already"}),
            json!({"title": "Zoë's café ☕", "tags": ["café"], "due_date": "2027-02-28", "repeat": "yearly"}),
        ] {
            let res = app.call_api("POST", "/api/tasks", &from, Some(body)).await;
            assert_eq!(res.status(), StatusCode::CREATED);
        }
        let exported = export(&app, &from).await;

        let into = app.another_browser();
        let to = into.bearer_token(&into.sign_up("importto").await).await;
        let res = import(&into, &to, &exported).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        assert_eq!(res.json::<Value>().await.unwrap(), json!({"imported": 4}));
        // Every column, timestamps included, reads back the same.
        assert_eq!(export(&into, &to).await, exported);
        // And the tasks are whole tasks: the tag lists and counts know them.
        let tags: Value = into.call_api("GET", "/api/tags", &to, None).await.json().await.unwrap();
        assert_eq!(tags.as_array().unwrap().len(), 3, "{tags}");
    }

    async fn problems_are_named_by_row_and_column_and_nothing_is_imported(app: TestApp) {
        let token = app.bearer_token(&app.sign_up("importbad").await).await;
        let csv = "title,due_date,priority\r\nFine,2027-01-01,high\r\nBad date,2027-02-30,low\r\n,,urgent\r\n";
        let res = import(&app, &token, csv).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = res.json().await.unwrap();
        let named: Vec<(i64, &str)> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["row"].as_i64().unwrap(), e["field"].as_str().unwrap()))
            .collect();
        assert_eq!(named, [(3, "due_date"), (4, "title"), (4, "priority")]);
        assert!(problem["errors"][0]["detail"].as_str().unwrap().contains("YYYY-MM-DD"), "{problem}");
        assert!(problem["request_id"].as_str().is_some_and(|id| !id.is_empty()));
        assert_eq!(count(&app, &token).await, 0, "not even the good row");

        // Unknown columns are refused by name.
        let res = import(&app, &token, "title,colour\r\nx,red\r\n").await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], "colour");
        assert_eq!(problem["errors"][0]["row"], 1);
    }

    async fn limits_type_and_bearer_are_enforced(app: TestApp) {
        let email = app.sign_up("importlimits").await;
        let token = app.bearer_token(&email).await;
        let mut rows = String::from("title\n");
        for i in 0..10_001 {
            rows.push_str(&format!("Task {i}\n"));
        }
        let res = import(&app, &token, &rows).await;
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let problem: Value = res.json().await.unwrap();
        assert!(problem["detail"].as_str().unwrap().contains("10,000 rows"), "{problem}");
        let big = format!("title,description\n{}\n", format!("x,{}", "d".repeat(1_000)).repeat(5_300));
        assert!(big.len() > 5 * 1024 * 1024);
        assert_eq!(import(&app, &token, &big).await.status(), StatusCode::PAYLOAD_TOO_LARGE);
        // 10,000 rows exactly are taken.
        let exact: String = rows.lines().take(10_001).map(|l| format!("{l}\n")).collect();
        let res = import(&app, &token, &exact).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        assert_eq!(res.json::<Value>().await.unwrap()["imported"], 10_000);

        let res = import_as(&app, &token, "application/json", "{}").await;
        assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        // A write takes a bearer token, never the cookie.
        let res = app
            .client
            .post(app.url("/api/tasks/import"))
            .header(header::CONTENT_TYPE, "text/csv")
            .body("title\nx\n")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }

    async fn the_page_previews_then_imports_on_confirmation(app: TestApp) {
        let email = app.sign_up("importpage").await;
        let token = app.bearer_token(&email).await;
        let page = app.get("/tasks/import").await;
        assert_eq!(page.status(), StatusCode::OK);
        let csrf = app.csrf("/tasks/import").await;
        let csv = "title,tags,due_date\nPay rent,home bills,2027-01-01\n\"Call, then write\",,\n";

        // Upload: a preview, nothing imported yet.
        let res = upload(&app, &[("csrf_token", None, &csrf), ("file", Some("mine.csv"), csv)]).await;
        assert_eq!(res.status(), StatusCode::OK);
        let preview = res.text().await.unwrap();
        assert!(preview.contains("2 tasks ready to import from mine.csv"), "{preview}");
        assert!(preview.contains("Call, then write") && preview.contains("#home"));
        assert_eq!(count(&app, &token).await, 0);

        // Confirm: the previewed text comes back and is imported.
        let again = previewed_csv(&preview);
        let res = upload(&app, &[("csrf_token", None, &csrf), ("file_name", None, "mine.csv"), ("csv", None, &again)]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let dashboard = app.get(location(&res)).await.text().await.unwrap();
        assert!(dashboard.contains("Imported 2 tasks."));
        assert_eq!(count(&app, &token).await, 2);

        // A file with a bad row: its problems by row and column, nothing imported.
        let res = upload(&app, &[("csrf_token", None, &csrf), ("file", Some("bad.csv"), "title,is_completed\nok,maybe\n")]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = res.text().await.unwrap();
        assert!(page.contains(r#"data-row="2" data-field="is_completed""#), "{page}");
        assert!(page.contains("Nothing was imported"));
        assert_eq!(count(&app, &token).await, 2);

        // Without the CSRF token, or sent anywhere else, an upload is refused.
        let res = upload(&app, &[("file", Some("x.csv"), "title\nsneaky\n")]).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let (content_type, body) = multipart(&[("csrf_token", None, &csrf), ("title", None, "x")]);
        let res = app.client.post(app.url("/tasks")).header(header::CONTENT_TYPE, content_type).body(body).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        // Past the limit: 413 with the reason.
        let huge = "x".repeat(6 * 1024 * 1024);
        let res = upload(&app, &[("csrf_token", None, &csrf), ("file", Some("huge.csv"), &huge)]).await;
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(count(&app, &token).await, 2);
    }
}
