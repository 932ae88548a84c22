//! What the dashboard reads instead of counting (issue 16): the cards' counters and the
//! tags' counts that every write keeps in the same transaction (migrations 0013 and 0018),
//! and searches that are not counted. The counters must agree with counting the rows after
//! every kind of write: the API's and the forms', imports, bulk actions, renaming a tag and
//! a user's deletion.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use task_dashboard::{
    domain::{repeat::Repeat, task::Priority},
    store::ImportTask,
};

use crate::both_backends;
use crate::helpers::{TestApp, rel_link, task_ids};

async fn api(app: &TestApp, method: &str, path: &str, token: &str, body: Option<Value>) -> Value {
    let res = app.call_api(method, path, token, body).await;
    assert!(
        res.status().is_success(),
        "{method} {path}: {}",
        res.status()
    );
    res.json().await.unwrap_or(Value::Null)
}

/// The cards and the tags as the counters give them, and as counting every listed row gives
/// them.
async fn cards_and_recount(app: &TestApp, token: &str) -> (Value, Value) {
    let mut cards = api(app, "GET", "/api/stats", token, None).await;
    cards["tags"] = api(app, "GET", "/api/tags", token, None).await;
    let today = Utc::now().date_naive().to_string();
    let (mut total, mut done, mut overdue) = (0, 0, 0);
    let mut tags = BTreeMap::<String, i64>::new();
    let mut path = "/api/tasks?limit=100".to_owned();
    loop {
        let res = app.call_api("GET", &path, token, None).await;
        let next = res.headers().get("link").and_then(|l| {
            let l = l
                .to_str()
                .ok()?
                .split(',')
                .find(|part| part.contains("rel=\"next\""))?;
            let start = l.find('<')? + 1;
            let end = start + l[start..].find('>')?;
            Some(l[start..end].to_owned())
        });
        for task in res.json::<Value>().await.unwrap().as_array().unwrap() {
            total += 1;
            for tag in task["tags"].as_array().unwrap() {
                *tags.entry(tag.as_str().unwrap().to_owned()).or_default() += 1;
            }
            if task["is_completed"] == json!(true) {
                done += 1;
            } else if task["due_date"]
                .as_str()
                .is_some_and(|due| due < today.as_str())
            {
                overdue += 1;
            }
        }
        match next {
            Some(next) => path = next.trim_start_matches(&app.url("")).to_owned(),
            None => break,
        }
    }
    let tags: Vec<Value> = tags
        .into_iter()
        .map(|(name, count)| json!({"name": name, "count": count}))
        .collect();
    let recount = json!({"total": total, "open": total - done, "done": done, "overdue": overdue, "tags": tags});
    (cards, recount)
}

