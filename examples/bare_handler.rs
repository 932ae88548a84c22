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
//! ```text
//! cargo build --release --example bare_handler
//! DATABASE_URL=sqlite://data/tasks.db JWT_SECRET=... BIND_ADDR=127.0.0.1:8081 \
//!     target/release/examples/bare_handler
//! ```
//!
//! Env: `DATABASE_URL`, `JWT_SECRET` (the app's), `BIND_ADDR` (default 127.0.0.1:8081),
//! `COOKIE` (default `auth`), `WORKERS` (default: one per core), `POOL` (default: 8 on
//! PostgreSQL, two per core on SQLite).

use std::str::FromStr;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use askama::Template;
use chrono::{DateTime, NaiveDate, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use sqlx::{
    PgPool, SqlitePool,
    postgres::PgPoolOptions,
    sqlite::{SqliteConnectOptions, SqlitePoolOptions},
};

#[derive(sqlx::FromRow)]
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

#[derive(Deserialize)]
struct Claims {
    sub: String,
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
}

const NEWEST: &str = "SELECT id, title, description, is_completed, priority, due_date, created_at \
     FROM tasks WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT 25";

async fn tasks(req: HttpRequest, bare: web::Data<Bare>) -> HttpResponse {
    let user = req
        .cookie(&bare.cookie)
        .and_then(|c| jsonwebtoken::decode::<Claims>(c.value(), &bare.key, &bare.validation).ok())
        .and_then(|token| token.claims.sub.parse::<i64>().ok());
    let Some(user) = user else {
        return HttpResponse::Unauthorized().finish();
    };
    let rows = match &bare.pool {
        Pool::Sqlite(pool) => sqlx::query_as(NEWEST).bind(user).fetch_all(pool).await,
        Pool::Postgres(pool) => sqlx::query_as(NEWEST).bind(user).fetch_all(pool).await,
    };
    let html = rows
        .map_err(|e| e.to_string())
        .and_then(|rows: Vec<Row>| Rows { rows: &rows }.render().map_err(|e| e.to_string()));
    match html {
        Ok(html) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(html),
        Err(e) => HttpResponse::InternalServerError().body(e),
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
        let pool = PgPoolOptions::new()
            .max_connections(size)
            .min_connections(size)
            .connect(&url)
            .await
            .map_err(|e| fail("PostgreSQL", &e))?;
        Pool::Postgres(pool)
    };
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_required_spec_claims(&["exp", "sub"]);
    let bare = web::Data::new(Bare {
        pool,
        key: DecodingKey::from_secret(secret.as_bytes()),
        validation,
        cookie: setting("COOKIE", "auth"),
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
