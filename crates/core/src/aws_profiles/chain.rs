//! The AWS config settings that decide a base identity, as text for the cache key: those of the
//! profile itself, of the `source_profile` chain behind it, and of the `sso-session` they name.
//! An edit anywhere else in the AWS files (another profile added, `output = json`) leaves this
//! text, and the cached keys, as they were; an edit to one of these settings changes it.

use super::command_line::{runs_credential_process, Shell};
use super::load::load_profiles;
use super::selected::selected_profile;
use crate::context::Context;
use aws_config::profile::{Profile, ProfileSet};

/// Longest `source_profile` chain followed; aws-config refuses loops itself.
const MAX_HOPS: usize = 16;

/// Profile settings that decide whose keys the chain finds, where, and how they are refreshed
/// (the AWS SDKs and Tools Reference Guide's credential and endpoint settings).
const PROFILE_SETTINGS: &[&str] = &[
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "credential_process",
    "credential_source",
    "source_profile",
    "role_arn",
    "role_session_name",
    "external_id",
    "mfa_serial",
    "duration_seconds",
    "web_identity_token_file",
    "sso_session",
    "sso_start_url",
    "sso_region",
    "sso_account_id",
    "sso_role_name",
    "login_session",
    "region",
    "endpoint_url",
    "services",
    "use_fips_endpoint",
    "use_dualstack_endpoint",
    "sts_regional_endpoints",
];

/// `sso-session` settings.
const SSO_SESSION_SETTINGS: &[&str] = &["sso_start_url", "sso_region", "sso_registration_scopes"];

/// The profile `name` and the sections behind it, each as `[kind name]` and its
/// [`PROFILE_SETTINGS`] that are set, as `key = value` lines, in the order the chain reaches them. A profile that is not defined
/// appears as `[profile NAME] (not defined)`; files that cannot be read as one line saying so.
pub(crate) fn base_profile_sections(context: &Context, name: &str) -> String {
    let Some(profiles) = load_profiles(context) else { return "(AWS config files unreadable)".to_owned() };
    let chain = walk(&profiles, name);
    let mut text = String::new();
    for (current, profile) in &chain.reached {
        push_section(&mut text, &format!("profile {current}"), PROFILE_SETTINGS, |k| profile.get(k));
        if let Some((name, session)) = profile.get("sso_session").and_then(|s| Some((s, profiles.sso_session(s)?))) {
            push_section(&mut text, &format!("sso-session {name}"), SSO_SESSION_SETTINGS, |k| session.get(k));
        }
    }
    if let Some(undefined) = chain.undefined {
        text.push_str(&format!("[profile {undefined}] (not defined)\n"));
    }
    text
}

/// Whether the base identity's credential chain in the context's environment runs this package's bin: a profile of
/// the `source_profile` chain it starts from (`base_profile`, else, without key variables,
/// `AWS_PROFILE`, `AWS_DEFAULT_PROFILE` or `default`, as the default chain picks) has a
/// `credential_process` that is `serverless-access-roles credential-process`. Such a chain may
/// come back to the resolve that runs it (see `crate::cache`'s loop guard).
pub(crate) fn chain_runs_bin(context: &Context, base_profile: Option<&str>) -> bool {
    let env = context.env();
    let name = match base_profile {
        Some(name) => name.to_owned(),
        // The default chain reads the key variables before any profile.
        None if env.var("AWS_ACCESS_KEY_ID").is_some() => return false,
        None => selected_profile(env).unwrap_or_else(|| "default".to_owned()),
    };
    let Some(profiles) = load_profiles(context) else { return false };
    walk(&profiles, &name).reached.iter().any(|(_, profile)| {
        profile.get("credential_process").is_some_and(|line| runs_credential_process(line, Shell::native()))
    })
}

/// The values of `setting` along the `source_profile` chain that starts at `name` (see [`walk`]),
/// in the order the chain reaches them.
pub(crate) fn chain_settings(context: &Context, name: &str, setting: &str) -> Vec<String> {
    let Some(profiles) = load_profiles(context) else { return Vec::new() };
    walk(&profiles, name).reached.iter().filter_map(|(_, profile)| profile.get(setting).map(str::to_owned)).collect()
}

/// A `source_profile` chain as the AWS files define it.
struct Chain<'a> {
    /// The profiles reached, by name, in order, each once, at most [`MAX_HOPS`].
    reached: Vec<(&'a str, &'a Profile)>,
    /// The name a profile of the chain gives as its `source_profile` that no section defines.
    undefined: Option<&'a str>,
}

/// The chain of profiles that starts at `name` and follows each one's `source_profile`, until a
/// profile names none, one already reached, or one not defined; or [`MAX_HOPS`] are reached.
fn walk<'a>(profiles: &'a ProfileSet, name: &'a str) -> Chain<'a> {
    let mut chain = Chain { reached: Vec::new(), undefined: None };
    let mut next = Some(name);
    while let Some(current) = next.take() {
        if chain.reached.len() == MAX_HOPS || chain.reached.iter().any(|(seen, _)| *seen == current) {
            break;
        }
        let Some(profile) = profiles.get_profile(current) else {
            chain.undefined = Some(current);
            break;
        };
        chain.reached.push((current, profile));
        next = profile.get("source_profile");
    }
    chain
}

