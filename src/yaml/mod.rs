//! Stage 3 — YAML with spans: our own tree built from saphyr-parser events.
//!
//! Every node carries its byte span; every scalar its raw text (a slice of the source), its style
//! and tag. Duplicate keys stay visible (saphyr's own loader keeps only the last one), merge keys
//! (`<<`) are applied the YAML 1.1 way Kubernetes uses, and the work is bounded: nesting depth and
//! alias expansion each have a limit with a clear error instead of a stack overflow or a
//! "billion laughs" blow-up.
//!
//! Files are split into documents the way Kubernetes' own YAML reader does (a line starting with
//! `---` followed by nothing but blanks or a comment), so that a syntax error in one document does
//! not hide the others.

pub mod embedded;
pub mod scalar;

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;

use saphyr_parser::ScalarStyle;

use crate::source::{CharToByte, Span};

pub use scalar::{K8sType, k8s_type};

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

impl Style {
    pub fn is_quoted(self) -> bool {
        matches!(self, Style::SingleQuoted | Style::DoubleQuoted)
    }
    pub fn is_block(self) -> bool {
        matches!(self, Style::Literal | Style::Folded)
    }
    pub fn name(self) -> &'static str {
        match self {
            Style::Plain => "plain",
            Style::SingleQuoted => "single-quoted",
            Style::DoubleQuoted => "double-quoted",
            Style::Literal => "literal block",
            Style::Folded => "folded block",
        }
    }
}

impl From<ScalarStyle> for Style {
    fn from(s: ScalarStyle) -> Style {
        match s {
            ScalarStyle::Plain => Style::Plain,
            ScalarStyle::SingleQuoted => Style::SingleQuoted,
            ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
            ScalarStyle::Literal => Style::Literal,
            ScalarStyle::Folded => Style::Folded,
        }
    }
}

/// Where a tree's collections and its scalars that are not their source text live: one block
/// of memory, freed at once. A lint worker reuses one from file to file (see [`parse_each`]).
#[derive(Default)]
pub struct Arena(bumpalo::Bump);

impl Arena {
    pub fn new() -> Arena {
        Arena::default()
    }
    fn str(&self, s: &str) -> &str {
        self.0.alloc_str(s)
    }
}

// An arena kept by each thread for `parse_each`, and what it may keep between files: a larger
// one (a large document was parsed) is given back. At 16 MiB, every lint thread ended up holding
// the arena of the largest document it had met (2.1 MB for the corpus's largest), whether or not
// it was parsing one; at 512 KiB a large document's arena is made for it (one mmap) and freed.
thread_local! {
    static ARENA: RefCell<Arena> = RefCell::new(Arena::new());
}
const ARENA_KEEP: usize = 512 << 10;

#[derive(Clone, Copy, Debug)]
pub struct Scalar<'a> {
    /// The value after unescaping and folding: a slice of the source when it is the same text,
    /// else in the arena.
    pub value: &'a str,
    pub style: Style,
    /// The tag as written (`!!str`, `!custom`), if any (behind one more reference: rare, and a
    /// thin pointer keeps every node 8 bytes smaller).
    tag: Option<&'a &'a str>,
}

impl<'a> Scalar<'a> {
    pub fn new(value: &'a str, style: Style, tag: Option<&'a &'a str>) -> Scalar<'a> {
        Scalar { value, style, tag }
    }
    /// The tag as written (`!!str`, `!custom`), if any.
    pub fn tag(&self) -> Option<&'a str> {
        self.tag.copied()
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Entry<'a> {
    pub key: Node<'a>,
    pub value: Node<'a>,
    /// True for entries brought in by a `<<` merge key rather than written in this mapping.
    pub merged: bool,
}

#[derive(Clone, Copy, Debug)]
pub enum Kind<'a> {
    Scalar(Scalar<'a>),
    Mapping(&'a [Entry<'a>]),
    Sequence(&'a [Node<'a>]),
}

#[derive(Clone, Copy, Debug)]
pub struct Node<'a> {
    pub span: Span,
    pub kind: Kind<'a>,
}

impl<'a> Node<'a> {
    pub fn as_scalar(&self) -> Option<&Scalar<'a>> {
        match &self.kind {
            Kind::Scalar(s) => Some(s),
            _ => None,
        }
    }
    /// The scalar's value, if this is a scalar.
    pub fn as_str(&self) -> Option<&'a str> {
        self.as_scalar().map(|s| s.value)
    }
    pub fn entries(&self) -> &'a [Entry<'a>] {
        match self.kind {
            Kind::Mapping(e) => e,
            _ => &[],
        }
    }
    pub fn items(&self) -> &'a [Node<'a>] {
        match self.kind {
            Kind::Sequence(i) => i,
            _ => &[],
        }
    }
    pub fn is_mapping(&self) -> bool {
        matches!(self.kind, Kind::Mapping(_))
    }
    pub fn is_sequence(&self) -> bool {
        matches!(self.kind, Kind::Sequence(_))
    }
    /// The entry for `key` in a mapping. Kubernetes keeps the last of duplicate keys, so do we.
    pub fn entry(&self, key: &str) -> Option<&Entry<'a>> {
        self.entries()
            .iter()
            .rev()
            .find(|e| e.key.as_str() == Some(key))
    }
    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        self.entry(key).map(|e| &e.value)
    }
    /// Follows a chain of mapping keys.
    pub fn get_path(&self, keys: &[&str]) -> Option<&Node<'a>> {
        let mut n = self;
        for k in keys {
            n = n.get(k)?;
        }
        Some(n)
    }
    /// The scalar value at `key`, if it is a scalar.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(|n| n.as_str())
    }
    /// How Kubernetes (YAML 1.1) types this node.
    /// The node's value as a number's text, the way Kubernetes receives it: an integer YAML 1.1
    /// reads from `0x10`, `1_000` or `010` in decimal (`16`, `1000`, `8`), anything else as
    /// written.
    pub fn number_text(&self) -> Option<Cow<'a, str>> {
        if let Some(n) = self.int() {
            return Some(n.to_string().into());
        }
        Some(self.as_scalar()?.value.into())
    }
    /// The integer Kubernetes reads (YAML 1.1: `0x10`, `1_000`), when the node is a plain,
    /// untagged one.
    pub fn int(&self) -> Option<i128> {
        let s = self.as_scalar()?;
        if s.style != Style::Plain || s.tag().is_some() {
            return None;
        }
        scalar::int_value(s.value)
    }
    pub fn k8s_type(&self) -> K8sType {
        match &self.kind {
            Kind::Scalar(s) => k8s_type(s),
            Kind::Mapping(_) => K8sType::Mapping,
            Kind::Sequence(_) => K8sType::Sequence,
        }
    }
    /// A JSON-pointer-like path segment display of a scalar key, for messages.
    pub fn count_nodes(&self) -> usize {
        match &self.kind {
            Kind::Scalar(_) => 1,
            Kind::Mapping(e) => {
                1 + e
                    .iter()
                    .map(|e| e.key.count_nodes() + e.value.count_nodes())
                    .sum::<usize>()
            }
            Kind::Sequence(i) => 1 + i.iter().map(Node::count_nodes).sum::<usize>(),
        }
    }
}

