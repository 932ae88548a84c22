//! What every handler shares: the store, the signing keys and a few settings.

use std::net::IpAddr;

use actix_web::{HttpRequest, web};
use chrono::Duration;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::{auth::jwt::JwtKeys, config::Secret, error::AppError, store::DynStore};

pub struct AppState {
    pub store: DynStore,
    pub jwt: JwtKeys,
    pub cookie_secure: bool,
    pub session_ttl: Duration,
    /// `scheme://host[:port]` users see, when configured (else each request's own origin).
    pub public_origin: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` names the client (see [`AppState::client_ip`]).
    pub trusted_proxies: Vec<IpAddr>,
    /// Keys sign-in throttling scopes and device cookies; derived from `JWT_SECRET`.
    pub mac_key: MacKey,
}

/// A key for keyed hashes (HMAC-SHA256), derived from the one configured secret under a label
/// of its own, so it is never the JWT key itself. Holds the keyed MAC state, so a request
/// only clones it: nothing on the request path can fail.
#[derive(Clone)]
pub struct MacKey(Hmac<Sha256>);

impl MacKey {
    /// At start-up only.
    pub fn derive(secret: &Secret, label: &str) -> Self {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.expose().as_bytes())
            .expect("HMAC accepts keys of any length");
        mac.update(label.as_bytes());
        let key = mac.finalize().into_bytes();
        Self(<Hmac<Sha256> as Mac>::new_from_slice(&key).expect("HMAC accepts keys of any length"))
    }

    /// HMAC-SHA256 of `parts` (each length-prefixed, so no two lists collide), hex-encoded.
    pub fn tag(&self, parts: &[&str]) -> String {
        let mut mac = self.0.clone();
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        hex::encode(mac.finalize().into_bytes())
    }
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