fn push_section<'a>(text: &mut String, header: &str, settings: &[&str], get: impl Fn(&str) -> Option<&'a str>) {
    text.push_str(&format!("[{header}]\n"));
    for key in settings {
        if let Some(value) = get(key) {
            text.push_str(&format!("{key} = {value}\n"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::Env;

    /// A world of its own on `env`.
    fn cx(env: &Env) -> Context {
        Context::new(env.clone())
    }

    fn env_for(config: &std::path::Path) -> Env {
        let credentials = config.with_extension("creds");
        Env::from_slice(&[
            ("AWS_CONFIG_FILE", config.to_str().unwrap()),
            ("AWS_SHARED_CREDENTIALS_FILE", credentials.to_str().unwrap()),
        ])
    }

    #[test]
    fn the_sections_follow_the_source_profile_chain_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        let text = "[profile ci]\nsource_profile = base\nrole_arn = arn:aws:iam::1:role/ci\n\
                    output = json\n[profile base]\nsso_session = corp\n[sso-session corp]\nsso_region = eu-west-1\n\
                    [profile other]\nregion = us-east-1\n";
        std::fs::write(&config, text).unwrap();
        let sections = base_profile_sections(&cx(&env_for(&config)), "ci");
        assert_eq!(
            sections,
            "[profile ci]\nsource_profile = base\nrole_arn = arn:aws:iam::1:role/ci\n[profile base]\nsso_session = corp\n\
             [sso-session corp]\nsso_region = eu-west-1\n"
        );
        assert_eq!(base_profile_sections(&cx(&env_for(&config)), "nope"), "[profile nope] (not defined)\n");
    }

    #[test]
    fn a_chain_runs_the_bin_when_a_profile_it_reaches_is_this_credential_process() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        let text = "[default]\ncredential_process = /x/serverless-access-roles credential-process --app a\n\
                    [profile ci]\nsource_profile = default\nrole_arn = arn:aws:iam::1:role/ci\n\
                    [profile keys]\naws_access_key_id = AKIA\n[profile other]\ncredential_process = /bin/other-tool\n";
        std::fs::write(&config, text).unwrap();
        let env = env_for(&config);
        assert!(chain_runs_bin(&cx(&env), None), "the default profile");
        assert!(chain_runs_bin(&cx(&env), Some("ci")), "through source_profile");
        assert!(!chain_runs_bin(&cx(&env), Some("keys")) && !chain_runs_bin(&cx(&env), Some("other")));
        let with_keys = env.clone().with_overrides([("AWS_ACCESS_KEY_ID".to_owned(), Some("AKIA".to_owned()))]);
        assert!(!chain_runs_bin(&cx(&with_keys), None), "key variables come first");
        assert!(chain_runs_bin(&cx(&with_keys), Some("ci")), "an explicit profile wins over them");
        let named = env.with_overrides([("AWS_PROFILE".to_owned(), Some("keys".to_owned()))]);
        assert!(!chain_runs_bin(&cx(&named), None));
    }

    #[test]
    fn a_chain_reaches_each_profile_once_and_at_most_sixteen() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        std::fs::write(
            &config,
            "[profile a]\nsource_profile = b\n[profile b]\nsource_profile = a\nregion = eu-west-1\n",
        )
        .unwrap();
        let context = cx(&env_for(&config));
        let sections = base_profile_sections(&context, "a");
        assert_eq!(sections, "[profile a]\nsource_profile = b\n[profile b]\nsource_profile = a\nregion = eu-west-1\n");
        assert_eq!(chain_settings(&context, "b", "source_profile"), ["a", "b"]);

        // p0 -> p1 -> ... -> p16: the seventeenth is past the last hop followed.
        let mut text = String::new();
        for i in 0..16 {
            text.push_str(&format!("[profile p{i}]\nsource_profile = p{}\ncredential_source = S{i}\n", i + 1));
        }
        text.push_str("[profile p16]\ncredential_process = /x/serverless-access-roles credential-process\n");
        std::fs::write(&config, text).unwrap();
        let context = cx(&env_for(&config));
        let sources = chain_settings(&context, "p0", "credential_source");
        assert_eq!((sources.len(), sources.last().map(String::as_str)), (16, Some("S15")));
        assert!(!chain_runs_bin(&context, Some("p0")), "p16 is the seventeenth");
        assert!(chain_runs_bin(&context, Some("p1")), "p16 is the sixteenth");
        assert!(base_profile_sections(&context, "p15")
            .ends_with("[profile p16]\ncredential_process = /x/serverless-access-roles credential-process\n"));
    }

    #[test]
    fn a_source_profile_that_is_not_defined_ends_the_chain_and_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        std::fs::write(&config, "[profile a]\nsource_profile = gone\ncredential_source = Environment\n").unwrap();
        let context = cx(&env_for(&config));
        assert_eq!(
            base_profile_sections(&context, "a"),
            "[profile a]\ncredential_source = Environment\nsource_profile = gone\n[profile gone] (not defined)\n"
        );
        assert_eq!(chain_settings(&context, "a", "credential_source"), ["Environment"]);
        assert!(chain_settings(&context, "gone", "credential_source").is_empty());
    }
}