/// The path from `root` to the node (or mapping key) with exactly `span`, e.g.
/// `.spec.template.spec.containers[name=web].ports[containerPort=9100].containerPort`. Items of a
/// list of mappings are named by the key Kubernetes merges them on (`name`; an unnamed port by
/// `containerPort`, a mount by `mountPath`, a device by `devicePath`, a host alias by `ip`) rather
/// than numbered, so the path survives inserting and reordering; other items are numbered. A key
/// is shown as the path of its value. Used to fingerprint findings without line numbers.
pub fn path_to(root: &Node<'_>, span: Span) -> Option<String> {
    enum Seg<'n> {
        Key(&'n str),
        /// An item by its merge key and that key's value.
        Name(&'static str, &'n str),
        Index(usize),
    }
    const MERGE_KEYS: [&str; 5] = ["name", "containerPort", "mountPath", "devicePath", "ip"];
    // The segments are collected (innermost first) only on the way back from the node, so the
    // keys tried on the way down cost no text.
    fn walk<'n>(n: &'n Node<'_>, span: Span, segs: &mut Vec<Seg<'n>>) -> bool {
        if n.span == span {
            return true;
        }
        // Aliased nodes keep their anchor's spans, so only sequences and scalars can be pruned.
        let inside = n.span.start <= span.start && span.end <= n.span.end;
        if !inside && !n.is_mapping() {
            return false;
        }
        // Entries and items are in the order of the text: the one that starts last at or before
        // the span is tried first (a binary search), and the others only when it is not the
        // way (an alias's nodes keep their anchor's spans). Trying them all first made a
        // mapping of n findings cost n² (80,000 `key: yes` in one ConfigMap took 11 s).
        fn candidate(starts: impl Fn(usize) -> u32, len: usize, span: Span) -> Option<usize> {
            let (mut lo, mut hi) = (0, len);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if starts(mid) <= span.start {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            lo.checked_sub(1)
        }
        match &n.kind {
            Kind::Scalar(_) => false,
            Kind::Mapping(entries) => {
                let first = candidate(|i| entries[i].key.span.start, entries.len(), span);
                let order = first
                    .into_iter()
                    .chain((0..entries.len()).filter(|i| Some(*i) != first));
                for e in order.map(|i| &entries[i]).filter(|e| !e.merged) {
                    if e.key.span == span || walk(&e.value, span, segs) {
                        segs.push(Seg::Key(e.key.as_str().unwrap_or("?")));
                        return true;
                    }
                }
                false
            }
            Kind::Sequence(items) => {
                let first = candidate(|i| items[i].span.start, items.len(), span);
                let order = first
                    .into_iter()
                    .chain((0..items.len()).filter(|i| Some(*i) != first));
                for (i, item) in order.map(|i| (i, &items[i])) {
                    if walk(item, span, segs) {
                        let merge_key = MERGE_KEYS
                            .iter()
                            .find_map(|k| Some((*k, item.get(k)?.as_str()?)));
                        segs.push(match merge_key {
                            Some((key, value)) => Seg::Name(key, value),
                            None => Seg::Index(i),
                        });
                        return true;
                    }
                }
                false
            }
        }
    }
    let mut segs = Vec::new();
    if !walk(root, span, &mut segs) {
        return None;
    }
    let mut path = String::new();
    for seg in segs.iter().rev() {
        use std::fmt::Write;
        let _ = match seg {
            Seg::Key(k)
                if k.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
            {
                write!(path, ".{k}")
            }
            Seg::Key(k) => write!(path, "[\"{k}\"]"),
            Seg::Name(key, value) => write!(path, "[{key}={value}]"),
            Seg::Index(i) => write!(path, "[{i}]"),
        };
    }
    Some(path)
}

/// One YAML document of a file.
#[derive(Debug)]
pub struct Document<'a> {
    /// 0-based index of the document in its file.
    pub index: usize,
    /// `None` for an empty document (only comments, or `---` alone).
    pub root: Option<Node<'a>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The text is not valid YAML.
    Syntax,
    /// The text is valid but exceeds one of our bounds (depth, alias expansion).
    Limit,
}

#[derive(Clone, Debug)]
pub struct ParseError {
    pub kind: ErrorKind,
    /// Where the parser stopped (a single character, or empty at a line end / end of file).
    pub at: usize,
    pub message: String,
    /// The byte range of the document that could not be used.
    pub document: Span,
}

#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Maximum nesting of mappings and sequences.
    pub max_depth: usize,
    /// Maximum number of nodes that aliases may add to one document when expanded.
    pub max_alias_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 256,
            max_alias_nodes: 100_000,
        }
    }
}

#[derive(Debug, Default)]
pub struct Parsed<'a> {
    pub documents: Vec<Document<'a>>,
    pub errors: Vec<ParseError>,
}

/// Byte ranges of the documents of `text`, split the way Kubernetes' YAML reader splits them: at
/// every line that is `---` followed by nothing but blanks or a comment (the first line never
/// splits). Only lines that start with `---` can split, so only those are looked at.
pub fn split_documents(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut start = 0usize;
    let bytes = text.as_bytes();
    for nl in memchr::memmem::find_iter(bytes, b"\n---") {
        let pos = nl + 1;
        let line_end = memchr::memchr(b'\n', &bytes[pos..])
            .map(|i| pos + i + 1)
            .unwrap_or(bytes.len());
        let rest = text[pos + 3..line_end].trim();
        if rest.is_empty() || rest.starts_with('#') {
            spans.push(Span::new(start, pos));
            start = pos;
        }
    }
    spans.push(Span::new(start, bytes.len()));
    spans
}

