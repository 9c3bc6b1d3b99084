//! The role's environment (the session environment): what a process running on an access role's
//! keys carries, and how a resolve inside it behaves.
//!
//! The plugin exports the role's keys into its own process (so other plugins' SDK clients and
//! hooks' child processes run on the role), and `exec` into the command it runs. The variables
//! are the ones every AWS SDK and the aws CLI read, plus a marker of ours that names the session
//! (role, assumed-role ARN, region and expiry) and binds it to the keys beside it and to the
//! request that made them, by digests: no secret. A resolve that finds the marker:
//! - ignores it when it does not prove itself: keys that are not the ones it was made with
//!   (the user exported their own), an expiry later than the request could give, an
//!   assumed-role ARN that is not a session of its role. The resolve then runs as it would
//!   without a marker, and says why in [`SessionLookup::ignored`];
//! - for the same role and request, answers the environment's keys without calling STS;
//! - for the same role and another request (session policy, duration, tags, …), fails with
//!   [`Error::SessionRequestMismatch`] naming what differs: a session cannot narrow itself;
//! - for another role, fails with [`Error::SessionRoleMismatch`]: the keys in the environment
//!   would otherwise become the base identity of the other role, which nobody asked for;
//! - for expired keys, fails with [`Error::SessionExpired`]: there is no base identity left to
//!   refresh them with.

use crate::credentials::Credentials;
use crate::credentials::{AccessRoleCredentials, Secret};
use crate::env::Env;
use crate::error::Error;
use crate::plan::AssumeRoleRequest;
use aws_sdk_sts::primitives::{DateTime, DateTimeFormat};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, SystemTime};

/// The marker variable: JSON naming the session, without secrets.
pub(crate) const SESSION_VAR: &str = "SERVERLESS_ACCESS_ROLES_SESSION";

const ACCESS_KEY_ID: &str = "AWS_ACCESS_KEY_ID";
const SECRET_ACCESS_KEY: &str = "AWS_SECRET_ACCESS_KEY";
const SESSION_TOKEN: &str = "AWS_SESSION_TOKEN";
const EXPIRATION: &str = "AWS_CREDENTIAL_EXPIRATION";

/// Variables a session removes: `AWS_PROFILE` wins over key variables in SDK v3 for JavaScript,
/// `AWS_DEFAULT_PROFILE` is read by older tools, and botocore reads the legacy
/// `AWS_SECURITY_TOKEN` before `AWS_SESSION_TOKEN`.
const REMOVED: &[&str] = &["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"];

/// How much later than now plus the request's lifetime a marker's expiry may be (clocks apart)
/// before it cannot be true.
const EXPIRY_SLACK: Duration = Duration::from_secs(300);

/// Hex digits kept of each digest: enough to tell values apart, too few to matter otherwise.
const DIGEST_HEX: usize = 16;

/// What the marker holds.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Marker {
    role_arn: String,
    assumed_role_arn: String,
    region: String,
    /// ISO 8601, as in `AWS_CREDENTIAL_EXPIRATION`.
    expiration: String,
    /// Digest of the access key id and session token the marker was made with.
    keys: String,
    /// The request's digests (see [`request_digest`]).
    request: BTreeMap<String, String>,
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
        keys: keys_digest(&credentials.access_key_id, credentials.session_token.expose()),
        request: serde_json::from_str(&credentials.request_digest).unwrap_or_default(),
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

/// The fields of an AssumeRole request that decide what its keys may do, each as a short digest,
/// as JSON: what a session marker is bound to. Not the session name (cosmetic) nor the region
/// (keys from any regional STS endpoint are the same keys).
pub(crate) fn request_digest(request: &AssumeRoleRequest) -> String {
    serde_json::to_string(&request_fields(request)).unwrap_or_default()
}

fn request_fields(request: &AssumeRoleRequest) -> BTreeMap<String, String> {
    let hops: Vec<_> = request.hops().iter().map(|hop| (hop.role_arn.clone(), own_fields(hop))).collect();
    let mut fields = own_fields(request);
    fields.insert("via".to_owned(), digest(serde_json::json!(hops).to_string().as_bytes()));
    fields
}

/// The digests of one call's own fields, without the calls before it.
fn own_fields(request: &AssumeRoleRequest) -> BTreeMap<String, String> {
    let fields = [
        ("externalId", serde_json::json!(request.external_id)),
        ("durationSeconds", serde_json::json!(request.duration_seconds)),
        ("policy", serde_json::json!(request.policy)),
        ("sessionTags", serde_json::json!(request.tags)),
        ("transitiveTagKeys", serde_json::json!(request.transitive_tag_keys)),
        ("sourceIdentity", serde_json::json!(request.source_identity)),
        ("mfaSerial", serde_json::json!(request.mfa_serial)),
    ];
    fields.into_iter().map(|(name, value)| (name.to_owned(), digest(value.to_string().as_bytes()))).collect()
}

