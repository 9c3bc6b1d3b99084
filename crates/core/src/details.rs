//! What an [`Error`] carries besides its message, as data: the fields a front-end branches on or
//! shows in its own words (which file, line and column, which field, which profiles), and the
//! kind of setting that would fix it ([`Hint`]), which each front-end names by its own flags.
//! The message names no front-end's flag (see docs/ARCHITECTURE.md, "Errors are data").

use crate::error::Error;
use crate::text::escape_control;
use std::path::Path;

/// The setting that fixes an error, named by what it sets; a front-end renders it as its own
/// flag or option (the bin's `--aws-profile`, the plugin's `custom.accessRoles.app`, the API's
/// `baseProfile`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hint {
    /// The AWS config profile of the base identity (`baseProfile`).
    BaseProfile,
    /// The MFA device's current code (`mfaCode`).
    MfaCode,
    /// The app looked up in the store (`app`).
    App,
    /// The profile store's path (`configPath`).
    ConfigPath,
}

impl Hint {
    /// The kind as JS sees it in `error.hint`: the API option or argument that sets it.
    pub fn as_str(self) -> &'static str {
        match self {
            Hint::BaseProfile => "baseProfile",
            Hint::MfaCode => "mfaCode",
            Hint::App => "app",
            Hint::ConfigPath => "configPath",
        }
    }
}

/// One value an error carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Detail {
    /// A name, path, ARN or word.
    Text(String),
    /// A line or column.
    Number(u64),
    /// Names or paths, in order.
    List(Vec<String>),
}

impl Error {
    /// The setting that fixes this error, when a front-end names one.
    pub fn hint(&self) -> Option<Hint> {
        match self {
            Error::MissingStore { setting, .. } if *setting == crate::profiles::CONFIG_PATH_SETTING => {
                Some(Hint::ConfigPath)
            }
            Error::NoProfile { near_app: Some(_), .. } => Some(Hint::App),
            Error::NoBaseCredentials { skipped_profile: Some(_), .. }
            | Error::UnknownBaseProfile { .. }
            | Error::CredentialProcessLoop { .. }
            | Error::AlreadyOnRole { .. }
            | Error::EndpointShadowed { .. } => Some(Hint::BaseProfile),
            Error::MfaRequired { .. } => Some(Hint::MfaCode),
            _ => None,
        }
    }

