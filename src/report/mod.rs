//! Stage 6 — reports: findings rendered for people (miette) or machines (JSON, JSON Lines, SARIF,
//! GitHub workflow commands, GitLab Code Quality, JUnit XML).
//! Reporters receive files one at a time, in sorted order, so output streams and never depends on
//! the number of threads.

pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod json_lines;
pub mod junit;
pub mod sarif;
pub mod statistics;

use std::io::{self, Write};

use serde::Serialize;

use crate::diagnostic::{FileResult, Severity};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Files linted (not counting skipped ones).
    pub files: usize,
    pub skipped: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Summary {
    pub fn add(&mut self, r: &FileResult) {
        if r.skipped.is_some() {
            self.skipped += 1;
        } else if r.rendered_from.is_none() {
            // A document split out of rendered output is part of a file already counted.
            self.files += 1;
        }
        for f in &r.findings {
            match f.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
                Severity::Info => self.infos += 1,
            }
        }
    }

    pub fn problems(&self) -> usize {
        self.errors + self.warnings + self.infos
    }

    /// `12 problems (3 errors, 9 warnings, 0 info) in 41 files, and 2 paths not linted.`
    pub fn line(&self) -> String {
        let plural = |n: usize, word: &str| {
            if n == 1 {
                format!("{n} {word}")
            } else {
                format!("{n} {word}s")
            }
        };
        let files = plural(self.files, "file");
        // Said so that a run that exits 2 never reads as a clean one.
        let skipped = if self.skipped > 0 {
            format!(", and {} not linted", plural(self.skipped, "path"))
        } else {
            String::new()
        };
        if self.problems() == 0 {
            return format!("No problems in {files}{skipped}.");
        }
        format!(
            "{} ({}, {}, {} info) in {files}{skipped}.",
            plural(self.problems(), "problem"),
            plural(self.errors, "error"),
            plural(self.warnings, "warning"),
            self.infos
        )
    }
}

/// A report being written.
pub trait Reporter {
    fn file(&mut self, out: &mut dyn Write, result: &FileResult) -> io::Result<()>;
    /// Several files, in order, written as `file` would write them one by one. A format whose
    /// rendering is most of the report's cost (the human report's code frames) renders them in
    /// parallel here, then writes them in order.
    fn files(&mut self, out: &mut dyn Write, results: &[FileResult]) -> io::Result<()> {
        results.iter().try_for_each(|r| self.file(out, r))
    }
    fn finish(&mut self, out: &mut dyn Write, summary: &Summary) -> io::Result<()>;
    /// A path that was not linted at all (it does not exist, or could not be read) and why,
    /// before any file. A file over the size limit comes to [`Reporter::file`] with its
    /// `skipped` reason instead. Every format says it in the report; standard error says it too,
    /// except when the human report is on standard output (it would say it twice).
    fn not_linted(&mut self, _out: &mut dyn Write, _path: &str, _reason: &str) -> io::Result<()> {
        Ok(())
    }
}

/// A file name with forward slashes, as CI systems and SARIF expect (only Windows separates with
/// backslashes; elsewhere a backslash is part of the name).
pub fn forward_slashes(name: &str) -> std::borrow::Cow<'_, str> {
    if cfg!(windows) && name.contains('\\') {
        name.replace('\\', "/").into()
    } else {
        name.into()
    }
}

/// A finding's message for a format that points at lines, on a document of rendered output
/// (`helm template . | ekslint -`): the annotation cannot go on the template's line (the
/// finding's line is the rendered document's), so the message says where it is.
pub fn message_of<'a>(
    r: &FileResult,
    f: &'a crate::diagnostic::Finding,
) -> std::borrow::Cow<'a, str> {
    if r.rendered_from.is_none() {
        return f.message.as_str().into();
    }
    let start = f.start();
    let document = match r.rendered_document {
        Some((n, total)) if total > 1 => format!("document {n} of the {total}"),
        _ => "the document".to_string(),
    };
    format!(
        "{} (line {}, column {} of {document} rendered from this template)",
        f.message, start.line, start.column
    )
    .into()
}

/// A file name as CI systems match it against the repository's paths: relative to the
/// repository's root ([`ci_root`]) when the file is under it, with forward slashes and no leading
/// `./` (`ekslint ./k8s` names files `./k8s/app.yaml`, which would never match `k8s/app.yaml`; run
/// from `k8s/`, `app.yaml` is `k8s/app.yaml` in the repository; an absolute path is made relative).
pub fn repo_path(name: &str) -> String {
    if let Some(rel) = ci_root().and_then(|root| root.relative(std::path::Path::new(name)))
        && let Some(rel) = rel.to_str()
        && !rel.is_empty()
    {
        return forward_slashes(rel).into_owned();
    }
    let name = forward_slashes(name);
    let mut path: &str = &name;
    while let Some(rest) = path.strip_prefix("./") {
        path = rest.trim_start_matches('/');
    }
    path.to_string()
}

/// The directory CI systems resolve a report's relative paths from: `$GITHUB_WORKSPACE` (GitHub
/// Actions), `$CI_PROJECT_DIR` (GitLab CI), else the git repository around the current directory
/// (the nearest ancestor with a `.git`), else none (names stay as given).
pub fn ci_root() -> Option<&'static crate::discover::Anchor> {
    use crate::discover::Anchor;
    static ROOT: std::sync::OnceLock<Option<Anchor>> = std::sync::OnceLock::new();
    ROOT.get_or_init(|| {
        for var in ["GITHUB_WORKSPACE", "CI_PROJECT_DIR"] {
            if let Some(dir) = std::env::var_os(var).filter(|d| !d.is_empty()) {
                return Anchor::at(std::path::Path::new(&dir));
            }
        }
        let cwd = std::env::current_dir().ok()?;
        cwd.ancestors()
            .find(|d| d.join(".git").exists())
            .and_then(Anchor::at)
    })
    .as_ref()
}
