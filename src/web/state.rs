//! What every handler shares: the store, the signing keys and a few settings, built once by
//! [`crate::startup`] and handed to handlers as `web::Data<AppState>`.

use std::{
    net::IpAddr,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};

use actix_web::{HttpRequest, cookie::Key, web};
use chrono::Duration;

use crate::{
    auth::{gate::Gates, jwt::JwtKeys, password::Hashing},
    clock::Clock,
    error::AppError,
    secrets::MacKey,
    store::Store,
};

pub struct AppState {
    pub store: Store,
    pub jwt: JwtKeys,
    pub cookie_secure: bool,
    pub session_ttl: Duration,
    /// `scheme://host[:port]` users see, when configured (else each request's own origin).
    pub public_origin: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` names the client (see [`AppState::client_ip`]).
    pub trusted_proxies: Vec<IpAddr>,
    /// Keys sign-in throttling scopes and device cookies; derived from `JWT_SECRET`.
    pub mac_key: MacKey,
    /// What time it is for calendar questions (see [`crate::clock`]).
    pub clock: Clock,
    /// The password-hashing slots (see [`Hashing`]).
    pub hashing: Hashing,
    /// The in-memory per-address limits in front of the database's (see [`Gates`]).
    pub gates: Gates,
    /// Sign-ups allowed a minute from all addresses together.
    pub sign_ups_per_minute: i64,
    /// Whether `/readyz` says to send traffic here (see [`Readiness`]).
    pub readiness: Readiness,
}

impl AppState {
    /// `__Host-` cookies must be Secure, have Path=/ and no Domain: browsers then refuse to let
    /// a sibling subdomain plant or overwrite them. Plain-HTTP development cannot use the prefix.
    pub fn auth_cookie_name(&self) -> &'static str {
        if self.cookie_secure {
            "__Host-auth"
        } else {
            "auth"
        }
    }

    /// The key that encrypts and authenticates the private cookie named `purpose` (the
    /// cookie crate's private jar: AES-256-GCM), derived from the one secret.
    pub fn cookie_key(&self, purpose: &str) -> Option<Key> {
        let mut bytes = hex::decode(self.mac_key.tag(&[purpose, "encryption"])).ok()?;
        bytes.extend(hex::decode(self.mac_key.tag(&[purpose, "signing"])).ok()?);
        Key::try_from(bytes.as_slice()).ok()
    }

    /// The client's address: the socket's peer, unless that peer is a trusted proxy, in which
    /// case the right-most `X-Forwarded-For` entry that is not itself a trusted proxy (entries
    /// further left were written by the client and prove nothing).
    pub fn client_ip(&self, req: &HttpRequest) -> Option<IpAddr> {
        let peer = req.peer_addr()?.ip();
        if !self.trusted_proxies.contains(&peer) {
            return Some(peer);
        }
        let forwarded = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect::<Vec<_>>();
        for hop in forwarded.iter().rev() {
            match hop.parse::<IpAddr>() {
                Ok(ip) if self.trusted_proxies.contains(&ip) => continue,
                Ok(ip) => return Some(ip),
                // A hop we cannot read: stop believing the chain here.
                Err(_) => return Some(peer),
            }
        }
        Some(peer)
    }

    pub fn from_request_ref(req: &HttpRequest) -> Result<web::Data<AppState>, AppError> {
        req.app_data::<web::Data<AppState>>()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("AppState is not registered")))
    }
}

/// Whether this instance should get traffic, beyond its database answering: its schema has
/// been seen at (or ahead of) this binary's version, and it is not draining. Shared by the
/// app's workers and [`crate::startup`], which drains on SIGTERM; `/readyz` reads it.
#[derive(Debug, Clone, Default)]
pub struct Readiness(Arc<Flags>);

#[derive(Debug, Default)]
struct Flags {
    schema_seen: AtomicBool,
    draining: AtomicBool,
}

impl Readiness {
    /// The schema was seen at a version this binary serves. Once is enough: migrations are
    /// not undone under a running instance.
    pub fn see_schema(&self) {
        self.0.schema_seen.store(true, Ordering::Relaxed);
    }

    pub fn schema_seen(&self) -> bool {
        self.0.schema_seen.load(Ordering::Relaxed)
    }

    /// From now on `/readyz` answers 503: this instance is about to stop.
    pub fn drain(&self) {
        self.0.draining.store(true, Ordering::Relaxed);
    }

    pub fn draining(&self) -> bool {
        self.0.draining.load(Ordering::Relaxed)
    }
}
