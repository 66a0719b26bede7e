//! The repository operations, run on every backend.

mod crud;
