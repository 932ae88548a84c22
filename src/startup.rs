//! Builds the application: connects and migrates the database, wires the middleware and
//! holds the one route table ([`routes`]), readable top to bottom: every URL the app answers
//! and its methods are there, and the feature modules under [`crate::web`] only export
//! handlers.

use std::net::{SocketAddr, TcpListener};

use actix_session::{
    SessionMiddleware, config::CookieContentSecurity, storage::CookieSessionStore,
};
use actix_web::{
    App, HttpServer,
    cookie::{Key, SameSite},
    dev::Server,
    error::QueryPayloadError,
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
    error::AppError,
    maintenance,
    secrets::{self, MacKey, SecretError},
    store::{PoolSettings, Store},
    web::{
        account, api, assets,
        auth::{login, logout, signup},
        compress, csrf, errors, health, home, middleware,
        state::AppState,
        tasks::{actions, create, edit, events, list},
    },
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
                .app_data(web::QueryConfig::default().error_handler(query_error))
                .configure(routes)
                .default_service(web::to(not_found))
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
    /// ended sessions away (see [`maintenance::purge_ended_sessions`]) and the sign-in
    /// limits' old entries ([`maintenance::sweep_sign_in_limits`]).
    pub async fn run(self) -> std::io::Result<()> {
        let sweepers = [
            tokio::spawn(maintenance::purge_ended_sessions(self.store.clone())),
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

/// The route table: every URL the app answers, with its methods. Any other method on a
/// known path is a 405 that says which are allowed ([`allow`]); under `/api` an unknown path
/// is a JSON 404 like every API error.
fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/")
            .get(home::index)
            .default_service(allow("GET, HEAD")),
    )
    .service(
        web::resource("/healthz")
            .get(health::healthz)
            .default_service(allow("GET, HEAD")),
    )
    .service(
        web::resource("/readyz")
            .get(health::readyz)
            .default_service(allow("GET, HEAD")),
    )
    .service(
        web::resource("/static/{file}")
            .get(assets::serve)
            .default_service(allow("GET, HEAD")),
    )
    // Signing up, in and out.
    .service(
        web::resource("/signup")
            .get(signup::get)
            .post(signup::post)
            .default_service(allow("GET, HEAD, POST")),
    )
    .service(
        web::resource("/login")
            .get(login::get)
            .post(login::post)
            .default_service(allow("GET, HEAD, POST")),
    )
    .service(
        web::resource("/logout")
            .post(logout::post)
            .default_service(allow("POST")),
    )
    // The dashboard and its tasks.
    .service(
        web::resource("/tasks")
            .get(list::index)
            .post(create::create)
            .default_service(allow("GET, HEAD, POST")),
    )
    .service(
        web::resource("/tasks/new")
            .get(create::new)
            .default_service(allow("GET, HEAD")),
    )
    .service(
        web::resource("/tasks/events")
            .get(events::stream)
            .default_service(allow("GET, HEAD")),
    )
    .service(
        web::resource("/tasks/bulk")
            .post(actions::bulk)
            .default_service(allow("POST")),
    )
    .service(
        web::resource("/tasks/{id}")
            .get(edit::show)
            .post(edit::update)
            .default_service(allow("GET, HEAD, POST")),
    )
    .service(
        web::resource("/tasks/{id}/edit")
            .get(edit::edit)
            .default_service(allow("GET, HEAD")),
    )
    .service(
        web::resource("/tasks/{id}/toggle")
            .post(actions::toggle)
            .default_service(allow("POST")),
    )
    .service(
        web::resource("/tasks/{id}/delete")
            .get(actions::confirm_delete)
            .post(actions::delete)
            .default_service(allow("GET, HEAD, POST")),
    )
    // The account: time zone, sessions and password.
    .service(
        web::resource("/account")
            .get(account::page::show)
            .default_service(allow("GET, HEAD")),
    )
    .service(
        web::resource("/account/time-zone")
            .post(account::time_zone::set)
            .default_service(allow("POST")),
    )
    .service(
        web::resource("/account/password")
            .post(account::password::change_password)
            .default_service(allow("POST")),
    )
    .service(
        web::resource("/account/sessions/others/revoke")
            .post(account::sessions::revoke_others)
            .default_service(allow("POST")),
    )
    .service(
        web::resource("/account/sessions/{handle}/revoke")
            .post(account::sessions::revoke)
            .default_service(allow("POST")),
    )
    // The JSON API.
    .service(
        web::scope("/api")
            .service(
                web::resource("/openapi.json")
                    .get(api::openapi::document)
                    .default_service(allow("GET, HEAD")),
            )
            .service(
                web::resource("/auth/token")
                    .post(api::auth::create)
                    .delete(api::auth::revoke)
                    .default_service(allow("POST, DELETE")),
            )
            .service(
                web::resource("/tasks")
                    .get(api::tasks::list::list)
                    .post(api::tasks::create::create)
                    .default_service(allow("GET, HEAD, POST")),
            )
            .service(
                web::resource("/tasks/{id}")
                    .get(api::tasks::item::get)
                    .put(api::tasks::item::put)
                    .patch(api::tasks::item::patch)
                    .delete(api::tasks::item::delete)
                    .default_service(allow("GET, HEAD, PUT, PATCH, DELETE")),
            )
            .service(
                web::resource("/tasks/{id}/complete")
                    .patch(api::tasks::item::complete)
                    .default_service(allow("PATCH")),
            )
            .service(
                web::resource("/me")
                    .get(api::me::get)
                    .patch(api::me::patch)
                    .default_service(allow("GET, HEAD, PATCH")),
            )
            .service(
                web::resource("/stats")
                    .get(api::me::stats)
                    .default_service(allow("GET, HEAD")),
            )
            .default_service(web::to(not_found)),
    );
}

/// A resource's answer to any other method: 405 with `Allow: {methods}`. HEAD is listed
/// wherever GET is, and served by the GET route (see [`middleware::head_as_get`]).
fn allow(methods: &'static str) -> actix_web::Route {
    web::to(move || async move {
        Err::<actix_web::HttpResponse, AppError>(AppError::MethodNotAllowed(methods))
    })
}

/// A query string the handler's parameters cannot be read from: 400, naming a parameter
/// given twice (the one mistake a query of known names can make beyond a bad value, which
/// the views check themselves).
fn query_error(error: QueryPayloadError, _: &actix_web::HttpRequest) -> actix_web::Error {
    let text = error.to_string();
    let repeated = text
        .split("duplicate field `")
        .nth(1)
        .and_then(|rest| rest.split('`').next());
    let message = match repeated {
        Some(name) => {
            format!("The query parameter `{name}` is given more than once; give it once.")
        }
        None => "The query string could not be read.".to_owned(),
    };
    AppError::BadRequest(message).into()
}

async fn not_found() -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::NotFound)
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
