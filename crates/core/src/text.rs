//! Quoting values in messages: control characters escaped, cut to a readable length.

/// `value` with its control characters escaped (`us-east-1\n` becomes `us-east-1\\n`), for echoing
/// input in a message, where a raw line break or escape sequence would garble the terminal.
pub fn escape_control(value: &str) -> String {
    value.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect()
}

/// Cuts a value quoted in an error to a readable length (80 characters), escaped.
pub(crate) fn shorten(value: &str) -> String {
    shorten_to(&escape_control(value), 80)
}

/// Cuts `value` to `max` characters, marking the cut with `…`.
pub fn shorten_to(value: &str, max: usize) -> String {
    if value.chars().count() <= max {
        value.to_owned()
    } else {
        let head: String = value.chars().take(max).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_values_stay_and_long_ones_are_cut_with_a_mark() {
        assert_eq!(shorten_to("abc", 3), "abc");
        assert_eq!(shorten_to("abcd", 3), "abc…");
        assert_eq!(shorten(&"é".repeat(100)).chars().count(), 81);
        assert_eq!(shorten("us-east-1\n"), "us-east-1\\n");
    }
}
