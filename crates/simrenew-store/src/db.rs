//! Connecting, migrating, and choosing the backend once, from the URL scheme.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use tokio::sync::Mutex;

/// The database behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// What ends a `SELECT` of rows to claim: skip the rows another worker holds on
    /// PostgreSQL; nothing on SQLite, where one writer at a time holds the write lock.
    pub(crate) fn skip_locked(self) -> &'static str {
        match self {
            Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
            Dialect::Sqlite => "",
        }
    }

    pub fn of_url(url: &str) -> Result<Self, String> {
        if url.starts_with("sqlite:") {
            Ok(Dialect::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Dialect::Postgres)
        } else {
            Err(format!(
                "database URL must start with sqlite: or postgres:, not {:?}",
                url.split(':').next().unwrap_or_default()
            ))
        }
    }

    /// Row lock for the rest of the transaction. SQLite has none: its writers are serialised
    /// by [`Db`]'s write lock instead.
    pub(crate) fn for_update(self) -> &'static str {
        match self {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// PostgreSQL schema to create (if missing) and use; tests give each test its own.
    pub schema: Option<String>,
    pub max_connections: Option<u32>,
}

/// A connection pool to one database.
#[derive(Clone)]
pub struct Db {
    pub(crate) pool: AnyPool,
    /// For rows whose loss in a crash is harmless because a later durable commit carries them
    /// or they can be rebuilt (the idempotency keys' takes, leases and kept answers): on
    /// PostgreSQL its connections commit with `synchronous_commit = off`, so they do not wait
    /// for the disk. WAL order keeps them safe: the commit of an effect that marks a key is
    /// durable only with every earlier commit, the key's take included. On SQLite, `pool`.
    pub(crate) bookkeeping: AnyPool,
    pub(crate) dialect: Dialect,
    /// SQLite allows one writer at a time; taking this lock before `BEGIN` makes writers queue
    /// here instead of failing with "database is locked" when a read transaction upgrades.
    pub(crate) write_lock: Option<Arc<Mutex<()>>>,
    /// The key audit entries are MACed with; never written to the database.
    pub(crate) audit_key: Option<simrenew_app::audit::AuditKey>,
    /// What it was opened with, for connections of its own (`LISTEN`).
    pub(crate) url: String,
    /// On PostgreSQL, connections of sqlx's own driver for what `Any` cannot do (`COPY`, for
    /// usage records), opened when first used.
    pub(crate) copy: Option<sqlx::PgPool>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("dialect", &self.dialect)
            .finish()
    }
}

impl Db {
    pub async fn connect(url: &str) -> Result<Self, String> {
        Self::connect_with(url, ConnectOptions::default()).await
    }

