//! `resolveCredentials(app, stage, options)`.

use crate::date::JsTime;
use crate::error::reject;
use crate::planned::{planned, spawned};
use access_roles_core as core;
use napi::bindgen_prelude::{PromiseRaw, Unknown};
use napi::Env;
use napi_derive::napi;
use std::collections::HashMap;

/// How to resolve credentials. Every field is optional.
#[napi(object)]
#[derive(Default)]
pub struct ResolveOptions {
    /// Path of the profile store. When unset: `SERVERLESS_ACCESS_ROLES_CONFIG`, then the first
    /// `access-roles.yml` / `access-roles.json` from `cwd` upward, then
    /// `~/.serverless/access-roles.yml`.
    pub config_path: Option<String>,
    /// Directory where the store search starts; when unset, `process.cwd()`.
    pub cwd: Option<String>,
    /// STS region when the profile names none; when unset, `AWS_REGION`, `AWS_DEFAULT_REGION`,
    /// the base identity's AWS config profile, else us-east-1 (never instance metadata).
    pub region: Option<String>,
    /// AWS config profile of the base identity (what `--aws-profile` names); wins over the
    /// profile's `sourceProfile`. When unset, the AWS SDK's default credential chain.
    pub base_profile: Option<String>,
    /// Serverless service name, for the `{service}` session-name placeholder.
    pub service: Option<String>,
    /// Reuse keys from the in-process and disk cache while they are fresh; default true.
    pub cache: Option<bool>,
    /// Call STS even when cached keys are fresh, and cache the new ones; default false.
    pub force_refresh: Option<bool>,
    /// Reuse cached keys only while more than this many seconds are left; default 900, never
    /// more than half the keys' lifetime.
    pub refresh_margin_seconds: Option<u32>,
    /// Disk cache directory; default `SERVERLESS_ACCESS_ROLES_CACHE_DIR`, else the platform's
    /// cache directory (`~/.cache/serverless-access-roles` on Linux).
    pub cache_dir: Option<String>,
    /// The current 6-digit code of the profile's MFA device, needed only when STS is called.
    /// Without one, a profile with `mfaSerial` rejects with `E_MFA_REQUIRED`, whose
    /// `mfaSerial` names the device to ask for.
    pub mfa_code: Option<String>,
    /// Longest time one STS call may take, retries included; default 20 seconds.
    pub timeout_seconds: Option<u32>,
    /// Environment variables as they were before a session was exported into this process
    /// (`null`: unset), read instead of the process's own: a session's refresh starts from the
    /// base identity, not from the session's keys. The plugin passes what it replaced.
    pub base_environment: Option<HashMap<String, Option<String>>>,
}

/// Temporary credentials of an access role.
#[napi(object)]
pub struct AccessRoleCredentials {
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
    /// Session token.
    pub session_token: String,
    /// When the credentials stop working.
    #[napi(ts_type = "Date")]
    pub expiration: JsTime,
    /// When to resolve again: from then on the cache hands out new credentials
    /// (`refreshMarginSeconds` before `expiration`, at most half their lifetime). Holders
    /// replace the credentials at this time.
    #[napi(ts_type = "Date")]
    pub refresh_at: JsTime,
    /// The deployment profile chosen for the app and stage.
    pub profile: String,
    /// The store key that chose it: `apps.APP.stages.STAGE`, `apps.APP.defaultProfile` or
    /// `defaultProfile`.
    pub rule: String,
    /// When a default chose the profile: the app's mapped stage that the stage asked for is a
    /// near miss of (a likely typo, `prd` for `prod`).
    pub near_stage: Option<String>,
    /// The AWS config profile named as the base identity; absent: the AWS SDK's default chain.
    /// Keys of the session (`source: 'session'`) used no base identity: another process made
    /// them, with this profile when one is named.
    pub base_profile: Option<String>,
    /// What the keys were requested with, as digests (no secret): `sessionEnvironment` binds the
    /// session marker to it.
    pub request_digest: String,
    /// Why a session marker in the environment was not believed (its keys or its request
    /// differ, it cannot be true), for a debug line; absent otherwise.
    pub session_ignored: Option<String>,
    /// The access role's ARN.
    pub role_arn: String,
    /// The assumed-role session ARN, `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`.
    pub assumed_role_arn: String,
    /// The region STS was called in.
    pub region: String,
    /// `'sts'` for credentials fresh from AssumeRole, `'cache'` for reused ones, `'session'` for
    /// the credentials of the same role's session that the process environment carries.
    #[napi(ts_type = "'sts' | 'cache' | 'session'")]
    pub source: String,
    /// Why the disk cache was not used although it was on (its directory is a symlink, or
    /// cannot be made private), for a debug line; absent when it was used or turned off.
    pub disk_cache_off: Option<String>,
    /// The profile `AWS_PROFILE` (or `AWS_DEFAULT_PROFILE`) selects when no base profile was
    /// named and the default chain took the key variables beside it instead (they come first in
    /// the chain); absent otherwise.
    pub aws_profile_shadowed: Option<String>,
}