/// Parses all documents of `text`, into `arena`. A document that fails to parse gives a
/// [`ParseError`] and is left out; the others are still returned.
pub fn parse<'a>(text: &'a str, arena: &'a Arena, limits: Limits) -> Parsed<'a> {
    let mut out = Parsed::default();
    let mut index = 0usize;
    for chunk in chunks(text) {
        let one = parse_part(text, chunk, arena, limits, &mut index);
        out.documents.extend(one.documents);
        out.errors.extend(one.errors);
    }
    out
}

/// Parses `text` one `---`-separated part at a time and hands each part (its byte range, and its
/// documents or its error) to `each`, which drops them before the next part is parsed: a
/// file's memory is then that of its largest document, not of all its documents at once. The
/// trees are built in the thread's arena, emptied for every part and kept for the next file
/// (no allocation per collection, nothing to free node by node).
/// `each` returns whether to go on.
pub fn parse_each(text: &str, limits: Limits, mut each: impl FnMut(Span, Parsed<'_>) -> bool) {
    let mut run = |arena: &mut Arena| {
        let mut index = 0usize;
        for chunk in chunks(text) {
            arena.0.reset();
            // Sized for the part at once (a tree takes about 1.4 times its YAML): an arena that
            // grew by doubling would hold up to three times the tree.
            let want = chunk.len() / 2 * 3 + (8 << 10);
            if arena.0.chunk_capacity() < want {
                *arena = Arena(bumpalo::Bump::with_capacity(want));
            }
            let out = parse_part(text, chunk, arena, limits, &mut index);
            if !each(chunk, out) {
                break;
            }
        }
        arena.0.reset();
    };
    ARENA.with(|cell| match cell.try_borrow_mut() {
        Ok(mut arena) => {
            run(&mut arena);
            if arena.0.allocated_bytes() > ARENA_KEEP {
                *arena = Arena::new();
            }
        }
        // Called again from within `each`: a fresh arena for this text.
        Err(_) => run(&mut Arena::new()),
    });
}

/// The byte ranges of the parts of `text` (a byte-order mark is not content).
fn chunks(text: &str) -> impl Iterator<Item = Span> + '_ {
    let base = if text.starts_with('\u{feff}') { 3 } else { 0 };
    split_documents(&text[base..])
        .into_iter()
        .map(move |c| Span::new(c.start as usize + base, c.end as usize + base))
}

/// One part's documents (numbered from `index` on) or its error.
fn parse_part<'a>(
    text: &'a str,
    chunk: Span,
    arena: &'a Arena,
    limits: Limits,
    index: &mut usize,
) -> Parsed<'a> {
    let mut out = Parsed::default();
    let chunk_text = &text[chunk.range()];
    // Kubernetes' YAML reader (go-yaml) rejects a document holding a character YAML does not
    // allow in a stream; saphyr takes them. (JSON goes to a JSON decoder, which does not.)
    let forbidden = if text.trim_start().starts_with(['{', '[']) {
        None
    } else {
        forbidden_char(chunk_text)
    };
    let parsed = match forbidden {
        Some((at, c)) => Err((
            ErrorKind::Syntax,
            chunk.start as usize + at,
            format!(
                "control character U+{:04X} is not allowed in YAML (`kubectl apply` fails: \"control characters are not allowed\")",
                c as u32
            ),
        )),
        None => parse_chunk(chunk_text, chunk.start as usize, arena, limits),
    };
    match parsed {
        Ok(docs) => {
            for root in docs {
                out.documents.push(Document {
                    index: *index,
                    root,
                });
                *index += 1;
            }
        }
        Err((kind, at, message)) => {
            // An error at the very end of a document (an unclosed bracket or quote) is shown
            // after its last character, not on the next document's `---` line.
            let content_end = chunk.start as usize + chunk_text.trim_end().len();
            let at = at.min(content_end);
            out.errors.push(ParseError {
                kind,
                at,
                message,
                document: chunk,
            });
            *index += 1;
        }
    }
    out
}

/// A tag as the user wrote it: `!!str` for the core schema, `!name` for local tags.
fn tag_text(handle: &str, suffix: &str) -> Box<str> {
    if handle == "tag:yaml.org,2002:" {
        format!("!!{suffix}")
    } else if handle == "!" {
        format!("!{suffix}")
    } else {
        format!("{handle}{suffix}")
    }
    .into_boxed_str()
}

/// Brings in the entries of `<<` merge keys. A merge of anything but a mapping or a list of
/// mappings fails the document, as in go-yaml ("map merge requires map or sequence of maps as
/// the value"): the offset of that `<<`.
fn apply_merge_keys(entries: &mut Vec<Entry<'_>>) -> Result<(), usize> {
    let is_merge = |e: &Entry| {
        e.key
            .as_scalar()
            .is_some_and(|s| s.style == Style::Plain && s.value == "<<")
    };
    if !entries.iter().any(is_merge) {
        return Ok(());
    }
    let mut merged = Vec::new();
    let mut own = Vec::with_capacity(entries.len());
    for e in entries.drain(..) {
        if is_merge(&e) {
            let sources: &[Node] = match &e.value.kind {
                Kind::Mapping(_) => std::slice::from_ref(&e.value),
                Kind::Sequence(items) => items,
                // At the `<<` itself: the value may be an alias, whose span is its anchor's.
                Kind::Scalar(_) => return Err(e.key.span.start as usize),
            };
            for src in sources {
                match src.kind {
                    Kind::Mapping(src_entries) => merged.extend_from_slice(src_entries),
                    _ => return Err(e.key.span.start as usize),
                }
            }
        } else {
            own.push(e);
        }
    }
    for mut m in merged {
        let k = m.key.as_str();
        let present = own.iter().any(|e| e.key.as_str() == k && k.is_some());
        if !present {
            m.merged = true;
            own.push(m);
        }
    }
    *entries = own;
    Ok(())
}

type ChunkError = (ErrorKind, usize, String);

