//! Many instances, one database (issue 21): two app instances (A and B, each with its own
//! pool, listener and in-memory state) on one PostgreSQL database behave as one app. A
//! browser's cookie works on either; signing out, revoking a session or changing the password
//! on one ends it on the other at once; the sign-in limits count attempts on both together;
//! live updates cross; and `migrate` started by two instances at once applies each migration
//! once, serialised by sqlx's advisory lock.
//!
//! PostgreSQL only (a SQLite file has one instance): skipped without a reachable server,
//! unless `REQUIRE_POSTGRES=1`.

use std::{process::Stdio, time::Duration};

use reqwest::StatusCode;
use serde_json::json;
use sqlx::{Connection, PgConnection};
use task_dashboard::auth::sign_in::ACCOUNT_LIMIT;

use crate::account::revoke_paths;
use crate::attacks::{assert_token_refused, cookie_token, page_with_token};
use crate::helpers::{EmptyPostgres, PASSWORD, SECRET, TestApp, location, new_client, task_ids};
use crate::live::{body, change};

const NEW_PASSWORD: &str = "a different horse, same battery";

/// Instances A and B on one fresh database, or `None` when PostgreSQL is skipped.
async fn two_instances() -> Option<(TestApp, TestApp)> {
    let a = TestApp::spawn_postgres().await?;
    let b = a.second_instance().await;
    Some((a, b))
}

/// What `POST /api/auth/token` answers, from a client with no cookies (no known device).
async fn token_status(app: &TestApp, email: &str, password: &str) -> StatusCode {
    new_client()
        .post(app.url("/api/auth/token"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
        .status()
}

/// A browser signed in on A is signed in on B: the same user and tasks, writes either way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cookie_from_one_instance_works_on_the_other() {
    let Some((a, b)) = two_instances().await else {
        return;
    };
    let email = a.sign_up("roamer").await;
    let on_a = a.create_task("Written on A", "medium", "").await;
    let browser_on_b = a.browser_on(&b);

    let res = browser_on_b.get("/tasks").await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    assert!(page.contains(&email), "B knows who signed in");
    assert_eq!(task_ids(&page), [on_a], "B lists the task written on A");
    let on_b = browser_on_b.create_task("Written on B", "low", "").await;
    let page = a.get("/tasks").await.text().await.unwrap();
    assert_eq!(
        task_ids(&page),
        [on_b, on_a],
        "A lists the task written on B"
    );
}

/// Signing out on B refuses the same cookie on A at once (pages, htmx and the API).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_on_one_instance_refuses_the_cookie_on_the_other() {
    let Some((a, b)) = two_instances().await else {
        return;
    };
    let email = a.sign_up("leaver").await;
    let token = cookie_token(&a, &email).await;
    let res = page_with_token(&a, "/tasks", &token).await;
    assert_eq!(res.status(), StatusCode::OK);

    let res = a.browser_on(&b).post_form("/logout", &[]).await;
    assert_eq!(location(&res), "/login");

    assert_token_refused(&a, &token, "signed out on B").await;
    let res = new_client()
        .get(a.url("/tasks"))
        .header("Cookie", format!("auth={token}"))
        .header("HX-Request", "true")
        .send()
        .await
        .unwrap();
    let to = res.headers()["hx-redirect"].to_str().unwrap();
    assert!(to.starts_with("/login"), "htmx is sent to sign in: {to}");
}

