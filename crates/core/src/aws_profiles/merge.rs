//! One store's block merged into the AWS config file's text.
//!
//! Blocks are owned by the store whose path their markers name. A block whose store is gone (the
//! project was moved or deleted) and that holds profiles this store writes is this store's old
//! block: the first such is replaced where it stands, any other removed, and the caller says
//! which. A block of a store that still exists is left alone, as is every line outside blocks. A
//! byte-order mark is no part of the first line, and stays first.

use super::file::{marker_path, render, Section, BEGIN, END};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A block of a store that is gone, found holding profiles of the store being written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaleBlock {
    /// The store the block's markers name, which no longer exists.
    pub store: PathBuf,
    /// True when the new block took its place; false when it was removed.
    pub replaced: bool,
}

/// The merged text, the profiles kept as the user's own, and the stale blocks dealt with.
#[derive(Debug)]
pub(super) struct Merged {
    pub(super) text: String,
    pub(super) kept: Vec<String>,
    pub(super) stale: Vec<StaleBlock>,
}

/// A marked block: the store it names and its lines.
struct Block<'a> {
    store: &'a str,
    lines: Range<usize>,
}

/// Whether the store a block names is gone: nothing, not even a dangling symlink, stands at its
/// path. One rule for [`super::write`] and [`super::block_state`], so `doctor` calls current what
/// `write` would leave as it is.
pub(super) fn store_gone(store: &Path) -> bool {
    matches!(std::fs::symlink_metadata(store), Err(e) if e.kind() == std::io::ErrorKind::NotFound)
}

/// The text `old` with the block of `store` replaced or added (see the module's rules); `gone`
/// says whether a store named by another block no longer exists.
pub(super) fn merge(
    old: &str,
    store: &Path,
    sections: &[Section],
    gone: &dyn Fn(&Path) -> bool,
) -> Result<Merged, String> {
    let marker = marker_path(store).map_err(|err| err.to_string())?;
    let (bom, old) = crate::text::split_bom(old);
    let lines: Vec<&str> = old.split_inclusive('\n').collect();
    let blocks = blocks(&lines, &marker)?;
    let mut own = blocks.iter().filter(|b| b.store == marker);
    let ours = own.next().map(|b| b.lines.clone());
    if own.next().is_some() {
        return Err(format!("it holds two blocks for {marker}; delete one"));
    }
    let names_in =
        |range: &Range<usize>| lines[range.clone()].iter().filter_map(|l| section_name(l)).collect::<Vec<_>>();
    let stale: Vec<&Block<'_>> = blocks
        .iter()
        .filter(|b| b.store != marker && gone(Path::new(b.store)))
        .filter(|b| names_in(&b.lines).iter().any(|name| sections.iter().any(|s| s.name == *name)))
        .collect();
    let dropped: Vec<Range<usize>> = ours.iter().cloned().chain(stale.iter().map(|b| b.lines.clone())).collect();
    let at = ours.as_ref().or(stale.first().map(|b| &b.lines)).map_or(lines.len(), |r| r.start);

    let kept_line = |i: &usize| !dropped.iter().any(|r| r.contains(i));
    let outside: Vec<&str> = (0..lines.len()).filter(kept_line).map(|i| lines[i]).collect();
    let users: Vec<&str> = outside.iter().filter_map(|line| section_name(line)).collect();
    let (kept, written): (Vec<&Section>, Vec<&Section>) =
        sections.iter().partition(|s| users.contains(&s.name.as_str()));
    let written: Vec<Section> = written.into_iter().cloned().collect();

    let mut text: String = (0..at).filter(kept_line).map(|i| lines[i]).collect();
    if !written.is_empty() {
        if ours.is_none() && stale.is_empty() && !text.is_empty() {
            // A new block starts on a line of its own, after a blank line.
            if !text.ends_with('\n') {
                text.push('\n');
            }
            if !text.ends_with("\n\n") {
                text.push('\n');
            }
        }
        text.push_str(&render(store, &written).map_err(|err| err.to_string())?);
    }
    text.extend((at..lines.len()).filter(kept_line).map(|i| lines[i]));
    text.insert_str(0, bom);
    let stale = stale
        .iter()
        .enumerate()
        .map(|(i, b)| StaleBlock {
            store: PathBuf::from(b.store),
            replaced: i == 0 && ours.is_none() && !written.is_empty(),
        })
        .collect();
    Ok(Merged { text, kept: kept.into_iter().map(|s| s.name.clone()).collect(), stale })
}