/// One parser event, whichever parser produced it, with its span in bytes of the whole file.
enum Ev<'a> {
    DocStart,
    DocEnd,
    Scalar(Cow<'a, str>, Style, usize, Option<Box<str>>),
    Alias(usize),
    SeqStart(usize, bool),
    SeqEnd,
    MapStart(usize, bool),
    MapEnd,
    /// Stream markers, comments: nothing to build.
    Other,
}

type EvResult<'a> = Result<(Ev<'a>, Span), (usize, String)>;

/// Events from saphyr-parser, whose markers count characters.
/// `input` is the part's text, or (see [`flow_root`]) `--- ` and the part's text from byte `skip`
/// on: markers are mapped back to the part either way.
fn saphyr_events(
    input: &str,
    base: usize,
    skip: Option<usize>,
) -> impl Iterator<Item = EvResult<'_>> {
    use saphyr_parser::Event;
    let map = CharToByte::new(input);
    let byte = move |char_index: usize| match skip {
        None => base + map.byte(char_index),
        Some(skip) => base + skip + map.byte(char_index).saturating_sub(FLOW_ROOT_PREFIX.len()),
    };
    let mut parser = saphyr_parser::Parser::new_from_str(input);
    std::iter::from_fn(move || {
        let ev = parser.next_event()?;
        Some(match ev {
            Err(e) => Err((byte(e.marker().index()), e.info().to_string())),
            Ok((ev, sp)) => {
                let span = Span::new(byte(sp.start.index()), byte(sp.end.index()));
                let ev = match ev {
                    Event::DocumentStart(_) => Ev::DocStart,
                    Event::DocumentEnd => Ev::DocEnd,
                    Event::Scalar(v, style, anchor, tag) => Ev::Scalar(
                        v,
                        style.into(),
                        anchor,
                        tag.map(|t| tag_text(&t.handle, &t.suffix)),
                    ),
                    Event::Alias(id) => Ev::Alias(id),
                    // saphyr gives block collections an empty start span, flow ones their bracket.
                    Event::SequenceStart(anchor, _) => Ev::SeqStart(anchor, !span.is_empty()),
                    Event::SequenceEnd => Ev::SeqEnd,
                    Event::MappingStart(anchor, _) => Ev::MapStart(anchor, !span.is_empty()),
                    Event::MappingEnd => Ev::MapEnd,
                    Event::StreamStart | Event::StreamEnd | Event::Nothing => Ev::Other,
                };
                Ok((ev, span))
            }
        })
    })
}

/// Events from granit-parser (the saphyr-parser fork that serde-saphyr is built on), which accepts
/// the YAML 1.1-era indentation that Kubernetes (go-yaml) accepts and saphyr rejects.
fn granit_events(chunk: &str, base: usize) -> impl Iterator<Item = EvResult<'_>> {
    use granit_parser::{Event, ScalarStyle as G, StructureStyle};
    let map = CharToByte::new(chunk);
    let mut parser = granit_parser::Parser::new_from_str(chunk);
    let byte = move |m: &granit_parser::Marker| {
        base + m.byte_offset().unwrap_or_else(|| map.byte(m.index()))
    };
    std::iter::from_fn(move || {
        let ev = parser.next_event()?;
        Some(match ev {
            Err(e) => Err((byte(e.marker()), e.info().to_string())),
            Ok((ev, sp)) => {
                let span = Span::new(byte(&sp.start), byte(&sp.end));
                let style = |s: G| match s {
                    G::Plain => Style::Plain,
                    G::SingleQuoted => Style::SingleQuoted,
                    G::DoubleQuoted => Style::DoubleQuoted,
                    G::Literal => Style::Literal,
                    G::Folded => Style::Folded,
                };
                let ev = match ev {
                    Event::DocumentStart(..) => Ev::DocStart,
                    Event::DocumentEnd => Ev::DocEnd,
                    Event::Scalar(v, s, anchor, tag) => Ev::Scalar(
                        v,
                        style(s),
                        anchor,
                        tag.map(|t| tag_text(t.handle(), t.suffix())),
                    ),
                    Event::Alias(id) => Ev::Alias(id),
                    Event::SequenceStart(st, anchor, _) => {
                        Ev::SeqStart(anchor, st == StructureStyle::Flow)
                    }
                    Event::SequenceEnd => Ev::SeqEnd,
                    Event::MappingStart(st, anchor, _) => {
                        Ev::MapStart(anchor, st == StructureStyle::Flow)
                    }
                    Event::MappingEnd => Ev::MapEnd,
                    _ => Ev::Other,
                };
                Ok((ev, span))
            }
        })
    })
}

const FLOW_ROOT_PREFIX: &str = "--- ";

/// Where a part whose document is one large flow collection (JSON, `kubectl get -o json`)
/// starts it: after blank lines, comments and a `---` line only, and more than 1024 bytes long.
///
/// saphyr-parser keeps a flow collection at the root as a possible mapping key until it closes,
/// and with it every token inside: 11 MB of JSON took 410 MB. An implicit key is at most 1024
/// characters (YAML 1.2, 7.4.2; go-yaml enforces it), and none can start right after `--- `
/// on the same line, so the part is parsed as `--- ` and its text from there: 16 MB. Should
/// that fail (a document that does use a flow collection as a key), the part as written is
/// parsed again.
fn flow_root(chunk: &str) -> Option<usize> {
    let mut at = 0;
    for line in chunk.split_inclusive('\n') {
        let content = line.trim_start();
        let trimmed = content.trim_end();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed == "---" {
            at += line.len();
            continue;
        }
        let skip = at + (line.len() - content.len());
        return (content.starts_with(['{', '[']) && chunk.len() - skip > 1024).then_some(skip);
    }
    None
}