both_backends! {
    async fn the_cards_counters_agree_with_counting_after_every_kind_of_write(app: TestApp) {
        let email = app.sign_up("counted").await;
        let token = app.bearer_token(&email).await;
        let user = app.user_id(&email).await;
        let check = |step: &'static str| {
            let app = &app;
            let token = token.clone();
            async move {
                let (cards, recount) = cards_and_recount(app, &token).await;
                assert_eq!(cards, recount, "after {step}");
                cards
            }
        };
        assert_eq!(check("sign-up").await["total"], 0);

        // An import (multi-row inserts), some done, some overdue, some on the same day.
        let today = Utc::now().date_naive();
        let day = |n: i64| Some(today + Duration::days(n));
        let imported: Vec<ImportTask> = (0..40)
            .map(|i| ImportTask {
                user_id: user,
                title: format!("Imported {i}"),
                description: None,
                is_completed: i % 3 == 0,
                priority: Priority::Medium,
                due_date: [day(-3), day(-1), day(0), day(2), None][i as usize % 5],
                created_at: Utc::now() - Duration::minutes(i),
                repeat: Repeat::None,
                updated_at: None,
                tags: [(i % 2 == 0, "even"), (i % 3 == 0, "three")]
                    .into_iter()
                    .filter(|&(on, _)| on)
                    .map(|(_, tag)| tag.to_owned())
                    .collect(),
            })
            .collect();
        app.store.import_tasks(&imported).await.unwrap();
        assert_eq!(check("an import").await["tags"], json!([{"name": "even", "count": 20}, {"name": "three", "count": 14}]));

        // The API: create, complete, move a due date into the past, clear it, delete.
        let created = api(&app, "POST", "/api/tasks", &token, Some(json!({"title": "Fresh", "due_date": (today - Duration::days(5)).to_string(), "tags": ["fresh", "three"]}))).await;
        let id = created["id"].as_i64().unwrap();
        check("a create").await;
        api(&app, "PATCH", &format!("/api/tasks/{id}"), &token, Some(json!({"tags": ["even", "fresh", "new"]}))).await;
        check("new tags").await;
        api(&app, "PATCH", &format!("/api/tasks/{id}"), &token, Some(json!({"due_date": (today - Duration::days(9)).to_string()}))).await;
        check("a new due date").await;
        api(&app, "PATCH", &format!("/api/tasks/{id}/complete"), &token, None).await;
        check("a completion").await;
        api(&app, "PATCH", &format!("/api/tasks/{id}"), &token, Some(json!({"is_completed": false, "due_date": null}))).await;
        check("a reopen without a date").await;
        api(&app, "DELETE", &format!("/api/tasks/{id}"), &token, None).await;
        check("a delete").await;

        // The forms: toggle, bulk complete, bulk delete.
        let ids = task_ids(&app.get("/tasks?size=10").await.text().await.unwrap());
        assert_eq!(app.post_form(&format!("/tasks/{}/toggle", ids[0]), &[]).await.status(), StatusCode::SEE_OTHER);
        check("a toggle").await;
        let picked: Vec<(&str, String)> = ids[1..6].iter().map(|id| ("ids", id.to_string())).collect();
        let mut fields: Vec<(&str, &str)> = picked.iter().map(|(k, v)| (*k, v.as_str())).collect();
        fields.push(("action", "complete"));
        app.post_form("/tasks/bulk", &fields).await;
        check("a bulk completion").await;
        fields.pop();
        fields.extend([("action", "delete"), ("confirm", "yes")]);
        app.post_form("/tasks/bulk", &fields).await;
        check("a bulk delete").await;
        // Renaming a tag into another (a merge) and deleting one.
        app.post_form("/tags/rename", &[("from", "three"), ("to", "even"), ("confirm", "1")]).await;
        check("a merge").await;
        api(&app, "POST", "/api/tasks", &token, Some(json!({"title": "Doomed", "tags": ["doomed", "even"]}))).await;
        app.post_form("/tags/delete", &[("tag", "doomed"), ("confirm", "1")]).await;
        let cards = check("a tag's deletion").await;
        assert_eq!(cards["total"], 36);
        assert_eq!(cards["tags"][0]["name"], "even", "three merged into even, doomed gone");
        assert_eq!(cards["tags"].as_array().unwrap().len(), 1);

        // Another account's tasks never count here, and deleting that account (its tasks go
        // with it, through the cascade) leaves these counters alone.
        let other = app.another_browser();
        let other_email = other.sign_up("other").await;
        other.create_task("Theirs", "high", &(today - Duration::days(1)).to_string()).await;
        let other_token = other.bearer_token(&other_email).await;
        api(&other, "POST", "/api/tasks", &other_token, Some(json!({"title": "Tagged", "tags": ["even", "theirs"]}))).await;
        let other_id = other.user_id(&other_email).await;
        assert_eq!(check("another account's write").await, cards);
        app.sql(&format!("DELETE FROM users WHERE id = {other_id}")).await;
        assert_eq!(check("another account's deletion").await, cards);
        let left = format!("SELECT COUNT(*) FROM tag_counts WHERE user_id = {other_id}");
        assert_eq!(app.count(&left).await, 0, "a deleted account's tags are not counted");
    }

    async fn a_search_is_not_counted_and_finds_matches_beyond_the_newest_rows(app: TestApp) {
        let email = app.sign_up("needle").await;
        let user = app.user_id(&email).await;
        let start = Utc::now() - Duration::days(30);
        // 2,100 tasks, newest last; "needle" only in the three oldest (two titles and a
        // note), far past the rows a search reads before it turns to the text index.
        let tasks: Vec<ImportTask> = (0..2_100)
            .map(|i| ImportTask {
                user_id: user,
                title: if i < 2 { format!("Find the needle {i}") } else { format!("Hay {i}") },
                description: (i == 2).then(|| "A needle in here".to_owned()),
                is_completed: false,
                priority: Priority::Low,
                due_date: None::<NaiveDate>,
                created_at: start + Duration::seconds(i),
                repeat: Repeat::None,
                updated_at: None,
                tags: Vec::new(),
            })
            .collect();
        app.store.import_tasks(&tasks).await.unwrap();
        let position = |html: &str| {
            let start = html.find("data-position>").expect("a position") + "data-position>".len();
            html[start..start + html[start..].find('<').unwrap()].to_owned()
        };
        let html = app.get("/tasks?q=NEEDLE").await.text().await.unwrap();
        assert_eq!(task_ids(&html).len(), 3, "the oldest rows are found");
        assert_eq!(position(&html), "3 matching tasks");

        // A common text, paged: each page says what it holds, none counts them all.
        let html = app.get("/tasks?q=hay%201&size=50").await.text().await.unwrap();
        assert_eq!(position(&html), "First 50 matching tasks");
        let first = task_ids(&html);
        let html = app.get(&rel_link(&html, "next").unwrap()).await.text().await.unwrap();
        assert_eq!(position(&html), "50 more matching tasks");
        assert!(task_ids(&html).iter().all(|id| !first.contains(id)));
        let html = app.get("/tasks?q=hay%201&size=50&page=last").await.text().await.unwrap();
        // The last page is a whole page, read back from the end.
        assert_eq!(position(&html), "Last 50 matching tasks");
        // Filters without a search still say where the page sits, from the cards' counts.
        let html = app.get("/tasks?status=open&size=100").await.text().await.unwrap();
        assert_eq!(position(&html), "1–100 of 2100 matching tasks");
    }
}

