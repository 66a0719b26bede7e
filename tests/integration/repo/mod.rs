//! The repository operations, run on every backend.

mod audit;
mod audit_edges;
mod audit_limits;
mod blog;
mod bulk;
mod bulk_chunks;
mod bulk_edges;
mod bulk_stream;
mod bulk_stream_probes;
mod cancel;
mod concurrency;
mod crud;
mod decimals;
mod dsl;
mod edges;
mod enum_labels;
mod hooks;
mod locking;
mod relations;
mod search;
mod search_limits;
pub mod soft_delete;
mod timestamps;
mod upsert_outcome;
mod values;
mod version_widths;
mod violations;
