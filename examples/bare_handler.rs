//! The bare handler: the yardstick `bench/run` measures the dashboard against, not part of
//! the product.
//!
//! `GET /tasks` does the least any dashboard request must do: verify the session JWT from
//! the cookie (HS256, the app's secret and claims), read the user's newest 25 tasks with one
//! query on the `(user_id, created_at, id)` index of the app's own database, and render them
//! with a small Askama template. No session row, CSRF, cards, logging, security headers,
//! compression or layout: whatever the app spends beyond this is the cost of being a real
//! app.
//!
//! `BARE_READS` turns it into one of two floors, to show what the reads every dashboard
//! request must make cost on their own (same template, still nothing else):
//! - `session`: the tasks joined to the live session row and its user, in the app's own
//!   one-statement shape (a revoked session must read nothing, on any instance);
//! - `dashboard`: that plus the cards' counts from the app's counter tables (total, done,
//!   overdue, due today and tomorrow), exactly as the app's dashboard statement reads them.
//!
//! `tasks` (the default) is the bare handler proper.
//!
//! ```text
//! cargo build --release --example bare_handler
//! DATABASE_URL=sqlite://data/tasks.db JWT_SECRET=... BIND_ADDR=127.0.0.1:8081 \
//!     target/release/examples/bare_handler
//! ```
//!
//! Env: `DATABASE_URL`, `JWT_SECRET` (the app's), `BIND_ADDR` (default 127.0.0.1:8081),
//! `COOKIE` (default `auth`), `WORKERS` (default: one per core), `POOL` (default: 8 on
//! PostgreSQL, two per core on SQLite), `BARE_READS` (`tasks`, `session` or `dashboard`).

use std::str::FromStr;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use askama::Template;
use chrono::{DateTime, Days, NaiveDate, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use sqlx::{
    FromRow, PgPool, SqlitePool,
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqlitePoolOptions},
};

#[derive(FromRow)]
struct Row {
    id: i64,
    title: String,
    description: Option<String>,
    is_completed: bool,
    priority: i16,
    due_date: Option<NaiveDate>,
    created_at: DateTime<Utc>,
}

#[derive(Template)]
#[template(
    ext = "html",
    source = r#"<table id="task-table"><thead><tr><th>#</th><th>Title</th><th>Notes</th><th>Status</th><th>Priority</th><th>Due</th><th>Created</th></tr></thead><tbody>
{% for r in rows %}<tr id="task-{{ r.id }}"{% if r.is_completed %} class="done"{% endif %}><td>{{ r.id }}</td><td>{{ r.title }}</td><td>{% if let Some(d) = r.description %}{{ d }}{% endif %}</td><td>{% if r.is_completed %}done{% else %}open{% endif %}</td><td>{{ r.priority }}</td><td>{% if let Some(d) = r.due_date %}{{ d }}{% else %}-{% endif %}</td><td>{{ r.created_at.format("%Y-%m-%d %H:%M") }}</td></tr>
{% endfor %}</tbody></table>"#
)]
struct Rows<'a> {
    rows: &'a [Row],
}

/// What a floor reads beyond the tasks: the user (the page's header and its "today"), and
/// for the dashboard floor the cards' counts.
#[derive(FromRow)]
#[allow(dead_code)] // Read, as the app reads them; the small template does not show them.
struct Head {
    email: String,
    time_zone: String,
    #[sqlx(default)]
    total: i64,
    #[sqlx(default)]
    done: i64,
    #[sqlx(default)]
    due_before: i64,
    #[sqlx(default)]
    due_first: i64,
    #[sqlx(default)]
    due_second: i64,
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
    sid: String,
}

/// What `GET /tasks` reads (`BARE_READS`; see the top of this file).
#[derive(Clone, Copy)]
enum Reads {
    Tasks,
    Session,
    Dashboard,
}

enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

struct Bare {
    pool: Pool,
    key: DecodingKey,
    validation: Validation,
    cookie: String,
    reads: Reads,
}

const NEWEST: &str = "SELECT id, title, description, is_completed, priority, due_date, created_at \
     FROM tasks WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT 25";

