//! Where the database's schema stands against this binary's migrations: what start-up and
//! `/readyz` check, above all when migrating is a release step of its own
//! (`MIGRATE_ON_START=false`) and old and new binaries meet one database during a deploy.
//!
//! Migrations between two releases only ever add (expand, deploy, contract: see the
//! README's "Deploying"), so a binary works with a schema that is at its own version or
//! ahead of it, and not with one that is behind (its statements name columns that are not
//! there yet) or one whose history differs from its own.

use std::collections::BTreeMap;

use sqlx::migrate::Migrator;

use super::{Pool, Store, postgres, sqlite};

/// The schema against this binary's migrations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schema {
    /// Every migration this binary knows is applied, and no other.
    Current,
    /// Migrations this binary needs are not applied yet (`task-dashboard migrate` applies
    /// them): the lowest missing one and this binary's last.
    Behind { missing: i64, expected: i64 },
    /// A later release migrated the database: this binary's migrations are all there, with
    /// some it does not know (the newest applied one named). It works with it.
    Ahead { newest: i64, expected: i64 },
    /// A migration this binary knows was applied with other contents: the two disagree on
    /// the schema's history, and nothing this binary reads can be trusted.
    Diverged { version: i64 },
}

impl Schema {
    /// Whether this binary can serve on this schema.
    pub fn serves(&self) -> bool {
        matches!(self, Schema::Current | Schema::Ahead { .. })
    }
}

impl std::fmt::Display for Schema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Schema::Current => f.write_str("the schema is at this binary's version"),
            Schema::Behind { missing, expected } => write!(
                f,
                "the schema is behind this binary: migration {missing} (of {expected}) is not \
                 applied; run `task-dashboard migrate`"
            ),
            Schema::Ahead { newest, expected } => write!(
                f,
                "the schema is ahead of this binary (migration {newest}, this binary knows up \
                 to {expected}); serving, as migrations between releases only add"
            ),
            Schema::Diverged { version } => write!(
                f,
                "the database's migration {version} differs from this binary's: they disagree \
                 about the schema's history"
            ),
        }
    }
}

impl Store {
    /// Reads the applied migrations and compares them with this binary's. A database with
    /// no migrations table is behind by all of them.
    pub async fn schema(&self) -> Result<Schema, sqlx::Error> {
        const APPLIED: &str = "SELECT version, checksum FROM _sqlx_migrations WHERE success";
        type Applied = Result<Vec<(i64, Vec<u8>)>, sqlx::Error>;
        let (migrator, applied): (&Migrator, Applied) = match &self.pool {
            Pool::Sqlite(pool) => (
                &sqlite::MIGRATOR,
                sqlx::query_as(APPLIED).fetch_all(pool).await,
            ),
            Pool::Postgres(pool) => (
                &postgres::MIGRATOR,
                sqlx::query_as(APPLIED).fetch_all(pool).await,
            ),
        };
        let applied = match applied {
            Ok(rows) => rows,
            Err(sqlx::Error::Database(db)) if is_missing_table(db.as_ref()) => Vec::new(),
            Err(other) => return Err(other),
        };
        let known = migrator
            .iter()
            .filter(|m| m.migration_type.is_up_migration())
            .map(|m| (m.version, m.checksum.as_ref()));
        Ok(compare(known, applied.into_iter().collect()))
    }
}

/// "No such table" on either backend.
fn is_missing_table(db: &dyn sqlx::error::DatabaseError) -> bool {
    db.code().as_deref() == Some("42P01") || db.message().contains("no such table")
}

fn compare<'a>(
    known: impl Iterator<Item = (i64, &'a [u8])>,
    applied: BTreeMap<i64, Vec<u8>>,
) -> Schema {
    let mut expected = 0;
    let mut missing = None;
    for (version, checksum) in known {
        expected = expected.max(version);
        match applied.get(&version) {
            Some(theirs) if theirs.as_slice() != checksum => return Schema::Diverged { version },
            Some(_) => {}
            None => {
                missing.get_or_insert(version);
            }
        }
    }
    if let Some(missing) = missing {
        return Schema::Behind { missing, expected };
    }
    match applied.keys().next_back() {
        Some(&newest) if newest > expected => Schema::Ahead { newest, expected },
        _ => Schema::Current,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn applied(rows: &[(i64, &[u8])]) -> BTreeMap<i64, Vec<u8>> {
        rows.iter().map(|(v, c)| (*v, c.to_vec())).collect()
    }

    const KNOWN: [(i64, &[u8]); 2] = [(1, b"a"), (2, b"b")];

    #[test]
    fn a_schema_is_current_behind_ahead_or_diverged() {
        let compare = |rows: &[(i64, &[u8])]| compare(KNOWN.into_iter(), applied(rows));
        assert_eq!(compare(&[(1, b"a"), (2, b"b")]), Schema::Current);
        assert_eq!(
            compare(&[]),
            Schema::Behind {
                missing: 1,
                expected: 2
            }
        );
        assert_eq!(
            compare(&[(1, b"a")]),
            Schema::Behind {
                missing: 2,
                expected: 2
            }
        );
        let ahead = compare(&[(1, b"a"), (2, b"b"), (3, b"c")]);
        assert_eq!(
            ahead,
            Schema::Ahead {
                newest: 3,
                expected: 2
            }
        );
        assert!(ahead.serves());
        let diverged = compare(&[(1, b"a"), (2, b"x")]);
        assert_eq!(diverged, Schema::Diverged { version: 2 });
        assert!(!diverged.serves());
    }
}
