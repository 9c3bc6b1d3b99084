//! `awsConfigProfiles(prefix, options)`, `credentialProcessLine(command)`, `renderAwsConfigProfiles(…)`,
//! `writeAwsConfigProfiles(…)`.

use crate::args;
use crate::error::to_js;
use access_roles_core::aws_profiles as core;
use napi::bindgen_prelude::Unknown;
use napi::Env;
use napi_derive::napi;
use std::path::Path;

/// An AWS config profile the profile store implies.
#[napi(object)]
pub struct AwsConfigProfile {
    /// The profile name: `APP-STAGE` for a stage mapping, `APP` for an app's default, after the prefix.
    pub name: String,
    /// The app its keys are for.
    pub app: String,
    /// The stage to resolve (for an app's default, a stage the app does not map).
    pub stage: String,
    /// The deployment profile it resolves to.
    pub profile: String,
    /// The store key that chose it, e.g. `apps.payments.stages.dev`.
    pub rule: String,
    /// The deployment profile's region, when it names one.
    pub region: Option<String>,
}

/// A profile the store implies that cannot be written.
#[napi(object)]
pub struct SkippedAwsConfigProfile {
    /// The name it would have had.
    pub name: String,
    /// The store key it comes from.
    pub rule: String,
    /// Why it is left out.
    pub reason: String,
}

/// The AWS config profiles of a profile store.
#[napi(object)]
pub struct AwsConfigProfiles {
    /// The profile store that was read.
    pub config_path: String,
    /// The profiles, app by app.
    pub profiles: Vec<AwsConfigProfile>,
    /// Profiles left out, with the reason.
    pub skipped: Vec<SkippedAwsConfigProfile>,
}

/// One `[profile NAME]` section to write.
#[napi(object)]
pub struct AwsConfigSection {
    /// The profile name.
    pub name: String,
    /// The `credential_process` command line.
    pub credential_process: String,
    /// The `region` setting, if any.
    pub region: Option<String>,
}

/// What `writeAwsConfigProfiles` did.
#[napi(object)]
pub struct AwsConfigWrite {
    /// The AWS config file.
    pub path: String,
    /// False when the file already held exactly these profiles and was not written.
    pub changed: bool,
    /// Profiles the file defines itself, outside the block: kept and not written.
    pub kept: Vec<String>,
    /// Stores that are gone (a moved project) whose block held these profiles and was replaced
    /// by this store's block.
    pub replaced: Vec<String>,
    /// Stores that are gone whose block held these profiles and was removed.
    pub removed: Vec<String>,
}

/// Lists the AWS config profiles that the profile store (found as `resolveCredentials` finds it)
/// implies, each name starting with `prefix`: `APP` for an app's default, `APP-STAGE` for each
/// mapped stage and for each of `stages` (answered as a resolve would: the app's default, else
/// the store's). Throws the coded store errors, and `E_INVALID_ARGUMENT` for a prefix AWS
/// profile names cannot hold or a stage that is no stage name.
#[napi(
    catch_unwind,
    ts_args_type = "prefix?: string | undefined | null, options?: ResolveOptions | undefined | null, stages?: string[] | undefined | null"
)]
pub fn aws_config_profiles(
    env: &Env,
    prefix: Option<Unknown<'_>>,
    options: Option<Unknown<'_>>,
    stages: Option<Unknown<'_>>,
) -> napi::Result<AwsConfigProfiles> {
    let prefix = args::optional_text(env, "prefix", prefix)?;
    let options = args::options(env, options)?;
    let stages = args::optional_text_list(env, "stages", stages)?;
    let listing =
        core::list(&options.plan, prefix.as_deref().unwrap_or(""), &stages).map_err(|err| to_js(env, &err))?;
    Ok(AwsConfigProfiles {
        config_path: listing.config_path.display().to_string(),
        profiles: listing.profiles.into_iter().map(convert_profile).collect(),
        skipped: listing
            .skipped
            .into_iter()
            .map(|s| SkippedAwsConfigProfile { name: s.name, rule: s.rule, reason: s.reason })
            .collect(),
    })
}

/// What a `credential_process` line runs: `node bin credential-process --app APP --stage STAGE
/// --config CONFIG_PATH`.
#[napi(object)]
pub struct CredentialProcessCommand {
    /// The absolute path of node (`process.execPath`).
    pub node: String,
    /// The absolute path of the bin's script.
    pub bin: String,
    /// The app.
    pub app: String,
    /// The stage.
    pub stage: String,
    /// The profile store, by absolute path.
    pub config_path: String,
}