/// The session id a token names (its `sid` claim), read from the token's payload.
fn session_of(token: &str) -> String {
    use base64::Engine;
    let payload = token.split('.').nth(1).expect("a JWT has a payload");
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    claims["sid"].as_str().unwrap().to_owned()
}

both_backends! {
    // The dashboard's first read is one statement: the session, its user, the cards' counts
    // and the page. A dead session (revoked, expired) reads nothing at all, so a revoked
    // token cannot time a search over its victim's tasks (issue 17, item 6).
    async fn the_session_the_counts_and_the_page_are_one_statement_that_a_dead_session_reads_nothing_of(app: TestApp) {
        use task_dashboard::domain::{
            listing::{ListRequest, PageAt},
            task::{SortDir, SortKey, TaskFilter},
        };
        use task_dashboard::store::TodayWindow;

        let email = app.sign_up("one-statement").await;
        for title in ["banana", "Cherry", "apple"] {
            app.create_task(title, "medium", "").await;
        }
        let user_id = app.user_id(&email).await;
        let live = session_of(&app.bearer_token(&email).await);
        let window = TodayWindow::at(Utc::now());
        let request = |sort, q: Option<&str>| ListRequest {
            filter: TaskFilter {
                q: q.map(str::to_owned),
                ..TaskFilter::default()
            },
            sort,
            dir: SortDir::Asc,
            size: 2,
            at: PageAt::First,
        };
        let read = |session: String, request: ListRequest| {
            let store = app.store.clone();
            async move {
                store
                    .session_page(&session, user_id, Utc::now(), window, &request, window.second, false)
                    .await
                    .unwrap()
            }
        };
        let titles = |page: &task_dashboard::domain::listing::TaskPage<task_dashboard::store::Task>| {
            page.tasks.iter().map(|t| t.title.clone()).collect::<Vec<_>>()
        };

        let (session, page) = read(live.clone(), request(SortKey::Title, None)).await.expect("a live session");
        assert_eq!(session.user.user_id, user_id);
        assert_eq!(session.user.email, email);
        assert_eq!((session.counts.total, session.counts.done), (3, 0));
        // In the page's order (titles folded), with the row beyond it saying there is more.
        assert_eq!(titles(&page), ["apple", "banana"]);
        assert!(page.has_next && !page.has_prev);
        let (_, page) = read(live.clone(), request(SortKey::Created, None)).await.unwrap();
        assert_eq!(titles(&page), ["banana", "Cherry"]);
        // A search in the same statement; one that finds nothing still confirms the session.
        let (_, page) = read(live.clone(), request(SortKey::Title, Some("an"))).await.unwrap();
        assert_eq!(titles(&page), ["banana"]);
        let (session, page) = read(live.clone(), request(SortKey::Title, Some("zzz"))).await.expect("live");
        assert!(page.tasks.is_empty() && !page.has_next);
        assert_eq!(session.counts.total, 3);
        // Another user's session id with this user's id finds nothing.
        let other = app.another_browser();
        let other_email = other.sign_up("one-statement-other").await;
        let theirs = session_of(&other.bearer_token(&other_email).await);
        assert!(read(theirs, request(SortKey::Title, None)).await.is_none());

        app.sql(&format!("UPDATE sessions SET revoked_at = created_at WHERE id = '{live}'")).await;
        assert!(read(live, request(SortKey::Title, Some("an"))).await.is_none(), "revoked");
        let expired = session_of(&app.bearer_token(&email).await);
        app.sql(&format!("UPDATE sessions SET expires_at = created_at WHERE id = '{expired}'")).await;
        assert!(read(expired, request(SortKey::Title, None)).await.is_none(), "expired");
    }
}

/// Under PostgreSQL's default plan cache mode the dashboard's statement was planned afresh on
/// every view (each custom plan looked a little cheaper than the generic one), about a fifth
/// of the database's CPU per view. The app's connections keep one plan per statement; a
/// `DATABASE_URL` that names its own mode keeps it.
#[tokio::test]
async fn postgres_plans_each_statement_once_per_connection() {
    let Some(app) = TestApp::spawn_postgres().await else {
        return;
    };
    let mode = |pool| async move {
        sqlx::query_scalar::<_, String>("SHOW plan_cache_mode")
            .fetch_one(pool)
            .await
            .unwrap()
    };
    let pool = app.store.postgres_pool().expect("a PostgreSQL app");
    assert_eq!(mode(pool).await, "force_generic_plan");

    let own = format!(
        "{}?options=-c%20plan_cache_mode%3Dforce_custom_plan",
        app.database_url()
    );
    let store = task_dashboard::store::Store::connect(
        &task_dashboard::config::DatabaseUrl::new(&own),
        crate::helpers::pool(),
    )
    .await
    .unwrap();
    assert_eq!(
        mode(store.postgres_pool().unwrap()).await,
        "force_custom_plan"
    );
}
