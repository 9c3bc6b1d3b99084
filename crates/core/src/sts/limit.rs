//! A cap on how much of an STS answer is read: an AssumeRole answer is a few kilobytes, so a
//! server that sends megabytes is refused with bounded memory instead of read to its end.

use aws_sdk_sts::config::interceptors::BeforeDeserializationInterceptorContextMut;
use aws_sdk_sts::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_sts::error::BoxError;
use aws_smithy_types::body::SdkBody;
use std::fmt;

/// The most of one answer that is read.
pub(super) const MAX_ANSWER_BYTES: usize = 1024 * 1024;

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

/// An answer past the cap.
#[derive(Debug)]
pub(super) struct TooLarge;

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the answer is larger than {} bytes", MAX_ANSWER_BYTES)
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