/// Revoking a session and an API token on B's account page refuses both on A at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_on_one_instance_refuses_the_session_and_the_token_on_the_other() {
    let Some((a, b)) = two_instances().await else {
        return;
    };
    let email = a.sign_up("revoker").await;
    let phone = a.another_browser();
    let phone_token = cookie_token(&phone, &email).await;
    let api_token = a.bearer_token(&email).await;
    assert_eq!(phone.get("/tasks").await.status(), StatusCode::OK);
    let res = a.call_api("GET", "/api/tasks", &api_token, None).await;
    assert_eq!(res.status(), StatusCode::OK);

    let laptop_on_b = a.browser_on(&b);
    let paths = revoke_paths(&laptop_on_b.get("/account").await.text().await.unwrap());
    assert_eq!(paths.len(), 3, "this browser, the phone and the token");
    for path in &paths[1..] {
        let res = laptop_on_b.post_form(path, &[]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }

    assert_token_refused(&a, &phone_token, "the phone, revoked on B").await;
    let res = a.call_api("GET", "/api/tasks", &api_token, None).await;
    assert_eq!(
        res.status(),
        StatusCode::UNAUTHORIZED,
        "the token, revoked on B"
    );
    assert_eq!(
        a.get("/tasks").await.status(),
        StatusCode::OK,
        "the laptop stays in"
    );
}

/// A password change on A signs out every other session and token, those used on B too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_change_on_one_instance_ends_the_other_sessions_on_both() {
    let Some((a, b)) = two_instances().await else {
        return;
    };
    let email = a.sign_up("changer").await;
    let phone = b.another_browser();
    assert_eq!(
        phone.sign_in(&email, PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    let token = b.bearer_token(&email).await;

    let fields = [
        ("current_password", PASSWORD),
        ("new_password", NEW_PASSWORD),
        ("new_password_confirm", NEW_PASSWORD),
    ];
    let res = a.post_form("/account/password", &fields).await;
    assert_eq!(location(&res), "/account");

    assert_eq!(
        phone.get("/tasks").await.status(),
        StatusCode::SEE_OTHER,
        "the phone is out"
    );
    let res = b.call_api("GET", "/api/tasks", &token, None).await;
    assert_eq!(
        res.status(),
        StatusCode::UNAUTHORIZED,
        "the token is dead on B"
    );
    let res = a.browser_on(&b).get("/tasks").await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the browser that changed it stays in, on B too"
    );
    let stranger = b.another_browser();
    let res = stranger.sign_in(&email, PASSWORD).await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "B refuses the old password"
    );
    assert_eq!(
        location(&stranger.sign_in(&email, NEW_PASSWORD).await),
        "/tasks"
    );
}

/// Failed sign-ins spread over A and B hit the per-account limit at the one-instance total.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_failures_on_both_instances_count_towards_one_limit() {
    let Some((a, b)) = two_instances().await else {
        return;
    };
    let email = a.sign_up("target").await;
    // A sees 3 of them and B 2: neither alone reaches the limit, the database does.
    for i in 0..ACCOUNT_LIMIT {
        let app = if i % 2 == 0 { &a } else { &b };
        let status = token_status(app, &email, "guess guess guess").await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "attempt {i} is within the limit"
        );
    }
    for (name, app) in [("A", &a), ("B", &b)] {
        let status = token_status(app, &email, PASSWORD).await;
        assert_eq!(
            status,
            StatusCode::TOO_MANY_REQUESTS,
            "{name} refuses the next attempt"
        );
    }
}

/// A bulk action on B reaches a stream open on A as the one event a single instance sends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_action_on_one_instance_is_one_event_on_the_other() {
    let Some((a, b)) = two_instances().await else {
        return;
    };
    a.sign_up("bulk").await;
    let mut on_a = a.events().await;
    let first = a.create_task("First", "low", "").await;
    let second = a.create_task("Second", "low", "").await;
    assert_eq!(body(&on_a.next().await), change("created", &[first]));
    assert_eq!(body(&on_a.next().await), change("created", &[second]));

    let (first_id, second_id) = (first.to_string(), second.to_string());
    let fields = [
        ("action", "complete"),
        ("ids", &first_id),
        ("ids", &second_id),
    ];
    let res = a.browser_on(&b).post_form("/tasks/bulk", &fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        body(&on_a.next().await),
        change("updated", &[first, second])
    );
}

