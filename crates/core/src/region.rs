//! The STS region: decided here, from settings the user wrote down, and handed to aws-config
//! explicitly, so its own region chain (which ends at the instance metadata service, seconds
//! of waiting off EC2) never runs.

use crate::aws_profiles::{base_aws_profile, profile_setting};
use crate::context::Context;
use crate::error::Error;
use crate::profiles::Region;
use std::fmt;

/// The region used when nothing names one: STS's global endpoint lives there.
pub(crate) const FALLBACK_REGION: &str = "us-east-1";

/// The region variables, in the order the AWS SDKs read them.
const REGION_VARIABLES: [&str; 2] = ["AWS_REGION", "AWS_DEFAULT_REGION"];

/// Which setting gave the STS region, for `show` and debug lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegionRule {
    /// The store profile's `region`.
    Profile,
    /// The caller's `region` option (the plugin passes the service's region).
    Option,
    /// A region variable (`AWS_REGION`, else `AWS_DEFAULT_REGION`).
    Variable(&'static str),
    /// The `region` of the base identity's AWS config profile.
    AwsProfile(String),
    /// Nothing named one: [`FALLBACK_REGION`].
    Fallback,
}

impl fmt::Display for RegionRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegionRule::Profile => write!(f, "the store profile's region"),
            RegionRule::Option => write!(f, "the region option"),
            RegionRule::Variable(name) => write!(f, "{name}"),
            RegionRule::AwsProfile(name) => write!(f, "AWS profile `{name}`"),
            RegionRule::Fallback => write!(f, "the default, {FALLBACK_REGION}"),
        }
    }
}

/// The STS region and the rule that gave it:
///
/// 1. the store profile's `region`;
/// 2. the `region` option;
/// 3. `AWS_REGION`, else `AWS_DEFAULT_REGION` (blank counts as unset, as in the aws CLI);
/// 4. the `region` of the base identity's AWS config profile (`base_profile`, else the one
///    `AWS_PROFILE` selects, else `default`);
/// 5. us-east-1.
///
/// Never the instance metadata service. A malformed variable is `E_INVALID_ARGUMENT` naming it.
pub(crate) fn decide(
    profile: Option<&Region>,
    option: Option<&Region>,
    base_profile: Option<&str>,
    context: &Context,
) -> Result<(String, RegionRule), Error> {
    let env = context.env();
    if let Some(region) = profile {
        return Ok((region.as_str().to_owned(), RegionRule::Profile));
    }
    if let Some(region) = option {
        return Ok((region.as_str().to_owned(), RegionRule::Option));
    }
    for name in REGION_VARIABLES {
        if let Some(value) = env.var(name).filter(|v| !v.trim().is_empty()) {
            let region = Region::try_from(value.trim().to_owned()).map_err(|message| Error::InvalidArgument {
                name,
                message: format!("{message}; unset it or fix it"),
            })?;
            return Ok((region.as_str().to_owned(), RegionRule::Variable(name)));
        }
    }
    let aws_profile = base_aws_profile(base_profile, env);
    let configured = profile_setting(context, &aws_profile, "region").and_then(|r| Region::try_from(r).ok());
    Ok(match configured {
        Some(region) => (region.as_str().to_owned(), RegionRule::AwsProfile(aws_profile)),
        None => (FALLBACK_REGION.to_owned(), RegionRule::Fallback),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::Env;

    /// A world of its own on `env`.
    fn cx(env: &Env) -> Context {
        Context::new(env.clone())
    }

    fn region(name: &str) -> Region {
        Region::try_from(name.to_owned()).unwrap()
    }

    fn aws_config(text: &str) -> (tempfile::TempDir, Env) {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        std::fs::write(&config, text).unwrap();
        let credentials = dir.path().join("credentials");
        let env = Env::from_slice(&[
            ("AWS_CONFIG_FILE", config.to_str().unwrap()),
            ("AWS_SHARED_CREDENTIALS_FILE", credentials.to_str().unwrap()),
        ]);
        (dir, env)
    }

    #[test]
    fn the_store_profile_then_the_option_then_the_variables_decide() {
        let env = Env::from_slice(&[("AWS_REGION", "eu-west-1"), ("AWS_DEFAULT_REGION", "eu-west-2")]);
        let (profile, option) = (region("ap-south-1"), region("ca-central-1"));
        assert_eq!(
            decide(Some(&profile), Some(&option), None, &cx(&env)).unwrap(),
            ("ap-south-1".into(), RegionRule::Profile)
        );
        assert_eq!(decide(None, Some(&option), None, &cx(&env)).unwrap(), ("ca-central-1".into(), RegionRule::Option));
        assert_eq!(
            decide(None, None, None, &cx(&env)).unwrap(),
            ("eu-west-1".into(), RegionRule::Variable("AWS_REGION"))
        );
        let default_only = Env::from_slice(&[("AWS_DEFAULT_REGION", "eu-west-2")]);
        assert_eq!(decide(None, None, None, &cx(&default_only)).unwrap().1, RegionRule::Variable("AWS_DEFAULT_REGION"));
    }

    #[test]
    fn blank_region_variables_count_as_unset_and_malformed_ones_are_named() {
        let (_dir, env) = aws_config("");
        let blank = env.clone().with_overrides([("AWS_REGION".to_owned(), Some("  ".to_owned()))]);
        assert_eq!(decide(None, None, None, &cx(&blank)).unwrap(), ("us-east-1".into(), RegionRule::Fallback));
        let bad = env.with_overrides([("AWS_DEFAULT_REGION".to_owned(), Some("mars\u{1b}[2J".to_owned()))]);
        let err = decide(None, None, None, &cx(&bad)).unwrap_err();
        assert_eq!(err.code(), "E_INVALID_ARGUMENT");
        let text = err.to_string();
        assert!(text.contains("AWS_DEFAULT_REGION") && !text.contains('\u{1b}'), "{text}");
    }

    #[test]
    fn the_base_identitys_aws_profile_gives_the_region_before_the_fallback() {
        let (_dir, env) =
            aws_config("[default]\nregion = eu-north-1\n[profile ci]\nregion = sa-east-1\n[profile bare]\n");
        assert_eq!(
            decide(None, None, Some("ci"), &cx(&env)).unwrap(),
            ("sa-east-1".into(), RegionRule::AwsProfile("ci".into()))
        );
        assert_eq!(
            decide(None, None, None, &cx(&env)).unwrap(),
            ("eu-north-1".into(), RegionRule::AwsProfile("default".into()))
        );
        let selected = env.clone().with_overrides([("AWS_PROFILE".to_owned(), Some("ci".to_owned()))]);
        assert_eq!(decide(None, None, None, &cx(&selected)).unwrap().0, "sa-east-1");
        assert_eq!(decide(None, None, Some("bare"), &cx(&env)).unwrap(), ("us-east-1".into(), RegionRule::Fallback));
    }

    #[test]
    fn rules_read_as_the_user_knows_them() {
        assert_eq!(RegionRule::Variable("AWS_REGION").to_string(), "AWS_REGION");
        assert_eq!(RegionRule::AwsProfile("ci".into()).to_string(), "AWS profile `ci`");
        assert_eq!(RegionRule::Fallback.to_string(), "the default, us-east-1");
        assert_eq!(RegionRule::Profile.to_string(), "the store profile's region");
        assert_eq!(RegionRule::Option.to_string(), "the region option");
    }
}
