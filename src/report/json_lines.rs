//! `--format json-lines`: one JSON object per finding per line (the fields of a `--format json`
//! diagnostic), and nothing else — no summary line, no output at all when nothing was found.
//! Streams: `grep`, `jq -c` and log shippers can read it while the lint is still running.
//! A path that was not linted is a line of its own, `{"file": …, "skipped": "why"}` (a diagnostic
//! always has a `rule`, this never does): a missing or unreadable path before any finding, a file
//! over the size limit in its place.

use std::io::{self, Write};

use super::json::JsonDiagnostic;
use super::{Reporter, Summary};
use crate::diagnostic::FileResult;

#[derive(Default)]
pub struct JsonLines;

impl Reporter for JsonLines {
    fn file(&mut self, out: &mut dyn Write, r: &FileResult) -> io::Result<()> {
        if let Some(s) = &r.skipped {
            self.not_linted(out, &r.source.name, &s.reason)?;
        }
        for f in &r.findings {
            serde_json::to_writer(&mut *out, &JsonDiagnostic::new(r, f))?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }

    fn not_linted(&mut self, out: &mut dyn Write, path: &str, reason: &str) -> io::Result<()> {
        #[derive(serde::Serialize)]
        struct Skipped<'a> {
            file: &'a str,
            skipped: &'a str,
        }
        let line = Skipped {
            file: path,
            skipped: reason,
        };
        serde_json::to_writer(&mut *out, &line)?;
        out.write_all(b"\n")
    }

    fn finish(&mut self, _out: &mut dyn Write, _summary: &Summary) -> io::Result<()> {
        Ok(())
    }
}
