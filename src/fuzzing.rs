//! What the fuzz targets (`fuzz/fuzz_targets/`) do with one input, shared with the test that
//! replays their kept inputs (`tests/fuzz_regressions.rs`): the test runs exactly the code the
//! fuzzers ran. Not part of the public API.

use std::path::Path;

use crate::config::Config;
use crate::diagnostic::FileResult;
use crate::lint::{Linter, split_rendered};
use crate::report::{self, Reporter, Summary};
use crate::rules::{self, RuleSet};
use crate::spill::Spill;

/// The name a pipeline input is linted under, and its content: an optional first byte `0..=4`
/// picks a name (JSON, NFS exports, a kustomize patch, standard input, `.yml`); any other first
/// byte, as in every real manifest, means `fuzz.yaml` and belongs to the content.
pub fn named(data: &[u8]) -> (&'static str, &[u8]) {
    match data.first() {
        Some(0) => ("fuzz.json", &data[1..]),
        Some(1) => ("exports", &data[1..]),
        Some(2) => ("overlay/deployment-patch.yaml", &data[1..]),
        Some(3) => ("<stdin>", &data[1..]),
        Some(4) => ("fuzz.yml", &data[1..]),
        _ => ("fuzz.yaml", data),
    }
}

/// Every report format.
fn reporters(linter: &Linter) -> Vec<Box<dyn Reporter>> {
    vec![
        Box::new(report::human::Human::new(true, true, 100)),
        Box::new(report::human::Human::new(false, false, 40)),
        Box::new(report::json::Json::default()),
        Box::new(report::json_lines::JsonLines),
        Box::new(report::sarif::Sarif::new(&linter.rules)),
        Box::new(report::github::Github),
        Box::new(report::gitlab::Gitlab::default()),
        Box::new(report::junit::Junit::new(Some(
            crate::diagnostic::Severity::Info,
        ))),
        Box::new(report::statistics::Statistics::new(
            Box::new(report::json::Json::default()),
            Box::new(std::io::sink()),
        )),
    ]
}

/// The whole per-file pipeline on one input: lint with every built-in rule, the cross-file phase
/// and suppressions, the `# Source:` split of standard input, baseline fingerprints and every
/// report format. Panics on a broken invariant: a span outside the text, a located line or
/// column that is not the span's, a finding that does not survive the spill file unchanged.
pub fn pipeline(linter: &Linter, data: &[u8]) {
    let (name, content) = named(data);
    let mut results = vec![linter.lint_bytes(name, content.to_vec())];
    linter.finish(&mut results);
    let results: Vec<FileResult> = results.into_iter().flat_map(split_rendered).collect();
    let spill = Spill::new(0);
    let mut summary = Summary::default();
    for r in &results {
        summary.add(r);
        for f in &r.findings {
            // Spans must stay inside the text: reporters slice it.
            assert!(f.span.start <= f.span.end, "{f:?}");
            assert!(f.span.end as usize <= r.source.text.len(), "{f:?}");
            // Machine reports use the lines and columns found while linting.
            assert_eq!(f.start(), r.source.position(f.span.start as usize), "{f:?}");
            assert_eq!(f.end(), r.source.position(f.span.end as usize), "{f:?}");
        }
        let _ = crate::baseline::entries(r, &crate::baseline::Names::default());
        // Past the memory budget findings wait in a file: they must come back as they went.
        let mut findings = r.findings.clone();
        if let Some(segment) = spill.keep(&mut findings) {
            let back = spill
                .load(segment, &linter.rules)
                .expect("spill file reads back");
            assert_eq!(format!("{back:?}"), format!("{:?}", r.findings));
        }
    }
    let _ = summary.line();
    // A path that is not linted is named in the report too, with a reason: fuzzed text for both.
    let reason = String::from_utf8_lossy(&content[..content.len().min(64)]);
    for mut reporter in reporters(linter) {
        let mut out = std::io::sink();
        reporter
            .not_linted(&mut out, name, &reason)
            .expect("a sink does not fail");
        for r in &results {
            reporter.file(&mut out, r).expect("a sink does not fail");
        }
        reporter
            .finish(&mut out, &summary)
            .expect("a sink does not fail");
    }
}

const MANIFEST: &str = include_str!("../examples/k8s/web.yaml");

/// The rule-file and config loaders on one input: a first byte 0 means the rest is a config file
/// (parsed, validated against the built-in rules, applied); anything else is a rule file, which,
/// if it loads, runs on its own examples and on a small manifest.
pub fn loaders(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(config) = text.strip_prefix('\0') {
        // `extend:` reads another file: keep the fuzzer away from device and kernel files.
        if ["/dev", "/proc", "/sys"].iter().any(|p| config.contains(p)) {
            return;
        }
        let path = Path::new("/nonexistent-ekslint-fuzz/.ekslint.yaml");
        if let Ok(cfg) = Config::parse_str(config, path) {
            let mut set = RuleSet::builtin().expect("built-in rules load");
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
    let mut set = RuleSet::builtin().expect("built-in rules load");
    let id = rule.meta.id.clone();
    set.rules
        .retain(|r| r.meta.id != rule.meta.id && r.meta.name != rule.meta.name);
    set.rules.push(rule);
    let linter = Linter::new(set);
    let _ = rules::examples::check(&linter, &id);
    let mut results = vec![linter.lint_bytes("web.yaml", MANIFEST.as_bytes().to_vec())];
    linter.finish(&mut results);
}
