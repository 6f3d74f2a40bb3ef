//! The default output: miette code frames that point at the exact key or value, with the rule id
//! and name on every finding, then a summary line.

use std::fmt;
use std::io::{self, Write};

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use super::{Reporter, Summary};
use crate::diagnostic::{FileResult, Finding, Severity};
use crate::source::{Source, Span};

pub struct Human {
    handler: GraphicalReportHandler,
    /// Print file-level notes such as skipped files.
    pub verbose: bool,
}

impl Human {
    /// `color`: ANSI colors; `unicode`: box-drawing characters (off when not on a terminal).
    pub fn new(color: bool, unicode: bool, width: usize) -> Human {
        let theme = match (unicode, color) {
            (true, true) => GraphicalTheme::unicode(),
            (true, false) => GraphicalTheme::unicode_nocolor(),
            (false, true) => GraphicalTheme::ascii(),
            (false, false) => GraphicalTheme::none(),
        };
        Human {
            handler: GraphicalReportHandler::new_themed(theme)
                .with_width(width)
                .with_links(false)
                .with_context_lines(1)
                .tab_width(2),
            verbose: false,
        }
    }
}

/// A file's text for miette, read through our line index: lines are found without rescanning
/// the file for every finding, and the column in the location header counts characters (as the
/// JSON does and editors expect), where miette's own `str` source counts bytes.
struct SourceView<'a>(&'a Source);

impl SourceCode for SourceView<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let src = self.0;
        let len = src.text.len();
        if span.offset() > len {
            return Err(MietteError::OutOfBounds);
        }
        let start = span.offset();
        let end = (start + span.len()).min(len);
        let first = src.position(start);
        let last = src.position(if end > start { end - 1 } else { end });
        let first_line = first.line.saturating_sub(before).max(1);
        let last_line = (last.line + after).min(src.line_count());
        let data_start = src.line_span(first_line).start as usize;
        let data_end = if last_line < src.line_count() {
            src.line_span(last_line + 1).start as usize
        } else {
            len
        };
        Ok(Box::new(MietteSpanContents::new_named(
            src.name.clone(),
            &src.text.as_bytes()[data_start..data_end],
            SourceSpan::new(data_start.into(), data_end - data_start),
            first_line - 1,
            first.column - 1,
            last_line - first_line + 1,
        )))
    }
}

/// One finding as a miette diagnostic.
struct View<'a> {
    finding: &'a Finding,
    source: &'a SourceView<'a>,
    has_text: bool,
    span: Span,
    code: String,
}

impl fmt::Debug for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl fmt::Display for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.has_text {
            f.write_str(&self.finding.message)
        } else {
            write!(f, "{}: {}", self.source.0.name, self.finding.message)
        }
    }
}

impl std::error::Error for View<'_> {}

impl Diagnostic for View<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.finding
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn url<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        None
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.has_text.then_some(self.source as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if !self.has_text {
            return None;
        }
        let primary = LabeledSpan::new_primary_with_span(
            Some(
                self.finding
                    .label
                    .clone()
                    .unwrap_or_else(|| self.finding.rule.name.clone()),
            ),
            self.span.start as usize..self.span.end as usize,
        );
        let others = self.finding.labels.iter().map(|l| {
            LabeledSpan::new_with_span(
                Some(l.text.clone()),
                l.span.start as usize..l.span.end as usize,
            )
        });
        Some(Box::new(std::iter::once(primary).chain(others)))
    }
}

/// A span that covers several lines (a whole mapping, for a missing key) is shown on its first line
/// only: the frame stays short, the JSON keeps the full span.
fn display_span(source: &Source, span: Span) -> Span {
    let text = source.slice(span);
    match text.find(['\n', '\r']) {
        Some(i) => Span::new(
            span.start as usize,
            span.start as usize + text[..i].trim_end().len(),
        ),
        None => span,
    }
}

impl Reporter for Human {
    fn file(&mut self, out: &mut dyn Write, r: &FileResult) -> io::Result<()> {
        if let Some(s) = &r.skipped {
            writeln!(out, "{}: skipped: {}", r.source.name, s.reason)?;
        }
        if r.findings.is_empty() {
            return Ok(());
        }
        if let Some(from) = &r.rendered_from {
            writeln!(
                out,
                "{}: rendered output read from {from}: line numbers are within the rendered document\n",
                r.source.name
            )?;
        }
        let named = SourceView(&r.source);
        for f in &r.findings {
            let view = View {
                finding: f,
                source: &named,
                has_text: !r.source.text.is_empty(),
                span: display_span(&r.source, f.span),
                code: format!("{} {} ({})", f.rule.id, f.rule.name, f.severity.as_str()),
            };
            let mut s = String::new();
            self.handler
                .render_report(&mut s, &view)
                .map_err(io::Error::other)?;
            out.write_all(s.trim_end().as_bytes())?;
            out.write_all(b"\n\n")?;
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
        writeln!(out, "{}", summary.line())
    }
}
