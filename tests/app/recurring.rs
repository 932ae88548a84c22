//! Recurring tasks: a repeating task needs a due date; completing it (toggle, bulk, API)
//! creates the next occurrence once, due one period later, keeping the chosen day of the
//! month; reopening leaves the next one alone; another user's task is never touched.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{TestApp, task_ids};

/// A task created through the API; its JSON.
async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app.call_api("POST", "/api/tasks", token, Some(body)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

async fn get(app: &TestApp, token: &str, id: i64) -> Value {
    let res = app
        .call_api("GET", &format!("/api/tasks/{id}"), token, None)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// Completes (or with `false` reopens) a task through the API; the answer's JSON.
async fn complete(app: &TestApp, token: &str, id: i64, done: bool) -> Value {
    let res = app
        .call_api(
            "PATCH",
            &format!("/api/tasks/{id}/complete"),
            token,
            Some(json!({"is_completed": done})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// The 422's refused fields, by name.
async fn refused(res: reqwest::Response) -> Vec<String> {
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

/// Completes from `first` on, `n` times, each time the occurrence the last one created;
/// the due dates met along the way (the first's included).
async fn follow(app: &TestApp, token: &str, first: &Value, n: usize) -> Vec<String> {
    let mut dues = vec![first["due_date"].as_str().unwrap().to_owned()];
    let mut id = first["id"].as_i64().unwrap();
    for _ in 0..n {
        let done = complete(app, token, id, true).await;
        assert_eq!(done["is_completed"], true);
        id = done["next_id"].as_i64().expect("a next occurrence");
        let next = get(app, token, id).await;
        assert_eq!(next["is_completed"], false);
        assert_eq!(next["repeat"], first["repeat"]);
        assert_eq!(next["title"], first["title"]);
        dues.push(next["due_date"].as_str().unwrap().to_owned());
    }
    dues
}

both_backends! {
    async fn a_repeating_task_needs_a_due_date_and_a_known_rule(app: TestApp) {
        let email = app.sign_up("rules").await;
        // The form: the error is named and what was typed is kept.
        let res = app
            .post_form("/tasks", &[("title", "Pay rent"), ("repeat", "monthly"), ("due_date", "")])
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = res.text().await.unwrap();
        assert!(page.contains("A repeating task needs a due date."), "{page}");
        assert!(page.contains(r#"value="Pay rent""#));
        assert!(page.contains(r#"<option value="monthly" selected>"#), "the choice is kept");

        let token = app.bearer_token(&email).await;
        let res = app
            .call_api("POST", "/api/tasks", &token, Some(json!({"title": "Rent", "repeat": "monthly"})))
            .await;
        assert_eq!(refused(res).await, ["due_date"]);
        let res = app
            .call_api("POST", "/api/tasks", &token, Some(json!({"title": "Rent", "due_date": "2027-01-01", "repeat": "fortnightly"})))
            .await;
        assert_eq!(refused(res).await, ["repeat"]);

        // A repeating task's due date cannot be cleared while it repeats; stopping the rule
        // and clearing the date in one change is fine.
        let task = create(&app, &token, json!({"title": "Rent", "due_date": "2027-01-01", "repeat": "monthly"})).await;
        assert_eq!(task["repeat"], "monthly");
        let id = task["id"].as_i64().unwrap();
        let res = app
            .call_api("PATCH", &format!("/api/tasks/{id}"), &token, Some(json!({"due_date": null})))
            .await;
        assert_eq!(refused(res).await, ["due_date"]);
        let res = app
            .call_api("PATCH", &format!("/api/tasks/{id}"), &token, Some(json!({"due_date": null, "repeat": "none"})))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let plain: Value = res.json().await.unwrap();
        assert_eq!((plain["repeat"].as_str(), plain["due_date"].is_null()), (Some("none"), true));
        // And a task that does not repeat has no next occurrence.
        assert!(complete(&app, &token, id, true).await.get("next_id").is_none());
    }

    async fn monthly_keeps_the_chosen_day_and_yearly_the_leap_day(app: TestApp) {
        let email = app.sign_up("months").await;
        let token = app.bearer_token(&email).await;
        let rent = create(&app, &token, json!({
            "title": "Pay rent", "description": "Standing order", "priority": "high",
            "due_date": "2027-01-31", "repeat": "monthly"
        })).await;
        assert_eq!(
            follow(&app, &token, &rent, 4).await,
            ["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30", "2027-05-31"]
        );
        let leap = create(&app, &token, json!({"title": "Leap", "due_date": "2028-02-29", "repeat": "yearly"})).await;
        assert_eq!(
            follow(&app, &token, &leap, 4).await,
            ["2028-02-29", "2029-02-28", "2030-02-28", "2031-02-28", "2032-02-29"]
        );
        let plants = create(&app, &token, json!({"title": "Water plants", "due_date": "2026-12-29", "repeat": "weekly"})).await;
        assert_eq!(follow(&app, &token, &plants, 1).await, ["2026-12-29", "2027-01-05"]);
        // The copy keeps the description and priority.
        let all: Value = app.call_api("GET", "/api/tasks?q=rent&limit=100", &token, None).await.json().await.unwrap();
        let items = all.as_array().unwrap();
        assert_eq!(items.len(), 5);
        assert!(items.iter().all(|t| t["description"] == "Standing order" && t["priority"] == "high"));
    }

    async fn an_edit_keeps_the_rules_day_unless_it_moves_the_due_date(app: TestApp) {
        let email = app.sign_up("anchor").await;
        let token = app.bearer_token(&email).await;
        let rent = create(&app, &token, json!({"title": "Rent", "due_date": "2027-01-31", "repeat": "monthly"})).await;
        let feb = complete(&app, &token, rent["id"].as_i64().unwrap(), true).await["next_id"].as_i64().unwrap();
        assert_eq!(get(&app, &token, feb).await["due_date"], "2027-02-28");
        // An edit that sends the date back unchanged (as every form does) keeps the 31st.
        let res = app
            .call_api("PUT", &format!("/api/tasks/{feb}"), &token, Some(json!({"title": "Rent (Feb)", "due_date": "2027-02-28", "repeat": "monthly"})))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let mar = complete(&app, &token, feb, true).await["next_id"].as_i64().unwrap();
        assert_eq!(get(&app, &token, mar).await["due_date"], "2027-03-31");
        // Moving the date moves the day.
        let res = app
            .call_api("PATCH", &format!("/api/tasks/{mar}"), &token, Some(json!({"due_date": "2027-04-15"})))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let may = complete(&app, &token, mar, true).await["next_id"].as_i64().unwrap();
        assert_eq!(get(&app, &token, may).await["due_date"], "2027-05-15");
    }

    async fn completing_twice_or_again_creates_one_next_occurrence(app: TestApp) {
        let email = app.sign_up("twice").await;
        let token = app.bearer_token(&email).await;
        let task = create(&app, &token, json!({"title": "Stand-up", "due_date": "2027-03-01", "repeat": "daily"})).await;
        let id = task["id"].as_i64().unwrap();
        let first = complete(&app, &token, id, true).await;
        let next = first["next_id"].as_i64().unwrap();
        // Again (a retry), reopened (the next one stays), and completed once more.
        assert!(complete(&app, &token, id, true).await.get("next_id").is_none());
        assert!(complete(&app, &token, id, false).await.get("next_id").is_none());
        assert_eq!(get(&app, &token, next).await["due_date"], "2027-03-02", "reopening left the next one");
        assert!(complete(&app, &token, id, true).await.get("next_id").is_none());
        // A full update that completes it creates none either.
        let res = app
            .call_api("PATCH", &format!("/api/tasks/{id}"), &token, Some(json!({"is_completed": false})))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let res = app
            .call_api("PATCH", &format!("/api/tasks/{id}"), &token, Some(json!({"is_completed": true, "title": "Stand-up!"})))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let count = app.count(&format!("SELECT count(*) FROM tasks WHERE title LIKE 'Stand-up%' AND id <> {id}")).await;
        assert_eq!(count, 1, "one next occurrence, whatever the number of completions");

        // Completing through a change (PATCH with is_completed) creates one too.
        let other = create(&app, &token, json!({"title": "Invoice", "due_date": "2027-03-31", "repeat": "monthly"})).await;
        let other_id = other["id"].as_i64().unwrap();
        let res = app
            .call_api("PATCH", &format!("/api/tasks/{other_id}"), &token, Some(json!({"is_completed": true})))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let due: Vec<String> = {
            let list: Value = app.call_api("GET", "/api/tasks?q=invoice", &token, None).await.json().await.unwrap();
            list.as_array().unwrap().iter().map(|t| t["due_date"].as_str().unwrap().to_owned()).collect()
        };
        assert!(due.contains(&"2027-04-30".to_owned()), "{due:?}");
    }

    async fn the_dashboard_toggle_and_bulk_complete_create_next_occurrences(app: TestApp) {
        app.sign_up("toggle").await;
        let res = app
            .post_form("/tasks", &[("title", "Water the plants"), ("due_date", "2027-06-01"), ("repeat", "weekly")])
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let page = app.get("/tasks?q=plants").await.text().await.unwrap();
        let id = task_ids(&page)[0];
        assert!(page.contains(r#"aria-label="Repeats weekly""#), "the row says it repeats");
        assert!(page.contains(&format!(r#"formaction="/tasks/{id}/toggle" name="done" value="1""#)));

        // Marked done, then again from a page that is out of date: still done, and one next
        // occurrence.
        let res = app.post_form(&format!("/tasks/{id}/toggle"), &[("done", "1"), ("view", "")]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let page = app.get("/tasks?q=plants").await.text().await.unwrap();
        assert!(page.contains("The next one is due Jun 8, 2027."), "the flash says when");
        let res = app.post_form(&format!("/tasks/{id}/toggle"), &[("done", "1"), ("view", "")]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let page = app.get("/tasks?q=plants").await.text().await.unwrap();
        assert!(page.contains(&format!(r#"formaction="/tasks/{id}/toggle" name="done" value="0""#)), "still done");
        let ids = task_ids(&page);
        assert_eq!(ids.len(), 2, "{ids:?}");
        let next = ids.into_iter().find(|n| *n != id).unwrap();
        assert!(page.contains(r#"<time datetime="2027-06-08">"#));

        // Bulk: the next one and a monthly task, completed together.
        let res = app
            .post_form("/tasks", &[("title", "Water the lawn"), ("due_date", "2027-06-30"), ("repeat", "monthly")])
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let lawn = task_ids(&app.get("/tasks?q=lawn").await.text().await.unwrap())[0];
        let res = app
            .post_form("/tasks/bulk", &[("action", "complete"), ("ids", &next.to_string()), ("ids", &lawn.to_string())])
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let page = app.get("/tasks?q=water&status=open").await.text().await.unwrap();
        assert!(page.contains(r#"<time datetime="2027-06-15">"#), "the plants' next");
        assert!(page.contains(r#"<time datetime="2027-07-30">"#), "the lawn's next");
        assert_eq!(task_ids(&page).len(), 2);

        // With htmx, the answer is the region, which has the next occurrence in it.
        let open = task_ids(&page)[0];
        let res = app.post_htmx(&format!("/tasks/{open}/toggle"), &[("done", "1"), ("view", "status=open")]).await;
        assert_eq!(res.status(), StatusCode::OK);
        let region = res.text().await.unwrap();
        assert!(region.contains("The next one is due"), "{region}");
    }

    async fn another_users_repeating_task_is_never_completed_or_copied(app: TestApp) {
        let email = app.sign_up("owner").await;
        let token = app.bearer_token(&email).await;
        let task = create(&app, &token, json!({"title": "Mine", "due_date": "2027-01-01", "repeat": "daily"})).await;
        let id = task["id"].as_i64().unwrap();
        let mallory = app.another_browser();
        let other = mallory.sign_up("mallory").await;
        let theirs = mallory.bearer_token(&other).await;
        let res = app
            .call_api("PATCH", &format!("/api/tasks/{id}/complete"), &theirs, Some(json!({"is_completed": true})))
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let res = mallory.post_form(&format!("/tasks/{id}/toggle"), &[("done", "1")]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let res = mallory.post_form("/tasks/bulk", &[("action", "complete"), ("ids", &id.to_string())]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(get(&app, &token, id).await["is_completed"], false);
        assert_eq!(app.count("SELECT count(*) FROM tasks WHERE title = 'Mine'").await, 1);
    }
}
