//! Near misses among profile names: a new name that is likely a typo of one the store has.

/// The existing profile name that `name` is a near miss of, if any: a likely typo
/// (`prodution` for `production`) rather than a new profile.
///
/// 1. An exact match is no near miss: `name` is that profile.
/// 2. A near miss is at most two edits away (insertions, deletions, substitutions), and at most
///    half the length of the shorter of the two names, so that short names such as `qa` and
///    `ci` stay apart while `ab` and `ac` do not.
/// 3. Of several, the fewest edits wins; on a tie, the first in `existing`.
///
/// `access-role link` refuses to add such a name as a new profile unless told it is one.
pub fn near_miss<'a>(name: &str, existing: &[&'a str]) -> Option<&'a str> {
    if existing.contains(&name) {
        return None;
    }
    let length = name.chars().count();
    existing
        .iter()
        .map(|candidate| (strsim::levenshtein(name, candidate), *candidate))
        .filter(|(edits, candidate)| *edits <= 2.min(length.min(candidate.chars().count()) / 2))
        .min_by_key(|(edits, _)| *edits)
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_two_edits_from_an_existing_profile_is_a_near_miss_of_it() {
        assert_eq!(near_miss("prodution", &["sandbox", "production"]), Some("production"));
        assert_eq!(near_miss("sandbx", &["sandbox", "production"]), Some("sandbox"));
        assert_eq!(near_miss("prod-eu", &["prod-us"]), Some("prod-us"));
    }

    #[test]
    fn an_existing_name_or_a_distant_one_is_no_near_miss() {
        assert_eq!(near_miss("sandbox", &["sandbox", "sandbax"]), None);
        assert_eq!(near_miss("billing", &["sandbox", "production"]), None);
        assert_eq!(near_miss("staging", &["sandbox", "production"]), None);
        assert_eq!(near_miss("anything", &[]), None);
    }

    #[test]
    fn short_names_allow_one_edit_per_two_characters() {
        assert_eq!(near_miss("qa", &["ci"]), None, "two edits in two characters");
        assert_eq!(near_miss("ab", &["ac"]), Some("ac"));
        assert_eq!(near_miss("a", &["b"]), None);
        assert_eq!(near_miss("dev", &["prod"]), None);
        assert_eq!(near_miss("prd", &["prod"]), Some("prod"));
    }

    #[test]
    fn the_fewest_edits_win_and_ties_keep_the_store_order() {
        assert_eq!(near_miss("prodd", &["prodxyz", "prod"]), Some("prod"));
        assert_eq!(near_miss("prod-c", &["prod-a", "prod-b"]), Some("prod-a"));
    }

    #[test]
    fn edits_count_characters_not_bytes() {
        assert_eq!(near_miss("prüd", &["prod"]), Some("prod"));
        assert_eq!(near_miss("ü", &["u"]), None);
    }
}
