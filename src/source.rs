//! Stage 2 — source text: a file's bytes decoded once, with a line index that turns byte offsets into
//! 1-based line and character columns, and the character→byte mapping that saphyr's markers need.
//!
//! saphyr counts *characters*; miette, our JSON and SARIF count *bytes* (and columns in characters).
//! Every conversion between the two lives here so that no other stage has to think about it.

use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

/// A half-open byte range `[start, end)` into a source file.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end.max(start) as u32,
        }
    }
    pub fn empty(at: usize) -> Span {
        Span::new(at, at)
    }
    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
    /// The smallest span that covers both.
    pub fn cover(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
    pub fn contains(&self, offset: usize) -> bool {
        (self.start as usize) <= offset && offset < self.end as usize
    }
}

/// A 1-based line and 1-based column counted in characters, plus the byte offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub offset: usize,
}

/// Where a span starts and ends (1-based lines, 1-based columns in characters) and a hash of its
/// first line, computed while the file's text is at hand: reports and baselines then need no text
/// (only the human report, for its code frames, reads a file again).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Loc {
    pub start_line: u32,
    pub start_column: u32,
    pub end_line: u32,
    pub end_column: u32,
    /// FNV-1a of the span's first line (see `Finding::fingerprint`).
    pub first_line_hash: u64,
}

impl Loc {
    pub fn start(&self, span: Span) -> Position {
        Position {
            line: self.start_line as usize,
            column: self.start_column as usize,
            offset: span.start as usize,
        }
    }
    pub fn end(&self, span: Span) -> Position {
        Position {
            line: self.end_line as usize,
            column: self.end_column as usize,
            offset: span.end as usize,
        }
    }
}

/// A decoded source file. The text is shared (`Arc`) so that reports can keep it for code frames
/// without copying.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path as the user should see it (argument joined with the walked relative path).
    pub name: String,
    /// `Arc<String>`, not `Arc<str>`: a file's text is moved in, never copied.
    pub text: Arc<String>,
    /// Byte offset where each line starts (see [`Source::line_starts`]).
    line_starts: OnceLock<Vec<u32>>,
    ascii: bool,
}

impl Source {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Source {
        let text: String = text.into();
        // A dropped text (`""`) is one shared allocation, not one per file.
        let text = if text.is_empty() {
            empty()
        } else {
            Arc::new(text)
        };
        Source {
            name: name.into(),
            ascii: text.is_ascii(),
            text,
            line_starts: OnceLock::new(),
        }
    }

    /// Byte offset where each line starts, computed on first use: most files linted have no
    /// finding, and their text is dropped before anything asks for a line.
    fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| line_starts(&self.text))
    }

    pub fn is_ascii(&self) -> bool {
        self.ascii
    }

    /// 1-based line, 1-based character column for a byte offset (clamped to the text).
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line_starts = self.line_starts();
        let line_idx = match line_starts.binary_search(&(offset as u32)) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let line_start = line_starts[line_idx] as usize;
        let column = if self.ascii {
            offset - line_start + 1
        } else {
            self.text
                .get(line_start..offset)
                .map(|s| s.chars().count())
                .unwrap_or(offset - line_start)
                + 1
        };
        // Editors do not show a byte-order mark: do not count it as a column.
        let column = if line_idx == 0 && offset >= 3 && self.text.starts_with('\u{feff}') {
            column - 1
        } else {
            column
        };
        Position {
            line: line_idx + 1,
            column,
            offset,
        }
    }

    /// The [`Loc`] of a span of this file.
    pub fn loc(&self, span: Span) -> Loc {
        let start = self.position(span.start as usize);
        let end = self.position(span.end as usize);
        let text = self.slice(span);
        let first = text.split(['\n', '\r']).next().unwrap_or(text);
        Loc {
            start_line: start.line as u32,
            start_column: start.column as u32,
            end_line: end.line as u32,
            end_column: end.column as u32,
            first_line_hash: crate::diagnostic::fnv1a(first.as_bytes()),
        }
    }

    /// Byte range of a 1-based line, without its line break.
    pub fn line_span(&self, line: usize) -> Span {
        let line_starts = self.line_starts();
        let idx = line.saturating_sub(1).min(line_starts.len() - 1);
        let start = line_starts[idx] as usize;
        let mut end = line_starts
            .get(idx + 1)
            .map(|&e| e as usize)
            .unwrap_or(self.text.len());
        let bytes = self.text.as_bytes();
        while end > start && matches!(bytes[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        Span::new(start, end)
    }

    pub fn line_count(&self) -> usize {
        self.line_starts().len()
    }

    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }

    /// The span of the character that starts at `offset` (empty at the end of the text).
    pub fn char_span_at(&self, offset: usize) -> Span {
        let offset = offset.min(self.text.len());
        let len = self.text[offset..]
            .chars()
            .next()
            .map(|c| c.len_utf8())
            .unwrap_or(0);
        // Do not highlight a bare line break: point at it with an empty span instead.
        if matches!(self.text.as_bytes().get(offset), Some(b'\n' | b'\r')) {
            return Span::empty(offset);
        }
        Span::new(offset, offset + len)
    }
}

