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

/// The spans of the scalars whose text holds a `{`: scalar spans do not overlap, so only those can
/// hold the `{` of a `{{`.
fn scalar_spans(text: &str, node: &Node<'_>, out: &mut Vec<Span>) {
    match &node.kind {
        Kind::Scalar(_) => {
            let end = (node.span.end as usize).min(text.len());
            let raw = text
                .as_bytes()
                .get(node.span.start as usize..end)
                .unwrap_or_default();
            if memchr::memchr(b'{', raw).is_some() {
                out.push(node.span);
            }
        }
        Kind::Mapping(entries) => {
            for e in entries.iter().filter(|e| !e.merged) {
                scalar_spans(text, &e.key, out);
                scalar_spans(text, &e.value, out);
            }
        }
        Kind::Sequence(items) => items.iter().for_each(|n| scalar_spans(text, n, out)),
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

/// Byte offsets of the `{{` of `text`, left to right without overlaps (as `match_indices`), found
/// a word at a time: every file is searched and almost none holds one.
fn double_braces(text: &str) -> impl Iterator<Item = usize> + '_ {
    let mut from = 0;
    std::iter::from_fn(move || {
        loop {
            let at = from + memchr::memchr(b'{', text.as_bytes().get(from..)?)?;
            if text.as_bytes().get(at + 1) == Some(&b'{') {
                from = at + 2;
                return Some(at);
            }
            from = at + 1;
        }
    })
}

/// The first `{{` of the file that is template syntax rather than data, if any.
pub fn detect(text: &str, parsed: &Parsed<'_>) -> Option<RawFinding> {
    detect_in(text, parsed, Span::new(0, text.len()))
}

/// The first `{{` within `part` of the file that is template syntax rather than data, if any:
/// `parsed` holds the documents of that part (a file can be checked part by part, in order).
pub fn detect_in(text: &str, parsed: &Parsed<'_>, part: Span) -> Option<RawFinding> {
    let base = part.start as usize;
    let end = (part.end as usize).min(text.len());
    let mut occurrences = double_braces(text.get(base..end)?)
        .map(|at| base + at)
        .peekable();
    occurrences.peek()?;
    let mut spans = Vec::new();
    for d in &parsed.documents {
        if let Some(root) = &d.root {
            scalar_spans(text, root, &mut spans);
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

#[cfg(test)]
mod tests {
    use super::double_braces;

    #[test]
    fn double_braces_are_found_like_match_indices() {
        for text in [
            "",
            "{",
            "{{",
            "{{{",
            "{{{{",
            "a {{ b }} {x} {{c}}",
            "é{{ü{{{",
            "{ {",
        ] {
            let want: Vec<usize> = text.match_indices("{{").map(|(i, _)| i).collect();
            assert_eq!(double_braces(text).collect::<Vec<_>>(), want, "{text:?}");
        }
    }
}
