//! Session tokens: HS256 JWTs that name a user and one of their session rows.
//!
//! The token alone never signs anyone in: the session row it names must also be live (see
//! [`super::CurrentUser`]), so revoking the row ends the token at once on every instance.

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::config::Secret;

/// The claims we issue and require. Any missing one, or one of the wrong type, fails decoding.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The user id, as a decimal string (JWT subjects are strings).
    pub sub: String,
    /// The session row's id.
    pub sid: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
}

impl Claims {
    pub fn user_id(&self) -> Option<i64> {
        self.sub.parse().ok().filter(|id| *id > 0)
    }
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl JwtKeys {
    pub fn new(secret: &Secret) -> Self {
        // Only HS256 is accepted: the algorithm is pinned here, not read from the token, which
        // rules out `alg: none` and HS/RS confusion.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "sub"]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = 5;
        Self {
            encoding: EncodingKey::from_secret(secret.expose().as_bytes()),
            decoding: DecodingKey::from_secret(secret.expose().as_bytes()),
            validation,
        }
    }

    pub fn issue(
        &self,
        user_id: i64,
        session_id: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let claims = Claims {
            sub: user_id.to_string(),
            sid: session_id.to_owned(),
            iat: now.timestamp(),
            nbf: now.timestamp(),
            exp: expires_at.timestamp(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// The claims of a well-signed, current token; `None` for anything else.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|data| data.claims)
    }

    /// The user a well-signed token names, even if it has expired: only to say whose a
    /// piece of typed work is (see `web::tasks::draft`), never to sign anyone in.
    pub fn subject_even_if_expired(&self, token: &str) -> Option<i64> {
        let mut validation = self.validation.clone();
        validation.validate_exp = false;
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .ok()
            .and_then(|data| data.claims.user_id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn keys() -> JwtKeys {
        JwtKeys::new(&Secret::new("0123456789abcdef0123456789abcdef"))
    }

    #[test]
    fn a_token_round_trips_and_names_its_user_and_session() {
        let now = Utc::now();
        let token = keys()
            .issue(7, "sid-1", now, now + Duration::hours(1))
            .unwrap();
        let claims = keys().verify(&token).unwrap();
        assert_eq!(claims.user_id(), Some(7));
        assert_eq!(claims.sid, "sid-1");
    }

    #[test]
    fn an_expired_token_or_one_signed_with_another_key_is_refused() {
        let now = Utc::now();
        let expired = keys()
            .issue(7, "s", now - Duration::hours(2), now - Duration::hours(1))
            .unwrap();
        assert!(keys().verify(&expired).is_none());
        let other = JwtKeys::new(&Secret::new("another-secret-another-secret-xx"));
        let forged = other.issue(7, "s", now, now + Duration::hours(1)).unwrap();
        assert!(keys().verify(&forged).is_none());
    }
}
