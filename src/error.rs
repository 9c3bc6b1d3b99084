//! Core errors as JS errors, made once here: the stable code becomes `error.code`, the text
//! `error.message`, each of the error's fields a property (`path`, `line`, `column`, `field`,
//! `nearApp`, `mfaSerial`, …, see `access_roles_core::Error::details`), and the setting that fixes
//! it `error.hint` (`baseProfile`, `mfaCode`, `app`, `configPath`), which each front-end names by
//! its own flag. No caller reads the message to learn any of these.

use access_roles_core::{Detail, Error};
use napi::bindgen_prelude::{FromNapiValue, JsObjectValue, Object, Unknown};
use napi::{Env, JsError, JsTypeError};

/// A JS `Error` whose `code` is `code`, with `properties` set on it.
fn js_error<'env>(
    env: &'env Env,
    code: &'static str,
    message: String,
    properties: &[(&'static str, Detail)],
) -> napi::Result<Unknown<'env>> {
    // SAFETY: `env` is the live environment of the JS call (or of the callback) running on this
    // thread, which is what `into_value` and `from_napi_value` need; the value they make is a
    // fresh Error object owned by that environment's current scope.
    let raw = unsafe { JsError::from(napi::Error::new(code, message)).into_value(env.raw()) };
    set_properties(env, raw, properties)?;
    // SAFETY: as above.
    unsafe { Unknown::from_napi_value(env.raw(), raw) }
}

/// Sets `properties` on the error object `raw`, just made on this thread.
fn set_properties(env: &Env, raw: napi::sys::napi_value, properties: &[(&'static str, Detail)]) -> napi::Result<()> {
    if properties.is_empty() {
        return Ok(());
    }
    // SAFETY: `raw` is an Error object made on this thread's live environment, so an object.
    let mut object = unsafe { Object::from_napi_value(env.raw(), raw) }?;
    for (name, value) in properties {
        match value {
            Detail::Text(text) => object.set_named_property(name, text.as_str())?,
            // Lines and columns: far below 2^53, exact as JS numbers.
            Detail::Number(n) => object.set_named_property(name, *n as f64)?,
            Detail::List(items) => object.set_named_property(name, items.clone())?,
        }
    }
    Ok(())
}

/// The JS error for a core error, as a value (for a promise rejected at once).
pub(crate) fn error_value<'env>(env: &'env Env, err: &Error) -> napi::Result<Unknown<'env>> {
    let mut properties = err.details();
    if let Some(hint) = err.hint() {
        properties.push(("hint", Detail::Text(hint.as_str().to_owned())));
    }
    js_error(env, err.code(), err.to_string(), &properties)
}

/// Builds a JS `Error` whose `code` is `code`, and hands it over as a rejection value.
///
/// N-API's async bridge only carries its own status codes, so the error object is made here on
/// the JS thread and passed through by reference.
pub(crate) fn reject(env: &Env, code: &'static str, message: String) -> napi::Error {
    match js_error(env, code, message, &[]) {
        Ok(value) => napi::Error::from(value),
        Err(err) => err,
    }
}

/// Builds a JS `TypeError` coded `E_INVALID_ARGUMENT` whose `argument` names the argument or
/// option at fault, thrown or handed over as a rejection value.
pub(crate) fn invalid_argument(env: &Env, argument: &str, message: String) -> napi::Error {
    // SAFETY: as in `js_error`: `env` is the live environment of this thread's JS call.
    let raw = unsafe { JsTypeError::from(napi::Error::new("E_INVALID_ARGUMENT", message)).into_value(env.raw()) };
    let value = set_properties(env, raw, &[("argument", Detail::Text(argument.to_owned()))])
        // SAFETY: as above; `raw` is the TypeError just made.
        .and_then(|()| unsafe { Unknown::from_napi_value(env.raw(), raw) });
    match value {
        Ok(value) => napi::Error::from(value),
        Err(err) => err,
    }
}

/// Converts a core error; its text never holds a secret.
pub(crate) fn to_js(env: &Env, err: &Error) -> napi::Error {
    match error_value(env, err) {
        Ok(value) => napi::Error::from(value),
        Err(err) => err,
    }
}