/// The `credential_process` line that runs `command`, quoted for this platform's shells and
/// clear of what the AWS SDKs' config parsers take for a comment; the core recognises its own
/// profiles by the same grammar. Throws `E_INVALID_ARGUMENT` naming the path no quoting can carry.
#[napi(catch_unwind, ts_args_type = "command: CredentialProcessCommand")]
pub fn credential_process_line(env: &Env, command: Unknown<'_>) -> napi::Result<String> {
    let Some(command) = args::checked::<CredentialProcessCommand>(env, "command", Some(command))? else {
        return Err(crate::error::invalid_argument(env, "command", "invalid command: expected an object".to_owned()));
    };
    let command = core::CredentialProcess {
        node: &command.node,
        bin: &command.bin,
        app: &command.app,
        stage: &command.stage,
        config: &command.config_path,
    };
    core::credential_process_line(&command, core::Shell::native()).map_err(|err| to_js(env, &err))
}

/// The block of `[profile …]` sections for the store at `configPath`, between the marker
/// comments that `writeAwsConfigProfiles` recognises.
#[napi(catch_unwind, ts_args_type = "configPath: string, sections: Array<AwsConfigSection>")]
pub fn render_aws_config_profiles(env: &Env, config_path: Unknown<'_>, sections: Unknown<'_>) -> napi::Result<String> {
    let config_path = args::text(env, "configPath", config_path)?;
    let sections: Vec<core::Section> =
        args::checked_list::<AwsConfigSection>(env, "sections", sections)?.into_iter().map(convert_section).collect();
    core::render(Path::new(&config_path), &sections).map_err(|err| to_js(env, &err))
}

/// Merges the sections into the AWS config file (`awsConfigPath`, else `AWS_CONFIG_FILE`, else
/// `~/.aws/config`), replacing only the block written before for the store at `configPath`.
/// Throws `E_AWS_CONFIG_FILE` when the file cannot be read, merged or written, and
/// `E_INVALID_ARGUMENT` for an argument of the wrong type or a section field it does not know.
#[napi(
    catch_unwind,
    ts_args_type = "configPath: string, sections: Array<AwsConfigSection>, awsConfigPath?: string | undefined | null"
)]
pub fn write_aws_config_profiles(
    env: &Env,
    config_path: Unknown<'_>,
    sections: Unknown<'_>,
    aws_config_path: Option<Unknown<'_>>,
) -> napi::Result<AwsConfigWrite> {
    let config_path = args::text(env, "configPath", config_path)?;
    let sections: Vec<core::Section> =
        args::checked_list::<AwsConfigSection>(env, "sections", sections)?.into_iter().map(convert_section).collect();
    let aws_config_path = args::optional_text(env, "awsConfigPath", aws_config_path)?;
    let path = core::config_file(aws_config_path.map(Into::into), &access_roles_core::Env::real());
    let outcome = core::write(&path, Path::new(&config_path), &sections).map_err(|err| to_js(env, &err))?;
    let stores = |replaced: bool| {
        outcome.stale.iter().filter(|s| s.replaced == replaced).map(|s| s.store.display().to_string()).collect()
    };
    Ok(AwsConfigWrite {
        path: outcome.path.display().to_string(),
        changed: outcome.changed,
        kept: outcome.kept.clone(),
        replaced: stores(true),
        removed: stores(false),
    })
}

/// How the AWS config file's block for the store at `configPath` compares with `sections`
/// (what `writeAwsConfigProfiles` would write now): `current`, `stale` or `missing`. Reads
/// `awsConfigPath`, else `AWS_CONFIG_FILE`, else `~/.aws/config`; writes nothing. Throws
/// `E_AWS_CONFIG_FILE` when the file cannot be read or holds a broken block.
#[napi(catch_unwind, ts_return_type = "'current' | 'stale' | 'missing'")]
pub fn aws_config_profiles_state(
    env: &Env,
    config_path: String,
    sections: Vec<AwsConfigSection>,
    aws_config_path: Option<String>,
) -> napi::Result<String> {
    let sections: Vec<core::Section> = sections.into_iter().map(convert_section).collect();
    let path = core::config_file(aws_config_path.map(Into::into), &access_roles_core::Env::real());
    let state = core::block_state(&path, Path::new(&config_path), &sections).map_err(|err| to_js(env, &err))?;
    Ok(state.as_str().to_owned())
}

fn convert_profile(p: core::ConfigProfile) -> AwsConfigProfile {
    AwsConfigProfile { name: p.name, app: p.app, stage: p.stage, profile: p.profile, rule: p.rule, region: p.region }
}

fn convert_section(s: AwsConfigSection) -> core::Section {
    core::Section { name: s.name, credential_process: s.credential_process, region: s.region }
}
