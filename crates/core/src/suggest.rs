//! The one "did you mean" rule, for every name a user types: a store's unknown key, an
//! undefined profile or app, a new profile name close to an existing one (`access-role link`),
//! an unknown option of the JS API.

/// The candidate `word` is likely a typo of, if any.
///
/// 1. A candidate equal to `word` means no typo: `word` is that name.
/// 2. A typo is a few edits away (insertions, deletions, substitutions, and swaps of two
///    neighbouring characters), counted without regard to case: two, or a quarter of the shorter
///    name's characters when that is more (`durationSecs` for `durationSeconds`), and never more
///    than half of them, so that short names such as `qa` and `ci` stay apart while `ab` and `ac`
///    do not.
/// 3. Of several, the fewest edits wins; on a tie, the first in `candidates`.
pub fn suggest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    if candidates.contains(&word) {
        return None;
    }
    let lower = word.to_lowercase();
    let length = word.chars().count();
    let allowed = |candidate: &str| {
        let shorter = length.min(candidate.chars().count());
        2.max(shorter / 4).min(shorter / 2)
    };
    candidates
        .iter()
        .map(|candidate| (strsim::osa_distance(&lower, &candidate.to_lowercase()), *candidate))
        .filter(|(edits, candidate)| *edits <= allowed(candidate))
        .min_by_key(|(edits, _)| *edits)
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_two_edits_from_an_existing_profile_is_a_near_miss_of_it() {
        assert_eq!(suggest("prodution", &["sandbox", "production"]), Some("production"));
        assert_eq!(suggest("sandbx", &["sandbox", "production"]), Some("sandbox"));
        assert_eq!(suggest("prod-eu", &["prod-us"]), Some("prod-us"));
    }

    #[test]
    fn an_existing_name_or_a_distant_one_is_no_suggest() {
        assert_eq!(suggest("sandbox", &["sandbox", "sandbax"]), None);
        assert_eq!(suggest("billing", &["sandbox", "production"]), None);
        assert_eq!(suggest("staging", &["sandbox", "production"]), None);
        assert_eq!(suggest("anything", &[]), None);
    }

    #[test]
    fn short_names_allow_one_edit_per_two_characters() {
        assert_eq!(suggest("qa", &["ci"]), None, "two edits in two characters");
        assert_eq!(suggest("ab", &["ac"]), Some("ac"));
        assert_eq!(suggest("a", &["b"]), None);
        assert_eq!(suggest("dev", &["prod"]), None);
        assert_eq!(suggest("prd", &["prod"]), Some("prod"));
    }

    #[test]
    fn the_fewest_edits_win_and_ties_keep_the_store_order() {
        assert_eq!(suggest("prodd", &["prodxyz", "prod"]), Some("prod"));
        assert_eq!(suggest("prod-c", &["prod-a", "prod-b"]), Some("prod-a"));
    }

    #[test]
    fn case_and_swapped_neighbours_count_as_little() {
        assert_eq!(suggest("App", &["app", "stage"]), Some("app"));
        assert_eq!(suggest("cachedir", &["cacheDir", "cache"]), Some("cacheDir"));
        assert_eq!(suggest("roelArn", &["roleArn", "region"]), Some("roleArn"));
        assert_eq!(suggest("paymnets", &["payments"]), Some("payments"));
        assert_eq!(suggest("Sandbox", &["sandbox"]), Some("sandbox"), "another spelling of one name is no new name");
        assert_eq!(suggest("durationSecs", &["durationSeconds", "region"]), Some("durationSeconds"));
        assert_eq!(suggest("prod-eu-west", &["prod-us-east"]), None, "long names allow more edits, not any");
    }

    #[test]
    fn edits_count_characters_not_bytes() {
        assert_eq!(suggest("prüd", &["prod"]), Some("prod"));
        assert_eq!(suggest("ü", &["u"]), None);
    }
}