/// A file name as people read it on a terminal: control characters (a newline, a tab, an escape
/// sequence that would recolour or rewrite the terminal) written as escapes (`\n`, `\t`,
/// `\u{1b}`). Machine formats keep the name as it is (their encoders escape it).
pub fn shown(name: &str) -> std::borrow::Cow<'_, str> {
    escaped(name, |_| false)
}

/// A character that must not reach a terminal raw: a control character (an escape sequence can
/// recolour or clear the screen) or a bidirectional formatting character (it reorders what the
/// reader sees, the "Trojan Source" trick).
fn unsafe_on_terminal(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Whether `text` may hold a character [`unsafe_on_terminal`] picks, other than the ASCII ones
/// `keep` lets through: one pass over the bytes (vector code, no decoding) for control bytes,
/// DEL and the lead bytes of the C1 controls (0xC2) and of the bidirectional formatting
/// characters (0xD8, 0xE2). Most texts have none, and are not decoded at all.
fn may_be_unsafe(text: &str, keep: impl Fn(u8) -> bool) -> bool {
    text.bytes().fold(false, |any, b| {
        any | (b < 0x20 && !keep(b)) | (b == 0x7F) | (b == 0xC2) | (b == 0xD8) | (b == 0xE2)
    })
}

/// A path as people read it on a terminal ([`shown`]).
pub fn shown_path(path: &std::path::Path) -> String {
    shown(&path.to_string_lossy()).into_owned()
}

/// A message as people read it on a terminal: like [`shown`], but line breaks and tabs stay.
pub fn shown_message(text: &str) -> std::borrow::Cow<'_, str> {
    escaped(text, |b| matches!(b, b'\n' | b'\t'))
}

/// `text` with the characters [`unsafe_on_terminal`] picks, but the ASCII ones `keep` lets
/// through, written as Rust escapes (`\u{1b}`).
fn escaped(text: &str, keep: impl Fn(u8) -> bool + Copy) -> std::borrow::Cow<'_, str> {
    let escape = |c: char| unsafe_on_terminal(c) && !(c.is_ascii() && keep(c as u8));
    if !may_be_unsafe(text, keep) || !text.chars().any(escape) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if escape(c) {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// A file's text made safe to print in a code frame, or `None` when it already is: every control
/// or bidirectional formatting character but a tab or a line break becomes a character of the same
/// length in UTF-8 (`?`, `¿`, `�`), so that byte offsets and character columns stay the file's.
pub fn printable_text(text: &str) -> Option<String> {
    let keep = |b: u8| matches!(b, b'\t' | b'\n' | b'\r');
    let replace = |c: char| unsafe_on_terminal(c) && !(c.is_ascii() && keep(c as u8));
    if !may_be_unsafe(text, keep) || !text.chars().any(replace) {
        return None;
    }
    Some(
        text.chars()
            .map(|c| match c {
                c if !replace(c) => c,
                c if c.len_utf8() == 1 => '?',
                c if c.len_utf8() == 2 => '\u{bf}',
                _ => '\u{fffd}',
            })
            .collect(),
    )
}

fn empty() -> Arc<String> {
    static EMPTY: OnceLock<Arc<String>> = OnceLock::new();
    EMPTY.get_or_init(|| Arc::new(String::new())).clone()
}

/// Byte offset where each line of `text` starts: `\r\n`, lone `\r` and `\n` all end a line, as
/// in YAML.
fn line_starts(text: &str) -> Vec<u32> {
    let mut line_starts = vec![0u32];
    let bytes = text.as_bytes();
    let mut i = 0;
    if memchr::memchr(b'\r', bytes).is_none() {
        // The common case, `\n` only.
        line_starts.extend(memchr::memchr_iter(b'\n', bytes).map(|at| (at + 1) as u32));
        return line_starts;
    }
    while let Some(pos) = memchr::memchr2(b'\n', b'\r', &bytes[i..]) {
        let at = i + pos;
        let next = if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
            at + 2
        } else {
            at + 1
        };
        line_starts.push(next as u32);
        i = next;
    }
    line_starts
}

