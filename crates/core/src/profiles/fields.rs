//! Validated field types of the profile store.
//!
//! Each type checks its value while the store is deserialized, so a bad value is reported at its
//! own line and column by the parser.

use super::checked::deserialize_checked;
use crate::arn::{iam_path_name, Arn, PARTITIONS};
use crate::text::shorten;
use std::fmt;

/// The IAM role ARN of an access role: `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleArn(String);

deserialize_checked!(RoleArn, String, "an IAM role ARN");

impl RoleArn {
    /// The ARN as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for RoleArn {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        let expected = "expected an IAM role ARN like arn:aws:iam::123456789012:role/serverless-deploy";
        let Some(arn) = Arn::parse(&value) else {
            return Err(format!("`{}` is not an ARN; {expected}", shorten(&value)));
        };
        if arn.service != "iam" || !arn.region.is_empty() {
            return Err(format!("`{}` is not an IAM ARN; {expected}", shorten(&value)));
        }
        if !arn.known_partition() {
            return Err(format!(
                "unknown partition `{}` in role ARN; expected one of {}",
                shorten(arn.partition),
                PARTITIONS.join(", ")
            ));
        }
        if !arn.valid_account() {
            return Err(format!("account `{}` in role ARN is not 12 digits; {expected}", shorten(arn.account)));
        }
        let Some(path_and_name) = arn.resource.strip_prefix("role/") else {
            return Err(format!("`{}` names no role (resource must start with `role/`); {expected}", shorten(&value)));
        };
        if iam_path_name(path_and_name).is_none() {
            return Err(format!(
                "role name in `{}` is not valid: 1-64 of letters, digits and +=,.@_-",
                shorten(&value)
            ));
        }
        Ok(RoleArn(value))
    }
}

impl fmt::Display for RoleArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The `sts:ExternalId` a role's trust policy may demand: 2–1224 of `\w+=,.@:/-`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExternalId(String);

deserialize_checked!(ExternalId, String, "an external id");

impl ExternalId {
    /// The id as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ExternalId {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        if !(2..=1224).contains(&value.len()) {
            return Err(format!("externalId must be 2 to 1224 characters long, found {}", value.chars().count()));
        }
        if let Some(bad) = value.chars().find(|c| !(c.is_ascii_alphanumeric() || "_+=,.@:/-".contains(*c))) {
            return Err(format!("externalId contains {bad:?}; only letters, digits and _+=,.@:/- are allowed"));
        }
        Ok(ExternalId(value))
    }
}

/// How long assumed keys live, in seconds: 900 to 43200 (STS's bounds; the role's own maximum
/// session duration may be lower).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DurationSeconds(u32);

deserialize_checked!(DurationSeconds, serde_json::Value, "a number of seconds", any);

impl DurationSeconds {
    /// One hour, what the original product handed out.
    pub const DEFAULT: DurationSeconds = DurationSeconds(3600);

    /// The duration in seconds.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<i64> for DurationSeconds {
    type Error = String;

    fn try_from(value: i64) -> Result<Self, String> {
        if (900..=43200).contains(&value) {
            Ok(DurationSeconds(value as u32))
        } else {
            Err(format!("durationSeconds must be between 900 and 43200, found {value}"))
        }
    }
}

impl TryFrom<serde_json::Value> for DurationSeconds {
    type Error = String;

    fn try_from(value: serde_json::Value) -> Result<Self, String> {
        let digits = value.as_str().filter(|s| {
            let unsigned = s.strip_prefix('-').unwrap_or(s);
            !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit())
        });
        match (value.as_i64(), digits) {
            (Some(seconds), _) => DurationSeconds::try_from(seconds),
            // A number in range was quoted ('900'); only one past 64 bits arrives as digits unquoted.
            (None, Some(digits)) if digits.parse::<i64>().is_ok() => Err(format!(
                "durationSeconds must be a number, found the string '{0}': write {0} without quotes",
                shorten(digits)
            )),
            (None, Some(digits)) => {
                Err(format!("durationSeconds must be between 900 and 43200, found {}", shorten(digits)))
            }
            _ => Err(format!(
                "durationSeconds must be a whole number of seconds (900 to 43200), found {}",
                shorten(&value.to_string())
            )),
        }
    }
}

/// An AWS region name such as `us-east-1` or `cn-north-1`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region(String);

deserialize_checked!(Region, String, "a region name");

impl Region {
    /// The region as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Region {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        let parts: Vec<&str> = value.split('-').collect();
        let well_formed = parts.len() >= 3
            && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
            && parts.last().is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
            && value.len() <= 32;
        if well_formed {
            Ok(Region(value))
        } else {
            Err(format!("`{}` is not an AWS region name like us-east-1", shorten(&value)))
        }
    }
}

