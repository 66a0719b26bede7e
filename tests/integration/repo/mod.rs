//! The repository operations, run on every backend.

mod blog;
mod crud;
mod dsl;
mod edges;
mod locking;
mod relations;
mod search;
mod soft_delete;
mod timestamps;
mod violations;
