//! The command line: every subcommand's `--help` explains every flag, with its environment
//! variable and default, so nobody has to read the source to configure the app.

use std::process::Command;

/// Every setting's environment variable (`src/config.rs`).
const SETTINGS: [&str; 20] = [
    "BIND_ADDR",
    "DATABASE_URL",
    "JWT_SECRET",
    "COOKIE_SECURE",
    "SESSION_TTL_SECS",
    "APP_ENV",
    "PUBLIC_URL",
    "DATA_DIR",
    "DB_MAX_CONNECTIONS",
    "DB_ACQUIRE_TIMEOUT_MS",
    "WORKERS",
    "TRUSTED_PROXIES",
    "HASH_CONCURRENCY",
    "SIGN_UPS_PER_MINUTE",
    "METRICS_ADDR",
    "MIGRATE_ON_START",
    "DB_CONNECT_RETRY_SECS",
    "DB_STATEMENT_TIMEOUT_MS",
    "LOG_FORMAT",
    "DRAIN_SECS",
];

fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_task-dashboard"))
        .args(args)
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?} --help failed");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_subcommands_help_lists_every_setting_with_its_environment_variable() {
    for command in [
        &[][..],
        &["serve"],
        &["migrate"],
        &["seed"],
        &["backup"],
        &["restore"],
    ] {
        let text = help(command);
        for name in SETTINGS {
            assert!(
                text.contains(&format!("[env: {name}")),
                "{command:?} --help: no {name}\n{text}"
            );
        }
        assert!(
            text.contains("[default: sqlite://data/tasks.db]"),
            "{command:?}: defaults shown"
        );
        // Every flag has a sentence: no option line ends without one.
        for line in text.lines().map(str::trim).filter(|l| l.starts_with("--")) {
            let documented = line.contains("  ") || text.contains(&format!("{line}\n          "));
            assert!(documented, "{command:?}: `{line}` is not explained");
        }
    }
    let seed = help(&["seed"]);
    for flag in [
        "--users",
        "--tasks",
        "--big-users",
        "--seed",
        "--tokens ",
        "--tokens-out",
        "--force",
    ] {
        assert!(seed.contains(flag), "seed --help lists {flag}");
    }
}
