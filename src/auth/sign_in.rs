//! Checking an email and password, with brute-force limits (SPEC section 6).
//!
//! One path for the sign-in form, `POST /api/auth/token` and the password change, so all
//! three answer alike and share the limits:
//!
//! - **Per account:** at most [`ACCOUNT_LIMIT`] failed attempts a minute. A success forgives
//!   the failures before it. Unknown emails are limited exactly like known ones, so the limit
//!   reveals nothing about which accounts exist.
//! - **Per client address:** at most [`CLIENT_LIMIT`] attempts a minute, generous enough for
//!   an office behind one address, tight enough to stop one machine spraying passwords over
//!   many accounts. The address is the socket's peer unless a trusted proxy is configured
//!   (`AppState::client_ip`).
//! - **Known devices:** an attacker who keeps failing against an account would keep its owner
//!   out too. So a browser that has signed in to the account before carries a device cookie
//!   (`web::session::device_cookie`, after OWASP's "device cookies"), and its attempts count against a
//!   limit of their own, [`ACCOUNT_LIMIT`] for that device and account, not the account's.
//!   The owner's own browser is never locked out by someone else's guessing.
//!
//! Limits are rows in the database (`sign_in_attempts`), so they hold across every app
//! instance sharing it. Scopes are stored as keyed hashes, never as emails or addresses.
//! In front of them, each instance keeps the per-address limit in memory too
//! ([`super::gate`]), so a flood from one address is refused without touching the database.

use std::net::IpAddr;

use chrono::{DateTime, Utc};

use super::{
    gate::{ClientBlock, Gate},
    password,
};
use crate::{
    domain::user::Email,
    error::AppError,
    meter::SignIn,
    secrets::MacKey,
    store::{AttemptLimit, Credentials, Store},
};

/// Failed attempts allowed per account (or per known device and account) in a window.
pub const ACCOUNT_LIMIT: i64 = 5;
/// Attempts allowed per client address in a window.
pub const CLIENT_LIMIT: i64 = 60;
/// The window every limit counts over.
pub const WINDOW_MS: i64 = 60_000;
/// How long a device cookie is honoured after it was issued, on the server's clock.
pub const DEVICE_DAYS: i64 = 180;

/// What a sign-in attempt came to.
#[derive(Debug)]
pub enum Outcome {
    /// The password is right: this user.
    SignedIn {
        user_id: i64,
        /// The account's credential epoch the password was checked at: the session it
        /// starts is recorded only if the account is still at it.
        epoch: i64,
    },
    /// Unknown email or wrong password (indistinguishable by design).
    Rejected,
    /// Too many attempts: try again in this many seconds.
    Limited { retry_after_secs: u64 },
    /// Every password-hashing slot is taken (see [`password::Hashing`]): try again in a
    /// moment. The attempt counted against the limits; nothing was hashed.
    Busy,
}

/// One attempt to prove who you are.
pub struct Attempt<'a> {
    /// As typed: an unparseable email is an unknown one.
    pub email: &'a str,
    pub password: String,
    pub client: Option<IpAddr>,
    /// What the browser's device cookie says (decrypted), if it sent a valid one.
    pub device: Option<String>,
    /// Where checking the password gets its hashing slot.
    pub hashing: password::Hashing,
    /// The in-memory allowance per client, checked before anything else.
    pub gate: Gate,
    /// What time it is (a device cookie's age is measured against it).
    pub now: DateTime<Utc>,
}

/// Checks the attempt against the limits, then the password. The limits are checked first,
/// so a limited attempt costs no hashing: the client's in-memory [`Gate`] (no database work
/// at all), then the database limits (no write for an attempt they refuse).
pub async fn check(store: &Store, key: &MacKey, attempt: Attempt<'_>) -> Result<Outcome, AppError> {
    let outcome = decide(store, key, attempt).await?;
    crate::meter::sign_in(match outcome {
        Outcome::SignedIn { .. } => SignIn::Success,
        Outcome::Rejected => SignIn::WrongPassword,
        Outcome::Limited { .. } => SignIn::Limited,
        Outcome::Busy => SignIn::Busy,
    });
    Ok(outcome)
}

