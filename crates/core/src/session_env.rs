//! The session environment: what a process running on an access role carries, and how a resolve
//! inside it behaves.
//!
//! The plugin exports the role's keys into its own process (so other plugins' SDK clients and
//! hooks' child processes run on the role), and `exec` into the command it runs. The variables
//! are the ones every AWS SDK and the aws CLI read, plus a marker of ours that names the session
//! (role, assumed-role ARN, region and expiry; no secret). A resolve that finds the marker:
//! - for the same role, answers the environment's keys without calling STS;
//! - for another role, fails with [`Error::SessionRoleMismatch`]: the keys in the environment
//!   would otherwise become the base identity of the other role, which nobody asked for;
//! - for expired keys, fails with [`Error::SessionExpired`]: there is no base identity left to
//!   refresh them with.

use crate::credentials::Credentials;
use crate::credentials::{AccessRoleCredentials, Secret};
use crate::env::Env;
use crate::error::Error;
use aws_sdk_sts::primitives::{DateTime, DateTimeFormat};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::SystemTime;

/// The marker variable: JSON naming the session, without secrets.
pub(crate) const SESSION_VAR: &str = "SERVERLESS_ACCESS_ROLES_SESSION";

const ACCESS_KEY_ID: &str = "AWS_ACCESS_KEY_ID";
const SECRET_ACCESS_KEY: &str = "AWS_SECRET_ACCESS_KEY";
const SESSION_TOKEN: &str = "AWS_SESSION_TOKEN";
const EXPIRATION: &str = "AWS_CREDENTIAL_EXPIRATION";

/// Variables a session removes: profiles win over key variables in SDK v3 and the aws CLI, and
/// botocore reads the legacy `AWS_SECURITY_TOKEN` before `AWS_SESSION_TOKEN`.
const REMOVED: &[&str] = &["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"];

/// What the marker holds.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Marker {
    role_arn: String,
    assumed_role_arn: String,
    region: String,
    /// ISO 8601, as in `AWS_CREDENTIAL_EXPIRATION`.
    expiration: String,
}

/// The variables that put a process on an access role's keys.
///
/// Region variables are not touched: the command keeps working in the region it chose.
pub struct SessionEnvironment {
    /// Variables to set, with their values (secrets among them).
    pub set: Vec<(&'static str, Secret)>,
    /// Variables to remove.
    pub unset: Vec<&'static str>,
}

impl fmt::Debug for SessionEnvironment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set: Vec<_> = self.set.iter().map(|(name, _)| *name).collect();
        f.debug_struct("SessionEnvironment").field("set", &set).field("unset", &self.unset).finish()
    }
}

/// The session environment of `credentials`: the key variables as the AWS SDKs read them,
/// `AWS_CREDENTIAL_EXPIRATION` in ISO 8601, the session marker, and the profile variables gone.
pub fn session_environment(credentials: &AccessRoleCredentials) -> SessionEnvironment {
    let expiration = iso8601(credentials.expiration);
    let marker = Marker {
        role_arn: credentials.role_arn.clone(),
        assumed_role_arn: credentials.assumed_role_arn.clone(),
        region: credentials.region.clone(),
        expiration: expiration.clone(),
    };
    let marker = serde_json::to_string(&marker).unwrap_or_default();
    SessionEnvironment {
        set: vec![
            (ACCESS_KEY_ID, Secret::new(credentials.access_key_id.clone())),
            (SECRET_ACCESS_KEY, credentials.secret_access_key.clone()),
            (SESSION_TOKEN, credentials.session_token.clone()),
            (EXPIRATION, Secret::new(expiration)),
            (SESSION_VAR, Secret::new(marker)),
        ],
        unset: REMOVED.to_vec(),
    }
}

/// The keys of the session `env` carries, when it carries one for `role_arn`; `None` when it
/// carries none (no marker, an unreadable one, or no keys beside it).
pub(crate) fn session_keys(env: &Env, role_arn: &str, now: SystemTime) -> Result<Option<Credentials>, Error> {
    let Some(marker) = env.var(SESSION_VAR).and_then(|text| serde_json::from_str::<Marker>(&text).ok()) else {
        return Ok(None);
    };
    // `Env::var` answers no empty values.
    let (Some(access_key_id), Some(secret), Some(token)) =
        (env.var(ACCESS_KEY_ID), env.var(SECRET_ACCESS_KEY), env.var(SESSION_TOKEN))
    else {
        return Ok(None);
    };
    if marker.role_arn != role_arn {
        return Err(Error::SessionRoleMismatch { session_role: marker.role_arn, role_arn: role_arn.to_owned() });
    }
    let expiration = DateTime::from_str(&marker.expiration, DateTimeFormat::DateTime)
        .ok()
        .and_then(|t| SystemTime::try_from(t).ok())
        .unwrap_or(SystemTime::UNIX_EPOCH);
    if expiration <= now {
        return Err(Error::SessionExpired { role_arn: marker.role_arn, expiration: marker.expiration });
    }
    Ok(Some(Credentials {
        access_key_id,
        secret_access_key: Secret::new(secret),
        session_token: Secret::new(token),
        expiration,
        assumed_role_arn: marker.assumed_role_arn,
        region: marker.region,
    }))
}

