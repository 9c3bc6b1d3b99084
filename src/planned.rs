//! What `resolveCredentials` and `callerIdentity` share: the arguments checked and planned on
//! the JS thread, the work run as a task of its own on the async runtime.

use crate::args;
use crate::error::{error_value, reject, to_js};
use access_roles_core as core;
use napi::bindgen_prelude::{PromiseRaw, ToNapiValue, Unknown};
use napi::Env;
use std::future::Future;

/// The core's resolver for `app`, `stage` and `options`. A malformed argument throws (`Err`);
/// a plan the core refuses is the promise to return, already rejected with its coded error
/// (`Ok(Err)`).
pub(crate) fn planned<'env, T: ToNapiValue>(
    env: &'env Env,
    app: Unknown<'_>,
    stage: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> napi::Result<Result<core::Resolver, PromiseRaw<'env, T>>> {
    let (app, stage) = (args::text(env, "app", app)?, args::text(env, "stage", stage)?);
    let options = args::options(env, options)?;
    match core::Resolver::new(&app, &stage, &options) {
        Ok(resolver) => Ok(Ok(resolver)),
        Err(err) => PromiseRaw::reject(env, error_value(env, &err)?).map(Err),
    }
}

/// A promise of `work`'s answer, converted by `convert` on the JS thread. The work runs as its
/// own task so that a panic in the core ends the task, not the process: it rejects with
/// `E_INTERNAL`, "internal error while `doing`".
pub(crate) fn spawned<'env, T, V>(
    env: &'env Env,
    work: impl Future<Output = Result<T, core::Error>> + Send + 'static,
    convert: fn(&Env, T) -> napi::Result<V>,
    doing: &'static str,
) -> napi::Result<PromiseRaw<'env, V>>
where
    T: Send + 'static,
    V: ToNapiValue + 'static,
{
    let joined = async move { Ok(tokio::spawn(work).await) };
    env.spawn_future_with_callback(joined, move |env, joined| match joined {
        Ok(Ok(answer)) => convert(env, answer),
        Ok(Err(err)) => Err(to_js(env, &err)),
        Err(_) => Err(reject(env, "E_INTERNAL", format!("internal error while {doing}; please report it"))),
    })
}
