//! `listCache(options)` and `clearCache(options)`: the disk cache for `serverless-access-roles
//! cache list / clear`. Names and times only, never a key.

use crate::args;
use crate::date::JsTime;
use access_roles_core as core;
use napi::bindgen_prelude::Unknown;
use napi::Env;
use napi_derive::napi;
use std::path::Path;

/// Which cache, and for `clearCache`, which entries. Every field is optional.
#[napi(object)]
#[derive(Default)]
pub struct CacheOptions {
    /// The cache directory; default as `resolveCredentials` uses it
    /// (`SERVERLESS_ACCESS_ROLES_CACHE_DIR`, else the platform's cache directory).
    pub cache_dir: Option<String>,
    /// `clearCache`: only entries resolved for this app.
    pub app: Option<String>,
    /// `clearCache`: only entries resolved for this stage.
    pub stage: Option<String>,
}

/// One cached set of keys, without the keys.
#[napi(object)]
pub struct CachedEntry {
    /// The cache key.
    pub key: String,
    /// The deployment profile, when the entry records it.
    pub profile: Option<String>,
    /// The access role, when the entry records it.
    pub role_arn: Option<String>,
    /// The assumed-role session.
    pub assumed_role_arn: String,
    /// The app the keys were resolved for, when recorded.
    pub app: Option<String>,
    /// The stage the keys were resolved for, when recorded.
    pub stage: Option<String>,
    /// The region STS was called in.
    pub region: String,
    /// When the keys expire.
    #[napi(ts_type = "Date")]
    pub expiration: JsTime,
}

/// The cache directory and what it holds.
#[napi(object)]
pub struct CacheListing {
    /// The directory the entries are in (the tool's own subdirectory of a shared one); `null`
    /// when there is none (no home directory).
    pub dir: Option<String>,
    /// The directory as chosen (option, variable or platform default); differs from `dir` when
    /// it is shared with others and the tool's own subdirectory holds the entries.
    pub chosen_dir: Option<String>,
    /// Unexpired entries, soonest expiry first. Expired ones were removed on the way.
    pub entries: Vec<CachedEntry>,
}

/// Lists the disk cache's unexpired entries, removing expired ones and their locks. Throws
/// `E_INVALID_ARGUMENT` for an option it does not know.
#[napi(catch_unwind, ts_args_type = "options?: CacheOptions | undefined | null")]
pub fn list_cache(env: &Env, options: Option<Unknown<'_>>) -> napi::Result<CacheListing> {
    let options = args::checked::<CacheOptions>(env, "options", options)?.unwrap_or_default();
    let Some(dir) = dir(&options) else { return Ok(CacheListing { dir: None, chosen_dir: None, entries: Vec::new() }) };
    let entries = core::list_cache(&dir).into_iter().filter_map(convert).collect();
    let shown = dir.in_use().unwrap_or_else(|| dir.path().to_owned());
    Ok(CacheListing {
        dir: Some(shown.display().to_string()),
        chosen_dir: Some(dir.path().display().to_string()),
        entries,
    })
}

/// Removes the disk cache's entries for `app` and `stage` (each when given; all when neither),
/// and expired ones; returns how many were selected and removed. Throws `E_INVALID_ARGUMENT`
/// for an option it does not know, so a typo (`{ App: 'x' }`) clears nothing.
#[napi(catch_unwind, ts_args_type = "options?: CacheOptions | undefined | null")]
pub fn clear_cache(env: &Env, options: Option<Unknown<'_>>) -> napi::Result<u32> {
    let options = args::checked::<CacheOptions>(env, "options", options)?.unwrap_or_default();
    let Some(dir) = dir(&options) else { return Ok(0) };
    let removed = core::clear_cache(&dir, &core::CacheFilter { app: options.app, stage: options.stage });
    Ok(u32::try_from(removed).unwrap_or(u32::MAX))
}

fn dir(options: &CacheOptions) -> Option<core::CacheDir> {
    core::CacheDir::chosen(options.cache_dir.as_deref().map(Path::new), &core::Env::real())
}

fn convert(entry: core::CacheEntry) -> Option<CachedEntry> {
    Some(CachedEntry {
        key: entry.key,
        profile: entry.label.profile,
        role_arn: entry.label.role_arn,
        assumed_role_arn: entry.assumed_role_arn,
        app: entry.label.app,
        stage: entry.label.stage,
        region: entry.region,
        expiration: JsTime::of(entry.expiration)?,
    })
}
