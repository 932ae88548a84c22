//! Account input: emails and passwords.

use std::{collections::HashSet, sync::LazyLock};

/// Why an email was refused, as the form shows it.
pub const EMAIL_INVALID: &str = "Enter an email address like name@example.com.";

/// A trimmed, lower-cased email address (uniqueness is case-insensitive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// A new address, checked strictly: one `@`; a local part of 1 to 64 characters in
    /// dot-atom form (RFC 5322: letters, digits and ``!#$%&'*+/=?^_`{|}~-``, dots only
    /// between them); a domain of at least two labels, each 1 to 63 characters of letters,
    /// digits and inner hyphens, a top-level label that is not all digits; 254 at most in
    /// all (RFC 5321). Letters outside ASCII are accepted (internationalised addresses).
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let email = raw.trim().to_lowercase();
        let Some((local, domain)) = email.split_once('@') else {
            return Err(EMAIL_INVALID);
        };
        if email.len() <= 254 && local_part_ok(local) && domain_ok(domain) {
            Ok(Self(email))
        } else {
            Err(EMAIL_INVALID)
        }
    }

    /// An address to look an existing account up by: trimmed and lower-cased only, so an
    /// account made under an older, looser rule can still sign in.
    pub fn lookup(raw: &str) -> Option<Self> {
        let email = raw.trim().to_lowercase();
        let plausible = email.contains('@')
            && email.len() <= 254
            && !email.chars().any(|c| c.is_whitespace() || c.is_control());
        plausible.then_some(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn local_part_ok(local: &str) -> bool {
    const SPECIALS: &str = "!#$%&'*+/=?^_`{|}~-";
    let atom = |a: &str| {
        !a.is_empty()
            && a.chars()
                .all(|c| c.is_alphanumeric() || SPECIALS.contains(c))
    };
    local.chars().count() <= 64 && local.split('.').all(atom)
}

fn domain_ok(domain: &str) -> bool {
    let label = |l: &str| {
        (1..=63).contains(&l.chars().count())
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|l| label(l))
        && labels
            .last()
            .is_some_and(|tld| !tld.chars().all(|c| c.is_ascii_digit()))
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
            "a@b...@example.com",
            "a@b@example.com",
            "ada..lovelace@example.com",
            ".ada@example.com",
            "ada.@example.com",
            "ada@example..com",
            "ada@-example.com",
            "ada@example-.com",
            "ada@exa_mple.com",
            "ada@127.0.0.1",
            "ada(comment)@example.com",
            "\"ada\"@example.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
        let long_label = format!("ada@{}.com", "a".repeat(180));
        let long_local = format!("{}@example.com", "a".repeat(65));
        let long_total = format!("ada@{}.com", vec!["a".repeat(60); 5].join("."));
        for bad in [long_label, long_local, long_total] {
            assert!(Email::parse(&bad).is_err(), "{bad:?}");
        }
        let longest_label = format!("ada@{}.com", "a".repeat(63));
        for good in [
            "ada@example.com",
            "ada.lovelace+tasks@mail.example.co.uk",
            "o'brien@example.ie",
            "jos\u{e9}@exampl\u{e9}.fr",
            &longest_label,
        ] {
            assert!(Email::parse(good).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn lookups_only_trim_and_lower_case() {
        assert_eq!(Email::lookup(" A@B..C ").unwrap().as_str(), "a@b..c");
        assert!(Email::lookup("no-at-sign").is_none());
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
