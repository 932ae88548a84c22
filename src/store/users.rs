//! Accounts: creating them (one at a time, or in bulk for seeding), the credentials sign-in
//! checks, and replacing a password hash.

use chrono::{DateTime, Utc};

use super::{Store, begin_write, builder::Sql, micros, sessions::REVOKE_OTHER_SESSIONS, written};
use crate::domain::calendar::TimeZone;

/// A signed-up account, without its password hash.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub created_at: DateTime<Utc>,
}

/// What sign-in needs to check a password.
/// A new account's credential epoch (the column's default).
pub const NEW_ACCOUNT_EPOCH: i64 = 0;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credentials {
    pub id: i64,
    pub password_hash: String,
    /// Moves on every password change and "sign out everywhere else": device cookies are
    /// signed over it, and a session is recorded only at the epoch its password was
    /// checked at.
    pub credential_epoch: i64,
}

impl Store {
    /// Creates an account; `None` when the email is taken.
    pub async fn create_user(
        &self,
        email: &str,
        password_hash: &str,
        time_zone: TimeZone,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, sqlx::Error> {
        on_pool!(self, |pool| {
            sqlx::query_as(
                "INSERT INTO users (email, password_hash, time_zone, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $4) ON CONFLICT (email) DO NOTHING \
                 RETURNING id, email, created_at",
            )
            .bind(email)
            .bind(password_hash)
            .bind(time_zone.name())
            .bind(micros(now))
            .fetch_all(pool)
            .await
            .map(written)
        })
    }

    /// Sets the zone the user's days are counted in; false if the user is gone.
    pub async fn set_time_zone(
        &self,
        user_id: i64,
        time_zone: TimeZone,
        now: DateTime<Utc>,
    ) -> Result<bool, sqlx::Error> {
        let done = on_pool!(self, |pool| {
            sqlx::query("UPDATE users SET time_zone = $2, updated_at = $3 WHERE id = $1")
                .bind(user_id)
                .bind(time_zone.name())
                .bind(micros(now))
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(done > 0)
    }

    /// The zone stored for the user, as saved (`None` if the user is gone).
    pub async fn time_zone_of(&self, user_id: i64) -> Result<Option<String>, sqlx::Error> {
        on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT time_zone FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(pool)
                .await
        })
    }

    pub async fn find_credentials(&self, email: &str) -> Result<Option<Credentials>, sqlx::Error> {
        on_pool!(self, |pool| {
            sqlx::query_as("SELECT id, password_hash, credential_epoch FROM users WHERE email = $1")
                .bind(email)
                .fetch_optional(pool)
                .await
        })
    }

    /// The user's password hash, to check the current password before changing it.
    pub async fn password_hash(&self, user_id: i64) -> Result<Option<String>, sqlx::Error> {
        on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(pool)
                .await
        })
    }

    /// Replaces the user's password hash, moves their credential epoch (every device is
    /// forgotten) and, in the same transaction, revokes every session but `keep` (with
    /// `None`, none). Returns how many it revoked.
    pub async fn set_password_hash(
        &self,
        user_id: i64,
        password_hash: &str,
        keep: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<u64, sqlx::Error> {
        let revoked = on_pool!(self, |pool| {
            let mut tx = begin_write(pool).await?;
            sqlx::query(
                "UPDATE users SET password_hash = $2, updated_at = $3, \
                 credential_epoch = credential_epoch + 1 WHERE id = $1",
            )
            .bind(user_id)
            .bind(password_hash)
            .bind(micros(now))
            .execute(&mut *tx)
            .await?;
            let revoked = match keep {
                Some(keep) => sqlx::query(REVOKE_OTHER_SESSIONS)
                    .bind(user_id)
                    .bind(keep)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected(),
                None => 0,
            };
            tx.commit().await?;
            Ok::<_, sqlx::Error>(revoked)
        })?;
        if revoked > 0 {
            self.sessions_changed(user_id, revoked).await;
        }
        Ok(revoked)
    }

    /// Replaces the user's password hash with `new` (the same password, hashed with current
    /// parameters) only if it is still `old`, the hash the password was just checked
    /// against: a password change that landed in between is never undone. True if replaced.
    pub async fn rehash_password(
        &self,
        user_id: i64,
        old: &str,
        new: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, sqlx::Error> {
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE users SET password_hash = $3, updated_at = $4 \
                 WHERE id = $1 AND password_hash = $2",
            )
            .bind(user_id)
            .bind(old)
            .bind(new)
            .bind(micros(now))
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?;
        Ok(done == 1)
    }

    /// Creates accounts that share one password hash, in one transaction (seeding); returns
    /// their ids in the order given.
    pub async fn create_users_bulk(
        &self,
        emails: &[String],
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>, sqlx::Error> {
        let now = micros(now);
        // 4 values a row: well under both backends' limits on bound parameters.
        let statements: Vec<Sql> = emails
            .chunks(2_000)
            .map(|chunk| {
                let mut sql = Sql::new(
                    "INSERT INTO users (email, password_hash, created_at, updated_at) VALUES ",
                );
                for (i, email) in chunk.iter().enumerate() {
                    sql.push(if i == 0 { "(" } else { ", (" })
                        .bind(email.clone())
                        .push(", ")
                        .bind(password_hash.to_owned())
                        .push(", ")
                        .bind(now)
                        .push(", ")
                        .bind(now)
                        .push(")");
                }
                sql.push(" RETURNING id");
                sql
            })
            .collect();
        let mut ids = Vec::with_capacity(emails.len());
        on_pool!(self, |pool| {
            let mut tx = begin_write(pool).await?;
            for sql in &statements {
                ids.extend(sql.query_scalar::<_, i64>().fetch_all(&mut *tx).await?);
            }
            tx.commit().await?;
        });
        // RETURNING follows insertion order on both backends for a VALUES list, but sorting
        // makes that an invariant rather than an assumption.
        ids.sort_unstable();
        Ok(ids)
    }
}
