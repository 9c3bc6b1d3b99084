//! Property tests of the two parsers that read files a user or another process wrote: the
//! profile store and the cache entry. Whatever the bytes, they return a value or an error —
//! never a panic.
//!
//! CI runs the default number of cases. For a long run, set `PROPTEST_CASES`, e.g.
//! `PROPTEST_CASES=2000000 cargo test -p access-roles-core --release --lib fuzz::` (see
//! BENCHMARKS.md for the minutes spent and what was found).

use crate::cache::decode_entry;
use crate::plan::AssumeRoleRequest;
use crate::profiles::ProfileStore;
use proptest::prelude::*;
use std::path::Path;
use std::sync::LazyLock;
use std::time::{SystemTime, UNIX_EPOCH};

/// A valid store, as a seed that mutations start from.
const STORE: &str = include_str!("../test-data/design-example.yml");

/// A valid cache entry, likewise: keys of role `r` that expire in 50 minutes.
static ENTRY: LazyLock<&'static str> = LazyLock::new(|| {
    let expiration_ms = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() + 3_000_000;
    let entry = format!(
        r#"{{"version":1,"key":"k","accessKeyId":"ASIA","secretAccessKey":"s","sessionToken":"t","expirationMs":{expiration_ms},"assumedRoleArn":"arn:aws:sts::111111111111:assumed-role/r/s","region":"us-east-1"}}"#
    );
    Box::leak(entry.into_boxed_str())
});

/// The request the entry seed was written for.
fn request() -> AssumeRoleRequest {
    AssumeRoleRequest::plain("arn:aws:iam::111111111111:role/r")
}

/// `seed` with a few bytes replaced, inserted or removed at random places.
fn mutated(seed: &'static str) -> impl Strategy<Value = Vec<u8>> {
    let len = seed.len();
    proptest::collection::vec((0..len, any::<u8>(), 0..3u8), 1..8).prop_map(move |edits| {
        let mut bytes = seed.as_bytes().to_vec();
        for (at, byte, kind) in edits {
            let at = at.min(bytes.len().saturating_sub(1));
            match kind {
                0 => bytes[at] = byte,
                1 => bytes.insert(at, byte),
                _ if !bytes.is_empty() => {
                    bytes.remove(at);
                }
                _ => {}
            }
        }
        bytes
    })
}

fn parse_store(bytes: &[u8]) {
    if let Ok(text) = std::str::from_utf8(bytes) {
        match ProfileStore::parse(Path::new("access-roles.yml"), text) {
            Ok(store) => {
                // A store that parses answers lookups without panicking.
                let _ = store.select("payments", "prod");
            }
            Err(err) => assert_eq!(err.code(), "E_INVALID_CONFIG"),
        }
    }
}

proptest! {
    #[test]
    fn the_store_parser_never_panics_on_mutated_stores(bytes in mutated(STORE)) {
        parse_store(&bytes);
    }

    #[test]
    fn the_store_parser_never_panics_on_arbitrary_text(text in "\\PC{0,400}") {
        parse_store(text.as_bytes());
    }

    #[test]
    fn the_store_parser_never_panics_on_yaml_shaped_noise(text in "([a-zA-Z]{1,8}: ?|- |\\{|\\}|\\[|\\]|&a |\\*a|!!str |\"|'|#|\n  |\n|\t|,|:|\\?){0,80}") {
        parse_store(text.as_bytes());
    }

    #[test]
    fn the_cache_entry_reader_never_panics(bytes in mutated(*ENTRY)) {
        let _ = decode_entry(&bytes, "k", &request(), SystemTime::now());
    }

    #[test]
    fn the_cache_entry_reader_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        prop_assert!(decode_entry(&bytes, "k", &request(), SystemTime::now()).is_none());
    }
}

#[test]
fn the_seeds_are_valid_so_mutations_start_from_real_inputs() {
    assert!(ProfileStore::parse(Path::new("access-roles.yml"), STORE).is_ok());
    assert!(decode_entry(ENTRY.as_bytes(), "k", &request(), SystemTime::now()).is_some());
}
