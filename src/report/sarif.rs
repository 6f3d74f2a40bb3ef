//! `--format sarif`: SARIF 2.1.0 (the OASIS Static Analysis Results Interchange Format), which
//! GitHub code scanning, Azure DevOps and IDE viewers read. One run; its tool's driver lists every
//! rule in force with its documentation, and each finding is a result pointing at a region:
//! 1-based lines, 1-based columns counted in characters (`columnKind: unicodeCodePoints`, the same
//! columns as the JSON output), and `byteOffset`/`byteLength` — our offsets are bytes, while SARIF's
//! `charOffset` would count characters, so it is not used.
//!
//! The model is a handful of serde structs rather than the `serde-sarif` crate: that crate generates
//! its whole model from the schema at build time (schemafy, typed-builder and strum as new build
//! dependencies), holds the whole log in memory while this writer streams results as files are
//! reported, and we use only some twenty of its properties. `tests/formats.rs` validates the output
//! against the official schema (`schemas/sarif-schema-2.1.0.json`), which guards the shape instead.

use std::collections::HashMap;
use std::io::{self, Write};

use serde::Serialize;

use super::{Reporter, Summary, forward_slashes, message_of, repo_path};
use crate::diagnostic::{FileResult, RuleMeta, Severity};
use crate::rules::RuleSet;
use crate::source::{Loc, Span};

/// The schema the log declares (the OASIS errata 01 schema, as shipped in `schemas/`).
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/// The key of our fingerprint in `partialFingerprints`; bump the version if its recipe changes.
pub const FINGERPRINT_KEY: &str = "ekslint/v1";

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Serialize)]
struct Markdown<'a> {
    text: &'a str,
    markdown: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Text<'a>,
    full_description: Text<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<&'a str>,
    help: Markdown<'a>,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<&'static str>,
    rules: Vec<Descriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
    byte_offset: usize,
    byte_length: usize,
}

#[derive(Serialize)]
struct ArtifactLocation<'a> {
    uri: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation<'a> {
    artifact_location: ArtifactLocation<'a>,
    /// None for a document of rendered output: its lines are not the template's.
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text<'a>,
    locations: [Location<'a>; 1],
    partial_fingerprints: HashMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location<'a>>,
}

/// What the driver says about one rule (copied from the rule set: the reporter outlives nothing).
struct RuleDoc {
    meta: std::sync::Arc<RuleMeta>,
    explanation: String,
    full: String,
}

pub struct Sarif {
    rules: Vec<RuleDoc>,
    index: HashMap<String, usize>,
    started: bool,
    count: usize,
    /// The paths not linted, with why: the invocation's notifications.
    not_linted: Vec<Notification>,
}

/// A `toolExecutionNotification`: a path that was not linted, and why.
#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: OwnedText,
    locations: [NotificationLocation; 1],
}

#[derive(Serialize)]
struct OwnedText {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NotificationLocation {
    physical_location: ArtifactOnly,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactOnly {
    artifact_location: OwnedUri,
}

#[derive(Serialize)]
struct OwnedUri {
    uri: String,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The project's home page, if Cargo.toml names one.
fn information_uri() -> Option<&'static str> {
    [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|u| !u.is_empty())
}

/// A file name as a URI reference: relative names stay relative (forward slashes), absolute ones
/// become `file:` URIs, and every byte outside the unreserved set, `/` and the sub-delimiters is
/// percent-encoded (spaces, `%`, non-ASCII names, the `:` that would read as a scheme, `<stdin>`).
pub fn uri(name: &str) -> String {
    let name = forward_slashes(name);
    let bytes = name.as_bytes();
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    let (mut out, path) = if drive && cfg!(windows) {
        let (d, rest) = name.split_at(2);
        (format!("file:///{d}"), rest)
    } else if name.starts_with('/') {
        ("file://".to_string(), &*name)
    } else {
        (String::new(), &*name)
    };
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The first paragraph of a Markdown text, on one line: the rule's longer description. (The rule's
/// `help` is not used: it may hold per-finding placeholders such as `{raw}`.)
fn first_paragraph(markdown: &str) -> Option<String> {
    let lines: Vec<&str> = markdown
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty())
        .take_while(|l| !l.is_empty())
        .collect();
    (!lines.is_empty()).then(|| lines.join(" "))
}

fn region(span: Span, loc: Loc) -> Region {
    let start = loc.start(span);
    let end = loc.end(span);
    Region {
        start_line: start.line,
        start_column: start.column,
        end_line: end.line,
        end_column: end.column,
        byte_offset: start.offset,
        byte_length: end.offset - start.offset,
    }
}

impl Sarif {
    /// A report whose driver documents every rule of `rules` (the rules in force).
    pub fn new(rules: &RuleSet) -> Sarif {
        let rules: Vec<RuleDoc> = rules
            .rules
            .iter()
            .map(|r| {
                let m = &r.meta;
                let full = first_paragraph(&r.explanation).unwrap_or_else(|| m.summary.clone());
                RuleDoc {
                    meta: m.clone(),
                    explanation: r.explanation.trim_end().to_string(),
                    full,
                }
            })
            .collect();
        let index = rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.meta.id.clone(), i))
            .collect();
        Sarif {
            rules,
            index,
            started: false,
            count: 0,
            not_linted: Vec::new(),
        }
    }