/// A name template for `sessionName` or `sourceIdentity`, e.g. `{user}-{app}-{stage}`.
///
/// Placeholders: `{user}`, `{app}`, `{stage}`, `{profile}`, `{service}`. The rendered name is
/// sanitised to STS's rules (see `crates/core/src/naming.rs`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameTemplate(String);

deserialize_checked!(NameTemplate, String, "a name template");

/// The placeholders a name template may use.
const NAME_PLACEHOLDERS: &[&str] = &["user", "app", "stage", "profile", "service"];

impl NameTemplate {
    /// `{user}-{app}-{stage}`, used when a profile sets none.
    pub fn default_template() -> Self {
        NameTemplate("{user}-{app}-{stage}".to_owned())
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for NameTemplate {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        if value.trim().is_empty() || value.len() > 256 {
            return Err("expected a non-empty name template of at most 256 characters".to_owned());
        }
        let mut rest = value.as_str();
        while let Some((_, after)) = rest.split_once('{') {
            let Some((name, tail)) = after.split_once('}') else {
                return Err("the name template has a `{` without a closing `}`".to_owned());
            };
            if !NAME_PLACEHOLDERS.contains(&name) {
                let known = NAME_PLACEHOLDERS.iter().map(|p| format!("{{{p}}}")).collect::<Vec<_>>();
                return Err(format!(
                    "unknown placeholder `{{{}}}` in the name template; expected one of {}",
                    shorten(name),
                    known.join(", ")
                ));
            }
            rest = tail;
        }
        Ok(NameTemplate(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arn_accepts_commercial_china_and_govcloud_roles_with_paths() {
        for arn in [
            "arn:aws:iam::111111111111:role/serverless-deploy",
            "arn:aws-cn:iam::111111111111:role/deploy",
            "arn:aws-us-gov:iam::111111111111:role/teams/payments/deploy+ci@x",
        ] {
            let role = RoleArn::try_from(arn.to_owned()).unwrap();
            assert_eq!((role.as_str(), role.to_string().as_str()), (arn, arn));
        }
    }

    #[test]
    fn role_arn_path_and_name_may_be_576_characters_and_no_more() {
        // IAM allows a 512-character path and a 64-character name.
        let path = format!("{}/", "p".repeat(63)).repeat(8);
        let longest = format!("arn:aws:iam::111111111111:role/{path}{}", "n".repeat(64));
        assert!(RoleArn::try_from(longest.clone()).is_ok());
        let over = longest.replacen("role/", "role/p", 1);
        assert!(RoleArn::try_from(over).unwrap_err().contains("role name"));
        let long_name = format!("arn:aws:iam::111111111111:role/{}", "n".repeat(65));
        assert!(RoleArn::try_from(long_name).unwrap_err().contains("role name"));
    }

    #[test]
    fn role_arn_rejects_bad_characters_in_the_path_or_in_the_name_alone() {
        for bad in ["team s/deploy", "team\\s/deploy", "team:s/deploy", "deploy!", "dé/deploy"] {
            let arn = format!("arn:aws:iam::111111111111:role/{bad}");
            let err = RoleArn::try_from(arn.clone()).unwrap_err();
            assert!(err.contains("role name"), "{arn}: {err}");
        }
    }

    #[test]
    fn role_arn_rejects_users_bad_accounts_partitions_and_regions() {
        let cases = [
            ("arn:aws:iam::111111111111:user/bob", "names no role"),
            ("arn:aws:iam::1111:role/x", "not 12 digits"),
            ("arn:aws-mars:iam::111111111111:role/x", "unknown partition"),
            ("arn:aws:iam:us-east-1:111111111111:role/x", "not an IAM ARN"),
            ("arn:aws:sts::111111111111:role/x", "not an IAM ARN"),
            ("serverless-deploy", "not an ARN"),
            ("arn:aws:iam::111111111111:role/", "role name"),
            ("arn:aws:iam::111111111111:role/has space", "role name"),
        ];
        for (arn, expected) in cases {
            let err = RoleArn::try_from(arn.to_owned()).unwrap_err();
            assert!(err.contains(expected), "{arn}: {err}");
        }
    }

    #[test]
    fn duration_is_bounded_by_sts_limits() {
        assert_eq!(DurationSeconds::try_from(900).unwrap().get(), 900);
        assert_eq!(DurationSeconds::try_from(43200).unwrap().get(), 43200);
        assert!(DurationSeconds::try_from(899).unwrap_err().contains("between 900 and 43200"));
        assert!(DurationSeconds::try_from(43201).is_err());
        assert!(DurationSeconds::try_from(-1).is_err());
        assert_eq!(DurationSeconds::try_from(serde_json::json!(7200)).unwrap().get(), 7200);
        let low = DurationSeconds::try_from(serde_json::json!(60)).unwrap_err();
        assert_eq!(low, "durationSeconds must be between 900 and 43200, found 60");
        let err = DurationSeconds::try_from(serde_json::json!("1h")).unwrap_err();
        assert!(err.contains("whole number of seconds"), "{err}");
        assert!(DurationSeconds::try_from(serde_json::json!(3600.5)).is_err());
        let huge = DurationSeconds::try_from(serde_json::json!("99999999999999999999")).unwrap_err();
        assert_eq!(huge, "durationSeconds must be between 900 and 43200, found 99999999999999999999");
        let quoted = DurationSeconds::try_from(serde_json::json!("900")).unwrap_err();
        assert_eq!(quoted, "durationSeconds must be a number, found the string '900': write 900 without quotes");
    }

    #[test]
    fn external_id_follows_sts_character_rules() {
        assert_eq!(ExternalId::try_from("acme-7f3a".to_owned()).unwrap().as_str(), "acme-7f3a");
        assert!(ExternalId::try_from("a:/_+=,.@-9".repeat(111) + "abc").is_ok());
        let over = ExternalId::try_from("x".repeat(1225)).unwrap_err();
        assert_eq!(over, "externalId must be 2 to 1224 characters long, found 1225");
        assert!(ExternalId::try_from("x".to_owned()).unwrap_err().contains("2 to 1224"));
        assert!(ExternalId::try_from("acme 7f3a".to_owned()).unwrap_err().contains("' '"));
    }

    #[test]
    fn region_must_look_like_an_aws_region() {
        for ok in ["us-east-1", "cn-north-1", "us-gov-west-1", "eu-central-2"] {
            assert_eq!(Region::try_from(ok.to_owned()).unwrap().as_str(), ok);
        }
        let longest = format!("us-{}-1", "x".repeat(27));
        assert!(Region::try_from(longest.clone()).is_ok());
        let too_long = longest.replacen("us-", "us-x", 1);
        for bad in ["", "useast1", "us-1", "US-EAST-1", "us-east-", "us-east-one", "us--east-1", too_long.as_str()] {
            assert!(Region::try_from(bad.to_owned()).is_err(), "{bad}");
        }
    }

    #[test]
    fn session_name_template_knows_its_placeholders() {
        let default = NameTemplate::default_template();
        assert_eq!(NameTemplate::try_from("{user}-{app}-{stage}".to_owned()).unwrap(), default);
        assert_eq!(default.as_str(), "{user}-{app}-{stage}");
        assert!(NameTemplate::try_from("{profile}{stage}}".to_owned()).is_ok());
        assert!(NameTemplate::try_from("{user}-{".to_owned()).unwrap_err().contains("without a closing"));
        assert!(NameTemplate::try_from("{user}-{app}-{nope}".to_owned()).unwrap_err().contains("`{nope}`"));
        assert!(NameTemplate::try_from("ci-{service}".to_owned()).is_ok());
        let err = NameTemplate::try_from("{usr}-{app}".to_owned()).unwrap_err();
        assert!(err.contains("unknown placeholder `{usr}`"), "{err}");
        assert!(NameTemplate::try_from("{user".to_owned()).is_err());
        assert!(NameTemplate::try_from("  ".to_owned()).is_err());
    }

    #[test]
    fn session_name_template_may_be_256_characters_and_no_more() {
        let longest = format!("{{user}}-{}", "x".repeat(249));
        assert_eq!(NameTemplate::try_from(longest.clone()).unwrap().as_str(), longest);
        let err = NameTemplate::try_from(longest + "x").unwrap_err();
        assert_eq!(err, "expected a non-empty name template of at most 256 characters");
    }

    #[test]
    fn control_characters_in_echoed_values_are_escaped() {
        let err = Region::try_from("us-east-1\n\u{1b}[31m".to_owned()).unwrap_err();
        assert!(err.contains("`us-east-1\\n\\u{1b}[31m`"), "{err}");
        assert!(!err.chars().any(char::is_control), "{err:?}");
    }

    #[test]
    fn long_values_are_shortened_in_messages() {
        let err = RoleArn::try_from("x".repeat(5000)).unwrap_err();
        assert!(err.len() < 300, "{}", err.len());
    }
}
