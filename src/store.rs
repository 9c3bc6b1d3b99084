//! `findProfileStore(options)`.

use crate::error::to_js;
use crate::resolve::{convert_options, ResolveOptions};
use access_roles_core::profiles::Discovery;
use napi::Env;
use napi_derive::napi;

/// The path of the profile store that `resolveCredentials` would read with these options (only
/// `configPath` and `cwd` matter). Throws `E_NO_PROFILE_STORE`, listing every place looked at,
/// when there is none.
#[napi(catch_unwind)]
pub fn find_profile_store(env: &Env, options: Option<ResolveOptions>) -> napi::Result<String> {
    let options = convert_options(options.unwrap_or_default());
    let path = Discovery::from_env(options.config_path, options.cwd).find().map_err(|err| to_js(env, &err))?;
    Ok(path.display().to_string())
}
