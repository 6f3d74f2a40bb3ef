//! The rule-file loader and the config loader (`ekslint::fuzzing::loaders`, which
//! `tests/fuzz_regressions.rs` runs on the kept inputs).
//!
//! A first byte 0 means the rest is a config file (`Config::parse_str`, then validated against the
//! built-in rules and applied); anything else is a rule file (`rules::load_rule`). A rule that
//! loads is then run: its own examples (`rules::examples::check`, which lints them with every
//! built-in rule) and a small manifest, so its paths, predicates, regexes and message templates
//! are evaluated too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ekslint::fuzzing::loaders(data);
});
