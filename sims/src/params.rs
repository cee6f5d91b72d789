//! Checking what the playground's forms send. Parameters come from a user,
//! so every number is range-checked (NaN included) before a simulation
//! sizes anything with it; a bad one names its field so the form can mark
//! it.

use std::fmt;

/// A parameter out of its range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError {
    /// The parameter's field name, as in the parameters struct.
    pub field: &'static str,
    pub message: String,
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for ParamError {}

impl ParamError {
    pub fn new(field: &'static str, message: impl Into<String>) -> ParamError {
        ParamError {
            field,
            message: message.into(),
        }
    }
}

/// `value` if it lies in `min..=max`.
pub fn int(field: &'static str, value: u64, min: u64, max: u64) -> Result<u64, ParamError> {
    within(field, value, min, max)
}

/// `value` if it lies in `min..=max` (NaN never does).
pub fn real(field: &'static str, value: f64, min: f64, max: f64) -> Result<f64, ParamError> {
    within(field, value, min, max)
}

fn within<T: PartialOrd + Copy + fmt::Display>(
    field: &'static str,
    value: T,
    min: T,
    max: T,
) -> Result<T, ParamError> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(ParamError::new(
            field,
            format!("must be between {min} and {max}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_inclusive_and_nan_is_refused() {
        assert_eq!(int("n", 5, 5, 5), Ok(5));
        assert!(int("n", 6, 0, 5).is_err());
        assert_eq!(real("x", 0.5, 0.0, 1.0), Ok(0.5));
        let err = real("x", f64::NAN, 0.0, 1.0).unwrap_err();
        assert_eq!(err.to_string(), "x: must be between 0 and 1");
    }
}
