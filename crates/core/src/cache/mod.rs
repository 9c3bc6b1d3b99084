//! Reusing assumed keys: in memory within a process, on disk across commands, and one STS call
//! per key however many callers ask at once.
//!
//! For one key, [`fetch`]:
//! 1. waits its turn behind other callers in this process (single flight);
//! 2. returns the keys in memory, else the disk entry, while they are fresh;
//! 3. takes the cross-process lock and looks at the disk entry again (another process may have
//!    just written it);
//! 4. calls STS, writes the entry, and releases the lock.

mod entry;
mod key;
mod lock;
mod tools;

#[cfg(test)]
pub(crate) use entry::decode as decode_entry;
pub use entry::{Label, Summary};
pub(crate) use key::cache_key;
pub use tools::{clear, list, Filter};

use crate::credentials::Credentials;
use crate::credentials::Source;
use crate::env::Env;
use crate::error::Error;
use crate::plan::AssumeRoleRequest;
use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

/// Environment variable naming the cache directory.
const CACHE_DIR_ENV: &str = "SERVERLESS_ACCESS_ROLES_CACHE_DIR";

/// How long a process waits for another one assuming the same role before going ahead.
const LOCK_TIMEOUT: Duration = Duration::from_secs(30);

/// How the cache is used for one call.
#[derive(Clone, Debug)]
pub(crate) struct CacheSettings {
    /// Use the cache at all; when false, neither read nor written.
    pub enabled: bool,
    /// Skip reading, call STS, and store the new keys.
    pub force_refresh: bool,
    /// Keys are reused only while more than this is left; when unset, 15 minutes. Never more
    /// than half the keys' lifetime, so short sessions are reused too.
    pub refresh_margin: Option<Duration>,
    /// Directory of the disk cache; `None` keeps the cache in memory only.
    pub dir: Option<PathBuf>,
    /// The environment whose base identity and endpoint variables go into the key.
    pub env: Env,
    /// What the keys are resolved for, written into the entry for `cache list` and `cache clear`.
    pub label: Label,
}

/// The disk cache directory that resolving uses when the caller names none (see
/// [`CacheSettings::default_dir`]), for `cache list` and `cache clear`.
pub fn default_cache_dir(env: &Env) -> Option<PathBuf> {
    CacheSettings::default_dir(env)
}

impl CacheSettings {
    /// The disk cache directory: `SERVERLESS_ACCESS_ROLES_CACHE_DIR`, else the platform's cache
    /// directory (`$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches` on macOS,
    /// `%LOCALAPPDATA%` on Windows) joined with `serverless-access-roles`.
    pub(crate) fn default_dir(env: &Env) -> Option<PathBuf> {
        env.var_os(CACHE_DIR_ENV)
            .map(PathBuf::from)
            .or_else(|| env.platform_cache_dir().map(|d| d.join("serverless-access-roles")))
    }

    /// How long before expiry credentials for a `duration_seconds` session stop being handed
    /// out: the refresh margin, at most half the lifetime. The one refresh rule of the project.
    pub(crate) fn margin(&self, duration_seconds: u32) -> Duration {
        let margin = self.refresh_margin.unwrap_or(Duration::from_secs(15 * 60));
        margin.min(Duration::from_secs(u64::from(duration_seconds) / 2))
    }
}

/// Per-key slots of this process: the lock serialises callers, the value is the last keys.
type Slot = Arc<tokio::sync::Mutex<Option<Credentials>>>;

static MEMORY: LazyLock<Mutex<HashMap<String, Slot>>> = LazyLock::new(Default::default);

fn slot(key: &str) -> Slot {
    let mut slots = MEMORY.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    slots.entry(key.to_owned()).or_default().clone()
}

