//! Where the disk cache lives, and which directory the tool may make private.
//!
//! The tool changes the mode only of a directory whose name it chose: the platform default
//! (`~/.cache/serverless-access-roles`) and its own per-user subdirectory. A directory the user
//! names (`SERVERLESS_ACCESS_ROLES_CACHE_DIR`, `cacheDir`, `--cache-dir`) is used as it is when
//! it is private to the user (or when the tool has just created it, 0700); when it is shared (a
//! 1777 `/tmp`, a project directory) it is never chmodded: the cache goes into
//! `serverless-access-roles-UID` inside it, which the tool creates 0700.

use super::entry::private_to_user;
use crate::env::Env;
use std::path::{Path, PathBuf};

/// Environment variable naming the cache directory.
const CACHE_DIR_ENV: &str = "SERVERLESS_ACCESS_ROLES_CACHE_DIR";

/// The disk cache directory as chosen: named by the user, or the platform default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheDir {
    path: PathBuf,
    /// The user named it: it is never chmodded.
    named: bool,
}

impl CacheDir {
    /// The directory `named` by the caller, else `SERVERLESS_ACCESS_ROLES_CACHE_DIR`, else the
    /// platform's cache directory (`$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches`
    /// on macOS, `%LOCALAPPDATA%` on Windows) joined with `serverless-access-roles`; `None`
    /// without any of them (no home directory).
    pub fn chosen(named: Option<&Path>, env: &Env) -> Option<CacheDir> {
        let named = named.map(Path::to_owned).or_else(|| env.var_os(CACHE_DIR_ENV).map(PathBuf::from));
        match named {
            Some(path) => Some(CacheDir { path, named: true }),
            None => {
                env.platform_cache_dir().map(|d| CacheDir { path: d.join("serverless-access-roles"), named: false })
            }
        }
    }

    /// The directory as chosen (before any subdirectory is taken).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The private directory the entries are in, when there is one; creates and changes nothing.
    pub fn in_use(&self) -> Option<PathBuf> {
        if private_dir(&self.path) {
            return Some(self.path.clone());
        }
        check_real_dir(&self.path).ok()?;
        let own = self.own_subdir()?;
        private_dir(&own).then_some(own)
    }

    /// The private directory to write entries into, created when missing; the reason the disk
    /// cache cannot be used otherwise (a symlink, not a directory, another user's).
    pub(super) fn prepare(&self) -> Result<PathBuf, String> {
        if !self.named {
            return make_private(&self.path, true).map(|()| self.path.clone());
        }
        let existed = std::fs::symlink_metadata(&self.path).is_ok();
        if !existed {
            // Created by the tool, so private from the start.
            make_private(&self.path, false)?;
            return Ok(self.path.clone());
        }
        check_real_dir(&self.path)?;
        if private_dir(&self.path) {
            return Ok(self.path.clone());
        }
        let own = self.own_subdir().ok_or_else(|| format!("{} is not private to the user", shown(&self.path)))?;
        make_private(&own, true).map(|()| own)
    }

    /// `serverless-access-roles-UID` in a named directory that others may use; `None` for the
    /// platform default, which is the tool's own.
    fn own_subdir(&self) -> Option<PathBuf> {
        self.named.then(|| self.path.join(format!("serverless-access-roles-{}", user_id())))
    }
}

/// The directory of the loop guard's locks when no cache directory is in use (see
/// `super::guard`): `serverless-access-roles-locks-UID` in the system's temporary directory
/// (`TMPDIR`), made private; `None` when it cannot be (another user's, a symlink).
pub(super) fn guard_dir(env: &Env) -> Option<PathBuf> {
    let temp = env.var_os("TMPDIR").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    let dir = temp.join(format!("serverless-access-roles-locks-{}", user_id()));
    make_private(&dir, true).ok().map(|()| dir)
}

/// Creates `dir` private to the user (0700, parents too); when `ours` (a name the tool chose), an
/// existing one owned by the user is tightened to 0700. The reason when it cannot be used.
fn make_private(dir: &Path, ours: bool) -> Result<(), String> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|e| format!("cannot create {}: {e}", shown(dir)))?;
    check_real_dir(dir)?;
    #[cfg(unix)]
    if ours && !private_dir(dir) && owned_by_user(dir) {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    }
    if private_dir(dir) {
        Ok(())
    } else {
        Err(format!("{} belongs to another user or is not private (0700)", shown(dir)))
    }
}

/// A directory, not a symlink to one.
fn check_real_dir(dir: &Path) -> Result<(), String> {
    let meta = std::fs::symlink_metadata(dir).map_err(|e| format!("cannot read {}: {e}", shown(dir)))?;
    if meta.file_type().is_symlink() {
        return Err(format!("{} is a symlink; use a real directory", shown(dir)));
    }
    if !meta.is_dir() {
        return Err(format!("{} is not a directory", shown(dir)));
    }
    Ok(())
}

/// Whether `dir` is a directory (not a symlink) that only its owner, this user, can use.
pub(super) fn private_dir(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir() && private_to_user(&m))
}

fn shown(dir: &Path) -> String {
    crate::text::escape_control(&dir.display().to_string())
}

#[cfg(unix)]
fn owned_by_user(dir: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::symlink_metadata(dir).is_ok_and(|m| m.uid() == user_id())
}

