//! `seed`: a realistic, reproducible data set for demos and the benchmark.
//!
//! `--users` accounts (`user1@seed.example` ...), all with the password [`PASSWORD`], and
//! `--tasks` tasks shared out with a skew like real use: `--big-users` accounts hold 50,000
//! tasks each, everyone else 20 to 200. Titles, priorities, due dates and completion vary; the
//! same `--seed` always gives the same data. The password is hashed once and shared, since
//! hashing 10,000 distinct argon2id passwords would take minutes and prove nothing.
//!
//! `--tokens N --tokens-out FILE` also signs N random users in (session rows plus JWTs signed
//! with the server's `JWT_SECRET`) and writes `user_id task_count token` lines, big users
//! first, for load generators.

use std::{fs, io::Write, path::PathBuf, time::Instant};

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::{
    auth::{jwt::JwtKeys, password},
    config::Settings,
    domain::{repeat::Repeat, task::Priority},
    secrets::random_token,
    startup::signing_secret,
    store::{ImportTask, NewSession, SessionKind, Store, users::NEW_ACCOUNT_EPOCH},
};

/// Every seeded account's password.
pub const PASSWORD: &str = "seed-password";
/// Tasks held by each "big" account.
pub const BIG_USER_TASKS: u64 = 50_000;

#[derive(Debug, Clone, Args)]
pub struct SeedArgs {
    /// Accounts to create.
    #[arg(long, default_value_t = 20)]
    pub users: u32,
    /// Tasks to create in all.
    #[arg(long, default_value_t = 2_000)]
    pub tasks: u64,
    /// Accounts that get 50,000 tasks each (default: one per 200,000 tasks).
    #[arg(long)]
    pub big_users: Option<u32>,
    /// Random seed: the same seed gives the same data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Also sign this many random users in and write their tokens to `--tokens-out`.
    #[arg(long, default_value_t = 0)]
    pub tokens: u32,
    /// Where `--tokens` writes them: one line per user, "user id, task count, token" (the
    /// load benchmark's input, see `bench/wrk.lua`).
    #[arg(long)]
    pub tokens_out: Option<PathBuf>,
    /// Seed even with `APP_ENV=production` (sample accounts share one known password).
    #[arg(long)]
    pub force: bool,
}

/// Sample accounts all share one published password: never put them in a production
/// database by accident. Checked before the database is even opened.
pub fn check(settings: &Settings, args: &SeedArgs) -> anyhow::Result<()> {
    if settings.is_production() && !args.force {
        anyhow::bail!(
            "not seeding: APP_ENV=production, and seeded accounts share one known password; \
             pass --force to seed this database anyway"
        );
    }
    Ok(())
}

