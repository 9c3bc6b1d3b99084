//! What an AssumeRole failure means for the caller: one of a few coded errors, each one line a
//! person can act on (the endpoint and what failed, never the SDK's `Debug` dumps).

use crate::error::Error;
use aws_config::SdkConfig;
use aws_sdk_sts::config::http::HttpResponse;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sts::operation::assume_role::AssumeRoleError;
use std::error::Error as _;
use std::time::Duration;

use super::{one_line, AssumeRoleRequest, CallSettings};
use crate::env::Env;

/// Maps an AssumeRole failure into one of a few categories callers can act on.
pub(super) async fn classify(
    err: SdkError<AssumeRoleError, HttpResponse>,
    request: &AssumeRoleRequest,
    client: &aws_sdk_sts::Client,
    config: &SdkConfig,
    call: &CallSettings,
) -> Error {
    if super::limit::is_too_large(&err) {
        let message = format!(
            "STS sent {}, which is not an AssumeRole response; check AWS_ENDPOINT_URL_STS and any proxy in between",
            super::limit::TooLarge
        );
        return Error::Sts { sts_code: "AnswerTooLarge".to_owned(), message };
    }
    match &err {
        SdkError::ServiceError(service) if service.raw().status().is_success() => unreadable(service.raw()),
        SdkError::ServiceError(service) => {
            let body = service.raw().body().bytes().map(String::from_utf8_lossy).unwrap_or_default();
            let code = service.err().code().map(str::to_owned).or_else(|| xml_element(&body, "Code"));
            let code = code.unwrap_or_else(|| format!("HTTP {}", service.raw().status().as_u16()));
            let message = service.err().message().map(str::to_owned).or_else(|| xml_element(&body, "Message"));
            let message = message.unwrap_or_else(|| "no message".to_owned());
            // Whatever answered may not be STS: its words are quoted, never obeyed by the terminal.
            let (code, message) = (crate::text::foreign(&code), crate::text::foreign(&message));
            match code.as_str() {
                "AccessDenied" | "AccessDeniedException" => {
                    let base_arn = base_identity_arn(client).await;
                    match base_arn {
                        Some(base_arn) if super::is_session_of(&base_arn, &request.role_arn) => {
                            Error::AlreadyOnRole { role_arn: request.role_arn.clone(), base_arn }
                        }
                        base_arn => Error::AccessDenied { role_arn: request.role_arn.clone(), base_arn, message },
                    }
                }
                "InvalidClientTokenId"
                | "SignatureDoesNotMatch"
                | "ExpiredToken"
                | "UnrecognizedClientException"
                | "InvalidAccessKeyId"
                | "IncompleteSignature" => Error::InvalidBaseCredentials { sts_code: code, message },
                _ => Error::Sts { sts_code: code, message },
            }
        }
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => {
            let region = config.region().map_or(crate::region::FALLBACK_REGION, |r| r.as_ref());
            let endpoint = sts_endpoint(call.context.env(), config).or_else(|| default_endpoint(config, region));
            Error::StsUnreachable { endpoint, reason: unreachable_reason(&err, call.timeout) }
        }
        SdkError::ResponseError(response) => unreadable(response.raw()),
        _ => Error::Sts { sts_code: "Unknown".to_owned(), message: one_line(&err) },
    }
}

/// What kept the call from an answer, in a few words: connection refused, DNS, TLS, timeout.
fn unreachable_reason(err: &SdkError<AssumeRoleError, HttpResponse>, timeout: Duration) -> String {
    let no_answer = format!("no answer within {} s (timeoutSeconds)", timeout.as_secs());
    if matches!(err, SdkError::TimeoutError(_)) {
        return no_answer;
    }
    let mut cause: Option<&(dyn std::error::Error + 'static)> = err.source();
    let mut last = String::new();
    while let Some(error) = cause {
        if let Some(io) = error.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return "connection refused".to_owned(),
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted => {
                    return "the connection was closed before an answer".to_owned();
                }
                std::io::ErrorKind::TimedOut => return no_answer,
                _ => {}
            }
        }
        last = error.to_string();
        cause = error.source();
    }
    let text = one_line(err).to_lowercase();
    if text.contains("timeout") || text.contains("timed out") {
        no_answer
    } else if text.contains("dns") || text.contains("lookup address") || text.contains("name or service not known") {
        "DNS lookup failed (no such host?)".to_owned()
    } else if text.contains("certificate") || text.contains("tls") || text.contains("handshake") {
        format!("TLS failed: {}", crate::text::shorten_to(&last, 120))
    } else {
        format!("connection failed: {}", crate::text::shorten_to(&last, 120))
    }
}

