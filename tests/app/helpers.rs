//! Spawning the app and talking to it like a browser would.

use std::{path::PathBuf, sync::LazyLock, time::Duration};

use reqwest::{Client, Response, StatusCode, header};
use sqlx::{Connection, PgConnection};
use task_dashboard::{
    clock::Clock,
    config::{AppEnv, DatabaseUrl, LogFormat, Secret, Settings},
    startup::Application,
    store::{PoolSettings, Store},
};

pub const SECRET: &str = "test-secret-test-secret-test-secret-0123";
pub const PASSWORD: &str = "correct horse battery staple";

/// Runs each listed test on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    // With the settings adjusted first: `both_backends! { settings = |s| ...; async fn ... }`.
    (settings = $tweak:expr; $(async fn $name:ident($app:ident: TestApp) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn run($app: $crate::helpers::TestApp) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run($crate::helpers::TestApp::spawn_with($crate::helpers::Backend::Sqlite, $tweak).await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::helpers::TestApp::spawn_postgres_with($tweak).await {
                    run(app).await;
                }
            }
        }
    )*};
    ($(async fn $name:ident($app:ident: TestApp) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn run($app: $crate::helpers::TestApp) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run($crate::helpers::TestApp::spawn($crate::helpers::Backend::Sqlite).await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::helpers::TestApp::spawn_postgres().await {
                    run(app).await;
                }
            }
        }
    )*};
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// What the test can reach behind the app's back to stage failures.
pub enum Handle {
    Sqlite(Store),
    Postgres {
        admin_url: String,
        database: String,
    },
    /// A second browser on another test's app: it owns nothing.
    Shared,
}

pub struct TestApp {
    pub base: String,
    pub client: Client,
    #[allow(dead_code)]
    pub backend: Backend,
    pub store: Store,
    pub handle: Handle,
    /// The app's clock for calendar questions: the system's, unless the test's settings set
    /// a hand-set one (`Clock::manual`), which [`Clock::set`] then moves.
    #[allow(dead_code)]
    pub clock: Clock,
    /// `http://METRICS_ADDR` when the test's settings set one.
    pub metrics_base: Option<String>,
    sqlite_file: Option<PathBuf>,
}

/// Sends the server's logs through the test harness's output capture: a passing test prints
/// nothing, a failing one shows its own server's log (request ids included) under its name.
/// Each app's threads are spawned from its test's thread and inherit that test's capture, so
/// logs land with the test that caused them. `RUST_LOG` still picks what is logged, and
/// `cargo test -- --nocapture` shows it all as it happens.
fn capture_logs() {
    // `try_init`: many apps share the one process, and only the first installs it.
    use tracing_subscriber::{Layer, layer::SubscriberExt, util::SubscriberInitExt};
    let lines = tracing_subscriber::fmt::layer()
        .with_target(false)
        .compact()
        // Colours only for a person at a terminal; CI logs get plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .with_test_writer()
        .with_filter(task_dashboard::telemetry::filter());
    let _ = tracing_subscriber::registry()
        .with(lines)
        .with(task_dashboard::telemetry::acquire_waits())
        .try_init();
}

fn admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn require_postgres() -> bool {
    std::env::var("REQUIRE_POSTGRES").is_ok_and(|v| v == "1" || v == "true")
}

static POSTGRES_REACHABLE: LazyLock<std::sync::Mutex<Option<bool>>> =
    LazyLock::new(|| std::sync::Mutex::new(None));

pub fn settings(database_url: &str) -> Settings {
    Settings {
        bind_addr: "127.0.0.1:0".parse().unwrap(),
        database_url: DatabaseUrl::new(database_url),
        jwt_secret: Some(Secret::new(SECRET)),
        cookie_secure: Some(false),
        session_ttl_secs: 3600,
        app_env: Some(AppEnv::Development),
        public_url: None,
        data_dir: std::env::temp_dir(),
        db_max_connections: Some(4),
        db_acquire_timeout_ms: 700,
        workers: Some(2),
        trusted_proxies: Vec::new(),
        hash_concurrency: None,
        sign_ups_per_minute: 600,
        metrics_addr: None,
        migrate_on_start: true,
        db_connect_retry_secs: 0,
        db_statement_timeout_ms: 30_000,
        log_format: LogFormat::Text,
        drain_secs: 0,
        clock: Clock::system(),
    }
}