/// SplitMix64: small, fast and reproducible; good enough for sample data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `low..=high`.
    fn range(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const VERBS: &[&str] = &[
    "Review", "Draft", "Call", "Fix", "Plan", "Book", "Renew", "Update", "Prepare", "Email", "Pay",
    "Schedule", "Clean up", "Write", "Order", "Check", "Send", "Archive",
];
const THINGS: &[&str] = &[
    "the quarterly report",
    "invoice",
    "dentist appointment",
    "team offsite",
    "TLS certificate",
    "onboarding notes",
    "pull request",
    "budget",
    "car insurance",
    "conference travel",
    "backup restore test",
    "release notes",
    "customer feedback",
    "passport",
    "garden",
    "database migration",
    "slides for Monday",
    "tax return",
    "flaky test",
    "birthday present",
];
const NOTES: &[&str] = &[
    "Ask finance for the numbers first.",
    "Keep it to one page.",
    "Needs a second pair of eyes.",
    "Waiting on the vendor.",
    "Low effort, high value.",
    "Block an hour for this.",
];

/// The tags a tenth of the seeded tasks carry (one to three of them).
const TAGS: &[&str] = &[
    "work", "home", "errands", "finance", "health", "travel", "admin", "family",
];

/// The fixed "now" of the data set, so that a seed means the same data on any day.
fn epoch() -> DateTime<Utc> {
    DateTime::from_timestamp(1_793_491_200, 0).unwrap_or_default() // 2026-11-01T00:00:00Z
}

fn task(rng: &mut Rng, user_id: i64, index: u64, count: u64) -> ImportTask {
    let title = match rng.range(0, 3) {
        0 => format!("{} {} #{}", rng.pick(VERBS), rng.pick(THINGS), index + 1),
        _ => format!("{} {}", rng.pick(VERBS), rng.pick(THINGS)),
    };
    let priority = match rng.range(0, 9) {
        0 | 1 => Priority::High,
        2..=6 => Priority::Medium,
        _ => Priority::Low,
    };
    let base = epoch().date_naive();
    let due_date = rng
        .chance(60)
        .then(|| base + Duration::days(rng.range(0, 120) as i64 - 30));
    // Spread over the year before the epoch, oldest first; now and then two tasks share a
    // timestamp, as bulk imports do, so paging must break ties.
    let age = (count - index) * 365 * 24 * 3600 / count.max(1);
    let jitter = if rng.chance(5) { 0 } else { rng.range(0, 59) };
    let mut tags = Vec::new();
    if rng.chance(10) {
        for _ in 0..rng.range(1, 3) {
            tags.push(rng.pick(TAGS).to_owned());
        }
        tags.sort_unstable();
        tags.dedup();
    }
    ImportTask {
        user_id,
        title,
        description: rng.chance(30).then(|| rng.pick(NOTES).to_owned()),
        is_completed: rng.chance(40),
        priority,
        due_date,
        created_at: epoch() - Duration::seconds(age as i64) + Duration::seconds(jitter as i64),
        repeat: Repeat::None,
        updated_at: None,
        tags,
    }
}

/// How many tasks each user gets: big users 50,000, the rest 20 to 200, scaled to the total.
fn share_out(rng: &mut Rng, users: u32, tasks: u64, big: u32) -> Vec<u64> {
    let big = big.min(users) as usize;
    let mut counts = vec![0_u64; users as usize];
    let mut left = tasks;
    for count in counts.iter_mut().take(big) {
        *count = BIG_USER_TASKS.min(left);
        left -= *count;
    }
    let rest = &mut counts[big..];
    if rest.is_empty() || left == 0 {
        return counts;
    }
    // 20 + 180·u^k with u uniform: always 20 to 200, skewed towards few tasks, with k chosen
    // so that the mean comes out at what is left per user; then scaled to add up exactly.
    let mean = (left as f64 / rest.len() as f64).clamp(21.0, 199.0);
    let k = 180.0 / (mean - 20.0) - 1.0;
    let weights: Vec<f64> = rest
        .iter()
        .map(|_| 20.0 + 180.0 * ((rng.next() % 1_000_000) as f64 / 1e6).powf(k))
        .collect();
    let total: f64 = weights.iter().sum();
    let mut given = 0;
    for (count, weight) in rest.iter_mut().zip(&weights) {
        *count = (left as f64 * weight / total) as u64;
        given += *count;
    }
    // Rounding leaves a few over: hand them out one each.
    let n = rest.len();
    for i in 0..(left - given) as usize {
        rest[i % n] += 1;
    }
    counts
}

pub async fn run(settings: &Settings, store: Store, args: &SeedArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut rng = Rng(args.seed);
    let big = args.big_users.unwrap_or_else(|| {
        (args.tasks / 200_000).max(u64::from(args.tasks >= BIG_USER_TASKS)) as u32
    });
    let counts = share_out(&mut rng, args.users, args.tasks, big);

    let slot = password::Hashing::new(1).permit()?;
    let hash = password::hash(slot, PASSWORD.to_owned()).await?;
    let emails: Vec<String> = (1..=args.users)
        .map(|n| format!("user{n}@seed.example"))
        .collect();
    let ids = store.create_users_bulk(&emails, &hash, Utc::now()).await?;
    tracing::info!(
        users = ids.len(),
        big_users = big,
        "accounts created (password: {PASSWORD})"
    );

    let bar = ProgressBar::new(args.tasks).with_style(
        ProgressStyle::with_template("{spinner} tasks {bar:40} {pos}/{len} {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut batch = Vec::with_capacity(10_000);
    for (&user_id, &count) in ids.iter().zip(&counts) {
        for index in 0..count {
            batch.push(task(&mut rng, user_id, index, count));
            if batch.len() == 10_000 {
                store.import_tasks(&batch).await?;
                bar.inc(batch.len() as u64);
                batch.clear();
            }
        }
    }
    store.import_tasks(&batch).await?;
    bar.inc(batch.len() as u64);
    bar.finish_and_clear();
    tracing::info!(
        tasks = args.tasks,
        seconds = started.elapsed().as_secs_f64(),
        "tasks created"
    );

    if args.tokens > 0 {
        let path = args
            .tokens_out
            .clone()
            .ok_or_else(|| anyhow::anyhow!("--tokens needs --tokens-out FILE"))?;
        write_tokens(
            settings,
            &store,
            &mut rng,
            &ids,
            &counts,
            args.tokens,
            &path,
        )
        .await?;
    }
    Ok(())
}

async fn write_tokens(
    settings: &Settings,
    store: &Store,
    rng: &mut Rng,
    ids: &[i64],
    counts: &[u64],
    n: u32,
    path: &PathBuf,
) -> anyhow::Result<()> {
    let jwt = JwtKeys::new(&signing_secret(settings)?);
    let now = Utc::now();
    let expires_at = now + Duration::seconds(settings.session_ttl_secs as i64);
    // Big users first (the deep-paging targets), then random others.
    let mut chosen: Vec<usize> = (0..ids.len())
        .filter(|&i| counts[i] >= BIG_USER_TASKS)
        .collect();
    while chosen.len() < (n as usize).min(ids.len()) {
        let i = (rng.next() % ids.len() as u64) as usize;
        if !chosen.contains(&i) {
            chosen.push(i);
        }
    }
    let mut out = fs::File::create(path)?;
    for i in chosen {
        let id = random_token(32);
        store
            .create_session(&NewSession {
                id: &id,
                user_id: ids[i],
                created_at: now,
                expires_at,
                kind: SessionKind::Api,
                user_agent: Some("seed: load test"),
                credential_epoch: NEW_ACCOUNT_EPOCH,
            })
            .await?
            .context("a seeded account's credentials changed while seeding")?;
        let token = jwt.issue(ids[i], &id, now, expires_at)?;
        writeln!(out, "{} {} {}", ids[i], counts[i], token)?;
    }
    tracing::info!(path = %path.display(), "tokens written");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tasks_are_shared_out_with_a_skew_and_add_up() {
        let counts = share_out(&mut Rng(1), 10_000, 1_000_000, 5);
        assert_eq!(counts.iter().sum::<u64>(), 1_000_000);
        assert!(counts[..5].iter().all(|&c| c == 50_000));
        let rest = &counts[5..];
        assert!(
            rest.iter().all(|&c| (15..=260).contains(&c)),
            "most users hold 20 to 200"
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_tasks() {
        let a: Vec<String> = (0..5).map(|i| task(&mut Rng(7), 1, i, 5).title).collect();
        let b: Vec<String> = (0..5).map(|i| task(&mut Rng(7), 1, i, 5).title).collect();
        assert_eq!(a, b);
    }
}
