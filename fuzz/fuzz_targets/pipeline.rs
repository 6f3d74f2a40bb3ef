//! The whole per-file pipeline: bytes → `Linter::lint_bytes` with every built-in rule (parse,
//! objects, document, object and text rules, facts) → `Linter::finish` (cross-file phase,
//! suppressions, unused-suppression findings) → `split_rendered` → baseline fingerprints → the
//! spill file and back → every report format, written to a sink (`ekslint::fuzzing::pipeline`,
//! which `tests/fuzz_regressions.rs` runs on the kept inputs).
//!
//! An optional first byte 0..=4 picks how the file is named (so JSON, NFS exports files, kustomize
//! patches and rendered `helm template` output on standard input are reached too); any other first
//! byte, as in every real manifest, means `fuzz.yaml` and belongs to the content.
#![no_main]

use std::sync::OnceLock;

use ekslint::lint::Linter;
use ekslint::rules::RuleSet;
use libfuzzer_sys::fuzz_target;

fn linter() -> &'static Linter {
    static LINTER: OnceLock<Linter> = OnceLock::new();
    LINTER.get_or_init(|| Linter::new(RuleSet::builtin().expect("built-in rules load")))
}

fuzz_target!(|data: &[u8]| {
    ekslint::fuzzing::pipeline(linter(), data);
});