fn parse_chunk<'a>(
    chunk: &'a str,
    base: usize,
    arena: &'a Arena,
    limits: Limits,
) -> Result<Vec<Option<Node<'a>>>, ChunkError> {
    if let Some(skip) = flow_root(chunk) {
        let mut input = String::with_capacity(FLOW_ROOT_PREFIX.len() + chunk.len() - skip);
        input.push_str(FLOW_ROOT_PREFIX);
        input.push_str(&chunk[skip..]);
        let input = arena.str(&input);
        match build(
            chunk,
            base,
            arena,
            limits,
            saphyr_events(input, base, Some(skip)),
        ) {
            Err((ErrorKind::Syntax, _, _)) => {}
            other => return other,
        }
    }
    match build(chunk, base, arena, limits, saphyr_events(chunk, base, None)) {
        Err((ErrorKind::Syntax, at, message)) => {
            // saphyr follows YAML 1.2's indentation rules more strictly than Kubernetes does;
            // before calling a document invalid, give it to the more lenient fork.
            build(chunk, base, arena, limits, granit_events(chunk, base))
                .map_err(|_| (ErrorKind::Syntax, at, message))
        }
        other => other,
    }
}

/// An open collection. Its children wait on the builder's `scratch` stack from index `base` on
/// (a mapping's as key, value, key, value, ...) and move into a vector of exactly their number
/// when it closes: no vector grows by doubling while a file is built.
enum Frame {
    Seq {
        start: Span,
        flow: bool,
        anchor: usize,
        base: usize,
    },
    Map {
        start: Span,
        flow: bool,
        anchor: usize,
        base: usize,
    },
}

struct Builder<'a> {
    text: &'a str,
    arena: &'a Arena,
    base: usize,
    limits: Limits,
    stack: Vec<Frame>,
    scratch: Vec<Node<'a>>,
    /// A closing mapping's entries, before they move to the arena.
    entries: Vec<Entry<'a>>,
    anchors: HashMap<usize, (Node<'a>, usize)>,
    alias_budget: usize,
    root: Option<Node<'a>>,
}

impl<'a> Builder<'a> {
    fn local(&self, span: Span) -> &'a str {
        let text: &'a str = self.text;
        text.get(span.start as usize - self.base..span.end as usize - self.base)
            .unwrap_or("")
    }

    /// Scalar spans include `&anchor` and `!tag` properties and, for block and plain scalars,
    /// trailing blank lines: trim both so the span is exactly the value's text.
    fn scalar_span(&self, mut span: Span, style: Style, has_props: bool) -> Span {
        if has_props {
            let raw = self.local(span);
            let mut rest = raw;
            while rest.starts_with('&') || rest.starts_with('!') {
                let end = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
                rest = rest[end..].trim_start();
            }
            span.start += (raw.len() - rest.len()) as u32;
        }
        if style.is_block() || style == Style::Plain {
            let raw = self.local(span);
            // Most end in a visible ASCII character: nothing to trim, no need to decode.
            if !matches!(raw.as_bytes().last(), Some(&b) if b > b' ' && b < 0x80) {
                let trimmed = raw.trim_end();
                span.end -= (raw.len() - trimmed.len()) as u32;
            }
        } else if let Some(close) = closing_quote(self.local(span).as_bytes()) {
            // A quoted scalar's end marker can lie past its closing quote (a comment after it
            // on the line): the span ends at the quote.
            span.end = span.start + close as u32 + 1;
        }
        span
    }

    /// saphyr hands over every scalar as an owned `String`. Most are exactly their source text
    /// (plain scalars on one line, quoted ones without escapes): borrow those from the file
    /// instead; the others are copied to the arena.
    fn borrow_if_same(&self, value: Cow<'a, str>, span: Span, style: Style) -> &'a str {
        let owned = match value {
            Cow::Borrowed(v) => return v,
            Cow::Owned(owned) => owned,
        };
        let raw = self.local(span);
        let inner = match style {
            Style::Plain => Some(raw),
            Style::SingleQuoted | Style::DoubleQuoted => raw
                .get(1..raw.len().saturating_sub(1))
                .filter(|_| raw.len() >= 2),
            Style::Literal | Style::Folded => None,
        };
        match inner {
            Some(inner) if inner == owned => inner,
            _ => self.arena.str(&owned),
        }
    }

    fn push(&mut self, node: Node<'a>) {
        if self.stack.is_empty() {
            self.root = Some(node);
        } else {
            self.scratch.push(node);
        }
    }

    fn remember(&mut self, anchor: usize, node: &Node<'a>) {
        if anchor != 0 {
            let count = node.count_nodes();
            self.anchors.insert(anchor, (*node, count));
        }
    }

    fn open(&mut self, frame: Frame, at: usize) -> Result<(), ChunkError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err((
                ErrorKind::Limit,
                at,
                format!(
                    "nesting is deeper than {} levels; ekslint stops here to stay safe",
                    self.limits.max_depth
                ),
            ));
        }
        self.stack.push(frame);
        Ok(())
    }
}

