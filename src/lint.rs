//! The per-file pipeline: bytes → source → YAML documents → objects → rules → findings.
//! Everything here works on one file and holds nothing across files, so files lint in parallel.

use crate::diagnostic::{FileResult, Finding, Skipped};
use crate::facts::Facts;
use crate::k8s::{self, Object};
use crate::rules::RuleSet;
use crate::rules::builtin::{
    GlobalFact, GlobalFinding, Phase, RawFinding, unrendered_template, yaml_syntax,
};
use crate::source::Source;
use crate::spill::{Segment, Spill};
use crate::suppress;
use crate::yaml::{self, Limits};

/// What kind of file a path is, by its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Yaml,
    Json,
    /// An NFS exports file (`exports`, `*.exports`).
    Exports,
}

impl FileKind {
    pub fn of(name: &str) -> FileKind {
        let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
        if base == "exports" || base.ends_with(".exports") {
            FileKind::Exports
        } else if base.to_ascii_lowercase().ends_with(".json") {
            FileKind::Json
        } else {
            FileKind::Yaml
        }
    }

    /// Whether a walked file is one we lint (explicitly named files always are).
    pub fn is_lintable(name: &str) -> bool {
        let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
        let lower = base.to_ascii_lowercase();
        lower.ends_with(".yaml")
            || lower.ends_with(".yml")
            || lower.ends_with(".json")
            || base == "exports"
            || base.ends_with(".exports")
    }
}

/// A file name that says it is a kustomize patch (`deployment-patch.yaml`, `patch_replicas.yaml`).
pub fn looks_like_patch_name(name: &str) -> bool {
    named_like_a_patch(name.as_bytes())
}

/// [`looks_like_patch_name`] of a path's bytes (no copy: the walk asks it of every file).
pub fn named_like_a_patch(path: &[u8]) -> bool {
    let base = path
        .rsplit(|&b| b == b'/' || b == b'\\')
        .next()
        .unwrap_or(path);
    // `*patched*` is the outcome of a patch (a whole object: kyverno's `patchedResource.yaml`),
    // `dispatch` is no patch at all.
    let at = |i: usize, word: &[u8]| {
        base.get(i..i + word.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(word))
    };
    (0..base.len())
        .any(|i| at(i, b"patch") && !at(i, b"patched") && !(i >= 3 && at(i - 3, b"dispatch")))
}

/// `helm template … | ekslint -`: documents that start with a `# Source: chart/templates/x.yaml`
/// comment are reported against that path, with line numbers within the rendered document.
/// Findings in documents without such a comment stay with the stream.
pub fn split_rendered(r: FileResult) -> Vec<FileResult> {
    if r.skipped.is_some() {
        return vec![r];
    }
    let text = r.source.text.clone();
    let parts = rendered_parts(&text);
    if parts.is_empty() {
        return vec![r];
    }
    split_parts(r, &text, parts)
}

/// The template a `# Source:` comment names, as a path from the current directory. Helm names it
/// from the chart's parent (`web/templates/deployment.yaml` for the chart `web`), which is where
/// ekslint runs only by chance: the chart is looked for in the directory of `stdin_name` (the
/// `--stdin-filename`) and above it, in the current directory and above it (`helm template .`
/// run in the chart), and in directories named after the chart up to four levels below the
/// current directory (`charts/web` from the repository's root). A chart is a directory with a
/// `Chart.yaml` that holds the file. Found nowhere, the path stays as Helm wrote it.
pub fn template_on_disk(source: &str, stdin_name: &str) -> String {
    use std::path::{Component, Path, PathBuf};
    let path = Path::new(source);
    if path.is_relative() && path.is_file() {
        return source.to_string();
    }
    let mut parts = path.components();
    let Some(Component::Normal(chart)) = parts.next() else {
        return source.to_string();
    };
    let rest = parts.as_path();
    let holds = |dir: &Path| dir.join("Chart.yaml").is_file() && dir.join(rest).is_file();
    let up = |from: &Path| -> Vec<PathBuf> {
        let mut dirs = vec![from.to_path_buf()];
        for _ in 0..3 {
            dirs.push(dirs[dirs.len() - 1].join(".."));
        }
        dirs
    };
    let mut tried: Vec<PathBuf> = Vec::new();
    if stdin_name != "<stdin>" {
        let dir = Path::new(stdin_name).parent().unwrap_or(Path::new(""));
        tried.extend(up(&Path::new(".").join(dir)));
    }
    tried.extend(up(Path::new(".")));
    let found = tried.into_iter().find(|d| holds(d)).or_else(|| {
        ignore::WalkBuilder::new(".")
            .max_depth(Some(4))
            .standard_filters(false)
            .hidden(true)
            .build()
            .filter_map(Result::ok)
            .find(|e| {
                e.file_type().is_some_and(|t| t.is_dir())
                    && e.file_name() == chart
                    && holds(e.path())
            })
            .map(|e| e.into_path())
    });
    match found {
        Some(dir) => crate::discover::from_here(&dir.join(rest)),
        None => source.to_string(),
    }
}

