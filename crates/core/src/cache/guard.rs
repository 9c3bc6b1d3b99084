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
