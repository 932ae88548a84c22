//! Backup, more writes, stop the service, restore, start it again: the later writes are
//! gone, the earlier ones back, and the replaced database kept, whole, to undo with.

use reqwest::StatusCode;

use super::operator::{Server, run, scratch, text, titles};
use crate::helpers::{PASSWORD, csrf_of, new_client, unique};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_brings_the_backup_back_and_keeps_the_database_it_replaced() {
    let db = scratch("tasks.db");
    let dir = db.parent().unwrap().to_owned();
    let url = format!("sqlite://{}", db.display());
    let kept = dir.join("tasks.db.before-restore");
    let backup = dir.join("monday.db");
    let server = Server::start(&url, &dir).await;
    let client = new_client();
    let csrf = csrf_of(&client, &format!("{}/login", server.base)).await;
    let email = format!("{}@example.com", unique("restore"));
    let res = client
        .post(format!("{}/signup", server.base))
        .form(&[
            ("email", email.as_str()),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
            ("csrf_token", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let token = server.token(&email).await;
    server.create(&token, "Written before the backup").await;
    assert!(
        run(&url, &["backup", "--to", backup.to_str().unwrap()])
            .await
            .status
            .success()
    );
    server.create(&token, "Written after the backup").await;

    // While the server has the database open, a restore is refused.
    let out = run(&url, &["restore", "--from", backup.to_str().unwrap()]).await;
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("in use") && stderr.contains("stop it first"),
        "{stderr}"
    );
    assert!(!kept.exists());
    server.stop().await;

    let out = run(&url, &["restore", "--from", backup.to_str().unwrap()]).await;

    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains(&format!("kept as {}", kept.display())),
        "{stdout}"
    );
    assert!(kept.exists() && backup.exists());
    let server = Server::start(&url, &dir).await;
    let token = server.token(&email).await;
    assert_eq!(server.titles(&token).await, ["Written before the backup"]);
    server.stop().await;
    // The kept file is whole on its own: restoring from it swaps the two back.
    let out = run(&url, &["restore", "--from", kept.to_str().unwrap()]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut now: Vec<String> = titles(&db).await.into_values().collect();
    now.sort();
    assert_eq!(
        now,
        ["Written after the backup", "Written before the backup"]
    );
    let before: Vec<String> = titles(&kept).await.into_values().collect();
    assert_eq!(before, ["Written before the backup"]);
    let _ = std::fs::remove_dir_all(&dir);
}
