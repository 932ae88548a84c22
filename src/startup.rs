//! Builds the application: connects and migrates the database, wires the middleware around
//! the one route table ([`crate::routes`]), and runs the server until it is told to stop.

use std::{
    net::{SocketAddr, TcpListener},
    time::{Duration, Instant},
};

use actix_session::{
    SessionMiddleware, config::CookieContentSecurity, storage::CookieSessionStore,
};
use actix_web::{
    App, HttpServer,
    cookie::{Key, SameSite},
    dev::Server,
    middleware::from_fn,
    web,
};

use crate::{
    auth::{
        gate::Gates,
        jwt::JwtKeys,
        password::{self, Hashing},
        sign_in,
    },
    config::{Secret, Settings},
    maintenance, meter, routes,
    secrets::{self, MacKey, SecretError},
    store::{PoolSettings, Schema, Store},
    web::{
        compress, csrf, errors, health, middleware,
        state::{AppState, Readiness},
        tasks::events,
    },
};

/// Largest request body we read: forms are small, and bulk actions carry at most a few
/// hundred ids.
pub const BODY_LIMIT: usize = 64 * 1024;

pub struct Application {
    server: Server,
    addr: SocketAddr,
    /// The metrics listener (`METRICS_ADDR`), when there is one.
    metrics: Option<(Server, SocketAddr)>,
    store: Store,
    gates: Gates,
    readiness: Readiness,
    drain: Duration,
}

impl Application {
    /// Connects to the database, migrates it (unless `MIGRATE_ON_START=false`) and binds
    /// (port 0 picks a free port). Refuses settings that would run a deployment unsafely
    /// (see [`Settings::refusal`]), and a database whose schema history differs from this
    /// binary's (see [`Schema::Diverged`]).
    pub async fn build(settings: &Settings) -> anyhow::Result<Self> {
        if let Some(refusal) = settings.refusal() {
            anyhow::bail!("not starting: {refusal}");
        }
        let secret = signing_secret(settings)?;
        let store = if settings.migrate_on_start {
            connect_and_migrate(settings).await?
        } else {
            let store = connect(settings).await?;
            match store.schema().await? {
                Schema::Current => {}
                diverged @ Schema::Diverged { .. } => anyhow::bail!("not starting: {diverged}"),
                // Behind: `/readyz` answers 503 until the release step has migrated.
                other => tracing::warn!("{other}"),
            }
            store
        };
        Self::build_with_store(settings, &secret, store).await
    }

