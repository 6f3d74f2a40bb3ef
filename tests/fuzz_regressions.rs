//! Inputs from the fuzz targets (`fuzz/`, see `fuzz/README.md`), replayed through the same
//! checks as the targets, without a fuzzer: the whole per-file pipeline into every report format,
//! and the rule-file and config loaders.
//!
//! `testdata/fuzz/pipeline/` and `testdata/fuzz/loaders/` hold the inputs, byte for byte (first
//! byte conventions as in the targets). A crasher found by a fuzzer goes there as
//! `crash-<what it broke>`, next to its fix. The first 30 minutes of fuzzing (about 500,000
//! executions, BENCHMARKS.md) found no crash; the `corpus-*` files are inputs the fuzzers kept for
//! new coverage (CR, BOM, tabs and invalid UTF-8 mixed into rule files, suppressions and
//! `# Source:` splits, kustomize patches, configs with mistyped keys).
//!
//! `EKSLINT_FUZZ_REPLAY=pipeline:fuzz/corpus/pipeline` (or `loaders:DIR`) replays a whole fuzz
//! corpus the same way.

use std::path::Path;

use ekslint::fuzzing::{loaders, pipeline};
use ekslint::lint::Linter;
use ekslint::rules::RuleSet;

fn builtin() -> RuleSet {
    RuleSet::builtin().expect("the built-in rules load")
}

fn inputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).expect("readable");
            (p.display().to_string(), bytes)
        })
        .collect()
}

/// Runs `f` on every input, naming the one that panics.
fn replay(target: &str, dir: &Path, f: impl Fn(&[u8])) -> usize {
    let all = inputs(dir);
    for (name, bytes) in &all {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(bytes)));
        assert!(outcome.is_ok(), "{target}: {name} panicked");
    }
    all.len()
}

#[test]
fn pipeline_inputs() {
    let linter = Linter::new(builtin());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/fuzz/pipeline");
    assert!(replay("pipeline", &dir, |d| pipeline(&linter, d)) > 0);
}

#[test]
fn loader_inputs() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/fuzz/loaders");
    assert!(replay("loaders", &dir, loaders) > 0);
}

#[test]
fn replay_a_fuzz_corpus_when_asked() {
    let Ok(spec) = std::env::var("EKSLINT_FUZZ_REPLAY") else {
        return;
    };
    let (target, dir) = spec
        .split_once(':')
        .expect("EKSLINT_FUZZ_REPLAY=pipeline:DIR or loaders:DIR");
    let n = match target {
        "pipeline" => {
            let linter = Linter::new(builtin());
            replay(target, Path::new(dir), |d| pipeline(&linter, d))
        }
        "loaders" => replay(target, Path::new(dir), loaders),
        other => panic!("unknown fuzz target `{other}`"),
    };
    eprintln!("replayed {n} {target} inputs from {dir}");
}
