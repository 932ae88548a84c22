//! Randomness and keys: random tokens, keys derived from the one configured secret, and
//! the development secret kept on disk.
//!
//! The bottom floor of the house: it imports nothing of the app, so anything above may use
//! it. Callers hand it the secret's bytes; the [`Secret`](crate::config::Secret) type that
//! keeps them out of logs lives with the settings.

use std::{fs, io, path::Path};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use sha2::{Sha256, Sha512};

/// The smallest secret we accept: HS256 wants at least as many bytes as its output.
pub const MIN_SECRET_BYTES: usize = 32;

/// `n` random bytes from the OS, base64url-encoded: session ids, CSRF tokens, secrets.
pub fn random_token(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    // Without the OS random source nothing here can be secure: stop rather than go on.
    getrandom::fill(&mut bytes).expect("the operating system's random number generator failed");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A 64-byte key derived from `root` under `label` (HMAC-SHA512), so that one configured
/// secret yields independent keys for each use and none is the root itself.
pub fn derive_key(root: &[u8], label: &str) -> [u8; 64] {
    let mut mac = hmac_sha512(root);
    mac.update(label.as_bytes());
    mac.finalize().into_bytes().into()
}

/// A key for keyed hashes (HMAC-SHA256), derived from the root secret under a label of its
/// own. Holds the keyed MAC state, so a request only clones it: nothing on the request path
/// can fail.
#[derive(Clone)]
pub struct MacKey(Hmac<Sha256>);

impl MacKey {
    /// HMAC-SHA256(root, label) as the key: the derivation device cookies and sign-in
    /// scopes were made with, so they stay valid.
    pub fn derive(root: &[u8], label: &str) -> Self {
        let mut mac = hmac_sha256(root);
        mac.update(label.as_bytes());
        Self(hmac_sha256(&mac.finalize().into_bytes()))
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

fn hmac_sha256(key: &[u8]) -> Hmac<Sha256> {
    <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC accepts keys of any length")
}

fn hmac_sha512(key: &[u8]) -> Hmac<Sha512> {
    <Hmac<Sha512> as Mac>::new_from_slice(key).expect("HMAC accepts keys of any length")
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("JWT_SECRET is required when APP_ENV=production (at least {MIN_SECRET_BYTES} bytes)")]
    Missing,
    #[error("JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes")]
    TooShort,
    #[error("{0}: {1}")]
    Io(std::path::PathBuf, #[source] io::Error),
}

/// The signing secret: the configured one (checked for length); else, unless in
/// production, the one kept in `data_dir/jwt_secret`, generated and saved (owner-only) on
/// first use so that sign-ins survive a restart.
pub fn load_or_create(
    configured: Option<&str>,
    production: bool,
    data_dir: &Path,
) -> Result<String, SecretError> {
    if let Some(secret) = configured {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(SecretError::TooShort);
        }
        return Ok(secret.to_owned());
    }
    if production {
        return Err(SecretError::Missing);
    }
    let path = data_dir.join("jwt_secret");
    match fs::read_to_string(&path) {
        Ok(existing) if existing.trim().len() >= MIN_SECRET_BYTES => {
            tracing::warn!(path = %path.display(), "development mode: using the generated JWT secret kept on disk; set JWT_SECRET in production");
            return Ok(existing.trim().to_owned());
        }
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(SecretError::Io(path, e)),
    }
    let secret = random_token(48);
    fs::create_dir_all(data_dir).map_err(|e| SecretError::Io(data_dir.to_owned(), e))?;
    write_private(&path, &secret).map_err(|e| SecretError::Io(path.clone(), e))?;
    tracing::warn!(path = %path.display(), "development mode: generated a JWT secret and saved it; set JWT_SECRET in production");
    Ok(secret)
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> io::Result<()> {
    fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_derived_under_different_labels_differ_and_are_stable() {
        let a = derive_key(b"root secret", "one");
        assert_eq!(a, derive_key(b"root secret", "one"));
        assert_ne!(a, derive_key(b"root secret", "two"));
        let key = MacKey::derive(b"root secret", "one");
        assert_ne!(key.tag(&["ab", "c"]), key.tag(&["a", "bc"]));
    }
}