/// The documents of rendered output that name their template (`# Source: path`): each one's
/// byte range (from after its `---` line) and the path.
fn rendered_parts(text: &str) -> Vec<(crate::source::Span, String)> {
    let mut parts: Vec<(crate::source::Span, String)> = Vec::new();
    if !text.contains("# Source: ") {
        return parts;
    }
    for chunk in yaml::split_documents(text) {
        // The document starts after its `---` line, as a reader of `helm template` output counts.
        let body = &text[chunk.range()];
        let chunk = match body.strip_prefix("---") {
            Some(after)
                if after
                    .trim_start_matches([' ', '\t'])
                    .starts_with(['\n', '\r', '#'])
                    || after.trim().is_empty() =>
            {
                let nl = body.find('\n').map_or(body.len(), |i| i + 1);
                crate::source::Span::new(chunk.start as usize + nl, chunk.end as usize)
            }
            _ => chunk,
        };
        let body = &text[chunk.range()];
        let source = body
            .lines()
            .map(str::trim)
            .take_while(|l| l.is_empty() || l.starts_with('#') || l.starts_with("---"))
            .find_map(|l| l.strip_prefix("# Source: "))
            .map(|p| p.trim().to_string());
        if let Some(path) = source {
            parts.push((chunk, path));
        }
    }
    parts
}

/// [`split_rendered`] once the parts are known.
fn split_parts(
    r: FileResult,
    text: &str,
    parts: Vec<(crate::source::Span, String)>,
) -> Vec<FileResult> {
    let mut rest = r;
    // A template may render several documents (a `range`): each is told apart by its place.
    let mut of_template: std::collections::HashMap<String, (usize, usize)> =
        std::collections::HashMap::new();
    for (_, path) in &parts {
        of_template.entry(path.clone()).or_default().1 += 1;
    }
    let mut out: Vec<FileResult> = parts
        .into_iter()
        .map(|(chunk, path)| {
            let place = of_template.get_mut(&path).map(|(seen, total)| {
                *seen += 1;
                (*seen, *total)
            });
            let (inside, outside): (Vec<Finding>, Vec<Finding>) =
                std::mem::take(&mut rest.findings)
                    .into_iter()
                    .partition(|f| {
                        chunk.contains(f.span.start as usize)
                            || (f.span.start == chunk.end && chunk.is_empty())
                    });
            rest.findings = outside;
            let shift = |sp: crate::source::Span| {
                crate::source::Span::new(
                    sp.start.saturating_sub(chunk.start) as usize,
                    sp.end
                        .saturating_sub(chunk.start)
                        .min(chunk.end - chunk.start) as usize,
                )
            };
            let findings = inside
                .into_iter()
                .map(|mut f| {
                    f.span = shift(f.span);
                    for l in &mut f.labels {
                        l.span = shift(l.span);
                    }
                    f
                })
                .collect();
            let mut r = FileResult::new(Source::new(path, &text[chunk.range()]));
            r.findings = findings;
            r.rendered_from = Some(rest.source.name.clone());
            r.rendered_document = place;
            // Lines and columns are counted from the start of the document now.
            r.locate();
            r
        })
        .filter(|p| !p.findings.is_empty())
        .collect();
    out.sort_by(|a, b| a.source.name.cmp(&b.source.name));
    rest.rendered_documents = out.len();
    out.insert(0, rest);
    out
}

