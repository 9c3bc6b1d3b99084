//! `callerIdentity(app, stage, options)`.

use crate::args;
use crate::error::{error_value, reject, to_js};
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
    let (app, stage) = (args::text(env, "app", app)?, args::text(env, "stage", stage)?);
    let options = args::options(env, options)?;
    let resolver = match core::Resolver::new(&app, &stage, &options) {
        Ok(resolver) => resolver,
        Err(err) => return PromiseRaw::reject(env, error_value(env, &err)?),
    };
    let work = async move { Ok(tokio::spawn(async move { resolver.caller_identity().await }).await) };
    env.spawn_future_with_callback(work, |env, joined| match joined {
        Ok(Ok(caller)) => {
            Ok(CallerIdentity { arn: caller.arn, account: caller.account, is_target_role: caller.is_target_role })
        }
        Ok(Err(err)) => Err(to_js(env, &err)),
        Err(_) => Err(reject(
            env,
            "E_INTERNAL",
            "internal error while asking STS who the base identity is; please report it".to_owned(),
        )),
    })
}
