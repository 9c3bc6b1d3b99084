//! A point in time as a JS `Date`, without a calendar library: a `Date` is milliseconds since
//! the epoch, which is all the addon hands out (BENCHMARKS.md, "Binary size": chrono's code for
//! it was about 19 KB of the binary).

use napi::bindgen_prelude::{FromNapiValue, ToNapiValue, TypeName};
use napi::{sys, Env, JsDate, JsValue, Status, ValueType};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The largest distance from the epoch, in milliseconds, that a JS `Date` holds (ECMA-262,
/// "Time Values and Time Range").
const MAX_DATE_MILLIS: u128 = 8_640_000_000_000_000;

/// A time that goes to and comes from JS as a `Date` (fields of this type are typed `Date` with
/// `ts_type`): whole milliseconds since the epoch, at most [`MAX_DATE_MILLIS`] either way.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct JsTime(f64);

impl JsTime {
    /// `time` as a `Date`, or `None` when it is before the epoch or past what a `Date` holds.
    pub(crate) fn of(time: SystemTime) -> Option<JsTime> {
        let millis = time.duration_since(UNIX_EPOCH).ok()?.as_millis();
        // Exact: whole milliseconds up to 8.64e15 are below 2^53.
        (millis <= MAX_DATE_MILLIS).then_some(JsTime(millis as f64))
    }
}

impl From<JsTime> for SystemTime {
    fn from(time: JsTime) -> SystemTime {
        // Within ±8.64e15 ms (checked where a JsTime is made), which any SystemTime holds.
        let distance = Duration::from_millis(time.0.abs() as u64);
        if time.0 < 0.0 {
            UNIX_EPOCH - distance
        } else {
            UNIX_EPOCH + distance
        }
    }
}

impl TypeName for JsTime {
    fn type_name() -> &'static str {
        "Date"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ToNapiValue for JsTime {
    unsafe fn to_napi_value(env: sys::napi_env, time: JsTime) -> napi::Result<sys::napi_value> {
        Ok(Env::from_raw(env).create_date(time.0)?.raw())
    }
}

impl FromNapiValue for JsTime {
    /// A `Date` (anything else is a `DateExpected` error); an Invalid Date is refused.
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<JsTime> {
        let refused = |what: &str| napi::Error::new(Status::DateExpected, what.to_owned());
        let millis =
            unsafe { JsDate::from_napi_value(env, value) }?.value_of().map_err(|_| refused("Expected a Date"))?;
        if millis.is_finite() && millis.abs() <= MAX_DATE_MILLIS as f64 {
            Ok(JsTime(millis.trunc()))
        } else {
            // An Invalid Date: no keys expire at one.
            Err(refused("Found an Invalid Date"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn times_from_the_epoch_to_the_end_of_the_date_range_become_dates() {
        assert_eq!(JsTime::of(UNIX_EPOCH), Some(JsTime(0.0)));
        assert_eq!(
            JsTime::of(UNIX_EPOCH + Duration::from_millis(1_764_000_000_123)),
            Some(JsTime(1_764_000_000_123.0))
        );
        let last = UNIX_EPOCH + Duration::from_millis(8_640_000_000_000_000);
        assert_eq!(JsTime::of(last), Some(JsTime(8.64e15)));
        assert_eq!(JsTime::of(last + Duration::from_millis(1)), None);
        assert_eq!(JsTime::of(UNIX_EPOCH - Duration::from_millis(1)), None);
    }

    #[test]
    fn dates_from_js_become_the_same_times_either_side_of_the_epoch() {
        let later = UNIX_EPOCH + Duration::from_millis(1_764_000_000_123);
        assert_eq!(SystemTime::from(JsTime::of(later).unwrap()), later);
        assert_eq!(SystemTime::from(JsTime(-1_500.0)), UNIX_EPOCH - Duration::from_millis(1_500));
        assert_eq!(SystemTime::from(JsTime(-8.64e15)), UNIX_EPOCH - Duration::from_millis(8_640_000_000_000_000));
    }
}