/// Resolves temporary AWS credentials for the access role of the deployment profile that the
/// profile store assigns to `app` and `stage`, by STS AssumeRole. Credentials this process holds
/// and that are fresh are answered without a call.
///
/// Rejects with an `Error` whose `code` is one of `E_NO_PROFILE_STORE`, `E_UNREADABLE_CONFIG`,
/// `E_INVALID_CONFIG`, `E_NO_PROFILE`, `E_INVALID_ARGUMENT`, `E_NO_BASE_CREDENTIALS`,
/// `E_INVALID_BASE_CREDENTIALS`, `E_ACCESS_DENIED`, `E_MFA_REQUIRED` (with `mfaSerial`),
/// `E_CREDENTIAL_PROCESS_LOOP`, `E_STS_UNREACHABLE`, `E_STS_ERROR`, `E_SESSION_ROLE_MISMATCH`,
/// `E_SESSION_EXPIRED`.
///
/// Inside a session (a process whose environment the plugin or `exec` set up), the same role's
/// credentials come from the environment without a call to STS, and another role is refused.
#[napi(
    catch_unwind,
    ts_args_type = "app: string, stage: string, options?: ResolveOptions | undefined | null",
    ts_return_type = "Promise<AccessRoleCredentials>"
)]
pub fn resolve_credentials<'env>(
    env: &'env Env,
    app: Unknown<'_>,
    stage: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> napi::Result<PromiseRaw<'env, AccessRoleCredentials>> {
    // Planned once, here: an answer from memory or the disk cache needs no trip through the
    // async runtime.
    let resolver = match planned(env, app, stage, options)? {
        Ok(resolver) => resolver,
        Err(rejected) => return Ok(rejected),
    };
    if let Some(credentials) = resolver.cached() {
        return PromiseRaw::resolve(env, convert_credentials(env, credentials)?);
    }
    spawned(env, resolver.resolve(), convert_credentials, "resolving credentials")
}

pub(crate) fn convert_options(options: ResolveOptions) -> core::ResolveOptions {
    core::ResolveOptions {
        plan: core::PlanOptions {
            config_path: options.config_path.map(Into::into),
            cwd: options.cwd.map(Into::into),
            region: options.region,
            base_profile: options.base_profile,
            service: options.service,
            context: crate::context::with_overrides(options.base_environment.unwrap_or_default()),
        },
        cache: options.cache,
        force_refresh: options.force_refresh.unwrap_or(false),
        refresh_margin_seconds: options.refresh_margin_seconds,
        cache_dir: options.cache_dir.map(Into::into),
        mfa_code: options.mfa_code.map(core::Secret::new),
        timeout_seconds: options.timeout_seconds,
    }
}

/// The credentials as JS sees them; an expiration that a JS `Date` cannot hold is an error, not a
/// panic (the core never hands one out).
fn convert_credentials(env: &Env, credentials: core::AccessRoleCredentials) -> napi::Result<AccessRoleCredentials> {
    let (Some(expiration), Some(refresh_at)) = (JsTime::of(credentials.expiration), JsTime::of(credentials.refresh_at))
    else {
        return Err(reject(env, "E_INTERNAL", "the keys' expiration is out of range; please report it".to_owned()));
    };
    Ok(AccessRoleCredentials {
        secret_access_key: credentials.secret_access_key.expose().to_owned(),
        session_token: credentials.session_token.expose().to_owned(),
        access_key_id: credentials.access_key_id,
        expiration,
        refresh_at,
        profile: credentials.profile,
        rule: credentials.rule,
        near_stage: credentials.near_stage,
        base_profile: credentials.base_profile,
        request_digest: credentials.request_digest,
        session_ignored: credentials.session_ignored,
        role_arn: credentials.role_arn,
        assumed_role_arn: credentials.assumed_role_arn,
        region: credentials.region,
        source: credentials.source.as_str().to_owned(),
        disk_cache_off: credentials.disk_cache_off,
        aws_profile_shadowed: credentials.aws_profile_shadowed,
    })
}
