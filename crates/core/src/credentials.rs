//! Credentials of an access role, as STS hands them out and as callers get them, with secrets
//! kept out of `Debug`.

use crate::error::Error;
use std::fmt;
use std::time::SystemTime;

/// A secret string (secret key, session token) whose `Debug` never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself, for handing to the caller who asked for it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("** redacted **")
    }
}

/// Where a set of credentials came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// Fresh from STS AssumeRole.
    Sts,
    /// Reused from an earlier AssumeRole.
    Cache,
    /// The keys of the session the process environment carries (see [`crate::role_env`]).
    Session,
}

impl Source {
    /// `"sts"`, `"cache"` or `"session"`, as JS callers see it.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Sts => "sts",
            Source::Cache => "cache",
            Source::Session => "session",
        }
    }
}

/// Temporary credentials STS handed out for one AssumeRole call, and whose they are.
#[derive(Clone, Debug)]
pub(crate) struct Credentials {
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: Secret,
    /// Session token.
    pub session_token: Secret,
    /// When the credentials stop working.
    pub expiration: SystemTime,
    /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`.
    pub assumed_role_arn: String,
    /// The region STS was called in.
    pub region: String,
}

/// Temporary credentials of an access role, and what they were resolved from.
#[derive(Clone)]
pub struct AccessRoleCredentials {
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: Secret,
    /// Session token.
    pub session_token: Secret,
    /// When the credentials stop working.
    pub expiration: SystemTime,
    /// When to resolve again: from then on the cache no longer hands these out (see
    /// [`crate::ResolveOptions::refresh_margin_seconds`]). Holders of the credentials replace them
    /// at this time, so every layer follows one rule.
    pub refresh_at: SystemTime,
    /// The deployment profile chosen.
    pub profile: String,
    /// The store key that chose it: `apps.APP.stages.STAGE`, `apps.APP.defaultProfile` or
    /// `defaultProfile`.
    pub rule: String,
    /// When a default chose the profile, the app's mapped stage that the stage asked for is a
    /// near miss of (a likely typo: `prd` for `prod`).
    pub near_stage: Option<String>,
    /// The AWS config profile named as the base identity; `None`: aws-config's default chain.
    /// Keys of the session ([`Source::Session`]) used no base identity: another process made
    /// them, with this profile when one is named (see [`crate::role_env`]).
    pub base_profile: Option<String>,
    /// What the keys were requested with, as digests (no secret): binds the session marker to
    /// the request (see [`crate::role_env`]).
    pub request_digest: String,
    /// Why a session marker in the environment was not believed, for a debug line.
    pub session_ignored: Option<String>,
    /// The access role's ARN.
    pub role_arn: String,
    /// The assumed-role session ARN STS reported.
    pub assumed_role_arn: String,
    /// The region STS was called in.
    pub region: String,
    /// STS or cache.
    pub source: Source,
    /// Why the disk cache was not used although it was on (its directory is a symlink or cannot
    /// be made private, …), for a debug line; `None` when it was used or turned off.
    pub disk_cache_off: Option<String>,
    /// The profile `AWS_PROFILE` (or `AWS_DEFAULT_PROFILE`) selects when no base profile was
    /// named and the default chain took the key variables beside it instead (they come first in
    /// the chain), for the line that says which identity was used; absent otherwise.
    pub aws_profile_shadowed: Option<String>,
}

/// Shows the first four characters of an access key id, e.g. `ASIA****************`.
fn mask_key_id(key_id: &str) -> String {
    let visible: String = key_id.chars().take(4).collect();
    format!("{visible}{}", "*".repeat(key_id.chars().count().saturating_sub(4)))
}

impl fmt::Debug for AccessRoleCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessRoleCredentials")
            .field("access_key_id", &mask_key_id(&self.access_key_id))
            .field("secret_access_key", &self.secret_access_key)
            .field("session_token", &self.session_token)
            .field("expiration", &self.expiration)
            .field("refresh_at", &self.refresh_at)
            .field("profile", &self.profile)
            .field("rule", &self.rule)
            .field("near_stage", &self.near_stage)
            .field("base_profile", &self.base_profile)
            .field("session_ignored", &self.session_ignored)
            .field("role_arn", &self.role_arn)
            .field("assumed_role_arn", &self.assumed_role_arn)
            .field("region", &self.region)
            .field("source", &self.source)
            .field("disk_cache_off", &self.disk_cache_off)
            .field("aws_profile_shadowed", &self.aws_profile_shadowed)
            .finish()
    }
}

/// `credentials` when each of its keys is printable ASCII (what AWS issues), so that no caller
/// hands a control character to an HTTP header, an environment variable or a JSON line; else
/// `E_STS_ERROR` naming the field and showing none of it.
pub(crate) fn printable(credentials: Credentials) -> Result<Credentials, Error> {
    let fields = [
        ("AccessKeyId", credentials.access_key_id.as_str()),
        ("SecretAccessKey", credentials.secret_access_key.expose()),
        ("SessionToken", credentials.session_token.expose()),
    ];
    match fields.iter().find(|(_, value)| value.is_empty() || !value.bytes().all(|b| b.is_ascii_graphic())) {
        None => Ok(credentials),
        Some((field, _)) => Err(Error::Sts {
            sts_code: "MalformedResponse".to_owned(),
            message: format!(
                "unusable answer from STS: its {field} is empty or holds characters other than printable ASCII \
                 (not shown); the endpoint is not a working STS"
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issued(secret: &str) -> Credentials {
        Credentials {
            access_key_id: "ASIAEXAMPLE".to_owned(),
            secret_access_key: Secret::new(secret),
            session_token: Secret::new("FwoGZXIvYXdzE+/="),
            expiration: SystemTime::UNIX_EPOCH,
            assumed_role_arn: "arn:aws:sts::111111111111:assumed-role/r/s".to_owned(),
            region: "us-east-1".to_owned(),
        }
    }

    #[test]
    fn keys_with_anything_but_printable_ascii_are_refused_without_being_shown() {
        assert!(printable(issued("wJalrXUtnFEMI/K7MDENG+bPxRfiCY")).is_ok());
        for bad in ["a\0b", "a\nb", "a b", "sécret", "", "a\u{1b}]0;x\u{7}"] {
            let err = printable(issued(bad)).unwrap_err();
            assert_eq!(err.code(), "E_STS_ERROR");
            let text = err.to_string();
            assert!(
                text.contains("its SecretAccessKey is empty or holds characters other than printable ASCII"),
                "{text}"
            );
            assert!(bad.is_empty() || !text.contains(bad), "{text}");
        }
        let id = Credentials { access_key_id: "ASIA\r".to_owned(), ..issued("s") };
        assert!(printable(id).unwrap_err().to_string().contains("its AccessKeyId"));
    }

    #[test]
    fn debug_output_never_contains_the_secret_or_token() {
        let credentials = AccessRoleCredentials {
            access_key_id: "ASIAEXAMPLEKEY123456".to_owned(),
            secret_access_key: Secret::new("very-secret-value"),
            session_token: Secret::new("session-token-value"),
            expiration: SystemTime::UNIX_EPOCH,
            refresh_at: SystemTime::UNIX_EPOCH,
            profile: "p".to_owned(),
            rule: "defaultProfile".to_owned(),
            near_stage: None,
            base_profile: None,
            request_digest: String::new(),
            session_ignored: None,
            role_arn: "arn:aws:iam::111111111111:role/r".to_owned(),
            assumed_role_arn: "arn:aws:sts::111111111111:assumed-role/r/s".to_owned(),
            region: "us-east-1".to_owned(),
            source: Source::Sts,
            disk_cache_off: None,
            aws_profile_shadowed: None,
        };
        let text = format!("{credentials:?} {credentials:#?}");
        assert!(!text.contains("very-secret-value") && !text.contains("session-token-value"), "{text}");
        assert!(!text.contains("ASIAEXAMPLEKEY123456") && text.contains("ASIA****************"), "{text}");
        assert!(text.contains(r#"secret_access_key: ** redacted **, session_token: ** redacted **"#), "{text}");
        assert_eq!(format!("{:?}", Secret::new("x")), "** redacted **");
    }

    #[test]
    fn the_source_is_named_as_js_callers_see_it() {
        let names = [Source::Sts, Source::Cache, Source::Session].map(Source::as_str);
        assert_eq!(names, ["sts", "cache", "session"]);
    }
}
