//! Running the commands as an operator does: the real binary, with `DATABASE_URL` set, as a
//! one-off command or as the server; and reading the files it leaves, as they are on disk.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    process::{Output, Stdio},
    time::Duration,
};

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::{Connection, SqliteConnection, sqlite::SqliteConnectOptions};

use crate::helpers::{PASSWORD, TestApp, new_client, unique};

const BIN: &str = env!("CARGO_BIN_EXE_task-dashboard");

/// Runs the binary with `DATABASE_URL` set to `url`; its output, whether it succeeded or not.
pub async fn run(url: &str, args: &[&str]) -> Output {
    tokio::process::Command::new(BIN)
        .args(args)
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .output()
        .await
        .unwrap()
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The file behind a SQLite test app, as the database itself names it.
pub async fn database_file(app: &TestApp) -> PathBuf {
    let pool = app.store.sqlite_pool().expect("a SQLite app");
    let file: String =
        sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
            .fetch_one(pool)
            .await
            .unwrap();
    PathBuf::from(file)
}

/// A file of its own in a new folder under the tests' temporary folder.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join("task-dashboard-tests")
        .join(unique("backup"));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Opens a backup (or any database file) read-only, as it is on disk.
pub async fn open(file: &Path) -> SqliteConnection {
    let options = SqliteConnectOptions::new()
        .filename(file)
        .read_only(true)
        .immutable(true);
    SqliteConnection::connect_with(&options).await.unwrap()
}

pub async fn integrity(conn: &mut SqliteConnection) -> String {
    sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(conn)
        .await
        .unwrap()
}

/// The titles of the tasks in a database file, by id.
pub async fn titles(file: &Path) -> HashMap<i64, String> {
    let mut conn = open(file).await;
    sqlx::query_as("SELECT id, title FROM tasks")
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .into_iter()
        .collect()
}

/// The real binary serving a SQLite file, as a deployment runs it.
pub use crate::helpers::Binary as Server;

impl Server {
    pub async fn start(url: &str, dir: &Path) -> Server {
        let dir = dir.to_str().unwrap();
        Server::serve(url, &[("DATA_DIR", dir)], Stdio::null()).await
    }

    /// Stops it as a deployment does (SIGTERM) and waits for it to exit.
    pub async fn stop(self) {
        self.sigterm();
        self.stopped_within(Duration::from_secs(20)).await;
    }

    pub async fn token(&self, email: &str) -> String {
        let res = new_client()
            .post(format!("{}/api/auth/token", self.base))
            .json(&json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn create(&self, token: &str, title: &str) {
        let res = new_client()
            .post(format!("{}/api/tasks", self.base))
            .bearer_auth(token)
            .json(&json!({ "title": title }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
    }

    pub async fn titles(&self, token: &str) -> Vec<String> {
        let res = new_client()
            .get(format!("{}/api/tasks", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let list: Vec<Value> = res.json().await.unwrap();
        list.iter()
            .map(|t| t["title"].as_str().unwrap().to_owned())
            .collect()
    }
}
