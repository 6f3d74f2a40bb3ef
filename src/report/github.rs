//! `--format github`: GitHub Actions workflow commands, one line per finding, which the runner turns
//! into annotations on the pull request:
//!
//! ```text
//! ::error file=k8s/app.yaml,line=18,col=32,endLine=18,endColumn=36,title=EKS301 metrics-port-conflict::port 9100 is taken…
//! ```
//!
//! Errors are `::error`, warnings `::warning`, info `::notice`. Lines and columns are 1-based,
//! columns count characters and the end is exclusive, as in the JSON output. The file is the path
//! as given, with forward slashes and without a leading `./`, so that it matches the repository's.

use std::io::{self, Write};

use super::{Reporter, Summary, message_of, repo_path};
use crate::diagnostic::{FileResult, Severity};

#[derive(Default)]
pub struct Github;

/// Escapes a command's message: `%`, CR and LF (what the runner decodes back).
pub fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a property value: as a message, plus `:` and `,` (which end a value).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

impl Reporter for Github {
    fn not_linted(&mut self, out: &mut dyn Write, path: &str, reason: &str) -> io::Result<()> {
        writeln!(
            out,
            "::error file={},title=ekslint%3A not linted::{}",
            escape_property(&repo_path(path)),
            escape_data(reason)
        )
    }

    fn file(&mut self, out: &mut dyn Write, r: &FileResult) -> io::Result<()> {
        if let Some(s) = &r.skipped {
            self.not_linted(out, &r.source.name, &s.reason)?;
        }
        let file = escape_property(&repo_path(&r.source.name));
        for f in &r.findings {
            let command = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let start = f.start();
            let end = f.end();
            let title = escape_property(&format!("{} {}", f.rule.id, f.rule.name));
            if r.rendered_from.is_some() {
                // A document of rendered output: its lines are not the template's, so the
                // annotation goes on the file and the message says where in the document.
                writeln!(
                    out,
                    "::{command} file={file},title={title}::{}",
                    escape_data(&message_of(r, f)),
                )?;
                continue;
            }
            writeln!(
                out,
                "::{command} file={file},line={},col={},endLine={},endColumn={},title={title}::{}",
                start.line,
                start.column,
                end.line,
                end.column,
                escape_data(&f.message)
            )?;
        }
        Ok(())
    }

    fn finish(&mut self, _out: &mut dyn Write, _summary: &Summary) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("50%: a,b\r\nc"), "50%25: a,b%0D%0Ac");
        assert_eq!(escape_property("50%: a,b\r\nc"), "50%25%3A a%2Cb%0D%0Ac");
    }
}
