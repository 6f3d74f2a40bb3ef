//! Baselines, for adopting ekslint on an existing repository: `--write-baseline FILE` records the
//! current findings, `--baseline FILE` reports only new ones. Entries are keyed on file, rule,
//! object, the node's path inside the object and a hash of the offending text
//! ([`Finding::fingerprint`]) — never on line numbers — so moving code does not break them, and
//! entries that no longer match are reported so the file only shrinks.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostic::FileResult;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineFile {
    pub version: u32,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub fingerprint: String,
    pub rule: String,
    pub file: String,
    #[serde(default)]
    pub object: Option<String>,
    pub message: String,
}

/// A loaded baseline: fingerprint → how many findings it still excuses.
#[derive(Debug, Default)]
pub struct Baseline {
    remaining: HashMap<String, usize>,
    entries: Vec<Entry>,
    pub matched: usize,
}

impl Baseline {
    pub fn load(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "cannot read baseline {}: {}",
                path.display(),
                crate::discover::io_message(&e)
            )
        })?;
        let file: BaselineFile = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not an ekslint baseline: {e}", path.display()))?;
        if file.version != 1 {
            return Err(format!(
                "{}: unsupported baseline version {}",
                path.display(),
                file.version
            ));
        }
        let mut remaining = HashMap::new();
        for e in &file.entries {
            *remaining.entry(e.fingerprint.clone()).or_insert(0) += 1;
        }
        Ok(Baseline {
            remaining,
            entries: file.entries,
            matched: 0,
        })
    }

    /// Drops the findings of `r` that the baseline excuses. Needs the file's text.
    pub fn filter(&mut self, r: &mut FileResult) {
        let source = &r.source;
        let remaining = &mut self.remaining;
        let mut matched = 0;
        r.findings
            .retain(|f| match remaining.get_mut(&f.fingerprint(&source.name)) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    matched += 1;
                    false
                }
                _ => true,
            });
        self.matched += matched;
    }

    /// Entries that excused nothing this run (fixed findings): one per fingerprint left over.
    pub fn stale(&self) -> Vec<&Entry> {
        let mut left = self.remaining.clone();
        self.entries
            .iter()
            .filter(|e| match left.get_mut(&e.fingerprint) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    true
                }
                _ => false,
            })
            .collect()
    }
}

/// The entries for every finding of `r`.
pub fn entries(r: &FileResult) -> Vec<Entry> {
    r.findings
        .iter()
        .map(|f| Entry {
            fingerprint: f.fingerprint(&r.source.name),
            rule: f.rule.id.clone(),
            file: r
                .source
                .name
                .strip_prefix("./")
                .unwrap_or(&r.source.name)
                .to_string(),
            object: f.object.as_ref().map(|o| o.display()),
            message: f.message.clone(),
        })
        .collect()
}

pub fn write(path: &Path, entries: Vec<Entry>) -> Result<(), String> {
    let file = BaselineFile {
        version: 1,
        entries,
    };
    let text = serde_json::to_string_pretty(&file).map_err(|e| e.to_string())?;
    std::fs::write(path, text + "\n").map_err(|e| {
        format!(
            "cannot write baseline {}: {}",
            path.display(),
            crate::discover::io_message(&e)
        )
    })
}
