//! Whole numbers as JSON carries them. JSON has one number type, and JSON
//! Schema counts `3.0` as an integer, so an id sent as `3.0` is read as 3;
//! a fraction, or a number beyond a 64-bit integer, is refused.

use serde::Deserialize;
use serde::de::{Deserializer, Error};

/// The whole number `value`, if it is one that fits an `i64`.
fn whole(value: &serde_json::Number) -> Option<i64> {
    value.as_i64().or_else(|| {
        let float = value.as_f64()?;
        // 2^63 is exactly representable: anything from it up does not fit.
        let fits = float.fract() == 0.0
            && (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&float);
        #[expect(
            clippy::cast_possible_truncation,
            reason = "checked whole and in range just above"
        )]
        fits.then_some(float as i64)
    })
}

fn parse<E: Error>(value: serde_json::Number) -> Result<i64, E> {
    whole(&value).ok_or_else(|| E::custom(format!("{value} is not a whole number")))
}

/// Reads a whole number (`#[serde(deserialize_with = "integer")]`).
pub fn integer<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    parse(serde_json::Number::deserialize(deserializer)?)
}

/// Reads an optional whole number.
pub fn optional_integer<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<i64>, D::Error> {
    Option::<serde_json::Number>::deserialize(deserializer)?
        .map(parse)
        .transpose()
}

/// Reads a list of whole numbers.
pub fn integers<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<i64>, D::Error> {
    Vec::<serde_json::Number>::deserialize(deserializer)?
        .into_iter()
        .map(parse)
        .collect()
}

/// Reads a map keyed by whole numbers written as strings (`{"12": …}`),
/// with a sign or leading zeros as any integer may be written.
pub fn integer_keys<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<std::collections::BTreeMap<i64, String>, D::Error> {
    std::collections::BTreeMap::<String, String>::deserialize(deserializer)?
        .into_iter()
        .map(|(key, value)| {
            key.parse::<i64>()
                .map(|key| (key, value))
                .map_err(|_| D::Error::custom(format!("{key:?} is not a whole number")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Ids {
        #[serde(deserialize_with = "integer")]
        one: i64,
        #[serde(deserialize_with = "integers")]
        many: Vec<i64>,
    }

    #[test]
    fn whole_numbers_are_read_however_json_writes_them() {
        let ids: Ids =
            serde_json::from_str(r#"{"one": 3.0, "many": [1, -2.0, 9223372036854775807]}"#)
                .expect("read");
        assert_eq!((ids.one, ids.many), (3, vec![1, -2, i64::MAX]));
        assert!(serde_json::from_str::<Ids>(r#"{"one": 3.5, "many": []}"#).is_err());
        assert!(serde_json::from_str::<Ids>(r#"{"one": 1e30, "many": []}"#).is_err());
    }
}
