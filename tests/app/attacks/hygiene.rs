//! Session and credential hygiene: what an attacker gains from a race with the owner or from
//! piling up state the server keeps.
//!
//! Held by: `Store::rehash_password` (a re-hash at sign-in replaces only the hash it checked),
//! `web::auth::admit` (signing in revokes the session the new one replaces),
//! `Settings::refusal` (a set-up that looks like a deployment runs as one or not at all),
//! `seed::check` (no sample accounts in production without `--force`),
//! `Store::create_session` (at most `LIVE_SESSIONS_KEPT` live sessions a user, the oldest
//! revoked first), `Store::purge_sessions` (swept hourly by `startup`) and
//! `Store::revoke_session_by_handle` (any live session, by its handle, in one statement).

use std::{
    path::PathBuf,
    process::{Command, Output, Stdio},
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use task_dashboard::{
    auth::jwt::JwtKeys,
    config::Secret,
    store::{LIVE_SESSIONS_KEPT, NewSession, SESSIONS_LISTED, SessionKind, sessions::handle_of},
};

use super::{api, assert_token_refused, cookie_token, page_with_token, victim};
use crate::both_backends;
use crate::helpers::{PASSWORD, SECRET as SECRET_KEY, TestApp, location, old_hash};

both_backends! {
    async fn a_sign_in_that_rehashes_never_undoes_a_password_change_made_meanwhile(app: TestApp) {
        use task_dashboard::auth::password;
        let email = app.sign_up("rehash-race").await;
        let id = app.user_id(&email).await;
        let old = old_hash(PASSWORD);
        let now = chrono::Utc::now();
        app.store.set_password_hash(id, &old, None, now).await.unwrap();
        // A sign-in (perhaps the attacker's, with a leaked password) checks PASSWORD against
        // the old hash and computes its upgrade...
        let slot = || password::Hashing::new(1).permit().unwrap();
        let verified = password::verify(slot(), PASSWORD.to_owned(), Some(old.clone())).await.unwrap();
        let upgrade = verified.rehashed.expect("an old hash is upgraded");
        // ...while the owner changes the password (and so revokes every session).
        let fresh = "a completely new passphrase";
        let changed = password::hash(slot(), fresh.to_owned()).await.unwrap();
        app.store.set_password_hash(id, &changed, None, now).await.unwrap();
        // The sign-in's write lands last: it must not bring the leaked password back.
        assert!(!app.store.rehash_password(id, &old, &upgrade, now).await.unwrap(), "the upgrade is dropped");
        let stored = app.store.find_credentials(&email).await.unwrap().unwrap().password_hash;
        assert_eq!(stored, changed, "the password change stands");
        let attacker = app.another_browser();
        assert_eq!(attacker.sign_in(&email, PASSWORD).await.status(), StatusCode::UNPROCESSABLE_ENTITY, "the old password is dead");
        assert_eq!(location(&app.another_browser().sign_in(&email, fresh).await), "/tasks", "the new one works");

        // Control: with no change in between, the upgrade is written.
        app.store.set_password_hash(id, &old, None, now).await.unwrap();
        assert!(app.store.rehash_password(id, &old, &upgrade, now).await.unwrap());
        assert_eq!(app.store.find_credentials(&email).await.unwrap().unwrap().password_hash, upgrade);
    }
}

both_backends! {
    async fn a_session_replaced_by_signing_in_again_does_not_live_on(app: TestApp) {
        // Someone who copied this browser's cookie keeps nothing once its owner signs in
        // again, as themselves or as anyone else.
        let email = app.sign_up("replaced").await;
        let first = cookie_token(&app, &email).await;
        let second = cookie_token(&app, &email).await;
        assert_token_refused(&app, &first, "the session signing in again replaced").await;
        assert_eq!(page_with_token(&app, "/tasks", &second).await.status(), StatusCode::OK, "the new one works");
        let someone = app.another_browser().sign_up("someone-else").await;
        let third = cookie_token(&app, &someone).await;
        assert_token_refused(&app, &second, "the session replaced by another account's sign-in").await;
        assert_eq!(page_with_token(&app, "/tasks", &third).await.status(), StatusCode::OK);
        // Control: a sign-in in another browser ends nothing here.
        app.another_browser().sign_in(&someone, PASSWORD).await;
        assert_eq!(page_with_token(&app, "/tasks", &third).await.status(), StatusCode::OK);
    }
}

/// The binary run in a directory of its own (no `.env`) with only `env` for settings: its
/// exit status and what it printed, or `None` if it was still running after `wait`.
fn run_alone(args: &[&str], env: &[(&str, &str)], wait: Duration) -> (Option<Output>, PathBuf) {
    let dir = std::env::temp_dir().join(format!("td-{}", crate::helpers::unique("set-up")));
    std::fs::create_dir_all(&dir).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_task-dashboard"))
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .env("DATA_DIR", &dir)
        .env("DATABASE_URL", format!("sqlite://{}/app.db", dir.display()))
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while started.elapsed() < wait {
        if child.try_wait().unwrap().is_some() {
            return (Some(child.wait_with_output().unwrap()), dir);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    (None, dir)
}

const SECRET: (&str, &str) = ("JWT_SECRET", "a-deployment-secret-a-deployment-secret-0123");

/// Asserts the binary refused to start (quickly, non-zero, saying `why`) and made no
/// database.
fn assert_refused(args: &[&str], env: &[(&str, &str)], why: &str) {
    let (out, dir) = run_alone(args, env, Duration::from_secs(20));
    let out = out.unwrap_or_else(|| panic!("{env:?} {args:?}: started instead of refusing"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{env:?} {args:?}");
    assert!(
        stderr.contains(why),
        "{env:?} {args:?}: says {why}: {stderr}"
    );
    assert!(
        !dir.join("app.db").exists(),
        "{env:?} {args:?}: nothing was created"
    );
}

#[test]
fn a_deployment_that_forgets_app_env_does_not_run_as_development() {
    // Containers bind every interface: without APP_ENV that would be plain-HTTP development
    // (no Secure cookies, no HSTS) open to the network.
    for bind in ["0.0.0.0:0", "[::]:0"] {
        assert_refused(&[], &[SECRET, ("BIND_ADDR", bind)], "APP_ENV is not set");
    }
    // Said on purpose, development may serve the network; on loopback it needs nothing.
    for env in [
        &[
            SECRET,
            ("BIND_ADDR", "0.0.0.0:0"),
            ("APP_ENV", "development"),
        ][..],
        &[("BIND_ADDR", "127.0.0.1:0")],
    ] {
        let (out, _) = run_alone(&[], env, Duration::from_secs(3));
        assert!(out.is_none(), "{env:?}: serving, not refused: {out:?}");
    }
}

#[test]
fn production_without_an_https_public_url_does_not_start() {
    // Without it the CSRF origin check would trust whatever Host a proxy passes on.
    let production = ("APP_ENV", "production");
    assert_refused(
        &[],
        &[SECRET, production, ("BIND_ADDR", "127.0.0.1:0")],
        "PUBLIC_URL",
    );
    let http = ("PUBLIC_URL", "http://tasks.example.com");
    assert_refused(
        &[],
        &[SECRET, production, http, ("BIND_ADDR", "127.0.0.1:0")],
        "PUBLIC_URL",
    );
    let https = ("PUBLIC_URL", "https://tasks.example.com");
    let (out, _) = run_alone(
        &[],
        &[SECRET, production, https, ("BIND_ADDR", "127.0.0.1:0")],
        Duration::from_secs(3),
    );
    assert!(
        out.is_none(),
        "control: production with an https PUBLIC_URL serves: {out:?}"
    );
}

#[test]
fn seeding_a_production_database_needs_force() {
    // Seeded accounts share one published password.
    let production = [
        SECRET,
        ("APP_ENV", "production"),
        ("PUBLIC_URL", "https://tasks.example.com"),
    ];
    let seed = ["seed", "--users", "1", "--tasks", "1"];
    assert_refused(&seed, &production, "--force");
    let (out, dir) = run_alone(
        &[&seed[..], &["--force"]].concat(),
        &production,
        Duration::from_secs(60),
    );
    let out = out.expect("seeding finishes");
    assert!(
        out.status.success(),
        "control: --force seeds: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.join("app.db").exists());
}

/// Records a session for `user_id` through the store, as a sign-in does, and returns its
/// id and a token for it.
async fn session_at(
    app: &TestApp,
    user_id: i64,
    created: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> (String, String) {
    let id = task_dashboard::secrets::random_token(32);
    let session = NewSession {
        id: &id,
        user_id,
        kind: SessionKind::Api,
        created_at: created,
        expires_at: expires,
        user_agent: None,
        credential_epoch: app
            .count(&format!(
                "SELECT credential_epoch FROM users WHERE id = {user_id}"
            ))
            .await,
    };
    app.store.create_session(&session).await.unwrap().unwrap();
    let keys = JwtKeys::new(&Secret::new(SECRET_KEY));
    let token = keys.issue(user_id, &id, created, expires).unwrap();
    (id, token)
}

both_backends! {
    async fn minting_tokens_in_a_loop_keeps_at_most_fifty_sessions_alive(app: TestApp) {
        let v = victim(&app, "minter").await;
        let now = Utc::now();
        let expires = now + chrono::Duration::hours(1);
        let mut tokens = Vec::new();
        for i in 0..60 {
            // Each a moment newer than the last (and than the victim's own sign-ins).
            let created = now + chrono::Duration::milliseconds(i + 1);
            tokens.push(session_at(&app, v.id, created, expires).await.1);
        }
        let live = app.store.list_sessions(v.id, Utc::now()).await.unwrap();
        assert_eq!(live.len() as i64, LIVE_SESSIONS_KEPT, "the oldest went first");
        // The victim's own sign-ins (browser and API, the oldest of all) and the first ten
        // minted are gone; the newest fifty work.
        assert_token_refused(&app, &v.token, "the victim's oldest session").await;
        assert_token_refused(&app, &tokens[9], "the tenth minted").await;
        assert_eq!(api(&app, "GET", "/api/tasks", &tokens[10], None).await.status(), StatusCode::OK);
        assert_eq!(api(&app, "GET", "/api/tasks", &tokens[59], None).await.status(), StatusCode::OK);
    }

    async fn ended_sessions_do_not_pile_up(app: TestApp) {
        let v = victim(&app, "pile").await;
        let now = Utc::now();
        let day = chrono::Duration::days(1);
        let (old_revoked, _) = session_at(&app, v.id, now - day * 3, now + day).await;
        app.store.revoke_session(v.id, &old_revoked, now - day * 2).await.unwrap();
        session_at(&app, v.id, now - day * 3, now - day * 2).await; // long expired
        let (recent, _) = session_at(&app, v.id, now - chrono::Duration::hours(1), now + day).await;
        app.store.revoke_session(v.id, &recent, now).await.unwrap();
        let live_before = app.store.list_sessions(v.id, now).await.unwrap().len();
        // What ended over a day ago goes, in batches; what ended just now stays for a day.
        assert_eq!(app.store.purge_sessions(now - day, 1).await.unwrap(), 1, "one batch of one");
        assert_eq!(app.store.purge_sessions(now - day, 1_000).await.unwrap(), 1);
        assert_eq!(app.store.purge_sessions(now - day, 1_000).await.unwrap(), 0, "nothing else has ended");
        assert_eq!(app.store.list_sessions(v.id, now).await.unwrap().len(), live_before, "live sessions stay");
        assert_eq!(app.get("/tasks").await.status(), StatusCode::OK, "this browser is still signed in");
        assert_eq!(api(&app, "GET", "/api/tasks", &v.token, None).await.status(), StatusCode::OK);
        // Once its day is over the recently revoked one goes too (the sweep passes "a day
        // ago"; here a minute from now stands in), and still nothing live.
        let later = now + chrono::Duration::minutes(1);
        assert_eq!(app.store.purge_sessions(later, 1_000).await.unwrap(), 1);
        assert_eq!(app.store.list_sessions(v.id, now).await.unwrap().len(), live_before);
    }
}

both_backends! {
    async fn a_stolen_session_beyond_the_listed_ones_can_still_be_revoked(app: TestApp) {
        // More live sessions than the account page lists, as accounts kept them before the
        // cap: the oldest, least recently used one (say a stolen token) must still be
        // revocable by its handle.
        let v = victim(&app, "many").await;
        let now = Utc::now();
        let hour = chrono::Duration::hours(1);
        let (stolen, stolen_token) = session_at(&app, v.id, now - hour, now + hour).await;
        for i in 0..SESSIONS_LISTED + 10 {
            session_at(&app, v.id, now - hour / 2 + chrono::Duration::milliseconds(i), now + hour).await;
        }
        app.sql(&format!("UPDATE sessions SET revoked_at = NULL WHERE user_id = {}", v.id)).await;
        let listed = app.store.list_sessions(v.id, now).await.unwrap();
        assert!(listed.iter().all(|s| s.id != stolen), "the stolen session is beyond the list");
        let res = app.post_form(&format!("/account/sessions/{}/revoke", handle_of(&stolen)), &[]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "revoked by its handle");
        assert_token_refused(&app, &stolen_token, "the revoked session").await;
        // Another user's handle is not found (the owner is in the statement).
        let other = victim(&app.another_browser(), "other-owner").await;
        let theirs = app.store.list_sessions(other.id, now).await.unwrap().remove(0);
        let res = app.post_form(&format!("/account/sessions/{}/revoke", handle_of(&theirs.id)), &[]).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert_eq!(api(&app, "GET", "/api/tasks", &other.token, None).await.status(), StatusCode::OK);
    }
}

both_backends! {
    // A sign-in checks the password (slowly, by design), then records the session. A
    // password change in between must win: the session is recorded only if the account's
    // credential epoch is still the one the password was checked at. Fails if
    // `create_session` records unconditionally.
    async fn a_sign_in_checked_before_a_password_change_starts_no_session_after_it(app: TestApp) {
        let v = victim(&app, "racer").await;
        let epoch = || async { app.store.find_credentials(&v.email).await.unwrap().unwrap().credential_epoch };
        let checked_at = epoch().await;
        // The owner changes the password while the attacker's sign-in is being hashed.
        app.store
            .set_password_hash(v.id, &crate::helpers::old_hash("a brand new password"), None, Utc::now())
            .await
            .unwrap();
        let late = NewSession {
            id: "a-session-from-before-the-change",
            user_id: v.id,
            kind: SessionKind::Api,
            created_at: Utc::now(),
            expires_at: Utc::now() + chrono::Duration::hours(1),
            user_agent: None,
            credential_epoch: checked_at,
        };
        assert_eq!(app.store.create_session(&late).await.unwrap(), None, "recorded after the change");
        let rows = app.count("SELECT count(*) FROM sessions WHERE id = 'a-session-from-before-the-change'").await;
        assert_eq!(rows, 0);
        // A sign-in checked after the change records its session as usual.
        let now = epoch().await;
        assert_ne!(now, checked_at);
        let fresh = NewSession { id: "a-session-from-after-the-change", credential_epoch: now, ..late };
        assert_eq!(app.store.create_session(&fresh).await.unwrap(), Some(0));
    }
}
