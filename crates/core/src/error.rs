//! The one error type of the core, with a stable code for every kind.

use crate::text::escape_control;
use std::fmt;
use std::path::{Path, PathBuf};

/// Everything that can stop `resolve` from returning keys.
///
/// Each variant maps to one stable [`Error::code`]; the `Display` text says what went wrong and
/// what to do about it, and never contains a secret (keys, tokens) — only ARNs, names and paths.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// No profile store was found in any of the places discovery looks.
    NoProfileStore {
        /// Every path that was tried, in order.
        searched: Vec<PathBuf>,
    },
    /// The store that the caller or the environment named explicitly does not exist.
    MissingStore {
        /// The path named, made absolute.
        path: PathBuf,
        /// The setting that named it, as the user knows it.
        setting: &'static str,
    },
    /// The profile store exists but could not be read (permissions, a directory, not UTF-8).
    UnreadableConfig {
        /// The store's path.
        path: PathBuf,
        /// What the operating system or the decoder said.
        reason: String,
    },
    /// The profile store is malformed or breaks a rule of the contract.
    InvalidConfig {
        /// The store's path.
        path: PathBuf,
        /// 1-based line, when known.
        line: Option<u64>,
        /// 1-based column, when known.
        column: Option<u64>,
        /// The field's path in the store (`profiles.ci.roleArn`), when the fault is in one field.
        field: Option<String>,
        /// What was found and what was expected.
        message: String,
    },
    /// The store names no profile for this app and stage.
    NoProfile {
        /// The store consulted.
        path: PathBuf,
        /// The app looked up.
        app: String,
        /// The stage looked up.
        stage: String,
        /// The app in the store closest to `app`, when `app` has no entry and one is close.
        near_app: Option<String>,
    },
    /// An argument from the caller is not acceptable (empty app, bad region, …).
    InvalidArgument {
        /// Which argument.
        name: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// No base identity could be found to call STS with.
    NoBaseCredentials {
        /// The AWS config profile asked for, if any.
        base_profile: Option<String>,
        /// What the credential chain said.
        reason: String,
        /// The profile `AWS_PROFILE` named and the chain skipped, because its `credential_process`
        /// runs this package's bin (see [`crate::aws_profiles::base_env`]).
        skipped_profile: Option<String>,
    },
    /// The AWS config profile asked for as the base identity is in neither AWS file.
    UnknownBaseProfile {
        /// The profile asked for.
        profile: String,
        /// The profiles the AWS config and credentials files define.
        defined: Vec<String>,
    },
    /// STS refused the base identity's keys themselves (unknown key id, bad signature, expired).
    InvalidBaseCredentials {
        /// The STS error code (`InvalidClientTokenId`, `ExpiredToken`, …).
        sts_code: String,
        /// STS's message.
        message: String,
    },
    /// The base identity may not assume the role.
    AccessDenied {
        /// The role that was asked for.
        role_arn: String,
        /// The ARN of the base identity, when it could be learnt.
        base_arn: Option<String>,
        /// STS's message.
        message: String,
    },
    /// The profile names an MFA device and no code was given.
    MfaRequired {
        /// The device, as the profile names it.
        mfa_serial: String,
    },
    /// The base identity is this same resolve again: an AWS profile whose `credential_process`
    /// runs serverless-access-roles for the same role, from inside the resolve that needs it.
    CredentialProcessLoop {
        /// The role whose base identity loops.
        role_arn: String,
    },
    /// STS could not be reached or did not answer in time.
    StsUnreachable {
        /// The endpoint, when one was configured explicitly.
        endpoint: Option<String>,
        /// What went wrong on the way.
        reason: String,
    },
    /// The AWS config file could not be read, merged or written.
    AwsConfigFile {
        /// The file.
        path: PathBuf,
        /// What is wrong, and what to do.
        message: String,
    },
    /// The profile store could not be saved (`access-role link`).
    StoreFile {
        /// The store.
        path: PathBuf,
        /// What is wrong, and what to do.
        message: String,
    },
    /// The environment carries the keys of another access role's session (the plugin's export
    /// or `exec`); they are not used as the base identity of this one.
    SessionRoleMismatch {
        /// The role of the session in the environment.
        session_role: String,
        /// The role this resolve is for.
        role_arn: String,
    },
    /// The environment carries the keys of this role's session, made for another request of it
    /// (session policy, duration, tags, …): a session cannot make a narrower session of itself.
    SessionRequestMismatch {
        /// The session's role.
        role_arn: String,
        /// The request fields that differ, as the marker names them (`policy`, `durationSeconds`, …).
        fields: Vec<String>,
    },
    /// The base identity already is a session of the role to assume: a role cannot assume
    /// itself unless its trust policy says so.
    AlreadyOnRole {
        /// The role asked for.
        role_arn: String,
        /// The base identity: an assumed-role session of that role.
        base_arn: String,
    },
    /// The environment carries the keys of this role's session, and they have expired.
    SessionExpired {
        /// The session's role.
        role_arn: String,
        /// When the keys expired, ISO 8601.
        expiration: String,
    },
    /// The environment carries a session whose keys a local endpoint serves (`exec --server`),
    /// and the endpoint did not answer them: the process that served it has ended, or refused.
    SessionEndpoint {
        /// The session's role.
        role_arn: String,
        /// What went wrong, on one line.
        reason: String,
    },
    /// A served session cannot start: the AWS config's default profile has credentials of its
    /// own, which the AWS SDKs would read before the endpoint.
    EndpointShadowed {
        /// The profile (`default`).
        profile: String,
        /// The setting that gives it credentials (`aws_access_key_id`, `sso_session`, …).
        setting: String,
    },
    /// STS answered with an error not covered above, or an unusable answer.
    Sts {
        /// The STS error code, or `Unknown`.
        sts_code: String,
        /// STS's message.
        message: String,
    },
}

