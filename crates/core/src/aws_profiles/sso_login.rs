//! The `aws sso login` that renews an IAM Identity Center (SSO) profile's login, named in the
//! base identity's error when its token has expired, is missing or was refused.

use super::load::load_profiles;
use crate::context::Context;
use crate::error::Error;
use crate::text::escape_control;

/// What the SDK's SSO provider says when the login, not the setup, is the problem: an expired
/// token, no cached token (for an `sso_start_url` profile, a file of `~/.aws/sso/cache` it
/// cannot read), or a token the portal refuses.
const LOGIN_FAILURES: [&str; 4] = ["SSO token", "access token", "sso/cache", "UnauthorizedException"];

/// The command that logs `profile` (else the profile `AWS_PROFILE` selects, else `default`) in
/// again: `aws sso login --sso-session NAME` for a profile with `sso_session`, `aws sso login
/// --profile NAME` for one with the older `sso_start_url`; `None` for a profile that is not SSO.
pub(crate) fn sso_login_command(context: &Context, profile: Option<&str>) -> Option<String> {
    let profiles = load_profiles(context)?;
    let name = profile.unwrap_or_else(|| profiles.selected_profile());
    let section = profiles.get_profile(name)?;
    if let Some(session) = section.get("sso_session") {
        return Some(format!("aws sso login --sso-session {}", escape_control(session)));
    }
    section.get("sso_start_url").map(|_| format!("aws sso login --profile {}", escape_control(name)))
}

/// `err` with, when it is a missing base identity whose SSO login failed, the failure said in
/// one short line with the `aws sso login` that fixes it, instead of the provider chain's dump.
pub(crate) fn with_sso_login(err: Error, context: &Context) -> Error {
    let Error::NoBaseCredentials { base_profile, reason, skipped_profile } = err else { return err };
    let login = LOGIN_FAILURES.iter().any(|failure| reason.contains(failure));
    let command = if login { sso_login_command(context, base_profile.as_deref()) } else { None };
    let reason = match command {
        // The provider's own last words: "the SSO token has expired and cannot be refreshed".
        Some(command) => {
            let said = reason.rsplit(": ").next().unwrap_or(&reason);
            format!("the SSO login is not usable ({said}): run `{command}`")
        }
        None => reason,
    };
    Error::NoBaseCredentials { base_profile, reason, skipped_profile }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::Env;

    /// A world of its own on `env`.
    fn cx(env: &Env) -> Context {
        Context::new(env.clone())
    }

    fn env_with(config: &str) -> (tempfile::TempDir, Env) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        std::fs::write(&path, config).unwrap();
        let none = dir.path().join("none");
        let env = Env::from_slice(&[
            ("AWS_CONFIG_FILE", path.to_str().unwrap()),
            ("AWS_SHARED_CREDENTIALS_FILE", none.to_str().unwrap()),
            ("HOME", dir.path().to_str().unwrap()),
        ]);
        (dir, env)
    }

    const CONFIG: &str = "[sso-session acme]\nsso_start_url = https://acme.awsapps.com/start\nsso_region = us-east-1\n\n\
        [profile new]\nsso_session = acme\nsso_account_id = 1\nsso_role_name = R\n\n\
        [profile old]\nsso_start_url = https://acme.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 1\nsso_role_name = R\n\n\
        [profile keys]\nregion = us-east-1\n";

    #[test]
    fn the_login_command_follows_the_profiles_kind() {
        let (_dir, env) = env_with(CONFIG);
        assert_eq!(sso_login_command(&cx(&env), Some("new")).as_deref(), Some("aws sso login --sso-session acme"));
        assert_eq!(sso_login_command(&cx(&env), Some("old")).as_deref(), Some("aws sso login --profile old"));
        assert_eq!(sso_login_command(&cx(&env), Some("keys")), None);
        assert_eq!(sso_login_command(&cx(&env), Some("absent")), None);
    }

    #[test]
    fn only_a_login_failure_of_an_sso_profile_is_rewritten() {
        let (_dir, env) = env_with(CONFIG);
        let missing = |profile: &str, reason: &str| Error::NoBaseCredentials {
            base_profile: Some(profile.to_owned()),
            reason: reason.to_owned(),
            skipped_profile: None,
        };
        let expired = "an error occurred while loading credentials: an error occurred while loading an access token: \
                       the SSO token has expired and cannot be refreshed";
        let Error::NoBaseCredentials { reason, .. } = with_sso_login(missing("new", expired), &cx(&env)) else {
            panic!()
        };
        assert_eq!(
            reason,
            "the SSO login is not usable (the SSO token has expired and cannot be refreshed): run `aws sso login --sso-session acme`"
        );
        let unreachable = "dispatch failure: connection refused";
        let Error::NoBaseCredentials { reason, .. } = with_sso_login(missing("new", unreachable), &cx(&env)) else {
            panic!()
        };
        assert_eq!(reason, unreachable);
        let Error::NoBaseCredentials { reason, .. } = with_sso_login(missing("keys", expired), &cx(&env)) else {
            panic!()
        };
        assert_eq!(reason, expired);
    }
}
