//! `--format json-lines`: one JSON object per finding per line (the fields of a `--format json`
//! diagnostic), and nothing else — no summary line, no output at all when nothing was found.
//! Streams: `grep`, `jq -c` and log shippers can read it while the lint is still running.

use std::io::{self, Write};

use super::json::JsonDiagnostic;
use super::{Reporter, Summary};
use crate::diagnostic::FileResult;

#[derive(Default)]
pub struct JsonLines;

impl Reporter for JsonLines {
    fn file(&mut self, out: &mut dyn Write, r: &FileResult) -> io::Result<()> {
        for f in &r.findings {
            serde_json::to_writer(&mut *out, &JsonDiagnostic::new(&r.source, f))?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }

    fn finish(&mut self, _out: &mut dyn Write, _summary: &Summary) -> io::Result<()> {
        Ok(())
    }
}