fn build<'a>(
    chunk: &'a str,
    base: usize,
    arena: &'a Arena,
    limits: Limits,
    events: impl Iterator<Item = EvResult<'a>>,
) -> Result<Vec<Option<Node<'a>>>, ChunkError> {
    let mut b = Builder {
        text: chunk,
        arena,
        base,
        limits,
        // Sized for a typical manifest, so that they rarely grow node by node (each growth is a
        // `realloc`; they are made again for every document).
        stack: Vec::with_capacity(16),
        scratch: Vec::with_capacity(64),
        entries: Vec::with_capacity(32),
        anchors: HashMap::new(),
        alias_budget: limits.max_alias_nodes,
        root: None,
    };
    let mut docs = Vec::new();
    let mut in_doc = false;
    for ev in events {
        let (ev, span) = match ev {
            Ok(x) => x,
            Err((at, info)) => {
                if info.contains("recursion limit exceeded") {
                    return Err((
                        ErrorKind::Limit,
                        at,
                        "flow collections nest too deeply; ekslint stops here to stay safe".into(),
                    ));
                }
                return Err((ErrorKind::Syntax, at, info));
            }
        };
        match ev {
            Ev::Other => {}
            Ev::DocStart => {
                in_doc = true;
                b.root = None;
                b.anchors.clear();
                b.alias_budget = limits.max_alias_nodes;
            }
            Ev::DocEnd => {
                if in_doc {
                    docs.push(b.root.take());
                }
                in_doc = false;
            }
            Ev::Scalar(value, style, anchor, tag) => {
                let span = b.scalar_span(span, style, anchor != 0 || tag.is_some());
                let value = b.borrow_if_same(value, span, style);
                let tag = tag.map(|t| &*arena.0.alloc(arena.str(&t)));
                let node = Node {
                    span,
                    kind: Kind::Scalar(Scalar { value, style, tag }),
                };
                b.remember(anchor, &node);
                b.push(node);
            }
            Ev::Alias(id) => {
                let Some((node, count)) = b.anchors.get(&id) else {
                    return Err((
                        ErrorKind::Syntax,
                        span.start as usize,
                        "unknown alias".into(),
                    ));
                };
                if *count > b.alias_budget {
                    return Err((
                        ErrorKind::Limit,
                        span.start as usize,
                        format!(
                            "aliases expand to more than {} nodes in this document (an \"alias bomb\"?); ekslint does not expand them further",
                            limits.max_alias_nodes
                        ),
                    ));
                }
                b.alias_budget -= *count;
                let node = *node;
                b.push(node);
            }
            Ev::SeqStart(anchor, flow) => b.open(
                Frame::Seq {
                    start: span,
                    flow,
                    anchor,
                    base: b.scratch.len(),
                },
                span.start as usize,
            )?,
            Ev::MapStart(anchor, flow) => b.open(
                Frame::Map {
                    start: span,
                    flow,
                    anchor,
                    base: b.scratch.len(),
                },
                span.start as usize,
            )?,
            Ev::SeqEnd => {
                let Some(Frame::Seq {
                    start,
                    flow,
                    anchor,
                    base,
                }) = b.stack.pop()
                else {
                    return Err((
                        ErrorKind::Syntax,
                        span.start as usize,
                        "unbalanced sequence".into(),
                    ));
                };
                let items: &'a [Node<'a>] = arena.0.alloc_slice_fill_iter(b.scratch.drain(base..));
                let full = if flow {
                    // From `[` to `]`.
                    start.cover(span)
                } else {
                    // From the first `-` (or the first item) to the end of the last item.
                    let first = items
                        .first()
                        .map_or(start.start, |f| f.span.start.min(start.start));
                    items
                        .last()
                        .map_or(start, |l| Span::empty(first as usize).cover(l.span))
                };
                let node = Node {
                    span: full,
                    kind: Kind::Sequence(items),
                };
                b.remember(anchor, &node);
                b.push(node);
            }
            Ev::MapEnd => {
                let Some(Frame::Map {
                    start,
                    flow,
                    anchor,
                    base,
                }) = b.stack.pop()
                else {
                    return Err((
                        ErrorKind::Syntax,
                        span.start as usize,
                        "unbalanced mapping".into(),
                    ));
                };
                let mut entries = std::mem::take(&mut b.entries);
                let mut children = b.scratch.drain(base..);
                while let Some(key) = children.next() {
                    let value = children.next().unwrap_or_else(|| {
                        // A key without a value (can happen in flow mappings): keep it with an
                        // empty value.
                        Node {
                            span: Span::empty(key.span.end as usize),
                            kind: Kind::Scalar(Scalar {
                                value: "",
                                style: Style::Plain,
                                tag: None,
                            }),
                        }
                    });
                    entries.push(Entry {
                        key,
                        value,
                        merged: false,
                    });
                }
                drop(children);
                let full = if flow {
                    start.cover(span)
                } else {
                    // From the first key to the end of the last value.
                    let first = entries.first().map_or(start.start, |e| e.key.span.start);
                    let s = Span::empty(first as usize);
                    entries
                        .iter()
                        .rfind(|e| !e.merged)
                        .map_or(start, |l| s.cover(l.value.span).cover(l.key.span))
                };
                if let Err(at) = apply_merge_keys(&mut entries) {
                    return Err((
                        ErrorKind::Syntax,
                        at,
                        "a merge key (`<<`) takes a mapping or a list of mappings (Kubernetes' YAML reader fails: \"map merge requires map or sequence of maps as the value\")".into(),
                    ));
                }
                let node = Node {
                    span: full,
                    kind: Kind::Mapping(arena.0.alloc_slice_copy(&entries)),
                };
                entries.clear();
                b.entries = entries;
                b.remember(anchor, &node);
                b.push(node);
            }
        }
    }
    if in_doc {
        docs.push(b.root.take());
    }
    Ok(docs)
}

