//! Core errors as JS errors: the stable code becomes `error.code`, the text `error.message`, and
//! the MFA device of `E_MFA_REQUIRED` `error.mfaSerial`.

use access_roles_core::Error;
use napi::bindgen_prelude::{FromNapiValue, JsObjectValue, Object, Unknown};
use napi::{Env, JsError, JsTypeError};

/// A JS `Error` whose `code` is `code`, with `mfa_serial` as `mfaSerial` when given.
pub(crate) fn js_error<'env>(
    env: &'env Env,
    code: &'static str,
    message: String,
    mfa_serial: Option<&str>,
) -> napi::Result<Unknown<'env>> {
    // SAFETY: `env` is the live environment of the JS call (or of the callback) running on this
    // thread, which is what `into_value` and `from_napi_value` need; the value they make is a
    // fresh Error object owned by that environment's current scope.
    let raw = unsafe { JsError::from(napi::Error::new(code, message)).into_value(env.raw()) };
    if let Some(serial) = mfa_serial {
        // SAFETY: as above; `raw` is the Error object just made, so it is an object.
        let mut object = unsafe { Object::from_napi_value(env.raw(), raw) }?;
        object.set_named_property("mfaSerial", serial)?;
    }
    // SAFETY: as above.
    unsafe { Unknown::from_napi_value(env.raw(), raw) }
}

/// Builds a JS `Error` whose `code` is `code`, and hands it over as a rejection value.
///
/// N-API's async bridge only carries its own status codes, so the error object is made here on
/// the JS thread and passed through by reference.
pub(crate) fn reject(env: &Env, code: &'static str, message: String) -> napi::Error {
    match js_error(env, code, message, None) {
        Ok(value) => napi::Error::from(value),
        Err(err) => err,
    }
}

/// Builds a JS `TypeError` whose `code` is `code`, thrown or handed over as a rejection value.
pub(crate) fn type_error(env: &Env, code: &'static str, message: String) -> napi::Error {
    // SAFETY: as in `js_error`: `env` is the live environment of this thread's JS call.
    let raw = unsafe { JsTypeError::from(napi::Error::new(code, message)).into_value(env.raw()) };
    // SAFETY: as above; `raw` is the TypeError just made.
    match unsafe { Unknown::from_napi_value(env.raw(), raw) } {
        Ok(value) => napi::Error::from(value),
        Err(err) => err,
    }
}

/// Converts a core error; its text never holds a secret.
pub(crate) fn to_js(env: &Env, err: &Error) -> napi::Error {
    match js_error(env, err.code(), err.to_string(), mfa_serial(err)) {
        Ok(value) => napi::Error::from(value),
        Err(err) => err,
    }
}

/// The device of an `E_MFA_REQUIRED`, so a caller can ask for its code without another lookup.
pub(crate) fn mfa_serial(err: &Error) -> Option<&str> {
    match err {
        Error::MfaRequired { mfa_serial } => Some(mfa_serial),
        _ => None,
    }
}