    pub async fn connect_with(url: &str, options: ConnectOptions) -> Result<Self, String> {
        sqlx::any::install_default_drivers();
        let dialect = Dialect::of_url(url)?;
        let url = match dialect {
            Dialect::Sqlite if !url.contains("mode=") && !url.contains(":memory:") => {
                format!("{url}{}mode=rwc", if url.contains('?') { "&" } else { "?" })
            }
            _ => url.to_owned(),
        };
        let connect = AnyConnectOptions::from_str(&url).map_err(|e| e.to_string())?;
        let opened_with = url.clone();
        let schema = options.schema.clone();
        if let (Dialect::Postgres, Some(schema)) = (dialect, &schema) {
            check_schema_name(schema)?;
            let pool = AnyPoolOptions::new()
                .max_connections(1)
                .connect_with(connect.clone())
                .await
                .map_err(|e| e.to_string())?;
            pool.execute(format!("CREATE SCHEMA IF NOT EXISTS {schema}").as_str())
                .await
                .map_err(|e| e.to_string())?;
            pool.close().await;
        }
        let max = options.max_connections.unwrap_or(match dialect {
            Dialect::Sqlite => 8,
            Dialect::Postgres => 32,
        });
        let bookkeeping = match dialect {
            Dialect::Sqlite => None,
            Dialect::Postgres => {
                let schema = schema.clone();
                Some(
                    AnyPoolOptions::new()
                        .max_connections((max / 4).max(2))
                        .acquire_timeout(Duration::from_secs(30))
                        .after_connect(move |conn, _meta| {
                            let schema = schema.clone();
                            Box::pin(async move {
                                conn.execute("SET synchronous_commit = off").await?;
                                if let Some(schema) = schema {
                                    conn.execute(format!("SET search_path TO {schema}").as_str())
                                        .await?;
                                }
                                Ok(())
                            })
                        })
                        .connect_with(connect.clone())
                        .await
                        .map_err(|e| format!("cannot open the database: {e}"))?,
                )
            }
        };
        let copy = match dialect {
            Dialect::Sqlite => None,
            Dialect::Postgres => {
                let schema = schema.clone();
                Some(
                    sqlx::postgres::PgPoolOptions::new()
                        .max_connections((max / 8).max(2))
                        .acquire_timeout(Duration::from_secs(30))
                        .after_connect(move |conn, _meta| {
                            let schema = schema.clone();
                            Box::pin(async move {
                                if let Some(schema) = schema {
                                    conn.execute(format!("SET search_path TO {schema}").as_str())
                                        .await?;
                                }
                                Ok(())
                            })
                        })
                        .connect_lazy_with(
                            sqlx::postgres::PgConnectOptions::from_str(&url)
                                .map_err(|e| e.to_string())?,
                        ),
                )
            }
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _meta| {
                let schema = schema.clone();
                Box::pin(async move {
                    match dialect {
                        Dialect::Sqlite => {
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                            )
                            .await?;
                        }
                        Dialect::Postgres => {
                            if let Some(schema) = schema {
                                conn.execute(format!("SET search_path TO {schema}").as_str())
                                    .await?;
                            }
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(connect)
            .await
            .map_err(|e| format!("cannot open the database: {e}"))?;
        Ok(Db {
            bookkeeping: bookkeeping.unwrap_or_else(|| pool.clone()),
            pool,
            dialect,
            write_lock: (dialect == Dialect::Sqlite).then(|| Arc::new(Mutex::new(()))),
            audit_key: None,
            url: opened_with,
            copy,
        })
    }

    /// The store with the key its audit entries are MACed with. Without one, every act that
    /// writes an audit entry fails and changes nothing.
    pub fn with_audit_key(mut self, key: simrenew_app::audit::AuditKey) -> Self {
        self.audit_key = Some(key);
        self
    }

    /// A transaction that takes SQLite's write lock at `BEGIN`, where the busy timeout applies:
    /// a transaction that reads first and writes later would otherwise get "database is
    /// locked" at once while another connection's rollback is still finishing.
    pub(crate) async fn begin_raw(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.dialect {
            Dialect::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Dialect::Postgres => self.pool.begin().await,
        }
    }

    /// The PostgreSQL connections for `COPY` (see [`Db::copy`]).
    pub(crate) fn copy_pool(&self) -> simrenew_app::StoreResult<&sqlx::PgPool> {
        self.copy.as_ref().ok_or_else(|| {
            simrenew_app::StoreError::Internal("COPY is only for PostgreSQL".to_owned())
        })
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Applies the migrations this database has not seen yet.
    pub async fn migrate(&self) -> Result<(), String> {
        let failed = |e: &dyn std::fmt::Display| format!("migration failed: {e}");
        match self.dialect {
            Dialect::Sqlite => {
                // A migration that makes a table again (SQLite cannot drop a constraint) must
                // not have the references to it checked while it does: SQLite's own procedure
                // turns them off, which only works outside a transaction, so here, for the
                // one connection the migrations run on. They are checked after.
                let mut conn = self.pool.acquire().await.map_err(|e| failed(&e))?;
                sqlx::query("PRAGMA foreign_keys = OFF")
                    .execute(&mut *conn)
                    .await
                    .map_err(|e| failed(&e))?;
                let ran = sqlx::migrate!("migrations/sqlite").run(&mut *conn).await;
                let broken = sqlx::query("PRAGMA foreign_key_check")
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(|e| failed(&e))?
                    .len();
                sqlx::query("PRAGMA foreign_keys = ON")
                    .execute(&mut *conn)
                    .await
                    .map_err(|e| failed(&e))?;
                ran.map_err(|e| failed(&e))?;
                if broken > 0 {
                    return Err(failed(&format!(
                        "{broken} rows refer to rows that are gone"
                    )));
                }
                Ok(())
            }
            Dialect::Postgres => sqlx::migrate!("migrations/postgres")
                .run(&self.pool)
                .await
                .map_err(|e| failed(&e)),
        }
    }

    /// True when the database holds no brand yet (a fresh database).
    pub async fn is_empty(&self) -> Result<bool, String> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM brands")
            .fetch_one(&self.pool)
            .await
            .map_err(|e| e.to_string())?;
        Ok(n == 0)
    }

    pub async fn close(&self) {
        self.bookkeeping.close().await;
        if let Some(copy) = &self.copy {
            copy.close().await;
        }
        self.pool.close().await;
    }
}

fn check_schema_name(schema: &str) -> Result<(), String> {
    if !schema.is_empty()
        && schema.len() <= 63
        && schema
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        Ok(())
    } else {
        Err(format!(
            "schema name {schema:?} must be lower-case letters, digits and _"
        ))
    }
}
