//! A cap on how much of an STS answer is read: an AssumeRole answer is a few kilobytes, so a
//! server that sends megabytes is refused with bounded memory instead of read to its end.

use aws_sdk_sts::config::interceptors::BeforeDeserializationInterceptorContextMut;
use aws_sdk_sts::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_sts::error::BoxError;
use aws_smithy_types::body::SdkBody;
use std::fmt;

/// The most of one answer that is read.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// Refuses answers that say they are larger than [`MAX_ANSWER_BYTES`], and stops reading the
/// others there.
#[derive(Debug)]
pub(super) struct AnswerSizeCap;

impl Intercept for AnswerSizeCap {
    fn name(&self) -> &'static str {
        "AnswerSizeCap"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response_mut();
        let declared = response.headers().get("content-length").and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|len| len > MAX_ANSWER_BYTES as u64) {
            return Err(Box::new(TooLarge));
        }
        let body = response.take_body();
        *response.body_mut() = SdkBody::from_body_1_x(http_body_util::Limited::new(body, MAX_ANSWER_BYTES));
        Ok(())
    }
}

/// An answer past the cap; it says so in the words a person reads (`sts::failure`).
#[derive(Debug)]
pub(super) struct TooLarge;

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an answer larger than {MAX_ANSWER_BYTES} bytes")
    }
}

impl std::error::Error for TooLarge {}

/// True when `err`, or one of its causes, is an answer past the cap.
pub(super) fn is_too_large(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(err);
    while let Some(error) = cause {
        if error.is::<TooLarge>() || error.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        cause = error.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use crate::plan::AssumeRoleRequest;
    use crate::sts::stand_in;
    use std::time::{Duration, SystemTime};

    const MEBIBYTE: usize = 1024 * 1024;

    /// A valid AssumeRole answer padded with white space to `len` bytes.
    fn padded_answer(len: usize) -> String {
        let answer = stand_in::assume_role_answer(
            SystemTime::now() + Duration::from_secs(3600),
            "arn:aws:sts::111111111111:assumed-role/r/s",
        );
        let at = answer.find("<AssumeRoleResult>").unwrap();
        format!("{}{}{}", &answer[..at], " ".repeat(len - answer.len()), &answer[at..])
    }

    async fn assume(sts: &stand_in::StandIn) -> Result<(), crate::error::Error> {
        let request = AssumeRoleRequest::plain("arn:aws:iam::111111111111:role/r");
        stand_in::assume_at(&sts.endpoint, &request, Duration::from_secs(20)).await.map(drop)
    }

    #[tokio::test]
    async fn an_answer_of_a_mebibyte_is_read_whole() {
        let body = padded_answer(MEBIBYTE);
        let sts = stand_in::serve(200, &[("content-length", &MEBIBYTE.to_string())], body.clone());
        assume(&sts).await.unwrap();
        assume(&stand_in::serve(200, &[], body)).await.unwrap();
    }

    #[tokio::test]
    async fn an_answer_past_a_mebibyte_is_refused_with_or_without_a_length() {
        let body = padded_answer(MEBIBYTE + 1);
        for headers in [vec![("content-length", (MEBIBYTE + 1).to_string())], vec![]] {
            let headers: Vec<_> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let err = assume(&stand_in::serve(200, &headers, body.clone())).await.unwrap_err();
            assert_eq!(err.code(), "E_STS_ERROR");
            let text = err.to_string();
            assert!(
                text.starts_with(
                    "STS AssumeRole failed (AnswerTooLarge): STS sent an answer larger than 1048576 bytes"
                ),
                "{headers:?}: {text}"
            );
        }
    }
}
