//! `cache list` and `cache clear`: the disk cache as a person sees it. Neither shows or returns
//! a secret; both remove expired entries and the locks beside them when they see them.
//!
//! Both act only on files whose names are the tool's own: `KEY.json` and `KEY.lock` with `KEY`
//! a cache key's exact shape (see [`is_key`]). Anything else in the directory (a `yarn.lock`
//! of a project directory named as the cache) is neither opened nor removed.

use super::dir::CacheDir;
use super::entry::{self, Summary};
use super::key::is_key;
use super::lock;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// Which entries `clear` removes: those resolved for this app and stage (each when set); all
/// when neither is.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Only entries resolved for this app.
    pub app: Option<String>,
    /// Only entries resolved for this stage.
    pub stage: Option<String>,
}

/// The unexpired entries in the cache directory in use (see [`CacheDir::in_use`]), soonest
/// expiry first; expired ones, and locks nobody holds beside no entry, are removed on the way.
/// A directory that does not exist holds none.
pub fn list(dir: &CacheDir) -> Vec<Summary> {
    let Some(dir) = dir.in_use() else { return Vec::new() };
    let dir = dir.as_path();
    let mut live = Vec::new();
    for summary in summaries(dir) {
        if summary.expiration <= SystemTime::now() {
            remove(dir, &summary.key);
        } else {
            live.push(summary);
        }
    }
    remove_stray_locks(dir);
    live.sort_by_key(|s| s.expiration);
    live
}

/// Removes the entries in `dir` that `filter` selects, and their locks; returns how many.
/// Expired entries go too, whatever the filter.
pub fn clear(dir: &CacheDir, filter: &Filter) -> usize {
    let Some(dir) = dir.in_use() else { return 0 };
    let dir = dir.as_path();
    let matches = |wanted: &Option<String>, found: &Option<String>| wanted.is_none() || wanted == found;
    let mut removed = 0;
    for summary in summaries(dir) {
        let selected = matches(&filter.app, &summary.label.app) && matches(&filter.stage, &summary.label.stage);
        if summary.expiration <= SystemTime::now() || selected {
            remove(dir, &summary.key);
            removed += usize::from(selected);
        }
    }
    remove_stray_locks(dir);
    removed
}

/// The readable entries in `dir`.
fn summaries(dir: &Path) -> Vec<Summary> {
    own_files(dir, ".json").iter().filter_map(|key| entry::summary(&entry::entry_path(dir, key))).collect()
}

/// The keys of the files in `dir` named `KEY` + `suffix`, `KEY` of a cache key's shape.
fn own_files(dir: &Path, suffix: &str) -> Vec<String> {
    let Ok(names) = std::fs::read_dir(dir) else { return Vec::new() };
    names
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|name| name.strip_suffix(suffix).filter(|key| is_key(key)).map(str::to_owned))
        .collect()
}

/// Removes the entry for `key` and, unless another process holds it, its lock.
fn remove(dir: &Path, key: &str) {
    let _ = std::fs::remove_file(entry::entry_path(dir, key));
    remove_lock_if_free(dir, key);
}

/// Locks beside no entry that nobody holds: left by keys since removed.
fn remove_stray_locks(dir: &Path) {
    for key in own_files(dir, ".lock") {
        if !entry::entry_path(dir, &key).exists() {
            remove_lock_if_free(dir, &key);
        }
    }
}

