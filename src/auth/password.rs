//! Password hashing with argon2id, off the async threads.
//!
//! Parameters follow OWASP's recommendation for argon2id (19 MiB, 2 passes, 1 lane) and are
//! stored in each PHC string, so raising them later does not break existing hashes: a hash
//! made with other parameters still verifies, and is replaced on the next sign-in
//! ([`Verified::rehashed`]).

use std::sync::{Arc, LazyLock};

use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version,
    password_hash::{SaltString, rand_core::OsRng},
};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::AppError;

/// How many argon2 computations may run at once. Each holds 19 MiB and a core for tens of
/// milliseconds on the blocking pool; uncapped, a flood of sign-ins would queue hundreds of
/// them (the pool grows to 512 threads: gigabytes). When every slot is taken the caller is
/// turned away at once (`AppError::Busy`: 503, `Retry-After: 1`), never queued.
#[derive(Clone)]
pub struct Hashing(Arc<Semaphore>);

impl Hashing {
    pub fn new(at_once: usize) -> Self {
        Self(Arc::new(Semaphore::new(at_once)))
    }

    /// The default: twice the cores, enough to keep them busy and no more.
    pub fn default_slots() -> usize {
        2 * std::thread::available_parallelism().map_or(1, |n| n.get())
    }

    /// A slot now, or `AppError::Busy` when none is free.
    pub fn permit(&self) -> Result<HashPermit, AppError> {
        self.0
            .clone()
            .try_acquire_owned()
            .map(HashPermit)
            .map_err(|_| AppError::Busy)
    }
}

/// The right to run one argon2 computation (see [`Hashing`]), given back when it is done.
pub struct HashPermit(#[allow(dead_code)] OwnedSemaphorePermit);

/// The parameters new hashes are made with.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;

fn hasher() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// True when `hash` was made with another algorithm, version or parameters than new hashes
/// are, so it should be replaced once the password is known.
fn is_outdated(hash: &PasswordHash<'_>) -> bool {
    let current = hash.algorithm == Algorithm::Argon2id.ident()
        && hash.version == Some(Version::V0x13.into())
        && Params::try_from(hash)
            .is_ok_and(|p| p.m_cost() == MEMORY_KIB && p.t_cost() == PASSES && p.p_cost() == LANES);
    !current
}

/// A hash of a random password, verified against when the email is unknown, so that an
/// unknown email costs the same time as a wrong password.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_blocking(&crate::secrets::random_token(24)).unwrap_or_default());

fn hash_blocking(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(hasher()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

fn verify_blocking(password: &str, hash: &str) -> Verified {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return Verified::default();
    };
    // `verify_password` reads the algorithm and parameters from the hash itself.
    if hasher()
        .verify_password(password.as_bytes(), &parsed)
        .is_err()
    {
        return Verified::default();
    }
    let rehashed = if is_outdated(&parsed) {
        hash_blocking(password).ok()
    } else {
        None
    };
    Verified { ok: true, rehashed }
}

/// The outcome of checking a password.
#[derive(Debug, Default)]
pub struct Verified {
    pub ok: bool,
    /// A new hash of the password with today's parameters, when the stored one was made with
    /// older ones: the caller stores it.
    pub rehashed: Option<String>,
}

/// Computes the dummy hash now rather than on the first sign-in with an unknown email.
pub async fn warm_up() {
    let _ = tokio::task::spawn_blocking(|| LazyLock::force(&DUMMY_HASH)).await;
}

/// A new hash of `password`, computed under `permit` (held until it is done).
pub async fn hash(permit: HashPermit, password: String) -> anyhow::Result<String> {
    Ok(tokio::task::spawn_blocking(move || {
        let _permit = permit;
        hash_blocking(&password)
    })
    .await??)
}

/// Checks `password` against `hash`, or against a dummy hash when there is no account, so the
/// two failures take the same time.
pub async fn verify(
    permit: HashPermit,
    password: String,
    hash: Option<String>,
) -> anyhow::Result<Verified> {
    let found = hash.is_some();
    let verified = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let hash = hash.as_deref().unwrap_or(DUMMY_HASH.as_str());
        verify_blocking(&password, hash)
    })
    .await?;
    Ok(if found { verified } else { Verified::default() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot() -> HashPermit {
        Hashing::new(1).permit().unwrap()
    }

    #[test]
    fn a_full_hashing_cap_turns_callers_away_at_once() {
        let hashing = Hashing::new(1);
        let held = hashing.permit().unwrap();
        assert!(matches!(hashing.permit(), Err(AppError::Busy)));
        drop(held);
        assert!(
            hashing.permit().is_ok(),
            "a slot comes back when its work is done"
        );
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_nothing_else() {
        let hash = hash(slot(), "correct horse battery".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        let right = verify(slot(), "correct horse battery".into(), Some(hash.clone()))
            .await
            .unwrap();
        assert!(right.ok);
        assert!(right.rehashed.is_none(), "a current hash is kept");
        assert!(!verify(slot(), "wrong".into(), Some(hash)).await.unwrap().ok);
        assert!(!verify(slot(), "anything".into(), None).await.unwrap().ok);
    }

    #[tokio::test]
    async fn a_hash_with_weaker_parameters_is_replaced_once_the_password_is_known() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8 * 1024, 1, 1, None).unwrap(),
        )
        .hash_password(b"correct horse battery", &SaltString::generate(&mut OsRng))
        .unwrap()
        .to_string();
        let wrong = verify(slot(), "wrong".into(), Some(weak.clone()))
            .await
            .unwrap();
        assert!(
            !wrong.ok && wrong.rehashed.is_none(),
            "never without the password"
        );
        let right = verify(slot(), "correct horse battery".into(), Some(weak))
            .await
            .unwrap();
        assert!(right.ok);
        let new = right.rehashed.expect("re-hashed");
        assert!(new.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{new}");
        assert!(
            verify(slot(), "correct horse battery".into(), Some(new))
                .await
                .unwrap()
                .ok
        );
    }
}