/// The first character YAML does not allow in a stream, and where (go-yaml's reader: anything
/// but tab, line breaks, printable ASCII, U+0085, U+00A0-U+D7FF, U+E000-U+FFFD and beyond
/// U+FFFF). Blocks of 64 bytes are tested for candidate bytes at once (control bytes, and the
/// lead bytes of C1 controls, 0xC2, and of U+FFFE/U+FFFF, 0xEF), which the compiler turns into
/// vector code; only a block holding one is decoded.
fn forbidden_char(text: &str) -> Option<(usize, char)> {
    let candidate = |b: u8| {
        (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) | (b == 0x7F) | (b == 0xC2) | (b == 0xEF)
    };
    let bytes = text.as_bytes();
    let mut start = 0;
    for block in bytes.chunks(64) {
        if block.iter().fold(false, |any, &b| any | candidate(b)) {
            // Decode from the block's first character (a block can start inside one).
            let (mut at, mut end) = (start, start + block.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            while !text.is_char_boundary(end) {
                end += 1;
            }
            for (i, c) in text[at..end].char_indices() {
                let allowed = match c {
                    '\u{80}'..='\u{9F}' => c == '\u{85}',
                    '\u{FFFE}' | '\u{FFFF}' => false,
                    c => !c.is_ascii_control() || matches!(c, '\t' | '\n' | '\r'),
                };
                if !allowed {
                    return Some((at + i, c));
                }
            }
        }
        start += block.len();
    }
    None
}

/// Where the quoted scalar starting `raw` (with its opening quote) closes: the offset of the
/// closing quote (`''` inside single quotes and `\"` inside double quotes do not close it).
fn closing_quote(raw: &[u8]) -> Option<usize> {
    let quote = *raw.first().filter(|q| matches!(q, b'"' | b'\''))?;
    let mut i = 1;
    while i < raw.len() {
        match raw[i] {
            b'\\' if quote == b'"' => i += 1,
            b'\'' if quote == b'\'' && raw.get(i + 1) == Some(&b'\'') => i += 1,
            b if b == quote => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_root(text: &str) -> Node<'_> {
        // A test's tree lives as long as the test.
        let arena = Box::leak(Box::new(Arena::new()));
        let p = parse(text, arena, Limits::default());
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        p.documents.into_iter().next().unwrap().root.unwrap()
    }

    #[test]
    fn spans_are_bytes_even_after_chinese_comments() {
        let text = "# 中文注释：部署\nmetadata:\n  name: 网站 # 名字\n  port: 9100\n";
        let root = first_root(text);
        let port = root.get_path(&["metadata", "port"]).unwrap();
        assert_eq!(&text[port.span.range()], "9100");
        let name = root.get_path(&["metadata", "name"]).unwrap();
        assert_eq!(&text[name.span.range()], "网站");
        let key = &root.get("metadata").unwrap().entries()[1].key;
        assert_eq!(&text[key.span.range()], "port");
    }

    #[test]
    fn quoted_scalars_keep_quotes_in_span_and_style() {
        let text = "a: \"apps/v1\"\nb: 'x'\nc: |\n  hello\n\nd: &x !!str 12\n";
        let root = first_root(text);
        let a = root.get("a").unwrap();
        assert_eq!(&text[a.span.range()], "\"apps/v1\"");
        assert_eq!(a.as_scalar().unwrap().style, Style::DoubleQuoted);
        let c = root.get("c").unwrap();
        assert_eq!(&text[c.span.range()], "hello");
        let d = root.get("d").unwrap();
        assert_eq!(&text[d.span.range()], "12");
        assert_eq!(d.as_scalar().unwrap().tag(), Some("!!str"));
    }

    /// go-yaml's reader rejects characters YAML does not allow in a stream; so does the parse,
    /// document by document. Tabs, line breaks, NEL, a BOM, Chinese and fullwidth text pass.
    #[test]
    fn control_characters_fail_their_document_only() {
        let long = "x".repeat(70);
        assert_eq!(
            forbidden_char("a: \"tab\there\u{85}\u{feff}，中文\"\r\n"),
            None
        );
        assert_eq!(forbidden_char("a: 1 # \u{1b}[31m"), Some((7, '\u{1b}')));
        assert_eq!(forbidden_char("a: \u{7f}"), Some((3, '\u{7f}')));
        assert_eq!(
            forbidden_char(&format!("{long}，\u{9b}")),
            Some((73, '\u{9b}'))
        );
        assert_eq!(
            forbidden_char(&format!("{long}\u{ffff}")),
            Some((70, '\u{ffff}'))
        );
        let text = "a: 1\n---\nb: \"\u{1}\"\n---\nc: 3\n";
        let arena = Arena::new();
        let p = parse(text, &arena, Limits::default());
        assert_eq!(p.documents.len(), 2);
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.errors[0].at, text.find('\u{1}').unwrap());
        assert!(
            p.errors[0].message.contains("U+0001"),
            "{}",
            p.errors[0].message
        );
        // JSON goes to a JSON decoder: DEL and C1 controls are allowed in its strings.
        let json = "{\"a\": \"\u{7f}\u{9b}\"}";
        assert!(parse(json, &arena, Limits::default()).errors.is_empty());
    }

    /// A quoted scalar's span ends at its closing quote, not at a comment after it on the line
    /// (which is where saphyr's end marker was): a suppression comment there was taken for part
    /// of the string.
    #[test]
    fn quoted_scalars_end_at_their_closing_quote() {
        let text = "a: \"x\" # ekslint-disable-line EKS003\nb: 'it''s' # c\nc: \"q\\\"\" # d\nd: {e: \"f\" , g: 'h'  }\ne: \"two\n  lines\"   # c\n";
        let root = first_root(text);
        let span = |n: &Node<'_>| &text[n.span.range()];
        assert_eq!(span(root.get("a").unwrap()), "\"x\"");
        assert_eq!(span(root.get("b").unwrap()), "'it''s'");
        assert_eq!(span(root.get("c").unwrap()), "\"q\\\"\"");
        let d = root.get("d").unwrap();
        assert_eq!(span(d.get("e").unwrap()), "\"f\"");
        assert_eq!(span(d.get("g").unwrap()), "'h'");
        assert_eq!(span(root.get("e").unwrap()), "\"two\n  lines\"");
    }

    /// A large document that is one flow collection (JSON) is parsed as `--- ` and its text (see
    /// `flow_root`): spans still point into the file, multi-byte text before and inside.
    #[test]
    fn a_large_flow_root_keeps_its_spans() {
        let items: Vec<String> = (0..40)
            .map(|i| format!("{{\"name\": \"容器{i}\", \"port\": {}}}", 9000 + i))
            .collect();
        let text = format!(
            "# 中文注释\n---\n  {{\"kind\": \"List\",\n   \"items\": [{}]}}\n",
            items.join(",\n")
        );
        assert!(flow_root(&text).is_some(), "the case under test");
        let root = first_root(&text);
        assert!(text[root.span.range()].starts_with("{\"kind\""));
        let items = root.get("items").unwrap().items();
        assert_eq!(items.len(), 40);
        let last = &items[39];
        assert_eq!(&text[last.get("name").unwrap().span.range()], "\"容器39\"");
        assert_eq!(&text[last.get("port").unwrap().span.range()], "9039");
        assert_eq!(&text[last.entries()[1].key.span.range()], "\"port\"");
        // An error is placed in the file too: here the missing `]`, at the end.
        let broken = text.replace("}]}", "}}");
        let arena = Arena::new();
        let p = parse(&broken, &arena, Limits::default());
        assert_eq!(p.errors.len(), 1);
        assert!(p.errors[0].at > broken.len() - 8, "{:?}", p.errors[0]);
    }

    /// A flow collection may be a key: that part is parsed as written.
    #[test]
    fn a_flow_collection_as_a_key_still_parses() {
        let text = format!("[a, b]:\n  k: {}\n", "v".repeat(2000));
        assert!(flow_root(&text).is_some());
        let root = first_root(&text);
        let key = &root.entries()[0].key;
        assert_eq!(&text[key.span.range()], "[a, b]");
        assert_eq!(
            root.entries()[0].value.get_str("k").map(str::len),
            Some(2000)
        );
    }

    #[test]
    fn duplicate_keys_are_kept_and_last_wins() {
        let root = first_root("a: 1\na: 2\n");
        assert_eq!(root.entries().len(), 2);
        assert_eq!(root.get_str("a"), Some("2"));
    }

    #[test]
    fn documents_split_like_kubernetes_and_errors_are_isolated() {
        let text = "a: 1\n---\nb: [1\n--- # second\nc: 3\n";
        let arena = crate::yaml::Arena::new();
        let p = parse(text, &arena, Limits::default());
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.documents.len(), 2);
        assert_eq!(p.documents[1].index, 2);
        assert_eq!(
            p.documents[1].root.as_ref().unwrap().get_str("c"),
            Some("3")
        );
    }

    #[test]
    fn crlf_and_bom() {
        let text = "\u{feff}a: 1\r\nb: x\r\n";
        let root = first_root(text);
        let b = root.get("b").unwrap();
        assert_eq!(&text[b.span.range()], "x");
    }

    #[test]
    fn yaml_that_kubernetes_accepts_but_saphyr_rejects_still_parses() {
        // A multi-line quoted scalar continued at the key's indentation, a flow sequence closed at
        // the key's indentation, and a tab after a colon: go-yaml accepts all three.
        let text = "a:\n  - m: 'one\n    two'\n    args: [\n        x,\n    ]\nc:\tv\n";
        let root = first_root(text);
        let item = &root.get("a").unwrap().items()[0];
        assert_eq!(item.get_str("m"), Some("one two"));
        assert_eq!(item.get("args").unwrap().items().len(), 1);
        assert_eq!(root.get_str("c"), Some("v"));
        let m = item.get("m").unwrap();
        assert_eq!(&text[m.span.range()], "'one\n    two'");
    }

    #[test]
    fn paths_to_nodes_name_list_items() {
        let text = "spec:\n  containers:\n  - name: web\n    ports:\n    - containerPort: 9100\n";
        let root = first_root(text);
        let port = root.get_path(&["spec", "containers"]).unwrap().items()[0]
            .get("ports")
            .unwrap()
            .items()[0]
            .entries()[0];
        assert_eq!(
            path_to(&root, port.value.span).as_deref(),
            Some(".spec.containers[name=web].ports[containerPort=9100].containerPort")
        );
        assert_eq!(
            path_to(&root, port.key.span).as_deref(),
            Some(".spec.containers[name=web].ports[containerPort=9100].containerPort")
        );
        // An item with none of the merge keys is numbered.
        let text = "args:\n- {a: 1}\n- {b: 2}\n";
        let root = first_root(text);
        let b = root.get("args").unwrap().items()[1].entries()[0];
        assert_eq!(path_to(&root, b.value.span).as_deref(), Some(".args[1].b"));
        assert_eq!(path_to(&root, Span::new(1, 2)), None);
        // Every entry of a long mapping and item of a long list is found where it is (the
        // entry that starts last before the span is tried first), keys and values alike.
        let text: String = (0..50).map(|i| format!("k{i}: [v{i}, w{i}]\n")).collect();
        let root = first_root(&text);
        for (i, e) in root.entries().iter().enumerate() {
            assert_eq!(path_to(&root, e.key.span), Some(format!(".k{i}")));
            let w = &e.value.items()[1];
            assert_eq!(path_to(&root, w.span), Some(format!(".k{i}[1]")));
        }
        // A node reached through an alias keeps its anchor's span: found at the anchor, the
        // first place in the text, whichever entry the search tries first.
        let text = "a: &x {p: 1}\nz: *x\nb: [*x, {q: 2}]\n";
        let root = first_root(text);
        let p = root.get("z").unwrap().entries()[0].value.span;
        assert_eq!(path_to(&root, p).as_deref(), Some(".a.p"));
        let q = root.get("b").unwrap().items()[1].entries()[0].value.span;
        assert_eq!(path_to(&root, q).as_deref(), Some(".b[1].q"));
    }

    #[test]
    fn merge_keys_apply() {
        let root = first_root("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n");
        let m = root.get("m").unwrap();
        assert_eq!(m.get_str("x"), Some("1"));
        assert_eq!(m.get_str("y"), Some("3"));
        assert!(m.entry("<<").is_none());
    }

    /// go-yaml fails a document that merges anything but mappings; so does the parse.
    #[test]
    fn a_merge_of_anything_but_mappings_fails_the_document() {
        let arena = Arena::new();
        for (text, at) in [
            ("a: 1\n<<: 1\n", 5),
            ("a: &a [1]\nb:\n  <<: [{x: 1}, *a]\n", 15),
            ("a:\n  <<:\n  b: 1\n", 5),
        ] {
            let p = parse(text, &arena, Limits::default());
            assert_eq!(p.errors.len(), 1, "{text}");
            assert_eq!(p.errors[0].at, at, "{text}");
            assert!(p.errors[0].message.contains("map merge"), "{text}");
        }
        let ok = "a: &a {x: 1}\nb:\n  <<: [*a, {y: 2}]\nc: {<<: *a}\n\"<<\": 1\n";
        assert!(parse(ok, &arena, Limits::default()).errors.is_empty());
    }

    #[test]
    fn alias_bomb_is_bounded() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let arena = crate::yaml::Arena::new();
        let p = parse(&text, &arena, Limits::default());
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.errors[0].kind, ErrorKind::Limit);
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let text = "[".repeat(100_000);
        let arena = crate::yaml::Arena::new();
        let p = parse(&text, &arena, Limits::default());
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.errors[0].kind, ErrorKind::Limit);
        let mut block = String::new();
        for i in 0..400 {
            block.push_str(&" ".repeat(i));
            block.push_str("a:\n");
        }
        let arena = crate::yaml::Arena::new();
        let p = parse(&block, &arena, Limits::default());
        assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
        assert_eq!(p.errors[0].kind, ErrorKind::Limit);
        assert!(p.errors[0].message.contains("256"));
    }

    #[test]
    fn json_goes_through_the_same_path() {
        let text = "{\"kind\": \"Pod\", \"spec\": {\"containers\": [{\"name\": \"a\"}]}}";
        let root = first_root(text);
        let n = root.get_path(&["spec", "containers"]).unwrap().items()[0]
            .get("name")
            .unwrap();
        assert_eq!(&text[n.span.range()], "\"a\"");
    }
}
