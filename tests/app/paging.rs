//! Paging that always ends (issue 12): every sort order, through titles whose case folds
//! differently in Rust, SQLite and PostgreSQL (Greek final sigma, Turkish dotted I, German
//! sharp s, combining marks), with rows inserted and deleted between pages. Every row that
//! existed throughout must come exactly once, in order, and every `Link` must work.

use std::collections::HashSet;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use proptest::{
    prelude::*,
    test_runner::{Config, TestRunner},
};
use reqwest::StatusCode;
use serde_json::Value;
use task_dashboard::{
    domain::{repeat::Repeat, task::Priority, text::fold},
    store::ImportTask,
};

use crate::both_backends;
use crate::helpers::TestApp;

/// Pieces whose case folds differently from one implementation to the next.
const PIECES: [&str; 22] = [
    "ΟΔΟΣ",
    "οδος",
    "Σ",
    "ς",
    "σ",
    "İzmir",
    "izmir",
    "IZMIR",
    "ı",
    "ß",
    "SS",
    "ss",
    "ẞ",
    "cafe\u{301}",
    "café",
    "CAFÉ",
    "a",
    "Z",
    "0",
    "_",
    "%",
    " ",
];

#[derive(Debug, Clone)]
struct Row {
    title: String,
    priority: Priority,
    due: Option<NaiveDate>,
    created: i64,
}

fn row() -> impl Strategy<Value = Row> {
    (
        prop::collection::vec(prop::sample::select(PIECES.to_vec()), 1..4),
        prop::sample::select(vec![Priority::Low, Priority::Medium, Priority::High]),
        prop::option::of(0u32..3),
        0i64..4,
    )
        .prop_map(|(pieces, priority, due, created)| Row {
            // Titles are stored trimmed and in NFC, as the forms and the API store them.
            title: task_dashboard::domain::text::nfc(format!("t{}", pieces.concat()).trim()),
            priority,
            due: due.map(|d| NaiveDate::from_ymd_opt(2026, 1, 1 + d).unwrap()),
            created,
        })
}

/// What a page is read by: the API, following `Link: <...>; rel="next"`.
async fn page(app: &TestApp, token: &str, path: &str) -> (Vec<Value>, Option<String>) {
    let res = app
        .new_browser()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    let next = res.headers().get("link").map(|l| {
        let l = l.to_str().unwrap();
        assert!(l.ends_with("; rel=\"next\""), "{l}");
        l[1..l.find('>').unwrap()].to_owned()
    });
    (res.json().await.unwrap(), next)
}

/// The order key of a task as the API shows it, for checking the order of what came back.
fn key(task: &Value, sort: &str) -> (String, i64) {
    let value = match sort {
        "created" => {
            let at = DateTime::parse_from_rfc3339(task["created_at"].as_str().unwrap()).unwrap();
            format!("{:020}", at.timestamp_micros())
        }
        "due" => task["due_date"].as_str().unwrap_or("9999-12-31").to_owned(),
        "priority" => {
            let rank = match task["priority"].as_str().unwrap() {
                "low" => 1,
                "medium" => 2,
                _ => 3,
            };
            rank.to_string()
        }
        _ => fold(task["title"].as_str().unwrap()),
    };
    (value, task["id"].as_i64().unwrap())
}

/// Pages through every order of one account holding `rows`, inserting a task and deleting
/// one (sometimes the very row the cursor stands on) between pages.
async fn page_every_order(app: &TestApp, case: usize, rows: Vec<Row>) {
    let email = app.sign_up(&format!("paging{case}")).await;
    let user = app.user_id(&email).await;
    let token = app.bearer_token(&email).await;
    let base = DateTime::<Utc>::from_timestamp(1_767_225_600, 0).unwrap();
    let import: Vec<ImportTask> = rows
        .iter()
        .map(|r| ImportTask {
            user_id: user,
            title: r.title.clone(),
            description: None,
            is_completed: false,
            priority: r.priority,
            due_date: r.due,
            created_at: base + Duration::seconds(r.created),
            repeat: Repeat::None,
            updated_at: None,
            tags: Vec::new(),
        })
        .collect();
    app.store.import_tasks(&import).await.unwrap();
    for sort in ["created", "due", "priority", "title"] {
        for dir in ["asc", "desc"] {
            let (all, _) = page(app, &token, "/api/tasks?limit=100").await;
            let mut alive: HashSet<i64> = all.iter().map(|t| t["id"].as_i64().unwrap()).collect();
            let before = alive.clone();
            let mut seen: Vec<Value> = Vec::new();
            let mut next = Some(format!("/api/tasks?sort={sort}&dir={dir}&limit=3"));
            let mut pages = 0;
            while let Some(path) = next {
                pages += 1;
                assert!(pages <= 40, "{sort} {dir}: paging never ends ({path})");
                let (tasks, link) = page(app, &token, &path).await;
                for task in &tasks {
                    let id = task["id"].as_i64().unwrap();
                    assert!(
                        !seen.iter().any(|s| s["id"] == task["id"]),
                        "{sort} {dir}: task {id} came twice"
                    );
                }
                seen.extend(tasks.iter().cloned());
                next = link;
                // Between pages: a new task, and one old one gone (the cursor's own row on
                // every other page).
                let title = PIECES[(pages + case) % PIECES.len()];
                app.store
                    .create_task(
                        user,
                        &task_dashboard::domain::task::TaskInput {
                            title: format!("new {title}"),
                            description: None,
                            priority: Priority::Medium,
                            due_date: None,
                            repeat: Default::default(),
                            tags: Vec::new(),
                        },
                        false,
                        Utc::now(),
                    )
                    .await
                    .unwrap();
                let victim = if pages % 2 == 0 {
                    tasks.last().and_then(|t| t["id"].as_i64())
                } else {
                    alive.iter().copied().max_by_key(|id| (id * 7919) % 101)
                };
                if let Some(victim) = victim {
                    app.store
                        .delete_task(user, victim, None, chrono::Utc::now())
                        .await
                        .unwrap();
                    alive.remove(&victim);
                }
            }
            let seen_ids: HashSet<i64> = seen.iter().map(|t| t["id"].as_i64().unwrap()).collect();
            for id in before.intersection(&alive) {
                assert!(
                    seen_ids.contains(id),
                    "{sort} {dir}: task {id} was never shown"
                );
            }
            // What existed throughout came in the order asked for.
            let throughout: Vec<(String, i64)> = seen
                .iter()
                .filter(|t| {
                    alive.contains(&t["id"].as_i64().unwrap())
                        && before.contains(&t["id"].as_i64().unwrap())
                })
                .map(|t| key(t, sort))
                .collect();
            let mut sorted = throughout.clone();
            sorted.sort();
            if dir == "desc" {
                sorted.reverse();
            }
            assert_eq!(throughout, sorted, "{sort} {dir}: out of order");
        }
    }
}

