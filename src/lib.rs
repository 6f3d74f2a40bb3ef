//! ekslint: a fast linter for Kubernetes manifests that catches Tencent Cloud TKE Serverless
//! (EKS super node) pitfalls.
//!
//! The pipeline, one module per stage, no stage reaching back up:
//! `discover` → `source` → `yaml` → `k8s` → `rules` → `diagnostic` → `report`, with `lint`
//! running the per-file stages and `cli` on top.
#![forbid(unsafe_code)]

pub mod annotations;
pub mod baseline;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod docs;
pub mod exports;
pub mod facts;
#[doc(hidden)]
pub mod fuzzing;
pub mod k8s;
pub mod lint;
pub mod parse_only;
pub mod report;
pub mod rules;
pub mod size_report;
pub mod source;
pub mod spill;
pub mod suppress;
pub mod yaml;

/// A lock that a panicked holder does not spoil (the panic itself is reported when its thread
/// is joined): what every shared list and counter of a run is taken through.
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
