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
use crate::source::{Source, Span, shown_message};

pub struct Human {
    handler: GraphicalReportHandler,
    /// Print file-level notes such as skipped files.
    pub verbose: bool,
    /// Marks where a long line was cut.
    cut: &'static str,
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
            cut: if unicode { "…" } else { "..." },
        }
    }
}

/// A file's text for miette, read through our line index: lines are found without rescanning
/// the file for every finding, and the column in the location header counts characters (as the
/// JSON does and editors expect), where miette's own `str` source counts bytes. A frame that
/// would show a line too long to read is shown through a [`Windowed`] view of it instead.
enum Frame<'a> {
    Whole(&'a Source),
    Window(Windowed),
}

impl SourceCode for Frame<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        match self {
            Frame::Whole(src) => whole(src, span, before, after),
            Frame::Window(w) => w.read(span, before, after),
        }
    }
}

fn whole<'b>(
    src: &'b Source,
    span: &SourceSpan,
    before: usize,
    after: usize,
) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
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

/// One finding as a miette diagnostic.
struct View<'a> {
    finding: &'a Finding,
    /// The file's text (or a window on it), `None` when the text is not at hand.
    source: Option<&'a dyn SourceCode>,
    name: &'a str,
    span: Span,
    /// The finding's other labels, in the coordinates of `source`.
    others: Labels<'a>,
    code: String,
}

impl fmt::Debug for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl fmt::Display for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = shown_message(&self.finding.message);
        if self.source.is_some() {
            f.write_str(&message)
        } else {
            write!(f, "{}: {message}", self.name)
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
            .map(|h| Box::new(shown_message(h)) as Box<dyn fmt::Display>)
    }
    fn url<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        None
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source?;
        let primary = LabeledSpan::new_primary_with_span(
            Some(self.finding.label.as_deref().map_or_else(
                || self.finding.rule.name.clone(),
                |l| shown_message(l).into_owned(),
            )),
            self.span.start as usize..self.span.end as usize,
        );
        let others = self.others.iter().map(|(text, span)| {
            LabeledSpan::new_with_span(
                Some(shown_message(text).into_owned()),
                span.start as usize..span.end as usize,
            )
        });
        Some(Box::new(std::iter::once(primary).chain(others)))
    }
}

/// Lines longer than this (in characters) are not shown whole: a minified JSON manifest is one
/// line, and a code frame should not print it once per finding.
const LONG_LINE: usize = 240;
/// What is shown of a long line: this many characters before the finding, this many in all.
const WINDOW_BEFORE: usize = 30;
const WINDOW: usize = 90;

/// A finding's other labels: their texts and spans.
type Labels<'l> = Vec<(&'l str, Span)>;

/// A window on the lines around a finding, for a frame that would otherwise hold a line longer
/// than [`LONG_LINE`]: each of those lines is cut to the same columns, marked where it was cut,
/// and shown under its own line number; the location header still gives the real column.
struct Windowed {
    name: String,
    /// The window's lines, each ending with a newline.
    text: String,
    lines: Vec<WindowLine>,
}

struct WindowLine {
    /// Byte range of the line in `text`, without its newline.
    start: usize,
    end: usize,
    /// Its number in the file (1-based).
    number: usize,
    /// The file's column (0-based, characters) of the line's first character after the cut mark.
    first_column: usize,
    /// Characters of the cut mark at the start (0 when the line is shown from its start).
    mark: usize,
}

