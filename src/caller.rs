//! `callerIdentity(app, stage, options)`.

use crate::planned::{planned, spawned};
use access_roles_core as core;
use napi::bindgen_prelude::{PromiseRaw, Unknown};
use napi::Env;
use napi_derive::napi;

/// Who the base identity of an app and stage is.
#[napi(object)]
pub struct CallerIdentity {
    /// The base identity's ARN.
    pub arn: String,
    /// Its account.
    pub account: String,
    /// True when it already is a session of the access role the store assigns.
    pub is_target_role: bool,
}

/// Asks STS (GetCallerIdentity) who the base identity that would assume the access role of
/// `app` and `stage` is: the same store, base profile, region and endpoint as
/// `resolveCredentials`, no cache. Rejects with the coded store, base-identity and STS errors,
/// as `resolveCredentials` does; only a malformed argument throws at once, there as here.
#[napi(
    catch_unwind,
    ts_args_type = "app: string, stage: string, options?: ResolveOptions | undefined | null",
    ts_return_type = "Promise<CallerIdentity>"
)]
pub fn caller_identity<'env>(
    env: &'env Env,
    app: Unknown<'_>,
    stage: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> napi::Result<PromiseRaw<'env, CallerIdentity>> {
    let resolver = match planned(env, app, stage, options)? {
        Ok(resolver) => resolver,
        Err(rejected) => return Ok(rejected),
    };
    spawned(env, async move { resolver.caller_identity().await }, convert_caller, "asking STS who the base identity is")
}

fn convert_caller(_: &Env, caller: core::CallerIdentity) -> napi::Result<CallerIdentity> {
    Ok(CallerIdentity { arn: caller.arn, account: caller.account, is_target_role: caller.is_target_role })
}