/// Maps saphyr's character indices within one text to byte offsets.
///
/// For ASCII text (the common case) the two are equal and nothing is stored. Otherwise it keeps one
/// checkpoint per non-ASCII character: memory grows with the Chinese comments, not with the file.
pub struct CharToByte {
    /// (char index of a non-ASCII char, extra bytes accumulated *after* that char).
    checkpoints: Vec<(u32, u32)>,
}

impl CharToByte {
    pub fn new(text: &str) -> CharToByte {
        let mut checkpoints = Vec::new();
        if !text.is_ascii() {
            let mut extra = 0u32;
            for (ci, c) in text.chars().enumerate() {
                let l = c.len_utf8() as u32;
                if l > 1 {
                    extra += l - 1;
                    checkpoints.push((ci as u32, extra));
                }
            }
        }
        CharToByte { checkpoints }
    }

    pub fn byte(&self, char_index: usize) -> usize {
        if self.checkpoints.is_empty() {
            return char_index;
        }
        let ci = char_index as u32;
        // Number of checkpoints strictly before `ci`.
        let n = self.checkpoints.partition_point(|&(c, _)| c < ci);
        if n == 0 {
            char_index
        } else {
            char_index + self.checkpoints[n - 1].1 as usize
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What reaches a terminal: names escape every control and bidi character, messages keep
    /// line breaks and tabs, code frames keep lengths. Text with none is borrowed, not copied.
    #[test]
    fn terminal_safe_names_messages_and_frames() {
        assert!(matches!(
            shown("k8s/app—中文.yaml"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(shown("a\tb\nc\u{1b}"), r"a\tb\nc\u{1b}");
        assert_eq!(shown("x\u{9b}\u{61c}\u{202e}y"), r"x\u{9b}\u{61c}\u{202e}y");
        assert_eq!(shown_message("a\tb\nc\u{7f}"), "a\tb\nc\\u{7f}");
        assert_eq!(printable_text("a\t\r\n—b"), None);
        let frame = printable_text("\u{1b}\u{9b}\u{61c}\u{202e}x").unwrap();
        assert_eq!(frame, "?\u{bf}\u{bf}\u{fffd}x");
        assert_eq!(frame.len(), "\u{1b}\u{9b}\u{61c}\u{202e}x".len());
    }

    #[test]
    fn positions_count_characters_and_bytes() {
        let s = Source::new("t.yaml", "# 中文注释\nname: 值x\r\nb: c");
        // `x` after the Chinese value on line 2.
        let off = s.text.find('x').unwrap();
        let p = s.position(off);
        assert_eq!((p.line, p.column), (2, 8));
        assert_eq!(p.offset, off);
        let b = s.text.find("b:").unwrap();
        assert_eq!(s.position(b).line, 3);
        assert_eq!(s.position(b).column, 1);
        assert_eq!(s.slice(s.line_span(2)), "name: 值x");
    }

    #[test]
    fn lines_end_at_lf_crlf_and_cr() {
        for (text, starts) in [
            ("", vec![0]),
            ("a\nbc\n\nd", vec![0, 2, 5, 6]),
            ("a\r\nb\rc\n", vec![0, 3, 5, 7]),
            ("\n", vec![0, 1]),
        ] {
            assert_eq!(Source::new("t", text).line_starts(), starts, "{text:?}");
        }
    }

    #[test]
    fn char_to_byte_with_multibyte_text() {
        let t = "a中b文c";
        let m = CharToByte::new(t);
        let chars: Vec<(usize, char)> = t.char_indices().collect();
        for (ci, (bi, _)) in chars.iter().enumerate() {
            assert_eq!(m.byte(ci), *bi, "char {ci}");
        }
        assert_eq!(m.byte(5), t.len());
        let ascii = CharToByte::new("abc");
        assert_eq!(ascii.byte(2), 2);
    }
}
