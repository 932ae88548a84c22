//! Metrics: the counters, gauges and histograms an operator graphs and alerts on, served in
//! Prometheus's text format on a listener of their own (`METRICS_ADDR`), never the public
//! one.
//!
//! Things are recorded where they happen, through the `metrics` facade: a request in
//! [`crate::web::middleware`], a sign-in's outcome in [`crate::auth::sign_in`], sessions in
//! [`crate::store::sessions`], a live stream in [`crate::web::tasks::events`], a timed-out
//! wait or statement in [`crate::error`]. Until [`install`] runs (no `METRICS_ADDR`) the
//! facade has no recorder, every macro is a no-op, and a request does not even build its
//! labels ([`enabled`]). The pool's gauges and the process's CPU and memory are read when
//! Prometheus asks ([`render`]).
//!
//! One recorder serves the whole process: the integration tests start many apps in one,
//! and they share it. This module imports nothing of the app's, so anything may record.

use std::{sync::OnceLock, time::Duration};

use actix_web::http::Method;
use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Upper bounds of the latency buckets, in seconds: a fragment takes about a millisecond, a
/// sign-in (argon2) a few hundred, and anything past ten is an outage.
const LATENCY_BUCKETS: [f64; 14] = [
    0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// How often recorded histogram samples are folded into their buckets when nobody scrapes
/// (they wait in a queue until then).
pub const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// A pool's connections at one moment, as [`crate::store::Store::pool_stats`] reads them.
#[derive(Debug, Clone, Copy)]
pub struct PoolStats {
    pub idle: u32,
    pub in_use: u32,
    pub max: u32,
}

struct Meter {
    prometheus: PrometheusHandle,
    process: metrics_process::Collector,
}

static METER: OnceLock<Option<Meter>> = OnceLock::new();

/// Installs the process's recorder (once; later calls find it). `false` when another
/// recorder was installed first, outside this module: then nothing is kept here.
pub fn install() -> bool {
    METER
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &LATENCY_BUCKETS)
                .ok()?
                .build_recorder();
            let prometheus = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("metrics: another recorder is installed; /metrics stays empty");
                return None;
            }
            let process = metrics_process::Collector::default();
            process.describe();
            describe();
            Some(Meter {
                prometheus,
                process,
            })
        })
        .is_some()
}

/// Whether metrics are kept: some app in this process was started with `METRICS_ADDR`.
pub fn enabled() -> bool {
    matches!(METER.get(), Some(Some(_)))
}

/// The exposition: everything recorded so far, with the pool's and the process's gauges
/// read now.
pub fn render(pool: PoolStats) -> String {
    let Some(Some(meter)) = METER.get() else {
        return String::new();
    };
    gauge!("db_pool_connections", "state" => "idle").set(pool.idle as f64);
    gauge!("db_pool_connections", "state" => "in_use").set(pool.in_use as f64);
    gauge!("db_pool_max_connections").set(f64::from(pool.max));
    meter.process.collect();
    meter.prometheus.render()
}

/// Folds waiting histogram samples into their buckets; [`crate::startup`] runs it every
/// [`UPKEEP_EVERY`] so an unscraped instance does not queue them without bound.
pub async fn upkeep_forever() {
    let mut every = tokio::time::interval(UPKEEP_EVERY);
    loop {
        every.tick().await;
        if let Some(Some(meter)) = METER.get() {
            meter.prometheus.run_upkeep();
        }
    }
}

