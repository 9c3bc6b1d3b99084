//! STS AssumeRole with the base identity from aws-config's default chain.
//!
//! The STS endpoint follows the SDK's own rules, so `AWS_ENDPOINT_URL_STS` and `AWS_ENDPOINT_URL`
//! point it at a local server; nothing here knows about tests.

use crate::context::Context;
use crate::credentials::{Credentials, Secret};
use crate::error::Error;
use crate::plan::AssumeRoleRequest;
use aws_config::timeout::TimeoutConfig;
use aws_config::{retry::RetryConfig, BehaviorVersion, SdkConfig};
use aws_sdk_sts::config::{Credentials as SdkCredentials, ProvideCredentials, Region, SharedCredentialsProvider};
use aws_sdk_sts::types::Tag;
use aws_smithy_http_client::{proxy::ProxyConfig, tls, Builder as HttpClientBuilder, ConnectorBuilder};
use std::time::{Duration, SystemTime};

mod caller;
mod failure;
mod limit;
mod served;
#[cfg(test)]
pub(crate) mod stand_in;

pub(crate) use caller::caller_identity;
pub use caller::CallerIdentity;
pub(crate) use served::served_credentials;

use failure::classify;

/// Keys that STS hands out with less than this left are refused: this machine's clock is off.
const MIN_LIFETIME: Duration = Duration::from_secs(60);

/// How much later than the requested lifetime keys may expire (this machine's clock behind
/// STS's) before the answer counts as unusable.
const MAX_CLOCK_BEHIND: Duration = Duration::from_secs(24 * 3600);

/// Settings of one resolution that do not change which credentials STS hands out.
#[derive(Clone, Debug)]
pub(crate) struct CallSettings {
    /// The current MFA code, for requests with an `mfa_serial` (the core reads no variable for
    /// it: callers ask the person, or read their own).
    pub mfa_code: Option<Secret>,
    /// Longest time one AssumeRole call may take, retries included.
    pub timeout: Duration,
    /// The base identity's context: the environment its credential chain reads (and the
    /// endpoint named in errors), and the AWS files memory.
    pub context: Context,
}

/// True when `assumed_role_arn` (`arn:P:sts::ACCOUNT:assumed-role/NAME/SESSION`) is a session of
/// the role `role_arn` (`arn:P:iam::ACCOUNT:role/[PATH/]NAME`), by the core's one ARN parser ([`crate::arn`]).
pub(crate) fn is_session_of(assumed_role_arn: &str, role_arn: &str) -> bool {
    crate::arn::is_session_of(assumed_role_arn, role_arn)
}

