//! A point in time as a JS `Date`, without a calendar library: a `Date` is milliseconds since
//! the epoch, which is all the addon hands out (BENCHMARKS.md, "Issue 22's cuts": chrono's code
//! for it was about 19 KB of the binary).

use napi::bindgen_prelude::{FromNapiValue, ToNapiValue, TypeName};
use napi::{sys, Env, JsDate, JsValue, Status, ValueType};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The largest distance from the epoch, in milliseconds, that a JS `Date` holds (ECMA-262,
/// "Time Values and Time Range").
const MAX_DATE_MILLIS: u128 = 8_640_000_000_000_000;

/// A time that goes to and comes from JS as a `Date` (fields of this type are typed `Date` with
/// `ts_type`): whole milliseconds since the epoch, at most [`MAX_DATE_MILLIS`] either way, that
/// this platform's clock holds too.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct JsTime {
    /// The `Date`'s value.
    millis: f64,
    /// The same time on this platform's clock.
    time: SystemTime,
}

impl JsTime {
    /// `time` as a `Date`, or `None` when it is before the epoch or past what a `Date` holds.
    pub(crate) fn of(time: SystemTime) -> Option<JsTime> {
        let millis = time.duration_since(UNIX_EPOCH).ok()?.as_millis();
        // Exact: whole milliseconds up to 8.64e15 are below 2^53.
        (millis <= MAX_DATE_MILLIS).then_some(JsTime { millis: millis as f64, time })
    }

    /// A `Date`'s value as a time, or `None` for an Invalid Date or one this platform's clock
    /// cannot hold (Windows' starts in 1601).
    fn from_millis(millis: f64) -> Option<JsTime> {
        if !millis.is_finite() || millis.abs() > MAX_DATE_MILLIS as f64 {
            return None;
        }
        let millis = millis.trunc();
        let distance = Duration::from_millis(millis.abs() as u64);
        let time = if millis < 0.0 { UNIX_EPOCH.checked_sub(distance) } else { UNIX_EPOCH.checked_add(distance) }?;
        Some(JsTime { millis, time })
    }
}

impl From<JsTime> for SystemTime {
    fn from(time: JsTime) -> SystemTime {
        time.time
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
        Ok(Env::from_raw(env).create_date(time.millis)?.raw())
    }
}

impl FromNapiValue for JsTime {
    /// A `Date` (anything else is a `DateExpected` error); an Invalid Date, or one this
    /// platform's clock cannot hold, is refused.
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<JsTime> {
        let refused = |what: &str| napi::Error::new(Status::DateExpected, what.to_owned());
        let date = unsafe { JsDate::from_napi_value(env, value) }?;
        let millis = date.value_of().map_err(|_| refused("Expected a Date"))?;
        // No keys expire at an Invalid Date.
        JsTime::from_millis(millis).ok_or_else(|| refused("Found an Invalid Date"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LATER: u64 = 1_764_000_000_123;

    #[test]
    fn times_from_the_epoch_to_the_end_of_the_date_range_become_dates() {
        assert_eq!(JsTime::of(UNIX_EPOCH).map(|t| t.millis), Some(0.0));
        assert_eq!(JsTime::of(UNIX_EPOCH + Duration::from_millis(LATER)).map(|t| t.millis), Some(LATER as f64));
        let last = UNIX_EPOCH + Duration::from_millis(8_640_000_000_000_000);
        assert_eq!(JsTime::of(last).map(|t| t.millis), Some(8.64e15));
        assert_eq!(JsTime::of(last + Duration::from_millis(1)), None);
        assert_eq!(JsTime::of(UNIX_EPOCH - Duration::from_millis(1)), None);
    }

    #[test]
    fn dates_from_js_become_the_same_times_either_side_of_the_epoch() {
        let later = UNIX_EPOCH + Duration::from_millis(LATER);
        assert_eq!(JsTime::from_millis(LATER as f64 + 0.7).map(SystemTime::from), Some(later));
        let before = UNIX_EPOCH.checked_sub(Duration::from_millis(1_500));
        assert_eq!(JsTime::from_millis(-1_500.0).map(SystemTime::from), before);
        for invalid in [f64::NAN, f64::INFINITY, 8.64e15 + 1.0, -8.64e15 - 1.0] {
            assert_eq!(JsTime::from_millis(invalid), None, "{invalid}");
        }
    }
}
