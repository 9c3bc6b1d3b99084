//! Quoting values in messages: control characters escaped, cut to a readable length. And the
//! byte-order mark a text file may start with.

/// `value` with its control characters escaped (`us-east-1\n` becomes `us-east-1\\n`), for echoing
/// input in a message, where a raw line break or escape sequence would garble the terminal.
pub fn escape_control(value: &str) -> String {
    value.chars().map(|c| if needs_escape(c) { c.escape_default().to_string() } else { c.to_string() }).collect()
}

/// Control characters, and the marks that reorder or hide text on a terminal (bidirectional
/// overrides, embeddings, isolates and marks): a name could otherwise show as another.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The byte-order mark `text` starts with (what some Windows editors save UTF-8 with), or `""`,
/// and the text after it: the mark is no part of the text.
pub(crate) fn split_bom(text: &str) -> (&str, &str) {
    text.split_at(if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 })
}

/// Cuts a value quoted in an error to a readable length (80 characters), escaped.
pub(crate) fn shorten(value: &str) -> String {
    shorten_to(&escape_control(value), 80)
}

/// The longest piece of foreign text (an STS error's code or message, a marker's field, a
/// parser's message quoting the file) that a message quotes, in characters.
const MAX_FOREIGN_CHARS: usize = 1024;

/// Foreign text as a message quotes it: control characters escaped, so it stays one line and
/// cannot drive the terminal (no escape sequences, no line breaks), cut to about 1 KB.
pub fn foreign(value: &str) -> String {
    shorten_to(&escape_control(value), MAX_FOREIGN_CHARS)
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

    #[test]
    fn marks_that_reorder_text_are_escaped_and_other_letters_kept() {
        assert_eq!(escape_control("admin\u{202E}nimda"), "admin\\u{202e}nimda");
        assert_eq!(escape_control("\u{2066}x\u{2069}\u{200F}\u{061C}"), "\\u{2066}x\\u{2069}\\u{200f}\\u{61c}");
        assert_eq!(escape_control("déploiement-東京"), "déploiement-東京");
    }

    #[test]
    fn foreign_text_is_one_escaped_line_of_at_most_a_kilobyte() {
        assert_eq!(foreign("Access\u{1b}]0;pwned\u{7}\r\ndenied"), "Access\\u{1b}]0;pwned\\u{7}\\r\\ndenied");
        let huge = foreign(&"x\n".repeat(100_000));
        assert_eq!(huge.chars().count(), MAX_FOREIGN_CHARS + 1);
        assert!(!huge.contains('\n') && huge.ends_with('…'));
    }
}
