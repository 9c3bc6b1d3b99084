//! The loop guard: one owner for "this resolve is its own base identity".
//!
//! A base identity whose credential chain runs this package's bin (an AWS profile with
//! `credential_process = serverless-access-roles credential-process …`) may come back to the
//! resolve that runs it: the nested run needs the keys the outer one is waiting for. The outer
//! run holds the key's guard lock while it resolves, marked with `chain` (see [`super::lock`]); a
//! nested run of the same key finds its ancestor holding it, stops with
//! `E_CREDENTIAL_PROCESS_LOOP` and leaves a note in the lock file, and the outer run, whose base
//! identity then fails, reads the note and fails with the same error. A process that its
//! ancestor started any other way (a script that runs the bin while resolving) waits for the
//! lock and reads the keys the ancestor cached.
//!
//! The guard's locks live apart from the cache, in `serverless-access-roles-locks-UID` of the
//! system's temporary directory, so that a nested run finds its ancestor's lock whatever cache
//! directory either uses, or whether either uses one at all (`--no-cache`). Each is removed when
//! its holder is done.

use super::dir::guard_dir;
use super::lock::{self, Acquired, Held};
use super::CacheSettings;
use crate::credentials::Credentials;
use crate::error::Error;
use crate::plan::AssumeRoleRequest;
use std::path::PathBuf;
use std::time::Duration;

/// The guard's lock of one key, held while this process resolves it; removed when dropped.
pub(super) struct Guard {
    held: Option<Held>,
    path: PathBuf,
}

impl Drop for Guard {
    fn drop(&mut self) {
        // Removed while held: a process waiting on it takes the lock on a new file (see
        // `lock::acquire`), and no file is left per key.
        let _ = std::fs::remove_file(&self.path);
        self.held.take();
    }
}

/// Takes the guard's lock of `key`, waiting at most `timeout` for another process resolving it;
/// the loop error when an ancestor whose chain started this process holds it. `None` when the
/// lock could not be had (another holder for the whole timeout, no usable directory).
pub(super) async fn enter(
    key: &str,
    timeout: Duration,
    request: &AssumeRoleRequest,
    settings: &CacheSettings,
) -> Result<Option<Guard>, Error> {
    let Some(dir) = guard_dir(settings.context.env()) else { return Ok(None) };
    let first = request.hops().first().copied().unwrap_or(request);
    let chain = crate::aws_profiles::chain_runs_bin(&settings.context, first.base_profile.as_deref());
    match lock::acquire(&dir, key, timeout, chain).await {
        Acquired::Held(held) => Ok(Some(Guard { held: Some(held), path: lock::lock_path(&dir, key) })),
        Acquired::NotHeld => Ok(None),
        Acquired::Loop => Err(loop_error(request)),
    }
}

/// `assumed`, or the loop error when it failed because a process its chain started found this
/// resolve's lock (see the module's description).
pub(super) fn checked(
    assumed: Result<Credentials, Error>,
    guard: Option<&Guard>,
    request: &AssumeRoleRequest,
) -> Result<Credentials, Error> {
    match assumed {
        Err(_) if guard.and_then(|g| g.held.as_ref()).is_some_and(Held::loop_reported) => Err(loop_error(request)),
        other => other,
    }
}

fn loop_error(request: &AssumeRoleRequest) -> Error {
    Error::CredentialProcessLoop { role_arn: request.role_arn.clone() }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::context::Context;
    use crate::env::Env;

    const ROLE: &str = "arn:aws:iam::111111111111:role/r";

    /// Settings of a process whose temporary directory is its own.
    fn settings() -> (tempfile::TempDir, CacheSettings) {
        let temp = tempfile::tempdir().unwrap();
        let context = Context::new(Env::from_slice(&[("TMPDIR", temp.path().to_str().unwrap())]));
        let settings = CacheSettings {
            enabled: true,
            force_refresh: false,
            refresh_margin: None,
            dir: None,
            context,
            label: Default::default(),
        };
        (temp, settings)
    }

    fn lock_file(settings: &CacheSettings, key: &str) -> PathBuf {
        lock::lock_path(&guard_dir(settings.context.env()).unwrap(), key)
    }

    fn failed() -> Result<Credentials, Error> {
        Err(Error::Sts { sts_code: "Throttling".to_owned(), message: "slow down".to_owned() })
    }

    #[tokio::test]
    async fn the_guard_lock_is_held_while_resolving_and_removed_after() {
        let (_temp, settings) = settings();
        let request = AssumeRoleRequest::plain(ROLE);
        let guard = enter("k", Duration::ZERO, &request, &settings).await.unwrap().expect("held");
        assert!(lock_file(&settings, "k").exists());
        let waiter = enter("k", Duration::from_millis(30), &request, &settings).await.unwrap();
        assert!(waiter.is_none(), "another resolve of the key waits, then goes ahead without it");
        drop(guard);
        assert!(!lock_file(&settings, "k").exists(), "no file is left per key");
        assert!(enter("k", Duration::ZERO, &request, &settings).await.unwrap().is_some(), "free again");
    }

    #[tokio::test]
    async fn a_failure_after_the_chain_came_back_is_the_loop_error_and_any_other_outcome_stands() {
        use std::io::Write;
        let (_temp, settings) = settings();
        let request = AssumeRoleRequest::plain(ROLE);
        let guard = enter("k", Duration::ZERO, &request, &settings).await.unwrap().expect("held");
        assert!(matches!(checked(failed(), Some(&guard), &request), Err(Error::Sts { .. })));
        // What a run the chain started writes when it finds this resolve holding the lock.
        let mut file = std::fs::OpenOptions::new().append(true).open(lock_file(&settings, "k")).unwrap();
        file.write_all(b"\nloop").unwrap();
        match checked(failed(), Some(&guard), &request) {
            Err(Error::CredentialProcessLoop { role_arn }) => assert_eq!(role_arn, ROLE),
            other => panic!("{other:?}"),
        }
        let keys = Credentials {
            access_key_id: "ASIA".to_owned(),
            secret_access_key: crate::credentials::Secret::new("s"),
            session_token: crate::credentials::Secret::new("t"),
            expiration: std::time::SystemTime::now(),
            assumed_role_arn: "arn:aws:sts::111111111111:assumed-role/r/s".to_owned(),
            region: "us-east-1".to_owned(),
        };
        assert!(checked(Ok(keys), Some(&guard), &request).is_ok(), "keys had are keys");
        assert!(matches!(checked(failed(), None, &request), Err(Error::Sts { .. })), "no guard held");
    }

    #[cfg(any(target_os = "linux", target_os = "macos"))]
    #[tokio::test]
    async fn a_run_its_ancestors_chain_started_stops_at_once_with_the_loop_error() {
        let (_temp, settings) = settings();
        let dir = guard_dir(settings.context.env()).unwrap();
        let Acquired::Held(_ancestor) = lock::acquire(&dir, "k", Duration::ZERO, true).await else { panic!("held") };
        // The line the holder writes, as this test's parent would have written it.
        std::fs::write(lock::lock_path(&dir, "k"), format!("{} chain", std::os::unix::process::parent_id())).unwrap();
        match enter("k", Duration::from_secs(5), &AssumeRoleRequest::plain(ROLE), &settings).await {
            Err(err @ Error::CredentialProcessLoop { .. }) => assert_eq!(err.code(), "E_CREDENTIAL_PROCESS_LOOP"),
            other => panic!("{:?}", other.map(|guard| guard.is_some())),
        }
    }
}