/// The marked blocks of `lines`; a block of `marker` without its end line is an error, one of
/// another store is taken for plain lines.
fn blocks<'a>(lines: &[&'a str], marker: &str) -> Result<Vec<Block<'a>>, String> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(store) = lines[i].trim_end().strip_prefix(BEGIN) else {
            i += 1;
            continue;
        };
        let end = format!("{END}{store}");
        match lines[i..].iter().position(|l| l.trim_end() == end) {
            Some(length) => {
                let block = Block { store, lines: i..i + length + 1 };
                i = block.lines.end;
                found.push(block);
            }
            None if store == marker => {
                return Err(format!(
                    "line {}: the block of {marker} has no end line `{end}`; restore it or delete the block",
                    i + 1
                ));
            }
            None => i += 1,
        }
    }
    Ok(found)
}

/// The profile a section header line opens: `NAME` of `[profile NAME]`, or of `[NAME]`.
fn section_name(line: &str) -> Option<&str> {
    let inner = line.trim().strip_prefix('[')?.split_once(']')?.0.trim();
    match inner.strip_prefix("profile") {
        Some(rest) if rest.starts_with([' ', '\t']) => Some(rest.trim()),
        _ => Some(inner),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws_profiles::test_sections::{section, STORE};

    fn merged(old: &str, sections: &[Section]) -> (String, Vec<String>) {
        let merged = merge(old, Path::new(STORE), sections, &|_| false).unwrap();
        (merged.text, merged.kept)
    }

    #[test]
    fn a_block_is_added_after_the_users_text_and_replaced_in_place_later() {
        let old = "# mine\n[default]\nregion = eu-west-1"; // no final newline
        let (first, kept) = merged(old, &[section("a", Some("us-east-1"))]);
        assert!(kept.is_empty());
        assert!(first.starts_with("# mine\n[default]\nregion = eu-west-1\n\n# >>> serverless-access-roles profiles from /srv/access-roles.yml\n"), "{first}");
        assert!(
            first.contains(
                "[profile a]\ncredential_process = /bin/sar credential-process --app a\nregion = us-east-1\n# <<< "
            ),
            "{first}"
        );
        assert_eq!(merged(&first, &[section("a", Some("us-east-1"))]).0, first, "a second run changes nothing");

        let mut edited = first.clone();
        edited.push_str("\n[profile after]\nregion = x\n");
        let (second, _) = merged(&edited, &[section("b", None), section("a", None)]);
        assert!(second.starts_with("# mine\n[default]\nregion = eu-west-1\n\n# >>> "), "{second}");
        assert!(second.ends_with("[profile a]\ncredential_process = /bin/sar credential-process --app a\n# <<< serverless-access-roles profiles from /srv/access-roles.yml\n\n[profile after]\nregion = x\n"), "{second}");
        assert!(
            second.contains("[profile b]\ncredential_process = /bin/sar credential-process --app b\n\n[profile a]"),
            "{second}"
        );
    }

    #[test]
    fn the_users_own_sections_are_kept_and_other_stores_blocks_left_alone() {
        let other = render(Path::new("/other/access-roles.yml"), &[section("x", None)]).unwrap();
        let old = format!("[profile a]\r\nregion = eu-west-1\r\n\r\n{other}[ default ]\n");
        let (text, kept) = merged(&old, &[section("a", None), section("default", None), section("c", None)]);
        assert_eq!(kept, ["a", "default"]);
        assert!(text.starts_with(&old), "{text}");
        assert!(text.contains("[profile c]") && !text.contains("[profile a]\ncredential"), "{text}");
    }

    #[test]
    fn a_block_starts_a_new_file_and_stays_where_it_stands_without_a_blank_line() {
        let block = render(Path::new(STORE), &[section("a", None)]).unwrap();
        assert_eq!(merged("", &[section("a", None)]).0, block, "a new file is the block alone");
        let tight = format!("[default]\n{block}");
        assert_eq!(merged(&tight, &[section("a", None)]).0, tight, "the user's spacing before it is kept");
    }

    #[test]
    fn another_stores_block_without_its_end_is_plain_text_and_an_emptied_block_of_ours_is_refilled() {
        let open = "# >>> serverless-access-roles profiles from /other/access-roles.yml\n[profile x]\n";
        let (text, _) = merged(open, &[section("a", None)]);
        let block = render(Path::new(STORE), &[section("a", None)]).unwrap();
        assert_eq!(text, format!("{open}\n{block}"));
        let (begin, end) = (block.lines().next().unwrap(), block.lines().last().unwrap());
        let emptied = format!("[default]\n\n{begin}\n{end}\n[profile mine]\n");
        assert_eq!(merged(&emptied, &[section("a", None)]).0, format!("[default]\n\n{block}[profile mine]\n"));
    }

    #[test]
    fn a_section_is_the_users_profile_only_when_its_header_names_that_profile() {
        let old = "[profilea]\nregion = x\n[profile\tb]\nregion = y\n[ profile  c ]\n";
        let (text, kept) = merged(old, &[section("a", None), section("b", None), section("c", None)]);
        assert_eq!(kept, ["b", "c"], "`[profilea]` is a section named `profilea`, not profile `a`");
        assert!(text.starts_with(old) && text.contains("[profile a]\ncredential_process"), "{text}");
    }

    #[test]
    fn a_moved_stores_block_is_replaced_where_it_stood_and_a_second_one_removed() {
        let moved = render(Path::new("/old/mv1/access-roles.yml"), &[section("payments", None)]).unwrap();
        let again = render(Path::new("/old/mv0/access-roles.yml"), &[section("payments-dev", None)]).unwrap();
        let alive = render(Path::new("/alive/access-roles.yml"), &[section("payments", None)]).unwrap();
        let unrelated = render(Path::new("/old/other/access-roles.yml"), &[section("billing", None)]).unwrap();
        let old = format!("[default]\n\n{moved}\n{alive}\n{again}\n{unrelated}\n[profile mine]\n");
        let gone = |store: &Path| store.starts_with("/old");
        let sections = [section("payments", None), section("payments-dev", None)];
        let merged = merge(&old, Path::new(STORE), &sections, &gone).unwrap();
        let ours = render(Path::new(STORE), &[section("payments-dev", None)]).unwrap();
        assert_eq!(merged.text, format!("[default]\n\n{ours}\n{alive}\n\n{unrelated}\n[profile mine]\n"));
        assert_eq!(merged.kept, ["payments"], "the block of a store that exists is not ours to take");
        assert_eq!(
            merged.stale,
            [
                StaleBlock { store: PathBuf::from("/old/mv1/access-roles.yml"), replaced: true },
                StaleBlock { store: PathBuf::from("/old/mv0/access-roles.yml"), replaced: false },
            ]
        );
        let second = merge(&merged.text, Path::new(STORE), &sections, &gone).unwrap();
        assert_eq!((second.text, second.stale), (merged.text, vec![]), "a second run changes nothing");
    }

    #[test]
    fn no_profiles_left_removes_the_block_and_none_to_write_adds_none() {
        let old = "[default]\nregion = x\n";
        assert_eq!(merged(old, &[]).0, old);
        let (with, _) = merged(old, &[section("a", None)]);
        assert_eq!(merged(&with, &[]).0, "[default]\nregion = x\n\n");
    }

    #[test]
    fn a_block_first_after_a_byte_order_mark_is_found_and_the_mark_kept() {
        let first = format!("\u{feff}{}[default]\n", render(Path::new(STORE), &[section("a", None)]).unwrap());
        let (text, kept) = merged(&first, &[section("a", Some("us-east-1")), section("b", None)]);
        assert!(kept.is_empty(), "the block's profiles are not the user's: {kept:?}");
        let block = render(Path::new(STORE), &[section("a", Some("us-east-1")), section("b", None)]).unwrap();
        assert_eq!(text, format!("\u{feff}{block}[default]\n"), "one block, updated where it stood");
    }

    #[test]
    fn a_block_without_its_end_or_twice_is_refused() {
        let block = render(Path::new(STORE), &[section("a", None)]).unwrap();
        let cut = block.lines().take(3).collect::<Vec<_>>().join("\n");
        let err = merge(&format!("[default]\n{cut}\n"), Path::new(STORE), &[], &|_| false).unwrap_err();
        assert!(err.starts_with("line 2: the block of /srv/access-roles.yml has no end line"), "{err}");
        let err = merge(&format!("{block}{block}"), Path::new(STORE), &[], &|_| false).unwrap_err();
        assert!(err.contains("two blocks"), "{err}");
    }
}
