//! Running it for real: metrics on their own listener, readiness that follows the schema and
//! the drain, JSON logs, the statement time-out, TLS to PostgreSQL and a database that wakes
//! up late (issue 21).

use std::{process::Stdio, time::Duration};

use reqwest::StatusCode;
use task_dashboard::{
    startup::{self, Application},
    store::PoolSettings,
};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::{both_backends, helpers::*};

/// The value of one series in a Prometheus exposition (`name{labels}` exactly as written).
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

async fn metrics_text(app: &TestApp) -> String {
    let base = app.metrics_base.as_ref().expect("METRICS_ADDR set");
    let res = new_client()
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.text().await.unwrap()
}

both_backends! {
    settings = |s| s.metrics_addr = Some("127.0.0.1:0".parse().unwrap());
    async fn metrics_are_served_on_their_own_listener_and_nowhere_else(app: TestApp) {
        let before = metrics_text(&app).await;
        let count = |text: &str, series: &str| sample(text, series).unwrap_or(0.0);
        let email = app.sign_up("metered").await;
        let id = app.create_task("Counted", "low", "").await;
        assert_eq!(app.get(&format!("/tasks/{id}/edit")).await.status(), StatusCode::OK);
        let stranger = app.another_browser();
        stranger.sign_in(&email, "not the password").await;
        let _stream = app.events().await;
        let after = metrics_text(&app).await;

        // Requests by method, route pattern and status: the pattern, never the raw path.
        let edit = r#"http_requests_total{method="GET",route="/tasks/{id}/edit",status="200"}"#;
        assert!(count(&after, edit) >= 1.0, "{after}");
        assert!(!after.contains(&format!("/tasks/{id}/edit")), "raw paths stay out");
        assert!(after.contains(r#"http_request_duration_seconds_bucket{route="/tasks/{id}/edit",le="0.005"}"#));
        // Sign-ins and sessions (the counters are the process's: other tests add to them).
        for (series, by) in [
            (r#"sign_ins_total{outcome="wrong_password"}"#, 1.0),
            ("sessions_created_total", 1.0),
        ] {
            assert!(count(&after, series) >= count(&before, series) + by, "{series}\n{after}");
        }
        assert!(count(&after, "live_streams_open") >= 1.0);
        // The pool, read when asked; how long statements waited for it.
        assert_eq!(sample(&after, "db_pool_max_connections"), Some(4.0));
        assert!(sample(&after, r#"db_pool_connections{state="idle"}"#).is_some(), "{after}");
        assert!(sample(&after, r#"db_pool_connections{state="in_use"}"#).is_some());
        assert!(after.contains("db_pool_acquire_wait_seconds_bucket"), "{after}");
        assert!(sample(&after, "db_statement_timeouts_total").is_some());
        assert!(sample(&after, "db_pool_acquire_timeouts_total").is_some());
        // The process.
        assert!(count(&after, "process_resident_memory_bytes") > 0.0, "{after}");
        assert!(sample(&after, "process_cpu_seconds_total").is_some());

        // The public listener has no such page.
        assert_eq!(app.get("/metrics").await.status(), StatusCode::NOT_FOUND);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_metrics_addr_there_is_no_metrics_listener() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    assert!(app.metrics_base.is_none());
    assert_eq!(app.get("/metrics").await.status(), StatusCode::NOT_FOUND);
}

/// With `MIGRATE_ON_START=false` an instance starts on an empty database, says it is not
/// ready (and why) until the release step has migrated, then is.
async fn readyz_waits_for_the_release_step(backend: Backend) {
    let Some(database) = empty_database(backend).await else {
        return;
    };
    let mut settings = settings(&database.url);
    settings.migrate_on_start = false;
    let app = Application::build(&settings).await.unwrap();
    let base = format!("http://{}", app.addr());
    tokio::spawn(app.run());
    let client = new_client();
    let res = client.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let why = res.text().await.unwrap();
    assert!(why.contains("task-dashboard migrate"), "{why}");
    assert_eq!(
        client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );

    startup::connect_and_migrate(&settings).await.unwrap();
    let res = client.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_waits_for_the_release_step_on_sqlite() {
    readyz_waits_for_the_release_step(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_waits_for_the_release_step_on_postgres() {
    readyz_waits_for_the_release_step(Backend::Postgres).await;
}

both_backends! {
    async fn a_schema_ahead_is_served_and_a_changed_history_refused(app: TestApp) {
        // A later release's migration: this binary serves on.
        let bytes = match app.backend {
            Backend::Sqlite => "x'00'",
            Backend::Postgres => "'\\x00'::bytea",
        };
        app.sql(&format!(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (99990101000000, 'from a later release', true, {bytes}, 1)"
        ))
        .await;
        let store = app.store.clone();
        assert!(store.schema().await.unwrap().serves());
        assert_eq!(app.get("/readyz").await.status(), StatusCode::OK);
        store.migrate().await.expect("nothing to apply, nothing refused");
        let mut ahead = settings(&app.any_database_url());
        ahead.migrate_on_start = false;
        assert!(Application::build(&ahead).await.is_ok());

        // One of its own migrations changed: it refuses to start, and says which.
        app.sql(&format!("UPDATE _sqlx_migrations SET checksum = {bytes} WHERE version = 1"))
            .await;
        let refused = Application::build(&ahead).await.err().expect("refused").to_string();
        assert!(refused.contains("migration 1 differs"), "{refused}");
        let mut migrating = ahead.clone();
        migrating.migrate_on_start = true;
        assert!(Application::build(&migrating).await.is_err());
    }
}

/// A statement that runs past `DB_STATEMENT_TIMEOUT_MS` is cancelled by PostgreSQL: the
/// request answers 503 (not 500) with `Retry-After`, and its connection is free again at
/// once: more slow requests than the pool has connections each get the same answer, not a
/// wait for a connection, and the next request after the lock is served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_a_slow_statement_answers_503_and_frees_its_connection() {
    let Some(a) = TestApp::spawn_postgres().await else {
        return;
    };
    let b = a
        .instance_with_pool(PoolSettings {
            max_connections: 2,
            acquire_timeout: Duration::from_secs(10),
            statement_timeout: Some(Duration::from_millis(300)),
        })
        .await;
    b.sign_up("slowpoke").await;
    b.create_task("Waiting", "low", "").await;
    let held = a.hold("LOCK TABLE tasks IN ACCESS EXCLUSIVE MODE").await;
    for htmx in [false, true, false, true] {
        let res = if htmx {
            b.get_htmx("/tasks").await
        } else {
            b.get("/tasks").await
        };
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(res.headers().contains_key("retry-after"));
        let body = res.text().await.unwrap();
        assert!(body.contains("took the database too long"), "{body}");
    }
    held.release().await;
    let res = b.get("/tasks").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("Waiting"));
}

/// `sslmode=require` in `DATABASE_URL` is honoured (the local server's connection is
/// encrypted), and `verify-full` checks the certificate (the local one is self-signed).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_sslmode_in_the_url_is_honoured() {
    let Some(app) = TestApp::spawn_postgres().await else {
        return;
    };
    let url = format!("{}?sslmode=require", app.database_url());
    let store = startup::connect_and_migrate(&settings(&url)).await.unwrap();
    let encrypted: bool =
        sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            .fetch_one(store.postgres_pool().unwrap())
            .await
            .unwrap();
    assert!(encrypted, "sslmode=require gave a plain connection");

    let url = format!("{}?sslmode=verify-full", app.database_url());
    let refused = startup::connect(&settings(&url))
        .await
        .err()
        .expect("refused");
    assert!(
        refused.to_string().contains("cannot open the database"),
        "{refused}"
    );
}

/// Start-up keeps trying the first connection for `DB_CONNECT_RETRY_SECS`: a database that
/// only answers a second after start is found.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_start_up_waits_for_a_database_that_wakes_late() {
    let Some(app) = TestApp::spawn_postgres().await else {
        return;
    };
    let port = free_port();
    let target = app.database_url();
    let late = target.replacen("127.0.0.1:5432", &format!("127.0.0.1:{port}"), 1);
    assert_ne!(late, target, "the test database is on 127.0.0.1:5432");
    let mut patient = settings(&late);
    patient.db_connect_retry_secs = 30;
    let connecting = tokio::spawn(async move { startup::connect(&patient).await });
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(!connecting.is_finished(), "still trying");
    // The database "wakes": a forwarder to the real server appears on that port.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut outbound = tokio::net::TcpStream::connect("127.0.0.1:5432").await?;
                tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await
            });
        }
    });
    let store = connecting.await.unwrap().expect("connected once it woke");
    store.ping().await.unwrap();

    // Told not to wait, it gives up at once.
    let mut impatient = settings(&format!("postgres://postgres@127.0.0.1:{}/x", free_port()));
    impatient.db_connect_retry_secs = 0;
    assert!(startup::connect(&impatient).await.is_err());
}

/// The binary as deployed: JSON log lines (`LOG_FORMAT=json`) with the request's id, route,
/// status and time and no secret; metrics on `METRICS_ADDR`; and on SIGTERM `/readyz`
/// answers 503 for `DRAIN_SECS` while requests are still served, then the process exits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_logs_json_serves_metrics_and_drains_on_sigterm() {
    let dir = std::env::temp_dir().join(unique("binary"));
    let url = format!("sqlite://{}/tasks.db", dir.display());
    let metrics_addr = format!("127.0.0.1:{}", free_port());
    let mut server = Binary::serve(
        &url,
        &[
            ("DATA_DIR", dir.to_str().unwrap()),
            ("METRICS_ADDR", &metrics_addr),
            ("LOG_FORMAT", "json"),
            ("DRAIN_SECS", "3"),
            ("RUST_LOG", "info"),
        ],
        Stdio::piped(),
    )
    .await;
    let mut lines = BufReader::new(server.child.stdout.take().unwrap()).lines();
    let base = server.base.clone();
    let client = new_client();
    let ready = client.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    let metrics = client
        .get(format!("http://{metrics_addr}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(r#"http_requests_total{method="GET",route="/readyz",status="200"}"#),
        "{metrics}"
    );

    server.sigterm();
    let mut draining = None;
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let res = client.get(format!("{base}/readyz")).send().await.unwrap();
        if res.status() == StatusCode::SERVICE_UNAVAILABLE {
            draining = Some(res.text().await.unwrap());
            break;
        }
    }
    let draining = draining.expect("/readyz answers 503 while draining");
    assert!(draining.contains("draining"), "{draining}");
    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(
        health.status(),
        StatusCode::OK,
        "still serving while draining"
    );
    server.stopped_within(Duration::from_secs(30)).await;

    let mut requests = 0;
    while let Some(line) = lines.next_line().await.unwrap() {
        let entry: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(!line.contains(SECRET), "the secret leaked: {line}");
        if entry["message"] == "request" {
            requests += 1;
            for field in ["route", "status", "micros", "method"] {
                assert!(!entry[field].is_null(), "{field} missing: {line}");
            }
            assert!(entry["span"]["request_id"].is_string(), "{line}");
        }
    }
    assert!(requests >= 3, "request lines were logged");
    let _ = std::fs::remove_dir_all(dir);
}
