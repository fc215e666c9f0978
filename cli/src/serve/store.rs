//! The SQLite database (`DATA_DIR/kms.sqlite3`, WAL, `synchronous = FULL`): one row per key, one
//! per key material, the material sealed at rest. A key and its materials are written in one
//! transaction, so a crash leaves every key as it was before or after an operation.
//!
//! ```sql
//! keys(key_id PK, arn UNIQUE, key_spec, key_usage, description, creation_date, key_state,
//!      deletion_date NULL, pending_window_days NULL, seq UNIQUE)
//! materials(key_id -> keys ON DELETE CASCADE, material_id, material_state, imported,
//!           description NULL, valid_to NULL, import_date NULL, rotation_date NULL,
//!           sealed NULL  -- nonce || AES-256-GCM(material), AAD = key ARN + material id
//!           , PRIMARY KEY (key_id, material_id))
//! ```

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, params};

use crate::serve::keys::{Key, Material, MaterialState};
use crate::serve::protocol::{ApiError, ApiResult};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS keys (
    key_id TEXT PRIMARY KEY,
    arn TEXT NOT NULL UNIQUE,
    key_spec TEXT NOT NULL,
    key_usage TEXT NOT NULL,
    description TEXT NOT NULL,
    creation_date INTEGER NOT NULL,
    key_state TEXT NOT NULL,
    deletion_date INTEGER,
    pending_window_days INTEGER,
    seq INTEGER NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS materials (
    key_id TEXT NOT NULL REFERENCES keys(key_id) ON DELETE CASCADE,
    material_id TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    material_state TEXT NOT NULL,
    imported INTEGER NOT NULL,
    description TEXT,
    valid_to INTEGER,
    import_date INTEGER,
    rotation_date INTEGER,
    sealed BLOB,
    PRIMARY KEY (key_id, material_id)
);
";

pub struct Store {
    conn: Mutex<Connection>,
}

fn db_error(e: rusqlite::Error) -> ApiError {
    ApiError::internal(format!("database: {e}"))
}

fn bad_row(what: &str) -> rusqlite::Error {
    rusqlite::Error::InvalidColumnName(format!("unreadable {what}"))
}

impl Store {
    /// Opens (creating) `DIR/kms.sqlite3`, or an in-memory database.
    pub fn open(dir: Option<&Path>) -> Result<Self, String> {
        let conn = match dir {
            Some(dir) => Connection::open(dir.join("kms.sqlite3")),
            None => Connection::open_in_memory(),
        }
        .map_err(|e| format!("cannot open the database: {e}"))?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
        )
        .and_then(|()| conn.execute_batch(SCHEMA))
        .map_err(|e| format!("cannot set up the database: {e}"))?;
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The key `key_id` with its materials, or `None`.
    pub fn load(&self, key_id: &str) -> ApiResult<Option<Key>> {
        let conn = self.conn();
        let key = conn
            .query_row(
                "SELECT key_id, arn, key_spec, key_usage, description, creation_date, key_state,
                        deletion_date, pending_window_days, seq FROM keys WHERE key_id = ?1",
                params![key_id],
                |r| {
                    Ok(Key {
                        key_id: r.get(0)?,
                        arn: r.get(1)?,
                        spec: r
                            .get::<_, String>(2)?
                            .parse()
                            .map_err(|_| bad_row("key spec"))?,
                        usage: r
                            .get::<_, String>(3)?
                            .parse()
                            .map_err(|_| bad_row("key usage"))?,
                        description: r.get(4)?,
                        created: r.get(5)?,
                        state: r
                            .get::<_, String>(6)?
                            .parse()
                            .map_err(|_| bad_row("key state"))?,
                        deletion_date: r.get(7)?,
                        pending_window_days: r.get(8)?,
                        seq: r.get(9)?,
                        materials: Vec::new(),
                    })
                },
            )
            .optional()
            .map_err(db_error)?;
        let Some(mut key) = key else {
            return Ok(None);
        };
        let mut statement = conn
            .prepare_cached(
                "SELECT material_id, material_state, imported, description, valid_to,
                        import_date, rotation_date, sealed
                 FROM materials WHERE key_id = ?1 ORDER BY ordinal",
            )
            .map_err(db_error)?;
        key.materials = statement
            .query_map(params![key_id], |r| {
                Ok(Material {
                    id: r.get(0)?,
                    state: MaterialState::parse(&r.get::<_, String>(1)?)
                        .ok_or_else(|| bad_row("material state"))?,
                    imported: r.get(2)?,
                    description: r.get(3)?,
                    valid_to: r.get(4)?,
                    import_date: r.get(5)?,
                    rotation_date: r.get(6)?,
                    sealed: r.get(7)?,
                })
            })
            .and_then(Iterator::collect)
            .map_err(db_error)?;
        Ok(Some(key))
    }

    /// Writes a key and all its materials in one transaction (insert or replace). A new key
    /// (`seq` 0) gets the next creation number in the same transaction.
    pub fn save(&self, key: &Key) -> ApiResult<()> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(db_error)?;
        tx.execute(
            "INSERT INTO keys (key_id, arn, key_spec, key_usage, description, creation_date,
                               key_state, deletion_date, pending_window_days, seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,
                     COALESCE(?10, (SELECT COALESCE(MAX(seq), 0) + 1 FROM keys)))
             ON CONFLICT(key_id) DO UPDATE SET key_state = ?7, deletion_date = ?8,
                 pending_window_days = ?9, description = ?5",
            params![
                key.key_id,
                key.arn,
                key.spec.as_str(),
                key.usage.as_str(),
                key.description,
                key.created,
                key.state.as_str(),
                key.deletion_date,
                key.pending_window_days,
                (key.seq != 0).then_some(key.seq)
            ],
        )
        .map_err(db_error)?;
        tx.execute(
            "DELETE FROM materials WHERE key_id = ?1",
            params![key.key_id],
        )
        .map_err(db_error)?;
        for (ordinal, m) in key.materials.iter().enumerate() {
            tx.execute(
                "INSERT INTO materials (key_id, material_id, ordinal, material_state, imported,
                     description, valid_to, import_date, rotation_date, sealed)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    key.key_id,
                    m.id,
                    ordinal,
                    m.state.as_str(),
                    m.imported,
                    m.description,
                    m.valid_to,
                    m.import_date,
                    m.rotation_date,
                    m.sealed
                ],
            )
            .map_err(db_error)?;
        }
        tx.commit().map_err(db_error)
    }

    /// Removes a key and its materials (deletion date reached).
    pub fn delete(&self, key_id: &str) -> ApiResult<()> {
        self.conn()
            .execute("DELETE FROM keys WHERE key_id = ?1", params![key_id])
            .map(drop)
            .map_err(db_error)
    }

    /// Up to `limit` keys after creation number `after`: `(key_id, arn, seq)`.
    pub fn list(&self, after: i64, limit: i64) -> ApiResult<Vec<(String, String, i64)>> {
        let conn = self.conn();
        let mut statement = conn
            .prepare_cached(
                "SELECT key_id, arn, seq FROM keys WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )
            .map_err(db_error)?;
        statement
            .query_map(params![after, limit], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .and_then(Iterator::collect)
            .map_err(db_error)
    }

    /// Keys whose material may expire by `now` or whose deletion date is reached.
    pub fn due(&self, now: u64) -> ApiResult<Vec<String>> {
        let conn = self.conn();
        let mut statement = conn
            .prepare_cached(
                "SELECT key_id FROM keys WHERE deletion_date <= ?1
                 UNION SELECT key_id FROM materials WHERE imported = 1 AND valid_to <= ?1",
            )
            .map_err(db_error)?;
        statement
            .query_map(params![now], |r| r.get(0))
            .and_then(Iterator::collect)
            .map_err(db_error)
    }
}
