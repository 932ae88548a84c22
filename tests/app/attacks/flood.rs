//! Floods: sign-in attempts sent as fast as an attacker can, to slow every other user down
//! through the database. A refused attempt must cost almost nothing: one address over its
//! allowance is turned away from memory before the database (`auth::gate`), and slowly (a
//! quarter of a second), so that a busy connection gets few answers; an attempt a
//! database limit already refuses writes nothing and waits for no lock, admitted attempts
//! on different accounts do not queue behind each other (no table lock), and however many
//! attempts wait on the database at once they hold only a quarter of the pool, so pages
//! keep their connections (`store::sign_in_attempts`).
//!
//! Each test was run once with its defence removed, and failed:
//! - the gate's checks in `auth::sign_in::check` and `admit_sign_up`: the two
//!   `..._flood_from_one_address_is_refused_before_the_database` tests;
//! - the old "insert, then count" in `record_sign_in_attempt`, and no read before the
//!   write: `an_attempt_a_limit_already_refuses_writes_nothing` and `..._waits_for_no_lock`;
//! - the limits' share of the pool: `attempts_stuck_on_the_database_leave_pages_their_connections`;
//! - the old `LOCK TABLE` instead of the advisory lock per scope:
//!   `attempts_on_other_accounts_do_not_wait_for_each_other`.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use task_dashboard::auth::{
    gate::REFUSAL_DELAY,
    sign_in::{ACCOUNT_LIMIT, CLIENT_LIMIT},
};

use super::victim;
use crate::both_backends;
use crate::helpers::{PASSWORD, TestApp};

/// The write side of the limits' table, held by someone else: on PostgreSQL reads go on
/// and writes to `sign_in_attempts` wait; on SQLite the one write lock.
const HOLD_ATTEMPT_WRITES: &str = "LOCK TABLE sign_in_attempts IN EXCLUSIVE MODE";

/// How long an attempt that should not wait may take on a busy test machine: well under
/// SQLite's 5 s busy time-out, and far less than forever on PostgreSQL.
const PROMPTLY: Duration = Duration::from_secs(3);

async fn guess(app: &TestApp, email: &str) -> StatusCode {
    app.new_browser()
        .post(app.url("/api/auth/token"))
        .json(&json!({"email": email, "password": "guess guess guess"}))
        .send()
        .await
        .unwrap()
        .status()
}

async fn attempts_recorded(app: &TestApp) -> i64 {
    app.count("SELECT count(*) FROM sign_in_attempts").await
}

/// Sends `attempt` `CLIENT_LIMIT` times from one address, erases what the database counted,
/// then sends it 20 more times: returns how many of those were let through (`admitted` says
/// which answers mean that) and the seconds the whole run took. With the database's count
/// gone, only the gate in memory can refuse them; it lets one more through per second
/// (GCRA refills evenly), so no more than the seconds elapsed may pass.
async fn flood_then_erase<F, Fut>(app: &TestApp, attempt: F, admitted: StatusCode) -> (i64, u64)
where
    F: Fn(i64) -> Fut,
    Fut: std::future::Future<Output = StatusCode>,
{
    let started = std::time::Instant::now();
    for i in 0..CLIENT_LIMIT {
        assert_eq!(
            attempt(i).await,
            admitted,
            "attempt {i} is within the allowance"
        );
    }
    app.sql("DELETE FROM sign_in_attempts").await;
    let mut through = 0;
    for i in CLIENT_LIMIT..CLIENT_LIMIT + 20 {
        match attempt(i).await {
            StatusCode::TOO_MANY_REQUESTS => {}
            status if status == admitted => through += 1,
            status => panic!("attempt {i}: {status}"),
        }
    }
    (through, started.elapsed().as_secs())
}