#[cfg(unix)]
fn user_id() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Without Unix modes every directory counts as private, so no subdirectory is ever taken.
#[cfg(not(unix))]
fn user_id() -> u32 {
    0
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    fn mode(path: &Path) -> u32 {
        std::fs::symlink_metadata(path).unwrap().mode() & 0o7777
    }

    fn named(path: &Path) -> CacheDir {
        CacheDir::chosen(Some(path), &Env::from_slice(&[])).unwrap()
    }

    #[test]
    fn the_cache_directory_is_the_argument_then_the_variable_else_the_platform_cache() {
        let env = Env::from_slice(&[("SERVERLESS_ACCESS_ROLES_CACHE_DIR", "/tmp/sar-cache"), ("HOME", "/home/ana")]);
        assert_eq!(CacheDir::chosen(Some(Path::new("/x")), &env).unwrap().path(), Path::new("/x"));
        assert_eq!(CacheDir::chosen(None, &env).unwrap().path(), Path::new("/tmp/sar-cache"));
        let platform = Env::from_slice(&[("HOME", "/home/ana"), ("XDG_CACHE_HOME", "/xdg")]);
        let expected = if cfg!(target_os = "macos") { "/home/ana/Library/Caches" } else { "/xdg" };
        assert_eq!(
            CacheDir::chosen(None, &platform).unwrap().path(),
            Path::new(expected).join("serverless-access-roles")
        );
        assert_eq!(CacheDir::chosen(None, &Env::from_slice(&[])), None, "no home: memory only");
    }

    #[test]
    fn a_named_directory_that_is_missing_is_created_private() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        assert_eq!(named(&dir).prepare(), Ok(dir.clone()));
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(named(&dir).in_use(), Some(dir));
    }

    #[test]
    fn a_shared_named_directory_keeps_its_mode_and_the_cache_goes_into_an_own_subdirectory() {
        let root = tempfile::tempdir().unwrap();
        let shared = root.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
        let cache = named(&shared);
        assert_eq!(cache.in_use(), None, "nothing made yet");
        let own = cache.prepare().unwrap();
        assert_eq!(own, shared.join(format!("serverless-access-roles-{}", user_id())));
        assert_eq!((mode(&shared), mode(&own)), (0o1777, 0o700));
        assert_eq!(cache.in_use(), Some(own.clone()));
        // An own subdirectory someone loosened is the tool's: it is tightened again.
        std::fs::set_permissions(&own, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(cache.prepare(), Ok(own.clone()));
        assert_eq!(mode(&own), 0o700);
    }

    #[test]
    fn a_subdirectory_planted_by_another_user_or_as_a_symlink_turns_the_disk_cache_off() {
        let root = tempfile::tempdir().unwrap();
        std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
        let own = root.path().join(format!("serverless-access-roles-{}", user_id()));
        let elsewhere = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), &own).unwrap();
        assert!(named(root.path()).prepare().unwrap_err().ends_with("is a symlink; use a real directory"));
        assert_eq!(named(root.path()).in_use(), None);
        std::fs::remove_file(&own).unwrap();
        if user_id() == 0 {
            // As root, a directory owned by nobody stands for another user's.
            std::fs::create_dir(&own).unwrap();
            std::os::unix::fs::chown(&own, Some(65534), Some(65534)).unwrap();
            std::fs::set_permissions(&own, std::fs::Permissions::from_mode(0o777)).unwrap();
            let err = named(root.path()).prepare().unwrap_err();
            assert!(err.ends_with("belongs to another user or is not private (0700)"), "{err}");
            assert_eq!((mode(&own), std::fs::metadata(&own).unwrap().uid()), (0o777, 65534), "left as it was");
        }
        assert_eq!(mode(root.path()), 0o1777);
    }

    #[test]
    fn the_guard_locks_go_into_a_private_directory_of_the_user_in_tmpdir_never_through_a_symlink() {
        let temp = tempfile::tempdir().unwrap();
        let env = Env::from_slice(&[("TMPDIR", temp.path().to_str().unwrap())]);
        let locks = temp.path().join(format!("serverless-access-roles-locks-{}", user_id()));
        assert_eq!(guard_dir(&env), Some(locks.clone()));
        assert_eq!(mode(&locks), 0o700);
        std::fs::remove_dir(&locks).unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), &locks).unwrap();
        assert_eq!(guard_dir(&env), None, "a planted symlink is not used");
        assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
        if user_id() == 0 {
            // As root, a directory owned by nobody stands for one another user planted.
            std::fs::remove_file(&locks).unwrap();
            std::fs::create_dir(&locks).unwrap();
            std::os::unix::fs::chown(&locks, Some(65534), Some(65534)).unwrap();
            std::fs::set_permissions(&locks, std::fs::Permissions::from_mode(0o777)).unwrap();
            assert_eq!(guard_dir(&env), None, "another user's directory is not used");
            assert_eq!(mode(&locks), 0o777, "nor changed");
        }
    }

    #[test]
    fn a_named_symlink_or_file_is_refused_and_the_default_directory_is_tightened() {
        let root = tempfile::tempdir().unwrap();
        let real = root.path().join("real");
        std::fs::create_dir(&real).unwrap();
        std::os::unix::fs::symlink(&real, root.path().join("link")).unwrap();
        std::fs::write(root.path().join("file"), "").unwrap();
        assert!(named(&root.path().join("link"))
            .prepare()
            .unwrap_err()
            .ends_with("link is a symlink; use a real directory"));
        assert!(named(&root.path().join("file")).prepare().unwrap_err().ends_with("file is not a directory"));
        // A private file is no private directory: no entries are looked for in it.
        std::fs::set_permissions(root.path().join("file"), std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(named(&root.path().join("file")).in_use(), None);
        let default = CacheDir { path: root.path().join("serverless-access-roles"), named: false };
        assert_eq!(default.prepare(), Ok(default.path().to_owned()));
        std::fs::set_permissions(default.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(default.prepare(), Ok(default.path().to_owned()));
        assert_eq!(mode(default.path()), 0o700, "the tool's own directory is tightened");
    }
}
