//! A backup taken while writers keep creating tasks over the API: it holds every write
//! acknowledged before it began, none sent after it ended, and is one moment in time (each
//! writer's tasks a prefix of what it wrote; counters and search index agree with the rows).

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::operator::{database_file, integrity, open, run, scratch, text, titles};
use crate::helpers::{Backend, TestApp, new_client};

/// One write through the API: what was asked, when, and what came back when.
struct Write {
    writer: usize,
    title: String,
    id: i64,
    sent: Instant,
    acked: Instant,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_under_writes_is_a_sound_snapshot_with_every_write_acknowledged_before_it() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let email = app.sign_up("backup").await;
    let token = app.bearer_token(&email).await;
    let user_id = app.user_id(&email).await;
    // Enough rows that the copy takes a moment (and writers get in while it runs).
    app.sql(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) \
         INSERT INTO tasks (user_id, title, title_fold, description, description_fold, \
                            created_at, updated_at) \
         SELECT {user_id}, 'Bulk task ' || i, 'bulk task ' || i, \
                'Notes on bulk task ' || i, 'notes on bulk task ' || i, \
                strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'), \
                strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now') FROM n"
    ))
    .await;
    let source = database_file(&app).await;
    let url = format!("sqlite://{}", source.display());
    let copy = scratch("copy.db");

    let writes = Arc::new(Mutex::new(Vec::<Write>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..2)
        .map(|writer| {
            let (writes, stop) = (writes.clone(), stop.clone());
            let (endpoint, token) = (app.url("/api/tasks"), token.clone());
            tokio::spawn(async move {
                let client = new_client();
                for i in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let title = format!("Writer {writer} task {i}");
                    let sent = Instant::now();
                    let res = client
                        .post(&endpoint)
                        .bearer_auth(&token)
                        .json(&json!({ "title": title }))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(res.status(), StatusCode::CREATED, "{title}");
                    let acked = Instant::now();
                    let task: Value = res.json().await.unwrap();
                    let id = task["id"].as_i64().unwrap();
                    let write = Write {
                        writer,
                        title,
                        id,
                        sent,
                        acked,
                    };
                    writes.lock().unwrap().push(write);
                }
            })
        })
        .collect();
    while writes.lock().unwrap().len() < 10 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    let began = Instant::now();
    let out = run(&url, &["backup", "--to", copy.to_str().unwrap()]).await;
    let ended = Instant::now();
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }

    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    let line = format!("backed up to {}", copy.display());
    assert!(stdout.contains(&line), "{stdout}");
    assert!(
        stdout.contains("1 user,") && stdout.contains("integrity check ok"),
        "{stdout}"
    );
    let writes = std::mem::take(&mut *writes.lock().unwrap());

    let mut conn = open(&copy).await;
    assert_eq!(integrity(&mut conn).await, "ok");
    let in_copy = titles(&copy).await;
    for write in writes.iter() {
        let held = in_copy.get(&write.id) == Some(&write.title);
        if write.acked < began {
            assert!(
                held,
                "acknowledged before the backup, so in it: {}",
                write.title
            );
        }
        if write.sent > ended {
            assert!(
                !held,
                "sent after the backup, so not in it: {}",
                write.title
            );
        }
    }
    // Writers were not held up: some committed after the snapshot began (they are not in
    // it) and were acknowledged before the backup had finished.
    let meanwhile = writes
        .iter()
        .filter(|w| w.acked < ended && in_copy.get(&w.id) != Some(&w.title))
        .count();
    assert!(meanwhile > 0, "writes went on while the backup ran");
    // One moment in time: each writer's tasks in the copy are the first n it wrote.
    for writer in 0..2 {
        let held: Vec<bool> = writes
            .iter()
            .filter(|w| w.writer == writer)
            .map(|w| in_copy.get(&w.id) == Some(&w.title))
            .collect();
        let n = held.iter().take_while(|h| **h).count();
        assert!(held[n..].iter().all(|h| !h), "writer {writer}: {held:?}");
    }
    // The counters the triggers keep agree with the rows, and the search index holds them.
    let (counted, kept, indexed): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM tasks WHERE user_id = $1), \
                (SELECT total FROM task_totals WHERE user_id = $1), \
                (SELECT count(*) FROM tasks_search)",
    )
    .bind(user_id)
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(counted, in_copy.len() as i64);
    assert_eq!((kept, indexed), (counted, counted));
    drop(conn);
    let _ = std::fs::remove_dir_all(copy.parent().unwrap());
}