/// Which metrics exist, with their help text, and the counters an alert watches set to
/// zero so that they are there before their first event.
fn describe() {
    describe_counter!(
        "http_requests_total",
        "Requests answered, by method, route pattern and status."
    );
    describe_histogram!(
        "http_request_duration_seconds",
        metrics::Unit::Seconds,
        "Time from a request's arrival to its answer's head, by route pattern."
    );
    describe_gauge!(
        "db_pool_connections",
        "Database connections this instance holds, idle or in use."
    );
    describe_gauge!(
        "db_pool_max_connections",
        "The most database connections this instance may hold."
    );
    describe_histogram!(
        "db_pool_acquire_wait_seconds",
        metrics::Unit::Seconds,
        "How long a statement waited for a database connection."
    );
    describe_counter!(
        "db_pool_acquire_timeouts_total",
        "Requests that found no free database connection in time (answered 503)."
    );
    describe_counter!(
        "db_statement_timeouts_total",
        "Statements PostgreSQL cancelled at DB_STATEMENT_TIMEOUT_MS (answered 503)."
    );
    describe_counter!(
        "sign_ins_total",
        "Sign-in attempts by outcome: success, wrong_password, limited, busy."
    );
    describe_counter!("sessions_created_total", "Sign-ins recorded as sessions.");
    describe_counter!(
        "sessions_revoked_total",
        "Sessions ended before their time: sign-outs, revocations, password changes."
    );
    describe_gauge!(
        "live_streams_open",
        "Live-update streams open on this instance."
    );
    counter!("db_pool_acquire_timeouts_total").absolute(0);
    counter!("db_statement_timeouts_total").absolute(0);
    counter!("sessions_created_total").absolute(0);
    counter!("sessions_revoked_total").absolute(0);
    gauge!("live_streams_open").set(0.0);
    for outcome in SignIn::ALL {
        counter!("sign_ins_total", "outcome" => outcome.label()).absolute(0);
    }
}

/// One answered request. The route is the pattern it matched (`/tasks/{id}`), never the raw
/// path, and methods outside the usual few count as `other`: no label takes values a client
/// can invent.
pub fn request(method: &Method, route: Option<String>, status: u16, took: Duration) {
    let method = match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    };
    let route = route.unwrap_or_else(|| "unmatched".to_owned());
    histogram!("http_request_duration_seconds", "route" => route.clone())
        .record(took.as_secs_f64());
    counter!(
        "http_requests_total",
        "method" => method,
        "route" => route,
        "status" => status.to_string()
    )
    .increment(1);
}

/// How a sign-in attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignIn {
    Success,
    /// A wrong password, or an address with no account: the same answer to the client.
    WrongPassword,
    /// Refused by a limit before the password was checked.
    Limited,
    /// Every hashing slot was taken.
    Busy,
}

impl SignIn {
    const ALL: [SignIn; 4] = [
        SignIn::Success,
        SignIn::WrongPassword,
        SignIn::Limited,
        SignIn::Busy,
    ];

    fn label(self) -> &'static str {
        match self {
            SignIn::Success => "success",
            SignIn::WrongPassword => "wrong_password",
            SignIn::Limited => "limited",
            SignIn::Busy => "busy",
        }
    }
}

pub fn sign_in(outcome: SignIn) {
    counter!("sign_ins_total", "outcome" => outcome.label()).increment(1);
}

pub fn sessions_created(n: u64) {
    counter!("sessions_created_total").increment(n);
}

pub fn sessions_revoked(n: u64) {
    counter!("sessions_revoked_total").increment(n);
}

pub fn acquire_timed_out() {
    counter!("db_pool_acquire_timeouts_total").increment(1);
}

pub fn statement_timed_out() {
    counter!("db_statement_timeouts_total").increment(1);
}

/// Counts a live stream as open until it is dropped.
pub struct OpenStream(());

impl OpenStream {
    pub fn open() -> Self {
        gauge!("live_streams_open").increment(1.0);
        Self(())
    }
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        gauge!("live_streams_open").decrement(1.0);
    }
}

/// The tracing layer that turns sqlx's per-acquire events (see `acquire_time_level` in
/// `store::postgres` and `store::sqlite`) into `db_pool_acquire_wait_seconds`: sqlx measures
/// the wait and reports it only this way. [`crate::telemetry`] installs it with a filter of
/// its own, so the events reach it and never the log.
pub struct AcquireWaits;

/// The target sqlx reports acquires under.
pub const ACQUIRE_TARGET: &str = "sqlx::pool::acquire";

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for AcquireWaits {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() != ACQUIRE_TARGET || !enabled() {
            return;
        }
        struct Wait(Option<f64>);
        impl tracing::field::Visit for Wait {
            fn record_f64(&mut self, field: &tracing::field::Field, value: f64) {
                if field.name() == "acquired_after_secs" {
                    self.0 = Some(value);
                }
            }
            fn record_debug(&mut self, _: &tracing::field::Field, _: &dyn std::fmt::Debug) {}
        }
        let mut wait = Wait(None);
        event.record(&mut wait);
        if let Some(secs) = wait.0 {
            histogram!("db_pool_acquire_wait_seconds").record(secs);
        }
    }
}
