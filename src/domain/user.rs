//! Account input: emails and passwords.

use std::{collections::HashSet, sync::LazyLock};

/// Why an email was refused, as the form shows it.
pub const EMAIL_INVALID: &str = "Enter an email address like name@example.com.";

/// A trimmed, lower-cased email address (uniqueness is case-insensitive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let email = raw.trim().to_lowercase();
        let Some((local, domain)) = email.rsplit_once('@') else {
            return Err(EMAIL_INVALID);
        };
        let well_formed = !local.is_empty()
            && local.len() <= 64
            && email.len() <= 254
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !email.chars().any(|c| c.is_whitespace() || c.is_control());
        if well_formed {
            Ok(Self(email))
        } else {
            Err(EMAIL_INVALID)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 128;

/// The most common passwords long enough to pass the length rule (see the file's header for
/// its source and licence), lower-cased.
static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("common_passwords.txt")
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

/// A password good enough to set: 8 to 128 characters, no composition rules, and not one of
/// the few thousand passwords attackers try first (NIST SP 800-63B, 5.1.1.2).
pub fn check_new_password(password: &str) -> Result<(), &'static str> {
    match password.chars().count() {
        n if n < PASSWORD_MIN_CHARS => Err("Use at least 8 characters."),
        n if n > PASSWORD_MAX_CHARS => Err("Use at most 128 characters."),
        _ if COMMON_PASSWORDS.contains(password.trim().to_lowercase().as_str()) => Err(
            "This is one of the most common passwords, so it is among the first an attacker tries. Choose another.",
        ),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            Email::parse("  Ada@Example.COM ").unwrap().as_str(),
            "ada@example.com"
        );
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a da@example.com",
            "ada@.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn passwords_need_8_to_128_characters() {
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("long enough").is_ok());
        assert!(check_new_password(&"x".repeat(129)).is_err());
        assert!(
            check_new_password("ééééééé").is_err(),
            "counts characters, not bytes"
        );
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        assert!(
            COMMON_PASSWORDS.len() >= 4_000,
            "{}",
            COMMON_PASSWORDS.len()
        );
        for common in [
            "password",
            "PassWord1",
            "12345678",
            "iloveyou",
            " qwertyuiop ",
        ] {
            assert!(check_new_password(common).is_err(), "{common:?}");
        }
        assert!(check_new_password("correct horse battery staple").is_ok());
    }
}
