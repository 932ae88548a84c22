//! The dashboard (SPEC section 4): ownership, filters, sort, paging, validation, concurrency,
//! fragments versus pages, and the error state.

use std::collections::HashSet;

use chrono::Utc;
use reqwest::StatusCode;
use task_dashboard::domain::task::{Priority, TaskInput};

use crate::both_backends;
use crate::helpers::{TestApp, location, rel_link, task_ids, urlencode};

fn input(title: &str, priority: Priority) -> TaskInput {
    TaskInput {
        title: title.into(),
        description: None,
        priority,
        due_date: None,
        repeat: Default::default(),
        tags: Vec::new(),
    }
}

/// Follows `rel` links from `start` and returns every task id seen, page by page.
async fn walk(app: &TestApp, start: &str, rel: &str) -> Vec<Vec<i64>> {
    let mut pages = Vec::new();
    let mut next = Some(start.to_owned());
    while let Some(path) = next {
        let res = app.get(&path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let body = res.text().await.unwrap();
        pages.push(task_ids(&body));
        next = rel_link(&body, rel);
        assert!(pages.len() < 50, "paging does not end");
    }
    pages
}

/// The ids a search for `q` lists.
async fn found(app: &TestApp, q: &str) -> HashSet<i64> {
    let body = app
        .get(&format!("/tasks?q={}", urlencode(q)))
        .await
        .text()
        .await
        .unwrap();
    task_ids(&body).into_iter().collect()
}

both_backends! {
    async fn a_user_sees_only_their_own_tasks_and_counts(app: TestApp) {
        app.sign_up("alice").await;
        app.create_task("Alice's first", "high", "").await;
        app.create_task("Alice's second", "low", "").await;
        let bob = app.another_browser();
        bob.sign_up("bob").await;
        bob.create_task("Bob's only", "medium", "").await;

        let alice_page = app.get("/tasks").await.text().await.unwrap();
        assert!(alice_page.contains("Alice&#39;s first") || alice_page.contains("Alice&#x27;s first") || alice_page.contains("Alice's first"));
        // Not just "Bob": a page's random tokens (CSRF, CSP nonce) may spell it by chance.
        assert!(!alice_page.contains("s only"), "another user's task leaked");
        assert!(alice_page.contains(r#"data-stat="total">2<"#), "Alice's total is 2");
        let bob_page = bob.get("/tasks").await.text().await.unwrap();
        // Alice's titles as a page writes an apostrophe (tokens are base64url: no & or ').
        for alice in ["Alice&#39;s", "Alice&#x27;s", "Alice's"] {
            assert!(!bob_page.contains(alice), "another user's task leaked");
        }
        assert!(bob_page.contains(r#"data-stat="total">1<"#));
    }

    async fn bad_input_is_refused_with_422_the_field_named_and_the_input_kept(app: TestApp) {
        app.sign_up("val").await;
        let long = "x".repeat(201);
        let cases: [(&[(&str, &str)], &str); 4] = [
            (&[("title", "   "), ("description", "keep these notes")], "new-title-error"),
            (&[("title", &long), ("description", "keep these notes")], "new-title-error"),
            (&[("title", "Fine"), ("priority", "urgent"), ("description", "keep these notes")], "new-priority-error"),
            (&[("title", "Fine"), ("due_date", "31/12/2026"), ("description", "keep these notes")], "new-due-error"),
        ];
        for (form, field) in cases {
            let res = app.post_form("/tasks", form).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{form:?}");
            let body = res.text().await.unwrap();
            assert!(body.contains(&format!("id=\"{field}\"")), "{field} is named");
            assert!(body.contains("keep these notes"), "the notes typed are kept");
            assert!(body.contains(r#"<details class="create-options" open>"#), "and \"More options\" is open to show them");
            let res = app.post_htmx("/tasks", form).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(res.headers()["hx-retarget"], "#create");
            let body = res.text().await.unwrap();
            assert!(body.trim_start().starts_with("<section id=\"create\""), "{body}");
            assert!(body.contains("keep these notes"), "the notes typed come back too");
        }
        assert!(app.get("/tasks").await.text().await.unwrap().contains(r#"data-stat="total">0<"#), "nothing was created");
    }

    async fn filters_in_force_are_chips_that_remove_them_and_open_the_filter_disclosure(app: TestApp) {
        app.sign_up("chips").await;
        let plain = app.get("/tasks").await.text().await.unwrap();
        assert!(!plain.contains("data-clear-filter"), "no filter, no chip");
        assert!(plain.contains(r#"<details class="filter-disclosure">"#), "folded when nothing is filtered");
        assert!(plain.contains(r#"<details class="create-options">"#), "\"More options\" starts folded");
        let page = app.get("/tasks?q=milk&status=open&priority=high&size=50").await.text().await.unwrap();
        for (field, href) in [
            ("q", "/tasks?status=open&#38;priority=high&#38;size=50"),
            ("status", "/tasks?q=milk&#38;priority=high&#38;size=50"),
            ("priority", "/tasks?q=milk&#38;status=open&#38;size=50"),
        ] {
            let chip = format!(r#"href="{href}" data-clear-filter="{field}""#);
            assert!(page.contains(&chip), "{chip}");
        }
        assert!(page.contains(r#"<details class="filter-disclosure" open>"#), "open by itself when a filter is on");
        let searched = app.get("/tasks?q=milk").await.text().await.unwrap();
        assert!(searched.contains(r#"<details class="filter-disclosure">"#), "the search box is always in sight: a search alone leaves it folded");
    }

    async fn unreadable_view_values_show_the_nearest_view_and_say_what_was_ignored(app: TestApp) {
        app.sign_up("q").await;
        app.create_task("Still listed", "high", "").await;
        for (query, why) in [("sort=evil", "Unknown sort"), ("status=x", "Unknown status"), ("priority=urgent", "Unknown priority"), ("dir=sideways", "Unknown direction"), ("size=7", "Page size"), ("size=1000", "Page size"), ("after=%27%3B--", "page link is not valid"), ("sort=title%3B+DROP+TABLE+tasks", "Unknown sort")] {
            let res = app.get(&format!("/tasks?{query}")).await;
            assert_eq!(res.status(), StatusCode::OK, "{query}");
            let body = res.text().await.unwrap();
            assert!(body.contains("<html") && body.contains("data-ignored-view") && body.contains(why), "{query}");
            assert!(body.contains("Still listed") && body.contains("Sign out"), "{query}: the default view, in the app's page");
            let res = app.get_htmx(&format!("/tasks?{query}")).await;
            assert_eq!(res.status(), StatusCode::OK, "htmx {query}");
            assert!(res.headers().contains_key("hx-replace-url"), "htmx {query}: the canonical URL");
            let body = res.text().await.unwrap();
            assert!(!body.contains("<html") && body.contains(why), "htmx {query}");
        }
        // What can be read is kept: a valid filter beside a bad size stays in force.
        let body = app.get("/tasks?status=done&size=1000").await.text().await.unwrap();
        assert!(body.contains("data-ignored-view") && !body.contains("Still listed"), "status=done kept");
        assert_eq!(app.get("/tasks/not-a-number").await.status(), StatusCode::NOT_FOUND);
    }

    async fn filters_and_literal_search_narrow_the_list(app: TestApp) {
        app.sign_up("filter").await;
        let sale = app.create_task("50% off sale", "high", "").await;
        let five = app.create_task("500 widgets", "low", "").await;
        let under = app.create_task("snake_case names", "medium", "").await;
        let done = app.create_task("Already DONE thing", "low", "").await;
        app.post_form(&format!("/tasks/{done}/toggle"), &[]).await;

        let ids = |body: String| task_ids(&body).into_iter().collect::<HashSet<_>>();
        assert_eq!(ids(app.get("/tasks?q=50%25").await.text().await.unwrap()), HashSet::from([sale]), "% is literal");
        assert_eq!(ids(app.get("/tasks?q=e_c").await.text().await.unwrap()), HashSet::from([under]), "_ is literal");
        assert_eq!(ids(app.get("/tasks?q=already+done").await.text().await.unwrap()), HashSet::from([done]), "case-insensitive");
        assert_eq!(ids(app.get("/tasks?status=done").await.text().await.unwrap()), HashSet::from([done]));
        assert_eq!(ids(app.get("/tasks?status=open").await.text().await.unwrap()), HashSet::from([sale, five, under]));
        assert_eq!(ids(app.get("/tasks?priority=low&status=open").await.text().await.unwrap()), HashSet::from([five]));
        let none = app.get("/tasks?q=nothing-like-this").await.text().await.unwrap();
        assert!(none.contains(r#"data-state="empty-filtered""#) && none.contains(r#"data-action="clear-filters""#));
        assert!(!none.contains(r#"data-state="empty-none""#));
    }

    async fn search_through_the_text_index_finds_exactly_the_users_own_matches(app: TestApp) {
        // Searches of three characters or more go through a text index (SQLite: FTS5
        // trigram kept by triggers; PostgreSQL: pg_trgm), then the literal LIKE test.
        app.sign_up("finder").await;
        let other = app.another_browser();
        other.sign_up("hider").await;
        let mine = app.create_task(r#"Quarterly "board" report"#, "high", "").await;
        let theirs = other.create_task("Quarterly board report", "high", "").await;
        let res = app
            .post_form("/tasks", &[("title", "Ring"), ("description", "Call Bob about the 100% invoice"), ("priority", "low")])
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let noted = *found(&app, "call bob").await.iter().next().expect("listed");

        assert_eq!(found(&app, "quarterly").await, HashSet::from([mine]), "another account's match never shows");
        assert_eq!(found(&other, "QUARTERLY").await, HashSet::from([theirs]));
        assert_eq!(found(&app, r#""board""#).await, HashSet::from([mine]), "quotes are literal");
        assert_eq!(found(&other, r#""board""#).await, HashSet::new());
        assert_eq!(found(&app, "bob about the 100%").await, HashSet::from([noted]), "descriptions are searched");
        assert_eq!(found(&app, "100_").await, HashSet::new(), "_ stays literal");

        // An edit moves the task to its new words; a delete removes it.
        let res = app.post_form(&format!("/tasks/{mine}"), &[("title", "Annual summary"), ("priority", "high"), ("version", "1")]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(found(&app, "quarterly").await, HashSet::new());
        assert_eq!(found(&app, "annual summ").await, HashSet::from([mine]));
        app.post_form(&format!("/tasks/{noted}/delete"), &[]).await;
        assert_eq!(found(&app, "bob about").await, HashSet::new());
        assert_eq!(found(&other, "quarterly").await, HashSet::from([theirs]));
    }

    async fn an_empty_account_and_an_empty_filter_are_different_states(app: TestApp) {
        app.sign_up("empty").await;
        let body = app.get("/tasks").await.text().await.unwrap();
        assert!(body.contains(r#"data-state="empty-none""#) && body.contains("No tasks yet"));
        assert!(body.contains(r#"id="create-form""#), "the create form is at hand");
        let fragment = app.get_htmx("/tasks?status=done").await.text().await.unwrap();
        assert!(fragment.contains(r#"data-state="empty-none""#), "no tasks at all, whatever the filter");
    }

    async fn each_sort_orders_the_list_and_newest_first_is_the_default(app: TestApp) {
        app.sign_up("sort").await;
        let b = app.create_task("banana", "low", "2026-12-01").await;
        let a = app.create_task("Apple", "high", "").await;
        let c = app.create_task("cherry", "medium", "2026-11-01").await;
        let order = |q: &'static str| {
            let app = &app;
            async move { task_ids(&app.get(&format!("/tasks{q}")).await.text().await.unwrap()) }
        };
        assert_eq!(order("").await, vec![c, a, b], "newest first");
        assert_eq!(order("?sort=created&dir=asc").await, vec![b, a, c]);
        assert_eq!(order("?sort=title").await, vec![a, b, c], "A to Z, ignoring case");
        assert_eq!(order("?sort=title&dir=desc").await, vec![c, b, a]);
        assert_eq!(order("?sort=priority").await, vec![a, c, b], "high first");
        assert_eq!(order("?sort=due").await, vec![c, b, a], "soonest first, undated last");
        let page = app.get("/tasks?sort=title").await.text().await.unwrap();
        assert!(page.contains(r#"aria-sort="ascending""#));
    }

    async fn paging_through_ties_never_repeats_or_skips_a_row(app: TestApp) {
        let email = app.sign_up("pager").await;
        let user = app.user_id(&email).await;
        let now = Utc::now();
        let mut all = HashSet::new();
        for i in 0..23 {
            // Every task shares one timestamp and one of two priorities: ties everywhere.
            let priority = if i % 2 == 0 { Priority::High } else { Priority::Low };
            let task = app.store.create_task(user, &input(&format!("Tie {i:02}"), priority), false, now).await.unwrap();
            all.insert(task.id);
        }
        for sort in ["", "?sort=priority", "?sort=due", "?sort=title&dir=desc", "?status=open&sort=priority&dir=asc"] {
            let start = format!("/tasks{}{}size=10", sort, if sort.is_empty() { "?" } else { "&" });
            let pages = walk(&app, &start, "next").await;
            assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), vec![10, 10, 3], "{sort}");
            let seen: Vec<i64> = pages.concat();
            assert_eq!(seen.iter().copied().collect::<HashSet<_>>(), all, "{sort}: every task once");
            assert_eq!(seen.len(), 23, "{sort}: no repeats");
            // And back again from the last page.
            let last = format!("{start}&page=last");
            let back: Vec<i64> = walk(&app, &last, "prev").await.into_iter().rev().flatten().collect();
            assert_eq!(back.len(), 23, "{sort}: backwards, no repeats");
            assert_eq!(back.iter().copied().collect::<HashSet<_>>(), all, "{sort}: backwards, every task");
        }
    }

    async fn every_page_says_where_it_is_in_every_order_even_through_ties(app: TestApp) {
        let email = app.sign_up("where").await;
        let user = app.user_id(&email).await;
        let now = Utc::now();
        for i in 0..23 {
            let priority = if i % 2 == 0 { Priority::High } else { Priority::Low };
            app.store.create_task(user, &input(&format!("Tie {i:02}"), priority), false, now).await.unwrap();
        }
        let position = |html: &str| {
            let start = html.find("data-position>").expect("a position") + "data-position>".len();
            html[start..start + html[start..].find('<').unwrap()].to_owned()
        };
        for (sort, noun) in [("", "tasks"), ("&sort=priority", "tasks"), ("&sort=due", "tasks"), ("&sort=title&dir=desc", "tasks"), ("&status=open&sort=priority&dir=asc", "matching tasks")] {
            let mut path = format!("/tasks?size=10{sort}");
            for want in ["1–10", "11–20", "21–23"] {
                let html = app.get(&path).await.text().await.unwrap();
                assert_eq!(position(&html), format!("{want} of 23 {noun}"), "{path}");
                if let Some(next) = rel_link(&html, "next") {
                    path = next;
                }
            }
            // The last page is a whole page; Previous from it counts back.
            let html = app.get(&format!("/tasks?size=10{sort}&page=last")).await.text().await.unwrap();
            assert_eq!(position(&html), format!("14–23 of 23 {noun}"), "{sort} last");
            let prev = rel_link(&html, "prev").unwrap();
            let html = app.get(&prev).await.text().await.unwrap();
            assert_eq!(position(&html), format!("4–13 of 23 {noun}"), "{sort} previous");
        }
        let html = app.get("/tasks?priority=high").await.text().await.unwrap();
        assert_eq!(position(&html), "12 matching tasks");
        // The sort select's value stands for sort and dir.
        let by_select = app.get("/tasks?order=title-desc&size=10").await.text().await.unwrap();
        let by_link = app.get("/tasks?sort=title&dir=desc&size=10").await.text().await.unwrap();
        assert_eq!(task_ids(&by_select), task_ids(&by_link));
        assert!(by_select.contains(r#"<option value="title-desc" selected>"#));
        // An htmx answer names the view's own URL, for the address bar.
        let res = app.get_htmx("/tasks?q=&status=all&priority=&size=25&order=title-asc").await;
        assert_eq!(res.headers()["content-location"], "/tasks?sort=title");
    }

    async fn a_stale_save_answers_409_keeps_the_input_and_shows_the_current_values(app: TestApp) {
        app.sign_up("stale").await;
        let id = app.create_task("Original title", "medium", "").await;
        let path = format!("/tasks/{id}");
        // Someone else (another tab) completes it: version 1 becomes 2.
        app.post_form(&format!("{path}/toggle"), &[]).await;
        let res = app.post_form(&path, &[("title", "My careful edit"), ("priority", "high"), ("version", "1")]).await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        let body = res.text().await.unwrap();
        assert!(body.contains("My careful edit"), "the user's input is kept");
        assert!(body.contains("changed while you were editing"), "the conflict is explained");
        assert!(body.contains("Original title"), "the current values are shown");
        assert!(body.contains(r#"name="version" value="2""#), "saving again is a deliberate overwrite");
        let res = app.post_htmx(&path, &[("title", "My careful edit"), ("priority", "high"), ("version", "1")]).await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        assert_eq!(res.headers()["hx-retarget"], format!("#task-{id}").as_str());
        let res = app.post_form(&path, &[("title", "My careful edit"), ("priority", "high"), ("version", "2")]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let page = app.get(&path).await.text().await.unwrap();
        assert!(page.contains("My careful edit"));
    }

    async fn htmx_gets_the_region_fragment_and_a_browser_gets_the_page(app: TestApp) {
        app.sign_up("frag").await;
        app.create_task("Fragment me", "medium", "").await;
        let page = app.get("/tasks").await;
        assert_eq!(page.headers()["vary"], "HX-Request");
        let page = page.text().await.unwrap();
        assert!(page.starts_with("<!doctype html>") && page.contains("Fragment me"));
        let fragment = app.get_htmx("/tasks").await;
        assert_eq!(fragment.status(), StatusCode::OK);
        assert_eq!(fragment.headers()["vary"], "HX-Request");
        let fragment = fragment.text().await.unwrap();
        assert!(!fragment.contains("<html") && !fragment.contains("<body"), "a fragment, not a page");
        assert!(fragment.contains("Fragment me") && fragment.contains(r#"id="task-table""#));
        assert!(fragment.contains(r#"id="stats" aria-label="Summary""#) && fragment.contains("hx-swap-oob"), "stats update out of band");
    }

    async fn writes_without_javascript_redirect_back_to_the_same_view_with_a_flash(app: TestApp) {
        app.sign_up("nojs").await;
        let id = app.create_task("Flash me", "medium", "").await;
        let view = "status=open&sort=title";
        let res = app.post_form(&format!("/tasks/{id}/toggle"), &[("view", view)]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&res), format!("/tasks?{view}"));
        let page = app.get(location(&res)).await.text().await.unwrap();
        assert!(page.contains("Marked “Flash me” as done."), "flash shown once");
        assert!(!app.get("/tasks").await.text().await.unwrap().contains("Marked “Flash me”"), "and only once");
        let res = app.post_form(&format!("/tasks/{id}/delete"), &[("view", "q=a%22%3E%3Cscript%3E")]).await;
        assert_eq!(location(&res), "/tasks?q=a%22%3E%3Cscript%3E", "the view is re-encoded, never echoed raw");
        let confirm = app.get(&format!("/tasks/{id}/delete")).await;
        assert_eq!(confirm.status(), StatusCode::NOT_FOUND, "deleted");
    }

    async fn htmx_writes_answer_with_the_region_the_stats_and_an_announcement(app: TestApp) {
        app.sign_up("live").await;
        let res = app.post_htmx("/tasks", &[("title", "Announced <b>task</b>"), ("priority", "high"), ("view", "")]).await;
        assert_eq!(res.status(), StatusCode::OK);
        let body = res.text().await.unwrap();
        assert!(body.contains(r#"id="announcer""#) && body.contains("Added “Announced "), "{body}");
        assert!(!body.contains("<b>task</b>"), "the title is escaped");
        assert!(body.contains(r#"data-stat="total">1<"#), "stats updated");
        assert!(body.contains(r#"<form id="create-form""#) && body.contains(r#"hx-swap-oob="true""#));
        assert!(!body.contains(r#"value="Announced"#), "the create form comes back empty");
        let id = task_ids(&body)[0];
        let id_s = id.to_string();
        let res = app.post_htmx("/tasks/bulk", &[("action", "complete"), ("ids", &id_s), ("view", "")]).await;
        let body = res.text().await.unwrap();
        assert!(body.contains("Marked 1 task as done."));
        assert!(body.contains(r#"data-stat="done">1<"#));
        let edit = app.get_htmx(&format!("/tasks/{id}/edit")).await.text().await.unwrap();
        assert!(edit.trim_start().starts_with(&format!("<tr id=\"task-{id}\"")), "inline editing swaps a row: {edit}");
        assert!(edit.contains("data-inline-edit"));
    }

    async fn a_page_of_rows_stays_within_its_byte_budget(app: TestApp) {
        // Every view sends a page of these (issue 16: bytes are rendered, copied and
        // compressed on every view), so a row carries only what it needs: no hx-* or data-*
        // hooks (app.js knows a row by its id and an action by its URL), no inline icons.
        app.sign_up("bytes").await;
        for n in 0..25 {
            let title = format!("Renew the passport {n:02}");
            let res = app
                .post_form("/tasks", &[("title", &title), ("priority", "high"), ("due_date", "2031-05-17")])
                .await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
        }
        let fragment = app.get_htmx("/tasks").await.text().await.unwrap();
        let rows: Vec<&str> = fragment
            .split("<tr id=\"task-")
            .skip(1)
            .map(|rest| &rest[..rest.find("</tr>").expect("each row ends")])
            .collect();
        assert_eq!(rows.len(), 25);
        for row in &rows {
            assert!(!row.contains(" data-") && !row.contains(" hx-") && !row.contains("<svg"), "{row}");
            // Today's row is about 625 bytes: a title, a priority, a due date, created, and
            // five controls with their accessible names. 800 leaves room for a small change.
            assert!(row.len() <= 800, "{} bytes: {row}", row.len());
        }
        assert!(fragment.len() <= 22_000, "the 25-row fragment is {} bytes", fragment.len());
    }

    async fn a_database_outage_shows_the_error_fragment_and_the_app_recovers(app: TestApp) {
        app.sign_up("down").await;
        app.create_task("Survives the outage", "medium", "").await;
        let held = app.stop_database().await;
        let res = app.get_htmx("/tasks?status=open").await;
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(res.headers().contains_key("retry-after"));
        let request_id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
        let body = res.text().await.unwrap();
        assert!(body.contains("data-error-state") && !body.contains("<html"), "a fragment: {body}");
        assert!(body.contains(&request_id), "the request id is shown");
        assert!(body.contains(r#"hx-get="/tasks?status=open""#), "Try again repeats the same request");
        let res = app.get("/tasks").await;
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        app.start_database(held).await;
        let mut body = String::new();
        for _ in 0..20 {
            let res = app.get_htmx("/tasks?status=open").await;
            if res.status() == StatusCode::OK { body = res.text().await.unwrap(); break; }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
        assert!(body.contains("Survives the outage"), "recovered, nothing lost");
    }
}

#[test]
fn search_text_is_url_encoded_in_links() {
    assert_eq!(urlencode("50% & more"), "50%25+%26+more");
}
