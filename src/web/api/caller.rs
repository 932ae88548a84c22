//! Who is calling the API: [`ApiUser`], from a bearer token, or for reads the browser's
//! cookie.

use std::{future::Future, pin::Pin};

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, http::header};

use crate::{
    error::AppError,
    web::{
        session::{CurrentUser, UserId, authenticate},
        state::AppState,
    },
};

/// The caller of an API route: a bearer token, or for `GET` the browser's cookie.
pub struct ApiUser(pub CurrentUser);

impl FromRequest for ApiUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let cookie = CurrentUser::from_request(&req, payload);
        Box::pin(async move {
            let bearer = req
                .headers()
                .get(header::AUTHORIZATION)
                .map(|v| bearer_token(v.to_str().unwrap_or_default()));
            let user = match bearer {
                Some(Some(token)) => {
                    let state = AppState::from_request_ref(&req)?;
                    authenticate(&state, &token).await?
                }
                // An Authorization header that is not a bearer token never falls back to the
                // cookie, and writes never accept the cookie at all.
                Some(None) => return Err(AppError::SignedOut),
                None if req.method().is_safe() => cookie.await?,
                None => return Err(AppError::SignedOut),
            };
            req.extensions_mut().insert(UserId(user.id));
            Ok(ApiUser(user))
        })
    }
}

/// The token of an `Authorization: Bearer <token>` value (public for the fuzz tests).
#[doc(hidden)]
pub fn bearer_token(value: &str) -> Option<String> {
    let (scheme, token) = value.trim().split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty())
        .then(|| token.trim().to_owned())
}
