//! Every compile error `#[derive(Entity)]` and `#[derive(DbEnum)]` can emit,
//! with the exact message and span the user sees (`tests/ui/*.stderr`).
//! Regenerate after an intended change with `TRYBUILD=overwrite cargo test --test ui`
//! and review the diff.

#[test]
fn compile_errors() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
