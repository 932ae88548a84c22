//! Settings: command-line flags with environment fallbacks (SPEC section 7).
//!
//! The bottom of the house: it imports nothing of the app but [`crate::clock`] (which imports
//! nothing at all), held here so that tests can hand the app a clock of their own. Turning the settings into live
//! things (a secret generated on first start, a pool, a listener) is [`crate::startup`]'s
//! job.
//!
//! Every setting has a flag and an environment variable, `.env` is read when present, and
//! `--help` lists them all, for every subcommand too (the flags are global). Secrets live in [`Secret`], whose `Debug` never prints them, and the
//! database URL hides its password the same way, so a settings dump is safe to log.

use std::{fmt, net::SocketAddr, path::PathBuf, str::FromStr, time::Duration};

use clap::{Args, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AppEnv {
    Development,
    Production,
}

/// How log lines are written (`LOG_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Settings (every command; each also from its environment variable)")]
pub struct Settings {
    /// Address to listen on (port 0 picks a free one).
    #[arg(
        long,
        global = true,
        env = "BIND_ADDR",
        default_value = "127.0.0.1:8080"
    )]
    pub bind_addr: SocketAddr,

    /// `sqlite://path` (created on first start) or `postgres://...`.
    #[arg(
        long,
        global = true,
        env = "DATABASE_URL",
        default_value = "sqlite://data/tasks.db"
    )]
    pub database_url: DatabaseUrl,

    /// Signing key for session tokens, at least 32 bytes. Required in production; in
    /// development one is generated and kept in the data directory.
    #[arg(long, global = true, env = "JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<Secret>,

    /// Mark cookies `Secure`. Defaults to on in production and off in development, where the
    /// app is served over plain HTTP on the loopback address.
    #[arg(long, global = true, env = "COOKIE_SECURE")]
    pub cookie_secure: Option<bool>,

    /// How long a sign-in lasts, in seconds.
    #[arg(long, global = true, env = "SESSION_TTL_SECS", default_value_t = 12 * 60 * 60)]
    pub session_ttl_secs: u64,

    /// `development` or `production`. Unset means development, which is refused on an
    /// address other machines can reach (see `Settings::refusal`): say which on purpose.
    #[arg(long, global = true, env = "APP_ENV", value_enum)]
    pub app_env: Option<AppEnv>,

    /// The https:// origin users reach the app at (e.g. `https://tasks.example.com`);
    /// required in production. The CSRF origin check compares against it instead of the
    /// request's own origin.
    #[arg(long, global = true, env = "PUBLIC_URL")]
    pub public_url: Option<url::Url>,

    /// Where the development secret (and the default SQLite file) live.
    #[arg(long, global = true, env = "DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// Most database connections held by this instance (default: 8 on PostgreSQL; on
    /// SQLite, whose queries run on this machine's cores, two per core).
    #[arg(long, global = true, env = "DB_MAX_CONNECTIONS")]
    pub db_max_connections: Option<u32>,

    /// How long a request waits for a database connection before answering 503, in ms.
    #[arg(
        long,
        global = true,
        env = "DB_ACQUIRE_TIMEOUT_MS",
        default_value_t = 2_000
    )]
    pub db_acquire_timeout_ms: u64,

    /// HTTP worker threads (default: one per core).
    #[arg(long, global = true, env = "WORKERS")]
    pub workers: Option<usize>,

    /// Addresses of reverse proxies whose `X-Forwarded-For` is believed (comma-separated).
    /// Without any, a client's address is the socket's peer, which a client cannot forge.
    #[arg(long, global = true, env = "TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<std::net::IpAddr>,

    /// Password hashes (argon2, 19 MiB each) computed at once; sign-ins beyond them get a 503
    /// with `Retry-After: 1` at once (default: twice the cores).
    #[arg(long, global = true, env = "HASH_CONCURRENCY")]
    pub hash_concurrency: Option<usize>,

    /// Sign-ups a minute from all addresses together, on all instances (each address also
    /// has its own 60 a minute).
    #[arg(
        long,
        global = true,
        env = "SIGN_UPS_PER_MINUTE",
        default_value_t = 600
    )]
    pub sign_ups_per_minute: i64,

    /// Where Prometheus reads this instance's metrics (`GET /metrics`), e.g.
    /// `127.0.0.1:9100`: a listener of its own, never the public one. Unset, no metrics are
    /// kept or served.
    #[arg(long, global = true, env = "METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,

    /// Apply pending migrations when the server starts. With many instances, say `false`
    /// and run `task-dashboard migrate` once per release instead (`/readyz` answers 503
    /// until the schema is at this binary's version).
    #[arg(
        long,
        global = true,
        env = "MIGRATE_ON_START",
        default_value_t = true,
        action = clap::ArgAction::Set
    )]
    pub migrate_on_start: bool,

    /// How long start-up keeps retrying the first database connection, in seconds (a
    /// serverless database may take a while to wake); 0 tries once.
    #[arg(
        long,
        global = true,
        env = "DB_CONNECT_RETRY_SECS",
        default_value_t = 30
    )]
    pub db_connect_retry_secs: u64,

    /// PostgreSQL only: the longest one statement may run, in ms, before the database
    /// cancels it and the request answers 503 (0: no limit).
    #[arg(
        long,
        global = true,
        env = "DB_STATEMENT_TIMEOUT_MS",
        default_value_t = 30_000
    )]
    pub db_statement_timeout_ms: u64,

    /// `text` (the default: one readable line per event) or `json` (one object per line,
    /// for a log pipeline).
    #[arg(
        long,
        global = true,
        env = "LOG_FORMAT",
        value_enum,
        default_value = "text"
    )]
    pub log_format: LogFormat,

    /// After SIGTERM, how long `/readyz` answers 503 while requests are still served, in
    /// seconds, so a load balancer stops sending new ones before the listener closes.
    #[arg(long, global = true, env = "DRAIN_SECS", default_value_t = 0)]
    pub drain_secs: u64,

    /// The clock calendar questions are answered by: the system's, unless a test sets one.
    #[arg(skip)]
    pub clock: crate::clock::Clock,
}