impl Windowed {
    /// The window for a finding at `primary`, with `others` (its other labels) mapped into it
    /// where they fall inside; `None` when no line around the finding is long.
    fn new<'l>(
        source: &Source,
        primary: Span,
        others: impl Iterator<Item = (&'l str, Span)> + Clone,
        cut: &str,
    ) -> Option<(Windowed, Span, Labels<'l>)> {
        let line_of = |offset: usize| source.position(offset).line;
        let long = |line: usize| {
            let first = line.saturating_sub(1).max(1);
            let last = (line + 1).min(source.line_count());
            (first..=last).any(|l| {
                source
                    .slice(source.line_span(l))
                    .chars()
                    .nth(LONG_LINE)
                    .is_some()
            })
        };
        let here = source.position(primary.start as usize);
        if !long(here.line) && !others.clone().any(|(_, s)| long(line_of(s.start as usize))) {
            return None;
        }
        let from = (here.column - 1).saturating_sub(WINDOW_BEFORE);
        let to = from + WINDOW;
        let mut w = Windowed {
            name: source.name.clone(),
            text: String::new(),
            lines: Vec::new(),
        };
        for number in here.line.saturating_sub(1).max(1)..=(here.line + 1).min(source.line_count())
        {
            let line = source.slice(source.line_span(number));
            if line.is_empty() && number > here.line && number == source.line_count() {
                // The "line" after the file's last newline.
                break;
            }
            let mark = usize::from(from > 0 && !line.is_empty());
            let start = w.text.len();
            if mark == 1 {
                w.text.push_str(cut);
            }
            // In ASCII text a column is a byte: the window is cut out, not counted out (a long
            // line with many findings was counted through once for each).
            let past_end = if source.is_ascii() {
                w.text.push_str(
                    line.get(from.min(line.len())..to.min(line.len()))
                        .unwrap_or(""),
                );
                line.len() > to
            } else {
                w.text.extend(line.chars().skip(from).take(WINDOW));
                line.chars().nth(to).is_some()
            };
            if past_end {
                w.text.push_str(cut);
            }
            w.lines.push(WindowLine {
                start,
                end: w.text.len(),
                number,
                first_column: from,
                mark: mark * cut.chars().count(),
            });
            w.text.push('\n');
        }
        // A span of the file, where it shows in the window (cut at the window's edge).
        let map = |span: Span| -> Option<Span> {
            let at = source.position(span.start as usize);
            let l = w.lines.iter().find(|l| l.number == at.line)?;
            let column = at.column - 1;
            if column < from || column >= to {
                return None;
            }
            let line = &w.text[l.start..l.end];
            let byte = |chars: usize| {
                line.char_indices()
                    .nth(chars)
                    .map_or(line.len(), |(i, _)| i)
            };
            let start = byte(l.mark + column - from);
            let len = source.slice(span).chars().count().min(to - column);
            let end = byte(l.mark + column - from + len).max(start);
            Some(Span::new(l.start + start, l.start + end))
        };
        let primary = map(primary)?;
        let others = others
            .filter_map(|(text, span)| Some((text, map(span)?)))
            .collect();
        Some((w, primary, others))
    }

    fn line_at(&self, offset: usize) -> usize {
        self.lines
            .iter()
            .rposition(|l| l.start <= offset)
            .unwrap_or(0)
    }

    /// What miette asks of a [`Frame`]: the window's lines around `span`, numbered as in the
    /// file, with the file's column of `span`'s start.
    fn read<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let bytes = self.text.as_bytes();
        if span.offset() > bytes.len() {
            return Err(MietteError::OutOfBounds);
        }
        let first = self.line_at(span.offset());
        let last = self.line_at(
            (span.offset() + span.len())
                .saturating_sub(1)
                .max(span.offset()),
        );
        let top = first.saturating_sub(before);
        let bottom = (last + after).min(self.lines.len() - 1);
        let data_start = self.lines[top].start;
        let data_end = (self.lines[bottom].end + 1).min(self.text.len());
        let line = &self.lines[first];
        // Characters up to the span (UTF-8 continuation bytes do not start one).
        let chars = bytes[line.start..span.offset().clamp(line.start, line.end)]
            .iter()
            .filter(|&&b| (b as i8) >= -0x40)
            .count();
        let column = line.first_column + chars.saturating_sub(line.mark);
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            &bytes[data_start..data_end],
            SourceSpan::new(data_start.into(), data_end - data_start),
            self.lines[top].number - 1,
            column,
            bottom - top + 1,
        )))
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

