//! The loop guard: one owner for "this resolve is its own base identity".
//!
//! A base identity whose credential chain runs this package's bin (an AWS profile with
//! `credential_process = serverless-access-roles credential-process …`) may come back to the
//! resolve that runs it: the nested run needs the keys the outer one is waiting for. The outer
//! run holds the key's lock while it resolves, marked with `chain` (see [`super::lock`]); a
//! nested run of the same key finds its ancestor holding it, stops with
//! `E_CREDENTIAL_PROCESS_LOOP` and leaves a note in the lock file, and the outer run, whose base
//! identity then fails, reads the note and fails with the same error. A process that its
//! ancestor started any other way (a script that runs the bin while resolving) waits for the
//! lock and reads the keys the ancestor cached.
//!
//! Without a usable cache directory the lock is taken in a private directory of the system's
//! temporary directory, only for the guard.

use super::dir::guard_dir;
use super::lock::{self, Acquired, Held};
use super::CacheSettings;
use crate::credentials::Credentials;
use crate::error::Error;
use crate::plan::AssumeRoleRequest;
use std::path::Path;
use std::time::Duration;

/// Takes the lock of `key` in `dir` (waiting at most `timeout`), or, without a directory, tries
/// it once in the guard's own directory; the loop error when the chain of an ancestor holding
/// it started this process.
pub(super) async fn enter(
    dir: Option<&Path>,
    key: &str,
    timeout: Duration,
    request: &AssumeRoleRequest,
    settings: &CacheSettings,
) -> Result<Option<Held>, Error> {
    let first = request.hops().first().copied().unwrap_or(request);
    let chain = crate::aws_profiles::chain_runs_bin(&settings.env, first.base_profile.as_deref());
    let acquired = match dir {
        Some(dir) => lock::acquire(dir, key, timeout, chain).await,
        None => match guard_dir(&settings.env) {
            Some(dir) => lock::acquire(&dir, key, Duration::ZERO, chain).await,
            None => Acquired::NotHeld,
        },
    };
    match acquired {
        Acquired::Held(held) => Ok(Some(held)),
        Acquired::NotHeld => Ok(None),
        Acquired::Loop => Err(loop_error(request)),
    }
}

/// `assumed`, or the loop error when it failed because a process its chain started found this
/// resolve's lock (see the module's description).
pub(super) fn checked(assumed: Result<Credentials, Error>, held: Option<&Held>, request: &AssumeRoleRequest) -> Result<Credentials, Error> {
    match assumed {
        Err(_) if held.is_some_and(Held::loop_reported) => Err(loop_error(request)),
        other => other,
    }
}

fn loop_error(request: &AssumeRoleRequest) -> Error {
    Error::CredentialProcessLoop { role_arn: request.role_arn.clone() }
}