impl Settings {
    pub fn cookie_secure(&self) -> bool {
        self.cookie_secure.unwrap_or(self.is_production())
    }

    pub fn session_ttl(&self) -> Duration {
        Duration::from_secs(self.session_ttl_secs)
    }

    /// The pool size. SQLite runs each connection's queries on a thread of its own, on the
    /// app's cores: more connections than a couple per core only add thread hand-offs and
    /// page caches (measured under load on 2 cores: 8 connections cost about a quarter more
    /// CPU per request and twice the memory of 2 to 4).
    pub fn db_max_connections(&self) -> u32 {
        self.db_max_connections.unwrap_or_else(|| {
            if self.database_url.is_postgres() {
                8
            } else {
                std::thread::available_parallelism()
                    .map_or(4, |n| 2 * n.get() as u32)
                    .clamp(2, 8)
            }
        })
    }

    pub fn db_acquire_timeout(&self) -> Duration {
        Duration::from_millis(self.db_acquire_timeout_ms)
    }

    pub fn db_statement_timeout(&self) -> Option<Duration> {
        (self.db_statement_timeout_ms > 0)
            .then(|| Duration::from_millis(self.db_statement_timeout_ms))
    }

    pub fn db_connect_retry(&self) -> Duration {
        Duration::from_secs(self.db_connect_retry_secs)
    }

    pub fn is_production(&self) -> bool {
        self.app_env == Some(AppEnv::Production)
    }

