//! Stage 1 — discovery: turn the command-line paths into the list of files to lint.
//!
//! Directories are walked in parallel with the `ignore` crate (the walker behind ripgrep):
//! `.gitignore` is honoured, hidden entries and `.git`, `target`, `node_modules` are skipped,
//! `--exclude` globs prune files and directories. A file named on the command line is always linted,
//! whatever its extension. The result is sorted so that output never depends on walk order.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::{WalkBuilder, WalkState};

use crate::lint::FileKind;

/// One file to lint. Inputs compare (sort, and `dedup` after sorting) by their names' bytes.
#[derive(Debug, Clone)]
pub enum Input {
    /// A file on disk (its path is also how reports name it). `patch`: a kustomize patch.
    File { path: PathBuf, patch: bool },
    /// Standard input, reported under `name`.
    Stdin { name: String },
}

impl Input {
    /// The name reports give the file: its path as the user wrote it or as the walk joined it.
    pub fn display(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Input::File { path, .. } => path.to_string_lossy(),
            Input::Stdin { name } => name.into(),
        }
    }

    /// Files sort by their names' bytes (as strings sort), then standard input.
    fn sort_key(&self) -> (u8, &[u8]) {
        match self {
            Input::File { path, .. } => (0, path.as_os_str().as_encoded_bytes()),
            Input::Stdin { name } => (1, name.as_bytes()),
        }
    }
}

impl Ord for Input {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.sort_key()
            .cmp(&other.sort_key())
            .then_with(|| match (self, other) {
                (Input::File { patch: a, .. }, Input::File { patch: b, .. }) => a.cmp(b),
                _ => std::cmp::Ordering::Equal,
            })
    }
}

impl PartialEq for Input {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}

impl Eq for Input {}

impl PartialOrd for Input {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// A path that could not be walked or does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoverError {
    pub path: String,
    pub message: String,
}

pub struct Discovery {
    pub inputs: Vec<Input>,
    pub errors: Vec<DiscoverError>,
}

const SKIPPED_DIRS: &[&str] = &[".git", "target", "node_modules"];

pub fn build_globset(globs: &[String]) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        // A bare name (`vendor`, `*.tmpl.yaml`) matches at any depth, as users expect.
        let pattern = if g.contains('/') || g.starts_with("**") {
            g.clone()
        } else {
            format!("**/{g}")
        };
        b.add(Glob::new(&pattern).map_err(|e| format!("invalid --exclude glob `{g}`: {e}"))?);
        // A directory pattern also excludes everything below it.
        b.add(
            Glob::new(&format!("{}/**", pattern.trim_end_matches('/')))
                .map_err(|e| e.to_string())?,
        );
    }
    b.build().map_err(|e| e.to_string())
}

fn excluded(excludes: &GlobSet, path: &Path) -> bool {
    if excludes.is_empty() {
        return false;
    }
    let s = path.to_string_lossy();
    let s = s.strip_prefix("./").unwrap_or(&s);
    excludes.is_match(s)
}

/// How many threads to walk with: as many as rayon will lint with (`RAYON_NUM_THREADS`, else one
/// per CPU), found without starting rayon's pool. Starting the pool before the walk measurably
/// hurts: in about half the runs the lint workers then contend for glibc's allocator locks
/// (thousands of futex waits, twice the wall time); a pool started after the walker threads have
/// exited never showed it.
pub fn walk_threads() -> usize {
    std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Expands `args` into files. `-` is standard input, named `stdin_name`.
pub fn discover(
    args: &[String],
    excludes: &GlobSet,
    stdin_name: &str,
    threads: usize,
) -> Discovery {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for arg in args {
        if arg == "-" {
            inputs.push(Input::Stdin {
                name: stdin_name.to_string(),
            });
            continue;
        }
        let path = Path::new(arg);
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                errors.push(DiscoverError {
                    path: arg.clone(),
                    message: io_message(&e),
                });
                continue;
            }
        };
        if !meta.is_dir() {
            inputs.push(Input::File {
                path: path.to_path_buf(),
                patch: false,
            });
            continue;
        }
        let (found, errs) = walk(path, excludes, threads);
        inputs.extend(found);
        errors.extend(errs);
    }
    inputs.sort();
    inputs.dedup();
    if args.len() > 1 {
        // Overlapping arguments (`./apps apps/a.yaml`) must not lint a file twice.
        let mut seen = std::collections::HashSet::new();
        inputs.retain(|i| match i {
            Input::File { path, .. } => {
                seen.insert(std::fs::canonicalize(path).unwrap_or_else(|_| path.clone()))
            }
            Input::Stdin { .. } => true,
        });
    }
    mark_patches(&mut inputs);
    Discovery { inputs, errors }
}

