//! AWS config profiles for the profile store: which ones the store implies ([`list`]), writing
//! them into the AWS config file without touching anything else in it ([`write`]), and keeping
//! a profile that runs the bin out of its own base identity ([`base_env`]).
//!
//! Tools that load no plugin (Serverless v4, CDK, Terraform, the aws CLI) read AWS config
//! profiles; a profile whose `credential_process` runs this package's bin gets the access role's
//! keys from the same store and cache as the plugin.

mod block_state;
mod chain;
mod command_line;
mod file;
mod list;
mod load;
mod merge;
mod selected;
mod sso_login;
#[cfg(test)]
mod test_sections;

use crate::context::Context;
use crate::env::Env;
pub use block_state::{block_state, BlockState};
pub(crate) use chain::{base_profile_sections, chain_runs_bin, chain_settings};
pub use command_line::{credential_process_line, CredentialProcess, Shell};
pub use file::{config_file, render, write, Section, WriteOutcome};
pub use list::{list, ConfigProfile, Listing, Skipped};
pub(crate) use load::AwsFilesMemo;
pub use merge::StaleBlock;
pub(crate) use selected::{
    base_env, defined_profiles, own_selected_profile, selected_profile, shadowed_by_key_variables,
};
pub(crate) use sso_login::with_sso_login;

/// The AWS config profile a base identity comes from: `base_profile` when one is named, else
/// the one the environment selects (`AWS_PROFILE`, else `AWS_DEFAULT_PROFILE`), else `default`.
pub(crate) fn base_aws_profile(base_profile: Option<&str>, env: &Env) -> String {
    base_profile.map(str::to_owned).or_else(|| selected_profile(env)).unwrap_or_else(|| "default".to_owned())
}

/// The value of `setting` in the AWS config profile `name`, as aws-config reads it.
pub(crate) fn profile_setting(context: &Context, name: &str, setting: &str) -> Option<String> {
    load::load_profiles(context)?.get_profile(name)?.get(setting).map(str::to_owned)
}

/// Settings that give an AWS config profile credentials of its own.
const CREDENTIAL_SETTINGS: &[&str] = &[
    "aws_access_key_id",
    "credential_process",
    "sso_session",
    "sso_start_url",
    "role_arn",
    "web_identity_token_file",
    "credential_source",
    "login_session",
];

/// The profile and setting that would give a command without `AWS_PROFILE` credentials before a
/// container credentials endpoint: the `default` profile of the AWS files `context`'s environment
/// points at, when it has credentials of its own (the AWS SDKs and the aws CLI read it first).
pub(crate) fn shadowing_profile(context: &Context) -> Option<(String, String)> {
    let profiles = load::load_profiles(context)?;
    let default = profiles.get_profile("default")?;
    let setting = CREDENTIAL_SETTINGS.iter().find(|setting| default.get(setting).is_some())?;
    Some(("default".to_owned(), (*setting).to_owned()))
}

/// Whether `name` can be an AWS config profile name: the characters the AWS SDKs accept in
/// `[profile NAME]` (aws-config drops sections with any other).
pub fn is_profile_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "_-/.%@:+".contains(c))
}
