//! Interaction details of the dashboard: acting on a task deleted in another tab, bulk
//! actions (select all, confirming a delete, nothing selected), and inline saves that answer
//! with their row alone so another open editor keeps its text.

use reqwest::StatusCode;

use crate::both_backends;
use crate::helpers::{TestApp, location, task_ids};

/// Deletes a task behind the page's back, as another tab would.
async fn delete_elsewhere(app: &TestApp, id: i64) {
    let res = app.post_form(&format!("/tasks/{id}/delete"), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.get("/tasks").await; // the flash of that delete is shown and gone
}

fn header<'a>(res: &'a reqwest::Response, name: &str) -> &'a str {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

both_backends! {
    async fn toggling_or_deleting_a_task_deleted_elsewhere_refreshes_the_list_calmly(app: TestApp) {
        app.sign_up("gone").await;
        let kept = app.create_task("Still here", "medium", "").await;
        let gone = app.create_task("Deleted in the other tab", "medium", "").await;
        delete_elsewhere(&app, gone).await;
        for action in ["toggle", "delete"] {
            let res = app.post_htmx(&format!("/tasks/{gone}/{action}"), &[("view", "status=open")]).await;
            assert_eq!(res.status(), StatusCode::OK, "{action}: no error for a task that is gone");
            assert_eq!(header(&res, "hx-retarget"), "#task-region", "{action}: the whole region, whatever was targeted");
            let body = res.text().await.unwrap();
            assert!(body.contains("data-notice") && body.contains("This task was deleted elsewhere."), "{action}: {body}");
            assert_eq!(task_ids(&body), vec![kept], "{action}: the fresh list");
            assert!(body.contains(r#"data-stat="total">1<"#), "{action}: fresh stats");

            let res = app.post_form(&format!("/tasks/{gone}/{action}"), &[("view", "status=open")]).await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER, "{action} without JavaScript: back to the list");
            assert_eq!(location(&res), "/tasks?status=open");
            let page = app.get(location(&res)).await.text().await.unwrap();
            assert!(page.contains("This task was deleted elsewhere."), "{action}: the flash says so");
        }
    }

    async fn saving_an_edit_of_a_task_deleted_elsewhere_keeps_the_text_and_offers_a_new_task(app: TestApp) {
        app.sign_up("edit-gone").await;
        let gone = app.create_task("Old title", "medium", "").await;
        delete_elsewhere(&app, gone).await;
        let typed = [("title", "My careful rewrite"), ("description", "three paragraphs of notes"), ("priority", "high"), ("due_date", ""), ("version", "1"), ("view", "")];

        let res = app.post_form(&format!("/tasks/{gone}"), &typed).await;
        assert_eq!(res.status(), StatusCode::OK, "the edit page again, not a 404");
        let page = res.text().await.unwrap();
        assert!(page.contains("This task was deleted elsewhere"), "{page}");
        assert!(page.contains(r#"value="My careful rewrite""#) && page.contains("three paragraphs of notes"), "the typed text is kept");
        assert!(page.contains(r#"action="/tasks""#) && page.contains("Save as a new task"));

        let res = app.post_htmx(&format!("/tasks/{gone}"), &typed).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(header(&res, "hx-retarget"), format!("#task-{gone}"), "in place of the editor's own row");
        let row = res.text().await.unwrap();
        assert!(row.trim_start().starts_with(&format!("<tr id=\"task-{gone}\"")), "{row}");
        assert!(row.contains(r#"value="My careful rewrite""#) && row.contains("three paragraphs of notes"));
        assert!(row.contains(r#"hx-post="/tasks""#) && row.contains("Save as a new task"));
        assert!(row.contains(r#"data-stat="total">0<"#) && row.contains(r#"id="announcer""#), "fresh stats and the news, out of band");

        // An invalid edit of a gone task is the same offer (with the error shown).
        let res = app.post_form(&format!("/tasks/{gone}"), &[("title", " "), ("priority", "high"), ("version", "1")]).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.text().await.unwrap().contains("Save as a new task"));

        // Saving it as a new task works like any create.
        let fields: Vec<(&str, &str)> = typed.iter().filter(|(k, _)| *k != "version").copied().collect();
        let res = app.post_form("/tasks", &fields).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let list = app.get("/tasks").await.text().await.unwrap();
        assert!(list.contains("My careful rewrite"));
    }

    async fn a_bulk_action_acts_on_the_tasks_left_and_counts_those_deleted_elsewhere(app: TestApp) {
        app.sign_up("bulk-gone").await;
        let ids: Vec<i64> = create_all(&app, &["One", "Two", "Three", "Four"]).await;
        delete_elsewhere(&app, ids[0]).await;
        let s: Vec<String> = ids.iter().map(i64::to_string).collect();
        let res = app.post_htmx("/tasks/bulk", &[("action", "complete"), ("view", ""), ("ids", &s[0]), ("ids", &s[1]), ("ids", &s[2])]).await;
        assert_eq!(res.status(), StatusCode::OK);
        let body = res.text().await.unwrap();
        assert!(body.contains("Marked 2 tasks as done. 1 task was already deleted elsewhere."), "{body}");
        assert!(body.contains("data-notice"), "shown, not only announced");
        assert!(body.contains(r#"data-stat="done">2<"#));

        delete_elsewhere(&app, ids[1]).await;
        delete_elsewhere(&app, ids[2]).await;
        let res = app.post_form("/tasks/bulk", &[("action", "delete"), ("confirm", "yes"), ("view", ""), ("ids", &s[1]), ("ids", &s[2]), ("ids", &s[3])]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let page = app.get(location(&res)).await.text().await.unwrap();
        assert!(page.contains("Deleted 1 task. 2 tasks were already deleted elsewhere."), "{page}");
        assert!(task_ids(&page).is_empty());

        // All of them gone: the calm answer, not an error.
        let res = app.post_htmx("/tasks/bulk", &[("action", "reopen"), ("view", ""), ("ids", &s[1]), ("ids", &s[2])]).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.text().await.unwrap().contains("These tasks were deleted elsewhere."));
    }

    async fn a_bulk_delete_without_javascript_asks_first_naming_the_tasks(app: TestApp) {
        app.sign_up("bulk-confirm").await;
        let ids: Vec<i64> = create_all(&app, &["Alpha <b>one</b>", "Beta", "Gamma"]).await;
        let s: Vec<String> = ids.iter().map(i64::to_string).collect();
        let res = app.post_form("/tasks/bulk", &[("action", "delete"), ("view", "sort=title"), ("ids", &s[0]), ("ids", &s[1])]).await;
        assert_eq!(res.status(), StatusCode::OK, "a confirmation page, not a delete");
        let page = res.text().await.unwrap();
        assert!(page.contains("Delete 2 tasks?"), "{page}");
        assert!(page.contains("Alpha ") && !page.contains("<b>one</b>") && page.contains("Beta") && !page.contains("Gamma"), "names them, escaped");
        assert!(page.contains(r#"name="confirm" value="yes""#) && page.contains(r#"name="csrf_token""#));
        assert!(page.contains(r#"href="/tasks?sort=title""#), "Cancel returns to the same view");
        assert_eq!(task_ids(&app.get("/tasks").await.text().await.unwrap()).len(), 3, "nothing deleted yet");

        let res = app.post_form("/tasks/bulk", &[("action", "delete"), ("confirm", "yes"), ("view", "sort=title"), ("ids", &s[0]), ("ids", &s[1])]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&res), "/tasks?sort=title");
        assert_eq!(task_ids(&app.get("/tasks").await.text().await.unwrap()), vec![ids[2]]);

        // With JavaScript the browser asked already (hx-confirm): it deletes at once.
        let res = app.post_htmx("/tasks/bulk", &[("action", "delete"), ("view", ""), ("ids", &s[2])]).await;
        assert!(res.text().await.unwrap().contains("Deleted 1 task."));
    }

    async fn a_bulk_action_with_nothing_selected_says_so_and_changes_nothing(app: TestApp) {
        app.sign_up("bulk-none").await;
        app.create_task("Untouched", "medium", "").await;
        let res = app.post_htmx("/tasks/bulk", &[("action", "complete"), ("view", "")]).await;
        assert_eq!(res.status(), StatusCode::OK);
        let body = res.text().await.unwrap();
        assert!(body.contains("data-notice") && body.contains("select at least one task first"), "visible: {body}");
        assert!(body.contains(r#"data-stat="done">0<"#));
        let res = app.post_form("/tasks/bulk", &[("action", "delete"), ("view", "")]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let page = app.get(location(&res)).await.text().await.unwrap();
        assert!(page.contains("select at least one task first"));
        assert_eq!(task_ids(&page).len(), 1);
    }

    async fn select_all_without_javascript_ticks_every_box_on_the_page(app: TestApp) {
        app.sign_up("select-all").await;
        create_all(&app, &["a1", "a2", "a3"]).await;
        let page = app.get("/tasks?sort=title").await.text().await.unwrap();
        let link = page.split("data-select-all-link href=\"").nth(1).and_then(|rest| rest.split('"').next()).unwrap_or_default();
        assert!(link.starts_with("/tasks?sort=title&") && link.ends_with("select=all"), "the link keeps the view: {link}");
        let ticked = |page: &str, id: i64| page.contains(&format!(r#"aria-labelledby="ls t{id}" checked"#));
        let ids = task_ids(&page);
        assert_eq!(ids.len(), 3);
        assert!(ids.iter().all(|&id| !ticked(&page, id)), "nothing ticked by default");
        let page = app.get("/tasks?sort=title&select=all").await.text().await.unwrap();
        for id in ids {
            assert!(ticked(&page, id), "task {id} ticked");
        }
        assert!(page.contains(r#"data-select-all-link href="/tasks?sort=title""#), "and a way to clear it");
        assert!(page.contains(r#"name="view" value="sort=title""#), "write forms never carry select=all back");
    }

    async fn an_inline_save_answers_with_its_row_alone_and_fresh_stats(app: TestApp) {
        app.sign_up("row-save").await;
        let id = app.create_task("Pack bags", "low", "").await;
        let other = app.create_task("Book taxi", "low", "").await;
        let res = app.post_htmx(&format!("/tasks/{id}"), &[("title", "Pack the bags"), ("priority", "high"), ("due_date", "2000-01-01"), ("version", "1"), ("view", "q=pack")]).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers().get("hx-retarget").is_none(), "it replaces the editor's row, its target");
        let body = res.text().await.unwrap();
        assert!(body.trim_start().starts_with(&format!("<tr id=\"task-{id}\"")), "{body}");
        assert_eq!(task_ids(&body), vec![id], "the row alone: other rows (and editors) stay");
        assert!(!body.contains("bulk-form\" method") && !body.contains(&format!("task-{other}")));
        assert!(body.contains("<template>") && body.contains(r#"data-stat="overdue">1<"#), "stats out of band");
        assert!(body.contains("Saved “Pack the bags”."));
        assert!(!body.contains("data-row-note"), "still matches the search");

        let res = app.post_htmx(&format!("/tasks/{id}"), &[("title", "Suitcases"), ("priority", "high"), ("version", "2"), ("view", "q=pack")]).await;
        let body = res.text().await.unwrap();
        assert!(body.contains("data-row-note") && body.contains("no longer matches the filters"), "{body}");

        // Cancel puts the row back alone too.
        let res = app.get_htmx(&format!("/tasks/{id}?view=q%3Dpack")).await;
        let body = res.text().await.unwrap();
        assert!(body.trim_start().starts_with(&format!("<tr id=\"task-{id}\"")) && !body.contains("<template>"), "{body}");
    }
}

/// Creates tasks in order and returns their ids.
async fn create_all(app: &TestApp, titles: &[&str]) -> Vec<i64> {
    let mut ids = Vec::new();
    for title in titles {
        ids.push(app.create_task(title, "medium", "").await);
    }
    ids
}