/// Removes `.` and resolves `..` lexically, so paths named by a kustomization compare with walked ones.
fn normalize(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// The files that a kustomization in their directory names as patches.
fn kustomize_patches(dir: &Path, out: &mut std::collections::HashSet<PathBuf>) {
    for name in ["kustomization.yaml", "kustomization.yml", "Kustomization"] {
        let Ok(text) = std::fs::read_to_string(dir.join(name)) else {
            continue;
        };
        let parsed = crate::yaml::parse(&text, crate::yaml::Limits::default());
        for doc in &parsed.documents {
            let Some(root) = &doc.root else { continue };
            let mut add = |p: &str| {
                if !p.contains('\n') {
                    out.insert(normalize(&dir.join(p)));
                }
            };
            for key in ["patchesStrategicMerge", "patches", "patchesJson6902"] {
                for item in root.get(key).map(|n| n.items()).unwrap_or(&[]) {
                    if let Some(p) = item.as_str() {
                        add(p);
                    } else if let Some(p) = item.get_str("path") {
                        add(p);
                    }
                }
            }
        }
    }
}

fn mark_patches(inputs: &mut [Input]) {
    let mut dirs: Vec<PathBuf> = inputs
        .iter()
        .filter_map(|i| match i {
            Input::File { path, .. } => path.parent().map(Path::to_path_buf),
            Input::Stdin { .. } => None,
        })
        .collect();
    dirs.sort();
    dirs.dedup();
    let mut patches = std::collections::HashSet::new();
    for d in &dirs {
        kustomize_patches(d, &mut patches);
    }
    for i in inputs.iter_mut() {
        if let Input::File { path, patch } = i {
            *patch = crate::lint::looks_like_patch_name(&path.to_string_lossy())
                || patches.contains(&normalize(path));
        }
    }
}

fn walk(root: &Path, excludes: &GlobSet, threads: usize) -> (Vec<Input>, Vec<DiscoverError>) {
    let found = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    let root_owned = root.to_path_buf();
    let excludes_filter = excludes.clone();
    WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .git_global(false)
        .git_exclude(true)
        .require_git(false)
        .ignore(true)
        .parents(true)
        .follow_links(true)
        .threads(threads)
        .filter_entry(move |e| {
            if e.depth() == 0 {
                return true;
            }
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            if is_dir && SKIPPED_DIRS.iter().any(|d| e.file_name() == *d) {
                return false;
            }
            let rel = e.path().strip_prefix(&root_owned).unwrap_or(e.path());
            !excluded(&excludes_filter, rel) && !excluded(&excludes_filter, e.path())
        })
        .build_parallel()
        .run(|| {
            let found = &found;
            let errors = &errors;
            Box::new(move |entry| {
                match entry {
                    Ok(e) => {
                        let is_file = e.file_type().is_some_and(|t| t.is_file());
                        if is_file && FileKind::is_lintable(&e.file_name().to_string_lossy()) {
                            let path = e.into_path();
                            found
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .push(Input::File { path, patch: false });
                        }
                    }
                    Err(err) => {
                        let path = error_path(&err).unwrap_or_default();
                        errors
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push(DiscoverError {
                                path,
                                message: walk_message(&err),
                            });
                    }
                }
                WalkState::Continue
            })
        });
    (
        found.into_inner().unwrap_or_else(|p| p.into_inner()),
        errors.into_inner().unwrap_or_else(|p| p.into_inner()),
    )
}

fn error_path(err: &ignore::Error) -> Option<String> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.display().to_string()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.display().to_string()),
        _ => None,
    }
}

fn walk_message(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => walk_message(err),
        ignore::Error::Io(e) => io_message(e),
        ignore::Error::Loop { ancestor, .. } => {
            format!("symbolic link loop back to {}", ancestor.display())
        }
        other => other.to_string(),
    }
}

/// Reads standard input whole; an error comes back as (name, message) like every I/O error.
pub fn read_stdin(name: &str) -> Result<Vec<u8>, (String, String)> {
    use std::io::Read;
    let mut buf = Vec::new();
    std::io::stdin()
        .lock()
        .read_to_end(&mut buf)
        .map_err(|e| (name.to_string(), io_message(&e)))?;
    Ok(buf)
}

/// An I/O error as a short sentence, without Rust's `(os error 2)` noise.
pub fn io_message(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "no such file or directory".into(),
        PermissionDenied => "permission denied".into(),
        NotADirectory => "not a directory".into(),
        IsADirectory => "is a directory".into(),
        _ => {
            let s = e.to_string();
            let s = match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            };
            let mut c = s.chars();
            match c.next() {
                Some(f) => f.to_lowercase().chain(c).collect(),
                None => s,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kustomization_patches_and_patch_names_are_marked() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(
            d.join("kustomization.yaml"),
            "resources: [base.yaml]\npatchesStrategicMerge:\n- replicas.yaml\npatches:\n- path: ./more.yaml\n",
        )
        .unwrap();
        for f in ["base.yaml", "replicas.yaml", "more.yaml", "env-patch.yaml"] {
            std::fs::write(d.join(f), "kind: ConfigMap\n").unwrap();
        }
        let found = discover(&[d.display().to_string()], &GlobSet::empty(), "<stdin>", 1);
        let patches: Vec<(String, bool)> = found
            .inputs
            .iter()
            .filter_map(|i| match i {
                Input::File { path, patch, .. } => Some((
                    path.file_name().unwrap().to_string_lossy().into_owned(),
                    *patch,
                )),
                Input::Stdin { .. } => None,
            })
            .collect();
        assert_eq!(
            patches,
            [
                ("base.yaml".to_string(), false),
                ("env-patch.yaml".to_string(), true),
                ("kustomization.yaml".to_string(), false),
                ("more.yaml".to_string(), true),
                ("replicas.yaml".to_string(), true),
            ]
        );
    }
}