fn keys_digest(access_key_id: &str, session_token: &str) -> String {
    digest(format!("{access_key_id}\n{session_token}").as_bytes())
}

fn digest(bytes: &[u8]) -> String {
    let mut text = hex::encode(Sha256::digest(bytes));
    text.truncate(DIGEST_HEX);
    text
}

/// What a resolve finds of a session in its environment.
#[derive(Debug, Default)]
pub(crate) struct SessionLookup {
    /// The session's keys, when the environment carries a session of this role and request.
    pub(crate) keys: Option<Credentials>,
    /// Why a marker in the environment was not believed, when it was not.
    pub(crate) ignored: Option<String>,
}

/// The session `env` carries for `request`: its keys when it carries one of this role and
/// request, nothing when it carries none, an ignored marker with the reason, or an error for a
/// session of another role or request, or an expired one (see the module's rules).
pub(crate) fn session_keys(env: &Env, request: &AssumeRoleRequest, now: SystemTime) -> Result<SessionLookup, Error> {
    let Some(text) = env.var(SESSION_VAR) else { return Ok(SessionLookup::default()) };
    let ignored = |why: &str| Ok(SessionLookup { keys: None, ignored: Some(format!("{SESSION_VAR} ignored: {why}")) });
    let Ok(marker) = serde_json::from_str::<Marker>(&text) else {
        return ignored("it is not a marker this version writes");
    };
    // `Env::var` answers no empty values.
    let (Some(access_key_id), Some(secret), Some(token)) =
        (env.var(ACCESS_KEY_ID), env.var(SECRET_ACCESS_KEY), env.var(SESSION_TOKEN))
    else {
        return ignored("the session's key variables are not all set");
    };
    if access_key_id.starts_with("AKIA") {
        return ignored("the key variables hold long-term keys (AKIA…), which no session has");
    }
    if keys_digest(&access_key_id, &token) != marker.keys {
        return ignored("the key variables are not the keys it was made with");
    }
    if !crate::sts::is_session_of(&marker.assumed_role_arn, &marker.role_arn) {
        return ignored("its assumed-role ARN is not a session of its role");
    }
    let expiration = DateTime::from_str(&marker.expiration, DateTimeFormat::DateTime)
        .ok()
        .and_then(|t| SystemTime::try_from(t).ok())
        .unwrap_or(SystemTime::UNIX_EPOCH);
    let longest = Duration::from_secs(43_200) + EXPIRY_SLACK;
    if expiration > now + longest {
        return ignored("its expiry is later than any session could last");
    }
    if marker.role_arn != request.role_arn {
        return Err(Error::SessionRoleMismatch { session_role: marker.role_arn, role_arn: request.role_arn.clone() });
    }
    let wanted = request_fields(request);
    let differing: Vec<String> = wanted
        .iter()
        .filter(|(name, value)| marker.request.get(*name) != Some(value))
        .map(|(name, _)| name.clone())
        .collect();
    if !differing.is_empty() {
        return Err(Error::SessionRequestMismatch { role_arn: marker.role_arn, fields: differing });
    }
    if expiration > now + Duration::from_secs(u64::from(request.duration_seconds)) + EXPIRY_SLACK {
        return ignored("its expiry is later than the request's durationSeconds could give");
    }
    if expiration <= now {
        return Err(Error::SessionExpired { role_arn: marker.role_arn, expiration: marker.expiration });
    }
    let keys = Credentials {
        access_key_id,
        secret_access_key: Secret::new(secret),
        session_token: Secret::new(token),
        expiration,
        assumed_role_arn: marker.assumed_role_arn,
        region: marker.region,
    };
    Ok(SessionLookup { keys: Some(keys), ignored: None })
}

