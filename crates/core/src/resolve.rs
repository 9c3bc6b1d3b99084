//! `resolve`: from an app and stage to assumed-role keys, through the cache.

use crate::aws_profiles::{base_env, own_selected_profile};
use crate::cache::{self, CacheSettings};
use crate::credentials::{AccessRoleCredentials, Secret, Source};
use crate::env::Env;
use crate::error::Error;
use crate::plan::{plan, Plan};
use crate::session_env::session_keys;
use crate::sts::{self, AssumedRole, CallSettings};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

/// Environment variable carrying an MFA code for non-interactive runs (CI).
pub const MFA_CODE_ENV: &str = "SERVERLESS_ACCESS_ROLES_MFA_CODE";

/// How to resolve; every field is optional.
#[derive(Clone, Debug, Default)]
pub struct ResolveOptions {
    /// The profile store to use; when unset, discovery (see [`crate::profiles::Discovery::find`]).
    pub config_path: Option<PathBuf>,
    /// Where discovery starts; when unset, the current directory.
    pub cwd: Option<PathBuf>,
    /// STS region when the profile names none; when unset, the AWS config's, else us-east-1.
    pub region: Option<String>,
    /// AWS config profile of the base identity; wins over the profile's `sourceProfile`.
    pub base_profile: Option<String>,
    /// The Serverless service name, for the `{service}` placeholder.
    pub service: Option<String>,
    /// Reuse keys from the memory and disk cache; when unset, true.
    pub cache: Option<bool>,
    /// Call STS even when cached keys are fresh, and cache the new ones.
    pub force_refresh: bool,
    /// Reuse cached keys only while more than this many seconds are left; when unset, 900.
    pub refresh_margin_seconds: Option<u32>,
    /// Disk cache directory; when unset, see [`CacheSettings::default_dir`].
    pub cache_dir: Option<PathBuf>,
    /// The current code of the profile's MFA device; when unset, `SERVERLESS_ACCESS_ROLES_MFA_CODE`.
    pub mfa_code: Option<Secret>,
    /// Longest time one STS call may take, retries included; when unset, 20 seconds.
    pub timeout_seconds: Option<u32>,
    /// The environment the base identity, the cache key and the session check read; when
    /// unset, the process's. A session's refresh passes the variables as they were before the
    /// session was exported, so the base identity stays the one it started from.
    pub env: Env,
}

impl ResolveOptions {
    fn cache_settings(&self) -> CacheSettings {
        CacheSettings {
            enabled: self.cache.unwrap_or(true),
            force_refresh: self.force_refresh,
            refresh_margin: self.refresh_margin_seconds.map(|s| Duration::from_secs(s.into())),
            dir: self.cache_dir.clone().or_else(CacheSettings::default_dir),
            env: base_env(&self.env),
        }
    }

    fn call_settings(&self) -> CallSettings {
        let from_env = || std::env::var(MFA_CODE_ENV).ok().filter(|c| !c.is_empty()).map(Secret::new);
        CallSettings {
            mfa_code: self.mfa_code.clone().or_else(from_env),
            timeout: Duration::from_secs(self.timeout_seconds.unwrap_or(20).clamp(1, 300).into()),
            // A profile that runs this package's bin is not its own base identity.
            env: base_env(&self.env),
        }
    }
}

/// Resolves temporary keys of the access role that the profile store assigns to `app` and `stage`:
/// [`plan`], then the keys of the session the environment carries (see [`crate::session_env`]),
/// then cached keys while they are fresh (see [`cache::fetch`]), else STS AssumeRole.
///
/// An MFA code is needed only when STS is called, so cached keys spare the prompt.
pub async fn resolve(app: &str, stage: &str, options: &ResolveOptions) -> Result<AccessRoleCredentials, Error> {
    let plan = plan(app, stage, options)?;
    if let Some(keys) = session_keys(&options.env, &plan.request.role_arn, SystemTime::now())? {
        return Ok(credentials(plan, keys, Source::Session));
    }
    let call = options.call_settings();
    let cache_settings = options.cache_settings();
    let fetched = cache::fetch(&plan.request, &cache_settings, || sts::assume_role(&plan.request, &call)).await;
    let (assumed, source) = fetched.map_err(|err| match err {
        // The chain had no base identity once the profile that runs the bin was skipped: say so.
        Error::NoBaseCredentials { base_profile: None, reason, .. } => {
            Error::NoBaseCredentials { base_profile: None, reason, skipped_profile: own_selected_profile(&options.env) }
        }
        other => other,
    })?;
    let disk_cache_off = cache::disk_cache_off(&cache_settings);
    Ok(AccessRoleCredentials { disk_cache_off, ..credentials(plan, assumed, source) })
}

/// The keys [`resolve`] would return from the session environment or this process's memory,
/// without waiting, reading the disk or calling STS; `None` when it would have to do any of those.
pub fn resolve_cached(
    app: &str,
    stage: &str,
    options: &ResolveOptions,
) -> Result<Option<AccessRoleCredentials>, Error> {
    let plan = plan(app, stage, options)?;
    if let Some(keys) = session_keys(&options.env, &plan.request.role_arn, SystemTime::now())? {
        return Ok(Some(credentials(plan, keys, Source::Session)));
    }
    let Some(assumed) = cache::peek(&plan.request, &options.cache_settings()) else { return Ok(None) };
    Ok(Some(credentials(plan, assumed, Source::Cache)))
}

fn credentials(plan: Plan, assumed: AssumedRole, source: Source) -> AccessRoleCredentials {
    AccessRoleCredentials {
        access_key_id: assumed.access_key_id,
        secret_access_key: assumed.secret_access_key,
        session_token: assumed.session_token,
        expiration: assumed.expiration,
        profile: plan.profile,
        role_arn: plan.request.role_arn,
        assumed_role_arn: assumed.assumed_role_arn,
        region: assumed.region,
        source,
        disk_cache_off: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
    }

    #[test]
    fn store_errors_surface_before_any_call_to_aws() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("access-roles.yml"), "profiles: {}\n").unwrap();
        let options = ResolveOptions { cwd: Some(dir.path().to_owned()), ..Default::default() };
        let err = block_on(resolve("app", "dev", &options)).unwrap_err();
        assert_eq!(err.code(), "E_NO_PROFILE");
    }

    #[test]
    fn a_profile_with_an_mfa_device_and_no_code_is_e_mfa_required_before_any_call() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("access-roles.yml"),
            "defaultProfile: p\nprofiles:\n  p:\n    roleArn: arn:aws:iam::111111111111:role/r\n    mfaSerial: arn:aws:iam::111111111111:mfa/ana\n",
        )
        .unwrap();
        let options = ResolveOptions { cwd: Some(dir.path().to_owned()), cache: Some(false), ..Default::default() };
        let err = block_on(resolve("app", "dev", &options)).unwrap_err();
        assert_eq!(err.code(), "E_MFA_REQUIRED");
        assert!(err.to_string().contains("arn:aws:iam::111111111111:mfa/ana"), "{err}");
        let bad = ResolveOptions { mfa_code: Some(Secret::new("12ab56")), ..options };
        let err = block_on(resolve("app", "dev", &bad)).unwrap_err();
        assert_eq!(err.code(), "E_INVALID_ARGUMENT");
        assert!(!err.to_string().contains("12ab56"), "{err}");
    }
}
