//! Text embedded in a YAML scalar (a ConfigMap's `exports` file, `eks-config`'s `pod.annotations`
//! block), with a map from offsets in that text back to byte offsets of the file, so that findings
//! inside it point at the right line and column.

use super::{Node, Style};
use crate::source::Span;

pub struct Embedded {
    /// The embedded text, one line per source line, indentation removed.
    pub text: String,
    /// (offset in `text` where a line starts, byte offset in the file where it starts).
    segments: Vec<(usize, usize)>,
}

impl Embedded {
    /// The text of a scalar node as written in `file`. Literal and folded block scalars keep their
    /// lines; a single-line scalar maps one to one.
    pub fn of(file: &str, node: &Node<'_>) -> Option<Embedded> {
        let scalar = node.as_scalar()?;
        let raw = file.get(node.span.range())?;
        let start = node.span.start as usize;
        if scalar.style.is_block() {
            // The span starts at the first content character: its column is the block's indentation.
            let line_start = file[..start].rfind('\n').map_or(0, |i| i + 1);
            let indent = start - line_start;
            let mut text = String::with_capacity(raw.len());
            let mut segments = Vec::new();
            let mut src = start;
            for (i, line) in raw.split_inclusive('\n').enumerate() {
                // Later lines carry the block's indentation (blank lines may carry less).
                let skip = if i == 0 {
                    0
                } else {
                    line.bytes().take(indent).take_while(|&b| b == b' ').count()
                };
                segments.push((text.len(), src + skip));
                text.push_str(&line[skip..]);
                src += line.len();
            }
            if scalar.style == Style::Literal && !text.ends_with('\n') {
                text.push('\n');
            }
            return Some(Embedded { text, segments });
        }
        let (text, at) = match scalar.style {
            Style::Plain => (raw.to_string(), start),
            _ if scalar.value.len() + 2 == raw.len() && !raw.contains('\\') => {
                (scalar.value.to_string(), start + 1)
            }
            // Escapes or folding: offsets can only be approximate; map everything to the start.
            _ => {
                return Some(Embedded {
                    text: scalar.value.to_string(),
                    segments: vec![(0, start)],
                });
            }
        };
        Some(Embedded {
            text,
            segments: vec![(0, at)],
        })
    }

    /// The file byte offset of an offset in the embedded text.
    pub fn to_file(&self, offset: usize) -> usize {
        let i = self.segments.partition_point(|&(v, _)| v <= offset);
        match i.checked_sub(1).map(|i| self.segments[i]) {
            Some((v, s)) if self.segments.len() > 1 || v == 0 => s + (offset - v),
            _ => self.segments.first().map_or(0, |s| s.1),
        }
    }

    pub fn span_to_file(&self, span: Span) -> Span {
        Span::new(
            self.to_file(span.start as usize),
            self.to_file(span.end as usize),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Limits, parse};

    #[test]
    fn literal_block_maps_back_to_file_lines() {
        let file = "data:\n  exports: |\n    /data 10.0.0.0/16(rw)\n    /logs *(ro,insecure)\n";
        let arena = crate::yaml::Arena::new();
        let p = parse(file, &arena, Limits::default());
        let root = p.documents[0].root.as_ref().unwrap();
        let node = root.get("data").unwrap().get("exports").unwrap();
        let e = Embedded::of(file, node).unwrap();
        assert_eq!(e.text, "/data 10.0.0.0/16(rw)\n/logs *(ro,insecure)\n");
        let off = e.text.find("/logs").unwrap();
        let f = e.to_file(off);
        assert_eq!(&file[f..f + 5], "/logs");
        let off = e.text.find("(rw)").unwrap();
        assert_eq!(&file[e.to_file(off)..e.to_file(off) + 4], "(rw)");
    }

    #[test]
    fn single_line_scalars() {
        let file = "a: \"/data 10.0.0.0/16(rw)\"\nb: /x *(ro)\n";
        let arena = crate::yaml::Arena::new();
        let p = parse(file, &arena, Limits::default());
        let root = p.documents[0].root.as_ref().unwrap();
        let a = Embedded::of(file, root.get("a").unwrap()).unwrap();
        let off = a.text.find("10.").unwrap();
        assert_eq!(&file[a.to_file(off)..a.to_file(off) + 3], "10.");
        let b = Embedded::of(file, root.get("b").unwrap()).unwrap();
        assert_eq!(&file[b.to_file(3)..b.to_file(5)], "*(");
    }
}