pub fn pool() -> PoolSettings {
    PoolSettings {
        max_connections: 4,
        acquire_timeout: Duration::from_millis(700),
        statement_timeout: Some(Duration::from_secs(30)),
    }
}

/// Opens a store (or reads through it), trying again when the pool times out: its short
/// acquire time-out (short so that staged outages answer fast) can expire on a machine busy
/// with parallel builds.
async fn retry_connect<S, F>(connect: impl Fn() -> F) -> S
where
    F: std::future::Future<Output = Result<S, sqlx::Error>>,
{
    for _ in 0..4 {
        match connect().await {
            Err(sqlx::Error::PoolTimedOut) => continue,
            other => return other.unwrap(),
        }
    }
    connect().await.unwrap()
}

/// A new, empty database (not migrated) on either backend: a file in a folder of its own,
/// or an [`EmptyPostgres`]. Removed with this value.
pub struct EmptyDatabase {
    pub url: String,
    _postgres: Option<EmptyPostgres>,
    dir: Option<PathBuf>,
}

/// `None` when PostgreSQL is away and not required.
pub async fn empty_database(backend: Backend) -> Option<EmptyDatabase> {
    Some(match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(unique("empty-db"));
            std::fs::create_dir_all(&dir).unwrap();
            EmptyDatabase {
                url: format!("sqlite://{}", dir.join("tasks.db").display()),
                _postgres: None,
                dir: Some(dir),
            }
        }
        Backend::Postgres => {
            let postgres = EmptyPostgres::create().await?;
            EmptyDatabase {
                url: postgres.url.clone(),
                _postgres: Some(postgres),
                dir: None,
            }
        }
    })
}

impl Drop for EmptyDatabase {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Creates an empty database of its own on the test server: its name and URL. `None` (with
/// a note) when PostgreSQL is unreachable and not required.
async fn create_postgres_database(admin: &str) -> Option<(String, String)> {
    let mut conn = match PgConnection::connect(admin).await {
        Ok(conn) => conn,
        Err(e) if !require_postgres() => {
            let mut seen = POSTGRES_REACHABLE.lock().unwrap();
            if seen.is_none() {
                eprintln!(
                    "note: PostgreSQL unreachable at {admin} ({e}); PostgreSQL tests skipped. Set REQUIRE_POSTGRES=1 to fail instead."
                );
            }
            *seen = Some(false);
            return None;
        }
        Err(e) => {
            panic!("PostgreSQL is required (REQUIRE_POSTGRES=1) but unreachable at {admin}: {e}")
        }
    };
    let database = unique("test");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {database}")))
        .execute(&mut conn)
        .await
        .unwrap();
    let mut url = url::Url::parse(admin).unwrap();
    url.set_path(&database);
    Some((database, url.to_string()))
}

/// Drops a test database, from a thread of its own (called from `Drop`, inside the test's
/// runtime, where a fresh thread may block).
fn drop_postgres_database(admin_url: String, database: String) {
    let _ = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            if let Ok(mut admin) = PgConnection::connect(&admin_url).await {
                let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {database} WITH (FORCE)"
                )))
                .execute(&mut admin)
                .await;
            }
        });
    })
    .join();
}

/// An empty PostgreSQL database of its own, not migrated (for the `migrate` command to
/// work on), dropped with this value.
pub struct EmptyPostgres {
    pub database: String,
    pub url: String,
    admin_url: String,
}

impl EmptyPostgres {
    /// `None` (with a note) when PostgreSQL is unreachable and not required.
    pub async fn create() -> Option<EmptyPostgres> {
        let admin_url = admin_url();
        let (database, url) = create_postgres_database(&admin_url).await?;
        Some(EmptyPostgres {
            database,
            url,
            admin_url,
        })
    }
}