/// "Sign out everywhere else" on B ends the other session's stream open on A.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_elsewhere_on_one_instance_ends_streams_on_the_other() {
    let Some((a, b)) = two_instances().await else {
        return;
    };
    let email = a.sign_up("streams").await;
    let phone = a.another_browser();
    phone.sign_in(&email, PASSWORD).await;
    let mut on_phone = phone.events().await;

    let res = a
        .browser_on(&b)
        .post_form("/account/sessions/others/revoke", &[])
        .await;
    assert_eq!(location(&res), "/account");
    assert_eq!(on_phone.next().await, "event: signed-out\ndata: {}");
    assert!(on_phone.ended().await, "the phone's stream on A ended");
}

/// `task-dashboard migrate` against `url`, as an instance's deploy step would run it.
fn migrate(url: &str) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_task-dashboard"));
    command
        .arg("migrate")
        .env("DATABASE_URL", url)
        .env("APP_ENV", "development")
        .env("JWT_SECRET", SECRET)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    command
}

/// Every migration in `migrations/postgres`, in order, as `_sqlx_migrations` records it
/// once applied: its version, and success.
fn all_applied() -> Vec<(i64, bool)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres");
    let mut versions: Vec<i64> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter_map(|name| name.split('_').next()?.parse().ok())
        .collect();
    versions.sort();
    versions.into_iter().map(|v| (v, true)).collect()
}

/// The migrations `_sqlx_migrations` records: each version and whether it succeeded.
async fn applied_migrations(url: &str) -> Vec<(i64, bool)> {
    let mut conn = PgConnection::connect(url).await.unwrap();
    sqlx::query_as("SELECT version, success FROM _sqlx_migrations ORDER BY version")
        .fetch_all(&mut conn)
        .await
        .unwrap()
}

/// The key of the advisory lock sqlx's migrator takes on PostgreSQL, as sqlx-postgres 0.9
/// computes it (`generate_lock_id` in its `migrate.rs`): a constant times the CRC-32
/// (ISO-HDLC, the zlib one) of the database's name.
fn sqlx_migration_lock(database: &str) -> i64 {
    let mut crc = !0u32;
    for &byte in database.as_bytes() {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    0x3d32_ad9e * i64::from(!crc)
}

/// Two `migrate` commands started at once on a new database both succeed, each migration once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_migrate_commands_at_once_apply_each_migration_once() {
    let Some(db) = EmptyPostgres::create().await else {
        return;
    };
    let (first, second) = tokio::join!(migrate(&db.url).output(), migrate(&db.url).output());
    for out in [first.unwrap(), second.unwrap()] {
        let log = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "migrate failed: {log}");
    }
    assert_eq!(applied_migrations(&db.url).await, all_applied());
}

/// `migrate` waits, touching nothing, while sqlx's migration lock is held, then goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_waits_while_the_migration_lock_is_held() {
    let Some(db) = EmptyPostgres::create().await else {
        return;
    };
    let key = sqlx_migration_lock(&db.database);
    let mut holder = PgConnection::connect(&db.url).await.unwrap();
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(key)
        .execute(&mut holder)
        .await
        .unwrap();

    let mut child = migrate(&db.url).spawn().unwrap();
    // A bigint advisory key shows in `pg_locks` as its high and low halves.
    let waiting = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted \
                   AND ((classid::bigint << 32) | objid::bigint) = $1";
    let mut waiters = 0;
    for _ in 0..300 {
        waiters = sqlx::query_scalar::<_, i64>(waiting)
            .bind(key)
            .fetch_one(&mut holder)
            .await
            .unwrap();
        if waiters > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(waiters, 1, "migrate waits for the lock we hold");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        child.try_wait().unwrap().is_none(),
        "still waiting after a second"
    );
    let table: Option<String> = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations')::text")
        .fetch_one(&mut holder)
        .await
        .unwrap();
    assert_eq!(table, None, "nothing was created meanwhile");

    sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(key)
        .execute(&mut holder)
        .await
        .unwrap();
    let out = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("migrate finishes once the lock is free")
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(applied_migrations(&db.url).await, all_applied());
}
