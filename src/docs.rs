//! Documentation generated from the rules' own metadata: `ekslint rule ID` and the README's rule
//! table (a test fails when the README's copy is stale).

use std::fmt::Write as _;

use crate::rules::{Rule, RuleSet};

/// The TKE Serverless FAQ page the `faq:` sections point into.
pub const FAQ_URL: &str = "https://cloud.tencent.com/document/product/457/54980";

/// A rule's full explanation as Markdown.
pub fn rule_markdown(rule: &Rule) -> String {
    let m = &rule.meta;
    let mut s = String::new();
    let _ = writeln!(s, "# {} {}\n", m.id, m.name);
    let _ = writeln!(s, "Severity: {}. {}\n", m.severity.as_str(), m.summary);
    let _ = writeln!(s, "{}", rule.explanation.trim_end());
    if let Some(h) = &m.help {
        let _ = writeln!(s, "\n**Fix:** {h}");
    }
    if let Some(faq) = &rule.faq {
        let _ = writeln!(s, "\nFAQ: {faq} — {FAQ_URL}");
    }
    if let Some(u) = &m.url {
        let _ = writeln!(s, "More: {u}");
    }
    for (title, list) in [
        ("Fires on", &rule.examples.firing),
        ("Silent on", &rule.examples.silent),
    ] {
        for ex in list.iter() {
            let name = ex.name.as_deref().unwrap_or("");
            let _ = writeln!(
                s,
                "\n## {title}{}{name}\n",
                if name.is_empty() { "" } else { ": " }
            );
            let _ = writeln!(s, "```yaml\n{}```", ex.yaml.value);
        }
    }
    if rule.origin != "built-in" {
        let _ = writeln!(s, "\n(Defined in {}.)", rule.origin);
    }
    s
}

/// The README's rule table.
pub fn rule_table(set: &RuleSet) -> String {
    let mut s = String::from("| ID | name | severity | what it finds |\n|---|---|---|---|\n");
    for r in &set.rules {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            r.meta.id,
            r.meta.name,
            r.meta.severity.as_str(),
            r.meta.summary.replace('|', "\\|")
        );
    }
    s
}