/// `2026-11-30T10:00:00Z`: the form `AWS_CREDENTIAL_EXPIRATION` and credential_process use.
fn iso8601(time: SystemTime) -> String {
    DateTime::from(time).fmt(DateTimeFormat::DateTime).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Source;

    const ROLE: &str = "arn:aws:iam::111111111111:role/deploy";

    fn request() -> AssumeRoleRequest {
        AssumeRoleRequest::plain(ROLE)
    }

    fn credentials(expiration: SystemTime) -> AccessRoleCredentials {
        AccessRoleCredentials {
            access_key_id: "ASIAEXAMPLE".to_owned(),
            secret_access_key: Secret::new("secret-value"),
            session_token: Secret::new("token-value"),
            expiration,
            refresh_at: expiration,
            profile: "sandbox".to_owned(),
            rule: "defaultProfile".to_owned(),
            near_stage: None,
            base_profile: None,
            request_digest: request_digest(&request()),
            session_ignored: None,
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

    fn session_in_an_hour(now: SystemTime) -> Env {
        env_of(&session_environment(&credentials(now + Duration::from_secs(3600))))
    }

    fn with(env: Env, name: &str, value: &str) -> Env {
        env.with_overrides([(name.to_owned(), Some(value.to_owned()))])
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
        assert!(marker.contains("\"keys\"") && marker.contains("\"policy\""), "bound to keys and request: {marker}");
        assert!(!marker.contains("secret-value") && !marker.contains("token-value") && !marker.contains("ASIAEXAMPLE"));
        assert_eq!(session.unset, ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"]);
        assert!(!session.set.iter().any(|(name, _)| name.contains("REGION")), "regions stay as they are");
        let debug = format!("{session:?}");
        assert!(!debug.contains("secret-value") && !debug.contains("token-value"), "{debug}");
        assert!(debug.contains("AWS_SESSION_TOKEN") && debug.contains("AWS_DEFAULT_PROFILE"), "names shown: {debug}");
    }

    #[test]
    fn inside_a_session_the_same_role_and_request_is_answered_from_the_environment() {
        let now = SystemTime::now();
        let found = session_keys(&session_in_an_hour(now), &request(), now).unwrap();
        assert_eq!(found.ignored, None);
        let keys = found.keys.unwrap();
        assert_eq!(keys.access_key_id, "ASIAEXAMPLE");
        assert_eq!(keys.session_token.expose(), "token-value");
        assert_eq!(keys.assumed_role_arn, "arn:aws:sts::111111111111:assumed-role/deploy/ana");
        assert_eq!(keys.region, "eu-west-1");
        let left = keys.expiration.duration_since(now).unwrap().as_secs();
        assert!((3598..=3600).contains(&left), "{left}");
        let other_region = AssumeRoleRequest { region: "ap-south-1".to_owned(), ..request() };
        assert!(
            session_keys(&session_in_an_hour(now), &other_region, now).unwrap().keys.is_some(),
            "same keys anywhere"
        );
    }

    #[test]
    fn inside_a_session_another_role_is_refused_naming_both() {
        let now = SystemTime::now();
        let other = AssumeRoleRequest::plain("arn:aws:iam::222222222222:role/other");
        let err = session_keys(&session_in_an_hour(now), &other, now).unwrap_err();
        assert_eq!(err.code(), "E_SESSION_ROLE_MISMATCH");
        let text = err.to_string();
        assert!(text.contains(ROLE) && text.contains("arn:aws:iam::222222222222:role/other"), "{text}");
    }

    #[test]
    fn inside_a_session_another_request_of_the_same_role_is_refused_naming_what_differs() {
        let now = SystemTime::now();
        let narrow = AssumeRoleRequest { policy: Some(r#"{"Statement":[]}"#.to_owned()), ..request() };
        let err = session_keys(&session_in_an_hour(now), &narrow, now).unwrap_err();
        assert_eq!(err.code(), "E_SESSION_REQUEST_MISMATCH");
        assert!(err.to_string().contains("(policy differ)"), "{err}");
        let shorter = AssumeRoleRequest { duration_seconds: 900, tags: vec![("t".into(), "v".into())], ..request() };
        let err = session_keys(&session_in_an_hour(now), &shorter, now).unwrap_err();
        assert!(err.to_string().contains("(durationSeconds, sessionTags differ)"), "{err}");
        let chained =
            AssumeRoleRequest { via: Some(Box::new(AssumeRoleRequest::plain("arn:aws:iam::1:role/hub"))), ..request() };
        assert!(session_keys(&session_in_an_hour(now), &chained, now)
            .unwrap_err()
            .to_string()
            .contains("(via differ)"));
    }

    #[test]
    fn a_marker_beside_keys_it_was_not_made_with_is_ignored() {
        let now = SystemTime::now();
        let own_keys = with(session_in_an_hour(now), "AWS_ACCESS_KEY_ID", "ASIAOTHER");
        let found = session_keys(&own_keys, &request(), now).unwrap();
        assert!(found.keys.is_none());
        assert!(found.ignored.unwrap().contains("not the keys it was made with"));
        let token = with(session_in_an_hour(now), "AWS_SESSION_TOKEN", "another-token");
        assert!(session_keys(&token, &request(), now).unwrap().keys.is_none());
    }

    #[test]
    fn a_forged_marker_proves_nothing() {
        let now = SystemTime::now();
        let forged = r#"{"roleArn":"arn:aws:iam::111111111111:role/deploy","assumedRoleArn":"x","region":"us-east-1","expiration":"2099-01-01T00:00:00Z"}"#;
        let env = Env::from_slice(&[
            ("AWS_ACCESS_KEY_ID", "AKIALONGTERM"),
            ("AWS_SECRET_ACCESS_KEY", "s"),
            ("AWS_SESSION_TOKEN", "t"),
            (SESSION_VAR, forged),
        ]);
        let found = session_keys(&env, &request(), now).unwrap();
        assert!(found.keys.is_none() && found.ignored.is_some());
        // Even with the digests right, long-term keys, a foreign ARN or an impossible expiry.
        let right = session_in_an_hour(now);
        let marker = |edit: &dyn Fn(&mut serde_json::Value)| {
            let mut value: serde_json::Value = serde_json::from_str(&right.var(SESSION_VAR).unwrap()).unwrap();
            edit(&mut value);
            with(right.clone(), SESSION_VAR, &value.to_string())
        };
        let cases: [(&str, Env); 4] = [
            ("long-term keys", {
                let digest = keys_digest("AKIALONGTERM", "token-value");
                with(marker(&|m| m["keys"] = digest.clone().into()), "AWS_ACCESS_KEY_ID", "AKIALONGTERM")
            }),
            (
                "not a session of its role",
                marker(&|m| m["assumedRoleArn"] = "arn:aws:sts::111111111111:assumed-role/other/x".into()),
            ),
            ("later than any session", marker(&|m| m["expiration"] = "2099-01-01T00:00:00Z".into())),
            ("durationSeconds", marker(&|m| m["expiration"] = iso8601(now + Duration::from_secs(7200)).into())),
        ];
        for (why, env) in cases {
            let found = session_keys(&env, &request(), now).unwrap();
            assert!(found.keys.is_none(), "{why}");
            let ignored = found.ignored.unwrap();
            assert!(ignored.contains(why), "{why}: {ignored}");
        }
    }

    #[test]
    fn a_twelve_hour_session_is_answered_within_the_clock_slack_and_not_beyond() {
        let now = SystemTime::now();
        let twelve = AssumeRoleRequest { duration_seconds: 43_200, ..request() };
        let session_until = |seconds: u64| {
            let credentials = credentials(now + Duration::from_secs(seconds));
            env_of(&session_environment(&AccessRoleCredentials {
                request_digest: request_digest(&twelve),
                ..credentials
            }))
        };
        let found = session_keys(&session_until(43_200 + 240), &twelve, now).unwrap();
        assert_eq!((found.ignored, found.keys.is_some()), (None, true), "4 minutes of skew are allowed");
        let found = session_keys(&session_until(43_200 + 360), &twelve, now).unwrap();
        assert!(found.ignored.unwrap().contains("later than any session"), "6 minutes are not");
    }

    #[test]
    fn the_latest_expiry_allowed_is_the_requests_duration_and_five_minutes_exactly() {
        // A whole second, as the marker's ISO 8601 expiry is.
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_032_800);
        for duration in [3_600, 43_200] {
            let request = AssumeRoleRequest { duration_seconds: duration, ..request() };
            let until = |seconds: u64| {
                let credentials = credentials(now + Duration::from_secs(seconds));
                let session = session_environment(&AccessRoleCredentials {
                    request_digest: request_digest(&request),
                    ..credentials
                });
                session_keys(&env_of(&session), &request, now).unwrap()
            };
            let last = u64::from(duration) + 300;
            assert!(until(last).keys.is_some(), "{duration}: the last second allowed");
            assert!(until(last + 1).keys.is_none(), "{duration}: one second later");
        }
    }

    #[test]
    fn an_expired_session_is_an_error_not_a_refresh() {
        let now = SystemTime::now();
        let env = env_of(&session_environment(&credentials(now - Duration::from_secs(1))));
        let err = session_keys(&env, &request(), now).unwrap_err();
        assert_eq!(err.code(), "E_SESSION_EXPIRED");
        assert!(err.to_string().contains(ROLE), "{err}");
    }

    #[test]
    fn no_marker_or_no_keys_means_no_session() {
        let now = SystemTime::now();
        let bare = Env::from_slice(&[]).with_overrides([(SESSION_VAR.to_owned(), None)]);
        let found = session_keys(&bare, &request(), now).unwrap();
        assert!(found.keys.is_none() && found.ignored.is_none());
        let keys_gone = session_in_an_hour(now).with_overrides([("AWS_SESSION_TOKEN".to_owned(), None)]);
        assert!(session_keys(&keys_gone, &request(), now).unwrap().keys.is_none());
        let garbled = with(session_in_an_hour(now), SESSION_VAR, "{");
        let found = session_keys(&garbled, &request(), now).unwrap();
        assert!(found.keys.is_none() && found.ignored.is_some());
    }
}
