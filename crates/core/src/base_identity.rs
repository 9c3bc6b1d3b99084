//! The environment the base identity's credential chain reads.
//!
//! aws-config's default chain tries key variables first, then the profile, web identity,
//! container and instance metadata. When the user names a base profile (`--aws-profile`,
//! `baseProfile`, `provider.profile`, a store profile's `sourceProfile`), that profile alone is
//! the base identity, as botocore and the aws CLI do it: the ambient sources are taken out of
//! the environment the chain sees, and a name that is not defined is an error before any call.
//! A profile that itself asks for an ambient source (`credential_source = Environment`,
//! `Ec2InstanceMetadata`, `EcsContainer`) keeps that one source.

use crate::aws_profiles::{base_env, chain_settings, defined_profiles};
use crate::context::Context;
use crate::error::Error;
use crate::plan::AssumeRoleRequest;

/// The key variables: aws-config's first source.
const KEY_VARIABLES: &[&str] =
    &["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"];

/// Web identity from the environment (CI OIDC); a profile's own `web_identity_token_file` stays.
const WEB_IDENTITY_VARIABLES: &[&str] = &["AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME"];

/// The container credentials endpoint (ECS, CodeBuild, `exec --server`-style endpoints).
const CONTAINER_VARIABLES: &[&str] = &[
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
];

/// Turns aws-config's instance metadata provider off.
const METADATA_DISABLED: &str = "AWS_EC2_METADATA_DISABLED";

/// Where the base identity of `request` comes from, and the environment its chain reads.
#[derive(Clone, Debug)]
pub(crate) struct BaseIdentity {
    /// The AWS profile named for it, if one was.
    pub(crate) profile: Option<String>,
    /// What the credential chain reads: the caller's context with the environment narrowed.
    pub(crate) context: Context,
}

impl BaseIdentity {
    /// The base identity of `request` (its first hop's) in the context's environment `env`:
    /// - a named profile: `env` without the ambient sources the profile does not ask for, or
    ///   [`Error::UnknownBaseProfile`] when the AWS files do not define it;
    /// - none named: `env` without a selected profile that runs this package's bin
    ///   (see [`base_env`]).
    pub(crate) fn of(request: &AssumeRoleRequest, context: &Context) -> Result<BaseIdentity, Error> {
        let Some(profile) = request.first_hop().base_profile.clone() else {
            return Ok(BaseIdentity { profile: None, context: context.with_env(base_env(context)) });
        };
        if let Some(defined) = defined_profiles(context).filter(|names| !names.contains(&profile)) {
            return Err(Error::UnknownBaseProfile { profile, defined });
        }
        let sources = chain_settings(context, &profile, "credential_source");
        let keep = |source: &str| sources.iter().any(|s| s.eq_ignore_ascii_case(source));
        let mut removed: Vec<&str> = WEB_IDENTITY_VARIABLES.to_vec();
        if !keep("Environment") {
            removed.extend(KEY_VARIABLES);
        }
        if !keep("EcsContainer") {
            removed.extend(CONTAINER_VARIABLES);
        }
        let mut overrides: Vec<(String, Option<String>)> = removed.into_iter().map(|v| (v.to_owned(), None)).collect();
        if !keep("Ec2InstanceMetadata") {
            overrides.push((METADATA_DISABLED.to_owned(), Some("true".to_owned())));
        }
        let env = context.env().clone().with_overrides(overrides);
        Ok(BaseIdentity { context: context.with_env(env), profile: Some(profile) })
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

    fn aws_files(config: &str) -> (tempfile::TempDir, Env) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config"), config).unwrap();
        std::fs::write(
            dir.path().join("credentials"),
            "[admin]\naws_access_key_id = AKIAADMIN\naws_secret_access_key = s\n",
        )
        .unwrap();
        let env = Env::from_slice(&[
            ("AWS_CONFIG_FILE", dir.path().join("config").to_str().unwrap()),
            ("AWS_SHARED_CREDENTIALS_FILE", dir.path().join("credentials").to_str().unwrap()),
            ("AWS_ACCESS_KEY_ID", "AKIAAMBIENT"),
            ("AWS_SECRET_ACCESS_KEY", "ambient-secret"),
            ("AWS_SESSION_TOKEN", "ambient-token"),
            ("AWS_WEB_IDENTITY_TOKEN_FILE", "/token"),
            ("AWS_ROLE_ARN", "arn:aws:iam::111111111111:role/ci"),
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1/creds"),
            ("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:2"),
        ]);
        (dir, env)
    }

