//! Deserializing a store field through `TryFrom` inside the parser's own visit of the value, so an
//! invalid value is reported at that value's line and column rather than its mapping's.

use crate::text::shorten;
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, Deserialize, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

/// Implements `Deserialize` for a store field type `$ty` through `TryFrom<$from, Error = String>`:
/// from a scalar read as a string (a plain `123456` stays the string "123456"), or from whatever
/// node is there (a number, a string, a mapping, a sequence) when `any` is given.
macro_rules! deserialize_checked {
    ($ty:ty, $from:ty, $expecting:literal) => {
        $crate::profiles::checked::deserialize_checked!(@with deserialize_str, $ty, $from, $expecting);
    };
    ($ty:ty, $from:ty, $expecting:literal, any) => {
        $crate::profiles::checked::deserialize_checked!(@with deserialize_any, $ty, $from, $expecting);
    };
    (@with $method:ident, $ty:ty, $from:ty, $expecting:literal) => {
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.$method($crate::profiles::checked::Checked::<$ty, $from>::new($expecting))
            }
        }
    };
}
pub(crate) use deserialize_checked;

/// Reads the node as `U`, then converts it to `T`.
pub(crate) struct Checked<T, U>(&'static str, PhantomData<(T, U)>);

impl<T, U> Checked<T, U> {
    /// The visitor; `expecting` completes "invalid type: …, expected …".
    pub(crate) fn new(expecting: &'static str) -> Self {
        Checked(expecting, PhantomData)
    }
}

impl<'de, T, U> Checked<T, U>
where
    U: Deserialize<'de>,
    T: TryFrom<U, Error = String>,
{
    fn convert<E: de::Error>(read: Result<U, E>) -> Result<T, E> {
        T::try_from(read?).map_err(E::custom)
    }
}

impl<'de, T, U> Visitor<'de> for Checked<T, U>
where
    U: Deserialize<'de>,
    T: TryFrom<U, Error = String>,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.0)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<T, E> {
        Self::convert(U::deserialize(value.into_deserializer()))
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<T, E> {
        Self::convert(U::deserialize(value.into_deserializer()))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<T, E> {
        Self::convert(U::deserialize(value.into_deserializer()))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<T, E> {
        Self::convert(U::deserialize(value.into_deserializer()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<T, E> {
        Self::convert(U::deserialize(value.into_deserializer()))
    }

    // Integers past 64 bits (`99999999999999999999`) reach the field as their digits, so its own
    // check names the range it wants rather than a Rust type.
    fn visit_u128<E: de::Error>(self, value: u128) -> Result<T, E> {
        Self::convert(U::deserialize(value.to_string().into_deserializer()))
    }

    fn visit_i128<E: de::Error>(self, value: i128) -> Result<T, E> {
        Self::convert(U::deserialize(value.to_string().into_deserializer()))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        Self::convert(U::deserialize(MapAccessDeserializer::new(map)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        Self::convert(U::deserialize(SeqAccessDeserializer::new(seq)))
    }
}

/// A mapping whose keys must not repeat: YAML forbids it, and the parser would keep the last.
pub(crate) fn unique_keys<'de, D, V>(deserializer: D) -> Result<BTreeMap<String, V>, D::Error>
where
    D: Deserializer<'de>,
    V: Deserialize<'de>,
{
    deserializer.deserialize_map(UniqueKeys(PhantomData))
}

struct UniqueKeys<V>(PhantomData<V>);

impl<'de, V: Deserialize<'de>> Visitor<'de> for UniqueKeys<V> {
    type Value = BTreeMap<String, V>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = BTreeMap::new();
        while let Some((key, value)) = map.next_entry::<String, V>()? {
            if entries.contains_key(&key) {
                return Err(de::Error::custom(format!("duplicate key `{}`", shorten(&key))));
            }
            entries.insert(key, value);
        }
        Ok(entries)
    }
}
