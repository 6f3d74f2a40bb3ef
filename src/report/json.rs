//! `--format json`: one JSON document, the shape documented in the README and in
//! `schemas/output.schema.json`. Diagnostics are written as they come, one per line.

use std::io::{self, Write};

use serde::Serialize;

use super::{Reporter, Summary};
use crate::diagnostic::{FileResult, Finding};
use crate::k8s::ObjectRef;
use crate::source::Position;

#[derive(Serialize)]
pub struct JsonSpan {
    pub start: Position,
    pub end: Position,
}

/// Another place a finding points at, with what it says there (`related` in the output).
#[derive(Serialize)]
pub struct JsonRelated<'a> {
    pub span: JsonSpan,
    pub message: &'a str,
}

#[derive(Serialize)]
pub struct JsonDiagnostic<'a> {
    pub rule: &'a str,
    pub name: &'a str,
    pub severity: &'a str,
    pub message: &'a str,
    pub help: Option<&'a str>,
    pub url: Option<&'a str>,
    pub file: &'a str,
    pub span: JsonSpan,
    pub object: Option<&'a ObjectRef>,
    /// The other places the finding involves (the `replicas` beside an `eip-id-list`, the
    /// `root-cbs-size` that sets a disk), when it has any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<JsonRelated<'a>>,
    /// For a document of rendered output on standard input (`helm template . | ekslint -`): the
    /// input's name. `file` is then the template its `# Source:` comment names, and `span` is
    /// within the rendered document, not the template.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rendered_from: Option<&'a str>,
    /// With `rendered_from`: which of the documents its template rendered this is (from 1; a
    /// template with a `range` renders several, each with its own lines).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rendered_document: Option<usize>,
}

impl<'a> JsonDiagnostic<'a> {
    pub fn new(r: &'a FileResult, f: &'a Finding) -> JsonDiagnostic<'a> {
        let source = &r.source;
        JsonDiagnostic {
            rule: &f.rule.id,
            name: &f.rule.name,
            severity: f.severity.as_str(),
            message: &f.message,
            help: f.help.as_deref(),
            url: f.rule.url.as_deref(),
            file: &source.name,
            span: JsonSpan {
                start: f.start(),
                end: f.end(),
            },
            object: f.object.as_ref(),
            related: f
                .labels
                .iter()
                .map(|l| JsonRelated {
                    span: JsonSpan {
                        start: l.loc.start(l.span),
                        end: l.loc.end(l.span),
                    },
                    message: &l.text,
                })
                .collect(),
            rendered_from: r.rendered_from.as_deref(),
            rendered_document: r
                .rendered_from
                .as_ref()
                .and(r.rendered_document.map(|(n, _)| n)),
        }
    }
}

/// A path that was not linted, and why (`skipped` in the output).
#[derive(Serialize)]
struct NotLinted {
    file: String,
    reason: String,
}

#[derive(Default)]
pub struct Json {
    count: usize,
    skipped: Vec<NotLinted>,
    /// One diagnostic is serialized here, then written at once: serde_json writes token by
    /// token, and each write through `dyn Write` is a call that cannot be inlined.
    buf: Vec<u8>,
}

impl Reporter for Json {
    fn file(&mut self, out: &mut dyn Write, r: &FileResult) -> io::Result<()> {
        if let Some(s) = &r.skipped {
            self.not_linted(out, &r.source.name, &s.reason)?;
        }
        for f in &r.findings {
            out.write_all(if self.count == 0 {
                b"{\"version\":1,\"diagnostics\":[\n"
            } else {
                b",\n"
            })?;
            self.buf.clear();
            serde_json::to_writer(&mut self.buf, &JsonDiagnostic::new(r, f))?;
            out.write_all(&self.buf)?;
            self.count += 1;
        }
        Ok(())
    }

    fn not_linted(&mut self, _out: &mut dyn Write, path: &str, reason: &str) -> io::Result<()> {
        self.skipped.push(NotLinted {
            file: path.to_string(),
            reason: reason.to_string(),
        });
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
        if self.count == 0 {
            out.write_all(b"{\"version\":1,\"diagnostics\":[")?;
        } else {
            out.write_all(b"\n")?;
        }
        out.write_all(b"],\"skipped\":")?;
        serde_json::to_writer(&mut *out, &self.skipped)?;
        out.write_all(b",\"summary\":")?;
        serde_json::to_writer(&mut *out, summary)?;
        out.write_all(b"}\n")
    }
}