/// A 2xx answer that is not an AssumeRole response (a proxy's page, a truncated body).
pub(super) fn unreadable(raw: &HttpResponse) -> Error {
    let bytes = raw.body().bytes().map_or(0, <[u8]>::len);
    Error::Sts {
        sts_code: "MalformedResponse".to_owned(),
        message: format!(
            "unreadable answer from STS: HTTP {}, {bytes} bytes, not an AssumeRole response; check AWS_ENDPOINT_URL_STS \
             and any proxy in between",
            raw.status().as_u16()
        ),
    }
}

/// The text of the first `<name>` element of an error body.
///
/// A fallback for STS-compatible servers, used only when the SDK found no error code: the SDK
/// reads `ErrorResponse/Error/Code`, as AWS STS answers, while moto (5.x, the server the tests
/// and the demo run) answers `ErrorResponse/Errors/Error/Code`, one level deeper. Without it, an
/// AccessDenied from such a server would surface as `E_STS_ERROR` "HTTP 403". Against AWS it
/// never runs.
fn xml_element(body: &str, name: &str) -> Option<String> {
    let start = body.find(&format!("<{name}>"))? + name.len() + 2;
    let end = start + body[start..].find(&format!("</{name}>"))?;
    Some(body[start..end].trim().to_owned()).filter(|text| !text.is_empty())
}

/// The base identity's ARN, for an AccessDenied message; `None` if STS will not say.
async fn base_identity_arn(client: &aws_sdk_sts::Client) -> Option<String> {
    client.get_caller_identity().send().await.ok().and_then(|o| o.arn)
}

/// The endpoint STS was called at, when one was set explicitly: `AWS_ENDPOINT_URL_STS`, else
/// the shared endpoint the SDK config holds (`AWS_ENDPOINT_URL`, or `endpoint_url` in a profile).
fn sts_endpoint(env: &Env, config: &SdkConfig) -> Option<String> {
    env.var("AWS_ENDPOINT_URL_STS").or_else(|| config.endpoint_url().map(str::to_owned))
}