    /// Why the server must not start with these settings, if it must not. The rule: a
    /// set-up that looks like a deployment is run as one, or not at all.
    /// - Production needs `PUBLIC_URL`, an `https://` address: Secure cookies, HSTS and the
    ///   CSRF origin check all rest on it, and without it the origin check would trust the
    ///   `Host` a proxy passes on.
    /// - Development by default (no `APP_ENV`) serves plain HTTP with a generated secret,
    ///   which is only safe on this machine: on an address other machines can reach,
    ///   `APP_ENV` must say which it is.
    pub fn refusal(&self) -> Option<String> {
        if self.is_production() {
            let https = self
                .public_url
                .as_ref()
                .is_some_and(|u| u.scheme() == "https");
            if !https {
                return Some(
                    "APP_ENV=production needs PUBLIC_URL: the https:// address users reach \
                     the app at (e.g. https://tasks.example.com)"
                        .to_owned(),
                );
            }
        }
        if self.app_env.is_none() && !self.bind_addr.ip().is_loopback() {
            return Some(format!(
                "BIND_ADDR {} accepts connections from other machines, but APP_ENV is not \
                 set: set APP_ENV=production for a deployment (with JWT_SECRET and an https \
                 PUBLIC_URL), or APP_ENV=development to serve development beyond this \
                 machine on purpose",
                self.bind_addr
            ));
        }
        None
    }
}

/// A secret string: usable, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

/// A database URL whose password stays out of `Debug` and `Display`.
#[derive(Clone)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_postgres(&self) -> bool {
        self.0.starts_with("postgres://") || self.0.starts_with("postgresql://")
    }

    pub fn is_sqlite(&self) -> bool {
        self.0.starts_with("sqlite:")
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match url::Url::parse(&self.0) {
            Ok(mut url) if url.password().is_some() => {
                let _ = url.set_password(Some("redacted"));
                write!(f, "{url}")
            }
            _ => f.write_str(&self.0),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

impl FromStr for DatabaseUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let url = Self(s.to_owned());
        if url.is_postgres() || url.is_sqlite() {
            Ok(url)
        } else {
            Err("expected a sqlite:// or postgres:// URL".into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_database_passwords_never_reach_debug_output() {
        let secret = Secret::new("super-secret-value-that-is-long-enough");
        let url: DatabaseUrl = "postgres://app:hunter2@db.example.com/tasks"
            .parse()
            .unwrap();
        let printed = format!("{secret:?} {url:?} {url}");
        assert!(!printed.contains("super-secret"), "{printed}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(printed.contains("db.example.com"));
    }

    fn settings(app_env: Option<AppEnv>, bind: &str, public_url: Option<&str>) -> Settings {
        use clap::Parser;
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            settings: Settings,
        }
        let mut settings = Cli::parse_from(["test"]).settings;
        settings.app_env = app_env;
        settings.bind_addr = bind.parse().unwrap();
        settings.public_url = public_url.map(|u| u.parse().unwrap());
        settings
    }

    #[test]
    fn production_is_refused_without_an_https_public_url() {
        let production = Some(AppEnv::Production);
        for url in [None, Some("http://tasks.example.com")] {
            let refusal = settings(production, "0.0.0.0:8080", url).refusal();
            assert!(refusal.is_some_and(|r| r.contains("PUBLIC_URL")), "{url:?}");
        }
        let ok = settings(
            production,
            "0.0.0.0:8080",
            Some("https://tasks.example.com"),
        );
        assert_eq!(ok.refusal(), None);
    }

    #[test]
    fn development_by_default_is_refused_where_other_machines_can_reach_it() {
        for bind in ["0.0.0.0:8080", "192.0.2.7:8080", "[::]:8080"] {
            let refusal = settings(None, bind, None).refusal();
            assert!(refusal.is_some_and(|r| r.contains("APP_ENV")), "{bind}");
            // Said on purpose, it starts.
            let dev = settings(Some(AppEnv::Development), bind, None);
            assert_eq!(dev.refusal(), None, "{bind}");
        }
        for bind in ["127.0.0.1:8080", "[::1]:8080", "127.0.0.1:0"] {
            assert_eq!(settings(None, bind, None).refusal(), None, "{bind}");
        }
    }
}
