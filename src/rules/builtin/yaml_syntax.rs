//! EKS001 yaml-syntax: a document that is not valid YAML (or JSON), a file that is not text.
//! The lint pipeline calls [`findings`] with what the parser reported.

use super::{Builtin, Phase, RawFinding, no_params};
use crate::source::Source;
use crate::yaml::{ErrorKind, ParseError};

#[derive(Debug)]
struct YamlSyntax;

pub fn new(params: Option<&serde_json::Value>) -> Result<Box<dyn Builtin>, String> {
    no_params("yaml-syntax", params)?;
    Ok(Box::new(YamlSyntax))
}

impl Builtin for YamlSyntax {
    fn name(&self) -> &'static str {
        "yaml-syntax"
    }
    fn phase(&self) -> Phase {
        Phase::Parse
    }
}

/// One finding per document that could not be parsed.
pub fn findings(source: &Source, errors: &[ParseError], json: bool) -> Vec<RawFinding> {
    let what = if json { "JSON" } else { "YAML" };
    errors
        .iter()
        .map(|e| {
            let span = source.char_span_at(e.at);
            match e.kind {
                ErrorKind::Syntax => RawFinding::new(span, format!("invalid {what}: {}", e.message))
                    .label(e.message.clone())
                    .help(
                        "this document is not applied (`kubectl apply` rejects it); the other documents of the file are still linted",
                    ),
                ErrorKind::Limit => RawFinding::new(span, e.message.clone())
                    .label("limit reached here")
                    .help("ekslint bounds the work a single document can cause; this document was not linted"),
            }
        })
        .collect()
}

/// A file that is not text.
pub fn binary(nul_at: usize) -> RawFinding {
    RawFinding::new(
        crate::source::Span::empty(0),
        format!("this is a binary file, not YAML (NUL byte at offset {nul_at})"),
    )
    .label("binary content")
    .help(
        "a binary file is not a manifest: remove it from the manifest directory or exclude it with --exclude (on standard input: check what was piped in)",
    )
}

/// A file that is not valid UTF-8.
pub fn not_utf8(_source: &Source, at: usize) -> RawFinding {
    // An empty span at the first bad byte: the text shown is a lossy copy (each bad sequence one
    // U+FFFD, three bytes), so a span over it would not be the file's bytes; its start is.
    RawFinding::new(
        crate::source::Span::empty(at),
        format!("invalid UTF-8 at byte {at}: Kubernetes manifests must be UTF-8 text"),
    )
    .label("not UTF-8")
    .help("re-save the file as UTF-8")
}