/// kubectl reads a file that starts with `{` with a strict JSON decoder: trailing commas, comments
/// or unquoted keys that YAML would forgive fail there. This checks a `.json` file the same way.
fn strict_json_error(source: &Source) -> Option<RawFinding> {
    let text = source.text.strip_prefix('\u{feff}').unwrap_or(&source.text);
    let base = source.text.len() - text.len();
    if !text.trim_start().starts_with(['{', '[']) {
        return None;
    }
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<serde::de::IgnoredAny>();
    let e = stream.find_map(Result::err)?;
    // serde_json counts lines from 1 and columns in bytes from 1 (0 at a line's start).
    let line_start = source.line_span(e.line()).start as usize;
    let mut at = (line_start + e.column().saturating_sub(1))
        .max(base)
        .min(source.text.len());
    while !source.text.is_char_boundary(at) {
        at -= 1;
    }
    let message = e.to_string();
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(m, _)| m)
        .to_string();
    Some(
        RawFinding::new(source.char_span_at(at), format!("invalid JSON: {message}"))
            .label(message)
            .help("kubectl reads files that start with `{` as strict JSON: no trailing commas, comments or unquoted keys"),
    )
}

/// Files larger than this are skipped (with a reason), unless `--max-file-size` says otherwise.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 32 * 1024 * 1024;

/// The findings one file may have: past them, linting stops and the file is reported as linted
/// only in part. A finding takes about 1 KB, and a 13 MB file of `key: yes` lines made 900,000
/// of them (915 MB); no file of the corpus has more than 32.
pub const MAX_FINDINGS: usize = 10_000;

/// `10,000`.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A cross-file finding of a file (by index): in memory, or where the spill file holds it.
pub type CrossFinding = (usize, Result<Segment, Box<Finding>>);

pub struct Linter {
    pub rules: RuleSet,
    pub limits: Limits,
    pub max_file_size: u64,
    /// Honour `# ekslint-disable...` comments and `ekslint.io/ignore` annotations.
    pub inline_suppressions: bool,
    /// Config `per-path-ignores`: files matching a glob do not report these rules.
    pub path_ignores: Vec<crate::config::PathIgnore>,
    /// Rules that were loaded but do not run (`select`/`ignore`), by id and name: a suppression
    /// of one of them is not unused, only idle in this run.
    pub inactive: Vec<(String, String)>,
    /// With several lint threads: how many large files are read at once.
    pub gate: Option<Gate>,
}

/// Bounds the memory of the large files linted at once when several threads lint: a file over
/// [`Gate::LARGE`] is read only while the large files already in flight, with it, stay within
/// [`Gate::BUDGET`] of text (their trees take about one and a half times that again), or while
/// none is in flight. A thread turned away puts the file aside and lints other files meanwhile
/// (see `cli`), so large files do not wait on each other with a thread idle. Without it, two
/// threads inside the corpus's largest documents at once (1.4 MB of text and 2.1 MB of tree
/// each) set the peak memory of any run long enough for that to happen.
#[derive(Default)]
pub struct Gate {
    in_flight: std::sync::Mutex<u64>,
    left: std::sync::Condvar,
}

/// A pass through the [`Gate`]: the file's bytes count as in flight until it is dropped.
pub struct Pass<'g> {
    gate: &'g Gate,
    len: u64,
}

/// Why [`Linter::lint_path_gated`] did not lint a file: it is large and the gate is full.
#[derive(Debug)]
pub struct PutAside;

impl std::fmt::Display for PutAside {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("put aside until fewer large files are in flight")
    }
}

impl std::error::Error for PutAside {}

impl Gate {
    /// Files up to this size pass freely.
    pub const LARGE: u64 = 256 << 10;
    /// Bytes of text of the large files in flight at once.
    pub const BUDGET: u64 = 2 << 20;

    fn lock(&self) -> std::sync::MutexGuard<'_, u64> {
        crate::lock(&self.in_flight)
    }

    /// Lets a file of `len` bytes through, at once or (`wait`) once there is room; `None` if it
    /// would have to wait and may not.
    fn pass(&self, len: u64, wait: bool) -> Option<Pass<'_>> {
        let mut in_flight = self.lock();
        while *in_flight > 0 && *in_flight + len > Self::BUDGET {
            if !wait {
                return None;
            }
            in_flight = self.left.wait(in_flight).unwrap_or_else(|p| p.into_inner());
        }
        *in_flight += len;
        Some(Pass { gate: self, len })
    }

    /// Whether no large file is in flight.
    pub fn is_clear(&self) -> bool {
        *self.lock() == 0
    }
}

impl Drop for Pass<'_> {
    fn drop(&mut self) {
        *self.gate.lock() -= self.len;
        self.gate.left.notify_all();
    }
}