/// The floors' statement: the live session and its user (`h`), the tasks of `h`'s user
/// (none when the session is dead), one row per task with `h`'s columns on each, as the
/// app's dashboard statement has it; `$counts` is more of `h`'s columns and `$joins` what
/// they read from.
macro_rules! floor {
    ($counts:expr, $joins:expr) => {
        concat!(
            "WITH h AS MATERIALIZED (SELECT u.id AS owner_id, u.email, u.time_zone",
            $counts,
            " FROM sessions s JOIN users u ON u.id = s.user_id",
            $joins,
            " WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND s.expires_at > $3) \
             SELECT h.*, r.* FROM h LEFT JOIN (SELECT id, title, description, is_completed, \
             priority, due_date, created_at FROM tasks WHERE user_id = (SELECT owner_id FROM h) \
             ORDER BY created_at DESC, id DESC LIMIT 25) AS r ON true \
             ORDER BY r.created_at DESC, r.id DESC"
        )
    };
}

const SESSION: &str = floor!("", "");

/// The cards' counts, as the app reads them (`store::task_counts::Counts`): from its counter
/// tables, kept by triggers. The totals are one primary key lookup; on PostgreSQL the
/// per-date open counts are one range read summed three ways, on SQLite three probes.
const DASHBOARD_POSTGRES: &str = floor!(
    ", COALESCE(tt.total, 0) AS total, COALESCE(tt.done, 0) AS done, \
     od.due_before, od.due_first, od.due_second",
    concat!(
        " LEFT JOIN task_totals tt ON tt.user_id = s.user_id",
        " CROSS JOIN LATERAL (SELECT \
         CAST(COALESCE(SUM(n) FILTER (WHERE due_date < $4), 0) AS BIGINT) AS due_before, \
         CAST(COALESCE(SUM(n) FILTER (WHERE due_date = $4), 0) AS BIGINT) AS due_first, \
         CAST(COALESCE(SUM(n) FILTER (WHERE due_date = $5), 0) AS BIGINT) AS due_second \
         FROM open_due_counts WHERE user_id = s.user_id AND due_date <= $5) AS od"
    )
);
const DASHBOARD_SQLITE: &str = floor!(
    ", COALESCE(tt.total, 0) AS total, COALESCE(tt.done, 0) AS done, \
     COALESCE((SELECT SUM(n) FROM open_due_counts \
     WHERE user_id = s.user_id AND due_date < $4), 0) AS due_before, \
     COALESCE((SELECT n FROM open_due_counts \
     WHERE user_id = s.user_id AND due_date = $4), 0) AS due_first, \
     COALESCE((SELECT n FROM open_due_counts \
     WHERE user_id = s.user_id AND due_date = $5), 0) AS due_second",
    " LEFT JOIN task_totals tt ON tt.user_id = s.user_id"
);

/// Runs `bare.reads`' statement on `$pool` and decodes it: `Ok(None)` for a dead session.
macro_rules! read {
    ($bare:expr, $pool:expr, $user:expr, $sid:expr, $dashboard:expr) => {{
        let (bare, pool, user, sid) = ($bare, $pool, $user, $sid);
        let now = Utc::now();
        let today = now.date_naive();
        match bare.reads {
            Reads::Tasks => sqlx::query_as::<_, Row>(NEWEST)
                .bind(user)
                .fetch_all(pool)
                .await
                .map(Some),
            Reads::Session => decode(
                sqlx::query(SESSION)
                    .bind(sid)
                    .bind(user)
                    .bind(now)
                    .fetch_all(pool)
                    .await,
            ),
            Reads::Dashboard => decode(
                sqlx::query($dashboard)
                    .bind(sid)
                    .bind(user)
                    .bind(now)
                    .bind(today)
                    .bind(today + Days::new(1))
                    .fetch_all(pool)
                    .await,
            ),
        }
    }};
}

