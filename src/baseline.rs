//! Baselines, for adopting ekslint on an existing repository: `--write-baseline FILE` records the
//! current findings, `--baseline FILE` reports only new ones. Entries are keyed on file, rule,
//! object, the node's path inside the object and a hash of the offending text
//! ([`Finding::fingerprint`]) — never on line numbers — so moving code does not break them, and
//! entries that no longer match are reported so the file only shrinks.
//!
//! Files are named relative to the baseline file's own directory ([`Names`]), so the baseline
//! matches whatever directory ekslint runs from and however the paths were typed. A run over
//! some of the files (pre-commit passes only the changed ones) reports stale entries only for the
//! files and rules it checked.
//!
//! A file renamed or moved since (`git mv`) keeps its entries: a finding no entry of its own file
//! excuses is matched against the entries of the baselined files that are gone from disk, by the
//! same identity without the file name.

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
    names: Names,
    /// The files the entries name, with the rules of their entries; and those of them that this
    /// run checked, each with the rules of its entries that did not run on it (`per-path-ignores`).
    files: HashMap<String, Vec<String>>,
    seen: HashMap<String, Vec<String>>,
    /// The entries of files that are gone from disk, by their fingerprint without the file name:
    /// what a renamed or moved file's findings are matched against.
    gone: HashMap<String, Vec<String>>,
    pub matched: usize,
    /// How many of `matched` were matched through `gone` (renamed or moved files).
    pub moved: usize,
}

/// How a baseline names a file on disk: relative to the baseline file's directory
/// (`k8s/web.yaml` whether ekslint was given `k8s`, `./k8s`, `../repo/k8s` or an absolute path;
/// `../k8s/web.yaml` for a baseline in `.ci/`); standard input as it was named, without `./`.
#[derive(Debug, Default)]
pub struct Names(Option<crate::discover::Anchor>);

impl Names {
    /// Whether the file an entry names is gone from disk (deleted or renamed): its entries are
    /// stale whichever files a run checks. Standard input's names (`<stdin>`) are never gone.
    fn is_gone(&self, name: &str) -> bool {
        !name.starts_with('<')
            && self
                .0
                .as_ref()
                .is_some_and(|a| !a.join(Path::new(name)).exists())
    }

    /// For the baseline file at `path` (which need not exist yet).
    pub fn for_baseline(path: &Path) -> Names {
        Names(crate::discover::Anchor::new(path))
    }

