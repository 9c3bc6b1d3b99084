//! The key variables of the environment, checked before the SDK reads them.
//!
//! The SDK signs requests with `AWS_ACCESS_KEY_ID` and `AWS_SESSION_TOKEN` as HTTP headers; a
//! line break in one (a CRLF paste) makes its signer panic. A value with a control character or
//! surrounding whitespace is never a working key, so it is refused here, naming the variable and
//! never showing its value.

use crate::env::Env;
use crate::error::Error;

/// The variables that hold keys of the base identity.
const KEY_VARIABLES: [&str; 3] = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"];

/// `E_INVALID_ARGUMENT` for the first key variable of `env` that is set and holds a control
/// character, whitespace at either end or bytes that are not UTF-8.
pub(crate) fn check(env: &Env) -> Result<(), Error> {
    for name in KEY_VARIABLES {
        let Some(value) = env.var_os(name) else { continue };
        let problem = match value.to_str() {
            None => Some("is not UTF-8"),
            Some(v) if v.chars().any(char::is_control) => {
                Some("holds a control character (a line break from a paste?)")
            }
            Some(v) if v.trim() != v => Some("has whitespace at its start or end"),
            Some(_) => None,
        };
        if let Some(problem) = problem {
            return Err(Error::InvalidArgument {
                name,
                message: format!("the variable {problem}; set it to the key alone (its value is not shown)"),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_with_control_characters_or_surrounding_whitespace_are_refused_by_name_only() {
        assert!(check(&Env::from_slice(&[("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE"), ("AWS_SECRET_ACCESS_KEY", "a/b+c")]))
            .is_ok());
        assert!(check(&Env::from_slice(&[])).is_ok());
        for (name, value) in [
            ("AWS_ACCESS_KEY_ID", "AKIASECRETISH\r"),
            ("AWS_ACCESS_KEY_ID", "AKIASECRETISH\n"),
            ("AWS_SECRET_ACCESS_KEY", " wJalrSECRETISH"),
            ("AWS_SESSION_TOKEN", "FwoSECRETISH\u{1b}[2J"),
            ("AWS_SESSION_TOKEN", "FwoSECRETISH\t"),
        ] {
            let err = check(&Env::from_slice(&[(name, value)])).unwrap_err();
            assert_eq!(err.code(), "E_INVALID_ARGUMENT");
            let text = err.to_string();
            assert!(text.starts_with(&format!("invalid {name}: the variable ")), "{text}");
            assert!(!text.contains("SECRETISH"), "{text}");
        }
    }
}
