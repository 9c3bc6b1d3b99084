//! The keys a served session's endpoint answers (`exec --server`, see
//! [`crate::role_env::served_session_environment`]), asked with aws-config's own container
//! credentials provider: the format, the token header and the loopback rule are the SDKs'.

use crate::context::Context;
use crate::credentials::{Credentials, Secret};
use crate::env::Env;
use crate::error::Error;
use crate::role_env::{ServedEndpoint, AUTHORIZATION_TOKEN, FULL_URI};
use std::time::{Duration, SystemTime};

/// The keys `endpoint` serves for the session of `role_arn`, whose assumed-role ARN and region
/// the marker named; [`Error::SessionEndpoint`] when it does not answer them (within the
/// container provider's own connect and read timeouts).
pub(crate) async fn served_credentials(
    endpoint: &ServedEndpoint,
    role_arn: &str,
    assumed_role_arn: &str,
    region: &str,
    timeout: Duration,
) -> Result<Credentials, Error> {
    // The token is never shown, should a provider's error quote it (as is, or escaped).
    let token = endpoint.token.expose();
    let failed = |reason: String| {
        let hidden = "(the token, not shown)";
        let reason = if token.is_empty() {
            reason
        } else {
            reason.replace(token, hidden).replace(&token.escape_debug().to_string(), hidden)
        };
        Error::SessionEndpoint { role_arn: role_arn.to_owned(), reason }
    };
    // The chain that finds the base identity, in an environment of the endpoint alone: no keys,
    // profiles, web identity or instance metadata it could take instead (no home directory, so
    // no AWS files either). The same code as a base identity's, so the addon carries it once.
    let call = super::CallSettings {
        mfa_code: None,
        timeout,
        context: Context::new(Env::from_slice(&[
            (FULL_URI, endpoint.uri.as_str()),
            (AUTHORIZATION_TOKEN, token),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ])),
    };
    let config = super::base_config(region, None, &call).await;
    let keys = super::base_credentials(&config, None).await.map_err(|err| match err {
        Error::NoBaseCredentials { reason, .. } => failed(reason),
        other => failed(other.to_string()),
    })?;
    let expiration = keys.expiry().unwrap_or(SystemTime::UNIX_EPOCH);
    if expiration <= SystemTime::now() {
        return Err(failed("it answered keys that have expired".to_owned()));
    }
    crate::credentials::printable(Credentials {
        access_key_id: keys.access_key_id().to_owned(),
        secret_access_key: Secret::new(keys.secret_access_key()),
        session_token: Secret::new(keys.session_token().unwrap_or_default()),
        expiration,
        assumed_role_arn: assumed_role_arn.to_owned(),
        region: region.to_owned(),
    })
    .map_err(|_| failed("it answered keys that are not printable ASCII (not shown)".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(uri: &str, token: &str) -> Error {
        let endpoint = ServedEndpoint { uri: uri.to_owned(), token: Secret::new(token) };
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let role = "arn:aws:iam::111111111111:role/r";
        let asked =
            served_credentials(&endpoint, role, "arn:aws:sts::1:assumed-role/r/s", "us-east-1", Duration::from_secs(5));
        runtime.block_on(asked).unwrap_err()
    }

    /// An endpoint that answers keys expiring at `expiration` (RFC 3339), as `exec --server` does.
    fn endpoint_answering(expiration: &str) -> ServedEndpoint {
        let body = format!(
            r#"{{"AccessKeyId":"ASIASERVED","SecretAccessKey":"served-secret","Token":"served-token","Expiration":"{expiration}"}}"#
        );
        let served = crate::sts::stand_in::serve(200, &[("content-type", "application/json")], body);
        ServedEndpoint { uri: format!("{}/creds", served.endpoint), token: Secret::new("a-token") }
    }

    fn fetch(endpoint: &ServedEndpoint) -> Result<Credentials, Error> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let session = "arn:aws:sts::111111111111:assumed-role/r/s";
        let asked = served_credentials(
            endpoint,
            "arn:aws:iam::111111111111:role/r",
            session,
            "eu-west-1",
            Duration::from_secs(5),
        );
        runtime.block_on(asked)
    }

    #[test]
    fn the_endpoints_keys_come_with_the_session_and_region_the_marker_named() {
        let in_an_hour = SystemTime::now() + Duration::from_secs(3600);
        let stamp =
            aws_smithy_types::DateTime::from(in_an_hour).fmt(aws_smithy_types::date_time::Format::DateTime).unwrap();
        let keys = fetch(&endpoint_answering(&stamp)).unwrap();
        assert_eq!((keys.access_key_id.as_str(), keys.secret_access_key.expose()), ("ASIASERVED", "served-secret"));
        assert_eq!(keys.session_token.expose(), "served-token");
        assert_eq!(
            (keys.assumed_role_arn.as_str(), keys.region.as_str()),
            ("arn:aws:sts::111111111111:assumed-role/r/s", "eu-west-1")
        );
        let expected = in_an_hour.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs();
        assert_eq!(keys.expiration.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs(), expected);
    }

    #[test]
    fn keys_the_endpoint_answers_already_expired_are_e_session_endpoint() {
        let err = fetch(&endpoint_answering("2020-01-01T00:00:00Z")).unwrap_err();
        assert_eq!(err.code(), "E_SESSION_ENDPOINT");
        assert!(err.to_string().contains("it answered keys that have expired"), "{err}");
    }

    #[test]
    fn an_endpoint_that_is_gone_is_e_session_endpoint_naming_the_role() {
        // A port nothing listens on: bound, then closed.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let err = ask(&format!("http://127.0.0.1:{port}/"), "a-token-of-its-own");
        assert_eq!(err.code(), "E_SESSION_ENDPOINT");
        let text = err.to_string();
        assert!(
            text.contains("arn:aws:iam::111111111111:role/r") && text.contains("run the command in a new exec"),
            "{text}"
        );
        assert!(!text.contains("a-token-of-its-own"), "{text}");
    }

    #[test]
    fn a_token_that_cannot_be_a_header_is_said_without_being_shown() {
        let err = ask("http://127.0.0.1:9/", "secret-token\nwith-a-break");
        assert_eq!(err.code(), "E_SESSION_ENDPOINT");
        let text = err.to_string();
        assert!(text.contains("auth token could not be used as an HTTP header"), "{text}");
        assert!(!text.contains("secret-token"), "{text}");
    }
}
