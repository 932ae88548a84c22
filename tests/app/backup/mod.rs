//! `backup --to FILE` and `restore --from FILE` (issue 21), run as an operator runs them: the
//! real binary, beside a server that goes on taking writes. A backup is one consistent
//! snapshot holding every write acknowledged before it began; a restore puts one back while
//! the service is stopped and keeps what it replaced; both refuse what they cannot do well.
//!
//! - `snapshot`: a backup taken while writers keep writing
//! - `refusals`: PostgreSQL, a missing database, an existing target, files that are not a
//!   backup of this app
//! - `round_trip`: backup, more writes, stop, restore, start, and undo
//! - `operator`: running the binary and reading the files it leaves

mod operator;
mod refusals;
mod round_trip;
mod snapshot;
