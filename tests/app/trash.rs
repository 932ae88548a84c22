//! The trash (issue 20): a delete (a row's, a bulk delete, the API's) moves tasks to the
//! trash; they are then nowhere else (lists, counts, tags, search, export, the API) until
//! undo (a whole delete, one transaction) or restore (one task) brings them back exactly;
//! the purge erases what has been there 30 days.

use chrono::{Duration, Utc};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{TestApp, location};

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app.call_api("POST", "/api/tasks", token, Some(body)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

async fn listed(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    app.api_tasks(token, query).await
}

fn titles(tasks: &[Value]) -> Vec<&str> {
    tasks.iter().map(|t| t["title"].as_str().unwrap()).collect()
}

/// The Undo form's batch on a page (the flash without JavaScript, the toast with it).
fn undo_batch(page: &str) -> String {
    let at = page
        .find(r#"name="batch" value=""#)
        .expect("an Undo button")
        + r#"name="batch" value=""#.len();
    page[at..at + page[at..].find('"').unwrap()].to_owned()
}

/// The trash page's key for the task titled `title` (its row's `id="trashed-N"`).
fn entry(page: &str, title: &str) -> i64 {
    let at = page
        .find(&format!("data-trashed-title>{title}<"))
        .expect("the title is listed");
    let start = page[..at].rfind(r#"id="trashed-"#).unwrap() + r#"id="trashed-"#.len();
    page[start..start + page[start..].find('"').unwrap()]
        .parse()
        .unwrap()
}

both_backends! {
    async fn a_deleted_task_is_nowhere_but_the_trash(app: TestApp) {
        let email = app.sign_up("trashseen").await;
        let token = app.bearer_token(&email).await;
        create(&app, &token, json!({"title": "Kept marmalade", "tags": ["jam"]})).await;
        let gone = create(&app, &token, json!({"title": "Binned marmalade", "tags": ["jam", "bin"], "due_date": "2020-01-01"})).await;
        let id = gone["id"].as_i64().unwrap();
        let res = app.call_api("DELETE", &format!("/api/tasks/{id}"), &token, None).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);

        assert_eq!(titles(&listed(&app, &token, "").await), ["Kept marmalade"]);
        assert_eq!(titles(&listed(&app, &token, "?q=marmalade").await), ["Kept marmalade"]);
        assert!(listed(&app, &token, "?tag=bin").await.is_empty());
        assert!(listed(&app, &token, "?status=overdue").await.is_empty());
        assert_eq!(app.call_api("GET", &format!("/api/tasks/{id}"), &token, None).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(app.call_api("DELETE", &format!("/api/tasks/{id}"), &token, None).await.status(), StatusCode::NOT_FOUND);
        let tags: Value = app.call_api("GET", "/api/tags", &token, None).await.json().await.unwrap();
        assert_eq!(tags, json!([{"name": "jam", "count": 1}]), "{tags}");
        let stats: Value = app.call_api("GET", "/api/stats", &token, None).await.json().await.unwrap();
        assert_eq!((stats["total"].as_i64(), stats["overdue"].as_i64()), (Some(1), Some(0)), "{stats}");
        let page = app.get("/tasks").await.text().await.unwrap();
        assert!(page.contains("Kept marmalade") && !page.contains("Binned marmalade"));
        let csv = reqwest::Client::new().get(app.url("/tasks/export.csv")).bearer_auth(&token).send().await.unwrap().text().await.unwrap();
        assert!(!csv.contains("Binned"), "{csv}");

        // Only the trash lists it, and only for its owner.
        let trash = listed(&app, &token, "?status=trashed").await;
        assert_eq!(titles(&trash), ["Binned marmalade"]);
        assert_eq!(trash[0]["id"], gone["id"]);
        let other = app.another_browser();
        let stranger = other.bearer_token(&other.sign_up("trashstranger").await).await;
        assert!(listed(&other, &stranger, "?status=trashed").await.is_empty());
        let res = other.call_api("POST", &format!("/api/tasks/{id}/restore"), &stranger, None).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let res = app.call_api("GET", "/api/tasks?status=trashed&q=x", &token, None).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    }

    async fn restore_brings_back_exactly_what_was_deleted(app: TestApp) {
        let email = app.sign_up("trashrestore").await;
        let token = app.bearer_token(&email).await;
        let task = create(&app, &token, json!({
            "title": "Pay rent", "description": "Standing order", "priority": "high",
            "due_date": "2027-01-31", "repeat": "monthly", "tags": ["home", "bills"]
        })).await;
        let id = task["id"].as_i64().unwrap();
        let before: Value = app.call_api("GET", &format!("/api/tasks/{id}"), &token, None).await.json().await.unwrap();
        app.call_api("DELETE", &format!("/api/tasks/{id}"), &token, None).await;
        let res = app.call_api("POST", &format!("/api/tasks/{id}/restore"), &token, None).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers().get(header::ETAG).is_some());
        let back: Value = res.json().await.unwrap();
        assert_eq!(back, before, "every field, its id, version and timestamps");
        assert_eq!(listed(&app, &token, "").await, [before]);
        let tags: Value = app.call_api("GET", "/api/tags", &token, None).await.json().await.unwrap();
        assert_eq!(tags.as_array().unwrap().len(), 2);
        assert!(listed(&app, &token, "?status=trashed").await.is_empty());
        // It is out of the trash: a second restore finds nothing.
        let res = app.call_api("POST", &format!("/api/tasks/{id}/restore"), &token, None).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }

    async fn undo_restores_a_whole_delete_with_and_without_javascript(app: TestApp) {
        let email = app.sign_up("trashundo").await;
        let token = app.bearer_token(&email).await;
        let mut ids = Vec::new();
        for title in ["One", "Two", "Three"] {
            ids.push(create(&app, &token, json!({"title": title, "tags": ["x"]})).await["id"].as_i64().unwrap());
        }
        // A bulk delete without JavaScript: the message after the redirect carries Undo.
        let mut form: Vec<(&str, String)> = vec![("action", "delete".into()), ("confirm", "yes".into())];
        form.extend(ids.iter().map(|id| ("ids", id.to_string())));
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = app.post_form("/tasks/bulk", &form).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let page = app.get(location(&res)).await.text().await.unwrap();
        assert!(page.contains("Deleted 3 tasks."), "{page}");
        assert!(listed(&app, &token, "").await.is_empty());
        let batch = undo_batch(&page);
        let res = app.post_form("/tasks/undo", &[("batch", &batch), ("view", "")]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let page = app.get(location(&res)).await.text().await.unwrap();
        assert!(page.contains("Restored 3 tasks."), "{page}");
        assert_eq!(listed(&app, &token, "").await.len(), 3);
        let tags: Value = app.call_api("GET", "/api/tags", &token, None).await.json().await.unwrap();
        assert_eq!(tags, json!([{"name": "x", "count": 3}]));
        // Undo twice: nothing more to do, said calmly.
        let res = app.post_form("/tasks/undo", &[("batch", &batch), ("view", "")]).await;
        let page = app.get(location(&res)).await.text().await.unwrap();
        assert!(page.contains("Nothing to undo"), "{page}");

        // One row with htmx: the toast carries Undo, which restores it in place.
        let res = app
            .client
            .post(app.url(&format!("/tasks/{}/delete", ids[0])))
            .header("HX-Request", "true")
            .header("X-CSRF-Token", app.csrf("/tasks").await)
            .form(&[("view", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let region = res.text().await.unwrap();
        assert!(region.contains(r#"id="toast""#) && region.contains("Deleted “One”."), "{region}");
        let batch = undo_batch(&region);
        let res = app
            .client
            .post(app.url("/tasks/undo"))
            .header("HX-Request", "true")
            .header("X-CSRF-Token", app.csrf("/tasks").await)
            .form(&[("batch", batch.as_str()), ("view", "")])
            .send()
            .await
            .unwrap();
        let region = res.text().await.unwrap();
        assert!(region.contains("Restored “One”."), "{region}");
        assert!(region.contains(r#"<div id="toast" class="toast" hx-swap-oob="true" data-toast></div>"#), "the toast is cleared");
        assert_eq!(listed(&app, &token, "").await.len(), 3);
        // Another user cannot undo this user's delete, even knowing its batch.
        let res = app.post_form(&format!("/tasks/{}/delete", ids[1]), &[("view", "")]).await;
        let page = app.get(location(&res)).await.text().await.unwrap();
        let batch = undo_batch(&page);
        let other = app.another_browser();
        other.sign_up("trashthief").await;
        let res = other.post_form("/tasks/undo", &[("batch", &batch), ("view", "")]).await;
        let page = other.get(location(&res)).await.text().await.unwrap();
        assert!(page.contains("Nothing to undo"), "{page}");
        assert_eq!(app.count("SELECT COUNT(*) FROM trashed_tasks").await, 1);
        assert_eq!(listed(&app, &token, "").await.len(), 2);
    }

    async fn the_purge_erases_what_has_been_in_the_trash_thirty_days(app: TestApp) {
        let email = app.sign_up("trashpurge").await;
        let token = app.bearer_token(&email).await;
        for title in ["Old", "New"] {
            let id = create(&app, &token, json!({"title": title})).await["id"].as_i64().unwrap();
            app.call_api("DELETE", &format!("/api/tasks/{id}"), &token, None).await;
        }
        let user_id = app.user_id(&email).await;
        let old = Utc::now() - Duration::days(31);
        app.sql(&format!(
            "UPDATE trashed_tasks SET trashed_at = '{}' WHERE title = 'Old'",
            old.to_rfc3339()
        ))
        .await;
        let purged = app.store.purge_trash(Utc::now() - Duration::days(30), 1000).await.unwrap();
        assert_eq!(purged, 1);
        assert_eq!(titles(&listed(&app, &token, "?status=trashed").await), ["New"]);
        // Erasing one and emptying the trash are for good, too.
        assert!(app.store.empty_trash(user_id).await.unwrap() == 1);
        assert!(listed(&app, &token, "?status=trashed").await.is_empty());
    }

    async fn a_restore_whose_id_was_taken_gets_a_new_one(app: TestApp) {
        let email = app.sign_up("trashid").await;
        let token = app.bearer_token(&email).await;
        let first = create(&app, &token, json!({"title": "First"})).await["id"].as_i64().unwrap();
        app.call_api("DELETE", &format!("/api/tasks/{first}"), &token, None).await;
        // On SQLite the next task takes the largest id plus one: the trashed task's.
        let second = create(&app, &token, json!({"title": "Second"})).await["id"].as_i64().unwrap();
        let res = app.call_api("POST", &format!("/api/tasks/{first}/restore"), &token, None).await;
        assert_eq!(res.status(), StatusCode::OK);
        let back: Value = res.json().await.unwrap();
        assert_eq!(back["title"], "First");
        let back_id = back["id"].as_i64().unwrap();
        assert_ne!(back_id, second, "two tasks never share an id");
        if second != first {
            assert_eq!(back_id, first, "an id nobody took is kept");
        }
        assert_eq!(listed(&app, &token, "").await.len(), 2);
    }

    async fn the_trash_page_restores_erases_and_empties(app: TestApp) {
        let email = app.sign_up("trashpage").await;
        let token = app.bearer_token(&email).await;
        for title in ["Apples", "Bananas", "Cherries"] {
            let id = create(&app, &token, json!({"title": title, "tags": ["fruit"]})).await["id"].as_i64().unwrap();
            app.call_api("DELETE", &format!("/api/tasks/{id}"), &token, None).await;
        }
        // (On SQLite the three may have had one id, each taking the last one's: the page
        // knows them by their keys in the trash.)
        let page = app.get("/tasks/trash").await.text().await.unwrap();
        let ids: Vec<i64> = ["Apples", "Bananas", "Cherries"].iter().map(|t| entry(&page, t)).collect();
        for title in ["Apples", "Bananas", "Cherries", "Empty trash", "#fruit"] {
            assert!(page.contains(title), "{title} in {page}");
        }
        // A stranger sees none of it and restores nothing.
        let other = app.another_browser();
        other.sign_up("trashpagestranger").await;
        assert!(!other.get("/tasks/trash").await.text().await.unwrap().contains("Apples"));
        let res = other.post_form(&format!("/tasks/trash/{}/restore", ids[0]), &[]).await;
        let page = other.get(location(&res)).await.text().await.unwrap();
        assert!(page.contains("no longer in the trash"), "{page}");

        // Restore: back in the tasks, as it was.
        let res = app.post_form(&format!("/tasks/trash/{}/restore", ids[0]), &[]).await;
        assert_eq!((res.status(), location(&res)), (StatusCode::SEE_OTHER, "/tasks/trash"));
        let page = app.get("/tasks/trash").await.text().await.unwrap();
        assert!(page.contains("Restored “Apples”."), "{page}");
        assert_eq!(titles(&listed(&app, &token, "").await), ["Apples"]);

        // Delete forever asks first.
        let erase = format!("/tasks/trash/{}/erase", ids[1]);
        let res = app.post_form(&erase, &[]).await;
        assert_eq!(res.status(), StatusCode::OK);
        let confirm = res.text().await.unwrap();
        assert!(confirm.contains("Bananas") && confirm.contains("forever?"), "{confirm}");
        assert_eq!(listed(&app, &token, "?status=trashed").await.len(), 2);
        let res = app.post_form(&erase, &[("confirm", "1")]).await;
        let page = app.get(location(&res)).await.text().await.unwrap();
        assert!(page.contains("Deleted for good."), "{page}");
        assert_eq!(titles(&listed(&app, &token, "?status=trashed").await), ["Cherries"]);

        // Empty trash asks first, then erases the rest.
        let res = app.post_form("/tasks/trash/empty", &[]).await;
        assert!(res.text().await.unwrap().contains("Empty the trash?"));
        assert_eq!(listed(&app, &token, "?status=trashed").await.len(), 1);
        let res = app.post_form("/tasks/trash/empty", &[("confirm", "1")]).await;
        let page = app.get(location(&res)).await.text().await.unwrap();
        assert!(page.contains("Emptied the trash: 1 task deleted for good."), "{page}");
        assert!(page.contains("The trash is empty"));
        assert!(listed(&app, &token, "?status=trashed").await.is_empty());
        assert_eq!(titles(&listed(&app, &token, "").await), ["Apples"]);
    }
}
