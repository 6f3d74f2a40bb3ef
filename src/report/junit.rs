//! `--format junit`: JUnit XML, for CI systems that show test reports (GitLab `reports:junit`,
//! Jenkins, Azure Pipelines). One test suite `ekslint`. Every finding is a test case of its own
//! (classname: the file; name: `RULE line:col`): one at or above `--fail-on` fails, holding one
//! `<failure>` whose type is the rule id and whose text is `path:line:col RULE message`; one below
//! it passes and says the same in its `<system-out>` (the report agrees with the exit code). A
//! file without findings is one passing test case (classname and name: the file), a file over the
//! size limit one `<skipped/>` case, a path that could not be read (missing, unreadable) one
//! `<error/>` case. One failure per test case is what the JUnit schema allows and what every
//! consumer reads; the suite's attributes count test cases, failures (findings at or above
//! `--fail-on`), errors and skipped files.
//!
//! The suite's counts come before its test cases, so the test cases are kept until the end.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::{Reporter, Summary, message_of};
use crate::diagnostic::FileResult;

#[derive(Default)]
pub struct Junit {
    /// The lowest severity that is a failure (`--fail-on`); a finding below it is a passing test
    /// case that says the finding in its `<system-out>`. `None`: none is (`--fail-on never`).
    fails_at: Option<crate::diagnostic::Severity>,
    cases: String,
    tests: usize,
    failures: usize,
    skipped: usize,
    errors: usize,
}

impl Junit {
    /// A report whose failures are the findings at or above `fails_at` (`--fail-on`).
    pub fn new(fails_at: Option<crate::diagnostic::Severity>) -> Junit {
        Junit {
            fails_at,
            ..Junit::default()
        }
    }
}

/// Escapes text for XML 1.0, in element content or in a double-quoted attribute. Line breaks and
/// tabs become character references (an attribute would otherwise turn them into spaces), and the
/// characters XML 1.0 cannot carry at all (most C0 controls, U+FFFE, U+FFFF) become U+FFFD.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

impl Reporter for Junit {
    fn not_linted(&mut self, _out: &mut dyn Write, path: &str, reason: &str) -> io::Result<()> {
        self.tests += 1;
        self.errors += 1;
        let file = escape(path);
        let _ = writeln!(
            self.cases,
            "  <testcase name=\"{file}\" classname=\"{file}\">\n    <error type=\"not linted\" message=\"{}\"/>\n  </testcase>",
            escape(reason)
        );
        Ok(())
    }

    fn file(&mut self, _out: &mut dyn Write, r: &FileResult) -> io::Result<()> {
        let file = escape(&r.source.name);
        let c = &mut self.cases;
        for f in &r.findings {
            self.tests += 1;
            let fails = self.fails_at.is_some_and(|t| f.severity >= t);
            let p = f.start();
            let rule = escape(&f.rule.id);
            let message = message_of(r, f);
            // A document of rendered output: its line is not the template's, and says so.
            let (name, text) = if r.rendered_from.is_some() {
                (
                    format!("{rule} (rendered) {}:{}", p.line, p.column),
                    format!("{} {} {message}", r.source.name, f.rule.id),
                )
            } else {
                (
                    format!("{rule} {}:{}", p.line, p.column),
                    format!(
                        "{}:{}:{} {} {}",
                        r.source.name, p.line, p.column, f.rule.id, f.message
                    ),
                )
            };
            if fails {
                self.failures += 1;
                let _ = writeln!(
                    c,
                    "  <testcase name=\"{name}\" classname=\"{file}\">\n    <failure type=\"{rule}\" message=\"{}\">{}</failure>\n  </testcase>",
                    escape(&message),
                    escape(&text)
                );
            } else {
                let _ = writeln!(
                    c,
                    "  <testcase name=\"{name}\" classname=\"{file}\">\n    <system-out>{} ({}, below --fail-on)</system-out>\n  </testcase>",
                    escape(&text),
                    f.severity.as_str()
                );
            }
        }
        // Rendered output whose findings went to its templates' test cases is not a passing
        // file of its own.
        if !r.findings.is_empty() || (r.rendered_documents > 0 && r.skipped.is_none()) {
            return Ok(());
        }
        self.tests += 1;
        let _ = write!(c, "  <testcase name=\"{file}\" classname=\"{file}\"");
        match &r.skipped {
            Some(s) => {
                self.skipped += 1;
                let _ = writeln!(
                    c,
                    ">\n    <skipped message=\"{}\"/>\n  </testcase>",
                    escape(&s.reason)
                );
            }
            None => c.push_str("/>\n"),
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, _summary: &Summary) -> io::Result<()> {
        writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
        writeln!(
            out,
            "<testsuite name=\"ekslint\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
            self.tests, self.failures, self.errors, self.skipped
        )?;
        out.write_all(self.cases.as_bytes())?;
        writeln!(out, "</testsuite>")
    }
}
