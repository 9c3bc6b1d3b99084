//! `findProfileStore(options)`, `checkStore(text, store, options)`, `describeStore(store)`,
//! `saveStore(path, text)`, `suggest(word, candidates)`: the profile store as the core reads and
//! saves it, for the commands that edit it (`access-role link`, `template`), from its text in
//! memory, never a scratch file.

use crate::args;
use crate::describe::{description, ProfileDescription};
use crate::error::{invalid_argument, to_js};
use access_roles_core as core;
use access_roles_core::profiles::{Discovery, Format, ProfileStore};
use napi::bindgen_prelude::Unknown;
use napi::Env;
use napi_derive::napi;
use std::path::{Path, PathBuf};

/// Where the profile store is, or where a new one would go.
#[napi(object)]
pub struct ProfileStoreLocation {
    /// The store `resolveCredentials` would read; when there is none, the explicit path
    /// (`configPath` or the core's variable for it) if one is given, else the default file name
    /// in `cwd`: where `access-role link` creates one.
    pub path: String,
    /// Whether `path` exists.
    pub exists: bool,
    /// How a store at `path` is written: `json` for a `.json` path in any case, else `yaml`.
    #[napi(ts_type = "'yaml' | 'json'")]
    pub format: String,
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
    let discovery = Discovery::new(plan.config_path, plan.cwd, plan.context.env());
    let location = discovery.search();
    Ok(ProfileStoreLocation {
        path: location.path.display().to_string(),
        exists: location.exists,
        format: Format::of(&location.path).as_str().to_owned(),
        searched: location.searched.iter().map(|p| p.display().to_string()).collect(),
    })
}

/// Which store text, and for `checkStore`, which app and stage to look up in it.
#[napi(object)]
#[derive(Default)]
pub struct StoreText {
    /// Where the text is (or will be) the store: errors name it, and its extension gives the
    /// format when `format` is unset. `describeStore` reads the file when no text is given.
    pub path: String,
    /// `yaml` or `json`; when unset, from `path` (see `ProfileStoreLocation.format`).
    #[napi(ts_type = "'yaml' | 'json'")]
    pub format: Option<String>,
    /// `checkStore`: the app to look up (required there).
    pub app: Option<String>,
    /// `checkStore`: the stage to look up (required there).
    pub stage: Option<String>,
}

