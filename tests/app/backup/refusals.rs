//! What backup and restore refuse, and that refusing changes nothing: PostgreSQL (pointing
//! to its own tools), a missing database, an existing target, and restoring from a file that
//! is not a sound backup of this app.

use std::path::PathBuf;

use sqlx::{Connection, SqliteConnection, sqlite::SqliteConnectOptions};

use super::operator::{database_file, run, scratch, text};
use crate::helpers::{Backend, TestApp};

#[tokio::test]
async fn backup_and_restore_on_postgresql_point_to_pg_dump_and_pg_restore() {
    let url = "postgres://app@127.0.0.1:1/tasks";
    let file = scratch("dump");
    let out = run(url, &["backup", "--to", file.to_str().unwrap()]).await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("pg_dump --format=custom"),
        "{}",
        text(&out.stderr)
    );
    let out = run(url, &["restore", "--from", file.to_str().unwrap()]).await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("pg_restore"),
        "{}",
        text(&out.stderr)
    );
    assert!(!file.exists());
    let _ = std::fs::remove_dir_all(file.parent().unwrap());
}

#[tokio::test]
async fn a_backup_of_a_missing_database_is_refused_and_creates_nothing() {
    let missing = scratch("nothing-here.db");
    let copy = missing.with_file_name("copy.db");
    let url = format!("sqlite://{}", missing.display());
    let out = run(&url, &["backup", "--to", copy.to_str().unwrap()]).await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("no database at"),
        "{}",
        text(&out.stderr)
    );
    assert!(!missing.exists() && !copy.exists());
    let _ = std::fs::remove_dir_all(missing.parent().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_never_overwrites_an_existing_file() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let url = format!("sqlite://{}", database_file(&app).await.display());
    let target = scratch("precious.db");
    std::fs::write(&target, "an earlier backup").unwrap();

    let out = run(&url, &["backup", "--to", target.to_str().unwrap()]).await;

    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("already exists") && stderr.contains("not overwriting"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "an earlier backup"
    );
    let left: Vec<_> = std::fs::read_dir(target.parent().unwrap())
        .unwrap()
        .collect();
    assert_eq!(left.len(), 1, "no temporary file left behind");
    let _ = std::fs::remove_dir_all(target.parent().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_from_a_file_that_is_not_a_sound_backup_of_this_app_changes_nothing() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.sign_up("restore").await;
    let db = database_file(&app).await;
    let url = format!("sqlite://{}", db.display());
    let good = scratch("good.db");
    assert!(
        run(&url, &["backup", "--to", good.to_str().unwrap()])
            .await
            .status
            .success()
    );
    let dir = good.parent().unwrap();

    // Text; a backup with pages overwritten; someone else's SQLite database.
    let not_sqlite = dir.join("notes.txt");
    std::fs::write(
        &not_sqlite,
        "these are not the pages you are looking for\n".repeat(200),
    )
    .unwrap();
    let corrupt = dir.join("corrupt.db");
    let mut bytes = std::fs::read(&good).unwrap();
    let page = 4096;
    assert!(bytes.len() > 4 * page, "a few pages to damage");
    for b in &mut bytes[page + 100..3 * page] {
        *b = 0x5a;
    }
    std::fs::write(&corrupt, bytes).unwrap();
    let foreign = dir.join("foreign.db");
    let options = SqliteConnectOptions::new()
        .filename(&foreign)
        .create_if_missing(true);
    let mut conn = SqliteConnection::connect_with(&options).await.unwrap();
    sqlx::raw_sql("CREATE TABLE tasks (id INTEGER PRIMARY KEY)")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();

    let before = app.count("SELECT count(*) FROM users").await;
    for (file, reason) in [
        (&not_sqlite, "as an SQLite database"),
        (&corrupt, ""),
        (&foreign, "not this app's"),
    ] {
        let out = run(&url, &["restore", "--from", file.to_str().unwrap()]).await;
        let stderr = text(&out.stderr);
        assert!(!out.status.success(), "{file:?}");
        assert!(
            stderr.contains("not restoring") && stderr.contains("nothing was changed"),
            "{stderr}"
        );
        assert!(stderr.contains(reason), "{file:?}: {stderr}");
    }
    let missing = dir.join("missing.db");
    let out = run(&url, &["restore", "--from", missing.to_str().unwrap()]).await;
    assert!(
        text(&out.stderr).contains("no backup at"),
        "{}",
        text(&out.stderr)
    );

    assert_eq!(app.count("SELECT count(*) FROM users").await, before);
    assert!(!PathBuf::from(format!("{}.before-restore", db.display())).exists());
    let db_name = db.file_name().unwrap().to_string_lossy().into_owned();
    let strays = std::fs::read_dir(db.parent().unwrap())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(&format!(".{db_name}"))
        })
        .count();
    assert_eq!(strays, 0, "no temporary file left beside the database");
    let _ = std::fs::remove_dir_all(dir);
}
