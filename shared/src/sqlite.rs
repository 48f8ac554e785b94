//! The database port on native SQLite: native tests run the production SQL on a real SQLite,
//! and a self-hosted runtime can start from here.

use crate::error::{AppError, AppResult};
use crate::ports::{Database, Row, SqlValue, Stmt, StmtResult};
use rusqlite::types::{Value as SqlV, ValueRef};
use rusqlite::Connection;
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::path::Path;
use std::time::{Duration, Instant};

pub struct SqliteDb {
    conn: RefCell<Connection>,
    /// Time spent inside SQLite, so a benchmark can split a request's CPU time into the SQL
    /// (which runs in D1, outside the Worker, in production) and the handler's own work.
    in_sqlite: Cell<Duration>,
    /// Statements run so far (in `run` and in batches).
    statements: Cell<u64>,
    /// Tests: the statement, counted from when it was set, that fails as a D1 error would.
    fail_at: Cell<Option<u64>>,
}

impl SqliteDb {
    /// A fresh in-memory database with every migration in `d1-migrations/` applied: migrated
    /// once per thread, then copied (SQLite's backup API), which keeps the thousands of native
    /// test databases and fuzzing runs cheap.
    pub fn in_memory_migrated() -> AppResult<SqliteDb> {
        thread_local! {
            static TEMPLATE: RefCell<Option<Connection>> = const { RefCell::new(None) };
        }
        let err = |e: rusqlite::Error| AppError::internal(e.to_string());
        let mut conn = Connection::open_in_memory().map_err(err)?;
        TEMPLATE.with(|t| -> AppResult<()> {
            let mut t = t.borrow_mut();
            if t.is_none() {
                let db = SqliteDb::wrap(Connection::open_in_memory().map_err(err)?);
                db.apply_migrations(
                    &Path::new(env!("CARGO_MANIFEST_DIR")).join("../d1-migrations"),
                )?;
                *t = Some(db.conn.into_inner());
            }
            let template = t.as_ref().expect("set above");
            rusqlite::backup::Backup::new(template, &mut conn)
                .and_then(|b| b.run_to_completion(1 << 20, std::time::Duration::ZERO, None))
                .map_err(err)
        })?;
        Ok(SqliteDb::wrap(conn))
    }

    fn wrap(conn: Connection) -> SqliteDb {
        SqliteDb {
            conn: RefCell::new(conn),
            in_sqlite: Cell::default(),
            statements: Cell::default(),
            fail_at: Cell::default(),
        }
    }

    pub fn open(path: &Path) -> AppResult<SqliteDb> {
        let conn = Connection::open(path).map_err(|e| AppError::internal(e.to_string()))?;
        Ok(SqliteDb::wrap(conn))
    }

