//! Between linting and reporting, findings wait for the cross-file phase and for the files before
//! theirs to be reported. Up to a memory budget they wait in memory; beyond it they wait in an
//! anonymous temporary file and are read back when their file is reported. A run's memory then
//! stays about the same however many files and findings it has (the budget is far above what a
//! repository's findings take: only runs over tens of thousands of files spill).
//!
//! If no temporary file can be created or written, findings stay in memory: spilling saves
//! memory, it is never a reason for a run to fail.

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Finding, Label, Severity};
use crate::k8s::ObjectRef;
use crate::rules::RuleSet;
use crate::source::{Loc, Span};

/// How much finding memory a run keeps before spilling (override: `EKSLINT_SPILL_BUDGET`, bytes).
pub const DEFAULT_BUDGET: usize = 4 << 20;

/// Where some findings of a file were written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    offset: u64,
    len: u32,
}

/// A finding as it is written: the rule by id (its metadata is shared, never copied).
#[derive(Serialize)]
struct Out<'a> {
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    help: Option<&'a str>,
    span: Span,
    loc: Loc,
    label: Option<&'a str>,
    labels: Vec<(Span, Loc, &'a str)>,
    object: Option<&'a ObjectRef>,
    path: Option<&'a str>,
}

impl<'a> Out<'a> {
    fn new(f: &'a Finding) -> Out<'a> {
        Out {
            rule: &f.rule.id,
            severity: f.severity,
            message: &f.message,
            help: f.help.as_deref(),
            span: f.span,
            loc: f.loc,
            label: f.label.as_deref(),
            labels: f.labels.iter().map(|l| (l.span, l.loc, &*l.text)).collect(),
            object: f.object.as_ref(),
            path: f.path.as_deref(),
        }
    }
}

/// A finding as it is read back.
#[derive(Deserialize)]
struct In {
    rule: String,
    severity: Severity,
    message: String,
    help: Option<String>,
    span: Span,
    loc: Loc,
    label: Option<String>,
    labels: Vec<(Span, Loc, String)>,
    object: Option<ObjectRef>,
    path: Option<String>,
}

impl In {
    fn finding(self, rules: &RuleSet) -> Option<Finding> {
        let rule = rules.rules.iter().find(|r| r.meta.id == self.rule)?;
        Some(Finding {
            rule: rule.meta.clone(),
            severity: self.severity,
            message: self.message,
            help: self.help,
            span: self.span,
            label: self.label,
            labels: self
                .labels
                .into_iter()
                .map(|(span, loc, text)| Label { span, text, loc })
                .collect(),
            object: self.object,
            path: self.path,
            loc: self.loc,
        })
    }
}

struct Store {
    out: BufWriter<File>,
    len: u64,
    /// A write failed (disk full?): nothing more is written, but what was written before is
    /// still read back.
    broken: bool,
}

pub struct Spill {
    budget: usize,
    held: AtomicUsize,
    /// Findings written to the file so far.
    written: AtomicUsize,
    /// `None` until the first spill; `Err` if no temporary file could be made (findings stay in
    /// memory then).
    store: Mutex<Option<Result<Store, ()>>>,
}

impl Spill {
    pub fn new(budget: usize) -> Spill {
        Spill {
            budget,
            held: AtomicUsize::new(0),
            written: AtomicUsize::new(0),
            store: Mutex::new(None),
        }
    }

    /// The budget from `EKSLINT_SPILL_BUDGET` (bytes), else [`DEFAULT_BUDGET`].
    pub fn from_env() -> Spill {
        let budget = std::env::var("EKSLINT_SPILL_BUDGET")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(DEFAULT_BUDGET);
        Spill::new(budget)
    }

    /// Keeps `findings` in memory while the budget allows; otherwise writes them to the temporary
    /// file, empties the vector and returns where they went.
    pub fn keep(&self, findings: &mut Vec<Finding>) -> Option<Segment> {
        if findings.is_empty() {
            return None;
        }
        let size: usize = findings.iter().map(Finding::heap_size).sum();
        let before = self.held.fetch_add(size, Ordering::Relaxed);
        if before + size <= self.budget {
            return None;
        }
        self.held.fetch_sub(size, Ordering::Relaxed);
        let out: Vec<Out<'_>> = findings.iter().map(Out::new).collect();
        let bytes = serde_json::to_vec(&out).ok()?;
        let len = u32::try_from(bytes.len()).ok()?;
        let mut guard = self.store.lock().ok()?;
        let store = guard.get_or_insert_with(|| {
            tempfile::tempfile()
                .map(|f| Store {
                    out: BufWriter::with_capacity(1 << 16, f),
                    len: 0,
                    broken: false,
                })
                .map_err(|_| ())
        });
        let Ok(store) = store else {
            // No temporary file: the findings stay where they are.
            return None;
        };
        if store.broken {
            return None;
        }
        if store.out.write_all(&bytes).is_err() {
            // These stay in memory; the bytes that did go out are past every segment's end.
            store.broken = true;
            return None;
        }
        let segment = Segment {
            offset: store.len,
            len,
        };
        store.len += u64::from(len);
        self.written.fetch_add(findings.len(), Ordering::Relaxed);
        findings.clear();
        findings.shrink_to_fit();
        Some(segment)
    }

    /// How many findings went to the temporary file.
    pub fn written(&self) -> usize {
        self.written.load(Ordering::Relaxed)
    }

    /// The budget, in bytes.
    pub fn budget(&self) -> usize {
        self.budget
    }

    /// Reads back the findings of `segment`.
    pub fn load(&self, segment: Segment, rules: &RuleSet) -> std::io::Result<Vec<Finding>> {
        let mut guard = self
            .store
            .lock()
            .map_err(|_| std::io::Error::other("spill file lock poisoned"))?;
        let Some(Ok(store)) = guard.as_mut() else {
            return Err(std::io::Error::other("spill file is gone"));
        };
        store.out.flush()?;
        let file = store.out.get_mut();
        file.seek(SeekFrom::Start(segment.offset))?;
        let mut bytes = vec![0u8; segment.len as usize];
        file.read_exact(&mut bytes)?;
        // Later writes append: put the cursor back at the end.
        file.seek(SeekFrom::End(0))?;
        let stored: Vec<In> = serde_json::from_slice(&bytes).map_err(std::io::Error::other)?;
        stored
            .into_iter()
            .map(|s| {
                let rule = s.rule.clone();
                s.finding(rules).ok_or_else(|| {
                    std::io::Error::other(format!("a finding of unknown rule `{rule}`"))
                })
            })
            .collect()
    }
}
