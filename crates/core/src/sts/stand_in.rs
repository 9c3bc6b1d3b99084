//! Tests' STS stand-in: a server on 127.0.0.1 that answers every request with one fixed HTTP
//! answer, for the answers moto never gives (a clock far off, a megabyte of nonsense, a refusal
//! worded by a proxy). The node suites use one of their own (`__test__/faults.test.js`).

use super::{assume_role, CallSettings};
use crate::credentials::Credentials;
use crate::env::Env;
use crate::error::Error;
use crate::plan::AssumeRoleRequest;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// A running stand-in; it serves until the test process ends.
pub(crate) struct StandIn {
    /// `http://127.0.0.1:PORT`, for `AWS_ENDPOINT_URL_STS`.
    pub(crate) endpoint: String,
    bodies: Arc<Mutex<Vec<String>>>,
}

impl StandIn {
    /// How many requests it has answered.
    pub(crate) fn requests(&self) -> usize {
        self.bodies.lock().unwrap().len()
    }

    /// The bodies of the requests it answered (form-encoded STS calls), in order.
    pub(crate) fn bodies(&self) -> Vec<String> {
        self.bodies.lock().unwrap().clone()
    }
}

/// Serves `status` with `headers` and `body` to every request.
pub(crate) fn serve(status: u16, headers: &[(&str, &str)], body: impl Into<Vec<u8>>) -> StandIn {
    let answer = http(status, headers, body);
    serve_with(move |_| answer.clone())
}

/// Serves what `answer` makes of each request's body (the form-encoded STS call, `Action=...`).
/// The connection is closed after each answer, so one without `content-length` ends where its
/// body ends.
pub(crate) fn serve_with(answer: impl Fn(&str) -> Vec<u8> + Send + 'static) -> StandIn {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let seen = bodies.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            if let Some(body) = read_request(&stream) {
                let answer = answer(&body);
                seen.lock().unwrap().push(body);
                // The client may stop reading an answer it refuses: that is its right.
                let _ = (&stream).write_all(&answer);
            }
        }
    });
    StandIn { endpoint, bodies }
}

/// An HTTP answer's bytes.
pub(crate) fn http(status: u16, headers: &[(&str, &str)], body: impl Into<Vec<u8>>) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 {status} Stand-in\r\nconnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut answer = head.into_bytes();
    answer.extend(body.into());
    answer
}

/// A stand-in that accepts connections and never answers.
pub(crate) fn silent() -> StandIn {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let open: Vec<TcpStream> = listener.incoming().flatten().collect();
        drop(open);
    });
    StandIn { endpoint, bodies: Arc::default() }
}

/// Reads one request's head and returns its body; `None` when the client went away first.
fn read_request(stream: &TcpStream) -> Option<String> {
    let mut reader = BufReader::new(stream);
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok()?;
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(String::from_utf8_lossy(&body).into_owned())
}

/// An AssumeRole answer with keys of `assumed_role_arn` that expire at `expiration`.
pub(crate) fn assume_role_answer(expiration: SystemTime, assumed_role_arn: &str) -> String {
    let expiration = aws_sdk_sts::primitives::DateTime::from(expiration)
        .fmt(aws_sdk_sts::primitives::DateTimeFormat::DateTime)
        .unwrap();
    format!(
        r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<Credentials><AccessKeyId>ASIASTANDINKEY000001</AccessKeyId><SecretAccessKey>stand-in-secret</SecretAccessKey>
<SessionToken>stand-in-token</SessionToken><Expiration>{expiration}</Expiration></Credentials>
<AssumedRoleUser><AssumedRoleId>AROA:s</AssumedRoleId><Arn>{assumed_role_arn}</Arn></AssumedRoleUser>
</AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>"#
    )
}

/// An STS error answer, as AWS words them.
pub(crate) fn error_answer(code: &str, message: &str) -> String {
    format!(
        "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>r</RequestId></ErrorResponse>"
    )
}

/// An environment whose base identity is a pair of key variables, and whose STS is at
/// `endpoint`; no home directory, so no AWS files.
pub(crate) fn base_env(endpoint: &str) -> Env {
    Env::from_slice(&[
        ("AWS_ACCESS_KEY_ID", "AKIASTANDINBASEKEY01"),
        ("AWS_SECRET_ACCESS_KEY", "stand-in-base-secret"),
        ("AWS_ENDPOINT_URL_STS", endpoint),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ])
}

/// Assumes the role of `request` at `endpoint`, with base keys from key variables, within
/// `timeout`.
pub(crate) async fn assume_at(
    endpoint: &str,
    request: &AssumeRoleRequest,
    timeout: Duration,
) -> Result<Credentials, Error> {
    let call = CallSettings { mfa_code: None, timeout, context: base_env(endpoint).into() };
    assume_role(request, &call).await
}