// No hashing slots: every attempt the limits admit is answered 503 at once, so a test can
// spend an address's whole allowance in a moment.
both_backends! {
    settings = |s| s.hash_concurrency = Some(0);

    async fn a_flood_from_one_address_is_refused_before_the_database(app: TestApp) {
        let guess_new = |i: i64| {
            let app = &app;
            async move { guess(app, &format!("spray{i}@example.com")).await }
        };
        let (through, seconds) = flood_then_erase(&app, guess_new, StatusCode::SERVICE_UNAVAILABLE).await;
        assert!(through as u64 <= seconds + 1, "{through} let through in {seconds} s with the database's count erased");
        assert_eq!(attempts_recorded(&app).await, 2 * through, "only admitted attempts wrote rows (two limits each)");

        // And a refusal is slow to come: a connection kept busy with refused attempts gets
        // a few answers a second, not as many as the server could make.
        let started = std::time::Instant::now();
        assert_eq!(guess(&app, "one-more@example.com").await, StatusCode::TOO_MANY_REQUESTS);
        assert!(started.elapsed() >= REFUSAL_DELAY, "answered in {:?}", started.elapsed());
    }

    async fn a_sign_up_flood_from_one_address_is_refused_before_the_database(app: TestApp) {
        let sign_up = |i: i64| {
            let browser = app.another_browser();
            async move {
                let email = format!("mass{i}@example.com");
                let fields = [("email", email.as_str()), ("password", PASSWORD), ("password_confirm", PASSWORD)];
                browser.post_form("/signup", &fields).await.status()
            }
        };
        let (through, seconds) = flood_then_erase(&app, sign_up, StatusCode::SERVICE_UNAVAILABLE).await;
        assert!(through as u64 <= seconds + 1, "{through} let through in {seconds} s with the database's count erased");
    }
}

both_backends! {
    async fn an_attempt_a_limit_already_refuses_writes_nothing(app: TestApp) {
        let target = app.sign_up("target").await;
        for _ in 0..ACCOUNT_LIMIT {
            assert_eq!(guess(&app, &target).await, StatusCode::UNAUTHORIZED);
        }
        let before = attempts_recorded(&app).await;
        for _ in 0..10 {
            assert_eq!(guess(&app, &target).await, StatusCode::TOO_MANY_REQUESTS);
        }
        assert_eq!(attempts_recorded(&app).await, before, "each refused attempt added rows");
    }

    async fn an_attempt_a_limit_already_refuses_waits_for_no_lock(app: TestApp) {
        let target = app.sign_up("target").await;
        for _ in 0..ACCOUNT_LIMIT {
            assert_eq!(guess(&app, &target).await, StatusCode::UNAUTHORIZED);
        }
        let held = app.hold(HOLD_ATTEMPT_WRITES).await;
        let answer = tokio::time::timeout(PROMPTLY, guess(&app, &target)).await;
        held.release().await;
        assert_eq!(answer.expect("the refused attempt waited for the write lock"), StatusCode::TOO_MANY_REQUESTS);
    }

    async fn attempts_stuck_on_the_database_leave_pages_their_connections(app: TestApp) {
        let owner = victim(&app, "owner").await;
        let held = app.hold(HOLD_ATTEMPT_WRITES).await;
        // More stuck attempts than the pool has connections (4 in tests).
        let flood: Vec<_> = (0..12)
            .map(|i| {
                let app = app.another_browser();
                tokio::spawn(async move { guess(&app, &format!("stuck{i}@example.com")).await })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(300)).await;
        let page = app
            .new_browser()
            .get(app.url("/api/tasks"))
            .bearer_auth(&owner.token)
            .send()
            .await
            .unwrap()
            .status();
        held.release().await;
        let mut answers = Vec::new();
        for attempt in flood {
            answers.push(attempt.await.unwrap());
        }
        assert_eq!(page, StatusCode::OK, "the page lost its connection to the flood");
        for status in answers {
            assert!(
                matches!(status, StatusCode::UNAUTHORIZED | StatusCode::SERVICE_UNAVAILABLE),
                "a stuck attempt ends as a refusal or a calm 503, not {status}"
            );
        }
        // And the owner can still sign in once the database is free again.
        let res = app.new_browser().post(app.url("/api/auth/token"))
            .json(&json!({"email": owner.email, "password": PASSWORD}))
            .send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
}

/// PostgreSQL only: attempts on different accounts from different places take no lock in
/// common. (SQLite has one write lock for the whole file, so there every write waits for
/// every other; SECURITY.md lists that limit.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attempts_on_other_accounts_do_not_wait_for_each_other() {
    let Some(app) = TestApp::spawn_postgres().await else {
        return;
    };
    // Another attempt's uncommitted row, as a concurrent attempt on another account leaves
    // it for a moment.
    let held = app
        .hold("INSERT INTO sign_in_attempts (scope, at_ms) VALUES ('someone else', 0)")
        .await;
    let answer = tokio::time::timeout(PROMPTLY, guess(&app, "nobody@example.com")).await;
    held.release().await;
    assert_eq!(
        answer.expect("the attempt waited for another account's attempt"),
        StatusCode::UNAUTHORIZED
    );
}