/// Checks a profile store's text by every rule of the store, as `resolveCredentials` would read
/// it at `store.path`, and tells which profile it gives `store.app` and `store.stage`: what
/// `describeProfile` answers, without the text being on disk. Throws `E_INVALID_CONFIG` with
/// `path`, `line`, `column`, `field` and `reason`, and the other coded errors of
/// `describeProfile` (`E_NO_PROFILE`, …).
#[napi(catch_unwind, ts_args_type = "text: string, store: StoreText, options?: ResolveOptions | undefined | null")]
pub fn check_store(
    env: &Env,
    text: Unknown<'_>,
    store: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> napi::Result<ProfileDescription> {
    let text = args::text(env, "text", text)?;
    let store = required_store(env, store)?;
    let (Some(app), Some(stage)) = (store.app.as_deref(), store.stage.as_deref()) else {
        return Err(invalid_argument(env, "store", "invalid store: `app` and `stage` are required".to_owned()));
    };
    let options = args::options(env, options)?;
    // The names asked for first: a reserved one is the caller's argument, not the text's fault.
    core::check_names(app, stage).map_err(|err| to_js(env, &err))?;
    let (path, format) = located(env, &store)?;
    let parsed = ProfileStore::parse_as(&path, &text, format).map_err(|err| to_js(env, &err))?;
    let plan = core::plan_in(&parsed, app, stage, &options.plan).map_err(|err| to_js(env, &err))?;
    Ok(description(plan))
}

/// A deployment profile as a store's text has it.
#[napi(object)]
pub struct StoreProfile {
    /// Its name.
    pub name: String,
    /// Its `roleArn`, when it is a string.
    pub role_arn: Option<String>,
    /// Its `externalId`, when it is a string.
    pub external_id: Option<String>,
}

/// A rule of the store that maps an app, or one of its stages, to a profile.
#[napi(object)]
pub struct StoreMapping {
    /// Where it is written, key by key: `['apps', APP, 'stages', STAGE]` or
    /// `['apps', APP, 'defaultProfile']`.
    pub path: Vec<String>,
    /// The app.
    pub app: String,
    /// The stage, for a stage's mapping.
    pub stage: Option<String>,
    /// The profile it names.
    pub profile: String,
}

/// What a store's text holds, in its order.
#[napi(object)]
pub struct StoreDescription {
    /// The store's path.
    pub path: String,
    /// How it is written.
    #[napi(ts_type = "'yaml' | 'json'")]
    pub format: String,
    /// Its profiles.
    pub profiles: Vec<StoreProfile>,
    /// The apps it maps.
    pub apps: Vec<String>,
    /// Its mappings.
    pub mappings: Vec<StoreMapping>,
}

/// What a profile store holds: its format, profiles, apps and mappings. Reads `text`, else the
/// file at `store.path`. The text must parse (YAML, or strict JSON) but need not keep every rule
/// of a store yet, so that an edit can complete it; an empty text is an empty store. Throws
/// `E_INVALID_CONFIG` (located) and `E_UNREADABLE_CONFIG`.
#[napi(catch_unwind, ts_args_type = "store: StoreText, text?: string | undefined | null")]
pub fn describe_store(env: &Env, store: Unknown<'_>, text: Option<Unknown<'_>>) -> napi::Result<StoreDescription> {
    let store = required_store(env, store)?;
    let text = args::optional_text(env, "text", text)?;
    let (path, format) = located(env, &store)?;
    let text = match text {
        Some(text) => text,
        None => core::profiles::read_text(&path).map_err(|err| to_js(env, &err))?,
    };
    let summary = core::profiles::summarize(&path, &text, format).map_err(|err| to_js(env, &err))?;
    Ok(StoreDescription {
        path: path.display().to_string(),
        format: summary.format.as_str().to_owned(),
        profiles: summary
            .profiles
            .into_iter()
            .map(|p| StoreProfile { name: p.name, role_arn: p.role_arn, external_id: p.external_id })
            .collect(),
        apps: summary.apps,
        mappings: summary
            .mappings
            .into_iter()
            .map(|m| StoreMapping { path: m.path, app: m.app, stage: m.stage, profile: m.profile })
            .collect(),
    })
}

/// The `store` argument, which must be given.
fn required_store(env: &Env, store: Unknown<'_>) -> napi::Result<StoreText> {
    args::checked::<StoreText>(env, "store", Some(store))?
        .ok_or_else(|| invalid_argument(env, "store", "invalid store: expected an object, got none".to_owned()))
}

/// The store's path, and its format: the one given, else the path's.
fn located(env: &Env, store: &StoreText) -> napi::Result<(PathBuf, Format)> {
    let path = PathBuf::from(&store.path);
    let format = match store.format.as_deref() {
        None => Format::of(Path::new(&store.path)),
        Some("yaml") => Format::Yaml,
        Some("json") => Format::Json,
        Some(other) => {
            let other = core::text::shorten_to(&core::text::escape_control(other), 40);
            return Err(invalid_argument(
                env,
                "format",
                format!("invalid format: expected yaml or json, got `{other}`"),
            ));
        }
    };
    Ok((path, format))
}

/// The name in `candidates` that `word` is likely a typo of, or `null`: an exact match is none;
/// a typo is two edits away at most, or a quarter of the shorter name's characters when that is
/// more (a swap of neighbours is one edit, case does not count), and never more than half of
/// them (`qa` and `ci` stay apart). The one rule
/// of every "did you mean": `access-role link` refuses to add such a name as a new profile
/// without `--new-profile`.
#[napi(catch_unwind, ts_args_type = "word: string, candidates: Array<string>")]
pub fn suggest(env: &Env, word: Unknown<'_>, candidates: Unknown<'_>) -> napi::Result<Option<String>> {
    let word = args::text(env, "word", word)?;
    let candidates = args::text_list(env, "candidates", candidates)?;
    let candidates: Vec<&str> = candidates.iter().map(String::as_str).collect();
    Ok(core::suggest(&word, &candidates).map(str::to_owned))
}

/// Where a store maps `app`, or its `stage` when given, to a profile, key by key from the top:
/// `['apps', APP, 'stages', STAGE]` or `['apps', APP, 'defaultProfile']`. The one definition of
/// a mapping's place, which `describeStore`'s mappings and `describeProfile`'s `rule` follow.
#[napi(catch_unwind, ts_args_type = "app: string, stage?: string | undefined | null")]
pub fn mapping_path(env: &Env, app: Unknown<'_>, stage: Option<Unknown<'_>>) -> napi::Result<Vec<String>> {
    let app = args::text(env, "app", app)?;
    let stage = args::optional_text(env, "stage", stage)?;
    Ok(core::profiles::mapping_path(&app, stage.as_deref()))
}

/// Replaces the profile store at `path` with `text`, whole or not at all: through a symlink to
/// its target, keeping its mode, owner and group (a new store: 0644, its directory made). Throws
/// `E_STORE_FILE`, before anything is written, for a path that is no regular file, a symlink to
/// nothing, a store the user may not write, one whose owner or group the rewrite could not
/// keep, and one with other hard links.
#[napi(catch_unwind, ts_args_type = "path: string, text: string")]
pub fn save_store(env: &Env, path: Unknown<'_>, text: Unknown<'_>) -> napi::Result<()> {
    let path = args::text(env, "path", path)?;
    let text = args::text(env, "text", text)?;
    core::profiles::save(Path::new(&path), &text).map_err(|err| to_js(env, &err))
}
