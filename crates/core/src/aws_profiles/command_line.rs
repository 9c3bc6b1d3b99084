//! The `credential_process` command line that runs this package's bin: written here
//! ([`credential_process_line`]) and recognised here ([`runs_credential_process`]), so the writer
//! and the recogniser read one grammar and cannot drift.
//!
//! A line is read twice before it runs: by the AWS config parser, then by a shell.
//! - The parsers of the JS SDK v3, the Rust and Go SDKs cut a value at `#` or `;` after
//!   whitespace (an inline comment), quoted or not; botocore keeps it. No written line holds one.
//! - The shells: `sh -c` (JS, Rust and Go SDKs) and `shlex.split` (botocore) on POSIX; `cmd.exe /C`
//!   (JS, Rust and Go SDKs) and the C runtime's argument rules (botocore) on Windows.

use crate::error::Error;

/// The command-line grammar of a `credential_process` line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shell {
    /// Linux and macOS: `sh -c` and botocore's `shlex.split`.
    Posix,
    /// Windows: `cmd.exe /C` and botocore's C runtime rules.
    Windows,
}

impl Shell {
    /// The grammar of the platform this was built for.
    pub fn native() -> Shell {
        if cfg!(windows) {
            Shell::Windows
        } else {
            Shell::Posix
        }
    }
}

/// What a written `credential_process` line runs:
/// `NODE BIN credential-process --app APP --stage STAGE --config STORE`.
#[derive(Clone, Debug)]
pub struct CredentialProcess<'a> {
    /// The absolute path of node: GUI apps start tools with a `PATH` that may hold no node.
    pub node: &'a str,
    /// The absolute path of the bin's script.
    pub bin: &'a str,
    /// The app to resolve.
    pub app: &'a str,
    /// The stage to resolve.
    pub stage: &'a str,
    /// The profile store, by absolute path.
    pub config: &'a str,
}

impl CredentialProcess<'_> {
    fn words(&self) -> [(&'static str, &str); 9] {
        [
            ("node", self.node),
            ("bin", self.bin),
            ("", "credential-process"),
            ("", "--app"),
            ("app", self.app),
            ("", "--stage"),
            ("stage", self.stage),
            ("", "--config"),
            ("configPath", self.config),
        ]
    }
}

/// The `credential_process` line that runs `command`, quoted for `shell`: only the words that need
/// it are quoted, and no `#` or `;` follows whitespace. `E_INVALID_ARGUMENT` naming the word for a
/// control character (an AWS config value is one line), and on Windows for `"` and `%` (which
/// `cmd.exe` cannot take literally) or a `#` or `;` after whitespace (which no quoting there keeps
/// from the config parsers).
pub fn credential_process_line(command: &CredentialProcess<'_>, shell: Shell) -> Result<String, Error> {
    let mut line = Vec::new();
    for (name, word) in command.words() {
        line.push(quote(word, shell).map_err(|why| Error::InvalidArgument {
            name: if name.is_empty() { "word" } else { name },
            message: format!("{word:?} cannot be written into a credential_process line: {why}"),
        })?);
    }
    Ok(line.join(" "))
}

/// Whitespace as the config parsers see it: Rust's and JS's `\s`, which adds the BOM.
fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// Whether `#` or `;` follows whitespace in `text`: where the config parsers cut a comment.
fn has_comment_start(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(2).any(|pair| is_space(pair[0]) && matches!(pair[1], '#' | ';'))
}

/// `word` as one word of `shell`'s grammar, or why it cannot be one.
fn quote(word: &str, shell: Shell) -> Result<String, &'static str> {
    if word.is_empty() {
        return Err("it is empty");
    }
    if word.chars().any(char::is_control) {
        return Err("it holds a control character, and an AWS config value is one line; use a path without one");
    }
    match shell {
        Shell::Posix => Ok(quote_posix(word)),
        Shell::Windows => quote_windows(word),
    }
}

