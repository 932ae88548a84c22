//! What the API accepts is what its document says (issue 12): lengths counted as sent,
//! enums taken exactly, full dates within the years allowed, one value per JSON key and per
//! query parameter, bodies sent as is; operation ids unique and parameters typed.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::TestApp;

async fn post(app: &TestApp, token: &str, body: &str) -> reqwest::Response {
    app.new_browser()
        .post(app.url("/api/tasks"))
        .bearer_auth(token)
        .header("Content-Type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

both_backends! {
    async fn values_outside_the_schema_are_refused_naming_the_field(app: TestApp) {
        let email = app.sign_up("schema").await;
        let token = app.bearer_token(&email).await;
        let long = format!(" {} ", "x".repeat(199));
        for (body, field, says) in [
            (json!({"title": long}), "title", "200 characters"),
            (json!({"title": "t", "priority": " high "}), "priority", "low, medium or high"),
            (json!({"title": "t", "priority": "HIGH"}), "priority", "low, medium or high"),
            (json!({"title": "t", "due_date": "2026-1-5"}), "due_date", "1900-01-01 to 9998-12-31"),
            (json!({"title": "t", "due_date": "9999-12-31"}), "due_date", "1900-01-01 to 9998-12-31"),
            (json!({"title": "t", "due_date": "1899-12-31"}), "due_date", "1900-01-01 to 9998-12-31"),
        ] {
            let res = post(&app, &token, &body.to_string()).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            let (_, problem) = crate::problems::read(res).await;
            let errors = problem.errors.unwrap();
            assert_eq!(errors[0].field, field, "{body}");
            assert!(errors[0].message.contains(says), "{body}: {}", errors[0].message);
        }
        for body in [json!({"title": "t", "due_date": "9998-12-31"}), json!({"title": "t", "due_date": "1900-01-01"}), json!({"title": "x".repeat(200)})] {
            assert_eq!(post(&app, &token, &body.to_string()).await.status(), StatusCode::CREATED, "{body}");
        }
        // The form's date input says the same range.
        let page = app.get("/tasks/new").await.text().await.unwrap();
        assert!(page.contains("min=\"1900-01-01\"") && page.contains("max=\"9998-12-31\""));
    }

    async fn a_json_key_given_twice_is_refused(app: TestApp) {
        let email = app.sign_up("dupkey").await;
        let token = app.bearer_token(&email).await;
        let res = post(&app, &token, r#"{"title": "first", "title": "second"}"#).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let (_, problem) = crate::problems::read(res).await;
        assert!(problem.detail.contains("more than once"), "{}", problem.detail);
        let res = post(&app, &token, r#"{"title": "nested", "description": null}"#).await;
        assert_eq!(res.status(), StatusCode::CREATED, "one of each is fine");
    }

    async fn a_body_in_a_content_encoding_we_do_not_decode_is_a_415(app: TestApp) {
        let email = app.sign_up("gzip").await;
        let token = app.bearer_token(&email).await;
        for encoding in ["gzip", "br", "deflate", "x-anything"] {
            let res = app.new_browser().post(app.url("/api/tasks")).bearer_auth(&token)
                .header("Content-Type", "application/json").header("Content-Encoding", encoding)
                .body(r#"{"title": "packed"}"#).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "{encoding}");
        }
        let res = app.new_browser().post(app.url("/api/tasks")).bearer_auth(&token)
            .header("Content-Type", "application/json").header("Content-Encoding", "identity")
            .body(r#"{"title": "plain"}"#).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
    }

    async fn a_query_parameter_given_twice_is_named(app: TestApp) {
        let email = app.sign_up("twice").await;
        let token = app.bearer_token(&email).await;
        let res = app.new_browser().get(app.url("/api/tasks?sort=due&sort=title")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let (_, problem) = crate::problems::read(res).await;
        assert!(problem.detail.contains("`sort` is given more than once"), "{}", problem.detail);
        let res = app.get("/tasks?status=open&status=done").await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert!(res.text().await.unwrap().contains("`status` is given more than once"));
    }

    async fn list_parameters_take_exactly_the_documented_values(app: TestApp) {
        let email = app.sign_up("strict").await;
        let token = app.bearer_token(&email).await;
        for query in ["priority=", "priority=any", "status=", "sort=%20due", "limit=", "dir=up"] {
            let res = app.new_browser().get(app.url(&format!("/api/tasks?{query}"))).bearer_auth(&token).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{query}");
        }
        let res = app.new_browser().get(app.url("/api/tasks?status=open&priority=high&sort=due&dir=asc&limit=5&q=")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        // The dashboard's filter form sends empty fields: they mean "any".
        assert_eq!(app.get("/tasks?q=&status=&priority=&sort=").await.status(), StatusCode::OK);
    }

    async fn complete_takes_what_its_document_says(app: TestApp) {
        let email = app.sign_up("null").await;
        let token = app.bearer_token(&email).await;
        let task: Value = post(&app, &token, r#"{"title": "toggle me"}"#).await.json().await.unwrap();
        let path = format!("/api/tasks/{}/complete", task["id"]);
        let res = app.new_browser().patch(app.url(&path)).bearer_auth(&token)
            .header("Content-Type", "application/json").body("null").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "null toggles, as documented");
        let done: Value = res.json().await.unwrap();
        assert_eq!(done["is_completed"], true);
    }

    async fn the_document_has_unique_operation_ids_and_typed_parameters(app: TestApp) {
        let doc: Value = app.get("/api/openapi.json").await.json().await.unwrap();
        let mut ids = HashSet::new();
        for (_, methods) in doc["paths"].as_object().unwrap() {
            for (method, op) in methods.as_object().unwrap() {
                let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method}: no operationId"));
                assert!(ids.insert(id.to_owned()), "operationId {id} used twice");
            }
        }
        let params = doc["paths"]["/api/tasks"]["get"]["parameters"].as_array().unwrap();
        let schema = |name: &str| params.iter().find(|p| p["name"] == name).unwrap()["schema"].clone();
        assert_eq!(schema("limit")["type"], "integer");
        assert_eq!((schema("limit")["minimum"].as_i64(), schema("limit")["maximum"].as_i64()), (Some(1), Some(100)));
        for (name, values) in [("status", vec!["all", "open", "done", "overdue", "trashed"]), ("sort", vec!["created", "due", "priority", "title"]), ("dir", vec!["asc", "desc"])] {
            assert_eq!(schema(name)["enum"], json!(values), "{name}");
        }
        assert!(schema("priority")["$ref"].as_str().unwrap().ends_with("/Priority"));
        let due = &doc["components"]["schemas"]["NewTask"]["properties"]["due_date"];
        assert!(due["pattern"].is_string() && due["description"].as_str().unwrap().contains("9998-12-31"));
    }
}