impl Drop for EmptyPostgres {
    fn drop(&mut self) {
        drop_postgres_database(self.admin_url.clone(), self.database.clone());
    }
}

/// The real binary serving `url`, as a deployment runs it: on a free port, with the tests'
/// `JWT_SECRET`, `APP_ENV=development`, `RUST_LOG=warn` and `envs` on top (later wins), its
/// logs to `stdout`. Started once `/healthz` answers; killed if dropped before it stops.
pub struct Binary {
    pub child: tokio::process::Child,
    pub base: String,
}

impl Binary {
    pub async fn serve(url: &str, envs: &[(&str, &str)], stdout: std::process::Stdio) -> Binary {
        let port = free_port();
        let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_task-dashboard"))
            .env("DATABASE_URL", url)
            .env("JWT_SECRET", SECRET)
            .env("APP_ENV", "development")
            .env("BIND_ADDR", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "warn")
            .envs(envs.iter().copied())
            .stdout(stdout)
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let client = new_client();
        for _ in 0..200 {
            if client.get(format!("{base}/healthz")).send().await.is_ok() {
                return Binary { child, base };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server did not start");
    }

    /// Asks it to stop, as a deployment does.
    pub fn sigterm(&self) {
        let pid = self.child.id().expect("still running").to_string();
        let killed = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
        assert!(killed.success());
    }

    /// Waits for it to exit, which must be cleanly and within `limit`.
    pub async fn stopped_within(mut self, limit: Duration) {
        let status = tokio::time::timeout(limit, self.child.wait())
            .await
            .unwrap_or_else(|_| panic!("still running after {limit:?}"))
            .unwrap();
        assert!(status.success(), "{status}");
    }
}

/// A port nothing listens on (as far as this moment goes).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn unique(prefix: &str) -> String {
    let mut raw = [0u8; 6];
    getrandom::fill(&mut raw).unwrap();
    format!("{prefix}_{}", hex::encode(raw))
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, |_| {}).await
    }

    /// As [`TestApp::spawn`], with settings adjusted first.
    pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Settings)) -> TestApp {
        match backend {
            Backend::Sqlite => Self::spawn_sqlite(tweak).await,
            Backend::Postgres => Self::spawn_postgres_with(tweak)
                .await
                .expect("PostgreSQL is required"),
        }
    }

    async fn spawn_sqlite(tweak: impl FnOnce(&mut Settings)) -> TestApp {
        let dir = std::env::temp_dir().join("task-dashboard-tests");
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!("{}.db", unique("t")));
        let url = format!("sqlite://{}", file.display());
        let db_url = DatabaseUrl::new(&url);
        let store = retry_connect(|| Store::connect(&db_url, pool())).await;
        store.migrate().await.unwrap();
        let mut app = Self::start(
            &url,
            store.clone(),
            Backend::Sqlite,
            Handle::Sqlite(store),
            tweak,
        )
        .await;
        app.sqlite_file = Some(file);
        app
    }

    /// `None` (with a note) when PostgreSQL is unreachable and not required.
    pub async fn spawn_postgres() -> Option<TestApp> {
        Self::spawn_postgres_with(|_| {}).await
    }

    pub async fn spawn_postgres_with(tweak: impl FnOnce(&mut Settings)) -> Option<TestApp> {
        let admin = admin_url();
        let (database, url) = create_postgres_database(&admin).await?;
        let db_url = DatabaseUrl::new(&url);
        let store = retry_connect(|| Store::connect(&db_url, pool())).await;
        store.migrate().await.unwrap();
        let handle = Handle::Postgres {
            admin_url: admin,
            database,
        };
        Some(Self::start(&url, store, Backend::Postgres, handle, tweak).await)
    }

    async fn start(
        url: &str,
        store: Store,
        backend: Backend,
        handle: Handle,
        tweak: impl FnOnce(&mut Settings),
    ) -> TestApp {
        capture_logs();
        let mut settings = settings(url);
        tweak(&mut settings);
        let app = Application::build_with_store(&settings, &Secret::new(SECRET), store.clone())
            .await
            .unwrap();
        let base = format!("http://{}", app.addr());
        let metrics_base = app.metrics_addr().map(|addr| format!("http://{addr}"));
        tokio::spawn(app.run());
        TestApp {
            base,
            client: new_client(),
            backend,
            store,
            handle,
            clock: settings.clock.clone(),
            metrics_base,
            sqlite_file: None,
        }
    }

    /// A second instance of the app on this app's PostgreSQL database (another process in
    /// a real deployment: its own pool and listener, the same secret), with a new browser.
    pub async fn second_instance(&self) -> TestApp {
        let url = self.database_url();
        let db_url = DatabaseUrl::new(&url);
        let store = retry_connect(|| Store::connect(&db_url, pool())).await;
        Self::start(&url, store, Backend::Postgres, Handle::Shared, |_| {}).await
    }

    /// Another instance on this app's PostgreSQL database whose pool has settings of its
    /// own (a statement time-out, a single connection), with a new browser.
    pub async fn instance_with_pool(&self, pool: PoolSettings) -> TestApp {
        let url = self.database_url();
        let db_url = DatabaseUrl::new(&url);
        let store = retry_connect(|| Store::connect(&db_url, pool)).await;
        Self::start(&url, store, Backend::Postgres, Handle::Shared, |_| {}).await
    }

    /// Opens this browser's live updates (`GET /tasks/events`).
    pub async fn events(&self) -> Events {
        let res = self
            .client
            .get(self.url("/tasks/events"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "the event stream opens");
        Events::of(res)
    }

    /// The `DATABASE_URL` of this app's own database, SQLite file or PostgreSQL.
    pub fn any_database_url(&self) -> String {
        match &self.sqlite_file {
            Some(file) => format!("sqlite://{}", file.display()),
            None => self.database_url(),
        }
    }

    /// The `DATABASE_URL` of this app's own PostgreSQL database.
    pub fn database_url(&self) -> String {
        let Handle::Postgres {
            admin_url,
            database,
        } = &self.handle
        else {
            panic!("a PostgreSQL app");
        };
        let mut url = url::Url::parse(admin_url).unwrap();
        url.set_path(database);
        url.to_string()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A second browser: its own cookie jar, the same app.
    pub fn new_browser(&self) -> Client {
        new_client()
    }

    /// This browser (the same cookie jar) sent to another instance, as a load balancer
    /// would: cookies are scoped by host, not port, so both instances get the same ones.
    pub fn browser_on(&self, instance: &TestApp) -> TestApp {
        TestApp {
            base: instance.base.clone(),
            client: self.client.clone(),
            backend: instance.backend,
            store: instance.store.clone(),
            handle: Handle::Shared,
            clock: instance.clock.clone(),
            metrics_base: None,
            sqlite_file: None,
        }
    }

    /// A second browser with this helper's methods, for a second user.
    pub fn another_browser(&self) -> TestApp {
        TestApp {
            base: self.base.clone(),
            client: new_client(),
            backend: self.backend,
            store: self.store.clone(),
            handle: Handle::Shared,
            clock: self.clock.clone(),
            metrics_base: None,
            sqlite_file: None,
        }
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_htmx(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .header("HX-Request", "true")
            .send()
            .await
            .unwrap()
    }

    /// Posts a form as htmx would (CSRF token in the header).
    pub async fn post_htmx(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.csrf("/login").await;
        self.client
            .post(self.url(path))
            .header("HX-Request", "true")
            .header("X-CSRF-Token", token)
            .form(fields)
            .send()
            .await
            .unwrap()
    }

    /// Creates a task through the form and returns its id.
    pub async fn create_task(&self, title: &str, priority: &str, due: &str) -> i64 {
        let res = self
            .post_form(
                "/tasks",
                &[("title", title), ("priority", priority), ("due_date", due)],
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "create failed: {}",
            res.text().await.unwrap()
        );
        let body = self
            .get(&format!("/tasks?q={}", urlencode(title)))
            .await
            .text()
            .await
            .unwrap();
        *task_ids(&body).first().expect("the new task is listed")
    }

    /// The signed-up user's id, for arranging data directly in the store.
    pub async fn user_id(&self, email: &str) -> i64 {
        retry_connect(|| self.store.find_credentials(email))
            .await
            .unwrap()
            .id
    }

    /// A bearer token for an account that exists (signed up with [`PASSWORD`]).
    pub async fn bearer_token(&self, email: &str) -> String {
        let res = self
            .new_browser()
            .post(self.url("/api/auth/token"))
            .json(&serde_json::json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let body: serde_json::Value = res.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }

    /// An API request with a bearer token (and a JSON body), from a client with no cookies.
    pub async fn call_api(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<serde_json::Value>,
    ) -> Response {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = new_client()
            .request(method, self.url(path))
            .bearer_auth(token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send().await.unwrap()
    }

    /// `GET /api/tasks{query}` with a bearer token: the tasks it lists (it must answer 200).
    pub async fn api_tasks(&self, token: &str, query: &str) -> Vec<serde_json::Value> {
        let res = self
            .call_api("GET", &format!("/api/tasks{query}"), token, None)
            .await;
        assert_eq!(res.status(), StatusCode::OK, "GET /api/tasks{query}");
        let list: serde_json::Value = res.json().await.unwrap();
        list.as_array().unwrap().clone()
    }

    /// The CSRF token on the page at `path` (loading it also sets the session cookie).
    pub async fn csrf(&self, path: &str) -> String {
        csrf_of(&self.client, &self.url(path)).await
    }

    /// Posts a form with this browser's CSRF token added.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.csrf("/login").await;
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf_token", &token));
        self.client
            .post(self.url(path))
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    /// Signs up a new user in this browser and returns their email.
    pub async fn sign_up(&self, name: &str) -> String {
        self.sign_up_with(name, &[]).await
    }

    /// Signs up a new user in this browser with the time zone a browser's script would send
    /// (empty: none, as without JavaScript); returns their email.
    pub async fn sign_up_in(&self, name: &str, zone: &str) -> String {
        self.sign_up_with(name, &[("time_zone", zone)]).await
    }

    async fn sign_up_with(&self, name: &str, extra: &[(&str, &str)]) -> String {
        let email = format!("{}@example.com", unique(name));
        let mut fields = vec![
            ("email", email.as_str()),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
        ];
        fields.extend_from_slice(extra);
        let res = self.post_form("/signup", &fields).await;
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "sign-up failed: {}",
            res.text().await.unwrap()
        );
        email
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Response {
        self.post_form("/login", &[("email", email), ("password", password)])
            .await
    }

    /// Runs `statement` on the app's database behind its back (deleting a user, breaking a
    /// table), as an attacker with a stolen token or a failing deploy would leave it.
    pub async fn sql(&self, statement: &str) {
        match &self.handle {
            Handle::Sqlite(store) => {
                sqlx::raw_sql(sqlx::AssertSqlSafe(statement.to_owned()))
                    .execute(store.sqlite_pool().unwrap())
                    .await
                    .unwrap();
            }
            Handle::Shared => panic!("run SQL from the app's own TestApp"),
            Handle::Postgres { .. } => {
                let mut conn = self.admin_connection().await;
                sqlx::raw_sql(sqlx::AssertSqlSafe(statement.to_owned()))
                    .execute(&mut conn)
                    .await
                    .unwrap();
            }
        }
    }

    /// Runs `query` on the app's database behind its back and returns the first column of
    /// its one row as a number (`SELECT count(*) ...`).
    pub async fn count(&self, query: &str) -> i64 {
        match &self.handle {
            Handle::Sqlite(store) => sqlx::query_scalar(sqlx::AssertSqlSafe(query.to_owned()))
                .fetch_one(store.sqlite_pool().unwrap())
                .await
                .unwrap(),
            Handle::Shared => panic!("run SQL from the app's own TestApp"),
            Handle::Postgres { .. } => {
                let mut conn = self.admin_connection().await;
                sqlx::query_scalar(sqlx::AssertSqlSafe(query.to_owned()))
                    .fetch_one(&mut conn)
                    .await
                    .unwrap()
            }
        }
    }

    /// Opens a transaction on a connection of its own that holds the write side of the
    /// database still until [`Held::release`]: on SQLite the one write lock (`BEGIN
    /// IMMEDIATE`), on PostgreSQL what `pg_statement` takes (e.g. `LOCK TABLE t IN EXCLUSIVE
    /// MODE`: reads go on, writes to `t` wait).
    pub async fn hold(&self, pg_statement: &str) -> Held {
        match &self.handle {
            Handle::Sqlite(_) => {
                let file = self
                    .sqlite_file
                    .as_ref()
                    .expect("the app's own SQLite file");
                let mut conn =
                    sqlx::SqliteConnection::connect(&format!("sqlite://{}", file.display()))
                        .await
                        .unwrap();
                sqlx::raw_sql("BEGIN IMMEDIATE")
                    .execute(&mut conn)
                    .await
                    .unwrap();
                Held::Sqlite(conn)
            }
            Handle::Shared => panic!("hold locks from the app's own TestApp"),
            Handle::Postgres { .. } => {
                let mut conn = self.admin_connection().await;
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("BEGIN; {pg_statement}")))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                Held::Postgres(conn)
            }
        }
    }

    async fn admin_connection(&self) -> PgConnection {
        PgConnection::connect(&self.database_url()).await.unwrap()
    }

    /// Makes the database unreachable for the app, as an outage would.
    pub async fn stop_database(&self) -> Option<Vec<sqlx::pool::PoolConnection<sqlx::Sqlite>>> {
        match &self.handle {
            Handle::Sqlite(store) => {
                // A local file cannot "go down"; what an app sees when SQLite is stuck is
                // every connection busy. Holding them all gives the same time-out path.
                let mut held = Vec::new();
                for _ in 0..pool().max_connections {
                    held.push(store.sqlite_pool().unwrap().acquire().await.unwrap());
                }
                Some(held)
            }
            Handle::Shared => panic!("stage outages from the app's own TestApp"),
            Handle::Postgres {
                admin_url,
                database,
            } => {
                let mut admin = PgConnection::connect(admin_url).await.unwrap();
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "ALTER DATABASE {database} WITH ALLOW_CONNECTIONS false"
                )))
                .execute(&mut admin)
                .await
                .unwrap();
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'")))
                    .execute(&mut admin)
                    .await
                    .unwrap();
                None
            }
        }
    }

    /// Ends the outage that [`TestApp::stop_database`] staged.
    pub async fn start_database(
        &self,
        held: Option<Vec<sqlx::pool::PoolConnection<sqlx::Sqlite>>>,
    ) {
        drop(held);
        if let Handle::Postgres {
            admin_url,
            database,
        } = &self.handle
        {
            let mut admin = PgConnection::connect(admin_url).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "ALTER DATABASE {database} WITH ALLOW_CONNECTIONS true"
            )))
            .execute(&mut admin)
            .await
            .unwrap();
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(file) = &self.sqlite_file {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
            }
        }
        if let Handle::Postgres {
            admin_url,
            database,
        } = &self.handle
        {
            drop_postgres_database(admin_url.clone(), database.clone());
        }
    }
}

