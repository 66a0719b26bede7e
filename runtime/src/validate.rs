//! Validation of generated DTOs, with the `validator` crate's rules and
//! error types.
//!
//! Generated `Create` and `Update` types implement [`Validate`]; rules come
//! from `#[validate(…)]` on the entity's fields, plus rules implied by
//! column facts (`max_length = n` is `length(max = n)`). The errors are one
//! [`ValidationErrors`] value: field → list of (code, message, params),
//! serialisable as JSON.

pub use validator::{Validate, ValidationError, ValidationErrors, ValidationErrorsKind};

/// Rule checks called by generated code. Each adds a `ValidationError` with
/// the rule's code (or the `code = "…"` given), its message (if given) and
/// its parameters (`value`, `min`, `max`, …), as `validator`'s derive would.
#[doc(hidden)]
pub mod rules {
    use std::borrow::Cow;

    use serde::Serialize;
    use validator::{
        ValidateContains, ValidateDoesNotContain, ValidateEmail, ValidateLength,
        ValidateNonControlCharacter, ValidateRange, ValidateUrl, ValidationError, ValidationErrors,
    };

    /// Overrides of a rule's code and message.
    #[derive(Clone, Copy)]
    pub struct Meta {
        /// `code = "…"`.
        pub code: Option<&'static str>,
        /// `message = "…"`.
        pub message: Option<&'static str>,
    }