/// Fresh keys for `request` without waiting: those this process holds, else a fresh entry in a
/// cache directory that already is private to the user (one to make or tighten is left to
/// [`fetch`]). `None` when another caller is busy with the key; never calls STS.
///
/// A warm start is answered here, off the async runtime (BENCHMARKS.md): entries are written
/// whole by a rename, so reading one needs no lock.
pub(crate) fn peek(request: &AssumeRoleRequest, settings: &CacheSettings) -> Option<Credentials> {
    if !settings.enabled || settings.force_refresh {
        return None;
    }
    let key = cache_key(request, &settings.env);
    let slot = slot(&key);
    let mut memory = slot.try_lock().ok()?;
    let fresh = |role: &Credentials| entry::is_fresh(role.expiration, settings.margin(request.duration_seconds));
    if let Some(role) = memory.as_ref().filter(|r| fresh(r)) {
        return Some(role.clone());
    }
    let dir = settings.dir.as_deref().filter(|dir| private_dir(dir))?;
    let role = entry::read(dir, &key, request).filter(fresh)?;
    *memory = Some(role.clone());
    Some(role)
}

/// Whether `dir` is a directory (not a symlink) that only its owner, this user, can use.
fn private_dir(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir() && entry::private_to_user(&m))
}

/// What [`fetch`] answered: the keys, where they came from, and why the disk cache was not used
/// although it was on (see [`disk_cache_off`]).
#[derive(Debug)]
pub(crate) struct Fetched {
    pub(crate) credentials: Credentials,
    pub(crate) source: Source,
    pub(crate) disk_cache_off: Option<String>,
}

/// Returns keys for `request` from the cache, or from `assume` when none are fresh.
pub(crate) async fn fetch<F, Fut>(
    request: &AssumeRoleRequest,
    settings: &CacheSettings,
    assume: F,
) -> Result<Fetched, Error>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Credentials, Error>>,
{
    let key = cache_key(request, &settings.env);
    if !settings.enabled {
        // Keys are neither read nor written, nor the directory made, but in one that exists the
        // lock is tried once: held by an ancestor, this call is nested inside that one's and
        // would loop; free, it is held so that a nested call finds it.
        let dir = settings.dir.as_deref().filter(|dir| private_dir(dir));
        let _held = match dir {
            Some(dir) => held_unless_nested(lock::acquire(dir, &key, Duration::ZERO).await, request)?,
            None => None,
        };
        return Ok(Fetched { credentials: assume().await?, source: Source::Sts, disk_cache_off: None });
    }
    let margin = settings.margin(request.duration_seconds);
    let fresh = |role: &Credentials| entry::is_fresh(role.expiration, margin);
    let slot = slot(&key);
    let mut memory = slot.lock().await;
    // The directory is made or tightened here, once; why it cannot be used goes back with the keys.
    let disk_cache_off = disk_cache_off(settings);
    let dir = settings.dir.as_deref().filter(|_| disk_cache_off.is_none());
    let answer = |credentials, source| Ok(Fetched { credentials, source, disk_cache_off: disk_cache_off.clone() });

    // Another caller may have filled the memory while this one waited for it. The disk was
    // read just before (see `peek`) and is read again once the lock is held.
    if let Some(role) = memory.as_ref().filter(|r| !settings.force_refresh && fresh(r)) {
        return answer(role.clone(), Source::Cache);
    }
    let _held = match dir {
        Some(dir) => held_unless_nested(lock::acquire(dir, &key, LOCK_TIMEOUT).await, request)?,
        None => None,
    };
    if let (Some(dir), false) = (dir, settings.force_refresh) {
        if let Some(role) = entry::read(dir, &key, request).filter(fresh) {
            *memory = Some(role.clone());
            return answer(role, Source::Cache);
        }
    }
    let role = assume().await?;
    if let Some(dir) = dir {
        // A cache that cannot be written costs a round trip next time, not this command.
        let _ = entry::write(dir, &key, &role, &settings.label);
    }
    *memory = Some(role.clone());
    answer(role, Source::Sts)
}

/// The lock if it was had; the loop error when an ancestor process holds it (its base identity
/// runs this same resolve, e.g. through `credential_process`), which waiting would never end.
fn held_unless_nested(acquired: lock::Acquired, request: &AssumeRoleRequest) -> Result<Option<lock::Held>, Error> {
    match acquired {
        lock::Acquired::Held(held) => Ok(Some(held)),
        lock::Acquired::NotHeld => Ok(None),
        lock::Acquired::ByAncestor => Err(Error::CredentialProcessLoop { role_arn: request.role_arn.clone() }),
    }
}