/// The endpoint the SDK's own rules give STS in `region` when none is set (partition, FIPS and
/// dual-stack included); `None` if the rules give none.
fn default_endpoint(config: &SdkConfig, region: &str) -> Option<String> {
    use aws_sdk_sts::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
    let params = Params::builder()
        .region(region)
        .use_fips(config.use_fips().unwrap_or(false))
        .use_dual_stack(config.use_dual_stack().unwrap_or(false))
        .build()
        .ok()?;
    // The rules are evaluated on the spot: the future is ready when first polled.
    let endpoint = crate::ready::ready(DefaultResolver::new().resolve_endpoint(&params))?.ok()?;
    Some(endpoint.url().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_error_answer_is_quoted_escaped_on_one_line_and_capped() {
        use aws_sdk_sts::config::http::HttpResponse;
        use aws_smithy_types::body::SdkBody;
        let message = format!("\u{1b}]0;owned\u{7}\u{1b}[2Jline one\nline two {}", "y".repeat(200_000));
        let body = format!(
            "<ErrorResponse><Error><Type>Sender</Type><Code>Bad\u{1b}[31mCode</Code><Message>{message}</Message></Error></ErrorResponse>"
        );
        let raw = HttpResponse::new(400u16.try_into().unwrap(), SdkBody::from(body));
        let err = SdkError::service_error(
            AssumeRoleError::generic(
                aws_sdk_sts::error::ErrorMetadata::builder().code("Bad\u{1b}[31mCode").message(message).build(),
            ),
            raw,
        );
        let config = SdkConfig::builder().build();
        let client = aws_sdk_sts::Client::new(&config);
        let call =
            CallSettings { mfa_code: None, timeout: Duration::from_secs(1), context: Env::from_slice(&[]).into() };
        let request = AssumeRoleRequest::plain("arn:aws:iam::111111111111:role/r");
        let text = classify(err, &request, &client, &config, &call).await.to_string();
        assert!(text.starts_with("STS AssumeRole failed (Bad\\u{1b}[31mCode): \\u{1b}]0;owned\\u{7}"), "{text}");
        assert!(!text.chars().any(char::is_control), "{text}");
        assert!(text.chars().count() < 1100, "{}", text.chars().count());
    }

    use crate::sts::stand_in;

    const ROLE: &str = "arn:aws:iam::111111111111:role/r";

    /// What assuming [`ROLE`] at `sts` comes to, as an error.
    async fn refused(sts: &stand_in::StandIn, timeout: Duration) -> Error {
        stand_in::assume_at(&sts.endpoint, &AssumeRoleRequest::plain(ROLE), timeout).await.unwrap_err()
    }

    fn error(status: u16, code: &str, message: &str) -> stand_in::StandIn {
        stand_in::serve(status, &[("content-type", "text/xml")], stand_in::error_answer(code, message))
    }

    #[tokio::test]
    async fn a_refusal_of_the_base_keys_is_e_invalid_base_credentials_with_stss_words() {
        for code in [
            "InvalidClientTokenId",
            "SignatureDoesNotMatch",
            "ExpiredToken",
            "UnrecognizedClientException",
            "InvalidAccessKeyId",
            "IncompleteSignature",
        ] {
            match refused(&error(403, code, "the keys are no good"), Duration::from_secs(10)).await {
                Error::InvalidBaseCredentials { sts_code, message } => {
                    assert_eq!((sts_code.as_str(), message.as_str()), (code, "the keys are no good"));
                }
                other => panic!("{code}: {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn access_denied_names_the_role_and_the_base_identity_when_sts_says_who_it_is() {
        for code in ["AccessDenied", "AccessDeniedException"] {
            match refused(&error(403, code, "not authorized to perform sts:AssumeRole"), Duration::from_secs(10)).await
            {
                Error::AccessDenied { role_arn, base_arn, message } => {
                    assert_eq!(role_arn, ROLE);
                    assert_eq!(base_arn, None, "GetCallerIdentity was refused too");
                    assert_eq!(message, "not authorized to perform sts:AssumeRole");
                }
                other => panic!("{code}: {other:?}"),
            }
        }
        let who = |session: &'static str| {
            stand_in::serve_with(move |request| {
                if request.contains("Action=GetCallerIdentity") {
                    let body = format!(
                        "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>{session}</Arn><UserId>AROA:s</UserId>\
                         <Account>111111111111</Account></GetCallerIdentityResult></GetCallerIdentityResponse>"
                    );
                    stand_in::http(200, &[("content-type", "text/xml")], body)
                } else {
                    stand_in::http(403, &[("content-type", "text/xml")], stand_in::error_answer("AccessDenied", "no"))
                }
            })
        };
        let user = "arn:aws:iam::111111111111:user/ana";
        match refused(&who(user), Duration::from_secs(10)).await {
            Error::AccessDenied { base_arn, .. } => assert_eq!(base_arn.as_deref(), Some(user)),
            other => panic!("{other:?}"),
        }
        // Already on the role: its own trust policy refuses it.
        let on_the_role = "arn:aws:sts::111111111111:assumed-role/r/earlier";
        match refused(&who(on_the_role), Duration::from_secs(10)).await {
            Error::AlreadyOnRole { role_arn, base_arn } => {
                assert_eq!((role_arn.as_str(), base_arn.as_str()), (ROLE, on_the_role))
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn an_error_the_sdk_cannot_read_is_taken_from_the_body_else_named_by_its_status() {
        // moto's wording: the code one level deeper than AWS puts it.
        let moto = stand_in::serve(
            403,
            &[("content-type", "text/xml")],
            "<ErrorResponse><Errors><Error><Code>AccessDenied</Code><Message>User: x is not authorized</Message></Error></Errors></ErrorResponse>",
        );
        match refused(&moto, Duration::from_secs(10)).await {
            Error::AccessDenied { message, .. } => assert_eq!(message, "User: x is not authorized"),
            other => panic!("{other:?}"),
        }
        let proxy = stand_in::serve(404, &[("content-type", "text/html")], "<html>not here</html>");
        match refused(&proxy, Duration::from_secs(10)).await {
            Error::Sts { sts_code, message } => {
                assert_eq!((sts_code.as_str(), message.as_str()), ("HTTP 404", "no message"))
            }
            other => panic!("{other:?}"),
        }
        match refused(&error(400, "ValidationError", "1 validation error"), Duration::from_secs(10)).await {
            Error::Sts { sts_code, message } => {
                assert_eq!((sts_code.as_str(), message.as_str()), ("ValidationError", "1 validation error"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_success_status_without_an_assume_role_answer_is_a_malformed_response_of_its_size() {
        let page = stand_in::serve(200, &[("content-type", "text/xml")], "<nonsense/>");
        match refused(&page, Duration::from_secs(10)).await {
            Error::Sts { sts_code, message } => {
                assert_eq!(sts_code, "MalformedResponse");
                assert!(
                    message.starts_with("unreadable answer from STS: HTTP 200, 11 bytes, not an AssumeRole"),
                    "{message}"
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(page.requests(), 1, "not retried");
        // An answer that ends before the length it announced.
        let cut =
            stand_in::serve(200, &[("content-type", "text/xml"), ("content-length", "100")], "<AssumeRoleResponse>");
        match refused(&cut, Duration::from_secs(10)).await {
            Error::Sts { sts_code, message } => {
                assert_eq!(sts_code, "MalformedResponse");
                assert!(message.starts_with("unreadable answer from STS: HTTP 200, "), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_server_that_is_gone_or_silent_is_e_sts_unreachable_at_the_endpoint_called() {
        // A port nothing listens on: bound, then closed.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let gone = format!("http://127.0.0.1:{port}");
        match stand_in::assume_at(&gone, &AssumeRoleRequest::plain(ROLE), Duration::from_secs(10)).await.unwrap_err() {
            Error::StsUnreachable { endpoint, reason } => {
                assert_eq!((endpoint.as_deref(), reason.as_str()), (Some(gone.as_str()), "connection refused"));
            }
            other => panic!("{other:?}"),
        }
        let silent = stand_in::silent();
        match refused(&silent, Duration::from_secs(1)).await {
            Error::StsUnreachable { endpoint, reason } => {
                assert_eq!(endpoint.as_deref(), Some(silent.endpoint.as_str()));
                assert_eq!(reason, "no answer within 1 s (timeoutSeconds)");
            }
            other => panic!("{other:?}"),
        }
    }

    /// The reason given for a call that failed with `cause` below the connector.
    fn reason_for(cause: std::io::Error) -> String {
        let err = SdkError::dispatch_failure(aws_sdk_sts::error::ConnectorError::io(Box::new(cause)));
        unreachable_reason(&err, Duration::from_secs(7))
    }

    #[test]
    fn why_sts_could_not_be_reached_is_said_in_a_few_words() {
        use std::io::{Error as IoError, ErrorKind};
        assert_eq!(reason_for(IoError::from(ErrorKind::ConnectionRefused)), "connection refused");
        for kind in [ErrorKind::ConnectionReset, ErrorKind::ConnectionAborted] {
            assert_eq!(reason_for(IoError::from(kind)), "the connection was closed before an answer");
        }
        assert_eq!(reason_for(IoError::from(ErrorKind::TimedOut)), "no answer within 7 s (timeoutSeconds)");
        // By its kind, whatever its words.
        let late = IoError::new(ErrorKind::TimedOut, "deadline passed");
        assert_eq!(reason_for(late), "no answer within 7 s (timeoutSeconds)");
        assert_eq!(reason_for(IoError::other("operation timed out")), "no answer within 7 s (timeoutSeconds)");
        assert_eq!(reason_for(IoError::other("read timeout")), "no answer within 7 s (timeoutSeconds)");
        assert_eq!(
            unreachable_reason(&SdkError::timeout_error("late"), Duration::from_secs(7)),
            "no answer within 7 s (timeoutSeconds)"
        );
        // Each resolver words it its own way.
        for dns in ["dns error", "failed to lookup address information", "Name or service not known"] {
            assert_eq!(reason_for(IoError::other(dns)), "DNS lookup failed (no such host?)", "{dns}");
        }
        for tls in ["invalid peer certificate: UnknownIssuer", "tls: bad record", "handshake failure"] {
            assert_eq!(reason_for(IoError::other(tls)), format!("TLS failed: {tls}"));
        }
        assert_eq!(reason_for(IoError::other("no route")), "connection failed: no route");
    }

    #[test]
    fn error_codes_are_found_at_any_depth_of_the_body() {
        let moto = "<ErrorResponse><Errors><Error><Code>AccessDenied</Code><Message>User: x is not authorized</Message></Error></Errors></ErrorResponse>";
        assert_eq!(xml_element(moto, "Code").as_deref(), Some("AccessDenied"));
        assert_eq!(xml_element(moto, "Message").as_deref(), Some("User: x is not authorized"));
        assert_eq!(xml_element("<html>500</html>", "Code"), None);
        assert_eq!(xml_element("<Code></Code>", "Code"), None);
        assert_eq!(xml_element("<Code>unterminated", "Code"), None);
    }

    #[test]
    fn the_endpoint_named_in_errors_is_the_sts_one_else_the_shared_one() {
        let shared = SdkConfig::builder().endpoint_url("http://127.0.0.1:5000").build();
        let sts_env = Env::from_slice(&[("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:4566")]);
        assert_eq!(sts_endpoint(&sts_env, &shared).as_deref(), Some("http://127.0.0.1:4566"));
        assert_eq!(sts_endpoint(&Env::from_slice(&[]), &shared).as_deref(), Some("http://127.0.0.1:5000"));
        assert_eq!(sts_endpoint(&Env::from_slice(&[]), &SdkConfig::builder().build()), None);
    }

    #[test]
    fn the_default_endpoint_follows_the_partition_and_fips() {
        let plain = SdkConfig::builder().build();
        assert_eq!(default_endpoint(&plain, "eu-west-1").as_deref(), Some("https://sts.eu-west-1.amazonaws.com"));
        assert_eq!(default_endpoint(&plain, "cn-north-1").as_deref(), Some("https://sts.cn-north-1.amazonaws.com.cn"));
        let fips = SdkConfig::builder().use_fips(true).build();
        assert_eq!(default_endpoint(&fips, "us-east-1").as_deref(), Some("https://sts-fips.us-east-1.amazonaws.com"));
    }
}
