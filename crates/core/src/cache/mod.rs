//! Reusing assumed keys: in memory within a process, on disk across commands, and one STS call
//! per key however many callers ask at once.
//!
//! For one key, [`fetch`]:
//! 1. waits its turn behind other callers in this process (single flight);
//! 2. returns the keys in memory, else the disk entry, while they are fresh;
//! 3. takes the cross-process lock and looks at the disk entry again (another process may have
//!    just written it);
//! 4. calls STS, writes the entry, and releases the lock.

mod dir;
mod entry;
mod guard;
mod key;
mod list_clear;
mod lock;

pub use dir::CacheDir;
#[cfg(test)]
pub(crate) use entry::decode as decode_entry;
pub use entry::{Label, Summary};
pub(crate) use key::cache_key;
pub use list_clear::{clear, list, Filter};

use crate::context::Context;
use crate::credentials::Credentials;
use crate::credentials::Source;
use crate::error::Error;
use crate::plan::AssumeRoleRequest;
use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

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
    pub dir: Option<CacheDir>,
    /// The base identity's context: its environment's base identity and endpoint variables go
    /// into the key, its clock says what is fresh, and its memory holds the keys.
    pub context: Context,
    /// What the keys are resolved for, written into the entry for `cache list` and `cache clear`.
    pub label: Label,
}

impl CacheSettings {
    /// How long before expiry credentials for a `duration_seconds` session stop being handed
    /// out: the refresh margin, at most half the lifetime. The one refresh rule of the project.
    pub(crate) fn margin(&self, duration_seconds: u32) -> Duration {
        let margin = self.refresh_margin.unwrap_or(Duration::from_secs(15 * 60));
        margin.min(Duration::from_secs(u64::from(duration_seconds) / 2))
    }
}

/// One key's slot: the lock serialises callers, the value is the last keys.
type Slot = Arc<tokio::sync::Mutex<Option<Credentials>>>;

/// A context's slots, by cache key.
pub(crate) type KeyMemory = Mutex<HashMap<String, Slot>>;

fn slot(context: &Context, key: &str) -> Slot {
    let mut slots = context.memory().keys.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    slots.entry(key.to_owned()).or_default().clone()
}

/// Fresh keys for `request` without waiting: those the context holds, else a fresh entry in a
/// cache directory that already is private to the user (one to make or tighten is left to
/// [`fetch`]). `None` when another caller is busy with the key; never calls STS.
///
/// A warm start is answered here, off the async runtime (BENCHMARKS.md): entries are written
/// whole by a rename, so reading one needs no lock.
pub(crate) fn peek(request: &AssumeRoleRequest, settings: &CacheSettings) -> Option<Credentials> {
    if !settings.enabled || settings.force_refresh {
        return None;
    }
    let key = cache_key(request, &settings.context);
    let slot = slot(&settings.context, &key);
    let mut memory = slot.try_lock().ok()?;
    let now = settings.context.now();
    let fresh = |role: &Credentials| entry::is_fresh(role.expiration, settings.margin(request.duration_seconds), now);
    if let Some(role) = memory.as_ref().filter(|r| fresh(r)) {
        return Some(role.clone());
    }
    let dir = settings.dir.as_ref().and_then(CacheDir::in_use)?;
    let role = entry::read(&dir, &key, request, now).filter(fresh)?;
    *memory = Some(role.clone());
    Some(role)
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
    let key = cache_key(request, &settings.context);
    if !settings.enabled {
        // Keys are neither read nor written, nor the directory made, but the loop guard is
        // tried once: held by an ancestor whose chain started this process, the call would loop;
        // free, it is held so that such a nested call finds it.
        let held = guard::enter(&key, Duration::ZERO, request, settings).await?;
        let credentials = guard::checked(assume().await, held.as_ref(), request)?;
        return Ok(Fetched { credentials, source: Source::Sts, disk_cache_off: None });
    }
    let margin = settings.margin(request.duration_seconds);
    let now = || settings.context.now();
    let fresh = |role: &Credentials| entry::is_fresh(role.expiration, margin, now());
    let slot = slot(&settings.context, &key);
    let mut memory = slot.lock().await;
    // The directory is made or tightened here, once; why it cannot be used goes back with the keys.
    let (dir, disk_cache_off) = match disk_dir(settings) {
        Ok(dir) => (dir, None),
        Err(why) => (None, Some(why)),
    };
    let dir = dir.as_deref();
    let answer = |credentials, source| Ok(Fetched { credentials, source, disk_cache_off: disk_cache_off.clone() });

    // Another caller may have filled the memory while this one waited for it. The disk was
    // read just before (see `peek`) and is read again once the lock is held.
    if let Some(role) = memory.as_ref().filter(|r| !settings.force_refresh && fresh(r)) {
        return answer(role.clone(), Source::Cache);
    }
    // The guard first: a process its ancestor's chain started stops here at once, and any other
    // waits its turn, then takes the cache's own lock (free by then, unless another process
    // with no usable guard directory holds it).
    let held = guard::enter(&key, LOCK_TIMEOUT, request, settings).await?;
    let _cache_lock = match dir {
        Some(dir) => Some(lock::acquire(dir, &key, LOCK_TIMEOUT, false).await),
        None => None,
    };
    if let (Some(dir), false) = (dir, settings.force_refresh) {
        if let Some(role) = entry::read(dir, &key, request, now()).filter(fresh) {
            *memory = Some(role.clone());
            return answer(role, Source::Cache);
        }
    }
    let role = guard::checked(assume().await, held.as_ref(), request)?;
    if let Some(dir) = dir {
        // A cache that cannot be written costs a round trip next time, not this command.
        let _ = entry::write(dir, &key, &role, &settings.label);
    }
    *memory = Some(role.clone());
    answer(role, Source::Sts)
}

