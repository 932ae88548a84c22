//! Tags: validated and normalised on every write (forms and API), kept by edits that do not
//! name them, filtered by (every tag given must match) on the dashboard and the API, listed
//! with counts, renamed (merging) and deleted from every task, copied to a repeating task's
//! next occurrence; another user's tags never appear, match or change.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use task_dashboard::{
    domain::{repeat::Repeat, task::Priority},
    store::ImportTask,
};

use crate::both_backends;
use crate::helpers::{TestApp, location, task_ids};

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app.call_api("POST", "/api/tasks", token, Some(body)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

async fn api_get(app: &TestApp, token: &str, path: &str) -> Value {
    let res = app.call_api("GET", path, token, None).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.json().await.unwrap()
}

fn ids(list: &Value) -> Vec<i64> {
    let mut ids: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

fn tags_of(task: &Value) -> Vec<&str> {
    task["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect()
}

/// The 422's refused fields, by name, and the whole body.
async fn refused(res: reqwest::Response) -> (Vec<String>, Value) {
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    let fields = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    (fields, body)
}

/// Every task of `path` (an API list), following its `Link` headers; their ids in order.
async fn every_page(app: &TestApp, token: &str, path: &str) -> Vec<i64> {
    let mut seen = Vec::new();
    let mut path = path.to_owned();
    loop {
        let res = app.call_api("GET", &path, token, None).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let next = res.headers().get("link").map(|l| {
            let l = l.to_str().unwrap();
            l[l.find("/api").unwrap()..l.find('>').unwrap()].to_owned()
        });
        let page: Value = res.json().await.unwrap();
        seen.extend(
            page.as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].as_i64().unwrap()),
        );
        match next {
            Some(next) => path = next,
            None => return seen,
        }
    }
}

both_backends! {
    async fn a_common_tag_and_a_rare_one_list_the_same_rows_however_they_are_read(app: TestApp) {
        // Past TAG_WALK_MIN tagged tasks the page walks the order's index; below, it reads
        // the tagged tasks first. Both must give every tagged task once, in order.
        let email = app.sign_up("tagwalk").await;
        let token = app.bearer_token(&email).await;
        let user = app.user_id(&email).await;
        let start = Utc::now() - Duration::days(10);
        let tasks: Vec<ImportTask> = (0..1_500_i64)
            .map(|i| {
                let mut tags = Vec::new();
                if i % 2 == 0 {
                    tags.push("common".to_owned());
                }
                if i % 50 == 0 {
                    tags.push("rare".to_owned());
                }
                ImportTask {
                    user_id: user,
                    title: format!("Task {}", i % 7),
                    description: None,
                    is_completed: i % 3 == 0,
                    priority: Priority::Medium,
                    due_date: None,
                    // Some share a timestamp: paging must break ties by id.
                    created_at: start + Duration::seconds(i / 3),
                    repeat: Repeat::None,
                    updated_at: None,
                    tags,
                }
            })
            .collect();
        app.store.import_tasks(&tasks).await.unwrap();
        let all = every_page(&app, &token, "/api/tasks?limit=100").await;
        assert_eq!(all.len(), 1_500);
        for (query, every) in [("tag=common", 2), ("tag=rare", 50), ("tag=common&tag=rare", 50)] {
            for order in ["", "&sort=title", "&sort=created&dir=asc"] {
                let base = if order.is_empty() { "/api/tasks?limit=100".to_owned() } else { format!("/api/tasks?limit=100{order}") };
                let expected: Vec<i64> = every_page(&app, &token, &base)
                    .await
                    .into_iter()
                    .filter(|id| (id - all.iter().min().unwrap()) % every == 0)
                    .collect();
                let got = every_page(&app, &token, &format!("/api/tasks?{query}&limit=100{order}")).await;
                assert_eq!(got, expected, "{query}{order}");
            }
        }
        // The cards count them from task_tags alone, and follow a toggle.
        let page = app.get("/tasks?tag=rare").await.text().await.unwrap();
        assert!(page.contains(r#"data-stat="total">30<"#), "{page}");
        assert!(page.contains(r#"data-stat="done">10<"#));
        let first_rare = all.iter().min().unwrap();
        let res = app.call_api("PATCH", &format!("/api/tasks/{first_rare}/complete"), &token, Some(json!({"is_completed": false}))).await;
        assert_eq!(res.status(), StatusCode::OK);
        let page = app.get("/tasks?tag=rare").await.text().await.unwrap();
        assert!(page.contains(r#"data-stat="done">9<"#), "a toggle reaches the tag's counts");
        let page = app.get("/tasks?tag=common&size=10").await.text().await.unwrap();
        assert!(page.contains("1–10 of 750 matching tasks"), "{page}");
    }

    async fn tags_are_normalised_and_a_bad_one_is_named_on_forms_and_the_api(app: TestApp) {
        let email = app.sign_up("tagrules").await;
        let token = app.bearer_token(&email).await;

        // The form: one text field, commas or spaces, a leading # dropped, lowercased.
        let res = app
            .post_form("/tasks", &[("title", "Buy paint"), ("tags", " #Home, errands  HOME")])
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let list = api_get(&app, &token, "/api/tasks").await;
        assert_eq!(tags_of(&list[0]), ["errands", "home"]);

        // A bad tag: 422, the tag named, everything typed kept.
        let res = app
            .post_form("/tasks", &[("title", "Keep me"), ("tags", "home, to do!")])
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = res.text().await.unwrap();
        assert!(page.contains("“do!” is not a tag"), "{page}");
        assert!(page.contains(r#"value="Keep me""#));
        assert!(page.contains(r#"value="home, to do!""#), "the tags as typed");

        // The API: a list, each item one tag; sorted, each once.
        let task = create(&app, &token, json!({"title": "API", "tags": ["Work", "#home", "work"]})).await;
        assert_eq!(tags_of(&task), ["home", "work"]);
        for bad in [json!(["two words"]), json!(["a.b"]), json!([""]), json!(vec!["a"; 11]), json!(["x".repeat(33)]),
                    json!((0..11).map(|i| format!("t{i}")).collect::<Vec<_>>())] {
            let res = app
                .call_api("POST", "/api/tasks", &token, Some(json!({"title": "Bad", "tags": bad})))
                .await;
            let (fields, body) = refused(res).await;
            assert_eq!(fields, ["tags"], "{body}");
        }
        // With another refused field, both are named.
        let res = app
            .call_api("POST", "/api/tasks", &token, Some(json!({"title": "", "tags": ["a!"]})))
            .await;
        let (mut fields, _) = refused(res).await;
        fields.sort();
        assert_eq!(fields, ["tags", "title"]);

        // A change that leaves tags out keeps them; `[]` clears them; PUT replaces them.
        let id = task["id"].as_i64().unwrap();
        let path = format!("/api/tasks/{id}");
        let res = app.call_api("PATCH", &path, &token, Some(json!({"title": "Renamed"}))).await;
        let kept: Value = res.json().await.unwrap();
        assert_eq!(tags_of(&kept), ["home", "work"]);
        let res = app.call_api("PUT", &path, &token, Some(json!({"tags": ["solo"]}))).await;
        assert_eq!(tags_of(&res.json::<Value>().await.unwrap()), ["solo"]);
        let res = app.call_api("PATCH", &path, &token, Some(json!({"tags": []}))).await;
        let cleared: Value = res.json().await.unwrap();
        assert!(tags_of(&cleared).is_empty());
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM task_tags WHERE task_id = {id}")).await, 0);

        // The edit form shows them and saves them.
        let res = app.call_api("PATCH", &path, &token, Some(json!({"tags": ["b", "a"]}))).await;
        let version = res.json::<Value>().await.unwrap()["version"].as_i64().unwrap();
        let form = app.get(&format!("/tasks/{id}/edit")).await.text().await.unwrap();
        assert!(form.contains(r#"name="tags" type="text""#) && form.contains(r#"value="a, b""#), "{form}");
        let res = app
            .post_form(&path[4..], &[("title", "Renamed"), ("priority", "medium"), ("tags", "a, c"), ("version", &version.to_string())])
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(tags_of(&api_get(&app, &token, &path).await), ["a", "c"]);
    }

    async fn the_tag_filter_needs_every_tag_and_sees_only_the_owners_tasks(app: TestApp) {
        let email = app.sign_up("tagfilter").await;
        let token = app.bearer_token(&email).await;
        let work = create(&app, &token, json!({"title": "Work only", "tags": ["work"]})).await;
        let both = create(&app, &token, json!({"title": "Both", "tags": ["work", "home"], "is_completed": true})).await;
        let home = create(&app, &token, json!({"title": "Home only", "tags": ["home"], "due_date": "2001-01-01"})).await;
        create(&app, &token, json!({"title": "Untagged"})).await;
        let id = |t: &Value| t["id"].as_i64().unwrap();

        // Another user with the same tag names, and one of their own.
        let other = app.another_browser();
        let other_email = other.sign_up("tagfilter-other").await;
        let other_token = other.bearer_token(&other_email).await;
        let theirs = create(&other, &other_token, json!({"title": "Theirs", "tags": ["work", "secret"]})).await;

        assert_eq!(ids(&api_get(&app, &token, "/api/tasks?tag=work").await), [id(&work), id(&both)]);
        assert_eq!(ids(&api_get(&app, &token, "/api/tasks?tag=work&tag=home").await), [id(&both)]);
        assert_eq!(ids(&api_get(&app, &token, "/api/tasks?tag=Home&tag=%23home").await), [id(&both), id(&home)]);
        assert!(ids(&api_get(&app, &token, "/api/tasks?tag=secret").await).is_empty());
        assert_eq!(ids(&api_get(&other, &other_token, "/api/tasks?tag=work").await), [id(&theirs)]);
        assert_eq!(ids(&api_get(&app, &token, "/api/tasks?tag=home&status=open").await), [id(&home)]);
        assert_eq!(ids(&api_get(&app, &token, "/api/tasks?tag=home&q=only").await), [id(&home)]);
        let by_title = api_get(&app, &token, "/api/tasks?tag=home&sort=title").await;
        let titles: Vec<&str> = by_title.as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap()).collect();
        assert_eq!(titles, ["Both", "Home only"]);
        let res = app.call_api("GET", "/api/tasks?tag=a.b", &token, None).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);

        // The counts: this user's tags only.
        assert_eq!(
            api_get(&app, &token, "/api/tags").await,
            json!([{"name": "home", "count": 2}, {"name": "work", "count": 2}])
        );

        // The picker of an unfiltered page, read in the page's one statement: the counts.
        let page = app.get("/tasks").await.text().await.unwrap();
        assert!(page.contains(r#"value="home"> <span>#home</span> <span class="tag-count">2</span>"#), "{page}");
        assert!(page.contains(r#"value="work"> <span>#work</span> <span class="tag-count">2</span>"#));
        assert!(!page.contains("secret"));

        // The dashboard: the rows, the cards (the tagged tasks'), the chips and the picker.
        let page = app.get("/tasks?tag=home").await.text().await.unwrap();
        let mut rows = task_ids(&page);
        rows.sort_unstable();
        assert_eq!(rows, [id(&both), id(&home)]);
        assert!(page.contains(r#"data-stat="total">2<"#), "cards count the tagged tasks");
        assert!(page.contains(r#"data-stat="done">1<"#));
        assert!(page.contains(r#"data-stat="overdue">1<"#));
        assert!(page.contains(r#"data-clear-value="home""#), "a chip removes the tag");
        assert!(page.contains(r#"<input type="checkbox" name="tag" value="home" checked>"#), "{page}");
        assert!(page.contains(r#"<input type="checkbox" name="tag" value="work">"#));
        assert!(!page.contains("secret"), "another user's tag is never listed");
        // A row's tag links to the view narrowed by it.
        assert!(page.contains(r#"href="/tasks?tag=home&#38;tag=work""#), "{page}");
        let fragment = app.get_htmx("/tasks?tag=work&tag=home").await.text().await.unwrap();
        assert_eq!(task_ids(&fragment), [id(&both)]);
        // A tag that cannot be one is said and ignored; the rest of the view stands.
        let page = app.get("/tasks?tag=no%20way&status=done").await.text().await.unwrap();
        assert!(page.contains("A tag is up to 32 letters"), "{page}");
        assert_eq!(task_ids(&page), [id(&both)]);
    }

    async fn a_tag_filter_pages_through_every_tagged_task_once(app: TestApp) {
        let email = app.sign_up("tagpages").await;
        let token = app.bearer_token(&email).await;
        let mut tagged = Vec::new();
        for i in 0..23 {
            let tags = if i % 2 == 0 { json!(["even"]) } else { json!([]) };
            let task = create(&app, &token, json!({"title": format!("Task {i:02}"), "tags": tags, "priority": (["low", "high"][i % 2])})).await;
            if i % 2 == 0 {
                tagged.push(task["id"].as_i64().unwrap());
            }
        }
        // The API, five at a time, by title.
        let mut seen = Vec::new();
        let mut path = "/api/tasks?tag=even&sort=title&limit=5".to_owned();
        loop {
            let res = app.call_api("GET", &path, &token, None).await;
            let next = res.headers().get("link").map(|l| {
                let l = l.to_str().unwrap();
                l[l.find("/api").unwrap()..l.find('>').unwrap()].to_owned()
            });
            let page: Value = res.json().await.unwrap();
            seen.extend(page.as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()));
            match next {
                Some(next) => {
                    assert!(next.contains("tag=even"), "the next page keeps the filter");
                    path = next;
                }
                None => break,
            }
        }
        let mut sorted = seen.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, tagged, "each tagged task once, no other");
        // The dashboard counts them and places its pages among them.
        let page = app.get("/tasks?tag=even&size=10").await.text().await.unwrap();
        assert!(page.contains("1–10 of 12 matching tasks"), "{page}");
        let page = app.get("/tasks?tag=even&size=10&page=last").await.text().await.unwrap();
        assert!(page.contains("3–12 of 12 matching tasks"), "{page}");
    }

    async fn renaming_merges_and_deleting_removes_a_tag_everywhere_and_only_for_its_owner(app: TestApp) {
        let email = app.sign_up("tagrename").await;
        let token = app.bearer_token(&email).await;
        let a = create(&app, &token, json!({"title": "A", "tags": ["home"]})).await;
        let b = create(&app, &token, json!({"title": "B", "tags": ["home", "house"]})).await;
        let c = create(&app, &token, json!({"title": "C", "tags": ["house", "zz"]})).await;
        let other = app.another_browser();
        let other_email = other.sign_up("tagrename-other").await;
        let other_token = other.bearer_token(&other_email).await;
        let theirs = create(&other, &other_token, json!({"title": "Theirs", "tags": ["house"]})).await;

        let page = app.get("/tags").await.text().await.unwrap();
        assert!(page.contains("#house") && page.contains("2 tasks"), "{page}");

        // Into a name in use: asked first, nothing changed until confirmed.
        let res = app.post_form("/tags/rename", &[("from", "house"), ("to", "Home")]).await;
        assert_eq!(res.status(), StatusCode::OK);
        let ask = res.text().await.unwrap();
        assert!(ask.contains("Merge #house into #home?"), "{ask}");
        assert_eq!(tags_of(&api_get(&app, &token, &format!("/api/tasks/{}", c["id"])).await), ["house", "zz"]);
        let res = app
            .post_form("/tags/rename", &[("from", "house"), ("to", "home"), ("confirm", "1")])
            .await;
        assert_eq!((res.status(), location(&res)), (StatusCode::SEE_OTHER, "/tags"));
        for (task, want) in [(&a, vec!["home"]), (&b, vec!["home"]), (&c, vec!["home", "zz"])] {
            let now = api_get(&app, &token, &format!("/api/tasks/{}", task["id"])).await;
            assert_eq!(tags_of(&now), want);
            if task["id"] != a["id"] {
                assert!(now["version"].as_i64() > task["version"].as_i64(), "a changed task gets a new version");
            }
        }
        assert_eq!(
            api_get(&app, &token, "/api/tags").await,
            json!([{"name": "home", "count": 3}, {"name": "zz", "count": 1}])
        );
        assert_eq!(tags_of(&api_get(&other, &other_token, &format!("/api/tasks/{}", theirs["id"])).await), ["house"]);

        // A plain rename; a bad new name is refused, named, and kept in its field.
        let res = app.post_form("/tags/rename", &[("from", "home"), ("to", "no way")]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = res.text().await.unwrap();
        assert!(page.contains("“no way” is not a tag") && page.contains(r#"value="no way""#), "{page}");
        let res = app.post_form("/tags/rename", &[("from", "home"), ("to", "#Chores")]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(ids(&api_get(&app, &token, "/api/tasks?tag=chores").await).len(), 3);
        assert!(api_get(&app, &token, "/api/tasks?tag=home").await.as_array().unwrap().is_empty());

        // Delete: asked first; then gone from every task, which stay.
        let res = app.post_form("/tags/delete", &[("tag", "chores")]).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.text().await.unwrap().contains("Delete #chores?"));
        assert_eq!(api_get(&app, &token, "/api/tags").await.as_array().unwrap().len(), 2);
        let res = app.post_form("/tags/delete", &[("tag", "chores"), ("confirm", "1")]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(api_get(&app, &token, "/api/tags").await, json!([{"name": "zz", "count": 1}]));
        assert_eq!(api_get(&app, &token, "/api/tasks").await.as_array().unwrap().len(), 3);

        // Another user's tag cannot be renamed or deleted from here: it is not found.
        // The form is answered as one naming a tag no task carries any more (another tab
        // renamed or deleted it): back to /tags, saying nothing happened.
        let res = app.post_form("/tags/delete", &[("tag", "house"), ("confirm", "1")]).await;
        assert_eq!((res.status(), location(&res)), (StatusCode::SEE_OTHER, "/tags"));
        let page = app.get("/tags").await.text().await.unwrap();
        assert!(page.contains("That tag is on no task any more: nothing to delete."), "{page}");
        let res = app.post_form("/tags/rename", &[("from", "house"), ("to", "mine"), ("confirm", "1")]).await;
        assert_eq!((res.status(), location(&res)), (StatusCode::SEE_OTHER, "/tags"));
        let page = app.get("/tags").await.text().await.unwrap();
        assert!(page.contains("That tag is on no task any more: nothing was renamed."), "{page}");
        assert_eq!(api_get(&app, &token, "/api/tags").await, json!([{"name": "zz", "count": 1}]));
        assert_eq!(api_get(&other, &other_token, "/api/tags").await, json!([{"name": "house", "count": 1}]));
        assert_eq!(app.count("SELECT COUNT(*) FROM task_tags").await, 2, "the index holds what the tasks say");
    }

    async fn a_repeating_tasks_next_occurrence_keeps_its_tags_and_deletes_clean_up(app: TestApp) {
        let email = app.sign_up("tagrepeat").await;
        let token = app.bearer_token(&email).await;
        let rent = create(&app, &token, json!({"title": "Rent", "due_date": "2027-01-31", "repeat": "monthly", "tags": ["home", "money"]})).await;
        let id = rent["id"].as_i64().unwrap();
        let res = app
            .call_api("PATCH", &format!("/api/tasks/{id}/complete"), &token, Some(json!({"is_completed": true})))
            .await;
        let done: Value = res.json().await.unwrap();
        let next = api_get(&app, &token, &format!("/api/tasks/{}", done["next_id"])).await;
        assert_eq!(tags_of(&next), ["home", "money"]);
        assert_eq!(api_get(&app, &token, "/api/tags").await, json!([{"name": "home", "count": 2}, {"name": "money", "count": 2}]));
        let res = app.call_api("DELETE", &format!("/api/tasks/{id}"), &token, None).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        assert_eq!(api_get(&app, &token, "/api/tags").await, json!([{"name": "home", "count": 1}, {"name": "money", "count": 1}]));
        // Deleting the account leaves no tag behind.
        let user_id = app.user_id(&email).await;
        app.sql(&format!("DELETE FROM users WHERE id = {user_id}")).await;
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM task_tags WHERE user_id = {user_id}")).await, 0);
    }

    async fn writers_of_one_accounts_tags_queue_on_its_counters(app: TestApp) {
        // One statement may change many tasks' tags (a rename, an import) in no order
        // common to every writer, so on PostgreSQL the tag counters' trigger first locks
        // the account's task_totals row: concurrent writers of one account's tags queue
        // there instead of taking the per-tag rows in opposite orders (a deadlock). Shown
        // here with an edit of nothing but a task's tags, which waits while that row is
        // held. (SQLite has one writer at a time: the held write lock makes it wait too.)
        let email = app.sign_up("tagqueue").await;
        let token = app.bearer_token(&email).await;
        let user = app.user_id(&email).await;
        let task = create(&app, &token, json!({"title": "Queued", "tags": ["before"]})).await;
        let held = app
            .hold(&format!("SELECT 1 FROM task_totals WHERE user_id = {user} FOR UPDATE"))
            .await;
        let path = format!("/api/tasks/{}", task["id"]);
        let edit = app.call_api("PATCH", &path, &token, Some(json!({"tags": ["after"]})));
        tokio::pin!(edit);
        let waited = tokio::time::timeout(std::time::Duration::from_millis(500), &mut edit).await;
        assert!(waited.is_err(), "the edit went ahead of the account's other writer");
        held.release().await;
        assert_eq!(edit.await.status(), StatusCode::OK);
        assert_eq!(api_get(&app, &token, "/api/tags").await, json!([{"name": "after", "count": 1}]));
    }
}
