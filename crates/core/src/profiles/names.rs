//! The one rule for names: profile, app and stage names, as arguments and as keys of a store.
//!
//! Names are data. JavaScript callers put them in objects (a JSON store edited by `link`, a
//! lookup table), where `__proto__`, `constructor` and `prototype` are not plain keys: a profile
//! named `__proto__` would set a field of every object in the process. They are refused, with
//! the empty, the over-long and those with control characters.

/// Names that are special keys of JavaScript objects.
const RESERVED: [&str; 3] = ["__proto__", "constructor", "prototype"];

/// The longest name, in characters.
const MAX_CHARS: usize = 128;

/// What is wrong with `value` as a profile, app or stage name; `None` when it is a good one.
pub(crate) fn problem(value: &str) -> Option<String> {
    let chars = value.chars().count();
    if value.trim().is_empty() {
        Some("must not be empty".to_owned())
    } else if chars > MAX_CHARS {
        Some(format!("is {chars} characters long; at most {MAX_CHARS} are allowed"))
    } else if value.chars().any(char::is_control) {
        Some("contains a control character".to_owned())
    } else if RESERVED.contains(&value) {
        Some("is reserved (a special key of JavaScript objects); choose another name".to_owned())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_empty_long_and_control_names_are_refused() {
        for good in ["payments", "prod", "Sandbox-1", "proto", "__proto", "Constructor"] {
            assert_eq!(problem(good), None, "{good}");
        }
        // The limit counts characters, not bytes.
        assert_eq!(problem(&"é".repeat(128)), None);
        for (bad, expected) in [
            ("__proto__", "is reserved"),
            ("constructor", "is reserved"),
            ("prototype", "is reserved"),
            ("", "must not be empty"),
            ("  ", "must not be empty"),
            ("a\nb", "control character"),
            (&"é".repeat(129), "is 129 characters long; at most 128"),
        ] {
            assert!(problem(bad).is_some_and(|p| p.contains(expected)), "{bad:?}");
        }
    }
}