    fn named(profile: &str) -> AssumeRoleRequest {
        AssumeRoleRequest {
            base_profile: Some(profile.to_owned()),
            ..AssumeRoleRequest::plain("arn:aws:iam::1:role/r")
        }
    }

    #[test]
    fn a_named_profile_is_the_only_source_of_the_base_identity() {
        let (_dir, env) = aws_files("[profile ci]\nregion = eu-west-1\n");
        let base = BaseIdentity::of(&named("admin"), &cx(&env)).unwrap();
        assert_eq!(base.profile.as_deref(), Some("admin"));
        for gone in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_WEB_IDENTITY_TOKEN_FILE"] {
            assert_eq!(base.context.env().var(gone), None, "{gone}");
        }
        assert_eq!(base.context.env().var("AWS_CONTAINER_CREDENTIALS_FULL_URI"), None);
        assert_eq!(base.context.env().var("AWS_EC2_METADATA_DISABLED").as_deref(), Some("true"));
        assert_eq!(
            base.context.env().var("AWS_ENDPOINT_URL_STS").as_deref(),
            Some("http://127.0.0.1:2"),
            "endpoints stay"
        );
    }

    #[test]
    fn an_unknown_named_profile_is_an_error_whatever_the_environment_holds() {
        let (_dir, env) = aws_files("[profile ci]\nregion = eu-west-1\n");
        let err = BaseIdentity::of(&named("admn"), &cx(&env)).unwrap_err();
        assert_eq!(err.code(), "E_NO_BASE_CREDENTIALS");
        let text = err.to_string();
        assert!(text.contains("`admn`") && text.contains("`admin`") && text.contains("`ci`"), "{text}");
    }

    #[test]
    fn a_profile_that_asks_for_an_ambient_source_keeps_that_one() {
        let (_dir, env) = aws_files(
            "[profile from-env]\nrole_arn = arn:aws:iam::1:role/x\ncredential_source = Environment\n\
             [profile hop]\nsource_profile = on-ec2\nrole_arn = arn:aws:iam::1:role/y\n\
             [profile on-ec2]\nrole_arn = arn:aws:iam::1:role/z\ncredential_source = Ec2InstanceMetadata\n",
        );
        let from_env = BaseIdentity::of(&named("from-env"), &cx(&env)).unwrap().context.env().clone();
        assert_eq!(from_env.var("AWS_ACCESS_KEY_ID").as_deref(), Some("AKIAAMBIENT"));
        assert_eq!(from_env.var("AWS_EC2_METADATA_DISABLED").as_deref(), Some("true"));
        let hop = BaseIdentity::of(&named("hop"), &cx(&env)).unwrap().context.env().clone();
        assert_eq!(hop.var("AWS_ACCESS_KEY_ID"), None);
        assert_eq!(hop.var("AWS_EC2_METADATA_DISABLED"), None, "the chain's source is instance metadata");
    }

    #[test]
    fn without_a_named_profile_the_default_chain_reads_the_environment_as_it_is() {
        let (_dir, env) = aws_files("");
        let base = BaseIdentity::of(&AssumeRoleRequest::plain("arn:aws:iam::1:role/r"), &cx(&env)).unwrap();
        assert_eq!(base.profile, None);
        assert_eq!(base.context.env().var("AWS_ACCESS_KEY_ID").as_deref(), Some("AKIAAMBIENT"));
        assert_eq!(base.context.env().var("AWS_EC2_METADATA_DISABLED"), None);
    }

    #[test]
    fn the_first_hops_profile_is_the_chains_base_identity() {
        let (_dir, env) = aws_files("");
        let chained = AssumeRoleRequest {
            via: Some(Box::new(named("admin"))),
            ..AssumeRoleRequest::plain("arn:aws:iam::1:role/r")
        };
        let base = BaseIdentity::of(&chained, &cx(&env)).unwrap();
        assert_eq!((base.profile.as_deref(), base.context.env().var("AWS_ACCESS_KEY_ID")), (Some("admin"), None));
    }
}
