//! Line and column of one node of a parsed store, for errors found after parsing (an undefined
//! profile name, a chain loop). The document is read again down one path, and the read fails at
//! the node, so the YAML parser reports where that node stands.

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// One step from a mapping or a sequence towards a node.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Step<'a> {
    /// The value under this key of a mapping.
    Key(&'a str),
    /// The item at this index of a sequence.
    Index(usize),
}

/// Marks the failure raised at the node, so no other parser error is taken for it.
const FOUND: &str = "\u{0}node found\u{0}";

/// The 1-based line and column of the node at `path` in `text`, or `None` when there is none.
pub(crate) fn locate(text: &str, path: &[Step<'_>]) -> Option<(u64, u64)> {
    let err = Walk(path).deserialize(serde_norway::Deserializer::from_str(text)).err()?;
    let location = err.location().filter(|_| err.to_string().contains(FOUND))?;
    Some((location.line() as u64, location.column() as u64))
}

/// Reads down `path`, skipping everything beside it, and fails at its end.
struct Walk<'p, 'a>(&'p [Step<'a>]);

impl<'de> DeserializeSeed<'de> for Walk<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML node")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some((Step::Key(wanted), rest)) = self.0.split_first() else { return Err(found()) };
        while let Some(key) = map.next_key::<String>()? {
            if key == *wanted {
                return map.next_value_seed(Walk(rest));
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Some((Step::Index(wanted), rest)) = self.0.split_first() else { return Err(found()) };
        for _ in 0..*wanted {
            if seq.next_element::<IgnoredAny>()?.is_none() {
                return Ok(());
            }
        }
        seq.next_element_seed(Walk(rest)).map(|_| ())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.scalar()
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.scalar()
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.scalar()
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.scalar()
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.scalar()
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.scalar()
    }
}

impl Walk<'_, '_> {
    /// A scalar is the node when the path ends here; otherwise the path leads nowhere.
    fn scalar<E: de::Error>(self) -> Result<(), E> {
        if self.0.is_empty() {
            Err(found())
        } else {
            Ok(())
        }
    }
}

fn found<E: de::Error>() -> E {
    E::custom(FOUND)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "profiles:\n  a:\n    via: b\n    tags: [x, y]\napps: {pay: {stages: {prod: a}}}\n";

    #[test]
    fn finds_block_and_flow_nodes_by_key_and_index() {
        assert_eq!(locate(TEXT, &[Step::Key("profiles"), Step::Key("a"), Step::Key("via")]), Some((3, 10)));
        assert_eq!(
            locate(TEXT, &[Step::Key("profiles"), Step::Key("a"), Step::Key("tags"), Step::Index(1)]),
            Some((4, 15))
        );
        let prod = [Step::Key("apps"), Step::Key("pay"), Step::Key("stages"), Step::Key("prod")];
        assert_eq!(locate(TEXT, &prod), Some((5, 29)));
    }

    #[test]
    fn finds_scalars_of_every_type_and_whole_mappings_and_sequences() {
        let text = "n: [-5, 7, 1.5, ~, true, x]\nm:\n  k: {a: 1}\n  s:\n    - [1]\n";
        let at = |i| locate(text, &[Step::Key("n"), Step::Index(i)]);
        assert_eq!((0..6).map(at).collect::<Vec<_>>(), [5, 9, 12, 17, 20, 26].map(|column| Some((1, column))));
        assert_eq!(locate(text, &[Step::Key("m"), Step::Key("k")]), Some((3, 6)));
        assert_eq!(locate(text, &[Step::Key("m"), Step::Key("s"), Step::Index(0)]), Some((5, 7)));
    }

    #[test]
    fn a_path_that_leads_nowhere_has_no_location() {
        assert_eq!(locate(TEXT, &[Step::Key("apps"), Step::Key("billing")]), None);
        assert_eq!(locate(TEXT, &[Step::Key("profiles"), Step::Key("a"), Step::Key("tags"), Step::Index(5)]), None);
        assert_eq!(locate(TEXT, &[Step::Key("profiles"), Step::Key("a"), Step::Key("via"), Step::Key("deeper")]), None);
    }
}