impl Human {
    /// What the report shows of one file (a `&self` method: files are rendered in parallel).
    fn render(&self, r: &FileResult) -> Result<String, fmt::Error> {
        use std::fmt::Write;
        let mut out = String::new();
        // A name with control characters is shown escaped (the frames' headers too).
        // So is a text with control characters other than tabs and line breaks (an escape
        // sequence in a manifest must not recolour or clear the reader's terminal).
        let escaped;
        let name = crate::source::shown(&r.source.name);
        let text = crate::source::printable_text(&r.source.text);
        let source = match (name, text) {
            (std::borrow::Cow::Borrowed(_), None) => &r.source,
            (name, text) => {
                let text = text.unwrap_or_else(|| r.source.text.to_string());
                escaped = Source::new(name.into_owned(), text);
                &escaped
            }
        };
        if let Some(s) = &r.skipped {
            writeln!(out, "{}: skipped: {}", source.name, s.reason)?;
        }
        if r.findings.is_empty() {
            return Ok(out);
        }
        if let Some(from) = &r.rendered_from {
            let which = match r.rendered_document {
                Some((n, total)) if total > 1 => {
                    format!(", document {n} of the {total} it rendered")
                }
                _ => String::new(),
            };
            writeln!(
                out,
                "{}: rendered output read from {from}{which}: line numbers are within the rendered document\n",
                source.name
            )?;
        }
        let whole = Frame::Whole(source);
        let has_text = !source.text.is_empty();
        for f in &r.findings {
            let span = display_span(source, f.span);
            let others = f.labels.iter().map(|l| (l.text.as_str(), l.span));
            let window = has_text
                .then(|| Windowed::new(source, span, others.clone(), self.cut))
                .flatten()
                .map(|(w, span, others)| (Frame::Window(w), span, others));
            let code = format!("{} {} ({})", f.rule.id, f.rule.name, f.severity.as_str());
            let view = match &window {
                Some((w, span, others)) => View {
                    finding: f,
                    source: Some(w),
                    name: &source.name,
                    span: *span,
                    others: others.clone(),
                    code,
                },
                None => View {
                    finding: f,
                    source: has_text.then_some(&whole as &dyn SourceCode),
                    name: &source.name,
                    span,
                    others: others.collect(),
                    code,
                },
            };
            let start = out.len();
            self.handler.render_report(&mut out, &view)?;
            out.truncate(start + out[start..].trim_end().len());
            out.push_str("\n\n");
        }
        Ok(out)
    }
}

impl Reporter for Human {
    /// A path that was not linted (missing, unreadable, a link loop), in the report itself: a
    /// report saved with `-o` must not read as if every path was linted.
    fn not_linted(&mut self, out: &mut dyn Write, path: &str, reason: &str) -> io::Result<()> {
        // `ekslint ""` (an unset variable in a script): the empty name, shown as such.
        let name = if path.is_empty() {
            "\"\"".into()
        } else {
            crate::source::shown(path)
        };
        writeln!(out, "{name}: not linted: {reason}")
    }

    fn file(&mut self, out: &mut dyn Write, r: &FileResult) -> io::Result<()> {
        let text = self.render(r).map_err(io::Error::other)?;
        out.write_all(text.as_bytes())
    }

    /// Rendering code frames is most of a human report's time: the files are rendered in
    /// parallel, then written in order.
    fn files(&mut self, out: &mut dyn Write, results: &[FileResult]) -> io::Result<()> {
        use rayon::prelude::*;
        let this = &*self;
        let rendered: Vec<_> = results.par_iter().map(|r| this.render(r)).collect();
        for text in rendered {
            out.write_all(text.map_err(io::Error::other)?.as_bytes())?;
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
        writeln!(out, "{}", summary.line())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_keeps_what_its_labels_point_at_and_the_real_columns() {
        let long = format!(
            "{}needle{}other{}",
            "a".repeat(300),
            "b".repeat(20),
            "c".repeat(300)
        );
        let text = format!("first: 1\n{long}\nlast: 2\n");
        let source = Source::new("f.yaml", text.clone());
        let at = |needle: &str| {
            let start = text.find(needle).expect("in the text");
            Span::new(start, start + needle.len())
        };
        let far = Span::new(9 + 5, 9 + 8);
        let others = [("near", at("other")), ("far", far)];
        let (w, primary, kept) =
            Windowed::new(&source, at("needle"), others.iter().copied(), "…").expect("a long line");
        assert_eq!(&w.text[primary.range()], "needle");
        // The label inside the window is kept where it points; the one outside is left out.
        assert_eq!(kept.len(), 1);
        assert_eq!(&w.text[kept[0].1.range()], "other");
        // Every line of the window is short, cut ones marked; lines 1 to 3 keep their numbers.
        assert!(
            w.text.lines().all(|l| l.chars().count() <= WINDOW + 2),
            "{}",
            w.text
        );
        assert!(
            w.text
                .lines()
                .nth(1)
                .is_some_and(|l| l.starts_with('…') && l.ends_with('…'))
        );
        let header = w
            .read(&SourceSpan::from(primary.range()), 0, 0)
            .expect("readable");
        assert_eq!((header.line(), header.column()), (1, 300));
        let frame = w
            .read(&SourceSpan::from(primary.range()), 1, 1)
            .expect("readable");
        assert_eq!((frame.line(), frame.line_count()), (0, 3));
    }

    #[test]
    fn short_lines_need_no_window() {
        let source = Source::new("f.yaml", "a: 1\nb: 2\n");
        assert!(Windowed::new(&source, Span::new(3, 4), std::iter::empty(), "…").is_none());
    }
}
