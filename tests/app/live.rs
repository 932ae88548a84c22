//! Live updates (`GET /tasks/events`): every write reaches the writer's own open streams, on
//! every instance, and never another user's; a stream ends with its session.

use std::{process::Stdio, time::Duration};

use reqwest::{StatusCode, header};
use sqlx::{Connection, PgConnection};

use crate::both_backends;
use crate::helpers::{Binary, Events, PASSWORD, TestApp, csrf_of, new_client, unique};

/// The change event for `kind` and `ids`, as a stream sends it (after its `id:` line).
pub fn change(kind: &str, ids: &[i64]) -> String {
    let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!(
        "event: change\ndata: {{\"kind\":\"{kind}\",\"ids\":[{}]}}",
        ids.join(",")
    )
}

/// An event without its `id:` line.
pub fn body(event: &str) -> String {
    event
        .lines()
        .filter(|l| !l.starts_with("id:"))
        .collect::<Vec<_>>()
        .join("\n")
}

both_backends! {
    async fn every_write_reaches_the_users_streams_and_no_other_users(app: TestApp) {
        let email = app.sign_up("live").await;
        let mut mine = app.events().await;
        let headers = mine.res.headers();
        assert_eq!(headers[header::CONTENT_TYPE], "text/event-stream");
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
        assert_eq!(headers["x-accel-buffering"], "no");
        assert!(!headers.contains_key(header::CONTENT_ENCODING), "never compressed");
        let bob = app.another_browser();
        bob.sign_up("bob").await;
        let mut theirs = bob.events().await;

        // A form write (through the helper, which also reads the page back).
        let id = app.create_task("Water the plants", "high", "").await;
        assert_eq!(body(&mine.next().await), change("created", &[id]));
        // An htmx write, from a page that names itself: the change says where it came from,
        // so that page can skip it (a bad name is ignored).
        let csrf = app.csrf("/login").await;
        for (tab, origin) in [("tab-42", ",\"origin\":\"tab-42\""), ("<bad tab>", "")] {
            let res = app
                .client
                .post(app.url(&format!("/tasks/{id}/toggle")))
                .header("HX-Request", "true")
                .header("X-CSRF-Token", &csrf)
                .header("X-Tab", tab)
                .form(&[("view", "")])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            let want = format!("event: change\ndata: {{\"kind\":\"updated\",\"ids\":[{id}]{origin}}}");
            assert_eq!(body(&mine.next().await), want);
        }
        // An API write.
        let token = app.bearer_token(&email).await;
        let res = app
            .client
            .patch(app.url(&format!("/api/tasks/{id}")))
            .bearer_auth(&token)
            .json(&serde_json::json!({"title": "Water the plants twice"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(body(&mine.next().await), change("updated", &[id]));
        // A bulk action is one event, whatever the number of tasks.
        let other = app.create_task("Feed the cat", "low", "").await;
        assert_eq!(body(&mine.next().await), change("created", &[other]));
        let (low, high) = (id.min(other).to_string(), id.max(other).to_string());
        let res = app
            .post_form("/tasks/bulk", &[("action", "delete"), ("confirm", "yes"), ("ids", &low), ("ids", &high)])
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(body(&mine.next().await), change("deleted", &[id.min(other), id.max(other)]));
        // A write that changes nothing (the tasks are gone) tells no one.
        app.post_form(&format!("/tasks/{id}/delete"), &[]).await;
        assert_eq!(mine.next_within(Duration::from_millis(500)).await, None);

        assert_eq!(theirs.next_within(Duration::from_millis(500)).await, None, "Bob heard nothing of Alice's");
    }

    async fn a_stream_ends_with_its_session(app: TestApp) {
        let email = app.sign_up("ends").await;
        let phone = app.another_browser();
        phone.sign_in(&email, PASSWORD).await;
        let mut laptop = app.events().await;
        let mut on_phone = phone.events().await;

        // Signing out elsewhere is not this stream's end.
        app.post_form("/account/sessions/others/revoke", &[]).await;
        assert_eq!(on_phone.next().await, "event: signed-out\ndata: {}");
        assert!(on_phone.ended().await, "the phone's stream ended");
        assert_eq!(laptop.next_within(Duration::from_millis(500)).await, None, "this browser's stream stays");

        // Its own sign-out ends it.
        app.post_form("/logout", &[]).await;
        assert_eq!(laptop.next().await, "event: signed-out\ndata: {}");
        assert!(laptop.ended().await);
        // And a signed-out browser cannot open one.
        let res = app.client.get(app.url("/tasks/events")).send().await.unwrap();
        assert_ne!(res.status(), StatusCode::OK);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_a_write_on_one_instance_reaches_a_stream_on_another() {
    let Some(a) = TestApp::spawn_postgres().await else {
        return;
    };
    let b = a.second_instance().await;
    let email = a.sign_up("two").await;
    b.sign_in(&email, PASSWORD).await;
    let mut on_b = b.events().await;
    let mut on_a = a.events().await;
    let id = a.create_task("Written on A", "medium", "").await;
    assert_eq!(body(&on_b.next().await), change("created", &[id]));
    assert_eq!(
        body(&on_a.next().await),
        change("created", &[id]),
        "and on A itself"
    );
    let res = b.post_htmx(&format!("/tasks/{id}/toggle"), &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(body(&on_a.next().await), change("updated", &[id]));
}

/// The instance's one listening connection is lost (the database restarted, or an operator
/// ended it): the instance listens again by itself, tells its open streams to resync (the
/// notifications sent meanwhile are gone), and later writes reach them again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_a_lost_listening_connection_comes_back_and_streams_resync() {
    let Some(app) = TestApp::spawn_postgres().await else {
        return;
    };
    app.sign_up("lost").await;
    let mut mine = app.events().await;
    let bob = app.another_browser();
    bob.sign_up("bob").await;
    let mut theirs = bob.events().await;

    // The listener connects as the instance starts: wait for it, then end it. Two streams,
    // one listening connection.
    let mut db = PgConnection::connect(&app.database_url()).await.unwrap();
    let mut ended = 0;
    for _ in 0..100 {
        ended = sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid() \
             AND query ILIKE 'LISTEN%'",
        )
        .fetch_one(&mut db)
        .await
        .unwrap();
        if ended > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        ended, 1,
        "one listening connection per instance, not one per stream"
    );

    assert_eq!(body(&mine.next().await), change("resync", &[]));
    assert_eq!(body(&theirs.next().await), change("resync", &[]));
    let id = app.create_task("Written after the outage", "low", "").await;
    assert_eq!(body(&mine.next().await), change("created", &[id]));
}

/// A deployment stops an instance with SIGTERM: its open streams end at once with a hint to
/// reconnect a little later (to another instance, or this one restarted), and they do not
/// hold the drain up for its time-out (20 s).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_ends_open_streams_with_a_retry_hint_and_the_instance_stops() {
    let dir = std::env::temp_dir()
        .join("task-dashboard-tests")
        .join(unique("sigterm"));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/tasks.db", dir.display());
    let server = Binary::serve(&url, &[("DATA_DIR", dir.to_str().unwrap())], Stdio::null()).await;
    let base = server.base.clone();
    let client = new_client();
    let token = csrf_of(&client, &format!("{base}/login")).await;
    let email = format!("{}@example.com", unique("sigterm"));
    let res = client
        .post(format!("{base}/signup"))
        .form(&[
            ("email", email.as_str()),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = client
        .get(format!("{base}/tasks/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mut events = Events::of(res);
    assert_eq!(
        events.next_within(Duration::from_millis(300)).await,
        None,
        "open and quiet"
    );

    server.sigterm();
    let mut rest = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while let Ok(Ok(Some(chunk))) = tokio::time::timeout_at(deadline, events.res.chunk()).await {
        rest.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(
        rest.contains("retry: 5000"),
        "a hint to come back later: {rest:?}"
    );
    assert!(tokio::time::Instant::now() < deadline, "the stream ended");
    // Stopped cleanly, well within the drain's 20 s.
    server.stopped_within(Duration::from_secs(5)).await;
    let _ = std::fs::remove_dir_all(&dir);
}
