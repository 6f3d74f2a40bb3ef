//! EKS004 unrendered-template: Helm/Go template syntax (`{{ ... }}`) where it is not data.
//!
//! `{{` inside a quoted string, a block scalar or any other scalar where the YAML still parses is
//! data (Kyverno variables, Prometheus alert templates, Argo CD ApplicationSet parameters) and is
//! left alone. `{{` that the YAML parser read as structure (flow mappings), or that sits in a
//! document that does not parse at all, means the file is a template: it is reported once and not
//! linted further.

use super::{Builtin, Phase, RawFinding, no_params};
use crate::source::Span;
use crate::yaml::{Kind, Node, Parsed};

#[derive(Debug)]
struct UnrenderedTemplate;

pub fn new(params: Option<&serde_json::Value>) -> Result<Box<dyn Builtin>, String> {
    no_params("unrendered-template", params)?;
    Ok(Box::new(UnrenderedTemplate))
}

impl Builtin for UnrenderedTemplate {
    fn name(&self) -> &'static str {
        "unrendered-template"
    }
    fn phase(&self) -> Phase {
        Phase::Parse
    }
}

fn scalar_spans(node: &Node<'_>, out: &mut Vec<Span>) {
    match &node.kind {
        Kind::Scalar(_) => out.push(node.span),
        Kind::Mapping(entries) => {
            for e in entries.iter().filter(|e| !e.merged) {
                scalar_spans(&e.key, out);
                scalar_spans(&e.value, out);
            }
        }
        Kind::Sequence(items) => items.iter().for_each(|n| scalar_spans(n, out)),
    }
}

/// True when the `{{` at `at` is inside a `#` comment of its line.
fn in_comment(text: &str, at: usize) -> bool {
    let line_start = text[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let line = &text[line_start..at];
    let (mut single, mut double) = (false, false);
    let mut prev = ' ';
    for c in line.chars() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single && prev != '\\' => double = !double,
            '#' if !single && !double && (prev == ' ' || prev == '\t') => return true,
            _ => {}
        }
        prev = c;
    }
    line.trim_start().starts_with('#')
}

/// The first `{{` of the file that is template syntax rather than data, if any.
pub fn detect(text: &str, parsed: &Parsed<'_>) -> Option<RawFinding> {
    let mut occurrences = text.match_indices("{{").map(|(i, _)| i).peekable();
    occurrences.peek()?;
    let mut spans = Vec::new();
    for d in &parsed.documents {
        if let Some(root) = &d.root {
            scalar_spans(root, &mut spans);
        }
    }
    spans.sort_unstable();
    let in_scalar = |at: usize| {
        let i = spans.partition_point(|s| (s.start as usize) <= at);
        i > 0 && spans[i - 1].contains(at)
    };
    let at = occurrences.find(|&at| !in_comment(text, at) && !in_scalar(at))?;
    let line_end = text[at..].find(['\n', '\r']).map_or(text.len(), |i| at + i);
    let end = text[at..line_end]
        .find("}}")
        .map_or(line_end, |i| at + i + 2);
    let expr = &text[at..end];
    let failed = parsed.errors.iter().any(|e| e.document.contains(at));
    let why = if failed {
        "the YAML does not parse"
    } else {
        "YAML reads it as a mapping, not as text"
    };
    Some(
        RawFinding::new(
            Span::new(at, end),
            format!("unrendered template `{expr}`: this file is a Helm/Go template, not a manifest ({why}); it was not linted further"),
        )
        .label("template syntax")
        .help("render it first and lint the output, e.g. `helm template . | ekslint -` or `kustomize build . | ekslint -`"),
    )
}
