//! `--format gitlab`: a GitLab Code Quality report (`artifacts:reports:codequality`), a JSON array
//! with one issue per finding:
//!
//! ```json
//! [{"description": "…", "check_name": "EKS301", "fingerprint": "3f…", "severity": "major",
//!   "location": {"path": "k8s/app.yaml", "lines": {"begin": 18}}}]
//! ```
//!
//! GitLab compares the fingerprints of the merge request's report with the target branch's to say
//! which issues are new or fixed, so a fingerprint must not change when lines move: it is a digest
//! of [`Finding::fingerprint`] (file, rule, object, node path, offending text — no line numbers).
//!
//! A path that was not linted (unreadable, too large, missing) is an issue too, so the merge
//! request shows it: `check_name` `ekslint/not-linted`, severity `major`, line 1.

use std::collections::HashMap;
use std::io::{self, Write};

use serde::Serialize;

use super::{Reporter, Summary, message_of, repo_path};
use crate::diagnostic::{FileResult, Finding, Severity};

#[derive(Serialize)]
struct Issue<'a> {
    description: &'a str,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
}

#[derive(Default)]
pub struct Gitlab {
    count: usize,
    /// How often each fingerprint was given out: GitLab wants them unique, and two findings can
    /// share one (the same object twice in a file), so repeats get an occurrence number.
    seen: HashMap<u128, usize>,
}

/// FNV-1a, 128 bits, as 32 hex digits: stable across runs, platforms and releases (unlike the
/// standard library's hasher), and as long as the MD5 digests GitLab's own analyzers use.
pub fn digest(text: &str) -> u128 {
    let mut h: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    for &b in text.as_bytes() {
        h ^= u128::from(b);
        h = h.wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b);
    }
    h
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

impl Gitlab {
    fn fingerprint(&mut self, r: &FileResult, f: &Finding) -> String {
        self.unique(digest(&f.fingerprint(&repo_path(&r.source.name))))
    }

    /// `base` as hex, or (given out before) a digest of it and its occurrence number.
    fn unique(&mut self, base: u128) -> String {
        let n = self.seen.entry(base).or_insert(0);
        *n += 1;
        if *n == 1 {
            format!("{base:032x}")
        } else {
            format!("{:032x}", digest(&format!("{base:032x}#{n}")))
        }
    }
}

impl Gitlab {
    fn write(&mut self, out: &mut dyn Write, issue: &Issue) -> io::Result<()> {
        out.write_all(if self.count == 0 { b"[\n" } else { b",\n" })?;
        serde_json::to_writer(&mut *out, issue)?;
        self.count += 1;
        Ok(())
    }
}

impl Reporter for Gitlab {
    fn file(&mut self, out: &mut dyn Write, r: &FileResult) -> io::Result<()> {
        if let Some(s) = &r.skipped {
            self.not_linted(out, &r.source.name, &s.reason)?;
        }
        let path = repo_path(&r.source.name);
        for f in &r.findings {
            let description = message_of(r, f);
            let issue = Issue {
                description: &description,
                check_name: &f.rule.id,
                fingerprint: self.fingerprint(r, f),
                severity: severity(f.severity),
                location: Location {
                    path: &path,
                    lines: Lines {
                        // Rendered output: not a line of the template (the description says it).
                        begin: if r.rendered_from.is_some() {
                            1
                        } else {
                            f.start().line
                        },
                    },
                },
            };
            self.write(out, &issue)?;
        }
        Ok(())
    }

    fn not_linted(&mut self, out: &mut dyn Write, path: &str, reason: &str) -> io::Result<()> {
        let path = repo_path(path);
        let description = format!("not linted: {reason}");
        let issue = Issue {
            description: &description,
            check_name: "ekslint/not-linted",
            fingerprint: self.unique(digest(&format!("ekslint/not-linted\0{path}"))),
            severity: "major",
            location: Location {
                path: &path,
                lines: Lines { begin: 1 },
            },
        };
        self.write(out, &issue)
    }

    fn finish(&mut self, out: &mut dyn Write, _summary: &Summary) -> io::Result<()> {
        out.write_all(if self.count == 0 { b"[]\n" } else { b"\n]\n" })
    }
}