/// A floor's rows: the head from the first (none: the session is dead), then its tasks.
fn decode<R>(rows: Result<Vec<R>, sqlx::Error>) -> Result<Option<Vec<Row>>, sqlx::Error>
where
    R: sqlx::Row,
    Head: for<'r> FromRow<'r, R>,
    Row: for<'r> FromRow<'r, R>,
    for<'r> &'r str: sqlx::ColumnIndex<R>,
    Option<i64>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let rows = rows?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let _head = Head::from_row(first)?;
    let mut tasks = Vec::with_capacity(rows.len());
    for row in &rows {
        if row.try_get::<Option<i64>, _>("id")?.is_some() {
            tasks.push(Row::from_row(row)?);
        }
    }
    Ok(Some(tasks))
}

async fn tasks(req: HttpRequest, bare: web::Data<Bare>) -> HttpResponse {
    let claims = req
        .cookie(&bare.cookie)
        .and_then(|c| jsonwebtoken::decode::<Claims>(c.value(), &bare.key, &bare.validation).ok())
        .and_then(|token| Some((token.claims.sub.parse::<i64>().ok()?, token.claims.sid)));
    let Some((user, sid)) = claims else {
        return HttpResponse::Unauthorized().finish();
    };
    let rows = match &bare.pool {
        Pool::Sqlite(pool) => read!(&bare, pool, user, sid, DASHBOARD_SQLITE),
        Pool::Postgres(pool) => read!(&bare, pool, user, sid, DASHBOARD_POSTGRES),
    };
    let rows = match rows {
        Ok(Some(rows)) => rows,
        Ok(None) => return HttpResponse::Unauthorized().finish(),
        Err(e) => return HttpResponse::InternalServerError().body(e.to_string()),
    };
    match (Rows { rows: &rows }).render() {
        Ok(html) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(html),
        Err(e) => HttpResponse::InternalServerError().body(e.to_string()),
    }
}

fn setting(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let fail =
        |what: &str, e: &dyn std::fmt::Display| std::io::Error::other(format!("{what}: {e}"));
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let workers: usize = setting("WORKERS", &cores.to_string())
        .parse()
        .map_err(|e| fail("WORKERS", &e))?;
    let url = setting("DATABASE_URL", "sqlite://data/tasks.db");
    let bind = setting("BIND_ADDR", "127.0.0.1:8081");
    let secret = std::env::var("JWT_SECRET").map_err(|e| fail("JWT_SECRET", &e))?;
    let pool = if url.starts_with("sqlite:") {
        let size: u32 = setting("POOL", &(2 * cores).to_string())
            .parse()
            .map_err(|e| fail("POOL", &e))?;
        let options = SqliteConnectOptions::from_str(&url)
            .map_err(|e| fail("DATABASE_URL", &e))?
            .read_only(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(size)
            .min_connections(size)
            .connect_with(options)
            .await
            .map_err(|e| fail("SQLite", &e))?;
        Pool::Sqlite(pool)
    } else {
        let size: u32 = setting("POOL", "8").parse().map_err(|e| fail("POOL", &e))?;
        // Each statement planned once per connection, as the app's connections do
        // (`store::postgres`): the floors run the app's own statement shapes.
        let options = PgConnectOptions::from_str(&url)
            .map_err(|e| fail("DATABASE_URL", &e))?
            .options([("plan_cache_mode", "force_generic_plan")]);
        let pool = PgPoolOptions::new()
            .max_connections(size)
            .min_connections(size)
            .connect_with(options)
            .await
            .map_err(|e| fail("PostgreSQL", &e))?;
        Pool::Postgres(pool)
    };
    let reads = match setting("BARE_READS", "tasks").as_str() {
        "tasks" => Reads::Tasks,
        "session" => Reads::Session,
        "dashboard" => Reads::Dashboard,
        other => {
            return Err(fail(
                "BARE_READS",
                &format!("{other:?}: tasks, session or dashboard"),
            ));
        }
    };
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_required_spec_claims(&["exp", "sub"]);
    let bare = web::Data::new(Bare {
        pool,
        key: DecodingKey::from_secret(secret.as_bytes()),
        validation,
        cookie: setting("COOKIE", "auth"),
        reads,
    });
    eprintln!("bare handler on http://{bind} ({workers} workers)");
    HttpServer::new(move || {
        App::new()
            .app_data(bare.clone())
            .route("/tasks", web::get().to(tasks))
    })
    .workers(workers)
    .bind(bind)?
    .run()
    .await
}