/// The private directory the disk cache of `settings` writes into, made when missing (see
/// [`CacheDir`]); `None` when the cache is off by choice; why it cannot be used (a symlink, not a
/// directory, not creatable, another user's), for one debug line: the cache itself just goes on
/// in memory.
fn disk_dir(settings: &CacheSettings) -> Result<Option<PathBuf>, String> {
    if !settings.enabled {
        return Ok(None);
    }
    match &settings.dir {
        None => Err("no cache directory (no home directory, and SERVERLESS_ACCESS_ROLES_CACHE_DIR unset)".to_owned()),
        Some(dir) => dir.prepare().map(Some),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    use crate::credentials::Secret;
    use crate::env::Env;
    use std::path::Path;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::SystemTime;

    /// A request for a role named `r` under `path` (roles apart), whose sessions [`keys`] hands out.
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

    /// A temporary directory private to the user, as the cache uses a named one as it is.
    pub(crate) fn private_tempdir() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        #[cfg(unix)]
        std::fs::set_permissions(dir.path(), std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
        dir
    }

    /// A process of a test's own: no variables but a temporary directory (for the loop guard's
    /// locks) of its own, and an empty memory. Tests share nothing, so every test may use the
    /// same role.
    struct World {
        context: Context,
        _temp: tempfile::TempDir,
    }

    fn world() -> World {
        let temp = tempfile::tempdir().unwrap();
        let context = Context::new(Env::from_slice(&[("TMPDIR", temp.path().to_str().unwrap())]));
        World { context, _temp: temp }
    }

    impl World {
        /// Another process of the same machine: same variables, an empty memory.
        fn new_process(&self) -> Context {
            Context::new(self.context.env().clone())
        }

        fn settings(&self, dir: Option<&Path>) -> CacheSettings {
            settings(&self.context, dir)
        }
    }

    fn settings(context: &Context, dir: Option<&Path>) -> CacheSettings {
        CacheSettings {
            enabled: true,
            force_refresh: false,
            refresh_margin: None,
            dir: dir.and_then(|dir| CacheDir::chosen(Some(dir), context.env())),
            context: context.clone(),
            label: Label::default(),
        }
    }

    #[tokio::test]
    async fn concurrent_callers_for_one_key_share_one_call_and_keys_differ_per_role() {
        let world = world();
        let calls = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..100)
            .map(|i| {
                let calls = calls.clone();
                let settings = world.settings(None);
                tokio::spawn(async move {
                    let request = request(&format!("r{}", i % 4));
                    fetch(&request, &settings, || async move {
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
    async fn another_context_holds_no_keys_of_this_one() {
        let world = world();
        let request = request("r");
        fetch(&request, &world.settings(None), || async { Ok(keys(Duration::from_secs(3600), 1)) }).await.unwrap();
        assert_eq!(peek(&request, &world.settings(None)).unwrap().access_key_id, "ASIA1");
        assert!(peek(&request, &settings(&world.new_process(), None)).is_none(), "no disk cache: nothing shared");
    }

    #[tokio::test]
    async fn disk_entries_serve_a_new_process_and_stale_ones_do_not() {
        let (world, dir) = (world(), private_tempdir());
        let request = request("r");
        let first =
            fetch(&request, &world.settings(Some(dir.path())), || async { Ok(keys(Duration::from_secs(3600), 1)) })
                .await
                .unwrap();
        assert_eq!(first.source, Source::Sts);
        // A new process has an empty memory: both ways a resolve reads (the warm start's peek,
        // then fetch) answer from the disk without STS.
        let in_new_process = || settings(&world.new_process(), Some(dir.path()));
        assert_eq!(peek(&request, &in_new_process()).unwrap().access_key_id, "ASIA1");
        let no_sts = || async { Err(Error::Sts { sts_code: "Unexpected".into(), message: "called".into() }) };
        let second = fetch(&request, &in_new_process(), no_sts).await.unwrap();
        assert_eq!((second.credentials.access_key_id.as_str(), second.source), ("ASIA1", Source::Cache));

        // The same entry, 50 minutes later: 10 minutes left is inside the margin.
        let later = || {
            let context = world.new_process().with_clock(crate::context::Clock::Ahead(Duration::from_secs(3000)));
            settings(&context, Some(dir.path()))
        };
        assert!(peek(&request, &later()).is_none(), "a stale entry is no answer");
        let again = fetch(&request, &later(), || async { Ok(keys(Duration::from_secs(6000), 3)) }).await.unwrap();
        assert_eq!((again.credentials.access_key_id.as_str(), again.source), ("ASIA3", Source::Sts));
        let stale = self::request("stale");
        fetch(&stale, &world.settings(Some(dir.path())), || async { Ok(keys(Duration::from_secs(600), 2)) })
            .await
            .unwrap();
        assert!(peek(&stale, &in_new_process()).is_none(), "10 minutes left is inside the margin");
    }

    #[tokio::test]
    async fn force_refresh_and_disabled_cache_always_call_sts() {
        let (world, dir) = (world(), private_tempdir());
        let request = request("r");
        fetch(&request, &world.settings(Some(dir.path())), || async { Ok(keys(Duration::from_secs(3600), 1)) })
            .await
            .unwrap();
        let forced = CacheSettings { force_refresh: true, ..world.settings(Some(dir.path())) };
        let Fetched { credentials: role, source, .. } =
            fetch(&request, &forced, || async { Ok(keys(Duration::from_secs(3600), 2)) }).await.unwrap();
        assert_eq!((role.access_key_id.as_str(), source), ("ASIA2", Source::Sts));
        let disabled = CacheSettings { enabled: false, ..world.settings(Some(dir.path())) };
        let Fetched { credentials: role, source, .. } =
            fetch(&request, &disabled, || async { Ok(keys(Duration::from_secs(3600), 3)) }).await.unwrap();
        assert_eq!((role.access_key_id.as_str(), source), ("ASIA3", Source::Sts));
        let cached =
            fetch(&request, &world.settings(Some(dir.path())), || async { Ok(keys(Duration::from_secs(3600), 4)) })
                .await
                .unwrap();
        assert_eq!(cached.credentials.access_key_id, "ASIA2", "a disabled cache neither reads nor writes");
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn peek_reads_a_fresh_entry_in_a_private_directory_and_nothing_else() {
        use std::os::unix::fs::PermissionsExt;
        let (world, dir) = (world(), private_tempdir());
        let (fresh, stale) = (request("r"), request("stale"));
        for (request, lifetime) in [(&fresh, 3600), (&stale, 60)] {
            let role = keys(Duration::from_secs(lifetime), 5);
            entry::write(dir.path(), &cache_key(request, &world.context), &role, &Label::default()).unwrap();
        }
        // Entries in a named directory others may use are not read: its own subdirectory would be.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(peek(&fresh, &world.settings(Some(dir.path()))).is_none());
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        assert_eq!(peek(&fresh, &world.settings(Some(dir.path()))).unwrap().access_key_id, "ASIA5");
        assert!(peek(&stale, &world.settings(Some(dir.path()))).is_none(), "inside the margin");
        // A link to the directory is never followed, here as in fetch.
        let link = tempfile::tempdir().unwrap();
        let linked = link.path().join("cache");
        std::os::unix::fs::symlink(dir.path(), &linked).unwrap();
        let other = request("linked");
        let key = cache_key(&other, &world.context);
        entry::write(dir.path(), &key, &keys(Duration::from_secs(3600), 6), &Label::default()).unwrap();
        assert!(peek(&other, &world.settings(Some(&linked))).is_none());
        assert!(peek(&other, &world.settings(Some(dir.path()))).is_some());
    }

    #[tokio::test]
    async fn peek_sees_only_fresh_keys_held_in_memory() {
        let world = world();
        let request = request("r");
        assert!(peek(&request, &world.settings(None)).is_none());
        fetch(&request, &world.settings(None), || async { Ok(keys(Duration::from_secs(3600), 7)) }).await.unwrap();
        assert_eq!(peek(&request, &world.settings(None)).unwrap().access_key_id, "ASIA7");
        let forced = CacheSettings { force_refresh: true, ..world.settings(None) };
        assert!(peek(&request, &forced).is_none());
        let stale = self::request("stale");
        fetch(&stale, &world.settings(None), || async { Ok(keys(Duration::from_secs(60), 8)) }).await.unwrap();
        assert!(peek(&stale, &world.settings(None)).is_none());
    }

    #[tokio::test]
    async fn errors_are_not_cached() {
        let world = world();
        let request = request("r");
        let err = fetch(&request, &world.settings(None), || async {
            Err(Error::Sts { sts_code: "Throttling".to_owned(), message: "slow down".to_owned() })
        })
        .await
        .unwrap_err();
        assert_eq!(err.code(), "E_STS_ERROR");
        let fetched =
            fetch(&request, &world.settings(None), || async { Ok(keys(Duration::from_secs(3600), 1)) }).await.unwrap();
        assert_eq!(fetched.source, Source::Sts);
    }

    #[test]
    fn the_margin_is_at_most_half_the_lifetime() {
        let s = world().settings(None);
        assert_eq!(s.margin(3600), Duration::from_secs(900));
        assert_eq!(s.margin(900), Duration::from_secs(450));
        let custom = CacheSettings { refresh_margin: Some(Duration::from_secs(60)), ..world().settings(None) };
        assert_eq!(custom.margin(3600), Duration::from_secs(60));
    }
}
