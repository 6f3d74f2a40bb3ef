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

use ekslint::config::Config;
use ekslint::diagnostic::FileResult;
use ekslint::lint::{Linter, split_rendered};
use ekslint::report::{self, Reporter, Summary};
use ekslint::rules::{self, RuleSet};

fn builtin() -> RuleSet {
    RuleSet::builtin().expect("the built-in rules load")
}

/// What `fuzz/fuzz_targets/pipeline.rs` does with one input.
fn pipeline(linter: &Linter, data: &[u8]) {
    let (name, content) = match data.first() {
        Some(0) => ("fuzz.json", &data[1..]),
        Some(1) => ("exports", &data[1..]),
        Some(2) => ("overlay/deployment-patch.yaml", &data[1..]),
        Some(3) => ("<stdin>", &data[1..]),
        Some(4) => ("fuzz.yml", &data[1..]),
        _ => ("fuzz.yaml", data),
    };
    let mut results = vec![linter.lint_bytes(name, content.to_vec())];
    linter.finish(&mut results);
    let results: Vec<FileResult> = results.into_iter().flat_map(split_rendered).collect();
    let mut summary = Summary::default();
    for r in &results {
        summary.add(r);
        for f in &r.findings {
            assert!(f.span.start <= f.span.end, "{f:?}");
            assert!(f.span.end as usize <= r.source.text.len(), "{f:?}");
            let _ = r.source.position(f.span.end as usize);
        }
        let _ = ekslint::baseline::entries(r);
    }
    let _ = summary.line();
    let reporters: Vec<Box<dyn Reporter>> = vec![
        Box::new(report::human::Human::new(true, true, 100)),
        Box::new(report::human::Human::new(false, false, 40)),
        Box::new(report::json::Json::default()),
        Box::new(report::json_lines::JsonLines),
        Box::new(report::sarif::Sarif::new(&linter.rules)),
        Box::new(report::github::Github),
        Box::new(report::gitlab::Gitlab::default()),
        Box::new(report::junit::Junit::default()),
    ];
    for mut reporter in reporters {
        let mut out = Vec::new();
        for r in &results {
            reporter.file(&mut out, r).expect("writing to memory");
        }
        reporter
            .finish(&mut out, &summary)
            .expect("writing to memory");
    }
}

/// What `fuzz/fuzz_targets/loaders.rs` does with one input.
fn loaders(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(config) = text.strip_prefix('\0') {
        if ["/dev", "/proc", "/sys"].iter().any(|p| config.contains(p)) {
            return;
        }
        let path = Path::new("/nonexistent-ekslint-fuzz/.ekslint.yaml");
        if let Ok(cfg) = Config::parse_str(config, path) {
            let mut set = builtin();
            if cfg.validate(&set).is_ok() {
                cfg.apply(&mut set);
                let _ = cfg.path_ignores();
            }
        }
        return;
    }
    let Ok(rule) = rules::load_rule("fuzz.yaml", text, "fuzz.yaml") else {
        return;
    };
    let mut set = builtin();
    let id = rule.meta.id.clone();
    set.rules
        .retain(|r| r.meta.id != rule.meta.id && r.meta.name != rule.meta.name);
    set.rules.push(rule);
    let linter = Linter::new(set);
    let _ = rules::examples::check(&linter, &id);
    let manifest = include_str!("../examples/k8s/web.yaml");
    let mut results = vec![linter.lint_bytes("web.yaml", manifest.as_bytes().to_vec())];
    linter.finish(&mut results);
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
