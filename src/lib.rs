//! Test and example suite of entable (not published). Its integration
//! tests live in `tests/`, its examples in `examples/`.

/// The README's code, compiled and run as a doctest so it stays true.
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctest;

/// `docs/attributes.md`, whose examples are compiled as doctests too.
#[doc = include_str!("../docs/attributes.md")]
pub struct AttributesDoctest;
