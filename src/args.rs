//! Arguments from JS, checked before they are converted: a wrong type or an unknown option is a
//! `TypeError` with code `E_INVALID_ARGUMENT` that names the argument, not napi's
//! `StringExpected`, and an option nobody reads is refused, with the closest known name.
//!
//! Each options object's table of fields comes from its `#[napi(object)]` struct
//! ([`option_fields!`]): the names are the struct's fields, the kinds their types, and a field
//! added to the struct and left out of the table does not compile.

use crate::aws_profiles::{AwsConfigSection, CredentialProcessCommand};
use crate::cache::CacheOptions;
use crate::error::invalid_argument;
use crate::resolve::{convert_options, ResolveOptions};
use crate::store::StoreText;
use access_roles_core as core;
use napi::bindgen_prelude::{Array, FromNapiValue, JsObjectValue, Object, Unknown};
use napi::{Env, JsValue, ValueType};
use std::collections::HashMap;

/// What an option holds.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    Text,
    Flag,
    /// A whole number of seconds, 0 or more.
    Seconds,
    /// Variable names to a string or `null`.
    Variables,
}

/// A field type's [`Kind`], and whether the field must be given.
pub(crate) trait FieldType {
    /// What the field holds.
    const KIND: Kind;
    /// Whether it must be set (a plain `String`, not an `Option`).
    const REQUIRED: bool = false;
}

impl FieldType for String {
    const KIND: Kind = Kind::Text;
    const REQUIRED: bool = true;
}
impl FieldType for Option<String> {
    const KIND: Kind = Kind::Text;
}
impl FieldType for Option<bool> {
    const KIND: Kind = Kind::Flag;
}
impl FieldType for Option<u32> {
    const KIND: Kind = Kind::Seconds;
}
impl FieldType for Option<HashMap<String, Option<String>>> {
    const KIND: Kind = Kind::Variables;
}