fn quote_posix(word: &str) -> String {
    if word.chars().all(|c| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c)) {
        return word.to_owned();
    }
    let mut quoted = String::from("'");
    let mut previous = None;
    for c in word.chars() {
        if matches!(c, '#' | ';') && previous.is_some_and(is_space) {
            // `' #'` is a comment to the config parsers; `' ''#'` is the same word to sh and shlex.
            quoted.push_str("''");
        }
        if c == '\'' {
            quoted.push_str("'\\''");
        } else {
            quoted.push(c);
        }
        previous = Some(c);
    }
    quoted.push('\'');
    quoted
}

fn quote_windows(word: &str) -> Result<String, &'static str> {
    if word.contains(['"', '%']) {
        return Err("cmd.exe cannot take `\"` or `%` literally; use a path without them");
    }
    if has_comment_start(word) {
        return Err("`#` or `;` after a space starts a comment for the AWS SDKs' config parsers, and cmd.exe cannot take it apart; use a path without it");
    }
    if word.chars().all(|c| c.is_ascii_alphanumeric() || "_@+:./\\-".contains(c)) {
        return Ok(word.to_owned());
    }
    // The C runtime reads backslashes before a quote as escapes: double those before the last one.
    let trailing = word.len() - word.trim_end_matches('\\').len();
    Ok(format!("\"{word}{}\"", "\\".repeat(trailing)))
}

/// The words of `line` as `shell` splits them; `None` when it cannot (an open quote).
pub(super) fn split(line: &str, shell: Shell) -> Option<Vec<String>> {
    match shell {
        Shell::Posix => shlex::split(line),
        Shell::Windows => Some(split_windows(line)),
    }
}

/// `line` split as the Microsoft C runtime (and `CommandLineToArgvW`) splits a command line after
/// `cmd.exe /C` has handed it over: whitespace separates words outside quotes, `"` toggles quoting,
/// `2n` backslashes before a `"` are `n` backslashes and `2n+1` are `n` and a literal `"`.
fn split_windows(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let mut count = 1;
                while chars.peek() == Some(&'\\') {
                    chars.next();
                    count += 1;
                }
                if chars.peek() == Some(&'"') {
                    word.push_str(&"\\".repeat(count / 2));
                    if count % 2 == 1 {
                        chars.next();
                        word.push('"');
                    }
                } else {
                    word.push_str(&"\\".repeat(count));
                }
                in_word = true;
            }
            '"' => {
                if quoted && chars.peek() == Some(&'"') {
                    chars.next();
                    word.push('"');
                } else {
                    quoted = !quoted;
                }
                in_word = true;
            }
            ' ' | '\t' if !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            _ => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// Names under which the bin runs: the npm bin link, the script itself, npm's Windows shim.
const BIN_NAMES: [&str; 3] = ["serverless-access-roles", "serverless-access-roles.js", "serverless-access-roles.cmd"];

