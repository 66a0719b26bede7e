//! The repository operations, run on every backend.

mod blog;
mod crud;
mod dsl;
mod edges;
mod relations;
mod search;
mod violations;
