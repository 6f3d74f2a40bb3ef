//! The README's rule table is generated from `rules/`; this fails when it is stale.
//! `UPDATE_README=1 cargo test --test readme` rewrites it.

use ekslint::docs::rule_table;
use ekslint::rules::RuleSet;

const START: &str = "<!-- rules:start -->\n";
const END: &str = "<!-- rules:end -->";

#[test]
fn readme_rule_table_is_generated_from_rules() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).expect("README.md");
    let start = readme.find(START).expect("rules:start marker") + START.len();
    let end = readme.find(END).expect("rules:end marker");
    let table = rule_table(&RuleSet::builtin().expect("rules load"));
    if readme[start..end] != table {
        if std::env::var_os("UPDATE_README").is_some() {
            let updated = format!("{}{table}{}", &readme[..start], &readme[end..]);
            std::fs::write(path, updated).expect("write README.md");
        } else {
            panic!(
                "README rule table is stale; run `UPDATE_README=1 cargo test --test readme`.\nExpected:\n{table}"
            );
        }
    }
}

#[test]
fn readme_names_the_two_setup_commands() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(readme.contains("cargo install --locked --path . && ekslint examples/k8s"));
    assert!(readme.contains("cargo test --locked"));
    let ci = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/run")).unwrap();
    assert!(
        ci.contains("cargo test --locked"),
        ".ci/run must run the README's test command"
    );
}