    pub fn name(&self, r: &FileResult) -> String {
        let given = &r.source.name;
        let given = given.strip_prefix("./").unwrap_or(given);
        self.0
            .as_ref()
            .zip(r.origin.as_deref())
            .and_then(|(anchor, origin)| anchor.relative_any(origin))
            .and_then(|rel| rel.to_str().map(str::to_string))
            .filter(|rel| !rel.is_empty())
            .map_or_else(
                || crate::report::forward_slashes(given).into_owned(),
                |rel| crate::report::forward_slashes(&rel).into_owned(),
            )
    }
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
        let names = Names::for_baseline(path);
        let mut gone_files: HashMap<&str, bool> = HashMap::new();
        let mut gone: HashMap<String, Vec<String>> = HashMap::new();
        for e in &file.entries {
            let is_gone = *gone_files
                .entry(e.file.as_str())
                .or_insert_with(|| names.is_gone(&e.file));
            if let Some(identity) = is_gone
                .then(|| e.fingerprint.strip_prefix(e.file.as_str()))
                .flatten()
            {
                gone.entry(identity.to_string())
                    .or_default()
                    .push(e.fingerprint.clone());
            }
        }
        Ok(Baseline {
            remaining,
            files: file.entries.iter().fold(HashMap::new(), |mut files, e| {
                files
                    .entry(e.file.clone())
                    .or_insert_with(Vec::new)
                    .push(e.rule.clone());
                files
            }),
            entries: file.entries,
            names,
            seen: HashMap::new(),
            gone,
            matched: 0,
            moved: 0,
        })
    }

    /// Notes that this run checked `r`'s file, with the rules that ran on it (`runs(id)`). A
    /// file that was skipped (over `--max-file-size`) was not checked: its entries are neither
    /// stale nor dropped by a rewrite.
    pub fn see(&mut self, r: &FileResult, runs: impl Fn(&str) -> bool) -> String {
        let name = self.names.name(r);
        if r.skipped.is_some() {
            return name;
        }
        if let Some(rules) = self.files.get(&name) {
            let idle = rules.iter().filter(|id| !runs(id)).cloned().collect();
            self.seen.insert(name.clone(), idle);
        }
        name
    }

    /// Drops the findings of `r` that the baseline excuses. `runs(id)`: whether the rule ran on
    /// the file. A finding its own file's entries do not excuse may be one of a file that is gone
    /// from disk (renamed or moved): the same identity, another file name.
    pub fn filter(&mut self, r: &mut FileResult, runs: impl Fn(&str) -> bool) {
        let name = self.see(r, runs);
        let (remaining, gone) = (&mut self.remaining, &self.gone);
        let (mut matched, mut moved) = (0, 0);
        r.findings.retain(|f| {
            let fingerprint = f.fingerprint(&name);
            if let Some(n) = remaining.get_mut(&fingerprint).filter(|n| **n > 0) {
                *n -= 1;
                matched += 1;
                return false;
            }
            let identity = fingerprint.strip_prefix(name.strip_prefix("./").unwrap_or(&name));
            let from_gone = identity.and_then(|id| gone.get(id)).and_then(|fps| {
                fps.iter()
                    .find(|fp| remaining.get(*fp).is_some_and(|n| *n > 0))
            });
            match from_gone.and_then(|fp| remaining.get_mut(fp)) {
                Some(n) => {
                    *n -= 1;
                    matched += 1;
                    moved += 1;
                    false
                }
                None => true,
            }
        });
        self.matched += matched;
        self.moved += moved;
    }

    /// Which entries this run could judge: those of the files it checked for the rules it ran on
    /// them (`ran`), and every entry of a file that is gone from disk. A cross-file rule's finding
    /// depends on other files too: its entries are judged only when the run checked every file
    /// the baseline names (that is still there).
    fn judged<'e>(
        &'e self,
        ran: impl Fn(&str) -> bool + 'e,
        cross_file: impl Fn(&str) -> bool + 'e,
    ) -> impl Fn(&Entry) -> bool + 'e {
        let gone: std::collections::HashSet<&str> = self
            .files
            .keys()
            .filter(|f| !self.seen.contains_key(*f) && self.names.is_gone(f))
            .map(String::as_str)
            .collect();
        let every_file = self.seen.len() + gone.len() == self.files.len();
        move |e: &Entry| {
            let gone = gone.contains(e.file.as_str());
            let checked = gone
                || self
                    .seen
                    .get(&e.file)
                    .is_some_and(|idle| !idle.contains(&e.rule))
                    && ran(&e.rule);
            checked && (every_file || gone || !cross_file(&e.rule))
        }
    }

    /// Entries that excused nothing this run (fixed findings): one per fingerprint left over,
    /// among the entries it could judge ([`Baseline::judged`]).
    pub fn stale(
        &self,
        ran: impl Fn(&str) -> bool,
        cross_file: impl Fn(&str) -> bool,
    ) -> Vec<&Entry> {
        let mut left = self.remaining.clone();
        let judged = self.judged(ran, cross_file);
        self.entries
            .iter()
            .filter(|e| judged(e))
            .filter(|e| match left.get_mut(&e.fingerprint) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    true
                }
                _ => false,
            })
            .collect()
    }

    /// The entries this run could not judge (other files, other rules): what rewriting the
    /// baseline after a run over some of the files keeps.
    pub fn unjudged(
        self,
        ran: impl Fn(&str) -> bool,
        cross_file: impl Fn(&str) -> bool,
    ) -> Vec<Entry> {
        let keep: Vec<bool> = {
            let judged = self.judged(ran, cross_file);
            self.entries.iter().map(|e| !judged(e)).collect()
        };
        self.entries
            .into_iter()
            .zip(keep)
            .filter_map(|(e, keep)| keep.then_some(e))
            .collect()
    }
}

/// The entries for every finding of `r`, its file named by `names`.
pub fn entries(r: &FileResult, names: &Names) -> Vec<Entry> {
    let file = names.name(r);
    r.findings
        .iter()
        .map(|f| Entry {
            fingerprint: f.fingerprint(&file),
            rule: f.rule.id.clone(),
            file: file.clone(),
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