/// A transaction [`TestApp::hold`] keeps open.
pub enum Held {
    Sqlite(sqlx::SqliteConnection),
    Postgres(PgConnection),
}

impl Held {
    /// Ends the transaction (rolled back), letting the writes it held up go on.
    pub async fn release(self) {
        match self {
            Held::Sqlite(mut conn) => {
                sqlx::raw_sql("ROLLBACK").execute(&mut conn).await.unwrap();
            }
            Held::Postgres(mut conn) => {
                sqlx::raw_sql("ROLLBACK").execute(&mut conn).await.unwrap();
            }
        }
    }
}

pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The ids of the task rows on a page or fragment, in order.
pub fn task_ids(html: &str) -> Vec<i64> {
    html.split("<tr id=\"task-")
        .skip(1)
        .filter_map(|rest| rest.split('"').next()?.parse().ok())
        .collect()
}

/// The `href` of the link with `rel="{rel}"`, unescaped.
pub fn rel_link(html: &str, rel: &str) -> Option<String> {
    let marker = format!("rel=\"{rel}\" href=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].replace("&amp;", "&").replace("&#38;", "&"))
}

pub fn new_client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// `password` hashed with weaker argon2 parameters than the app's (m=4096,t=1,p=1), as an
/// older release would have stored it.
pub fn old_hash(password: &str) -> String {
    use argon2::{
        PasswordHasher,
        password_hash::{SaltString, rand_core::OsRng},
    };
    let params = argon2::Params::new(4096, 1, 1, None).unwrap();
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password(password.as_bytes(), &SaltString::generate(&mut OsRng))
        .unwrap()
        .to_string()
}

/// The CSRF token on the page at `url`; when it sends a signed-in browser on (`/login`
/// does), the one on the account page, which reads no tasks (tests break that table).
pub async fn csrf_of(client: &Client, url: &str) -> String {
    let mut res = client.get(url).send().await.unwrap();
    if res.status() == StatusCode::SEE_OTHER {
        let account = reqwest::Url::parse(url).unwrap().join("/account").unwrap();
        res = client.get(account).send().await.unwrap();
    }
    let body = res.text().await.unwrap();
    extract_csrf(&body).unwrap_or_else(|| panic!("no CSRF token on {url}"))
}

/// The session's CSRF token inside a masked one as pages carry it (base64url of
/// `pad ‖ pad ⊕ token`).
pub fn unmask_csrf(masked: &str) -> String {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    let bytes = URL_SAFE_NO_PAD
        .decode(masked)
        .expect("a masked token is base64url");
    let (pad, xored) = bytes.split_at(bytes.len() / 2);
    String::from_utf8(pad.iter().zip(xored).map(|(p, x)| p ^ x).collect())
        .expect("the token is text")
}

pub fn extract_csrf(body: &str) -> Option<String> {
    let marker = r#"name="csrf_token" value=""#;
    let start = body.find(marker)? + marker.len();
    let end = body[start..].find('"')? + start;
    Some(body[start..end].to_owned())
}

pub fn location(res: &Response) -> &str {
    res.headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// The value of the auth cookie this response set (its name differs with `Secure`).
pub fn set_cookie(res: &Response, name: &str) -> Option<String> {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// A browser's open event stream, read one event at a time.
pub struct Events {
    pub res: Response,
    buffer: String,
}

impl Events {
    pub fn of(res: Response) -> Self {
        Events {
            res,
            buffer: String::new(),
        }
    }

    /// The next event (its lines, comments left out), or `None` when the stream has ended or
    /// nothing came within `wait`.
    pub async fn next_within(&mut self, wait: std::time::Duration) -> Option<String> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let event: String = self.buffer.drain(..end + 2).collect();
                let lines: Vec<&str> = event
                    .lines()
                    .filter(|l| !l.is_empty() && !l.starts_with(':'))
                    .collect();
                if lines.iter().any(|l| l.starts_with("event:")) {
                    return Some(lines.join("\n"));
                }
                continue;
            }
            match tokio::time::timeout_at(deadline, self.res.chunk()).await {
                Ok(Ok(Some(chunk))) => self.buffer.push_str(&String::from_utf8_lossy(&chunk)),
                _ => return None,
            }
        }
    }

    /// The next event, which must come within a few seconds.
    pub async fn next(&mut self) -> String {
        self.next_within(std::time::Duration::from_secs(5))
            .await
            .expect("an event within 5 s")
    }

    /// True when the stream has ended (within a few seconds).
    pub async fn ended(&mut self) -> bool {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            match tokio::time::timeout_at(deadline, self.res.chunk()).await {
                Ok(Ok(Some(_))) => continue,
                Ok(Ok(None)) | Ok(Err(_)) => return true,
                Err(_) => return false,
            }
        }
    }
}