/// Assumes the role: with the credentials of `request.via` when it is chained, else with the
/// base identity's.
pub(crate) async fn assume_role(request: &AssumeRoleRequest, call: &CallSettings) -> Result<Credentials, Error> {
    let token_code = mfa_token(request, call)?;
    let config = base_config(&request.region, request.base_profile.as_deref(), call).await;
    let region = request.region.clone();
    // The keys that call AssumeRole, resolved once: a credential_process or SSO base identity
    // is not run a second time by the client.
    let keys = match &request.via {
        Some(first) => {
            let first = Box::pin(assume_role(first, call)).await?;
            SdkCredentials::new(
                first.access_key_id,
                first.secret_access_key.expose(),
                Some(first.session_token.expose().to_owned()),
                Some(first.expiration),
                "serverless-access-roles-chain",
            )
        }
        None => base_credentials(&config, request.base_profile.as_deref())
            .await
            .map_err(|err| crate::aws_profiles::with_sso_login(err, &call.context))?,
    };
    let sts_config = aws_sdk_sts::config::Builder::from(&config)
        .region(Region::new(region.clone()))
        .credentials_provider(SharedCredentialsProvider::new(keys))
        .interceptor(limit::AnswerSizeCap);
    let client = aws_sdk_sts::Client::from_conf(sts_config.build());
    let tags = request.tags.iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect::<Result<Vec<_>, _>>();
    let tags = tags.map_err(|e| Error::Sts { sts_code: "InvalidTag".to_owned(), message: e.to_string() })?;
    let output = client
        .assume_role()
        .role_arn(&request.role_arn)
        .role_session_name(&request.session_name)
        .set_external_id(request.external_id.clone())
        .duration_seconds(i32::try_from(request.duration_seconds).unwrap_or(i32::MAX))
        .set_serial_number(request.mfa_serial.clone())
        .set_token_code(token_code)
        .set_source_identity(request.source_identity.clone())
        .set_tags(Some(tags).filter(|t| !t.is_empty()))
        .set_transitive_tag_keys(Some(request.transitive_tag_keys.clone()).filter(|k| !k.is_empty()))
        .set_policy(request.policy.clone())
        .send()
        .await;
    let output = match output {
        Ok(output) => output,
        Err(err) => return Err(classify(err, request, &client, &config, call).await),
    };
    let malformed = |what: &str| Error::Sts {
        sts_code: "MalformedResponse".to_owned(),
        message: format!("unreadable answer from STS: not an AssumeRole response (it has no {what})"),
    };
    let credentials = output.credentials.ok_or_else(|| malformed("Credentials"))?;
    let assumed_role_arn = output.assumed_role_user.map(|u| u.arn).ok_or_else(|| malformed("AssumedRoleUser"))?;
    let expiration = SystemTime::try_from(credentials.expiration).map_err(|_| malformed("valid Expiration"))?;
    check_lifetime(expiration, &credentials.expiration, request, SystemTime::now())?;
    crate::credentials::printable(Credentials {
        access_key_id: credentials.access_key_id,
        secret_access_key: Secret::new(credentials.secret_access_key),
        session_token: Secret::new(credentials.session_token),
        expiration,
        assumed_role_arn,
        region,
    })
}

/// Refuses keys that are expired on arrival or expire within a minute by this machine's clock (a
/// clock far ahead), and keys that claim to live far longer than asked for (a clock far behind,
/// or a broken answer): neither may be cached or handed out. `now` is this machine's clock.
fn check_lifetime(
    expiration: SystemTime,
    stated: &aws_sdk_sts::primitives::DateTime,
    request: &AssumeRoleRequest,
    now: SystemTime,
) -> Result<(), Error> {
    let stated = stated.fmt(aws_sdk_sts::primitives::DateTimeFormat::DateTime).unwrap_or_default();
    let clock = |problem: String| Error::Sts { sts_code: "ClockSkew".to_owned(), message: problem };
    let left = expiration.duration_since(now).unwrap_or_default();
    if left < MIN_LIFETIME {
        return Err(clock(format!(
            "STS handed out keys that expire at {stated}, which this machine's clock says is less than a minute \
             away or past; the clock is probably wrong: set it right (enable network time) and try again"
        )));
    }
    let asked = Duration::from_secs(u64::from(request.duration_seconds));
    if left > asked + MAX_CLOCK_BEHIND {
        return Err(clock(format!(
            "STS handed out keys that expire at {stated}, more than a day later than the {} s asked for by this \
             machine's clock; the clock is probably wrong: set it right (enable network time) and try again",
            request.duration_seconds
        )));
    }
    Ok(())
}

/// The MFA code for a request that names a device: six digits, or E_MFA_REQUIRED.
fn mfa_token(request: &AssumeRoleRequest, call: &CallSettings) -> Result<Option<String>, Error> {
    let Some(serial) = &request.mfa_serial else { return Ok(None) };
    let code = call.mfa_code.as_ref().ok_or_else(|| Error::MfaRequired { mfa_serial: serial.clone() })?;
    if code.expose().len() == 6 && code.expose().bytes().all(|b| b.is_ascii_digit()) {
        Ok(Some(code.expose().to_owned()))
    } else {
        Err(Error::InvalidArgument {
            name: "MFA code",
            message: "must be the 6 digits the MFA device shows".to_owned(),
        })
    }
}