/// The spans of the scalars of `parsed` (keys and values), sorted: what [`in_a_scalar`] searches.
fn scalar_spans(parsed: &yaml::Parsed<'_>) -> Vec<crate::source::Span> {
    fn walk(n: &yaml::Node<'_>, out: &mut Vec<crate::source::Span>) {
        match n.kind {
            yaml::Kind::Scalar(_) => out.push(n.span),
            yaml::Kind::Mapping(entries) => {
                for e in entries.iter().filter(|e| !e.merged) {
                    walk(&e.key, out);
                    walk(&e.value, out);
                }
            }
            yaml::Kind::Sequence(items) => items.iter().for_each(|i| walk(i, out)),
        }
    }
    let mut spans = Vec::new();
    for root in parsed.documents.iter().filter_map(|d| d.root.as_ref()) {
        walk(root, &mut spans);
    }
    spans.sort_unstable_by_key(|s| s.start);
    spans
}

/// Whether byte `at` lies inside one of `scalars` (a block, or a quoted string over lines):
/// scalars do not overlap, so only the last one starting at or before `at` can hold it.
fn in_a_scalar(scalars: &[crate::source::Span], at: u32) -> bool {
    let i = scalars.partition_point(|s| s.start <= at);
    i > 0 && at < scalars[i - 1].end
}

/// Where a file shows it is binary: the offset of a NUL byte in its first 8 KiB.
pub fn binary_at(bytes: &[u8]) -> Option<usize> {
    bytes[..bytes.len().min(8192)].iter().position(|&b| b == 0)
}

/// A size as a person reads it: `1.5 MiB`, `200 KiB`, `1000 bytes` (exact below 1 KiB, so a
/// small limit is never shown as "0 MiB").
pub fn size_text(bytes: u64) -> String {
    match bytes {
        1 => "1 byte".to_string(),
        0..1024 => format!("{bytes} bytes"),
        1024..1048576 => format!("{:.1} KiB", bytes as f64 / 1024.0).replace(".0 ", " "),
        _ => format!("{:.1} MiB", bytes as f64 / 1048576.0).replace(".0 ", " "),
    }
}

