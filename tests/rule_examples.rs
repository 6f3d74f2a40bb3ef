//! Every rule's firing and silent examples, from its own file, run as tests.

use ekslint::lint::Linter;
use ekslint::rules::{RuleSet, examples};

#[test]
fn every_rule_example_holds() {
    let linter = Linter::new(RuleSet::builtin().expect("built-in rules load"));
    let ids: Vec<String> = linter
        .rules
        .rules
        .iter()
        .map(|r| r.meta.id.clone())
        .collect();
    assert!(
        ids.len() >= 11,
        "expected the built-in catalog, got {ids:?}"
    );
    let problems: Vec<String> = ids
        .iter()
        .flat_map(|id| examples::check(&linter, id))
        .collect();
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn the_example_checker_catches_a_wrong_line() {
    // A test that cannot fail is a defect: prove the checker rejects a wrong expectation.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.yaml"),
        r#"id: TEST001
name: always-image
severity: warning
summary: every container image
explanation: test
message: image {value}
check:
  select:
    - containers[*].image
examples:
  firing:
    - lines: [1]
      yaml: |
        apiVersion: v1
        kind: Pod
        spec:
          containers: [{name: a, image: x}]
  silent:
    - yaml: |
        apiVersion: v1
        kind: Pod
        spec:
          containers: [{name: a, image: x}]
"#,
    )
    .unwrap();
    let mut set = RuleSet::builtin().unwrap();
    set.load_dir(dir.path()).unwrap();
    let linter = Linter::new(set);
    let problems = examples::check(&linter, "TEST001");
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(problems[0].contains("expected findings on lines [1], got [4]"));
    assert!(problems[1].contains("silent example"));
}

#[test]
fn the_readme_custom_rule_example_works() {
    // The worked custom rule of the README: it loads, its examples hold, and it fires on the example manifests.
    let mut set = RuleSet::builtin().unwrap();
    let n = set
        .load_dir(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/rules"
        )))
        .unwrap();
    assert_eq!(n, 1);
    let linter = Linter::new(set);
    assert_eq!(examples::check(&linter, "ACME001"), Vec::<String>::new());
    let text = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/k8s/exporter.yaml"
    ))
    .unwrap();
    let r = linter.lint_bytes("exporter.yaml", text);
    let acme: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.rule.id == "ACME001")
        .collect();
    assert_eq!(acme.len(), 1);
    assert!(
        acme[0].message.contains("prom/node-exporter"),
        "{}",
        acme[0].message
    );
}