fn remove_lock_if_free(dir: &Path, key: &str) {
    // Removed while held by us; a process waiting on it then takes the lock on a new file
    // (lock::acquire checks its file still is the one at the path).
    let acquired = crate::ready::ready(lock::acquire(dir, key, Duration::ZERO, false));
    if let Some(lock::Acquired::Held(_held)) = acquired {
        let _ = std::fs::remove_file(lock::lock_path(dir, key));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::entry::{write, Label};
    use crate::cache::tests::private_tempdir;
    use crate::credentials::{Credentials, Secret};

    fn keys(lifetime_secs: i64) -> Credentials {
        let now = SystemTime::now();
        let expiration = if lifetime_secs >= 0 {
            now + Duration::from_secs(lifetime_secs.unsigned_abs())
        } else {
            now - Duration::from_secs(lifetime_secs.unsigned_abs())
        };
        Credentials {
            access_key_id: "ASIAEXAMPLE".to_owned(),
            secret_access_key: Secret::new("secret"),
            session_token: Secret::new("token"),
            expiration,
            assumed_role_arn: "arn:aws:sts::111111111111:assumed-role/r/s".to_owned(),
            region: "us-east-1".to_owned(),
        }
    }

    fn label(app: &str, stage: &str) -> Label {
        Label {
            profile: Some("p".to_owned()),
            role_arn: None,
            app: Some(app.to_owned()),
            stage: Some(stage.to_owned()),
        }
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        names.sort();
        names
    }

    /// A key-shaped name: `c` repeated.
    fn k(c: char) -> String {
        c.to_string().repeat(64)
    }

    /// The cache directory `dir`, as a user names it.
    fn cache(dir: &Path) -> CacheDir {
        CacheDir::chosen(Some(dir), &crate::env::Env::from_slice(&[])).unwrap()
    }

    #[test]
    fn list_shows_live_entries_and_removes_expired_ones_with_their_locks() {
        let dir = private_tempdir();
        write(dir.path(), &k('a'), &keys(3600), &label("pay", "dev")).unwrap();
        write(dir.path(), &k('d'), &keys(-60), &label("pay", "prod")).unwrap();
        std::fs::write(dir.path().join(format!("{}.lock", k('d'))), "").unwrap();
        std::fs::write(dir.path().join(format!("{}.lock", k('e'))), "").unwrap();
        let listed = list(&cache(dir.path()));
        assert_eq!(listed.len(), 1);
        assert_eq!((listed[0].key.as_str(), listed[0].label.app.as_deref()), (k('a').as_str(), Some("pay")));
        assert_eq!(names(dir.path()), vec![format!("{}.json", k('a'))]);
        assert!(list(&cache(&dir.path().join("missing"))).is_empty());
    }

    #[test]
    fn live_entries_keep_their_locks_and_a_lock_another_process_holds_stays() {
        let dir = private_tempdir();
        write(dir.path(), &k('b'), &keys(7200), &label("pay", "prod")).unwrap();
        write(dir.path(), &k('a'), &keys(3600), &label("pay", "dev")).unwrap();
        std::fs::write(lock::lock_path(dir.path(), &k('a')), "").unwrap();
        // A lock beside no entry, held by a process busy with its key (this one, on another open file).
        let held = crate::ready::ready(lock::acquire(dir.path(), &k('f'), Duration::ZERO, false));
        assert!(matches!(held, Some(lock::Acquired::Held(_))));
        let listed = list(&cache(dir.path()));
        let keys: Vec<_> = listed.iter().map(|s| s.key.clone()).collect();
        assert_eq!(keys, [k('a'), k('b')], "soonest expiry first");
        let lock_names = [format!("{}.lock", k('a')), format!("{}.lock", k('f'))];
        for name in &lock_names {
            assert!(dir.path().join(name).exists(), "{name}");
        }
        assert_eq!(clear(&cache(dir.path()), &Filter { app: Some("bill".to_owned()), stage: None }), 0);
        assert!(dir.path().join(&lock_names[1]).exists(), "still held");
        drop(held);
        assert_eq!(clear(&cache(dir.path()), &Filter::default()), 2);
        assert!(names(dir.path()).is_empty(), "entries and free locks gone");
    }

    #[test]
    fn clear_removes_expired_entries_whatever_the_filter_and_counts_only_the_selected() {
        let dir = private_tempdir();
        write(dir.path(), &k('a'), &keys(3600), &label("pay", "dev")).unwrap();
        write(dir.path(), &k('d'), &keys(-60), &label("bill", "prod")).unwrap();
        let pay_dev = Filter { app: Some("pay".to_owned()), stage: Some("dev".to_owned()) };
        let bill_dev = Filter { app: Some("bill".to_owned()), stage: Some("dev".to_owned()) };
        assert_eq!(clear(&cache(dir.path()), &bill_dev), 0, "the expired one goes, uncounted");
        assert_eq!(names(dir.path()), vec![format!("{}.json", k('a'))]);
        assert_eq!(clear(&cache(dir.path()), &Filter { stage: Some("prod".to_owned()), ..pay_dev.clone() }), 0);
        assert_eq!(clear(&cache(dir.path()), &pay_dev), 1);
        assert_eq!(clear(&cache(&dir.path().join("missing")), &Filter::default()), 0);
    }

    #[test]
    fn files_of_other_names_are_never_opened_or_removed() {
        let dir = private_tempdir();
        let foreign = ["yarn.lock", "Cargo.lock", "x.json", "x.lock", &format!("{}.lock", k('A'))];
        for name in foreign {
            std::fs::write(dir.path().join(name), "theirs").unwrap();
        }
        // An entry filed under a name not of the key's shape is not the tool's either.
        write(dir.path(), "expired", &keys(-60), &label("pay", "dev")).unwrap();
        assert!(list(&cache(dir.path())).is_empty());
        assert_eq!(clear(&cache(dir.path()), &Filter::default()), 0);
        for name in foreign {
            assert_eq!(std::fs::read_to_string(dir.path().join(name)).unwrap(), "theirs", "{name}");
        }
        assert!(dir.path().join("expired.json").exists());
    }

    #[test]
    fn clear_removes_what_the_filter_selects() {
        let dir = private_tempdir();
        write(dir.path(), &k('a'), &keys(3600), &label("pay", "dev")).unwrap();
        write(dir.path(), &k('b'), &keys(3600), &label("pay", "prod")).unwrap();
        write(dir.path(), &k('c'), &keys(3600), &label("bill", "dev")).unwrap();
        let only =
            |app: &str, stage: Option<&str>| Filter { app: Some(app.to_owned()), stage: stage.map(str::to_owned) };
        assert_eq!(clear(&cache(dir.path()), &only("pay", Some("dev"))), 1);
        assert_eq!(names(dir.path()), vec![format!("{}.json", k('b')), format!("{}.json", k('c'))]);
        assert_eq!(clear(&cache(dir.path()), &only("pay", None)), 1);
        assert_eq!(clear(&cache(dir.path()), &Filter::default()), 1);
        assert!(names(dir.path()).is_empty());
    }
}
