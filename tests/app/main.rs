//! The integration suite: one binary (each extra file in `tests/` is another slow link).
//!
//! Every test starts the real application on port 0 with a database of its own and drives it
//! over HTTP with a cookie-keeping client. `both_backends!` runs each test twice: on SQLite,
//! and on PostgreSQL (`TEST_DATABASE_URL`, default the local server). Without a reachable
//! PostgreSQL the PostgreSQL half is skipped with a note, unless `REQUIRE_POSTGRES=1` (CI sets
//! it), in which case it fails.
//!
//! `attacks/` is the adversarial suite, one module per threat; `fuzz` throws generated input
//! at the parsers (bounded, see its doc).

mod helpers;

mod account;
mod api;
mod attacks;
mod backup;
mod cli;
mod concurrency;
mod counters;
mod export;
mod fuzz;
mod import;
mod instances;
mod interaction;
mod interaction_session;
mod live;
mod operability;
mod paging;
mod problems;
mod quick_add;
mod recurring;
mod schema;
mod sign_in;
mod tags;
mod tasks;
mod text;
mod time_zones;
mod trash;