/// One field of an options object: its Rust name, kind, and whether it is required.
pub(crate) type Field = (&'static str, Kind, bool);

/// A `#[napi(object)]` struct whose fields [`checked`] knows.
pub(crate) trait OptionFields: FromNapiValue {
    /// The struct's fields.
    fn fields() -> Vec<Field>;
}

/// The kind of the field `_field` reads, from its type.
fn field<S, T: FieldType>(name: &'static str, _field: fn(&S) -> &T) -> Field {
    (name, T::KIND, T::REQUIRED)
}

/// Implements [`OptionFields`] for a struct from the list of its fields. The list is checked
/// against the struct both ways: a name it does not have, or a field of it left out, does not
/// compile.
macro_rules! option_fields {
    ($struct:ident { $($name:ident),* $(,)? }) => {
        impl OptionFields for $struct {
            fn fields() -> Vec<Field> {
                // Exhaustive: a field added to the struct and not to this list fails here.
                let _every_field = |options: &$struct| {
                    let $struct { $($name: _),* } = options;
                };
                vec![$(field(stringify!($name), |options: &$struct| &options.$name)),*]
            }
        }
    };
}

option_fields!(ResolveOptions {
    config_path,
    cwd,
    region,
    base_profile,
    service,
    cache,
    force_refresh,
    refresh_margin_seconds,
    cache_dir,
    mfa_code,
    timeout_seconds,
    base_environment,
});
option_fields!(CacheOptions { cache_dir, app, stage });
option_fields!(AwsConfigSection { name, credential_process, region });
option_fields!(CredentialProcessCommand { node, bin, app, stage, config_path });
option_fields!(StoreText { path, format, app, stage });

/// A field's name as JS spells it: `config_path` → `configPath`.
fn js_name(rust: &str) -> String {
    let mut name = String::with_capacity(rust.len());
    let mut upper = false;
    for c in rust.chars() {
        match c {
            '_' => upper = true,
            c if upper => {
                name.push(c.to_ascii_uppercase());
                upper = false;
            }
            c => name.push(c),
        }
    }
    name
}

/// A string argument (`app`, `stage`).
pub(crate) fn text(env: &Env, name: &'static str, value: Unknown<'_>) -> napi::Result<String> {
    match value.get_type()? {
        // SAFETY: the value is a string, checked just above.
        ValueType::String => unsafe { String::from_napi_value(env.raw(), value.raw()) },
        _ => Err(invalid(env, name, format!("expected a string, got {}", describe(&value)?))),
    }
}

/// An array of strings.
pub(crate) fn text_list(env: &Env, name: &'static str, value: Unknown<'_>) -> napi::Result<Vec<String>> {
    if !value.is_array()? {
        return Err(invalid(env, name, format!("expected an array of strings, got {}", describe(&value)?)));
    }
    // SAFETY: the value is an array, checked just above.
    let array = unsafe { Array::from_napi_value(env.raw(), value.raw()) }?;
    (0..array.len())
        .map(|index| match array.get::<Unknown>(index)? {
            Some(item) => text(env, name, item),
            None => Err(invalid(env, name, format!("item {index} is missing"))),
        })
        .collect()
}

/// An optional array of strings: absent, `undefined` and `null` are none (empty).
pub(crate) fn optional_text_list(
    env: &Env,
    name: &'static str,
    value: Option<Unknown<'_>>,
) -> napi::Result<Vec<String>> {
    match value.filter(|v| !matches!(v.get_type(), Ok(ValueType::Undefined | ValueType::Null))) {
        Some(value) => text_list(env, name, value),
        None => Ok(Vec::new()),
    }
}

/// An optional string argument: absent, `undefined` and `null` are none.
pub(crate) fn optional_text(env: &Env, name: &'static str, value: Option<Unknown<'_>>) -> napi::Result<Option<String>> {
    match value.filter(|v| !matches!(v.get_type(), Ok(ValueType::Undefined | ValueType::Null))) {
        Some(value) => text(env, name, value).map(Some),
        None => Ok(None),
    }
}

/// The resolve options (absent, `undefined` or `null`: none), checked key by key, as the core's.
pub(crate) fn options(env: &Env, value: Option<Unknown<'_>>) -> napi::Result<core::ResolveOptions> {
    Ok(convert_options(checked::<ResolveOptions>(env, "options", value)?.unwrap_or_default()))
}

/// An options object of type `T` (absent, `undefined` or `null`: `None`), checked key by key
/// against `T`'s fields before napi converts it.
pub(crate) fn checked<T: OptionFields>(
    env: &Env,
    name: &'static str,
    value: Option<Unknown<'_>>,
) -> napi::Result<Option<T>> {
    let Some(value) = value.filter(|v| !matches!(v.get_type(), Ok(ValueType::Undefined | ValueType::Null))) else {
        return Ok(None);
    };
    if value.get_type()? != ValueType::Object || value.is_array()? {
        return Err(invalid(env, name, format!("expected an object, got {}", describe(&value)?)));
    }
    // SAFETY: the value is an object, checked just above.
    let object = unsafe { Object::from_napi_value(env.raw(), value.raw()) }?;
    let fields: Vec<(String, Kind, bool)> =
        T::fields().into_iter().map(|(rust, kind, required)| (js_name(rust), kind, required)).collect();
    // The options that are set, copied: napi takes `null` for unset only in some field types.
    let mut set = Object::new(env)?;
    for key in Object::keys(&object)? {
        let Some((_, kind, _)) = fields.iter().find(|(js, _, _)| *js == key) else {
            let names: Vec<&str> = fields.iter().map(|(js, _, _)| js.as_str()).collect();
            return Err(unknown_option(env, &key, &names));
        };
        let Some(field) = object.get::<Unknown>(&key)? else { continue };
        if check(env, &key, *kind, &field)? {
            set.set(&key, field)?;
        }
    }
    if let Some((missing, _, _)) =
        fields.iter().find(|(js, _, required)| *required && !set.has_named_property(js).unwrap_or(false))
    {
        return Err(invalid_argument(env, missing, format!("invalid {name}: `{missing}` is required")));
    }
    // SAFETY: an object whose every key holds what its field takes.
    Ok(Some(unsafe { T::from_napi_value(env.raw(), set.raw()) }?))
}

/// An array of `T` options objects, each checked as [`checked`] checks one.
pub(crate) fn checked_list<T: OptionFields>(env: &Env, name: &'static str, value: Unknown<'_>) -> napi::Result<Vec<T>> {
    if !value.is_array()? {
        return Err(invalid(env, name, format!("expected an array, got {}", describe(&value)?)));
    }
    // SAFETY: the value is an array, checked just above.
    let array = unsafe { Array::from_napi_value(env.raw(), value.raw()) }?;
    let mut items = Vec::with_capacity(array.len() as usize);
    for index in 0..array.len() {
        let item = array.get::<Unknown>(index)?;
        match checked::<T>(env, name, item)? {
            Some(item) => items.push(item),
            None => return Err(invalid(env, name, format!("item {index} is empty"))),
        }
    }
    Ok(items)
}

/// Checks one option's value: `true` when it is set, `false` for `undefined` and `null`, which
/// leave it unset.
fn check(env: &Env, name: &str, kind: Kind, value: &Unknown<'_>) -> napi::Result<bool> {
    let found = value.get_type()?;
    let expected = match (kind, found) {
        (_, ValueType::Undefined | ValueType::Null) => return Ok(false),
        (Kind::Text, ValueType::String) | (Kind::Flag, ValueType::Boolean) => return Ok(true),
        (Kind::Variables, ValueType::Object) if !value.is_array()? => {
            variables(env, name, value)?;
            return Ok(true);
        }
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

/// Checks that every value of a variables object is a string, `null` or `undefined`.
fn variables(env: &Env, name: &str, value: &Unknown<'_>) -> napi::Result<()> {
    // SAFETY: the caller checked the value is an object.
    let object = unsafe { Object::from_napi_value(env.raw(), value.raw()) }?;
    for key in Object::keys(&object)? {
        let Some(item) = object.get::<Unknown>(&key)? else { continue };
        if !matches!(item.get_type()?, ValueType::String | ValueType::Null | ValueType::Undefined) {
            let key = core::text::shorten_to(&core::text::escape_control(&key), 40);
            let message = format!("`{key}` must be a string or null, got {}", describe(&item)?);
            return Err(invalid(env, name, message));
        }
    }
    Ok(())
}

/// An option no field has: the closest known name, or the list of them.
fn unknown_option(env: &Env, key: &str, names: &[&str]) -> napi::Error {
    let shown = core::text::shorten_to(&core::text::escape_control(key), 40);
    let message = match core::suggest(key, names) {
        Some(near) => format!("unknown option `{shown}` (did you mean `{near}`?)"),
        None => format!("unknown option `{shown}`; the options are {}", names.join(", ")),
    };
    invalid_argument(env, &shown, message)
}

/// `invalid NAME: MESSAGE`, as the core words its invalid arguments, as a `TypeError`.
fn invalid(env: &Env, name: &str, message: String) -> napi::Error {
    invalid_argument(env, name, format!("invalid {name}: {message}"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn js_names_are_the_fields_in_camel_case() {
        assert_eq!(js_name("config_path"), "configPath");
        assert_eq!(js_name("refresh_margin_seconds"), "refreshMarginSeconds");
        assert_eq!(js_name("cwd"), "cwd");
    }

    #[test]
    fn the_tables_are_the_structs_fields() {
        let names = |fields: Vec<Field>| fields.into_iter().map(|(n, _, _)| n).collect::<Vec<_>>();
        assert_eq!(names(CacheOptions::fields()), ["cache_dir", "app", "stage"]);
        assert_eq!(ResolveOptions::fields().len(), 12);
        let section = AwsConfigSection::fields();
        assert!(section.iter().any(|(n, _, required)| *n == "name" && *required));
        assert!(section.iter().any(|(n, _, required)| *n == "region" && !*required));
    }
}
