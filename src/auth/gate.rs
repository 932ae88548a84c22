//! The first line against floods: a limit per client address kept in this process's memory,
//! checked before any database work.
//!
//! The sign-in and sign-up limits proper are rows in the database ([`super::sign_in`]), so
//! that they hold across every instance; but a limit that needs a database round trip to say
//! "no" makes a flood cost the database something for every refused attempt. A [`Gate`]
//! answers a client that is over its allowance from memory, in well under a microsecond, and
//! only what gets through reaches the database. Each instance keeps its own gate, so with `n`
//! instances a client may get up to `n` allowances through to the database, where the shared
//! limit then refuses what is over.
//!
//! The gate is GCRA (`governor`): a client has a burst of `per_minute` attempts, refilled
//! evenly over the minute. Clients are keyed as the database limits key them: an IPv4
//! address, or the /64 an IPv6 address is in ([`ClientBlock`]).

use std::{
    fmt,
    net::IpAddr,
    num::NonZeroU32,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter, clock::Clock};

/// What a per-address limit counts against: an IPv4 address, or the /64 an IPv6 address is
/// in. One subscriber or one server is routinely given a whole /64, so its 2^64 addresses
/// must count as one client. IPv4 written as IPv6 (`::ffff:a.b.c.d`) is the IPv4 address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientBlock {
    /// The socket had no peer address (a Unix socket, a test).
    Unknown,
    V4([u8; 4]),
    V6([u16; 4]),
}

impl ClientBlock {
    pub fn of(client: Option<IpAddr>) -> Self {
        match client {
            None => ClientBlock::Unknown,
            Some(IpAddr::V4(v4)) => ClientBlock::V4(v4.octets()),
            Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
                Some(v4) => ClientBlock::V4(v4.octets()),
                None => {
                    let s = v6.segments();
                    ClientBlock::V6([s[0], s[1], s[2], s[3]])
                }
            },
        }
    }
}

impl fmt::Display for ClientBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientBlock::Unknown => f.write_str("unknown"),
            ClientBlock::V4([a, b, c, d]) => write!(f, "{a}.{b}.{c}.{d}"),
            ClientBlock::V6([a, b, c, d]) => write!(f, "{a:x}:{b:x}:{c:x}:{d:x}::/64"),
        }
    }
}

/// An in-memory allowance of attempts per client. Cheap to clone (shared).
#[derive(Clone)]
pub struct Gate {
    limiter: Arc<DefaultKeyedRateLimiter<ClientBlock>>,
    /// Attempts refused since the last [`Gate::forget_idle`]: logged there, once a minute,
    /// rather than a line per refusal (a flood must not become a flood of log lines).
    refused: Arc<AtomicU64>,
}

impl Gate {
    /// A burst of `per_minute` attempts per client, refilled evenly over a minute.
    pub fn per_minute(per_minute: u32) -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN));
        Self {
            limiter: Arc::new(RateLimiter::keyed(quota)),
            refused: Arc::default(),
        }
    }

    /// `Ok` when `client` may make one more attempt now (and counts it), else how long until
    /// it may, rounded up to whole seconds (at least one).
    pub fn admit(&self, client: Option<IpAddr>) -> Result<(), u64> {
        self.limiter
            .check_key(&ClientBlock::of(client))
            .map_err(|not_until| {
                self.refused.fetch_add(1, Ordering::Relaxed);
                // The limiter's own clock: making a new one calibrates it, at a cost that
                // was a third of a flood's profile.
                let wait = not_until.wait_time_from(self.limiter.clock().now());
                wait.as_secs() + u64::from(wait.subsec_nanos() > 0 || wait.is_zero())
            })
    }

    /// Answers a refused attempt after [`REFUSAL_DELAY`], passing on its `retry_after`. A
    /// client over its allowance that keeps its connections busy (each sends the next
    /// attempt as soon as the last is answered) then gets four answers a second per
    /// connection instead of as many as the server can make: measured with `bench/flood`,
    /// 64 such connections went from 44,000 refusals a second, which took enough CPU to
    /// lift another user's p95 fivefold, to 256. The wait holds nothing but the connection
    /// (no database connection, no hashing slot), and only clients already refused see it.
    pub async fn refuse(retry_after: u64) -> u64 {
        tokio::time::sleep(REFUSAL_DELAY).await;
        retry_after
    }

    /// Forgets clients whose allowance is full again (they are as if never seen). Returns
    /// how many clients are still tracked and how many attempts were refused since the last
    /// call. Run about once a minute, so a flood from many addresses cannot grow the table
    /// without end.
    pub fn forget_idle(&self) -> (usize, u64) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
        (self.limiter.len(), self.refused.swap(0, Ordering::Relaxed))
    }
}