/// Loads the SDK config for the base identity (`base_profile`, else the default chain), with
/// bounded timeouts and standard retries, in `region`: aws-config's own region chain, which ends
/// at the instance metadata service, never runs.
async fn base_config(region: &str, base_profile: Option<&str>, call: &CallSettings) -> SdkConfig {
    let attempt = call.timeout.min(Duration::from_secs(10));
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(attempt.min(Duration::from_secs(3)))
        .read_timeout(attempt)
        .operation_attempt_timeout(attempt)
        .operation_timeout(call.timeout)
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(timeouts)
        .retry_config(RetryConfig::standard().with_max_attempts(3))
        .http_client(https_client())
        .region(Region::new(region.to_owned()));
    if let Some(profile) = base_profile {
        loader = loader.profile_name(profile);
    }
    // aws-config's own seam for the environment (its `test-util` feature): the whole chain —
    // key variables, profile, web identity, endpoint — reads the environment we were given
    // (for a named base profile, one without the ambient sources: crate::base_identity).
    if let Some(env) = call.context.env().for_aws_sdk() {
        loader = loader.env(env);
    }
    loader.load().await
}

/// HTTPS through rustls on ring with the system's root certificates (`SSL_CERT_FILE` honoured),
/// and `HTTPS_PROXY` / `NO_PROXY` as the SDK's default client does. That client uses aws-lc, which
/// is larger (BENCHMARKS.md). The SDK hands in its timeouts as `settings`, its sleep as `components`.
fn https_client() -> aws_sdk_sts::config::SharedHttpClient {
    HttpClientBuilder::new().build_with_connector_fn(|settings, components| {
        let mut connector = ConnectorBuilder::default().tls_provider(tls_provider());
        connector.set_connector_settings(settings.cloned());
        connector.set_sleep_impl(components.and_then(|c| c.sleep_impl()));
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    })
}

/// The connector's TLS: rustls on ring, trusting the system's root certificates.
fn tls_provider() -> tls::Provider {
    tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring)
}

/// Starts reading the system's root certificates on a thread of its own, once per process, so
/// that the first STS call finds them read. The HTTP client reads and decodes them once per
/// process (every file of the system's certificate bundle and directory), on the way to its
/// first request: the largest one-time cost of a process's first resolve (BENCHMARKS.md, "The
/// first resolve of a process"). Building a connector is the client's public way to read them;
/// the roots, and which ones are trusted, stay the client's own. Called when a resolve may need
/// STS, not when a process starts: a resolve answered from a cache never reads them.
pub(crate) fn read_root_certificates_ahead() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        // Without the thread, the first connector reads them itself, as before.
        let _ = std::thread::Builder::new()
            .name("root-certificates".to_owned())
            .spawn(|| drop(ConnectorBuilder::default().tls_provider(tls_provider()).build()));
    });
}

/// The base identity's keys from the credential chain; its own error code when there are none.
async fn base_credentials(config: &SdkConfig, base_profile: Option<&str>) -> Result<SdkCredentials, Error> {
    let no_base = |reason: String| Error::NoBaseCredentials {
        base_profile: base_profile.map(str::to_owned),
        reason,
        skipped_profile: None,
    };
    let provider =
        config.credentials_provider().ok_or_else(|| no_base("no credential provider is configured".to_owned()))?;
    provider.provide_credentials().await.map_err(|e| no_base(one_line(&e)))
}

