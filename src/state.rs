//! What every handler shares: the store, the signing keys and a few settings.

use actix_web::{HttpRequest, web};
use chrono::Duration;

use crate::{auth::jwt::JwtKeys, error::AppError, store::DynStore};

pub struct AppState {
    pub store: DynStore,
    pub jwt: JwtKeys,
    pub cookie_secure: bool,
    pub session_ttl: Duration,
    /// `scheme://host[:port]` users see, when configured (else each request's own origin).
    pub public_origin: Option<String>,
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

    pub fn from_request_ref(req: &HttpRequest) -> Result<web::Data<AppState>, AppError> {
        req.app_data::<web::Data<AppState>>()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("AppState is not registered")))
    }
}
