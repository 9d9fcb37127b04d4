//! Turns sqlx errors into [`StoreError`]s: constraint violations become `Conflict` with the
//! constraint's name, so that use cases can answer in domain words.

use simrenew_app::StoreError;

pub(crate) fn map(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) => {
            let constraint = db.constraint().map(str::to_owned).or_else(|| {
                // SQLite names the columns instead: "UNIQUE constraint failed: lines.msisdn".
                db.message()
                    .split_once("constraint failed: ")
                    .map(|(_, cols)| cols.replace('.', "_"))
            });
            match (db.kind(), constraint) {
                (
                    sqlx::error::ErrorKind::UniqueViolation
                    | sqlx::error::ErrorKind::ForeignKeyViolation
                    | sqlx::error::ErrorKind::CheckViolation,
                    Some(constraint),
                ) => StoreError::Conflict { constraint },
                _ if is_busy(db.message()) => StoreError::Unavailable(db.message().to_owned()),
                _ => StoreError::Internal(e.to_string()),
            }
        }
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
            StoreError::Unavailable(e.to_string())
        }
        _ => StoreError::Internal(e.to_string()),
    }
}

fn is_busy(message: &str) -> bool {
    message.contains("database is locked")
        || message.contains("could not serialize")
        || message.contains("deadlock detected")
}

/// A stored value the domain does not accept: the database was edited by hand or a
/// migration is missing.
pub(crate) fn corrupt(what: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(format!("stored {what} is not valid: {detail}"))
}