async fn decide(store: &Store, key: &MacKey, attempt: Attempt<'_>) -> Result<Outcome, AppError> {
    // A flood is turned away here, before it costs the database anything.
    // (Counted, and logged once a minute by the gate: not a log line per attempt.)
    if let Err(retry_after) = attempt.gate.admit(attempt.client) {
        let retry_after_secs = Gate::refuse(retry_after).await;
        return Ok(Outcome::Limited { retry_after_secs });
    }
    let email = Email::lookup(attempt.email);
    let credentials = match &email {
        Some(email) => store.find_credentials(email.as_str()).await?,
        None => None,
    };
    let device = match (&credentials, attempt.device.as_deref()) {
        (Some(c), Some(claim)) => known_device(claim, c, attempt.now),
        _ => None,
    };
    let known_device = device.is_some();
    let account_scope = match (&credentials, device) {
        // Each device has an allowance of its own: one stolen laptop's guessing does not
        // lock the owner's phone.
        (Some(c), Some(device)) => key.tag(&["device", &c.id.to_string(), device]),
        _ => {
            let account = email
                .as_ref()
                .map(|e| e.as_str().to_owned())
                .unwrap_or_else(|| attempt.email.trim().to_lowercase());
            key.tag(&["account", &account])
        }
    };
    let client_scope = client_scope(key, "client", attempt.client);
    let limits = [
        AttemptLimit {
            scope: &account_scope,
            max: ACCOUNT_LIMIT,
        },
        AttemptLimit {
            scope: &client_scope,
            max: CLIENT_LIMIT,
        },
    ];
    if let Some(retry_after_secs) = admit(store, &limits).await? {
        tracing::warn!(known_device, "sign-in attempt refused: too many attempts");
        return Ok(Outcome::Limited { retry_after_secs });
    }
    let epoch = credentials.as_ref().map_or(0, |c| c.credential_epoch);
    let (user_id, old_hash) = credentials.map(|c| (c.id, c.password_hash)).unzip();
    let Ok(permit) = attempt.hashing.permit() else {
        tracing::warn!("sign-in attempt refused: every hashing slot is taken");
        return Ok(Outcome::Busy);
    };
    let verified = password::verify(permit, attempt.password, old_hash.clone()).await?;
    let (Some(user_id), Some(old_hash)) = (user_id.filter(|_| verified.ok), old_hash) else {
        return Ok(Outcome::Rejected);
    };
    store.clear_sign_in_attempts(&account_scope).await?;
    if let Some(hash) = verified.rehashed {
        // Only over the hash just checked: a password change made while this sign-in was
        // hashing wins, and the password it set stays the account's.
        if store
            .rehash_password(user_id, &old_hash, &hash, Utc::now())
            .await?
        {
            tracing::info!(user_id, "password re-hashed with current parameters");
        }
    }
    Ok(Outcome::SignedIn { user_id, epoch })
}

/// Sign-ups cost a password hash and an account row each, so they are limited per client
/// address ([`CLIENT_LIMIT`] a minute, counted apart from sign-ins) and in all (`budget` a
/// minute from every address together, on every instance: many addresses cannot fill the
/// database either). The client's in-memory `gate` is asked first. `None` when admitted,
/// else the seconds to wait.
pub async fn admit_sign_up(
    store: &Store,
    key: &MacKey,
    gate: &Gate,
    client: Option<IpAddr>,
    budget: i64,
) -> Result<Option<u64>, AppError> {
    if let Err(secs) = gate.admit(client) {
        return Ok(Some(Gate::refuse(secs).await));
    }
    let scope = client_scope(key, "sign-up client", client);
    let everyone = key.tag(&["sign-up", "everyone"]);
    admit(
        store,
        &[
            AttemptLimit {
                scope: &scope,
                max: CLIENT_LIMIT,
            },
            AttemptLimit {
                scope: &everyone,
                max: budget,
            },
        ],
    )
    .await
}