/// An error and its causes on one line, cut to a readable length: credential providers quote
/// other programs' output (credential_process, SSO), which is not ours to print at length.
fn one_line(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::text::shorten_to(&crate::text::escape_control(&text), 300)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_chains_become_one_short_line() {
        let inner = std::io::Error::other("line one\nline two");
        let outer = std::io::Error::new(std::io::ErrorKind::NotFound, inner);
        assert_eq!(one_line(&outer), "line one line two");
        let long = std::io::Error::other("x ".repeat(500));
        assert!(one_line(&long).chars().count() <= 301);
    }

    /// What [`check_lifetime`] says of keys that STS says expire `left` after `now`, for a
    /// request of an hour.
    fn lifetime_check(left: Duration) -> Result<(), Error> {
        let now = SystemTime::now();
        let expiration = now + left;
        let stated = aws_sdk_sts::primitives::DateTime::from(expiration);
        check_lifetime(expiration, &stated, &AssumeRoleRequest::plain("arn:aws:iam::111111111111:role/r"), now)
    }

    fn clock_skew(result: Result<(), Error>) -> String {
        match result {
            Err(err @ Error::Sts { .. }) if err.to_string().contains("(ClockSkew)") => err.to_string(),
            other => panic!("expected a ClockSkew error, got {other:?}"),
        }
    }

    const ROLE: &str = "arn:aws:iam::111111111111:role/r";
    const SESSION: &str = "arn:aws:sts::111111111111:assumed-role/r/s";

    async fn assume_answered(body: String) -> Result<Credentials, Error> {
        let length = body.len().to_string();
        let sts = stand_in::serve(200, &[("content-type", "text/xml"), ("content-length", &length)], body);
        stand_in::assume_at(&sts.endpoint, &AssumeRoleRequest::plain(ROLE), Duration::from_secs(10)).await
    }

    #[tokio::test]
    async fn an_answer_gives_the_keys_of_the_session_it_names_in_the_region_called() {
        let in_an_hour = SystemTime::UNIX_EPOCH
            + Duration::from_secs(SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs() + 3600);
        let keys = assume_answered(stand_in::assume_role_answer(in_an_hour, SESSION)).await.unwrap();
        assert_eq!(keys.access_key_id, "ASIASTANDINKEY000001");
        assert_eq!(
            (keys.secret_access_key.expose(), keys.session_token.expose()),
            ("stand-in-secret", "stand-in-token")
        );
        assert_eq!(
            (keys.expiration, keys.assumed_role_arn.as_str(), keys.region.as_str()),
            (in_an_hour, SESSION, "us-east-1")
        );
    }

    #[tokio::test]
    async fn sts_is_asked_for_every_field_of_the_request_and_for_tags_only_when_there_are_some() {
        let in_an_hour = SystemTime::now() + Duration::from_secs(3600);
        let sts =
            stand_in::serve(200, &[("content-type", "text/xml")], stand_in::assume_role_answer(in_an_hour, SESSION));
        let request = AssumeRoleRequest {
            session_name: "ana-pay-dev".to_owned(),
            external_id: Some("ext-1".to_owned()),
            duration_seconds: 900,
            source_identity: Some("ana".to_owned()),
            tags: vec![("team".to_owned(), "pay".to_owned())],
            transitive_tag_keys: vec!["team".to_owned()],
            policy: Some("{}".to_owned()),
            ..AssumeRoleRequest::plain(ROLE)
        };
        stand_in::assume_at(&sts.endpoint, &request, Duration::from_secs(10)).await.unwrap();
        stand_in::assume_at(&sts.endpoint, &AssumeRoleRequest::plain(ROLE), Duration::from_secs(10)).await.unwrap();
        let bodies = sts.bodies();
        for field in [
            "Action=AssumeRole",
            "RoleArn=arn%3Aaws%3Aiam%3A%3A111111111111%3Arole%2Fr",
            "RoleSessionName=ana-pay-dev",
            "ExternalId=ext-1",
            "DurationSeconds=900",
            "SourceIdentity=ana",
            "Tags.member.1.Key=team",
            "Tags.member.1.Value=pay",
            "TransitiveTagKeys.member.1=team",
            "Policy=%7B%7D",
        ] {
            assert!(bodies[0].split('&').any(|pair| pair == field), "{field} in {}", bodies[0]);
        }
        for absent in
            ["Tags", "TransitiveTagKeys", "ExternalId", "Policy", "SourceIdentity", "SerialNumber", "TokenCode"]
        {
            assert!(!bodies[1].contains(absent), "{absent} in {}", bodies[1]);
        }
    }

    #[tokio::test]
    async fn keys_that_expire_within_a_minute_of_arrival_are_refused_as_clock_skew() {
        let soon = SystemTime::now() + Duration::from_secs(30);
        let text = clock_skew(assume_answered(stand_in::assume_role_answer(soon, SESSION)).await.map(drop));
        assert!(text.contains("less than a minute away or past"), "{text}");
    }

    #[tokio::test]
    async fn an_answer_without_keys_or_session_is_a_malformed_response() {
        let in_an_hour = SystemTime::now() + Duration::from_secs(3600);
        let full = stand_in::assume_role_answer(in_an_hour, SESSION);
        let cut = |from: &str, to: &str| {
            format!("{}{}", &full[..full.find(from).unwrap()], &full[full.find(to).unwrap() + to.len()..])
        };
        for (answer, missing) in [
            (cut("<Credentials>", "</Credentials>"), "it has no Credentials"),
            (cut("<AssumedRoleUser>", "</AssumedRoleUser>"), "it has no AssumedRoleUser"),
        ] {
            let err = assume_answered(answer).await.unwrap_err();
            assert_eq!(err.code(), "E_STS_ERROR");
            let text = err.to_string();
            assert!(
                text.starts_with("STS AssumeRole failed (MalformedResponse): unreadable answer")
                    && text.contains(missing),
                "{text}"
            );
        }
    }

    #[test]
    fn a_request_with_an_mfa_device_needs_the_six_digits_it_shows() {
        let request = AssumeRoleRequest {
            mfa_serial: Some("arn:aws:iam::111111111111:mfa/ana".to_owned()),
            ..AssumeRoleRequest::plain(ROLE)
        };
        let call = |code: Option<&str>| CallSettings {
            mfa_code: code.map(Secret::new),
            timeout: Duration::from_secs(1),
            context: crate::env::Env::from_slice(&[]).into(),
        };
        assert_eq!(
            mfa_token(&AssumeRoleRequest::plain(ROLE), &call(Some("123456"))).unwrap(),
            None,
            "no device, no code"
        );
        assert_eq!(mfa_token(&request, &call(Some("123456"))).unwrap().as_deref(), Some("123456"));
        assert_eq!(mfa_token(&request, &call(None)).unwrap_err().code(), "E_MFA_REQUIRED");
        for wrong in ["12345", "1234567", "12345a", "１２３４５６"] {
            let err = mfa_token(&request, &call(Some(wrong))).unwrap_err();
            assert_eq!(err.code(), "E_INVALID_ARGUMENT", "{wrong}");
            assert!(
                err.to_string().contains("must be the 6 digits the MFA device shows")
                    && !err.to_string().contains(wrong)
            );
        }
    }

    #[test]
    fn keys_with_less_than_a_minute_left_are_refused_as_clock_skew() {
        assert!(lifetime_check(Duration::from_secs(3600)).is_ok(), "the hour asked for");
        let minute = Duration::from_secs(60);
        assert!(lifetime_check(minute).is_ok(), "exactly a minute left is enough");
        let text = clock_skew(lifetime_check(minute - Duration::from_millis(1)));
        assert!(text.contains("less than a minute away or past") && text.contains("set it right"), "{text}");
        clock_skew(lifetime_check(Duration::ZERO));
    }

    #[test]
    fn keys_that_outlive_the_request_by_more_than_a_day_are_refused_as_clock_skew() {
        let (hour, day) = (Duration::from_secs(3600), Duration::from_secs(86_400));
        assert!(lifetime_check(hour + day / 2).is_ok(), "a clock 12 hours behind");
        assert!(lifetime_check(hour + day).is_ok(), "exactly a day later than asked");
        let text = clock_skew(lifetime_check(hour + day + Duration::from_millis(1)));
        assert!(text.contains("more than a day later than the 3600 s asked for"), "{text}");
    }
}
