//! The SQL both backends share, and the macro that implements [`Store`](super::Store) over
//! a sqlx pool.
//!
//! SQLite and PostgreSQL agree on `$N` placeholders, `RETURNING` and `ON CONFLICT`, so one
//! statement serves both; a backend passes its own text only where the dialects differ.
//! The implementation is a macro rather than a generic function because sqlx's generic
//! bounds over `Database` would bury every query under a screen of where-clauses.

pub const CREATE_USER: &str = "INSERT INTO users (email, password_hash, created_at, updated_at) \
     VALUES ($1, $2, $3, $3) ON CONFLICT (email) DO NOTHING \
     RETURNING id, email, created_at";

pub const FIND_CREDENTIALS: &str = "SELECT id, password_hash FROM users WHERE email = $1";

pub const CREATE_SESSION: &str = "INSERT INTO sessions \
     (id, user_id, created_at, last_seen_at, expires_at, user_agent) \
     VALUES ($1, $2, $3, $3, $4, $5)";

pub const SESSION_USER: &str = "SELECT u.id AS user_id, u.email, s.last_seen_at \
     FROM sessions s JOIN users u ON u.id = s.user_id \
     WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND s.expires_at > $3";

pub const TOUCH_SESSION: &str = "UPDATE sessions SET last_seen_at = $2 WHERE id = $1";

pub const REVOKE_SESSION: &str = "UPDATE sessions SET revoked_at = $3 \
     WHERE user_id = $1 AND id = $2 AND revoked_at IS NULL";

/// Implements `Store` for `$store`, a struct with a `pool` field of a sqlx pool type.
macro_rules! impl_store {
    ($store:ty, $backend:literal) => {
        #[async_trait::async_trait]
        impl $crate::store::Store for $store {
            fn backend(&self) -> &'static str {
                $backend
            }

            async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
                Self::MIGRATOR.run(&self.pool).await
            }

            async fn ping(&self) -> Result<(), sqlx::Error> {
                sqlx::query("SELECT 1")
                    .execute(&self.pool)
                    .await
                    .map(|_| ())
            }

            async fn create_user(
                &self,
                email: &str,
                password_hash: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<Option<$crate::store::User>, sqlx::Error> {
                sqlx::query_as($crate::store::sql::CREATE_USER)
                    .bind(email)
                    .bind(password_hash)
                    .bind(now)
                    .fetch_optional(&self.pool)
                    .await
            }

            async fn find_credentials(
                &self,
                email: &str,
            ) -> Result<Option<$crate::store::Credentials>, sqlx::Error> {
                sqlx::query_as($crate::store::sql::FIND_CREDENTIALS)
                    .bind(email)
                    .fetch_optional(&self.pool)
                    .await
            }

            async fn create_session(
                &self,
                session: &$crate::store::NewSession<'_>,
            ) -> Result<(), sqlx::Error> {
                sqlx::query($crate::store::sql::CREATE_SESSION)
                    .bind(session.id)
                    .bind(session.user_id)
                    .bind(session.created_at)
                    .bind(session.expires_at)
                    .bind(session.user_agent)
                    .execute(&self.pool)
                    .await
                    .map(|_| ())
            }

            async fn session_user(
                &self,
                session_id: &str,
                user_id: i64,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<Option<$crate::store::SessionUser>, sqlx::Error> {
                sqlx::query_as($crate::store::sql::SESSION_USER)
                    .bind(session_id)
                    .bind(user_id)
                    .bind(now)
                    .fetch_optional(&self.pool)
                    .await
            }

            async fn touch_session(
                &self,
                session_id: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), sqlx::Error> {
                sqlx::query($crate::store::sql::TOUCH_SESSION)
                    .bind(session_id)
                    .bind(now)
                    .execute(&self.pool)
                    .await
                    .map(|_| ())
            }

            async fn revoke_session(
                &self,
                user_id: i64,
                session_id: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, sqlx::Error> {
                let done = sqlx::query($crate::store::sql::REVOKE_SESSION)
                    .bind(user_id)
                    .bind(session_id)
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() > 0)
            }
        }
    };
}

pub(crate) use impl_store;