/// The keyed scope of a client address (or of "unknown" when the socket has none).
fn client_scope(key: &MacKey, label: &str, client: Option<IpAddr>) -> String {
    key.tag(&[label, &ClientBlock::of(client).to_string()])
}

/// Records an attempt against `limits`: `None` when admitted, else whole seconds to wait.
async fn admit(store: &Store, limits: &[AttemptLimit<'_>]) -> Result<Option<u64>, AppError> {
    let now_ms = Utc::now().timestamp_millis();
    let wait_ms = store
        .record_sign_in_attempt(limits, now_ms, WINDOW_MS)
        .await?;
    Ok(wait_ms.map(|ms| (ms.max(0) as u64).div_ceil(1000).max(1)))
}

/// What a new device cookie for an account says, before the web layer encrypts it:
/// `<user id>.<device>.<issued>.<epoch>`. `device` is random (every browser its own),
/// `issued` the Unix time it was made, `epoch` the account's credential epoch. The cookie
/// is encrypted and authenticated (so it shows no user id and cannot be forged); it grants
/// nothing by itself, only moving that browser's attempts at this account to a limit of
/// their own.
pub fn device_claim(user_id: i64, epoch: i64, now: DateTime<Utc>) -> String {
    let device = crate::secrets::random_token(16);
    format!("{user_id}.{device}.{}.{epoch}", now.timestamp())
}

/// The account a device claim was made for, whatever its age or epoch (only to say whose
/// a piece of typed work is, see `web::tasks::draft`; never to sign anyone in).
pub fn device_owner(claim: &str) -> Option<i64> {
    claim.split('.').next()?.parse().ok()
}

/// The device a (decrypted) claim names, if it was made for this account at its current
/// credential epoch (no password change or "sign out everywhere" since) and is under
/// [`DEVICE_DAYS`] old.
fn known_device<'c>(claim: &'c str, account: &Credentials, now: DateTime<Utc>) -> Option<&'c str> {
    let mut parts = claim.split('.');
    let (user_id, device, issued, epoch) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || user_id.parse::<i64>().ok()? != account.id
        || epoch.parse::<i64>().ok()? != account.credential_epoch
    {
        return None;
    }
    let age = now.timestamp() - issued.parse::<i64>().ok()?;
    // A few minutes of clock skew between instances is forgiven; a claim from further in
    // the future, or past its days, is not.
    (-300..DEVICE_DAYS * 24 * 60 * 60)
        .contains(&age)
        .then_some(device)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_claim_holds_for_its_account_epoch_and_days_only() {
        let now = Utc::now();
        let account = Credentials {
            id: 7,
            password_hash: String::new(),
            credential_epoch: 3,
        };
        let claim = device_claim(7, 3, now);
        let device = known_device(&claim, &account, now).expect("a fresh claim");
        assert_eq!(device.len(), 22, "16 random bytes");
        assert_ne!(
            device_claim(7, 3, now),
            claim,
            "every browser its own device"
        );
        assert_eq!(device_owner(&claim), Some(7));
        let later = |days| now + chrono::Duration::days(days);
        assert!(known_device(&claim, &account, later(DEVICE_DAYS - 1)).is_some());
        assert!(
            known_device(&claim, &account, later(DEVICE_DAYS)).is_none(),
            "expired"
        );
        let moved = Credentials {
            credential_epoch: 4,
            ..account.clone()
        };
        assert!(
            known_device(&claim, &moved, now).is_none(),
            "the epoch moved"
        );
        let other = Credentials {
            id: 8,
            ..account.clone()
        };
        assert!(
            known_device(&claim, &other, now).is_none(),
            "another account"
        );
        assert!(known_device(&format!("{claim}.x"), &account, now).is_none());
        assert!(known_device("7", &account, now).is_none());
    }
}
