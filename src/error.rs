//! Core errors as JS errors: the stable code becomes `error.code`, the text `error.message`.

use access_roles_core::Error;
use napi::bindgen_prelude::{FromNapiValue, Unknown};
use napi::{Env, JsError, JsTypeError};

/// Builds a JS `Error` whose `code` is `code`, and hands it over as a rejection value.
///
/// N-API's async bridge only carries its own status codes, so the error object is made here on
/// the JS thread and passed through by reference.
pub(crate) fn reject(env: &Env, code: &'static str, message: String) -> napi::Error {
    let raw = unsafe { JsError::from(napi::Error::new(code, message)).into_value(env.raw()) };
    match unsafe { Unknown::from_napi_value(env.raw(), raw) } {
        Ok(value) => napi::Error::from(value),
        Err(err) => err,
    }
}

/// Builds a JS `TypeError` whose `code` is `code`, thrown or handed over as a rejection value.
pub(crate) fn type_error(env: &Env, code: &'static str, message: String) -> napi::Error {
    let raw = unsafe { JsTypeError::from(napi::Error::new(code, message)).into_value(env.raw()) };
    match unsafe { Unknown::from_napi_value(env.raw(), raw) } {
        Ok(value) => napi::Error::from(value),
        Err(err) => err,
    }
}

/// Converts a core error; its text never holds a secret.
pub(crate) fn to_js(env: &Env, err: &Error) -> napi::Error {
    reject(env, err.code(), err.to_string())
}
