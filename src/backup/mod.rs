//! `backup --to FILE` and `restore --from FILE` (issue 21), for the SQLite backend.
//!
//! A backup is SQLite's `VACUUM INTO`: one read transaction over the whole database, so the
//! copy is a single consistent snapshot even while the server commits beside it (WAL lets
//! readers and the writer run at once; what commits after the snapshot began is not in the
//! copy). The copy is compacted and a plain one-file database, ready to open.
//!
//! A restore swaps a backup in for the database file while the service is stopped, keeping
//! the file it replaces as `<db>.before-restore` so that a wrong restore can be undone.
//!
//! Both write under a temporary name beside their destination, sync, and rename last, so a
//! file never has its final name before it is complete and checked. Neither uses the
//! store's pool or migrations: a backup must not change the database it copies, nor create
//! one where there was none. PostgreSQL has its own tools (`pg_dump`, `pg_restore`), which
//! these commands point to rather than imitate.
//!
//! - `copy`: `backup --to FILE`
//! - `restore`: `restore --from FILE`
//! - `database`: opening a database file without changing it, and checking one
//! - `files`: the temporary file and the renames

mod copy;
mod database;
mod files;
mod restore;

pub use copy::backup;
pub use database::Summary;
pub use restore::{BEFORE_RESTORE, Restored, restore};
