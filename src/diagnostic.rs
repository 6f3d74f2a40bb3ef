//! What every stage produces and every report consumes: a finding of a rule at a span of a file.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::k8s::ObjectRef;
use crate::source::{Loc, Position, Source, Span};

#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// The metadata of a rule that a finding carries (shared, never copied per finding).
#[derive(Clone, Debug)]
pub struct RuleMeta {
    pub id: String,
    pub name: String,
    pub severity: Severity,
    pub summary: String,
    pub url: Option<String>,
    pub help: Option<String>,
    /// The user set the severity (config): it applies to every finding of the rule.
    pub forced_severity: bool,
}

/// A secondary span with its own label ("first defined here").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub text: String,
    /// Filled in by [`FileResult::locate`].
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: Arc<RuleMeta>,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    /// The offending node (the value, or the key whose value is wrong; the mapping that should hold
    /// a missing key).
    pub span: Span,
    /// What the primary label says (defaults to a short form of the rule name).
    pub label: Option<String>,
    pub labels: Vec<Label>,
    /// The object the finding belongs to; `None` for file-level findings.
    pub object: Option<ObjectRef>,
    /// Where the node sits inside the object (`.spec.template.spec.containers[name=web].image`),
    /// for fingerprints that survive moved lines.
    pub path: Option<String>,
    /// Lines and columns of `span`, filled in by [`FileResult::locate`] while the text is at hand.
    pub loc: Loc,
}

impl Finding {
    /// About how much memory the finding holds (for the spill budget).
    pub fn heap_size(&self) -> usize {
        let s = |s: &Option<String>| s.as_ref().map_or(0, String::capacity);
        let o = self.object.as_ref().map_or(0, |o| {
            s(&o.api_version) + s(&o.kind) + s(&o.namespace) + s(&o.name)
        });
        std::mem::size_of::<Finding>()
            + self.message.capacity()
            + s(&self.help)
            + s(&self.label)
            + s(&self.path)
            + o
            + self
                .labels
                .iter()
                .map(|l| std::mem::size_of::<Label>() + l.text.capacity())
                .sum::<usize>()
    }

    pub fn start(&self) -> Position {
        self.loc.start(self.span)
    }
    pub fn end(&self) -> Position {
        self.loc.end(self.span)
    }

    /// A stable identity for baselines and code-quality reports: file, rule, object, the node's
    /// path inside the object and a hash of the offending text — never line numbers, so moving
    /// code around does not change it.
    /// `file` is the file's name as reports show it.
    pub fn fingerprint(&self, file: &str) -> String {
        let o = self.object.as_ref();
        // The hash is of the node's first line: a whole mapping (a container missing a key)
        // changes with every edit inside it, its first line rarely does.
        format!(
            "{}|{}|{}/{}/{}|{}|{:016x}",
            file.strip_prefix("./").unwrap_or(file),
            self.rule.id,
            o.and_then(|o| o.kind.as_deref()).unwrap_or(""),
            o.and_then(|o| o.namespace.as_deref()).unwrap_or(""),
            o.and_then(|o| o.name.as_deref()).unwrap_or(""),
            self.path.as_deref().unwrap_or(""),
            self.loc.first_line_hash
        )
    }
}

/// FNV-1a, 64 bits: a tiny, stable hash (the standard library's may change between releases).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Why a file was not linted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub reason: String,
}

/// Everything one file produced.
#[derive(Debug)]
pub struct FileResult {
    pub source: Source,
    pub findings: Vec<Finding>,
    /// Set when the file was counted but not linted (too large, unreadable); findings may still say why.
    pub skipped: Option<Skipped>,
    /// Number of Kubernetes objects found.
    pub objects: usize,
    /// Facts for cross-file checks, with the index of the rule that collected them.
    pub facts: Vec<(usize, crate::rules::builtin::Fact)>,
    /// Suppression directives of the file, applied once every file is linted.
    pub directives: Vec<crate::suppress::Directive>,
    /// The file on disk the text was read from.
    pub origin: Option<std::path::PathBuf>,
    /// Whether `origin` is a regular file, whose text can be dropped to save memory and read
    /// again for the report (a named pipe cannot be read twice: its text is kept).
    pub rereadable: bool,
    /// Set when this is one document of rendered output (`helm template`), named after its
    /// `# Source:` comment: what it was rendered into (e.g. `<stdin>`).
    pub rendered_from: Option<String>,
    /// With `rendered_from`: which of its template's rendered documents this is, and of how many
    /// (counted in the rendered output, from 1; a template with a `range` renders several).
    pub rendered_document: Option<(usize, usize)>,
    /// For rendered output: how many of its documents (with findings) are reported under their
    /// templates' names, after it.
    pub rendered_documents: usize,
}

impl FileResult {
    /// A result for `source` with nothing found yet.
    pub fn new(source: Source) -> FileResult {
        FileResult {
            source,
            findings: Vec::new(),
            skipped: None,
            objects: 0,
            facts: Vec::new(),
            directives: Vec::new(),
            origin: None,
            rereadable: false,
            rendered_from: None,
            rendered_document: None,
            rendered_documents: 0,
        }
    }

    /// Computes the lines and columns of every span the file's findings, facts and suppression
    /// directives hold, while its text is at hand (the text of a file on disk is dropped after
    /// linting).
    pub fn locate(&mut self) {
        let source = &self.source;
        // Findings on one node come together: its place (and the hash of its first line, which
        // for a long value is most of the work) is found once for them.
        let mut last: Option<(Span, Loc)> = None;
        for f in &mut self.findings {
            f.loc = match last {
                Some((span, loc)) if span == f.span => loc,
                _ => source.loc(f.span),
            };
            last = Some((f.span, f.loc));
            for l in &mut f.labels {
                l.loc = source.loc(l.span);
            }
        }
        for (_, fact) in &mut self.facts {
            fact.loc = source.loc(fact.span);
        }
        for d in &mut self.directives {
            d.loc = source.loc(d.span);
        }
    }

    /// Orders findings by position then rule id and removes exact duplicates, so that output does
    /// not depend on the order in which rules or threads ran.
    pub fn normalize(&mut self) {
        self.findings.sort_by(|a, b| {
            (a.span.start, a.span.end, &a.rule.id, &a.message).cmp(&(
                b.span.start,
                b.span.end,
                &b.rule.id,
                &b.message,
            ))
        });
        self.findings
            .dedup_by(|a, b| a.span == b.span && a.rule.id == b.rule.id && a.message == b.message);
    }
}