    /// As [`Application::build`], with a store the caller has opened (tests stage outages
    /// through it).
    pub async fn build_with_store(
        settings: &Settings,
        secret: &Secret,
        store: Store,
    ) -> anyhow::Result<Self> {
        password::warm_up().await;
        let listener = TcpListener::bind(settings.bind_addr)?;
        let addr = listener.local_addr()?;
        let gates = Gates::new(sign_in::CLIENT_LIMIT as u32);
        let readiness = Readiness::default();
        let state = web::Data::new(AppState {
            store: store.clone(),
            jwt: JwtKeys::new(secret),
            cookie_secure: settings.cookie_secure(),
            session_ttl: chrono::Duration::seconds(settings.session_ttl_secs as i64),
            public_origin: settings
                .public_url
                .as_ref()
                .map(|url| url.origin().ascii_serialization()),
            trusted_proxies: settings.trusted_proxies.clone(),
            mac_key: MacKey::derive(secret.expose().as_bytes(), "task-dashboard/keyed-hashes/v1"),
            clock: settings.clock.clone(),
            hashing: Hashing::new(
                settings
                    .hash_concurrency
                    .unwrap_or_else(Hashing::default_slots),
            ),
            gates: gates.clone(),
            sign_ups_per_minute: settings.sign_ups_per_minute,
            readiness: readiness.clone(),
        });
        // actix-session's cookie key, derived from `JWT_SECRET` so that one secret is all a
        // deployment must set (SPEC section 7), yet the two keys are never the same bytes.
        let session_key = Key::from(&secrets::derive_key(
            secret.expose().as_bytes(),
            "task-dashboard/actix-session/v1",
        ));
        let cookie_secure = settings.cookie_secure();
        let mut server = HttpServer::new(move || {
            let sessions =
                SessionMiddleware::builder(CookieSessionStore::default(), session_key.clone())
                    .cookie_name(
                        if cookie_secure {
                            "__Host-session"
                        } else {
                            "session"
                        }
                        .into(),
                    )
                    .cookie_secure(cookie_secure)
                    .cookie_http_only(true)
                    .cookie_same_site(SameSite::Lax)
                    .cookie_content_security(CookieContentSecurity::Private)
                    .build();
            App::new()
                .app_data(state.clone())
                .app_data(web::PayloadConfig::new(BODY_LIMIT))
                .app_data(web::FormConfig::default().limit(BODY_LIMIT))
                .app_data(web::JsonConfig::default().limit(BODY_LIMIT))
                .app_data(web::QueryConfig::default().error_handler(routes::query_error))
                .configure(routes::routes)
                .default_service(web::to(routes::not_found))
                // Listed innermost first: HEAD goes to the GET route; bad UTF-8 is refused
                // before any handler reads it;
                // CSRF needs the session; errors are rendered with the
                // request id; every answer, error pages included, gets the security headers.
                .wrap(from_fn(events::tag_origin))
                .wrap(from_fn(middleware::head_as_get))
                .wrap(from_fn(middleware::require_utf8))
                .wrap(from_fn(csrf::protect))
                .wrap(sessions)
                .wrap(from_fn(errors::render_errors))
                .wrap(from_fn(middleware::security_headers))
                .wrap(from_fn(compress::compress))
                .wrap(from_fn(middleware::request_context))
        })
        .listen(listener)?
        // Signals are handled in `run`, which ends the live streams first: open streams
        // would otherwise hold the drain up for its whole time-out.
        .disable_signals()
        .shutdown_timeout(20);
        if let Some(workers) = settings.workers {
            server = server.workers(workers);
        }
        let metrics = match settings.metrics_addr {
            Some(at) => Some(metrics_server(at, &store)?),
            None => None,
        };
        store.live().start();
        tracing::info!(%addr, backend = store.backend(), "listening");
        Ok(Self {
            server: server.run(),
            addr,
            metrics,
            store,
            gates,
            readiness,
            drain: Duration::from_secs(settings.drain_secs),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Where `/metrics` is served, when `METRICS_ADDR` is set.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().map(|(_, addr)| *addr)
    }

    pub fn store(&self) -> Store {
        self.store.clone()
    }

    /// Serves until SIGTERM or Ctrl-C, then drains: `/readyz` answers 503 for `DRAIN_SECS`
    /// while requests are still served (a load balancer stops sending new ones), then the
    /// listener closes and in-flight requests finish. Meanwhile sweeps ended sessions and
    /// old trash away (see [`maintenance::purge_hourly`]) and the sign-in limits' old
    /// entries ([`maintenance::sweep_sign_in_limits`]), and keeps the metrics' histograms
    /// folded ([`meter::upkeep_forever`]).
    pub async fn run(self) -> std::io::Result<()> {
        let mut background = vec![
            tokio::spawn(maintenance::purge_hourly(self.store.clone())),
            tokio::spawn(maintenance::sweep_sign_in_limits(
                self.store.clone(),
                self.gates,
            )),
        ];
        if let Some((metrics, _)) = self.metrics {
            background.push(tokio::spawn(meter::upkeep_forever()));
            background.push(tokio::spawn(async move {
                if let Err(error) = metrics.await {
                    tracing::error!(%error, "the metrics listener stopped");
                }
            }));
        }
        let server = self.server.handle();
        let live = self.store.live().clone();
        let (readiness, drain) = (self.readiness, self.drain);
        let stopper = tokio::spawn(async move {
            shutdown_requested().await;
            readiness.drain();
            if !drain.is_zero() {
                tracing::info!(seconds = drain.as_secs(), "draining: /readyz answers 503");
                tokio::time::sleep(drain).await;
            }
            tracing::info!("shutting down: ending live streams, finishing requests");
            live.close_all();
            server.stop(true).await;
        });
        let served = self.server.await;
        stopper.abort();
        for task in background {
            task.abort();
        }
        served
    }
}

/// Waits for SIGTERM (how a deployment stops an instance) or Ctrl-C.
async fn shutdown_requested() {
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                terminate.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM; Ctrl-C still stops");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}

/// The signing secret: `JWT_SECRET`, or in development one generated on first start and
/// kept under the data directory so that sign-ins survive a restart.
pub fn signing_secret(settings: &Settings) -> Result<Secret, SecretError> {
    secrets::load_or_create(
        settings.jwt_secret.as_ref().map(Secret::expose),
        settings.is_production(),
        &settings.data_dir,
    )
    .map(Secret::new)
}

/// The metrics listener: one worker serving `GET /metrics` and nothing else, on an address
/// of its own so the public one never shows them.
fn metrics_server(at: SocketAddr, store: &Store) -> anyhow::Result<(Server, SocketAddr)> {
    if !meter::install() {
        anyhow::bail!("METRICS_ADDR is set, but another metrics recorder was installed first");
    }
    let listener =
        TcpListener::bind(at).map_err(|e| anyhow::anyhow!("cannot bind METRICS_ADDR {at}: {e}"))?;
    let addr = listener.local_addr()?;
    let store = web::Data::new(store.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(store.clone())
            .service(web::resource("/metrics").get(health::metrics))
    })
    .listen(listener)?
    .workers(1)
    .disable_signals()
    .shutdown_timeout(1)
    .run();
    tracing::info!(%addr, "metrics at /metrics");
    Ok((server, addr))
}

pub async fn connect_and_migrate(settings: &Settings) -> anyhow::Result<Store> {
    let store = connect(settings).await?;
    store.migrate().await?;
    Ok(store)
}

/// Opens the database, retrying the first connection for `DB_CONNECT_RETRY_SECS` with
/// back-off (half a second, doubling up to five): a serverless database can take seconds
/// to wake, and a deploy can start the app before its database. A URL that cannot work
/// (a bad setting, a refused password) is not retried.
pub async fn connect(settings: &Settings) -> anyhow::Result<Store> {
    let pool = PoolSettings {
        max_connections: settings.db_max_connections(),
        acquire_timeout: settings.db_acquire_timeout(),
        statement_timeout: settings
            .database_url
            .is_postgres()
            .then(|| settings.db_statement_timeout())
            .flatten(),
    };
    let give_up = Instant::now() + settings.db_connect_retry();
    let mut wait = Duration::from_millis(500);
    loop {
        match Store::connect(&settings.database_url, pool).await {
            Ok(store) => return Ok(store),
            Err(error) if worth_retrying(&error) && Instant::now() + wait < give_up => {
                tracing::warn!(
                    %error,
                    retry_in_ms = wait.as_millis() as u64,
                    "database not reachable yet, retrying"
                );
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(5));
            }
            Err(error) => anyhow::bail!(
                "cannot open the database at {}: {error}",
                settings.database_url
            ),
        }
    }
}

/// Whether a failed first connection may succeed later: the server is down, starting,
/// waking or out of connections, rather than the settings being wrong.
fn worth_retrying(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|code| matches!(code.as_ref(), "57P03" | "53300" | "08006" | "08001")),
        _ => false,
    }
}
