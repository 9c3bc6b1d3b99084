//! `findProfileStore(options)`, `nearMissProfile(name, existing)`.

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

/// The profile in `existing` (the store's profile names) that `name` is likely a typo of, or
/// `null`: an exact match is none; a near miss is at most two edits away, and at most half as
/// many as the shorter name has characters (`qa` and `ci` stay apart). `access-role link`
/// refuses to add such a name as a new profile without `--new-profile`.
#[napi(catch_unwind)]
pub fn near_miss_profile(name: String, existing: Vec<String>) -> napi::Result<Option<String>> {
    let existing: Vec<&str> = existing.iter().map(String::as_str).collect();
    Ok(access_roles_core::profiles::near_miss(&name, &existing).map(str::to_owned))
}
