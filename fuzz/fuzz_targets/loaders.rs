//! The rule-file loader and the config loader.
//!
//! A first byte 0 means the rest is a config file (`Config::parse_str`, then validated against the
//! built-in rules and applied); anything else is a rule file (`rules::load_rule`). A rule that
//! loads is then run: its own examples (`rules::examples::check`, which lints them with every
//! built-in rule) and a small manifest, so its paths, predicates, regexes and message templates
//! are evaluated too.
#![no_main]

use std::path::Path;

use ekslint::config::Config;
use ekslint::lint::Linter;
use ekslint::rules::{self, RuleSet};
use libfuzzer_sys::fuzz_target;

const MANIFEST: &str = include_str!("../../examples/k8s/web.yaml");

fuzz_target!(|data: &[u8]| {
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
});