    fn fail<V: Serialize + ?Sized>(
        errors: &mut ValidationErrors,
        field: &'static str,
        default_code: &'static str,
        meta: Meta,
        value: &V,
        params: &[(&'static str, serde_json::Value)],
    ) {
        let mut error = ValidationError::new(meta.code.unwrap_or(default_code));
        if let Some(message) = meta.message {
            error = error.with_message(Cow::Borrowed(message));
        }
        // Values that do not serialise (they always do for the types rules
        // apply to) are left out rather than failing validation itself.
        if let Ok(value) = serde_json::to_value(value) {
            error.params.insert(Cow::Borrowed("value"), value);
        }
        for (name, param) in params {
            error.params.insert(Cow::Borrowed(name), param.clone());
        }
        errors.add(field, error);
    }

    fn json<T: Serialize>(value: T) -> serde_json::Value {
        serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
    }

    /// `email`.
    pub fn email<V: ValidateEmail + Serialize + ?Sized>(
        e: &mut ValidationErrors,
        field: &'static str,
        meta: Meta,
        value: &V,
    ) {
        if !value.validate_email() {
            fail(e, field, "email", meta, value, &[]);
        }
    }

    /// `url`.
    pub fn url<V: ValidateUrl + Serialize + ?Sized>(
        e: &mut ValidationErrors,
        field: &'static str,
        meta: Meta,
        value: &V,
    ) {
        if !value.validate_url() {
            fail(e, field, "url", meta, value, &[]);
        }
    }

    /// `length(min, max, equal)`, counted in characters for text.
    pub fn length<V: ValidateLength<u64> + Serialize + ?Sized>(
        e: &mut ValidationErrors,
        field: &'static str,
        meta: Meta,
        value: &V,
        min: Option<u64>,
        max: Option<u64>,
        equal: Option<u64>,
    ) {
        if !value.validate_length(min, max, equal) {
            let mut params = Vec::new();
            params.extend(min.map(|v| ("min", json(v))));
            params.extend(max.map(|v| ("max", json(v))));
            params.extend(equal.map(|v| ("equal", json(v))));
            fail(e, field, "length", meta, value, &params);
        }
    }

    /// `range(min, max, exclusive_min, exclusive_max)`.
    #[allow(clippy::too_many_arguments)]
    pub fn range<T: Serialize + PartialOrd, V: ValidateRange<T> + Serialize + ?Sized>(
        e: &mut ValidationErrors,
        field: &'static str,
        meta: Meta,
        value: &V,
        min: Option<T>,
        max: Option<T>,
        exclusive_min: Option<T>,
        exclusive_max: Option<T>,
    ) {
        let params: Vec<_> = [
            ("min", &min),
            ("max", &max),
            ("exclusive_min", &exclusive_min),
            ("exclusive_max", &exclusive_max),
        ]
        .into_iter()
        .filter_map(|(name, v)| v.as_ref().map(|v| (name, json(v))))
        .collect();
        if !value.validate_range(min, max, exclusive_min, exclusive_max) {
            fail(e, field, "range", meta, value, &params);
        }
    }

    /// `contains(pattern)`.
    pub fn contains<V: ValidateContains + Serialize + ?Sized>(
        e: &mut ValidationErrors,
        field: &'static str,
        meta: Meta,
        value: &V,
        needle: &'static str,
    ) {
        if !value.validate_contains(needle) {
            fail(
                e,
                field,
                "contains",
                meta,
                value,
                &[("needle", json(needle))],
            );
        }
    }

    /// `does_not_contain(pattern)`.
    pub fn does_not_contain<V: ValidateDoesNotContain + Serialize + ?Sized>(
        e: &mut ValidationErrors,
        field: &'static str,
        meta: Meta,
        value: &V,
        needle: &'static str,
    ) {
        if !value.validate_does_not_contain(needle) {
            fail(
                e,
                field,
                "does_not_contain",
                meta,
                value,
                &[("needle", json(needle))],
            );
        }
    }

    /// `non_control_character`.
    pub fn non_control_character<V: ValidateNonControlCharacter + Serialize + ?Sized>(
        e: &mut ValidationErrors,
        field: &'static str,
        meta: Meta,
        value: &V,
    ) {
        if !value.validate_non_control_character() {
            fail(e, field, "non_control_character", meta, value, &[]);
        }
    }

    /// `regex(path = …)`.
    pub fn regex<V: validator::ValidateRegex + Serialize + ?Sized>(
        e: &mut ValidationErrors,
        field: &'static str,
        meta: Meta,
        value: &V,
        regex: impl validator::AsRegex,
    ) {
        if !value.validate_regex(regex) {
            fail(e, field, "regex", meta, value, &[]);
        }
    }

    /// `custom(function = …)`: the function's error, with the code and
    /// message overrides applied.
    pub fn custom(
        e: &mut ValidationErrors,
        field: &'static str,
        meta: Meta,
        result: Result<(), ValidationError>,
    ) {
        if let Err(mut error) = result {
            if let Some(code) = meta.code {
                error.code = Cow::Borrowed(code);
            }
            if let Some(message) = meta.message {
                error.message = Some(Cow::Borrowed(message));
            }
            e.add(field, error);
        }
    }

    /// `must_match(other = …)`.
    pub fn must_match<V: PartialEq + Serialize + ?Sized>(
        e: &mut ValidationErrors,
        field: &'static str,
        meta: Meta,
        value: &V,
        other: &V,
        other_name: &'static str,
    ) {
        if value != other {
            fail(
                e,
                field,
                "must_match",
                meta,
                value,
                &[("other", json(other_name))],
            );
        }
    }

    /// `required`: the value is present.
    pub fn required(e: &mut ValidationErrors, field: &'static str, meta: Meta, present: bool) {
        if !present {
            fail(e, field, "required", meta, &(), &[]);
        }
    }

    /// `nested`: the value's own validation, kept under this field.
    pub fn nested<V: validator::Validate + ?Sized>(
        e: &mut ValidationErrors,
        field: &'static str,
        value: &V,
    ) {
        let result = value.validate();
        let merged = ValidationErrors::merge(Err(std::mem::take(e)), field, result);
        if let Err(merged) = merged {
            *e = merged;
        }
    }

    /// `Ok` when nothing was added.
    pub fn finish(errors: ValidationErrors) -> Result<(), ValidationErrors> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}
