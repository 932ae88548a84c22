//! `GET /tasks/events`: the signed-in user's live updates, as Server-Sent Events (see
//! [`crate::live`]).
//!
//! Authenticated like every page (cookie and session row). What it sends:
//! - `event: change` with `{"kind": "created" | "updated" | "deleted" | "resync", "ids": [..]}`
//!   (and `"origin"`: the tab that made the change, as it named itself in `X-Tab`; see
//!   [`tag_origin`]) and an `id:`, so that a browser reconnecting says where it was (`Last-Event-ID`) and
//!   is told to resync, since changes sent meanwhile are not kept;
//! - `event: signed-out` when this session ends (signed out, revoked elsewhere, password
//!   changed, expired), then the stream ends;
//! - `event: replaced` when the user opened too many newer streams (then the stream ends, and
//!   the page does not reconnect);
//! - a comment every [`HEARTBEAT`], so proxies keep the connection and a dead peer is
//!   noticed; `retry:` as a reconnection hint, longer when the instance is shutting down.
//!
//! The stream is never compressed (compression would hold events back) and tells proxies not
//! to buffer it. It ends when the instance shuts down ([`crate::live::Hub::close_all`]), so
//! open streams never hold a shutdown up.

use std::{convert::Infallible, time::Duration};

use actix_web::{
    HttpRequest, HttpResponse,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::header::{CacheControl, CacheDirective},
    middleware::Next,
    web,
    web::Bytes,
};
use chrono::Utc;
use futures_util::stream;
use serde::Serialize;
use tokio::time::{Instant, Interval, MissedTickBehavior, interval_at};

use crate::{
    live::{self, Change, ChangeKind, ORIGIN, Subscription},
    meter::OpenStream,
    web::{session::CurrentUser, state::AppState},
};

/// How often an idle stream sends a comment.
pub const HEARTBEAT: Duration = Duration::from_secs(15);
/// How often a stream checks its session even when nothing says it ended (it may expire).
const SESSION_CHECK: Duration = Duration::from_secs(60);
/// How soon a browser reconnects after a stream ends: normally, and after a shutdown (another
/// instance, or this one restarted, will answer).
const RETRY_MS: u32 = 2_000;
const RETRY_AFTER_SHUTDOWN_MS: u32 = 5_000;

pub async fn stream(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
) -> HttpResponse {
    let subscription = state.store.live().subscribe(user.id);
    let reconnected = req.headers().contains_key("last-event-id");
    let events = Events {
        state,
        user,
        subscription,
        heartbeat: every(HEARTBEAT),
        session_check: every(SESSION_CHECK),
        sent: 0,
        phase: Phase::Opening { reconnected },
        _open: OpenStream::open(),
    };
    HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(CacheControl(vec![CacheDirective::NoStore]))
        .insert_header(("X-Accel-Buffering", "no"))
        // Not compressed: `web::compress` passes streamed bodies through as they come.
        .streaming(stream::unfold(events, Events::next))
}

/// Runs the request with the page it came from as the origin of any change it makes: the
/// `X-Tab` header app.js sends with every htmx request, a random name of up to 64 letters,
/// digits and dashes (anything else is ignored). Not a secret and not trusted for anything:
/// it only lets a page skip refreshing for a change it made itself.
pub async fn tag_origin(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let origin = req
        .headers()
        .get("x-tab")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        .map(str::to_owned);
    ORIGIN.scope(origin, next.call(req)).await
}

fn every(period: Duration) -> Interval {
    let mut ticks = interval_at(Instant::now() + period, period);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    ticks
}

struct Events {
    state: web::Data<AppState>,
    user: CurrentUser,
    subscription: Subscription,
    heartbeat: Interval,
    session_check: Interval,
    /// Changes sent so far: each one's `id:`.
    sent: u64,
    phase: Phase,
    /// Counted in `live_streams_open` until the stream is dropped (ended, or its client gone).
    _open: OpenStream,
}

enum Phase {
    Opening { reconnected: bool },
    Open,
    Ended,
}

#[derive(Serialize)]
struct ChangeData<'a> {
    kind: &'static str,
    ids: &'a [i64],
    #[serde(skip_serializing_if = "Option::is_none")]
    origin: Option<&'a str>,
}

impl Events {
    async fn next(mut self) -> Option<(Result<Bytes, Infallible>, Self)> {
        let text = match self.phase {
            Phase::Ended => return None,
            Phase::Opening { reconnected } => {
                self.phase = Phase::Open;
                let mut text = format!("retry: {RETRY_MS}\n\n");
                if reconnected {
                    text.push_str(&self.change(&Change::new(ChangeKind::Resync, Vec::new())));
                }
                text
            }
            Phase::Open => self.wait().await,
        };
        Some((Ok(Bytes::from(text)), self))
    }

    /// The next thing to send: a change, a heartbeat, or the stream's last words.
    async fn wait(&mut self) -> String {
        loop {
            tokio::select! {
                next = self.subscription.next() => match next {
                    live::Next::Change(change) if change.kind == ChangeKind::Sessions => {
                        if let Some(last) = self.check_session().await {
                            return last;
                        }
                    }
                    live::Next::Change(change) => return self.change(&change),
                    live::Next::Replaced => {
                        self.phase = Phase::Ended;
                        return "event: replaced\ndata: {}\n\n".to_owned();
                    }
                    live::Next::ShuttingDown => {
                        self.phase = Phase::Ended;
                        return format!("retry: {RETRY_AFTER_SHUTDOWN_MS}\n\n");
                    }
                },
                _ = self.heartbeat.tick() => return ": heartbeat\n\n".to_owned(),
                _ = self.session_check.tick() => {
                    if let Some(last) = self.check_session().await {
                        return last;
                    }
                }
            }
        }
    }

    /// The stream's last event if its session has ended. A failed check (the database
    /// briefly away) keeps the stream: the next check decides.
    async fn check_session(&mut self) -> Option<String> {
        let live = self
            .state
            .store
            .session_user(&self.user.session_id, self.user.id, Utc::now())
            .await;
        match live {
            Ok(Some(_)) => None,
            Ok(None) => {
                self.phase = Phase::Ended;
                Some("event: signed-out\ndata: {}\n\n".to_owned())
            }
            Err(error) => {
                tracing::warn!(%error, "live updates: session check failed");
                None
            }
        }
    }

    fn change(&mut self, change: &Change) -> String {
        self.sent += 1;
        let data = ChangeData {
            kind: change.kind.as_str(),
            ids: &change.ids,
            origin: change.origin.as_deref(),
        };
        // Serialising two plain fields cannot fail; an empty object is still an event.
        let data = serde_json::to_string(&data).unwrap_or_else(|_| "{}".to_owned());
        format!("id: {}\nevent: change\ndata: {data}\n\n", self.sent)
    }
}
