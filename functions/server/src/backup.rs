//! Backups of the self-hosted database: an online copy (SQLite's backup API: writers go on
//! while it runs) into `BLOB_DIR/backups/portal-<UTC time>.sqlite3`, written under a temporary
//! name and renamed, the newest `BACKUP_KEEP` kept. `portal-server backup FILE` makes one on
//! demand; `scripts/native-restore-drill.sh` restores one and compares it with the live database.
//! Off the server: with `BLOB_BACKEND=s3` each periodic backup is also uploaded to the bucket
//! under `backups/` (expire them with the bucket's lifecycle rule); otherwise copy `BLOB_DIR`.

use shared::sqlite::SqliteDb;
use std::path::{Path, PathBuf};

/// One online copy of the database at `database` into `dest`.
pub fn backup_to(database: &Path, dest: &Path) -> Result<(), String> {
    let db = SqliteDb::open_shared_file(database).map_err(|e| e.to_string())?;
    let tmp = dest.with_extension("partial");
    let _ = std::fs::remove_file(&tmp);
    db.backup_to(&tmp).map_err(|e| e.to_string())?;
    std::fs::rename(&tmp, dest).map_err(|e| format!("{dest:?}: {e}"))
}

/// A timestamped backup under `blob_dir/backups/`, then the oldest beyond `keep` removed.
pub fn periodic(database: &Path, blob_dir: &Path, keep: usize) -> Result<PathBuf, String> {
    let dir = blob_dir.join("backups");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{dir:?}: {e}"))?;
    let name = format!(
        "portal-{}.sqlite3",
        chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
    );
    let dest = dir.join(name);
    backup_to(database, &dest)?;
    let mut all: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("portal-") && n.ends_with(".sqlite3"))
        })
        .collect();
    all.sort();
    let excess = all.len().saturating_sub(keep);
    for old in &all[..excess] {
        let _ = std::fs::remove_file(old);
    }
    Ok(dest)
}

/// The periodic backup, then, when the files are in S3, the same file uploaded to
/// `backups/<name>` in the bucket (from disk, never whole in memory). Blocking.
pub fn periodic_off_site(
    database: &Path,
    blob_dir: &Path,
    keep: usize,
    s3: Option<&crate::s3::S3Blobs>,
) -> Result<PathBuf, String> {
    let path = periodic(database, blob_dir, keep)?;
    if let Some(s3) = s3 {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or("backup: no file name")?;
        s3.put_file(&format!("backups/{name}"), &path)?;
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_backup_is_a_complete_database_and_old_ones_are_pruned() {
        let dir = std::env::temp_dir().join(shared::ids::new_id("backup"));
        std::fs::create_dir_all(&dir).unwrap();
        let live = dir.join("live.sqlite3");
        let db = shared::sqlite::SqliteDb::open_shared_file(&live).unwrap();
        db.apply_pending_migrations(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../d1-migrations"),
        )
        .unwrap();
        for n in 0..3 {
            let path = super::periodic(&live, &dir.join("blobs"), 2).unwrap();
            assert!(path.exists(), "backup {n}");
            std::thread::sleep(std::time::Duration::from_millis(1100));
        }
        let kept: Vec<_> = std::fs::read_dir(dir.join("blobs/backups"))
            .unwrap()
            .collect();
        assert_eq!(kept.len(), 2, "the newest two are kept");
        let copy = rusqlite::Connection::open(kept[0].as_ref().unwrap().path()).unwrap();
        let migrations: i64 = copy
            .query_row("SELECT COUNT(*) FROM d1_migrations", [], |r| r.get(0))
            .unwrap();
        let files = std::fs::read_dir(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../d1-migrations"),
        )
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "sql")
        })
        .count() as i64;
        assert_eq!(migrations, files, "the copy has the schema and its record");
        let check: String = copy
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
        let _ = std::fs::remove_dir_all(dir);
    }
}