impl Linter {
    pub fn new(rules: RuleSet) -> Linter {
        Linter {
            rules,
            limits: Limits::default(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            inline_suppressions: true,
            path_ignores: Vec::new(),
            inactive: Vec::new(),
            gate: None,
        }
    }

    /// Reads and lints a file. I/O errors are returned to the caller, which reports them.
    /// `patch`: the file is a kustomize patch (a partial object).
    pub fn lint_path(
        &self,
        display: &str,
        path: &std::path::Path,
        patch: bool,
    ) -> std::io::Result<FileResult> {
        self.lint_path_gated(display, path, patch, true)
    }

    /// [`Linter::lint_path`], where a large file that the [`Gate`] does not let through at once
    /// is, unless `wait`, not read: the error then wraps [`PutAside`].
    pub fn lint_path_gated(
        &self,
        display: &str,
        path: &std::path::Path,
        patch: bool,
        wait: bool,
    ) -> std::io::Result<FileResult> {
        // Open first, then ask the open file its size: one path lookup per file, not two.
        let mut file = std::fs::File::open(path)?;
        let meta = file.metadata()?;
        if meta.is_dir() {
            return Err(std::io::Error::other("is a directory"));
        }
        if meta.len() > self.max_file_size {
            let (mut size, mut limit) = (size_text(meta.len()), size_text(self.max_file_size));
            if size == limit {
                // Rounded, they read the same: say the bytes.
                (size, limit) = (
                    format!("{} bytes", meta.len()),
                    format!("{} bytes", self.max_file_size),
                );
            }
            return Ok(self.skipped(
                display,
                format!("file is {size}, above the {limit} limit (raise it with --max-file-size)"),
            ));
        }
        // `fs::read` (and `File::read_to_end`) would ask for the size again: read into a buffer
        // of the size known. A regular file is read up to that size, which also spares the read
        // that would only find its end (one system call per file); anything else (a pipe, a
        // device, a `/proc` file that says it is empty) is read to its end, or to the size limit
        // (`/dev/zero` has no end).
        let _pass = match &self.gate {
            Some(gate) if meta.len() > Gate::LARGE => match gate.pass(meta.len(), wait) {
                Some(pass) => Some(pass),
                None => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::WouldBlock,
                        PutAside,
                    ));
                }
            },
            _ => None,
        };
        let bytes = if meta.is_file() && meta.len() > 0 {
            let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
            std::io::Read::read_to_end(
                &mut std::io::Read::take(&mut file, meta.len()),
                &mut bytes,
            )?;
            bytes
        } else {
            match crate::discover::read_at_most(&mut file, self.max_file_size, "file")? {
                Ok(bytes) => bytes,
                Err(why) => return Ok(self.skipped(display, why)),
            }
        };
        drop(file);
        let mut r = self.lint_file(display, bytes, patch);
        if !r.source.text.is_empty() {
            r.origin = Some(path.to_path_buf());
            r.rereadable = meta.is_file();
        }
        Ok(r)
    }

    pub fn skipped(&self, display: &str, reason: String) -> FileResult {
        let mut r = FileResult::new(Source::new(display, ""));
        r.skipped = Some(Skipped { reason });
        r
    }

    fn parse_finding(&self, builtin: &str, source: &Source, raw: Vec<RawFinding>) -> Vec<Finding> {
        match self.rules.parse_rule(builtin) {
            Some(rule) => raw.into_iter().map(|r| rule.finding(r, None)).collect(),
            None => Vec::new(),
        }
        .into_iter()
        .map(|mut f| {
            // A zero-length span at the end of a file is fine; anything past it is not.
            f.span.end = f.span.end.min(source.text.len() as u32);
            f
        })
        .collect()
    }

    /// Lints a file's content (a kustomize patch if its name says so).
    pub fn lint_bytes(&self, display: &str, bytes: Vec<u8>) -> FileResult {
        self.lint_file(display, bytes, looks_like_patch_name(display))
    }

    /// Lints a file's content; `patch` marks its objects as partial (a kustomize patch). Every
    /// span in the result is located ([`FileResult::locate`]).
    pub fn lint_file(&self, display: &str, bytes: Vec<u8>, patch: bool) -> FileResult {
        let mut r = self.lint_unlocated(display, bytes, patch);
        r.locate();
        r
    }

    fn lint_unlocated(&self, display: &str, bytes: Vec<u8>, patch: bool) -> FileResult {
        let kind = FileKind::of(display);
        if let Some(nul) = binary_at(&bytes) {
            let source = Source::new(display, "");
            let findings =
                self.parse_finding("yaml-syntax", &source, vec![yaml_syntax::binary(nul)]);
            let mut r = FileResult::new(source);
            r.findings = findings;
            return r;
        }
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let source =
                    Source::new(display, String::from_utf8_lossy(e.as_bytes()).into_owned());
                let raw = vec![yaml_syntax::not_utf8(&source, at)];
                let findings = self.parse_finding("yaml-syntax", &source, raw);
                let mut r = FileResult::new(source);
                r.findings = findings;
                return r;
            }
        };
        let source = Source::new(display, text);
        let directives = if self.inline_suppressions {
            suppress::comment_directives(&source)
        } else {
            Vec::new()
        };
        let mut result = FileResult::new(source);
        result.directives = directives;
        if kind == FileKind::Exports {
            // NFS exports files are not YAML: only text-phase checks run on them.
            for rule in &self.rules.rules {
                for b in rule.builtins(Phase::Text) {
                    let mut raw = Vec::new();
                    b.check_text(&result.source, &mut raw);
                    let f: Vec<Finding> = raw.into_iter().map(|r| rule.finding(r, None)).collect();
                    result.findings.extend(f);
                }
            }
            result.normalize();
            return result;
        }
        let text = result.source.text.clone();
        if kind == FileKind::Json
            && let Some(raw) = strict_json_error(&result.source)
        {
            result.findings = self.parse_finding("yaml-syntax", &result.source, vec![raw]);
            return result;
        }
        let scan_patches = text.contains("$patch");
        // Document by document: a file of many large documents (CRDs, `install.yaml`) holds one
        // tree at a time.
        let mut comment_directives = result.directives.len();
        let mut in_scalar = vec![false; comment_directives];
        let mut template = None;
        yaml::parse_each(&text, self.limits, |part, parsed| {
            if let Some(t) = unrendered_template::detect_in(&text, &parsed, part) {
                template = Some(t);
                return false;
            }
            // `# ekslint-disable…` inside a block or multi-line string (a script in a
            // ConfigMap) is the string's text, not a comment. The comment directives are in
            // the order of the text: those of this part are found by a binary search.
            let comments = &result.directives[..comment_directives];
            let from = comments.partition_point(|d| d.span.start < part.start);
            let to = comments.partition_point(|d| d.span.start < part.end);
            if from < to {
                let scalars = scalar_spans(&parsed);
                for (d, inside) in comments[from..to].iter().zip(&mut in_scalar[from..to]) {
                    *inside = in_a_scalar(&scalars, d.span.start);
                }
            }
            self.lint_parsed(&text, &parsed, patch, scan_patches, kind, &mut result);
            result.findings.len() < MAX_FINDINGS
        });
        if result.findings.len() >= MAX_FINDINGS && template.is_none() {
            result.findings.truncate(MAX_FINDINGS);
            result.skipped = Some(Skipped {
                reason: format!(
                    "linted only in part: linting stopped at {} findings, the most a file may have (fix these, or narrow the run with --select)",
                    grouped(MAX_FINDINGS)
                ),
            });
        }
        if in_scalar.contains(&true) {
            let mut i = 0;
            result.directives.retain(|_| {
                i += 1;
                i > in_scalar.len() || !in_scalar[i - 1]
            });
            comment_directives -= in_scalar.iter().filter(|b| **b).count();
        }
        if let Some(t) = template {
            // A template is not linted further: what its first parts gave is dropped.
            result.findings = self.parse_finding("unrendered-template", &result.source, vec![t]);
            result.facts = Vec::new();
            result.objects = 0;
            result.directives.truncate(comment_directives);
            return result;
        }
        result.normalize();
        result
    }

    /// The checks of parsed documents (all of a file's, or some of them), added to `result`.
    fn lint_parsed(
        &self,
        text: &str,
        parsed: &yaml::Parsed<'_>,
        patch: bool,
        scan_patches: bool,
        kind: FileKind,
        result: &mut FileResult,
    ) {
        let raw = yaml_syntax::findings(&result.source, &parsed.errors, kind == FileKind::Json);
        let syntax = self.parse_finding("yaml-syntax", &result.source, raw);
        result.findings.extend(syntax);
        let objects = k8s::objects(text, &parsed.documents, patch, scan_patches);
        result.objects += objects.len();
        self.check_documents(text, parsed, &mut result.findings);
        for obj in &objects {
            if self.inline_suppressions {
                suppress::annotation_directives(obj, &mut result.directives);
            }
            for (i, rule) in self.rules.rules.iter().enumerate() {
                if result.findings.len() >= MAX_FINDINGS {
                    return;
                }
                rule.check_object(obj, &mut result.findings);
                for b in rule.builtins(Phase::Global) {
                    let mut facts = Vec::new();
                    b.collect(obj, &mut facts);
                    result.facts.extend(facts.into_iter().map(|f| (i, f)));
                }
            }
        }
    }

    /// After every file is linted: cross-file checks over the facts every file contributed (their
    /// findings join the files they belong to), then [`Linter::finalize`] on every file.
    pub fn finish(&self, results: &mut [FileResult]) {
        let mut facts = Facts::default();
        for (i, r) in results.iter_mut().enumerate() {
            facts.add(i, r);
        }
        for (file, found) in self.cross_file(facts, None).0 {
            if let (Some(r), Err(f)) = (results.get_mut(file), found) {
                r.findings.push(*f);
            }
        }
        for r in results.iter_mut() {
            self.finalize(r);
        }
    }

    /// The cross-file phase: every global check over the facts of all files. Its findings come
    /// back by file index, in file order (in `spill`'s file once its budget is spent: `Ok`).
    pub fn cross_file(
        &self,
        facts: Facts,
        spill: Option<&Spill>,
    ) -> (Vec<CrossFinding>, std::io::Result<()>) {
        let mut found: Vec<CrossFinding> = Vec::new();
        let read = facts.each_part(|part| {
            for (i, rule) in self.rules.rules.iter().enumerate() {
                for b in rule.builtins(Phase::Global) {
                    let decoded = part.of_rule(i);
                    let of_rule: Vec<GlobalFact<'_>> = decoded
                        .iter()
                        .map(|(file, fact)| GlobalFact {
                            file: *file,
                            path: part.name(*file),
                            fact,
                        })
                        .collect();
                    if of_rule.is_empty() {
                        continue;
                    }
                    // Each finding goes to the spill file as it comes once the budget is spent:
                    // a popular image's findings are not all held at once.
                    let mut add = |g: GlobalFinding| {
                        let mut f = rule.finding(g.raw, None);
                        f.object = Some(g.object);
                        f.loc = g.loc;
                        let mut one = vec![f];
                        let kept = match spill.and_then(|s| s.keep(&mut one)) {
                            Some(segment) => Ok(segment),
                            None => Err(Box::new(one.remove(0))),
                        };
                        found.push((g.file, kept));
                    };
                    b.check_global(&of_rule, &mut add);
                }
            }
        });
        // Stable: a file's findings stay in rule order.
        found.sort_by_key(|(file, _)| *file);
        (found, read)
    }

    /// The `per-path-ignores` selectors that apply to `r`'s file: a glob matches the name as
    /// given or the path from the config file's directory.
    fn path_ignored(&self, r: &FileResult) -> Vec<&crate::config::Selector> {
        if self.path_ignores.is_empty() {
            return Vec::new();
        }
        let name = &r.source.name;
        let path = r.origin.as_deref().unwrap_or(std::path::Path::new(name));
        self.path_ignores
            .iter()
            .filter(|p| {
                crate::discover::Anchor::glob_matches(p.anchor.as_ref(), name, path, |f| {
                    p.globs.is_match(f)
                })
            })
            .flat_map(|p| &p.selectors)
            .collect()
    }

    /// Whether a rule (by id) runs on `r`'s file: it is in force, and `per-path-ignores` does not
    /// turn it off there. The file's globs are matched once, not once per rule asked about.
    pub fn runs_on<'a>(&'a self, r: &FileResult) -> impl Fn(&str) -> bool + use<'a> {
        let off = self.path_ignored(r);
        move |id| {
            self.rules
                .get(id)
                .is_some_and(|rule| !off.iter().any(|s| s.matches(rule)))
        }
    }

    /// The last per-file step, once the cross-file findings have joined (and spilled findings
    /// have been read back): per-path ignores, suppressions, EKS008 for suppressions that
    /// suppressed nothing, and the findings in order.
    pub fn finalize(&self, r: &mut FileResult) {
        let ignored = self.path_ignored(r);
        let path_ignored = |rule: &crate::rules::Rule| ignored.iter().any(|s| s.matches(rule));
        if !ignored.is_empty() {
            r.findings
                .retain(|f| !self.rules.get(&f.rule.id).is_some_and(&path_ignored));
        }
        if !r.directives.is_empty() {
            // In rendered output on standard input, a `# ekslint-disable-file` inside one
            // template's document applies to that document (the template's file), not to the
            // whole chart.
            if r.origin.is_none()
                && r.directives
                    .iter()
                    .any(|d| d.scope == suppress::Scope::File)
            {
                let parts = rendered_parts(&r.source.text);
                for d in &mut r.directives {
                    let within = parts
                        .iter()
                        .find(|(part, _)| part.contains(d.span.start as usize));
                    if let (suppress::Scope::File, Some((part, _))) = (&d.scope, within) {
                        d.scope = suppress::Scope::Range(*part);
                    }
                }
            }
            // Findings and directives were located while the text was at hand: no need to read
            // the file again.
            suppress::apply(&mut r.findings, &mut r.directives);
            if let Some(rule) = self.rules.parse_rule("unused-suppression") {
                // What each id of a directive names in this run.
                let named = |id: &str| {
                    if id.eq_ignore_ascii_case("all") {
                        // With rules left out, "all" may well have had nothing to do.
                        return if self.inactive.is_empty() && ignored.is_empty() {
                            suppress::Named::Running
                        } else {
                            suppress::Named::Idle
                        };
                    }
                    match self.rules.get(id) {
                        Some(rule) if path_ignored(rule) => suppress::Named::Idle,
                        Some(_) => suppress::Named::Running,
                        None if self
                            .inactive
                            .iter()
                            .any(|(i, n)| i.eq_ignore_ascii_case(id) || n == id) =>
                        {
                            suppress::Named::Idle
                        }
                        None => suppress::Named::Unknown,
                    }
                };
                let mut unused: Vec<Finding> = suppress::unused(&r.directives, named)
                    .into_iter()
                    .map(|(span, loc, msg)| {
                        let mut f = rule.finding(RawFinding::new(span, msg).label("unused"), None);
                        f.loc = loc;
                        f
                    })
                    .collect();
                // EKS008 itself can only be silenced for the whole file (or by the config).
                if path_ignored(rule) {
                    unused.clear();
                }
                // EKS008 is the one rule here, and a file-wide directive names it or not: found
                // once, not for each unused suppression.
                let names_it = |d: &&suppress::Directive| {
                    d.ids
                        .iter()
                        .any(|i| i.eq_ignore_ascii_case(rule.id()) || *i == rule.meta.name)
                };
                let whole_file = r
                    .directives
                    .iter()
                    .filter(names_it)
                    .any(|d| d.scope == suppress::Scope::File);
                let ranges: Vec<&suppress::Directive> = r
                    .directives
                    .iter()
                    .filter(names_it)
                    .filter(|d| matches!(d.scope, suppress::Scope::Range(_)))
                    .collect();
                unused.retain(|f| !whole_file && !ranges.iter().any(|d| d.scope.is_file_wide(f)));
                r.findings.extend(unused);
            }
            r.directives = Vec::new();
        }
        r.normalize();
    }

    fn check_documents(&self, text: &str, parsed: &yaml::Parsed<'_>, out: &mut Vec<Finding>) {
        let doc_rules: Vec<_> = self
            .rules
            .rules
            .iter()
            .filter(|r| r.has_phase(Phase::Document))
            .collect();
        if doc_rules.is_empty() {
            return;
        }
        for doc in &parsed.documents {
            let Some(root) = &doc.root else { continue };
            let obj = Object::from_node(text, doc.index, root);
            for rule in &doc_rules {
                if out.len() >= MAX_FINDINGS {
                    return;
                }
                rule.check_document(root, obj.as_ref(), out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patch_is_known_by_its_name_but_not_a_patched_object_or_a_dispatcher() {
        for patch in [
            "k8s/patch.yaml",
            "overlays/prod/replicas-Patch.yml",
            "PATCHES.yaml",
            "set_patch_env.json",
            "patch-dispatcher.yaml",
        ] {
            assert!(looks_like_patch_name(patch), "{patch}");
        }
        for whole in [
            "dispatcher.yaml",
            "event-DISPATCH.yaml",
            "patchedResource.yaml",
            "myapp-pod-patched.yaml",
            // Only the file's own name counts.
            "patches/deployment.yaml",
            "patch\\deployment.yaml",
            "pat.yaml",
        ] {
            assert!(!looks_like_patch_name(whole), "{whole}");
        }
    }

    #[test]
    fn the_gate_lets_large_files_through_within_its_budget() {
        let gate = Gate::default();
        let mib = 1 << 20;
        // One file passes whatever its size; a second only within the budget.
        let first = gate.pass(3 * mib, false).expect("nothing in flight");
        assert!(
            gate.pass(mib / 2, false).is_none(),
            "3.5 MiB is over budget"
        );
        assert!(!gate.is_clear());
        drop(first);
        assert!(gate.is_clear());
        let a = gate.pass(mib, false).expect("room");
        let b = gate.pass(mib, false).expect("2 MiB in all: room");
        assert!(gate.pass(1, false).is_none());
        // A thread that may wait goes through once the others leave.
        std::thread::scope(|s| {
            let waiter = s.spawn(|| gate.pass(mib, true).map(|p| p.len));
            std::thread::sleep(std::time::Duration::from_millis(20));
            drop(a);
            assert_eq!(waiter.join().unwrap(), Some(mib));
        });
        drop(b);
        assert!(gate.is_clear());
    }

    #[test]
    fn a_large_file_turned_away_is_put_aside_not_failed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.yaml");
        let mut text =
            String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n");
        while text.len() <= Gate::LARGE as usize {
            text += "  k: \"0123456789012345678901234567890123456789\"\n";
        }
        std::fs::write(&path, &text).unwrap();
        let mut linter = Linter::new(RuleSet::builtin().unwrap());
        linter.gate = Some(Gate::default());
        let held = linter
            .gate
            .as_ref()
            .unwrap()
            .pass(Gate::BUDGET, false)
            .unwrap();
        let err = linter
            .lint_path_gated("big.yaml", &path, false, false)
            .expect_err("the gate is full");
        assert!(err.get_ref().is_some_and(|e| e.is::<PutAside>()), "{err}");
        drop(held);
        let r = linter
            .lint_path_gated("big.yaml", &path, false, false)
            .unwrap();
        assert_eq!(r.objects, 1);
    }
}