/// Why the disk cache is off for `settings`, when it is on and its directory cannot be used (a
/// symlink, not a directory, not creatable, shared and not tightenable); `None` when it works
/// or is off by choice. For one debug line: the cache itself just goes on in memory.
pub(crate) fn disk_cache_off(settings: &CacheSettings) -> Option<String> {
    if !settings.enabled {
        return None;
    }
    match settings.dir.as_deref() {
        None => Some("no cache directory (no home directory, and SERVERLESS_ACCESS_ROLES_CACHE_DIR unset)".to_owned()),
        Some(dir) => usable_dir(dir).err(),
    }
}

/// Creates the cache directory private to the user (0700), or tightens one that is not; the
/// reason when it cannot be used, and then the disk cache is not used.
fn usable_dir(dir: &Path) -> Result<(), String> {
    let shown = || crate::text::escape_control(&dir.display().to_string());
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        builder.mode(0o700);
        builder.create(dir).map_err(|e| format!("cannot create {}: {e}", shown()))?;
        let meta = std::fs::symlink_metadata(dir).map_err(|e| format!("cannot read {}: {e}", shown()))?;
        if meta.file_type().is_symlink() {
            return Err(format!("{} is a symlink; use a real directory", shown()));
        }
        if !meta.is_dir() {
            return Err(format!("{} is not a directory", shown()));
        }
        if !entry::private_to_user(&meta) {
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
            if !private_dir(dir) {
                return Err(format!("{} belongs to another user or cannot be made private (0700)", shown()));
            }
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        builder.create(dir).map_err(|e| format!("cannot create {}: {e}", shown()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_symlinked_or_unusable_cache_directory_is_off_and_says_why() {
        let root = tempfile::tempdir().unwrap();
        let real = root.path().join("real");
        std::fs::create_dir(&real).unwrap();
        std::os::unix::fs::symlink(&real, root.path().join("link")).unwrap();
        std::fs::write(root.path().join("file"), "").unwrap();
        let off = |dir: &Path| disk_cache_off(&CacheSettings { dir: Some(dir.to_owned()), ..settings(None) });
        assert!(off(&root.path().join("link")).unwrap().ends_with("link is a symlink; use a real directory"));
        assert!(off(&root.path().join("file")).unwrap().contains("cannot create"));
        assert_eq!(off(&real), None);
        assert_eq!(disk_cache_off(&CacheSettings { enabled: false, ..settings(None) }), None);
    }
    use crate::credentials::Secret;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::SystemTime;

    /// A request per test, each for a role named `r` (under its own path), whose sessions
    /// [`keys`] hands out.
    fn request(path: &str) -> AssumeRoleRequest {
        AssumeRoleRequest::plain(&format!("arn:aws:iam::111111111111:role/{path}/r"))
    }

    fn keys(lifetime: Duration, id: usize) -> Credentials {
        Credentials {
            access_key_id: format!("ASIA{id}"),
            secret_access_key: Secret::new("s"),
            session_token: Secret::new("t"),
            expiration: SystemTime::now() + lifetime,
            assumed_role_arn: "arn:aws:sts::111111111111:assumed-role/r/s".to_owned(),
            region: "us-east-1".to_owned(),
        }
    }

    /// An environment of no variables: the cache's tests read nothing from the process's.
    fn env() -> Env {
        Env::from_slice(&[])
    }

    fn settings(dir: Option<&Path>) -> CacheSettings {
        CacheSettings {
            enabled: true,
            force_refresh: false,
            refresh_margin: None,
            dir: dir.map(Path::to_owned),
            env: env(),
            label: Label::default(),
        }
    }

    #[tokio::test]
    async fn concurrent_callers_for_one_key_share_one_call_and_keys_differ_per_role() {
        let calls = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..100)
            .map(|i| {
                let calls = calls.clone();
                tokio::spawn(async move {
                    let request = request(&format!("single-flight-{}", i % 4));
                    fetch(&request, &settings(None), || async move {
                        let n = calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        Ok(keys(Duration::from_secs(3600), n))
                    })
                    .await
                    .unwrap()
                })
            })
            .collect();
        let mut sources = HashMap::new();
        for task in tasks {
            let source = task.await.unwrap().source;
            *sources.entry(source).or_insert(0) += 1;
        }
        assert_eq!(calls.load(Ordering::SeqCst), 4);
        assert_eq!((sources[&Source::Sts], sources[&Source::Cache]), (4, 96));
    }

    #[tokio::test]
    async fn disk_entries_serve_a_new_process_and_stale_ones_do_not() {
        let dir = tempfile::tempdir().unwrap();
        let request = request("disk");
        let first = fetch(&request, &settings(Some(dir.path())), || async { Ok(keys(Duration::from_secs(3600), 1)) })
            .await
            .unwrap();
        assert_eq!(first.source, Source::Sts);
        // A new process has an empty memory: this one's is forgotten, and both ways a resolve
        // reads (the warm start's peek, then fetch) answer from the disk without STS.
        let new_process = |request: &AssumeRoleRequest| {
            MEMORY.lock().unwrap().remove(&cache_key(request, &env()));
        };
        new_process(&request);
        assert_eq!(peek(&request, &settings(Some(dir.path()))).unwrap().access_key_id, "ASIA1");
        new_process(&request);
        let no_sts = || async { Err(Error::Sts { sts_code: "Unexpected".into(), message: "called".into() }) };
        let second = fetch(&request, &settings(Some(dir.path())), no_sts).await.unwrap();
        assert_eq!((second.credentials.access_key_id.as_str(), second.source), ("ASIA1", Source::Cache));

        let stale = self::request("stale");
        fetch(&stale, &settings(Some(dir.path())), || async { Ok(keys(Duration::from_secs(600), 2)) }).await.unwrap();
        new_process(&stale);
        assert!(peek(&stale, &settings(Some(dir.path()))).is_none(), "a stale entry is no answer");
        new_process(&stale);
        let again = fetch(&stale, &settings(Some(dir.path())), || async { Ok(keys(Duration::from_secs(3600), 3)) })
            .await
            .unwrap();
        assert_eq!(
            (again.credentials.access_key_id.as_str(), again.source),
            ("ASIA3", Source::Sts),
            "10 minutes left is inside the margin"
        );
    }

    #[tokio::test]
    async fn force_refresh_and_disabled_cache_always_call_sts() {
        let dir = tempfile::tempdir().unwrap();
        let request = request("forced");
        fetch(&request, &settings(Some(dir.path())), || async { Ok(keys(Duration::from_secs(3600), 1)) })
            .await
            .unwrap();
        let forced = CacheSettings { force_refresh: true, ..settings(Some(dir.path())) };
        let Fetched { credentials: role, source, .. } =
            fetch(&request, &forced, || async { Ok(keys(Duration::from_secs(3600), 2)) }).await.unwrap();
        assert_eq!((role.access_key_id.as_str(), source), ("ASIA2", Source::Sts));
        let disabled = CacheSettings { enabled: false, ..settings(Some(dir.path())) };
        let Fetched { credentials: role, source, .. } =
            fetch(&request, &disabled, || async { Ok(keys(Duration::from_secs(3600), 3)) }).await.unwrap();
        assert_eq!((role.access_key_id.as_str(), source), ("ASIA3", Source::Sts));
        let cached = fetch(&request, &settings(Some(dir.path())), || async { Ok(keys(Duration::from_secs(3600), 4)) })
            .await
            .unwrap();
        assert_eq!(cached.credentials.access_key_id, "ASIA2", "a disabled cache neither reads nor writes");
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn peek_reads_a_fresh_entry_in_a_private_directory_and_nothing_else() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let (fresh, stale) = (request("peek-disk"), request("peek-disk-stale"));
        for (request, lifetime) in [(&fresh, 3600), (&stale, 60)] {
            let role = keys(Duration::from_secs(lifetime), 5);
            entry::write(dir.path(), &cache_key(request, &env()), &role, &Label::default()).unwrap();
        }
        // A directory others may use is left to fetch, which tightens it first.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(peek(&fresh, &settings(Some(dir.path()))).is_none());
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        assert_eq!(peek(&fresh, &settings(Some(dir.path()))).unwrap().access_key_id, "ASIA5");
        assert!(peek(&stale, &settings(Some(dir.path()))).is_none(), "inside the margin");
        // A link to the directory is never followed, here as in fetch.
        let link = tempfile::tempdir().unwrap();
        let linked = link.path().join("cache");
        std::os::unix::fs::symlink(dir.path(), &linked).unwrap();
        let other = request("peek-disk-link");
        entry::write(dir.path(), &cache_key(&other, &env()), &keys(Duration::from_secs(3600), 6), &Label::default())
            .unwrap();
        assert!(peek(&other, &settings(Some(&linked))).is_none());
        assert!(peek(&other, &settings(Some(dir.path()))).is_some());
    }

    #[tokio::test]
    async fn peek_sees_only_fresh_keys_held_in_memory() {
        let request = request("peek");
        assert!(peek(&request, &settings(None)).is_none());
        fetch(&request, &settings(None), || async { Ok(keys(Duration::from_secs(3600), 7)) }).await.unwrap();
        assert_eq!(peek(&request, &settings(None)).unwrap().access_key_id, "ASIA7");
        let forced = CacheSettings { force_refresh: true, ..settings(None) };
        assert!(peek(&request, &forced).is_none());
        let stale = self::request("peek-stale");
        fetch(&stale, &settings(None), || async { Ok(keys(Duration::from_secs(60), 8)) }).await.unwrap();
        assert!(peek(&stale, &settings(None)).is_none());
    }

    #[tokio::test]
    async fn errors_are_not_cached() {
        let request = request("failing");
        let err = fetch(&request, &settings(None), || async {
            Err(Error::Sts { sts_code: "Throttling".to_owned(), message: "slow down".to_owned() })
        })
        .await
        .unwrap_err();
        assert_eq!(err.code(), "E_STS_ERROR");
        let fetched =
            fetch(&request, &settings(None), || async { Ok(keys(Duration::from_secs(3600), 1)) }).await.unwrap();
        assert_eq!(fetched.source, Source::Sts);
    }

    #[test]
    fn the_margin_is_at_most_half_the_lifetime() {
        let s = settings(None);
        assert_eq!(s.margin(3600), Duration::from_secs(900));
        assert_eq!(s.margin(900), Duration::from_secs(450));
        let custom = CacheSettings { refresh_margin: Some(Duration::from_secs(60)), ..settings(None) };
        assert_eq!(custom.margin(3600), Duration::from_secs(60));
    }

    #[test]
    fn the_cache_directory_is_the_variable_else_the_platform_cache() {
        let named = Env::from_slice(&[("SERVERLESS_ACCESS_ROLES_CACHE_DIR", "/tmp/sar-cache"), ("HOME", "/home/ana")]);
        assert_eq!(CacheSettings::default_dir(&named), Some(PathBuf::from("/tmp/sar-cache")));
        let platform = Env::from_slice(&[("HOME", "/home/ana"), ("XDG_CACHE_HOME", "/xdg"), ("LOCALAPPDATA", "/xdg")]);
        let expected = if cfg!(target_os = "macos") { "/home/ana/Library/Caches" } else { "/xdg" };
        assert_eq!(CacheSettings::default_dir(&platform), Some(Path::new(expected).join("serverless-access-roles")));
        assert_eq!(CacheSettings::default_dir(&env()), None, "no home, no cache directory: memory only");
    }

    #[cfg(unix)]
    #[test]
    fn the_cache_directory_is_created_private() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        assert_eq!(usable_dir(&dir), Ok(()));
        assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(usable_dir(&dir), Ok(()));
        assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
    }
}
