//! `findProfileStore(options)`.

use crate::args;
use crate::error::to_js;
use access_roles_core::profiles::Discovery;
use napi::bindgen_prelude::Unknown;
use napi::Env;
use napi_derive::napi;

/// The path of the profile store that `resolveCredentials` would read with these options (only
/// `configPath` and `cwd` matter). Throws `E_NO_PROFILE_STORE`, listing every place looked at,
/// when there is none.
#[napi(catch_unwind, ts_args_type = "options?: ResolveOptions | undefined | null")]
pub fn find_profile_store(env: &Env, options: Option<Unknown<'_>>) -> napi::Result<String> {
    let options = args::options(env, options)?;
    let path = Discovery::from_env(options.config_path, options.cwd).find().map_err(|err| to_js(env, &err))?;
    Ok(path.display().to_string())
}
