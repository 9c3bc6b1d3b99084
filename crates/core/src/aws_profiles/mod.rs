//! AWS config profiles for the profile store: which ones the store implies ([`list`]), writing
//! them into the AWS config file without touching anything else in it ([`write`]), and keeping
//! a profile that runs the bin out of its own base identity ([`base_env`]).
//!
//! Tools that load no plugin (Serverless v4, CDK, Terraform, the aws CLI) read AWS config
//! profiles; a profile whose `credential_process` runs this package's bin gets the access role's
//! keys from the same store and cache as the plugin.

mod chain;
mod file;
mod list;
mod load;
mod merge;
mod ours;

pub(crate) use chain::{base_profile_sections, chain_runs_bin};
pub use file::{config_file, render, write, Section, WriteOutcome};
pub use list::{list, ConfigProfile, Listing, Skipped};
pub use merge::StaleBlock;
pub(crate) use ours::{base_env, defined_profiles, own_selected_profile, selected_profile};

/// Whether `name` can be an AWS config profile name: the characters the AWS SDKs accept in
/// `[profile NAME]` (aws-config drops sections with any other).
pub fn is_profile_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "_-/.%@:+".contains(c))
}