/// The gates the web layer keeps: one for sign-in attempts (the form, the API token and the
/// password change share it, as they share the database limits) and one for sign-ups.
#[derive(Clone)]
pub struct Gates {
    pub sign_in: Gate,
    pub sign_up: Gate,
}

impl Gates {
    pub fn new(per_minute: u32) -> Self {
        Self {
            sign_in: Gate::per_minute(per_minute),
            sign_up: Gate::per_minute(per_minute),
        }
    }

    /// Forgets idle clients in both gates and logs what they refused (see
    /// [`Gate::forget_idle`]); returns how many clients are still tracked.
    pub fn forget_idle(&self) -> usize {
        let (sign_in_clients, sign_ins_refused) = self.sign_in.forget_idle();
        let (sign_up_clients, sign_ups_refused) = self.sign_up.forget_idle();
        if sign_ins_refused + sign_ups_refused > 0 {
            tracing::warn!(
                sign_ins_refused,
                sign_ups_refused,
                clients_held_back = sign_in_clients + sign_up_clients,
                "refused attempts from clients over their allowance in the last minute"
            );
        }
        sign_in_clients + sign_up_clients
    }
}

/// How long an address over its allowance waits for its 429 (see [`Gate::refuse`]).
pub const REFUSAL_DELAY: Duration = Duration::from_millis(250);

/// How often [`Gates::forget_idle`] should run.
pub const FORGET_EVERY: Duration = Duration::from_secs(60);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_gets_its_burst_then_waits() {
        let gate = Gate::per_minute(3);
        let me: IpAddr = "192.0.2.7".parse().unwrap();
        for _ in 0..3 {
            assert_eq!(gate.admit(Some(me)), Ok(()));
        }
        let wait = gate.admit(Some(me)).unwrap_err();
        assert!((1..=20).contains(&wait), "{wait}");
        // Another address has its own allowance.
        assert_eq!(gate.admit(Some("192.0.2.8".parse().unwrap())), Ok(()));
    }

    #[test]
    fn one_ipv6_64_is_one_client() {
        let gate = Gate::per_minute(2);
        for host in ["2001:db8:1:2::1", "2001:db8:1:2:ffff::9"] {
            assert_eq!(gate.admit(Some(host.parse().unwrap())), Ok(()));
        }
        assert!(
            gate.admit(Some("2001:db8:1:2::abcd".parse().unwrap()))
                .is_err()
        );
        assert_eq!(gate.admit(Some("2001:db8:1:3::1".parse().unwrap())), Ok(()));
    }

    #[test]
    fn blocks_are_named_as_the_database_limits_name_them() {
        let of = |s: &str| ClientBlock::of(Some(s.parse().unwrap())).to_string();
        assert_eq!(of("203.0.113.9"), "203.0.113.9");
        assert_eq!(of("::ffff:203.0.113.9"), "203.0.113.9");
        assert_eq!(of("2001:db8:a:b:c:d:e:f"), "2001:db8:a:b::/64");
        assert_eq!(ClientBlock::of(None).to_string(), "unknown");
    }
}