impl Error {
    /// The stable code of this error, as JS callers see it in `error.code`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::NoProfileStore { .. } => "E_NO_PROFILE_STORE",
            Error::MissingStore { .. } => "E_MISSING_STORE",
            Error::UnreadableConfig { .. } => "E_UNREADABLE_CONFIG",
            Error::InvalidConfig { .. } => "E_INVALID_CONFIG",
            Error::NoProfile { .. } => "E_NO_PROFILE",
            Error::InvalidArgument { .. } => "E_INVALID_ARGUMENT",
            Error::NoBaseCredentials { .. } | Error::UnknownBaseProfile { .. } => "E_NO_BASE_CREDENTIALS",
            Error::InvalidBaseCredentials { .. } => "E_INVALID_BASE_CREDENTIALS",
            Error::AccessDenied { .. } => "E_ACCESS_DENIED",
            Error::MfaRequired { .. } => "E_MFA_REQUIRED",
            Error::CredentialProcessLoop { .. } => "E_CREDENTIAL_PROCESS_LOOP",
            Error::StsUnreachable { .. } => "E_STS_UNREACHABLE",
            Error::SessionRoleMismatch { .. } => "E_SESSION_ROLE_MISMATCH",
            Error::SessionRequestMismatch { .. } => "E_SESSION_REQUEST_MISMATCH",
            Error::AlreadyOnRole { .. } => "E_ALREADY_ON_ROLE",
            Error::SessionExpired { .. } => "E_SESSION_EXPIRED",
            Error::SessionEndpoint { .. } => "E_SESSION_ENDPOINT",
            Error::EndpointShadowed { .. } => "E_ENDPOINT_SHADOWED",
            Error::Sts { .. } => "E_STS_ERROR",
            Error::AwsConfigFile { .. } => "E_AWS_CONFIG_FILE",
            Error::StoreFile { .. } => "E_STORE_FILE",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NoProfileStore { searched } => {
                write!(f, "no profile store found; looked at:")?;
                for path in searched {
                    write!(f, "\n  - {}", shown(path))?;
                }
                write!(f, "\ncreate access-roles.yml beside serverless.yml, or set SERVERLESS_ACCESS_ROLES_CONFIG")
            }
            Error::MissingStore { path, setting } => write!(
                f,
                "profile store {} does not exist; {setting} names it: correct the path, or unset it to search \
                 from the service directory upward",
                shown(path)
            ),
            Error::UnknownBaseProfile { profile, defined } => {
                write!(
                    f,
                    "AWS profile `{}` (the base profile, or the deployment profile's sourceProfile) \
                     is not in the AWS config or credentials file; ",
                    escape_control(profile)
                )?;
                if defined.is_empty() {
                    write!(f, "no profiles are defined there")?;
                } else {
                    let names: Vec<String> = defined.iter().map(|p| format!("`{p}`")).collect();
                    write!(f, "defined there: {}", names.join(", "))?;
                }
                write!(f, "; name one of those, or add it (`aws configure --profile NAME`, `aws configure sso`)")
            }
            Error::UnreadableConfig { path, reason } => {
                write!(f, "cannot read profile store {}: {reason}; make it a readable UTF-8 file", shown(path))
            }
            Error::InvalidConfig { path, line, column, field, message } => {
                write!(f, "{}", shown(path))?;
                if let Some(line) = line {
                    write!(f, ":{line}")?;
                    if let Some(column) = column {
                        write!(f, ":{column}")?;
                    }
                }
                if let Some(field) = field {
                    write!(f, ": {}", escape_control(field))?;
                }
                // The parser quotes the store's own text (an unknown key): a terminal gets it escaped.
                write!(f, ": {}", escape_control(message))
            }
            Error::NoProfile { path, app, stage, near_app } => {
                write!(f, "no deployment profile for app `{app}` stage `{stage}` in {}", shown(path))?;
                if let Some(near) = near_app {
                    write!(f, " (did you mean app `{near}`?)")?;
                }
                write!(
                    f,
                    "; add `apps.{app}.stages.{stage}`, `apps.{app}.defaultProfile` or a top-level `defaultProfile`"
                )
            }
            Error::InvalidArgument { name, message } => write!(f, "invalid {name}: {message}"),
            Error::NoBaseCredentials { skipped_profile: Some(skipped), reason, .. } => write!(
                f,
                "name the AWS profile of your own keys as the base profile, or put keys in \
                 the `default` profile or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: AWS_PROFILE names `{skipped}`, \
                 whose credential_process runs this command, so it cannot be its own base identity, and the rest \
                 of the default chain has none ({reason})"
            ),
            Error::NoBaseCredentials { base_profile, reason, .. } => {
                write!(f, "no base AWS credentials to assume the access role with")?;
                let profile = base_profile.as_deref().map(escape_control);
                if let Some(profile) = &profile {
                    write!(f, " (AWS profile `{profile}`)")?;
                }
                // A reason that already names its fix (aws_profiles/sso_login.rs) stands alone.
                if reason.contains("`aws sso login ") {
                    return write!(f, ": {reason}");
                }
                match profile {
                    // A named profile is the base identity's only source: key variables and
                    // AWS_PROFILE are not read.
                    Some(profile) => write!(
                        f,
                        ": {reason}; give profile `{profile}` credentials in ~/.aws/config or ~/.aws/credentials \
                         (keys, credential_process, sso, or role_arn with source_profile or credential_source), \
                         or name another profile"
                    ),
                    None => write!(
                        f,
                        ": {reason}; set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or log in with \
                         `aws sso login`"
                    ),
                }
            }
            Error::InvalidBaseCredentials { sts_code, message } => write!(
                f,
                "STS rejected the base AWS credentials ({sts_code}: {message}); refresh or replace them \
                 (for SSO: `aws sso login`)"
            ),
            Error::AccessDenied { role_arn, base_arn, message } => {
                write!(f, "not allowed to assume {role_arn}")?;
                if let Some(base) = base_arn {
                    write!(f, " as {base}")?;
                }
                write!(
                    f,
                    " ({message}); check the role's trust policy names this identity and that its \
                     policy allows sts:AssumeRole, and the externalId if the role requires one"
                )
            }
            Error::MfaRequired { mfa_serial } => write!(
                f,
                "this profile requires a code from MFA device {mfa_serial}; run the command on a terminal to be asked, \
                 or give the code, or set SERVERLESS_ACCESS_ROLES_MFA_CODE"
            ),
            Error::CredentialProcessLoop { role_arn } => write!(
                f,
                "name a base profile with its own keys: the base identity for \
                 {role_arn} runs this same command again through credential_process (AWS_PROFILE or the \
                 default profile names it), which would never end"
            ),
            Error::StsUnreachable { endpoint, reason } => {
                write!(f, "could not reach STS")?;
                if let Some(endpoint) = endpoint {
                    write!(f, " at {endpoint}")?;
                }
                write!(f, ": {reason}; check the network, the region and AWS_ENDPOINT_URL_STS")
            }
            Error::SessionRoleMismatch { session_role, role_arn } => write!(
                f,
                "this command runs inside the access-role session of {} (exported by the \
                 serverless-access-roles plugin or exec), and {role_arn} is asked for; the session's keys \
                 are not used as the base identity of another role: run the command outside that session, \
                 or use the same app and stage as the session",
                // The marker is any process's environment: its fields are quoted, escaped.
                crate::text::foreign(session_role)
            ),
            Error::SessionRequestMismatch { role_arn, fields } => write!(
                f,
                "this command runs inside an access-role session of {} made for another request of that role \
                 ({} differ); its keys cannot stand in for this profile's narrower or different session: run \
                 the command outside that session, or use the same profile as the session",
                escape_control(role_arn),
                fields.join(", ")
            ),
            Error::AlreadyOnRole { role_arn, base_arn } => write!(
                f,
                "the base identity already is the access role: {} is a session of {}, and a role cannot assume \
                 itself; run with your own identity instead (drop the base profile, or name the AWS profile of \
                 your own keys: a profile written by `serverless-access-roles profiles` is this role, not a base)",
                escape_control(base_arn),
                escape_control(role_arn)
            ),
            Error::SessionExpired { role_arn, expiration } => write!(
                f,
                "the keys of the access-role session of {role_arn} in this environment expired at {}; \
                 a command run by serverless-access-roles exec must finish within the keys' lifetime \
                 (the profile's durationSeconds): use a credential_process profile for longer commands",
                crate::text::foreign(expiration)
            ),
            Error::SessionEndpoint { role_arn, reason } => write!(
                f,
                "this command runs inside an access-role session of {} whose keys a credentials endpoint \
                 serves (serverless-access-roles exec --server), and the endpoint did not answer them: {}; the \
                 exec that served it has probably ended: run the command in a new exec",
                crate::text::foreign(role_arn),
                crate::text::foreign(reason)
            ),
            Error::EndpointShadowed { profile, setting } => write!(
                f,
                "the AWS config profile \"{}\" has credentials of its own ({}), which the AWS SDKs and the aws CLI \
                 read before a credentials endpoint: the command would run as them, not as the access role; \
                 move them to a named profile and name that profile as the base profile, or run without a \
                 credentials endpoint",
                escape_control(profile),
                escape_control(setting)
            ),
            Error::Sts { sts_code, message } => write!(f, "STS AssumeRole failed ({sts_code}): {message}"),
            Error::AwsConfigFile { path, message } => write!(f, "AWS config file {}: {message}", shown(path)),
            Error::StoreFile { path, message } => write!(f, "profile store {}: {message}", shown(path)),
        }
    }
}

impl std::error::Error for Error {}

/// A path as a message shows it: control characters in it escaped.
fn shown(path: &Path) -> String {
    escape_control(&path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_base_credentials_advises_the_named_profile_or_else_the_default_chain() {
        let err = |base_profile: Option<&str>| Error::NoBaseCredentials {
            base_profile: base_profile.map(str::to_owned),
            reason: "the chain found none".to_owned(),
            skipped_profile: None,
        };
        assert_eq!(
            err(None).to_string(),
            "no base AWS credentials to assume the access role with: the chain found none; set AWS_PROFILE or \
             AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or log in with `aws sso login`"
        );
        // A named profile is the base identity's only source: the key variables and AWS_PROFILE are not read.
        assert_eq!(
            err(Some("mine")).to_string(),
            "no base AWS credentials to assume the access role with (AWS profile `mine`): the chain found none; \
             give profile `mine` credentials in ~/.aws/config or ~/.aws/credentials (keys, credential_process, \
             sso, or role_arn with source_profile or credential_source), or name another profile"
        );
    }
}