    /// A database file for the self-hosted runtime, one connection per serving thread: WAL
    /// (readers never wait for the writer), a busy timeout instead of an instant `SQLITE_BUSY`
    /// when another thread's batch holds the write lock, and foreign keys enforced as D1 does.
    pub fn open_shared_file(path: &Path) -> AppResult<SqliteDb> {
        let err = |e: rusqlite::Error| AppError::internal(format!("{path:?}: {e}"));
        let conn = Connection::open(path).map_err(err)?;
        conn.busy_timeout(Duration::from_secs(10)).map_err(err)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
        )
        .map_err(err)?;
        Ok(SqliteDb::wrap(conn))
    }

    /// Applies the migrations in `dir` not yet applied, recording each in `d1_migrations` as
    /// `wrangler d1 migrations apply` does, so a database moved between D1 and this runtime
    /// knows what it has. Returns the names applied now.
    pub fn apply_pending_migrations(&self, dir: &Path) -> AppResult<Vec<String>> {
        let err = |e: rusqlite::Error| AppError::internal(e.to_string());
        let conn = self.conn.borrow();
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS d1_migrations(id INTEGER PRIMARY KEY AUTOINCREMENT, \
             name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)",
        )
        .map_err(err)?;
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| AppError::internal(format!("{dir:?}: {e}")))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "sql"))
            .collect();
        files.sort();
        let mut applied = Vec::new();
        for f in files {
            let name = f
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let done: i64 = conn
                .query_row(
                    "SELECT COUNT(*) FROM d1_migrations WHERE name = ?1",
                    [&name],
                    |r| r.get(0),
                )
                .map_err(err)?;
            if done > 0 {
                continue;
            }
            let sql = std::fs::read_to_string(&f).map_err(|e| AppError::internal(e.to_string()))?;
            let record = format!(
                "INSERT INTO d1_migrations (name) VALUES ('{}');",
                name.replace('\'', "''")
            );
            // One immediate transaction per file, the record inside it: a crash leaves the file
            // either applied and recorded or neither.
            conn.execute_batch(&format!("BEGIN IMMEDIATE;\n{sql}\n{record}\nCOMMIT;"))
                .map_err(|e| {
                    let _ = conn.execute_batch("ROLLBACK;");
                    AppError::internal(format!("{f:?}: {e}"))
                })?;
            applied.push(name);
        }
        Ok(applied)
    }

    /// An online copy of the whole database into `dest` (SQLite's backup API, a page batch at a
    /// time, so writers on other connections are not held up for the whole copy).
    pub fn backup_to(&self, dest: &Path) -> AppResult<()> {
        let err = |e: rusqlite::Error| AppError::internal(format!("backup: {e}"));
        let mut out = Connection::open(dest).map_err(err)?;
        let conn = self.conn.borrow();
        rusqlite::backup::Backup::new(&conn, &mut out)
            .and_then(|b| b.run_to_completion(256, Duration::from_millis(5), None))
            .map_err(err)
    }

    /// Statements run since this database was opened.
    pub fn statements_run(&self) -> u64 {
        self.statements.get()
    }

    /// Tests: the `nth` statement from now (1 = the next) fails as a D1 error would; a batch it
    /// is part of is rolled back whole, as D1 rolls back a failed batch.
    pub fn fail_statement(&self, nth: u64) {
        self.fail_at.set(Some(nth.max(1)));
    }

    /// Counts a statement about to run, failing it if it is the one [`Self::fail_statement`] chose.
    fn count_statement(&self) -> AppResult<()> {
        self.statements.set(self.statements.get() + 1);
        match self.fail_at.get() {
            Some(n) if n <= 1 => {
                self.fail_at.set(None);
                Err(AppError::unavailable("injected D1 error"))
            }
            Some(n) => {
                self.fail_at.set(Some(n - 1));
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Time spent running statements since this database was opened.
    pub fn time_in_sqlite(&self) -> Duration {
        self.in_sqlite.get()
    }

    fn timed<T>(&self, f: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let out = f();
        self.in_sqlite.set(self.in_sqlite.get() + started.elapsed());
        out
    }

    pub fn apply_migrations(&self, dir: &Path) -> AppResult<()> {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| AppError::internal(format!("{dir:?}: {e}")))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "sql"))
            .collect();
        files.sort();
        for f in files {
            let sql = std::fs::read_to_string(&f).map_err(|e| AppError::internal(e.to_string()))?;
            // One transaction per file, as D1 applies a migration: a table rebuild defers its
            // foreign key checks to the end of the file (`PRAGMA defer_foreign_keys`).
            self.conn
                .borrow()
                .execute_batch(&format!("BEGIN;\n{sql}\nCOMMIT;"))
                .map_err(|e| AppError::internal(format!("{f:?}: {e}")))?;
        }
        Ok(())
    }

    fn run_on(conn: &Connection, stmt: &Stmt) -> AppResult<StmtResult> {
        let mut prepared = conn
            .prepare(&stmt.sql)
            .map_err(|e| AppError::internal(format!("prepare: {e}")))?;
        let params: Vec<SqlV> = stmt
            .params
            .iter()
            .map(|p| match p {
                SqlValue::Null => SqlV::Null,
                SqlValue::Integer(i) => SqlV::Integer(*i),
                SqlValue::Real(f) => SqlV::Real(*f),
                SqlValue::Text(s) => SqlV::Text(s.clone()),
                SqlValue::Blob(b) => SqlV::Blob(b.clone()),
            })
            .collect();
        let names: Vec<String> = prepared
            .column_names()
            .iter()
            .map(|s| s.to_string())
            .collect();
        if names.is_empty() {
            let changes = prepared
                .execute(rusqlite::params_from_iter(params))
                .map_err(|e| AppError::internal(format!("execute: {e}")))?;
            return Ok(StmtResult {
                rows: Vec::new(),
                changes: changes as u64,
            });
        }
        let mut rows_out = Vec::new();
        let mut rows = prepared
            .query(rusqlite::params_from_iter(params))
            .map_err(|e| AppError::internal(format!("query: {e}")))?;
        while let Some(row) = rows
            .next()
            .map_err(|e| AppError::internal(format!("row: {e}")))?
        {
            let mut map = Row::new();
            for (i, name) in names.iter().enumerate() {
                let v = match row
                    .get_ref(i)
                    .map_err(|e| AppError::internal(e.to_string()))?
                {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(n) => Value::from(n),
                    ValueRef::Real(f) => Value::from(f),
                    ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => Value::Array(b.iter().map(|x| Value::from(*x)).collect()),
                };
                map.insert(name.clone(), v);
            }
            rows_out.push(map);
        }
        drop(rows);
        Ok(StmtResult {
            rows: rows_out,
            changes: conn.changes(),
        })
    }
}

impl Database for SqliteDb {
    async fn run(&self, stmt: Stmt) -> AppResult<StmtResult> {
        self.count_statement()?;
        self.timed(|| Self::run_on(&self.conn.borrow(), &stmt))
    }

    async fn batch(&self, stmts: Vec<Stmt>) -> AppResult<Vec<StmtResult>> {
        self.timed(|| self.batch_now(&stmts))
    }
}

impl SqliteDb {
    fn batch_now(&self, stmts: &[Stmt]) -> AppResult<Vec<StmtResult>> {
        let mut conn = self.conn.borrow_mut();
        // Immediate: the write lock is taken at the start, as D1 runs a batch alone; a deferred
        // transaction that reads first could fail to upgrade when another connection writes.
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| AppError::internal(e.to_string()))?;
        let mut out = Vec::with_capacity(stmts.len());
        for s in stmts {
            // Dropping `tx` on an error rolls the batch back.
            self.count_statement()?;
            out.push(Self::run_on(&tx, s)?);
        }
        tx.commit().map_err(|e| AppError::internal(e.to_string()))?;
        Ok(out)
    }
}