    /// Everything before the first result.
    fn start(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if self.started {
            return Ok(());
        }
        self.started = true;
        let driver = Driver {
            name: "ekslint",
            version: env!("CARGO_PKG_VERSION"),
            semantic_version: env!("CARGO_PKG_VERSION"),
            information_uri: information_uri(),
            rules: self
                .rules
                .iter()
                .map(|r| {
                    let m = &r.meta;
                    // `help.text` is required next to `markdown`: the Markdown reads well as text.
                    let explanation = if r.explanation.is_empty() {
                        &m.summary
                    } else {
                        &r.explanation
                    };
                    Descriptor {
                        id: &m.id,
                        name: &m.name,
                        short_description: Text { text: &m.summary },
                        full_description: Text { text: &r.full },
                        help_uri: m.url.as_deref(),
                        help: Markdown {
                            text: explanation,
                            markdown: explanation,
                        },
                        default_configuration: Configuration {
                            level: level(m.severity),
                        },
                    }
                })
                .collect(),
        };
        write!(
            out,
            "{{\"$schema\":\"{SCHEMA_URI}\",\"version\":\"2.1.0\",\"runs\":[{{\"tool\":{{\"driver\":"
        )?;
        serde_json::to_writer(&mut *out, &driver)?;
        out.write_all(b"},\"columnKind\":\"unicodeCodePoints\",\"results\":[")
    }
}

impl Reporter for Sarif {
    fn not_linted(&mut self, _out: &mut dyn Write, path: &str, reason: &str) -> io::Result<()> {
        self.not_linted.push(Notification {
            level: "error",
            message: OwnedText {
                text: format!("not linted: {reason}"),
            },
            locations: [NotificationLocation {
                physical_location: ArtifactOnly {
                    artifact_location: OwnedUri {
                        uri: uri(&repo_path(path)),
                    },
                },
            }],
        });
        Ok(())
    }

    fn file(&mut self, out: &mut dyn Write, r: &FileResult) -> io::Result<()> {
        if let Some(s) = &r.skipped {
            self.not_linted(out, &r.source.name, &s.reason)?;
        }
        if r.findings.is_empty() {
            return Ok(());
        }
        self.start(out)?;
        // Relative to the repository (GitHub resolves relative URIs against its checkout).
        let name = repo_path(&r.source.name);
        let uri = uri(&name);
        // Code scanning takes findings with one fingerprint for one alert: the second of two
        // identical findings (the same key twice in a list) gets `#2`, as in the GitLab report.
        let mut seen: HashMap<String, usize> = HashMap::new();
        for f in &r.findings {
            let mut fingerprint = f.fingerprint(&name);
            let n = seen.entry(fingerprint.clone()).or_insert(0);
            *n += 1;
            if *n > 1 {
                fingerprint = format!("{fingerprint}#{n}");
            }
            let message = message_of(r, f);
            let location = |id, span, loc, message| Location {
                id,
                physical_location: PhysicalLocation {
                    artifact_location: ArtifactLocation { uri: &uri },
                    region: r.rendered_from.is_none().then(|| region(span, loc)),
                },
                message,
            };
            let result = SarifResult {
                rule_id: &f.rule.id,
                rule_index: self.index.get(&f.rule.id).copied(),
                level: level(f.severity),
                message: Text { text: &message },
                locations: [location(None, f.span, f.loc, None)],
                partial_fingerprints: HashMap::from([(FINGERPRINT_KEY, fingerprint)]),
                related_locations: f
                    .labels
                    .iter()
                    .enumerate()
                    .map(|(i, l)| {
                        location(Some(i + 1), l.span, l.loc, Some(Text { text: &l.text }))
                    })
                    .collect(),
            };
            out.write_all(if self.count == 0 { b"\n" } else { b",\n" })?;
            serde_json::to_writer(&mut *out, &result)?;
            self.count += 1;
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
        self.start(out)?;
        out.write_all(if self.count == 0 { b"]" } else { b"\n]" })?;
        // A file that could not be read or linted makes the run unsuccessful (exit 2): an upload
        // of its results must not look like a clean run. Each such path is a notification.
        write!(
            out,
            ",\"invocations\":[{{\"executionSuccessful\":{}",
            summary.skipped == 0
        )?;
        if !self.not_linted.is_empty() {
            out.write_all(b",\"toolExecutionNotifications\":")?;
            serde_json::to_writer(&mut *out, &self.not_linted)?;
        }
        writeln!(out, "}}]}}]}}")
    }
}