/// Whether a `credential_process` command line runs this package's `credential-process`: split as
/// `shell` splits it, a word whose file name is the bin followed by `credential-process`
/// (`npx serverless-access-roles credential-process …`, `/usr/bin/node
/// '/home/a b/node_modules/serverless-access-roles/bin/serverless-access-roles.js' credential-process …`).
pub(super) fn runs_credential_process(line: &str, shell: Shell) -> bool {
    let Some(words) = split(line, shell) else { return false };
    words.windows(2).any(|pair| {
        let name = pair[0].rsplit(['/', '\\']).next().unwrap_or(&pair[0]);
        BIN_NAMES.contains(&name) && pair[1] == "credential-process"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHELLS: [Shell; 2] = [Shell::Posix, Shell::Windows];

    fn command<'a>(node: &'a str, bin: &'a str, config: &'a str) -> CredentialProcess<'a> {
        CredentialProcess { node, bin, app: "payments", stage: "dev", config }
    }

    fn words(command: &CredentialProcess<'_>) -> Vec<String> {
        command.words().iter().map(|(_, w)| (*w).to_owned()).collect()
    }

    /// What the JS SDK v3's ini parser keeps of a line: up to the first `#` or `;` after whitespace.
    fn sdk_v3_value(line: &str) -> &str {
        let cut =
            line.char_indices().zip(line.chars().skip(1)).find(|((_, a), b)| is_space(*a) && matches!(b, '#' | ';'));
        cut.map_or(line, |((i, _), _)| &line[..i]).trim()
    }

    #[test]
    fn plain_paths_are_written_bare_and_split_back_into_the_same_words() {
        let posix = command(
            "/usr/local/bin/node",
            "/srv/app/node_modules/serverless-access-roles/bin/serverless-access-roles.js",
            "/srv/app/access-roles.yml",
        );
        let line = credential_process_line(&posix, Shell::Posix).unwrap();
        assert_eq!(line, "/usr/local/bin/node /srv/app/node_modules/serverless-access-roles/bin/serverless-access-roles.js credential-process --app payments --stage dev --config /srv/app/access-roles.yml");
        let windows = command(
            r"C:\nvm4w\nodejs\node.exe",
            r"C:\app\node_modules\serverless-access-roles\bin\serverless-access-roles.js",
            r"C:\app\access-roles.yml",
        );
        let line = credential_process_line(&windows, Shell::Windows).unwrap();
        assert!(!line.contains('"'), "no quotes for Go SDK v2's cmd.exe /C to mangle: {line}");
        assert_eq!(split(&line, Shell::Windows).unwrap(), words(&windows));
    }

    #[test]
    fn hostile_posix_paths_split_back_into_the_same_words_and_keep_clear_of_comments() {
        for config in [
            "/home/a b/access-roles.yml",
            "/home/a b #c/access-roles.yml",
            "/home/a ;b/x #;#/y ;/access-roles.yml",
            "/home/it's/\"q\" $HOME `id` \\n/access-roles.yml",
            "/home/a\u{a0}#b/\u{3000};c/\u{feff}#d/access-roles.yml",
            "/home/#a/;b/access-roles.yml",
            "/home/a '#b/access-roles.yml",
        ] {
            let cp = command("/opt/node dir/bin/node", "/home/a b/bin/serverless-access-roles.js", config);
            let line = credential_process_line(&cp, Shell::Posix).unwrap();
            assert_eq!(shlex::split(&line).unwrap(), words(&cp), "{line}");
            assert!(!has_comment_start(&line), "{line}");
            assert_eq!(sdk_v3_value(&line), line, "the JS SDK v3 parser keeps the whole line");
            assert!(runs_credential_process(&line, Shell::Posix), "{line}");
        }
    }

    #[test]
    fn a_posix_word_gets_an_empty_quote_only_where_whitespace_precedes_a_hash_or_semicolon() {
        for (word, written) in [
            ("/home/a b #c;d/x.yml", "'/home/a b ''#c;d/x.yml'"),
            ("/home/a\u{a0};b/x", "'/home/a\u{a0}'';b/x'"),
            ("/home/a\u{feff}#b/x", "'/home/a\u{feff}''#b/x'"),
            ("/home/a#b;c d/x", "'/home/a#b;c d/x'"),
            ("/home/it's", "'/home/it'\\''s'"),
        ] {
            assert_eq!(quote(word, Shell::Posix).unwrap(), written, "{word:?}");
            assert_eq!(shlex::split(written).unwrap(), [word]);
        }
    }

    #[test]
    fn windows_paths_with_spaces_are_quoted_only_where_needed() {
        let cp = command(
            r"C:\Program Files\nodejs\node.exe",
            r"C:\Users\Ana Lee\proj (1)\node_modules\serverless-access-roles\bin\serverless-access-roles.js",
            r"C:\Users\Ana Lee\R&D\access-roles.yml",
        );
        let line = credential_process_line(&cp, Shell::Windows).unwrap();
        assert!(line.starts_with(r#""C:\Program Files\nodejs\node.exe" "C:\Users\Ana Lee\proj (1)\"#), "{line}");
        assert!(line.contains(" credential-process --app payments --stage dev --config "), "{line}");
        assert_eq!(split(&line, Shell::Windows).unwrap(), words(&cp));
        assert!(runs_credential_process(&line, Shell::Windows));
        // cmd.exe sees `&`, `(` and `)` only inside quotes, where they are plain characters.
        let mut quoted = false;
        for c in line.chars() {
            if c == '"' {
                quoted = !quoted;
            } else {
                assert!(quoted || !"&|<>^()".contains(c), "{c} outside quotes in {line}");
            }
        }
        for config in [r"C:\odd dir\", r"C:\odd dir\\", r"C:\odd dir\\\"] {
            let line = credential_process_line(&CredentialProcess { config, ..cp.clone() }, Shell::Windows).unwrap();
            assert_eq!(split(&line, Shell::Windows).unwrap().last().unwrap(), config);
        }
    }

    #[test]
    fn what_no_quoting_can_carry_is_refused_with_the_word_named() {
        let bad = |config: &str, shell| credential_process_line(&command("/n", "/b", config), shell).unwrap_err();
        for shell in SHELLS {
            let err = bad("/a\nb/access-roles.yml", shell);
            assert_eq!(err.code(), "E_INVALID_ARGUMENT");
            assert!(err.to_string().contains("configPath") && err.to_string().contains("control character"), "{err}");
            bad("/a\rb", shell);
        }
        for windows_only in [r"C:\100%\x.yml", r#"C:\a"b"#, r"C:\a #b\x.yml", r"C:\a ;b\x.yml"] {
            let err = bad(windows_only, Shell::Windows);
            assert_eq!(err.code(), "E_INVALID_ARGUMENT", "{windows_only}");
            assert!(credential_process_line(&command("/n", "/b", windows_only), Shell::Posix).is_ok());
        }
        assert!(bad(r"C:\a #b\x.yml", Shell::Windows).to_string().contains("starts a comment"));
    }

    #[test]
    fn the_windows_split_follows_the_c_runtime() {
        assert_eq!(split_windows(r#"a "b c" d"#), ["a", "b c", "d"]);
        assert_eq!(split_windows(r#""a\\" b"#), [r"a\", "b"]);
        assert_eq!(split_windows(r#"a\"b c\\d"#), [r#"a"b"#, r"c\\d"]);
        assert_eq!(split_windows(r#""a""b" """#), [r#"a"b"#, ""]);
        assert_eq!(split_windows("  a\t b  "), ["a", "b"]);
    }

    #[test]
    fn our_bin_is_recognised_however_it_is_installed_or_quoted() {
        for command in [
            "serverless-access-roles credential-process --app a --stage b",
            "npx serverless-access-roles credential-process --app a --stage b",
            "/srv/app/node_modules/.bin/serverless-access-roles credential-process --app a",
            "'/home/a b/node_modules/serverless-access-roles/bin/serverless-access-roles.js' credential-process",
            "/usr/bin/node '/home/a b ''#c/bin/serverless-access-roles.js' credential-process --app a",
        ] {
            assert!(runs_credential_process(command, Shell::Posix), "{command}");
        }
        let windows = r#""C:\nodejs\node.exe" "C:\app\node_modules\serverless-access-roles\bin\serverless-access-roles.js" credential-process"#;
        assert!(runs_credential_process(windows, Shell::Windows));
        assert!(runs_credential_process(
            r"C:\app\node_modules\.bin\serverless-access-roles.cmd credential-process",
            Shell::Windows
        ));
        for shell in SHELLS {
            for command in [
                "aws configure export-credentials --profile sso",
                "serverless-access-roles profiles --write",
                "/opt/other-serverless-access-roles credential-process",
                "credential-process serverless-access-roles",
            ] {
                assert!(!runs_credential_process(command, shell), "{command}");
            }
        }
        assert!(
            !runs_credential_process("'/x/serverless-access-roles credential-process", Shell::Posix),
            "an open quote"
        );
    }
}