both_backends! {
    async fn paging_every_order_through_unicode_titles_shows_each_row_once_and_ends(app: TestApp) {
        let cases: u32 = std::env::var("PAGING_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(6);
        let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
        let handle = tokio::runtime::Handle::current();
        let app = std::sync::Arc::new(app);
        let shared = app.clone();
        let counter = std::sync::atomic::AtomicUsize::new(0);
        tokio::task::spawn_blocking(move || {
            runner
                .run(&prop::collection::vec(row(), 4..14), |rows| {
                    let case = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    handle.block_on(page_every_order(&shared, case, rows));
                    Ok(())
                })
                .unwrap();
        })
        .await
        .unwrap();
        drop(app);
    }

    async fn a_cursor_whose_rows_were_deleted_goes_on_and_ends_without_a_next_link(app: TestApp) {
        let email = app.sign_up("gone").await;
        let token = app.bearer_token(&email).await;
        let user = app.user_id(&email).await;
        let mut ids = Vec::new();
        for title in ["a", "b", "c", "d"] {
            ids.push(app.create_task(title, "medium", "").await);
        }
        let (first, next) = page(&app, &token, "/api/tasks?sort=title&limit=2").await;
        let titles: Vec<&str> = first.iter().map(|t| t["title"].as_str().unwrap()).collect();
        assert_eq!(titles, ["a", "b"]);
        // The cursor's own row and everything after it go.
        for id in &ids[1..] {
            app.store.delete_task(user, *id, None, chrono::Utc::now()).await.unwrap();
        }
        let (rest, after) = page(&app, &token, &next.expect("a next page")).await;
        assert!(rest.is_empty(), "past the end is an empty page, not page 1 again: {rest:?}");
        assert!(after.is_none(), "and it has no next link");
    }

    async fn damaged_or_mismatched_cursors_are_refused_not_served_as_page_one(app: TestApp) {
        let email = app.sign_up("cursors").await;
        let token = app.bearer_token(&email).await;
        for title in ["a", "b", "c"] {
            app.create_task(title, "medium", "").await;
        }
        let (_, next) = page(&app, &token, "/api/tasks?sort=created&limit=1").await;
        let next = next.expect("a next page");
        let cursor = next.split("cursor=").nth(1).unwrap().split('&').next().unwrap().to_owned();
        let cut = &cursor[..cursor.len() - 2];
        for (path, why) in [
            (format!("/api/tasks?sort=created&limit=1&cursor={cut}"), "not valid"),
            (format!("/api/tasks?sort=title&limit=1&cursor={cursor}"), "another sort order"),
            (format!("/api/tasks?sort=created&dir=asc&limit=1&cursor={cursor}"), ""),
        ] {
            let res = app.new_browser().get(app.url(&path)).bearer_auth(&token).send().await.unwrap();
            if why.is_empty() {
                // The same order read the other way is still that order: a valid page.
                assert_eq!(res.status(), StatusCode::OK, "{path}");
                continue;
            }
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{path}");
            let (_, problem) = crate::problems::read(res).await;
            assert!(problem.detail.contains(why), "{path}: {}", problem.detail);
        }
        // The dashboard says so too, and shows the first page of the order asked for.
        let res = app.get(&format!("/tasks?sort=title&after={cursor}")).await;
        assert_eq!(res.status(), StatusCode::OK);
        let body = res.text().await.unwrap();
        assert!(body.contains("data-ignored-view") && body.contains("another sort order"), "{body}");
        assert!(body.contains(r#"aria-sort="ascending""#), "still sorted by title");
    }
}
