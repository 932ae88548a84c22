//! Builds the application: connects and migrates the database, wires the middleware around
//! the one route table ([`crate::routes`]), and runs the server until it is told to stop.

use std::net::{SocketAddr, TcpListener};

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
    maintenance, routes,
    secrets::{self, MacKey, SecretError},
    store::{PoolSettings, Store},
    web::{compress, csrf, errors, middleware, state::AppState, tasks::events},
};

/// Largest request body we read: forms are small, and bulk actions carry at most a few
/// hundred ids.
pub const BODY_LIMIT: usize = 64 * 1024;

pub struct Application {
    server: Server,
    addr: SocketAddr,
    store: Store,
    gates: Gates,
}

impl Application {
    /// Connects to the database, migrates it and binds (port 0 picks a free port).
    /// Refuses settings that would run a deployment unsafely (see [`Settings::refusal`]).
    pub async fn build(settings: &Settings) -> anyhow::Result<Self> {
        if let Some(refusal) = settings.refusal() {
            anyhow::bail!("not starting: {refusal}");
        }
        let secret = signing_secret(settings)?;
        let store = connect_and_migrate(settings).await?;
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
        store.live().start();
        tracing::info!(%addr, backend = store.backend(), "listening");
        Ok(Self {
            server: server.run(),
            addr,
            store,
            gates,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn store(&self) -> Store {
        self.store.clone()
    }

    /// Serves until SIGTERM or Ctrl-C, then drains in-flight requests. Meanwhile sweeps
    /// ended sessions and old trash away (see [`maintenance::purge_hourly`]) and the sign-in
    /// limits' old entries ([`maintenance::sweep_sign_in_limits`]).
    pub async fn run(self) -> std::io::Result<()> {
        let sweepers = [
            tokio::spawn(maintenance::purge_hourly(self.store.clone())),
            tokio::spawn(maintenance::sweep_sign_in_limits(
                self.store.clone(),
                self.gates,
            )),
        ];
        let server = self.server.handle();
        let live = self.store.live().clone();
        let stopper = tokio::spawn(async move {
            shutdown_requested().await;
            tracing::info!("shutting down: ending live streams, draining requests");
            live.close_all();
            server.stop(true).await;
        });
        let served = self.server.await;
        stopper.abort();
        for sweeper in sweepers {
            sweeper.abort();
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

pub async fn connect_and_migrate(settings: &Settings) -> anyhow::Result<Store> {
    let store = Store::connect(
        &settings.database_url,
        PoolSettings {
            max_connections: settings.db_max_connections(),
            acquire_timeout: settings.db_acquire_timeout(),
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("cannot open the database at {}: {e}", settings.database_url))?;
    store.migrate().await?;
    Ok(store)
}
