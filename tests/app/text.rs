//! Text as it is stored and found (issue 12): titles in NFC, control and bidi characters
//! refused with a clear message, a title must show something, and search folds Unicode case
//! the same way on both backends, in the dashboard and the API alike.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{TestApp, task_ids, urlencode};

async fn create(app: &TestApp, token: &str, title: &str) -> reqwest::Response {
    app.new_browser()
        .post(app.url("/api/tasks"))
        .bearer_auth(token)
        .json(&json!({"title": title}))
        .send()
        .await
        .unwrap()
}

async fn api_search(app: &TestApp, token: &str, q: &str) -> Vec<String> {
    let res = app
        .new_browser()
        .get(app.url(&format!("/api/tasks?q={}", urlencode(q))))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let tasks: Vec<Value> = res.json().await.unwrap();
    let mut titles: Vec<String> = tasks
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_owned())
        .collect();
    titles.sort();
    titles
}

both_backends! {
    async fn search_folds_unicode_case_and_composition_alike_on_both_backends(app: TestApp) {
        let email = app.sign_up("fold").await;
        let t = app.bearer_token(&email).await;
        for title in ["Zoë's list", "cafe\u{301} run", "Straße fegen", "ΟΔΟΣ", "plain"] {
            assert_eq!(create(&app, &t, title).await.status(), StatusCode::CREATED);
        }
        assert_eq!(api_search(&app, &t, "zoë").await, ["Zoë's list"]);
        assert_eq!(api_search(&app, &t, "ZOË").await, ["Zoë's list"]);
        assert_eq!(api_search(&app, &t, "CAFÉ").await, ["café run"], "stored in NFC, found precomposed");
        assert_eq!(api_search(&app, &t, "cafe\u{301}").await, ["café run"], "and decomposed");
        assert_eq!(api_search(&app, &t, "STRASSE").await, ["Straße fegen"]);
        assert_eq!(api_search(&app, &t, "οδος").await, ["ΟΔΟΣ"], "final sigma is sigma");
        assert_eq!(api_search(&app, &t, "%").await, Vec::<String>::new(), "still literal");
        // The dashboard's search is the same search.
        let body = app.get(&format!("/tasks?q={}", urlencode("ZOË"))).await.text().await.unwrap();
        assert_eq!(task_ids(&body).len(), 1, "the dashboard finds it too");
        assert!(body.contains("Zoë&#x27;s list") || body.contains("Zoë's list") || body.contains("Zoë&#39;s list"));
    }

    async fn titles_are_stored_in_nfc(app: TestApp) {
        let email = app.sign_up("nfc").await;
        let t = app.bearer_token(&email).await;
        let res = create(&app, &t, "  cafe\u{301}  ").await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let task: Value = res.json().await.unwrap();
        assert_eq!(task["title"], "caf\u{e9}", "trimmed and composed");
    }

    async fn control_bidi_and_invisible_titles_are_refused_with_a_clear_message(app: TestApp) {
        let email = app.sign_up("ctl").await;
        let t = app.bearer_token(&email).await;
        for (title, says) in [
            ("ring\u{7}bell", "control characters"),
            ("esc\u{1b}[31m", "control characters"),
            ("two\r\nlines", "control characters"),
            ("invoice\u{202E}fdp.exe", "text-direction"),
            ("\u{2066}isolated\u{2069}", "text-direction"),
            ("\t \u{a0} \u{200b}", "title"),
            ("\u{200b}\u{200d}\u{feff}", "title"),
        ] {
            let res = create(&app, &t, title).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{title:?}");
            let (_, problem) = crate::problems::read(res).await;
            let errors = problem.errors.expect("the field is named");
            assert_eq!(errors[0].field, "title", "{title:?}");
            assert!(errors[0].message.contains(says), "{title:?}: {}", errors[0].message);
        }
        // The form says the same and keeps what was typed.
        app.get("/tasks").await;
        let res = app.post_form("/tasks", &[("title", "ring\u{7}bell"), ("priority", "medium"), ("due_date", "")]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = res.text().await.unwrap();
        assert!(body.contains("Remove the control characters"), "{body}");
        assert!(body.contains("ringbell") || body.contains("ring\u{7}bell") || body.contains("ring&#x7;bell"), "the input is kept");
        // Line breaks and tabs stay welcome in a description.
        let res = app
            .new_browser()
            .post(app.url("/api/tasks"))
            .bearer_auth(&t)
            .json(&json!({"title": "notes", "description": "line one\r\nline two\twith a tab"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        let task: Value = res.json().await.unwrap();
        assert_eq!(task["description"], "line one\nline two\twith a tab");
    }
}