    /// The error's fields by their JS names (`path`, `line`, `field`, `nearApp`, …); unset ones
    /// are left out.
    pub fn details(&self) -> Vec<(&'static str, Detail)> {
        let text = |s: &str| Some(Detail::Text(s.to_owned()));
        let opt = |s: &Option<String>| s.as_deref().and_then(text);
        let path = |p: &Path| text(&p.display().to_string());
        let fields: Vec<(&'static str, Option<Detail>)> = match self {
            Error::NoProfileStore { searched } => {
                vec![("searched", Some(Detail::List(searched.iter().map(|p| p.display().to_string()).collect())))]
            }
            Error::MissingStore { path: p, .. } | Error::UnreadableConfig { path: p, .. } => vec![("path", path(p))],
            Error::AwsConfigFile { path: p, .. } | Error::StoreFile { path: p, .. } => vec![("path", path(p))],
            Error::InvalidConfig { path: p, line, column, field, message } => vec![
                ("path", path(p)),
                ("line", line.map(Detail::Number)),
                ("column", column.map(Detail::Number)),
                ("field", field.as_deref().and_then(|f| text(&escape_control(f)))),
                ("reason", text(&escape_control(message))),
            ],
            Error::NoProfile { path: p, app, stage, near_app } => {
                vec![("path", path(p)), ("app", text(app)), ("stage", text(stage)), ("nearApp", opt(near_app))]
            }
            Error::InvalidArgument { name, .. } => vec![("argument", text(name))],
            Error::NoBaseCredentials { base_profile, skipped_profile, .. } => {
                vec![("baseProfile", opt(base_profile)), ("skippedProfile", opt(skipped_profile))]
            }
            Error::UnknownBaseProfile { profile, defined } => {
                vec![("baseProfile", text(profile)), ("defined", Some(Detail::List(defined.clone())))]
            }
            Error::InvalidBaseCredentials { sts_code, .. } | Error::Sts { sts_code, .. } => {
                vec![("stsCode", text(sts_code))]
            }
            Error::AccessDenied { role_arn, base_arn, .. } => {
                vec![("roleArn", text(role_arn)), ("baseArn", opt(base_arn))]
            }
            Error::MfaRequired { mfa_serial } => vec![("mfaSerial", text(mfa_serial))],
            Error::CredentialProcessLoop { role_arn } => vec![("roleArn", text(role_arn))],
            Error::StsUnreachable { endpoint, .. } => vec![("endpoint", opt(endpoint))],
            Error::SessionRoleMismatch { session_role, role_arn } => {
                vec![("sessionRole", text(session_role)), ("roleArn", text(role_arn))]
            }
            Error::SessionRequestMismatch { role_arn, fields } => {
                vec![("roleArn", text(role_arn)), ("fields", Some(Detail::List(fields.clone())))]
            }
            Error::AlreadyOnRole { role_arn, base_arn } => {
                vec![("roleArn", text(role_arn)), ("baseArn", text(base_arn))]
            }
            Error::SessionExpired { role_arn, expiration } => {
                vec![("roleArn", text(role_arn)), ("expiration", text(expiration))]
            }
            Error::SessionEndpoint { role_arn, .. } => vec![("roleArn", text(role_arn))],
            Error::EndpointShadowed { profile, setting } => {
                vec![("awsProfile", text(profile)), ("setting", text(setting))]
            }
        };
        fields.into_iter().filter_map(|(name, value)| Some((name, value?))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn a_store_error_carries_its_file_line_column_and_field() {
        let err = crate::profiles::ProfileStore::parse(
            Path::new("/srv/access-roles.yml"),
            "profiles:\n  ci:\n    roleArn: arn:aws:iam::1234:role/r\n",
        )
        .unwrap_err();
        let details = err.details();
        assert_eq!(
            details,
            vec![
                ("path", Detail::Text("/srv/access-roles.yml".to_owned())),
                ("line", Detail::Number(3)),
                ("column", Detail::Number(14)),
                ("field", Detail::Text("profiles.ci.roleArn".to_owned())),
                ("reason", Detail::Text("account `1234` in role ARN is not 12 digits; expected an IAM role ARN like arn:aws:iam::123456789012:role/serverless-deploy".to_owned())),
            ]
        );
        assert_eq!(err.hint(), None);
    }

    #[test]
    fn a_reference_error_names_the_field_where_the_reference_is() {
        let text = "profiles:\n  a:\n    roleArn: arn:aws:iam::111111111111:role/a\n    sessionTags: {t: x}\n    transitiveTagKeys: [t, u]\n";
        let err = crate::profiles::ProfileStore::parse(Path::new("s.yml"), text).unwrap_err();
        assert!(err.details().contains(&("field", Detail::Text("profiles.a.transitiveTagKeys[1]".to_owned()))));
        assert!(err.to_string().starts_with("s.yml:5:"), "{err}");
    }

    #[test]
    fn errors_a_setting_fixes_name_its_kind_and_no_flag() {
        let cases = [
            (Error::MfaRequired { mfa_serial: "arn:aws:iam::1:mfa/a".to_owned() }, Some(Hint::MfaCode)),
            (Error::CredentialProcessLoop { role_arn: "r".to_owned() }, Some(Hint::BaseProfile)),
            (Error::AlreadyOnRole { role_arn: "r".to_owned(), base_arn: "b".to_owned() }, Some(Hint::BaseProfile)),
            (Error::UnknownBaseProfile { profile: "p".to_owned(), defined: vec![] }, Some(Hint::BaseProfile)),
            (
                Error::NoBaseCredentials {
                    base_profile: None,
                    reason: "x".to_owned(),
                    skipped_profile: Some("s".to_owned()),
                },
                Some(Hint::BaseProfile),
            ),
            (Error::NoBaseCredentials { base_profile: None, reason: "x".to_owned(), skipped_profile: None }, None),
            // Named, its fix is in the AWS files: the base profile setting is already set.
            (
                Error::NoBaseCredentials {
                    base_profile: Some("mine".to_owned()),
                    reason: "x".to_owned(),
                    skipped_profile: None,
                },
                None,
            ),
            (
                Error::NoProfile {
                    path: PathBuf::from("s.yml"),
                    app: "pay".to_owned(),
                    stage: "qa".to_owned(),
                    near_app: Some("payments".to_owned()),
                },
                Some(Hint::App),
            ),
            (
                Error::MissingStore { path: PathBuf::from("s.yml"), setting: crate::profiles::CONFIG_PATH_SETTING },
                Some(Hint::ConfigPath),
            ),
            (Error::MissingStore { path: PathBuf::from("s.yml"), setting: "SERVERLESS_ACCESS_ROLES_CONFIG" }, None),
        ];
        for (err, hint) in cases {
            assert_eq!(err.hint(), hint, "{err}");
            // The aws CLI's own command stays: it is no front-end of this package.
            let text = err.to_string().replace("aws configure --profile", "");
            for flag in ["--profile", "--aws-profile", "--mfa-code", "--app", "--config", "custom.accessRoles"] {
                assert!(!text.contains(flag), "{flag} in: {text}");
            }
        }
        assert_eq!(Hint::BaseProfile.as_str(), "baseProfile");
        assert_eq!(Hint::MfaCode.as_str(), "mfaCode");
        assert_eq!(Hint::App.as_str(), "app");
        assert_eq!(Hint::ConfigPath.as_str(), "configPath");
    }

    #[test]
    fn the_stores_own_text_in_a_reason_is_escaped() {
        let err = crate::profiles::ProfileStore::parse(Path::new("s.yml"), "profiles: {}\n\"\\e]0;owned\\a\": 1\n")
            .unwrap_err();
        let reason = err.details().into_iter().find(|(name, _)| *name == "reason").unwrap().1;
        let Detail::Text(reason) = reason else { panic!("{reason:?}") };
        assert!(reason.contains("\\u{1b}]0;owned\\u{7}"), "{reason}");
        assert!(!err.to_string().chars().any(char::is_control), "{err}");
    }

    #[test]
    fn unset_fields_are_left_out() {
        let err = Error::AccessDenied { role_arn: "r".to_owned(), base_arn: None, message: "m".to_owned() };
        assert_eq!(err.details(), vec![("roleArn", Detail::Text("r".to_owned()))]);
        let err = Error::NoProfileStore { searched: vec![PathBuf::from("/a"), PathBuf::from("/b")] };
        assert_eq!(err.details(), vec![("searched", Detail::List(vec!["/a".to_owned(), "/b".to_owned()]))]);
    }
}
