//! Arguments from JS, checked before they are converted: a wrong type or an unknown option is a
//! `TypeError` with code `E_INVALID_ARGUMENT` that names the argument, not napi's
//! `StringExpected`, and an option nobody reads is refused, with the closest known name.

use crate::error::invalid_argument;
use crate::resolve::{convert_options, ResolveOptions};
use access_roles_core as core;
use napi::bindgen_prelude::{FromNapiValue, Object, Unknown};
use napi::{Env, JsValue, ValueType};

/// What an option holds.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    Flag,
    /// A whole number of seconds, 0 or more.
    Seconds,
    /// Variable names to a string or `null`.
    Variables,
}

/// The fields of [`ResolveOptions`] as JS names them, and what each holds.
const OPTIONS: &[(&str, Kind)] = &[
    ("configPath", Kind::Text),
    ("cwd", Kind::Text),
    ("region", Kind::Text),
    ("baseProfile", Kind::Text),
    ("service", Kind::Text),
    ("cache", Kind::Flag),
    ("forceRefresh", Kind::Flag),
    ("refreshMarginSeconds", Kind::Seconds),
    ("cacheDir", Kind::Text),
    ("mfaCode", Kind::Text),
    ("timeoutSeconds", Kind::Seconds),
    ("baseEnvironment", Kind::Variables),
];

/// A string argument (`app`, `stage`).
pub(crate) fn text(env: &Env, name: &'static str, value: Unknown<'_>) -> napi::Result<String> {
    match value.get_type()? {
        // SAFETY: the value is a string, checked just above.
        ValueType::String => unsafe { String::from_napi_value(env.raw(), value.raw()) },
        _ => Err(invalid(env, name, format!("expected a string, got {}", describe(&value)?))),
    }
}

/// The options object (absent, `undefined` or `null`: none), checked key by key, as the core's.
pub(crate) fn options(env: &Env, value: Option<Unknown<'_>>) -> napi::Result<core::ResolveOptions> {
    let Some(value) = value.filter(|v| !matches!(v.get_type(), Ok(ValueType::Undefined | ValueType::Null))) else {
        return Ok(convert_options(ResolveOptions::default()));
    };
    if value.get_type()? != ValueType::Object || value.is_array()? {
        return Err(invalid(env, "options", format!("expected an object, got {}", describe(&value)?)));
    }
    // SAFETY: the value is an object, checked just above.
    let object = unsafe { Object::from_napi_value(env.raw(), value.raw()) }?;
    // The options that are set, copied: napi takes `null` for unset only in some field types.
    let mut set = Object::new(env)?;
    for key in Object::keys(&object)? {
        let Some(&(name, kind)) = OPTIONS.iter().find(|(name, _)| *name == key) else {
            return Err(unknown_option(env, &key));
        };
        let Some(field) = object.get::<Unknown>(&key)? else { continue };
        if check(env, name, kind, &field)? {
            set.set(&key, field)?;
        }
    }
    // SAFETY: an object whose every key holds what its field takes.
    let options = unsafe { ResolveOptions::from_napi_value(env.raw(), set.raw()) }?;
    Ok(convert_options(options))
}

/// Checks one option's value: `true` when it is set, `false` for `undefined` and `null`, which
/// leave it unset.
fn check(env: &Env, name: &'static str, kind: Kind, value: &Unknown<'_>) -> napi::Result<bool> {
    let found = value.get_type()?;
    let expected = match (kind, found) {
        (_, ValueType::Undefined | ValueType::Null) => return Ok(false),
        (Kind::Text, ValueType::String) | (Kind::Flag, ValueType::Boolean) => return Ok(true),
        (Kind::Variables, ValueType::Object) if !value.is_array()? => return Ok(true),
        (Kind::Seconds, ValueType::Number) => {
            // SAFETY: the value is a number, checked by the match.
            let seconds = unsafe { f64::from_napi_value(env.raw(), value.raw()) }?;
            if seconds.is_finite() && seconds >= 0.0 && seconds.fract() == 0.0 && seconds <= f64::from(u32::MAX) {
                return Ok(true);
            }
            let seconds = js_number(seconds);
            return Err(invalid(env, name, format!("expected a whole number of seconds, 0 or more, got {seconds}")));
        }
        (Kind::Text, _) => "a string",
        (Kind::Flag, _) => "true or false",
        (Kind::Seconds, _) => "a whole number of seconds",
        (Kind::Variables, _) => "an object of variable names to strings or null",
    };
    Err(invalid(env, name, format!("expected {expected}, got {}", describe(value)?)))
}

/// An option no field has: the closest known name, or the list of them.
fn unknown_option(env: &Env, key: &str) -> napi::Error {
    let names: Vec<&str> = OPTIONS.iter().map(|(name, _)| *name).collect();
    let key = core::text::shorten_to(&core::text::escape_control(key), 40);
    let message = match core::profiles::closest(&key, &names) {
        Some(near) => format!("unknown option `{key}` (did you mean `{near}`?)"),
        None => format!("unknown option `{key}`; the options are {}", names.join(", ")),
    };
    invalid_argument(env, "options", message)
}

/// `invalid NAME: MESSAGE`, as the core words its invalid arguments, as a `TypeError`.
fn invalid(env: &Env, name: &'static str, message: String) -> napi::Error {
    invalid_argument(env, name, core::Error::InvalidArgument { name, message }.to_string())
}

/// A value's type as JS users name it, with the value when it is short and plain.
fn describe(value: &Unknown<'_>) -> napi::Result<String> {
    Ok(match value.get_type()? {
        ValueType::Undefined => "undefined".to_owned(),
        ValueType::Null => "null".to_owned(),
        ValueType::Boolean => format!("{}", value.coerce_to_bool()?),
        ValueType::Number => format!("the number {}", js_number(value.coerce_to_number()?.get_double()?)),
        ValueType::String => "a string".to_owned(),
        ValueType::Object if value.is_array()? => "an array".to_owned(),
        ValueType::Object => "an object".to_owned(),
        ValueType::Function => "a function".to_owned(),
        ValueType::Symbol => "a symbol".to_owned(),
        _ => "a value of another type".to_owned(),
    })
}

/// A number as JS prints it (`Infinity`, `NaN`, `1.5`, `42`).
fn js_number(n: f64) -> String {
    match n {
        n if n.is_nan() => "NaN".to_owned(),
        n if n.is_infinite() => if n > 0.0 { "Infinity" } else { "-Infinity" }.to_owned(),
        n => n.to_string(),
    }
}
