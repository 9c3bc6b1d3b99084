//! The AWS config profile the environment selects: whether its `credential_process` runs this
//! package's bin, and the base identity's environment without it; and the profiles defined.
//!
//! `AWS_PROFILE=payments-dev aws …` runs the profile's `credential_process`, this bin, with
//! `AWS_PROFILE` still naming that profile. Were the base identity looked up with it, the SDK
//! would run the bin again for its keys, and so on: the base identity must skip that profile.

use super::command_line::{runs_credential_process, Shell};
use super::load::load_profiles;
use crate::context::Context;
use crate::env::Env;

/// The variables that select the AWS config profile, in the order the AWS tools read them.
const PROFILE_VARIABLES: [&str; 2] = ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"];

/// The profile the context's environment selects (`AWS_PROFILE`, else `AWS_DEFAULT_PROFILE`)
/// when its `credential_process` runs this package's bin; `None` otherwise.
pub(crate) fn own_selected_profile(context: &Context) -> Option<String> {
    let name = selected_profile(context.env())?;
    let command = credential_process_of(context, &name)?;
    runs_credential_process(&command, Shell::native()).then_some(name)
}

/// The AWS config profile `env` selects: `AWS_PROFILE`, else `AWS_DEFAULT_PROFILE`.
pub(crate) fn selected_profile(env: &Env) -> Option<String> {
    PROFILE_VARIABLES.iter().find_map(|v| env.var(v))
}

/// The profile `env` selects ([`selected_profile`]) when the default chain does not read it: the
/// key variables beside it come first in the chain (as in the aws CLI), so they are the base
/// identity. For the line that says which identity a resolve used.
pub(crate) fn shadowed_by_key_variables(env: &Env) -> Option<String> {
    let keys = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"].iter().all(|v| env.var(v).is_some_and(|k| !k.is_empty()));
    keys.then(|| selected_profile(env)).flatten().filter(|name| !name.is_empty())
}

/// The environment the base identity is looked up in: `env`, or, when the profile it selects runs
/// this bin ([`own_selected_profile`]), `env` without `AWS_PROFILE` and `AWS_DEFAULT_PROFILE`,
/// so the default chain (key variables, the `default` profile, web identity, container and
/// instance metadata) supplies the base identity instead of that profile.
pub(crate) fn base_env(context: &Context) -> Env {
    let env = context.env();
    match own_selected_profile(context) {
        Some(_) => env.clone().with_overrides(PROFILE_VARIABLES.map(|v| (v.to_owned(), None))),
        None => env.clone(),
    }
}

/// The `credential_process` of profile `name` in the AWS config files `env` points at, read by
/// aws-config's own profile parser.
fn credential_process_of(context: &Context, name: &str) -> Option<String> {
    load_profiles(context)?.get_profile(name)?.get("credential_process").map(str::to_owned)
}

/// The profiles defined in the AWS config and credentials files `env` points at, sorted; `None`
/// when the files cannot be read or parsed.
pub(crate) fn defined_profiles(context: &Context) -> Option<Vec<String>> {
    let profiles = load_profiles(context)?;
    let mut names: Vec<String> = profiles.profiles().map(str::to_owned).collect();
    names.sort();
    Some(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A world of its own on `env`.
    fn cx(env: &Env) -> Context {
        Context::new(env.clone())
    }

    /// An environment whose AWS config file holds `config`, selecting `selected`.
    fn env_with(dir: &tempfile::TempDir, config: &str, selected: &[(&str, &str)]) -> Env {
        let path = dir.path().join("config");
        std::fs::write(&path, config).unwrap();
        let mut vars: Vec<(String, Option<String>)> = vec![
            ("AWS_CONFIG_FILE".to_owned(), Some(path.display().to_string())),
            ("AWS_SHARED_CREDENTIALS_FILE".to_owned(), Some(dir.path().join("none").display().to_string())),
            ("AWS_PROFILE".to_owned(), None),
            ("AWS_DEFAULT_PROFILE".to_owned(), None),
        ];
        vars.extend(selected.iter().map(|(k, v)| ((*k).to_owned(), Some((*v).to_owned()))));
        Env::default().with_overrides(vars)
    }

    const CONFIG: &str = "[default]\nregion = eu-west-1\n\n[profile payments-dev]\ncredential_process = /x/node_modules/.bin/serverless-access-roles credential-process --app payments --stage dev\n\n[profile sso]\ncredential_process = aws configure export-credentials --profile corp\n";

    #[test]
    fn the_base_environment_skips_a_selected_profile_that_runs_the_bin() {
        let dir = tempfile::tempdir().unwrap();
        for variable in PROFILE_VARIABLES {
            let env = env_with(&dir, CONFIG, &[(variable, "payments-dev")]);
            assert_eq!(own_selected_profile(&cx(&env)).as_deref(), Some("payments-dev"));
            let base = base_env(&cx(&env));
            assert_eq!((base.var("AWS_PROFILE"), base.var("AWS_DEFAULT_PROFILE")), (None, None), "{variable}");
            assert!(base.var("AWS_CONFIG_FILE").is_some(), "the rest stays");
        }
    }

    #[test]
    fn other_profiles_and_no_profile_leave_the_environment_as_it_is() {
        let dir = tempfile::tempdir().unwrap();
        for selected in [&[("AWS_PROFILE", "sso")][..], &[("AWS_PROFILE", "missing")], &[]] {
            let env = env_with(&dir, CONFIG, selected);
            assert_eq!(own_selected_profile(&cx(&env)), None, "{selected:?}");
            assert_eq!(base_env(&cx(&env)).var("AWS_PROFILE"), env.var("AWS_PROFILE"));
        }
        let broken =
            env_with(&dir, "[profile payments-dev\ncredential_process = x", &[("AWS_PROFILE", "payments-dev")]);
        assert_eq!(own_selected_profile(&cx(&broken)), None, "an unreadable config decides nothing");
    }
}