/// `2026-11-30T10:00:00Z`: the form `AWS_CREDENTIAL_EXPIRATION` and credential_process use.
fn iso8601(time: SystemTime) -> String {
    DateTime::from(time).fmt(DateTimeFormat::DateTime).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Source;
    use std::time::Duration;

    const ROLE: &str = "arn:aws:iam::111111111111:role/deploy";

    fn credentials(expiration: SystemTime) -> AccessRoleCredentials {
        AccessRoleCredentials {
            access_key_id: "ASIAEXAMPLE".to_owned(),
            secret_access_key: Secret::new("secret-value"),
            session_token: Secret::new("token-value"),
            expiration,
            refresh_at: expiration,
            profile: "sandbox".to_owned(),
            role_arn: ROLE.to_owned(),
            assumed_role_arn: "arn:aws:sts::111111111111:assumed-role/deploy/ana".to_owned(),
            region: "eu-west-1".to_owned(),
            source: Source::Sts,
            disk_cache_off: None,
        }
    }

    /// An environment with `session` applied over the process's.
    fn env_of(session: &SessionEnvironment) -> Env {
        let set = session.set.iter().map(|(name, value)| (name.to_string(), Some(value.expose().to_owned())));
        let unset = session.unset.iter().map(|name| (name.to_string(), None));
        Env::from_slice(&[]).with_overrides(set.chain(unset))
    }

    #[test]
    fn the_session_sets_the_sdk_variables_and_a_marker_without_secrets() {
        let expiration = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_032_800);
        let session = session_environment(&credentials(expiration));
        let value = |name: &str| session.set.iter().find(|(n, _)| *n == name).map(|(_, v)| v.expose().to_owned());
        assert_eq!(value("AWS_ACCESS_KEY_ID").as_deref(), Some("ASIAEXAMPLE"));
        assert_eq!(value("AWS_SECRET_ACCESS_KEY").as_deref(), Some("secret-value"));
        assert_eq!(value("AWS_SESSION_TOKEN").as_deref(), Some("token-value"));
        assert_eq!(value("AWS_CREDENTIAL_EXPIRATION").as_deref(), Some("2026-11-30T10:00:00Z"));
        let marker = value(SESSION_VAR).unwrap();
        assert!(marker.contains(ROLE) && marker.contains("2026-11-30T10:00:00Z"), "{marker}");
        assert!(!marker.contains("secret-value") && !marker.contains("token-value") && !marker.contains("ASIAEXAMPLE"));
        assert_eq!(session.unset, ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"]);
        assert!(!session.set.iter().any(|(name, _)| name.contains("REGION")), "regions stay as they are");
        let debug = format!("{session:?}");
        assert!(!debug.contains("secret-value") && !debug.contains("token-value"), "{debug}");
    }

    #[test]
    fn inside_a_session_the_same_role_is_answered_from_the_environment() {
        let now = SystemTime::now();
        let env = env_of(&session_environment(&credentials(now + Duration::from_secs(3600))));
        let keys = session_keys(&env, ROLE, now).unwrap().unwrap();
        assert_eq!(keys.access_key_id, "ASIAEXAMPLE");
        assert_eq!(keys.session_token.expose(), "token-value");
        assert_eq!(keys.assumed_role_arn, "arn:aws:sts::111111111111:assumed-role/deploy/ana");
        assert_eq!(keys.region, "eu-west-1");
        let left = keys.expiration.duration_since(now).unwrap().as_secs();
        assert!((3598..=3600).contains(&left), "{left}");
    }

    #[test]
    fn inside_a_session_another_role_is_refused_naming_both() {
        let now = SystemTime::now();
        let env = env_of(&session_environment(&credentials(now + Duration::from_secs(3600))));
        let err = session_keys(&env, "arn:aws:iam::222222222222:role/other", now).unwrap_err();
        assert_eq!(err.code(), "E_SESSION_ROLE_MISMATCH");
        let text = err.to_string();
        assert!(text.contains(ROLE) && text.contains("arn:aws:iam::222222222222:role/other"), "{text}");
    }

    #[test]
    fn an_expired_session_is_an_error_not_a_refresh() {
        let now = SystemTime::now();
        let env = env_of(&session_environment(&credentials(now - Duration::from_secs(1))));
        let err = session_keys(&env, ROLE, now).unwrap_err();
        assert_eq!(err.code(), "E_SESSION_EXPIRED");
        assert!(err.to_string().contains(ROLE), "{err}");
    }

    #[test]
    fn no_marker_or_no_keys_means_no_session() {
        let now = SystemTime::now();
        let bare = Env::from_slice(&[]).with_overrides([(SESSION_VAR.to_owned(), None)]);
        assert!(session_keys(&bare, ROLE, now).unwrap().is_none());
        let session = session_environment(&credentials(now + Duration::from_secs(3600)));
        let keys_gone = env_of(&session).with_overrides([("AWS_SESSION_TOKEN".to_owned(), None)]);
        assert!(session_keys(&keys_gone, ROLE, now).unwrap().is_none());
        let garbled = env_of(&session).with_overrides([(SESSION_VAR.to_owned(), Some("{".to_owned()))]);
        assert!(session_keys(&garbled, ROLE, now).unwrap().is_none());
    }
}
