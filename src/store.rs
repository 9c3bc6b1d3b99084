//! `findProfileStore(options)`.

use crate::args;
use access_roles_core::profiles::Discovery;
use napi::bindgen_prelude::Unknown;
use napi::Env;
use napi_derive::napi;

/// Where the profile store is, or where a new one would go.
#[napi(object)]
pub struct ProfileStoreLocation {
    /// The store `resolveCredentials` would read; when there is none, the explicit path
    /// (`configPath` or the core's variable for it) if one is given, else the default file name
    /// in `cwd`: where `access-role link` creates one.
    pub path: String,
    /// Whether `path` exists.
    pub exists: bool,
    /// Every place looked at, in order, up to the one found.
    pub searched: Vec<String>,
}

/// Where the profile store that `resolveCredentials` would read with these options is (only
/// `configPath` and `cwd` matter), and every place looked at. Never throws for a missing store:
/// `exists` is false then.
#[napi(catch_unwind, ts_args_type = "options?: ResolveOptions | undefined | null")]
pub fn find_profile_store(env: &Env, options: Option<Unknown<'_>>) -> napi::Result<ProfileStoreLocation> {
    let options = args::options(env, options)?;
    let plan = options.plan;
    let discovery = Discovery::new(plan.config_path, plan.cwd, &plan.env);
    let location = discovery.search();
    Ok(ProfileStoreLocation {
        path: location.path.display().to_string(),
        exists: location.exists,
        searched: location.searched.iter().map(|p| p.display().to_string()).collect(),
    })
}
