//! The whole per-file pipeline: bytes → `Linter::lint_bytes` with every built-in rule (parse,
//! objects, document, object and text rules, facts) → `Linter::finish` (cross-file phase,
//! suppressions, unused-suppression findings) → baseline fingerprints → every report format,
//! written to a sink.
//!
//! An optional first byte 0..=4 picks how the file is named (so JSON, NFS exports files, kustomize
//! patches and rendered `helm template` output on standard input are reached too); any other first
//! byte, as in every real manifest, means `fuzz.yaml` and belongs to the content.
#![no_main]

use std::io::{Sink, Write};
use std::sync::OnceLock;

use ekslint::diagnostic::FileResult;
use ekslint::lint::{Linter, split_rendered};
use ekslint::report::{self, Reporter, Summary};
use ekslint::rules::RuleSet;
use libfuzzer_sys::fuzz_target;

fn linter() -> &'static Linter {
    static LINTER: OnceLock<Linter> = OnceLock::new();
    LINTER.get_or_init(|| Linter::new(RuleSet::builtin().expect("built-in rules load")))
}

fn reporters(linter: &Linter) -> Vec<Box<dyn Reporter>> {
    vec![
        Box::new(report::human::Human::new(true, true, 100)),
        Box::new(report::human::Human::new(false, false, 40)),
        Box::new(report::json::Json::default()),
        Box::new(report::json_lines::JsonLines),
        Box::new(report::sarif::Sarif::new(&linter.rules)),
        Box::new(report::github::Github),
        Box::new(report::gitlab::Gitlab::default()),
        Box::new(report::junit::Junit::default()),
        Box::new(report::statistics::Statistics::new(
            Box::new(report::json::Json::default()),
            Box::new(std::io::sink()),
        )),
    ]
}

fuzz_target!(|data: &[u8]| {
    let (name, content) = match data.first() {
        Some(0) => ("fuzz.json", &data[1..]),
        Some(1) => ("exports", &data[1..]),
        Some(2) => ("overlay/deployment-patch.yaml", &data[1..]),
        Some(3) => ("<stdin>", &data[1..]),
        Some(4) => ("fuzz.yml", &data[1..]),
        _ => ("fuzz.yaml", data),
    };
    let linter = linter();
    let mut results = vec![linter.lint_bytes(name, content.to_vec())];
    linter.finish(&mut results);
    // Standard input is split into the files its `# Source:` comments name, as the CLI does.
    let results: Vec<FileResult> = results.into_iter().flat_map(split_rendered).collect();
    let mut summary = Summary::default();
    for r in &results {
        summary.add(r);
        for f in &r.findings {
            // Spans must stay inside the text: reporters slice it.
            assert!(f.span.start <= f.span.end, "{f:?}");
            assert!(f.span.end as usize <= r.source.text.len(), "{f:?}");
            let _ = r.source.position(f.span.end as usize);
        }
        let _ = ekslint::baseline::entries(r);
    }
    let _ = summary.line();
    for mut reporter in reporters(linter) {
        let mut out: Sink = std::io::sink();
        for r in &results {
            reporter.file(&mut out, r).expect("a sink does not fail");
        }
        reporter
            .finish(&mut out, &summary)
            .expect("a sink does not fail");
        out.flush().expect("a sink does not fail");
    }
});
