//! Runs the firing and silent examples of rule files: the built-in rules' examples are a test
//! (`tests/rule_examples.rs`), and users check their own with `ekslint test-rules --rules DIR`.

use crate::lint::Linter;

/// Checks every example of the rule `id` with all rules of `linter` in force. Returns one line per
/// problem; empty means the examples hold.
pub fn check(linter: &Linter, id: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(rule) = linter.rules.get(id) else {
        return vec![format!("{id}: no such rule")];
    };
    if rule.examples.firing.is_empty() {
        problems.push(format!("{id}: has no firing example"));
    }
    if rule.examples.silent.is_empty() {
        problems.push(format!("{id}: has no silent example"));
    }
    // Numbered within their kind: "silent example #1" is the first silent one.
    let examples = (rule
        .examples
        .firing
        .iter()
        .enumerate()
        .map(|(i, e)| (true, i, e)))
    .chain(
        rule.examples
            .silent
            .iter()
            .enumerate()
            .map(|(i, e)| (false, i, e)),
    );
    // Where the examples are: the rule's file (a built-in's in this repository's `rules/`).
    let origin = match rule.origin.as_str() {
        "built-in" => format!("rules/{id}.yaml"),
        file => crate::discover::from_here(std::path::Path::new(file)),
    };
    for (firing, i, ex) in examples {
        let label = format!(
            "{id} {} example #{} ({}, {origin}:{})",
            if firing { "firing" } else { "silent" },
            i + 1,
            ex.name.as_deref().unwrap_or("unnamed"),
            ex.yaml.referenced.line()
        );
        if !firing && !ex.lines.is_empty() {
            problems.push(format!(
                "{label}: a silent example fires on no line: remove its `lines`"
            ));
        }
        let file = ex.filename.as_deref().unwrap_or("example.yaml");
        let mut results = vec![linter.lint_bytes(file, ex.yaml.value.clone().into_bytes())];
        // Cross-file rules see the example as the whole tree.
        linter.finish(&mut results);
        let Some(result) = results.pop() else {
            continue;
        };
        // Examples of other rules must be valid YAML, or they prove nothing.
        if id != "EKS001" && id != "EKS004" {
            for f in result
                .findings
                .iter()
                .filter(|f| f.rule.id == "EKS001" || f.rule.id == "EKS004")
            {
                problems.push(format!(
                    "{label}: the example itself does not parse: {} (line {})",
                    f.message,
                    f.start().line
                ));
            }
        }
        let mut lines: Vec<usize> = result
            .findings
            .iter()
            .filter(|f| f.rule.id == id)
            .map(|f| f.start().line)
            .collect();
        lines.sort_unstable();
        let mut expected = if firing { ex.lines.clone() } else { Vec::new() };
        expected.sort_unstable();
        if firing && expected.is_empty() {
            problems.push(format!(
                "{label}: a firing example must list the `lines` it fires on"
            ));
        }
        if lines != expected {
            let msgs: Vec<String> = result
                .findings
                .iter()
                .filter(|f| f.rule.id == id)
                .map(|f| format!("    line {}: {}", f.start().line, f.message))
                .collect();
            problems.push(format!(
                "{label}: expected findings on lines {expected:?}, got {lines:?}\n{}",
                msgs.join("\n")
            ));
        }
    }
    problems
}
