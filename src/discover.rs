//! Stage 1 — discovery: turn the command-line paths into the files to lint.
//!
//! Directories are walked with the `ignore` crate (the walker behind ripgrep): `.gitignore` is
//! honoured, hidden entries and `.git`, `target`, `node_modules` are skipped, `--exclude` globs
//! prune files and directories. A file named on the command line is always linted, whatever its
//! extension. A lint run takes the files one at a time from a sorted walk ([`stream`]): the
//! output never depends on timing, and no list of every file is held. The benchmark floor
//! collects the list from a parallel walk instead ([`discover`]).

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

/// A directory that paths are named relative to, however they were typed (`k8s`, `.`, `../k8s`,
/// an absolute path) and wherever ekslint runs: a config file's (its globs), a baseline's (its
/// entries), the repository's (CI reports). Both it and the current directory that relative
/// paths start from are held absolute.
#[derive(Clone, Debug)]
pub struct Anchor {
    dir: PathBuf,
    cwd: PathBuf,
}

impl Anchor {
    /// At the directory of `file` (relative to the current directory, or absolute).
    pub fn new(file: &Path) -> Option<Anchor> {
        let cwd = std::env::current_dir().ok()?;
        let dir = normalize(&cwd.join(file)).parent()?.to_path_buf();
        Some(Anchor { dir, cwd })
    }

    /// At the directory `dir`.
    pub fn at(dir: &Path) -> Option<Anchor> {
        let cwd = std::env::current_dir().ok()?;
        Some(Anchor {
            dir: normalize(&cwd.join(dir)),
            cwd,
        })
    }

    /// `rel`, a path relative to the anchor's directory, as a path from the current directory
    /// (absolute).
    pub fn join(&self, rel: &Path) -> PathBuf {
        normalize(&self.dir.join(rel))
    }

    /// `path` relative to the anchor's directory even when it is not under it (`../k8s/a.yaml`
    /// from a baseline in `.ci/`); `None` only across Windows drives.
    pub fn relative_any(&self, path: &Path) -> Option<PathBuf> {
        let path = normalize(&self.cwd.join(path));
        let mut from = self.dir.components().peekable();
        let mut to = path.components().peekable();
        let mut common = 0;
        while let (Some(a), Some(b)) = (from.peek(), to.peek()) {
            if a != b {
                break;
            }
            from.next();
            to.next();
            common += 1;
        }
        if common == 0 {
            return None;
        }
        let mut rel: PathBuf = from.map(|_| std::path::Component::ParentDir).collect();
        rel.extend(to);
        Some(rel)
    }

    /// `path` relative to the anchor's directory, if it is under it (lexically: `..` is
    /// resolved without following links).
    pub fn relative(&self, path: &Path) -> Option<PathBuf> {
        normalize(&self.cwd.join(path))
            .strip_prefix(&self.dir)
            .ok()
            .map(Path::to_path_buf)
    }

    /// Whether a glob (`is_match`) matches a file, as `exclude` and `per-path-ignores` match
    /// them: its path (`path`) from the directory of the config that wrote the glob (`anchor`),
    /// whatever the working directory and however the path was typed. Only a glob with no anchor
    /// (no directory could be known) matches the name as given (`name`, without a leading `./`).
    pub fn glob_matches(
        anchor: Option<&Anchor>,
        name: &str,
        path: &Path,
        is_match: impl Fn(&Path) -> bool,
    ) -> bool {
        match anchor {
            Some(a) => a.relative(path).is_some_and(|rel| is_match(&rel)),
            None => is_match(Path::new(name.strip_prefix("./").unwrap_or(name))),
        }
    }
}

/// `p` as a path from the current directory (`../.ekslint.yaml`, `pod.yaml` rather than
/// `../templates/pod.yaml`), for messages.
pub fn from_here(p: &Path) -> String {
    let shown = Anchor::at(Path::new("."))
        .and_then(|a| a.relative_any(p))
        .unwrap_or_else(|| p.to_path_buf());
    let shown = crate::source::shown_path(&shown);
    if shown.is_empty() { ".".into() } else { shown }
}

/// The `--exclude` and config `exclude` globs: a path is excluded if they match it relative to
/// the directory of the config file that wrote them (each config file's globs, a file's own and
/// those of the file it `extend`s, are anchored at its own directory; `--exclude` globs at the
/// working directory and the config's).
#[derive(Clone, Default)]
pub struct Excludes {
    sets: Vec<(GlobSet, Option<Anchor>)>,
}

impl Excludes {
    pub fn new(globs: &[String], anchor: Option<Anchor>) -> Result<Excludes, String> {
        Excludes::groups(vec![(globs.to_vec(), anchor)])
    }

    /// `--exclude` globs: relative to the current directory as paths typed there are, and to the
    /// config file's directory (`config`); `./x` is `x`; a glob that starts with `/` or `../`
    /// names a place on disk and matches it however the files are reached (`k8s`, an absolute
    /// path).
    pub fn cli_groups(
        globs: &[String],
        config: Option<Anchor>,
    ) -> Vec<(Vec<String>, Option<Anchor>)> {
        let (mut relative, mut absolute) = (Vec::new(), Vec::new());
        let cwd = std::env::current_dir().ok();
        for g in globs {
            let g = strip_dot_slash(g);
            if g.starts_with('/') || g.starts_with("../") {
                if let Some(cwd) = &cwd {
                    let abs = normalize(&cwd.join(g));
                    let abs = abs.to_string_lossy();
                    absolute.push(abs.trim_start_matches('/').to_string());
                }
            } else {
                relative.push(g.to_string());
            }
        }
        let mut groups = vec![(relative.clone(), config)];
        if let Some(here) = Anchor::at(Path::new(".")) {
            groups.push((relative, Some(here)));
        }
        if let Some(root) = Anchor::at(Path::new("/")) {
            groups.push((absolute, Some(root)));
        }
        groups
    }

    /// Globs in groups, each anchored at its own directory.
    pub fn groups(groups: Vec<(Vec<String>, Option<Anchor>)>) -> Result<Excludes, String> {
        let mut sets = Vec::new();
        for (globs, anchor) in groups {
            if !globs.is_empty() {
                sets.push((build_globset(&globs)?, anchor));
            }
        }
        Ok(Excludes { sets })
    }

    fn matches(&self, path: &Path) -> bool {
        if self.sets.is_empty() {
            return false;
        }
        let name = path.to_string_lossy();
        self.sets.iter().any(|(set, anchor)| {
            Anchor::glob_matches(anchor.as_ref(), &name, path, |p| set.is_match(p))
        })
    }
}

/// `g` without leading `./` (a glob never matches one: paths are compared without it).
pub fn strip_dot_slash(g: &str) -> &str {
    let mut g = g.trim();
    while let Some(rest) = g.strip_prefix("./") {
        g = rest.trim_start_matches('/');
    }
    g
}

pub(crate) fn build_globset(globs: &[String]) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        // The error's own text names the pattern as rewritten (`**/a[`): say the user's.
        let [glob, below] = path_globs(g).map_err(|e| {
            format!(
                "invalid --exclude glob `{}`: {}",
                strip_dot_slash(g),
                e.kind()
            )
        })?;
        b.add(glob);
        b.add(below);
    }
    b.build().map_err(|e| e.to_string())
}

/// How an `exclude` or `per-path-ignores` glob is matched: a bare name (`vendor`, `*.tmpl.yaml`)
/// matches at any depth, as users expect, and a pattern that names a directory also matches
/// everything below it (`k8s/legacy` is `k8s/legacy/**` too).
/// As in `.gitignore`, `*` and `?` stop at `/` (`apps/*.yaml` is not `apps/web/x.yaml`; `**`
/// crosses directories), a trailing `/` is dropped (`legacy/` is `legacy`), and a leading `/`
/// anchors the pattern where it is written (`/legacy` is only the top one).
pub fn path_globs(g: &str) -> Result<[Glob; 2], globset::Error> {
    let g = strip_dot_slash(g);
    let trimmed = g.trim_end_matches('/');
    let g = if trimmed.is_empty() { g } else { trimmed };
    let pattern = match g.strip_prefix('/') {
        Some(anchored) if !anchored.is_empty() => anchored.to_string(),
        _ if g.contains('/') || g.starts_with("**") => g.to_string(),
        _ => format!("**/{g}"),
    };
    let glob = |p: &str| globset::GlobBuilder::new(p).literal_separator(true).build();
    Ok([glob(&pattern)?, glob(&format!("{pattern}/**"))?])
}

/// How many threads to walk (the benchmark floor) or lint with: `RAYON_NUM_THREADS`, else one per
/// CPU, found without starting rayon's pool. Starting the pool before a parallel walk measurably
/// hurts: in about half the runs the lint workers then contend for glibc's allocator locks
/// (thousands of futex waits, twice the wall time).
pub fn walk_threads() -> usize {
    std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Expands `args` into the list of files (all of them, sorted by their names' bytes), walking
/// directories in parallel: the benchmark floor's discovery, the fastest there is. A lint run
/// streams instead ([`stream`]) and never holds the list.
pub fn discover(
    args: &[String],
    excludes: &Excludes,
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
        let mut patches = Patches::default();
        if !meta.is_dir() {
            let dir = path.parent().unwrap_or(Path::new(""));
            inputs.push(Input::File {
                path: path.to_path_buf(),
                patch: patches.is_patch(path, dir),
            });
            continue;
        }
        let (mut found, errs) = walk(path, excludes, threads);
        // In the walk's order, kustomizations are read once per directory.
        found.sort_by(|a, b| match (a, b) {
            (Input::File { path: a, .. }, Input::File { path: b, .. }) => a.cmp(b),
            _ => std::cmp::Ordering::Equal,
        });
        for i in found.iter_mut() {
            if let Input::File { path: file, patch } = i {
                *patch = patches.is_patch(file, path);
            }
        }
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
    Discovery { inputs, errors }
}

/// Calls `each` with every file to lint, one at a time as a sorted walk finds it, so that no
/// list of all files is ever held: memory stays flat however many files there are.
///
/// The order is the tree's (each directory's entries by their names' bytes, a directory's
/// files before the next sibling's; `Path`'s ordering), arguments in that same order,
/// standard input last. With more than one argument, a file reached twice (`./apps
/// apps/a.yaml`) is linted once. Errors (a path that does not exist, an unreadable
/// directory, a symbolic link loop) go to `error` as they are met.
pub fn stream(
    args: &[String],
    excludes: &Excludes,
    stdin_name: &str,
    mut each: impl FnMut(Input) -> bool,
    mut error: impl FnMut(DiscoverError),
) -> Walked {
    let mut stream = Stream::new(args, excludes, stdin_name);
    for found in &mut stream {
        match found {
            Ok(input) => {
                if !each(input) {
                    break;
                }
            }
            Err(e) => error(e),
        }
    }
    stream.walked
}

/// What a walk saw besides the files it gave.
#[derive(Default)]
pub struct Walked {
    /// Files named as arguments that the excludes skipped.
    pub excluded: Vec<String>,
    /// Config files (`.ekslint.yaml`) in the directories walked, as the walk named them.
    pub configs: Vec<PathBuf>,
    /// Named pipes, sockets and devices with a manifest's name that the walk met (and did not
    /// read: a pipe would wait for a writer, a device may never end).
    pub special: Vec<PathBuf>,
}

/// A config file's name (it is never linted as a manifest).
pub fn is_config_name(name: &std::ffi::OsStr) -> bool {
    crate::config::FILE_NAMES.iter().any(|n| name == *n)
}

/// [`stream`] as an iterator: the next file (or error) each time it is asked, walking only as
/// far as that.
pub struct Stream {
    /// With more than one path: every path of the run, canonical, and whether a directory (a
    /// link into one of them is not followed from another).
    args: Vec<(PathBuf, Option<PathBuf>, bool)>,
    /// With more than one path: the files named, canonical.
    named_files: std::collections::HashSet<PathBuf>,
    paths: std::vec::IntoIter<String>,
    excludes: Excludes,
    stdin: Option<String>,
    /// With more than one argument: the files already given (canonical paths).
    seen: Option<std::collections::HashSet<PathBuf>>,
    /// The directory being walked: its walker, its root, its kustomize patches.
    walking: Option<(ignore::Walk, PathBuf, Patches, Loops)>,
    /// What the walk gave while its filter met a loop: given once the loop is said.
    held: Option<Result<ignore::DirEntry, ignore::Error>>,
    /// What it saw besides the files it gave.
    pub walked: Walked,
}

impl Stream {
    pub fn new(args: &[String], excludes: &Excludes, stdin_name: &str) -> Stream {
        let mut paths: Vec<String> = args.iter().filter(|a| *a != "-").cloned().collect();
        paths.sort_by(|a, b| Path::new(a).cmp(Path::new(b)));
        paths.dedup();
        // With several paths: each one's canonical form (`None`: it does not resolve) and
        // whether it is a directory.
        let canonical: Vec<(PathBuf, Option<PathBuf>, bool)> = if paths.len() > 1 {
            paths
                .iter()
                .map(|p| {
                    let canon = std::fs::canonicalize(p).ok();
                    let is_dir = canon.as_ref().is_some_and(|c| c.is_dir());
                    (PathBuf::from(p), canon, is_dir)
                })
                .collect()
        } else {
            Vec::new()
        };
        Stream {
            named_files: canonical
                .iter()
                .filter(|(_, _, is_dir)| !is_dir)
                .filter_map(|(_, canon, _)| canon.clone())
                .collect(),
            args: canonical,
            seen: (paths.len() > 1).then(std::collections::HashSet::new),
            paths: paths.into_iter(),
            excludes: excludes.clone(),
            stdin: args
                .iter()
                .any(|a| a == "-")
                .then(|| stdin_name.to_string()),
            walking: None,
            held: None,
            walked: Walked::default(),
        }
    }

    /// `path`, unless it was given already.
    /// `walked`: found by a walk, not named. A file that is also named as a path of the run is
    /// left to that path, to be linted under the name it was given (`ekslint a-shared
    /// k8s/app/cm.yaml`, where `a-shared/app-link` leads to `k8s/app`).
    fn first_time(&mut self, path: PathBuf, patch: bool, walked: bool) -> Option<Input> {
        if let Some(seen) = self.seen.as_mut() {
            let canon = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            // Reached under the very name given (the walk of a directory that holds it): kept
            // here, in walk order, and the named path is the duplicate.
            let named_elsewhere = walked
                && self.named_files.contains(&canon)
                && !self
                    .args
                    .iter()
                    .any(|(a, _, _)| normalize(a) == normalize(&path));
            if named_elsewhere || !seen.insert(canon) {
                return None;
            }
        }
        Some(Input::File { path, patch })
    }
}

impl Iterator for Stream {
    type Item = Result<Input, DiscoverError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some((walker, root, patches, loops)) = self.walking.as_mut() {
                // A loop the walk's filter met (in `builder`) comes before what the walk gave
                // after it, which waits its turn.
                if let Some((link, target)) = crate::lock(loops).pop() {
                    return Some(Err(DiscoverError {
                        path: link.display().to_string(),
                        message: loop_message(&target),
                    }));
                }
                let found = match self.held.take() {
                    Some(found) => Some(found),
                    None => walker.next(),
                };
                if !crate::lock(loops).is_empty() {
                    self.held = found;
                    continue;
                }
                match found {
                    Some(Ok(e)) => {
                        let is_file = e.file_type().is_some_and(|t| t.is_file());
                        if is_file && is_config_name(e.file_name()) {
                            self.walked.configs.push(e.into_path());
                        } else if is_file && FileKind::is_lintable(&e.file_name().to_string_lossy())
                        {
                            let file = e.into_path();
                            let patch = patches.is_patch(&file, root);
                            if let Some(input) = self.first_time(file, patch, true) {
                                return Some(Ok(input));
                            }
                        } else if e.file_type().is_some_and(|t| !t.is_file() && !t.is_dir())
                            && FileKind::is_lintable(&e.file_name().to_string_lossy())
                        {
                            // A named pipe, socket or device (or a link to one) with a
                            // manifest's name: never read by a walk, but named.
                            self.walked.special.push(e.into_path());
                        }
                    }
                    Some(Err(err)) => {
                        let path = error_path(&err).unwrap_or_default();
                        if is_loop(&err) && walk_leaves_out(Path::new(&path), root, &self.excludes)
                        {
                            continue;
                        }
                        if unlintable_broken_link(&err, &path) {
                            // A stray link (`latest -> build/out`, `notes.txt -> missing.txt`)
                            // that would not be linted if it resolved: not this run's business.
                            continue;
                        }
                        let message = dangling_link(&path).unwrap_or_else(|| walk_message(&err));
                        return Some(Err(DiscoverError { path, message }));
                    }
                    None => self.walking = None,
                }
                continue;
            }
            let Some(arg) = self.paths.next() else {
                let name = self.stdin.take()?;
                // Standard input counts as the file `--stdin-filename` names (as an editor passes
                // it): excluded as that file would be. Unnamed, it is linted.
                if name != "<stdin>" && self.excludes.matches(Path::new(&name)) {
                    self.walked.excluded.push(name);
                    return None;
                }
                return Some(Ok(Input::Stdin { name }));
            };
            let path = PathBuf::from(&arg);
            match std::fs::metadata(&path) {
                Err(e) => {
                    let message = dangling_link(&arg).unwrap_or_else(|| io_message(&e));
                    return Some(Err(DiscoverError { path: arg, message }));
                }
                Ok(meta) if meta.is_dir() => {
                    let loops = Loops::default();
                    let others: Vec<PathBuf> = self
                        .args
                        .iter()
                        .filter(|(a, _, _)| *a != path)
                        .filter_map(|(_, canon, _)| canon.clone())
                        .collect();
                    let mut walker =
                        builder(&path, &self.excludes, Some(loops.clone()), true, others);
                    let kustomized = sorted_noting_kustomizations(&mut walker);
                    let patches = Patches {
                        kustomized: Some(kustomized),
                        ..Patches::default()
                    };
                    self.walking = Some((walker.build(), path, patches, loops));
                }
                // Excludes apply to a file named on the command line too: the pre-commit hook
                // names the changed files, and must skip what a walk would.
                Ok(_) if self.excludes.matches(&path) => self.walked.excluded.push(arg),
                Ok(_) => {
                    let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
                    let patch = Patches::default().is_patch(&path, &dir);
                    if let Some(input) = self.first_time(path, patch, false) {
                        return Some(Ok(input));
                    }
                }
            }
        }
    }
}

/// Removes `.` and resolves `..` lexically, so paths named by a kustomization compare with walked ones.
pub(crate) fn normalize(p: &Path) -> PathBuf {
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

/// The names kustomize reads a kustomization from.
const KUSTOMIZATION_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The files a kustomization names, with whether as a patch (`true`) or as a resource (`false`; a
/// whole object whatever its name says: `db-patch-job.yaml` under `resources:`).
type Listed = std::collections::HashMap<PathBuf, bool>;

/// The files that the kustomization of `dir` names as patches or resources.
fn kustomize_patches(dir: &Path, out: &mut Listed) {
    for name in KUSTOMIZATION_NAMES {
        let Ok(text) = std::fs::read_to_string(dir.join(name)) else {
            continue;
        };
        let arena = crate::yaml::Arena::new();
        let parsed = crate::yaml::parse(&text, &arena, crate::yaml::Limits::default());
        for doc in &parsed.documents {
            let Some(root) = &doc.root else { continue };
            let mut add = |p: &str, patch: bool| {
                if !p.contains('\n') {
                    *out.entry(normalize(&dir.join(p))).or_default() |= patch;
                }
            };
            for item in root.get("resources").map(|n| n.items()).unwrap_or(&[]) {
                if let Some(p) = item.as_str() {
                    add(p, false);
                }
            }
            for key in ["patchesStrategicMerge", "patches", "patchesJson6902"] {
                for item in root.get(key).map(|n| n.items()).unwrap_or(&[]) {
                    if let Some(p) = item.as_str() {
                        add(p, true);
                    } else if let Some(p) = item.get_str("path") {
                        add(p, true);
                    }
                }
            }
        }
    }
}

/// Which files kustomizations name as patches. A file is a patch if its name says so
/// ([`crate::lint::looks_like_patch_name`]) or if the `kustomization.yaml` of its directory, or of
/// a directory above it up to where the walk started, names it. Only the directories on the way
/// to the current file are held (a stack), so a walk of any size keeps a handful.
#[derive(Default)]
struct Patches {
    stack: Vec<(PathBuf, Listed)>,
    /// In a sorted walk: the directories known to hold a file with a kustomization's name
    /// (the others are not asked: three failed lookups a directory were a fifth of the walk's
    /// time). `None`: ask every directory.
    kustomized: Option<Kustomized>,
    /// The files named as patches by the kustomizations of the directories above where the walk
    /// started (or above a named file's directory), up to the top of its git repository: as
    /// absolute paths (lexical, from the working directory). Read at the first file.
    outer: Option<(PathBuf, Listed)>,
}

/// The top of the git repository `abs` (an absolute path) is in: the nearest directory at or
/// above it holding `.git` (a directory, or a file that points to one), with that `.git`.
fn repo_top(abs: &Path) -> Option<(PathBuf, PathBuf, std::fs::Metadata)> {
    abs.ancestors().find_map(|d| {
        let git = d.join(".git");
        let meta = std::fs::metadata(&git).ok()?;
        Some((d.to_path_buf(), git, meta))
    })
}

/// The files that the kustomizations of the directories above `root` name as patches, up to the
/// top of its repository (outside one, every directory above), as absolute paths: a pre-commit hook names
/// `overlays/qa/sub/deep.yaml`, which `overlays/qa/kustomization.yaml` names as a patch, and the
/// walk of `overlays/qa/sub` starts below it.
fn outer_patches(root: &Path) -> (PathBuf, Listed) {
    let mut named = Listed::new();
    let Ok(cwd) = std::env::current_dir() else {
        return (PathBuf::new(), named);
    };
    let abs = normalize(&cwd.join(root));
    let top = repo_top(&abs).map(|(top, _, _)| top);
    for dir in abs.ancestors().skip(1) {
        if top.as_ref().is_some_and(|top| !dir.starts_with(top)) {
            break;
        }
        kustomize_patches(dir, &mut named);
    }
    (cwd, named)
}

/// Directories, as the walk names them, that hold a file with a kustomization's name. Filled by
/// the walk's sort ([`sorted_noting_kustomizations`]) before the first entry of the directory is
/// handed out.
type Kustomized = std::sync::Arc<std::sync::Mutex<std::collections::HashSet<PathBuf>>>;

/// A walk's sort (by file name) that also notes which directories hold a kustomization. A
/// directory's entries are all read and sorted before the first is handed out, and a sort of two
/// or more entries compares every one of them: each is seen. (A directory whose only entry is a
/// kustomization holds no other file it could name as a patch.)
fn sorted_noting_kustomizations(builder: &mut WalkBuilder) -> Kustomized {
    let kustomized = Kustomized::default();
    let noted = kustomized.clone();
    builder.sort_by_file_path(move |a, b| {
        for p in [a, b] {
            let bytes = p.as_os_str().as_encoded_bytes();
            let named = KUSTOMIZATION_NAMES.iter().any(|n| {
                bytes.ends_with(n.as_bytes())
                    && bytes.len() > n.len()
                    && std::path::is_separator(char::from(bytes[bytes.len() - n.len() - 1]))
            });
            if named && let Some(dir) = p.parent() {
                crate::lock(&noted).insert(dir.to_path_buf());
            }
        }
        // Siblings share their parent's path: comparing the paths compares the names.
        a.as_os_str().cmp(b.as_os_str())
    });
    kustomized
}

impl Patches {
    /// Whether `file` is a patch: named as one by a kustomization, or by its own name unless a
    /// kustomization lists it as a resource.
    fn is_patch(&mut self, file: &Path, root: &Path) -> bool {
        self.listed(file, root)
            .unwrap_or_else(|| crate::lint::named_like_a_patch(file.as_os_str().as_encoded_bytes()))
    }

    /// Whether a kustomization of `file`'s directory or one above it names it as a patch
    /// (`Some(true)`) or as a resource (`Some(false)`).
    fn listed(&mut self, file: &Path, root: &Path) -> Option<bool> {
        if self.outer.is_none() {
            self.outer = Some(outer_patches(root));
        }
        let dir = file.parent().unwrap_or(Path::new(""));
        // Most files are in the directory of the file before them: its kustomizations are known.
        let same_dir = self
            .stack
            .last()
            .is_some_and(|(d, _)| d.as_os_str() == dir.as_os_str());
        if same_dir {
            return self.named(file);
        }
        while self.stack.last().is_some_and(|(d, _)| !dir.starts_with(d)) {
            self.stack.pop();
        }
        let mut missing = Vec::new();
        for a in dir.ancestors() {
            if self.stack.last().is_some_and(|(d, _)| d == a) {
                break;
            }
            missing.push(a);
            if a == root {
                break;
            }
        }
        for a in missing.into_iter().rev() {
            let mut named = Listed::new();
            let known = self.kustomized.as_ref().map(|k| crate::lock(k).contains(a));
            if known != Some(false) {
                kustomize_patches(a, &mut named);
            }
            self.stack.push((a.to_path_buf(), named));
        }
        self.named(file)
    }

    /// How a kustomization of the directories on the stack, or above them, names `file`: as a
    /// patch if any does.
    fn named(&self, file: &Path) -> Option<bool> {
        let mut found = None;
        if let Some((cwd, outer)) = self.outer.as_ref().filter(|(_, o)| !o.is_empty()) {
            found = outer.get(&normalize(&cwd.join(file))).copied();
        }
        if found == Some(true) || self.stack.iter().all(|(_, named)| named.is_empty()) {
            return found;
        }
        let file = normalize(file);
        for (_, named) in &self.stack {
            match named.get(&file) {
                Some(true) => return Some(true),
                Some(false) => found = Some(false),
                None => {}
            }
        }
        found
    }
}

/// The walker both discoveries share: what is skipped and what is followed. Links that lead back
/// above the walked directory (a loop `ignore` no longer sees, reading no parent directory) are
/// left out and noted in `loops`, for the walk to say.
fn builder(
    root: &Path,
    excludes: &Excludes,
    loops: Option<Loops>,
    follow: bool,
    others: Vec<PathBuf>,
) -> WalkBuilder {
    let root_owned = root.to_path_buf();
    let excludes_filter = excludes.clone();
    let outside = Outside::of(root);
    let inner = Inner::default();
    let mut b = WalkBuilder::new(root);
    // Hidden entries are skipped below, all but config files: a lint run says which ones in the
    // tree it did not use.
    // `.gitignore` files are `ignore`'s to read in the walked directories; those above it, up to
    // the repository's top, and the repository's `.git/info/exclude` are read here once
    // ([`Outside`]): `ignore` reads the parents' files up to `/` (past the repository: a home
    // directory's `.gitignore` of `*` left nothing to lint), and a walk in tree order, left to
    // `ignore`, looks for `.git` in every directory it enters, and for ripgrep's `.ignore` files
    // (not read at all): two failed `stat`s a directory, about 6 % of a one-thread run over the
    // corpus (BENCHMARKS.md, eleventh session).
    b.hidden(false)
        .git_ignore(true)
        .git_global(false)
        .git_exclude(false)
        .require_git(false)
        .ignore(false)
        .parents(false)
        .follow_links(follow)
        .filter_entry(move |e| {
            if e.depth() == 0 {
                return true;
            }
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            if e.file_name().as_encoded_bytes().starts_with(b".") {
                return !is_dir && is_config_name(e.file_name());
            }
            if is_dir && SKIPPED_DIRS.iter().any(|d| e.file_name() == *d) {
                return false;
            }
            if excludes_filter.matches(e.path()) {
                return false;
            }
            let Some(outside) = &outside else {
                return true;
            };
            let rel = e.path().strip_prefix(&root_owned).unwrap_or(e.path());
            if outside.ignores(rel, is_dir) && !reincluded(&inner, e.path(), &root_owned, is_dir) {
                return false;
            }
            if !follow || !e.path_is_symlink() {
                return true;
            }
            match link_target(
                e.path(),
                &root_owned,
                &outside.root,
                &excludes_filter,
                &others,
            ) {
                LinkTarget::Follow => true,
                LinkTarget::InTheWalk => false,
                LinkTarget::Above(target) => {
                    if let Some(loops) = &loops {
                        crate::lock(loops).push((e.path().to_path_buf(), target));
                    }
                    false
                }
            }
        });
    b
}

/// Symbolic links found leading back above the walked directory: (the link, where it leads).
pub type Loops = std::sync::Arc<Mutex<Vec<(PathBuf, PathBuf)>>>;

/// What lies above a walked directory and rules over it: its absolute path, and the ignore files
/// that apply from above, nearest first: the `.gitignore` of each directory above it up to the top
/// of its git repository (or of the file system, outside one), then the repository's
/// `.git/info/exclude` (relative to its top). The repository is the nearest directory at or
/// above the walked one holding a `.git` directory, or a `.git` file that points to one (a
/// worktree or a submodule: `gitdir: PATH`, and a linked worktree's `commondir`). A repository
/// nested inside the walk keeps its parents' rules and has its own `info/exclude` left unread.
struct Outside {
    root: PathBuf,
    ignores: Vec<ignore::gitignore::Gitignore>,
}

impl Outside {
    fn of(root: &Path) -> Option<Outside> {
        let abs = std::fs::canonicalize(root).ok()?;
        let repo = repo_top(&abs);
        let mut ignores = Vec::new();
        let add = |ignores: &mut Vec<_>, dir: &Path, file: PathBuf| {
            if file.is_file() {
                let mut b = ignore::gitignore::GitignoreBuilder::new(dir);
                // A line that is no valid glob is left out, the others kept.
                let _ = b.add(file);
                if let Ok(gi) = b.build()
                    && gi.num_ignores() + gi.num_whitelists() > 0
                {
                    ignores.push(gi);
                }
            }
        };
        for dir in abs.ancestors().skip(1) {
            if repo
                .as_ref()
                .is_some_and(|(top, _, _)| !dir.starts_with(top))
            {
                break;
            }
            add(&mut ignores, dir, dir.join(".gitignore"));
        }
        if let Some((top, git, meta)) = repo {
            let git_dir = if meta.is_dir() {
                Some(git)
            } else {
                std::fs::read_to_string(&git).ok().and_then(|text| {
                    let to = text.lines().find_map(|l| l.strip_prefix("gitdir:"))?;
                    Some(top.join(to.trim()))
                })
            };
            if let Some(git_dir) = git_dir {
                let common = match std::fs::read_to_string(git_dir.join("commondir")) {
                    Ok(c) => git_dir.join(c.trim()),
                    Err(_) => git_dir,
                };
                add(&mut ignores, &top, common.join("info").join("exclude"));
            }
        }
        Some(Outside { root: abs, ignores })
    }

    /// Whether the rules from above leave out `rel` (a path below the walked directory): the
    /// nearest rule that matches decides, an ignore or a `!` re-include.
    fn ignores(&self, rel: &Path, is_dir: bool) -> bool {
        if self.ignores.is_empty() {
            return false;
        }
        let path = self.root.join(rel);
        for gi in &self.ignores {
            let m = gi.matched(&path, is_dir);
            if m.is_ignore() {
                return true;
            }
            if m.is_whitelist() {
                return false;
            }
        }
        false
    }
}

/// The walked directories' own `.gitignore` files, read when a rule from above ignores something
/// below them: `ignore` reads them too, but only to leave things out, and a `!` line of theirs
/// must win over the farther rule (git's order: the nearest file decides).
type Inner = Mutex<std::collections::HashMap<PathBuf, Option<ignore::gitignore::Gitignore>>>;

/// Whether a `.gitignore` of the walk, from `path`'s directory up to `root`, re-includes `path`
/// (the nearest that has a say decides).
fn reincluded(inner: &Inner, path: &Path, root: &Path, is_dir: bool) -> bool {
    let mut dir = path.parent();
    while let Some(d) = dir {
        let mut cache = crate::lock(inner);
        let gi = cache.entry(d.to_path_buf()).or_insert_with(|| {
            let file = d.join(".gitignore");
            if !file.is_file() {
                return None;
            }
            let mut b = ignore::gitignore::GitignoreBuilder::new(d);
            let _ = b.add(file);
            b.build().ok()
        });
        if let Some(gi) = gi {
            let m = gi.matched(path, is_dir);
            if m.is_whitelist() {
                return true;
            }
            if m.is_ignore() {
                return false;
            }
        }
        if d == root {
            break;
        }
        dir = d.parent();
    }
    false
}

/// Where a symbolic link met in a walk leads, for the walk.
enum LinkTarget {
    /// Outside the walked tree, or to what the walk skips: followed.
    Follow,
    /// To a file or directory the run reaches under its own name, or excludes: left out.
    InTheWalk,
    /// Back to a directory above the walked one (the link is inside it: a loop).
    Above(PathBuf),
}

/// Where `link`, a symbolic link met in the walk of `root` (`canon_root` canonical), leads;
/// `others`: the run's other paths, canonical.
/// Followed, a link to a directory of the tree (`envs/prod -> ../base`) would have its files
/// linted twice, and EKS601 would find each workload running its image "elsewhere": in itself.
/// A link that leads back to the walked directory or below it, above itself, is a loop the walk
/// finds and says; one that leads above the walked directory is a loop only this check finds.
/// One to what the walk skips as hidden, or elsewhere, is followed; one to what is excluded, or
/// into another path of the run, is not.
fn link_target(
    link: &Path,
    root: &Path,
    canon_root: &Path,
    excludes: &Excludes,
    others: &[PathBuf],
) -> LinkTarget {
    let Ok(target) = std::fs::canonicalize(link) else {
        return LinkTarget::Follow;
    };
    if canon_root.starts_with(&target) && target != canon_root {
        return LinkTarget::Above(target);
    }
    // Excluded under its own name: under the link's too. Into another path of the run
    // (`ekslint a-shared k8s`): linted there, under its own name.
    if excludes.matches(&target) || others.iter().any(|o| target.starts_with(o)) {
        return LinkTarget::InTheWalk;
    }
    let Ok(rel) = target.strip_prefix(canon_root) else {
        return LinkTarget::Follow;
    };
    let here = link
        .parent()
        .and_then(|p| std::fs::canonicalize(p).ok())
        .zip(link.file_name())
        .map(|(dir, name)| dir.join(name));
    if here.is_none_or(|here| here.starts_with(&target)) {
        return LinkTarget::Follow;
    }
    let skipped = walk_skips_a_part_of(rel);
    if skipped && !excludes.matches(&root.join(rel)) {
        LinkTarget::Follow
    } else {
        LinkTarget::InTheWalk
    }
}

/// Whether a path below a walked directory goes through a name the walk skips: hidden, or one of
/// [`SKIPPED_DIRS`].
fn walk_skips_a_part_of(rel: &Path) -> bool {
    rel.components().any(|c| {
        let name = c.as_os_str();
        name.as_encoded_bytes().starts_with(b".") || SKIPPED_DIRS.iter().any(|d| name == *d)
    })
}

/// Whether the walk of `root` would have left out `path` had it not met an error there first: a
/// symbolic link loop is found before the walk looks at the link's name, so a loop under a
/// hidden, excluded or `.gitignore`d name would fail a run that was told to skip it.
fn walk_leaves_out(path: &Path, root: &Path, excludes: &Excludes) -> bool {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let skipped = walk_skips_a_part_of(rel);
    if skipped || excludes.matches(path) {
        return true;
    }
    // `.gitignore`: the same walker, one level deep in the link's directory, without following.
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return false;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let mut b = builder(dir, &Excludes::default(), None, false, Vec::new());
    b.max_depth(Some(1));
    !b.build()
        .filter_map(Result::ok)
        .any(|e| e.depth() == 1 && e.file_name() == name)
}

fn walk(root: &Path, excludes: &Excludes, threads: usize) -> (Vec<Input>, Vec<DiscoverError>) {
    let found = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    builder(root, excludes, None, true, Vec::new())
        .threads(threads)
        .build_parallel()
        .run(|| {
            let found = &found;
            let errors = &errors;
            Box::new(move |entry| {
                match entry {
                    Ok(e) => {
                        let is_file = e.file_type().is_some_and(|t| t.is_file());
                        if is_file
                            && !is_config_name(e.file_name())
                            && FileKind::is_lintable(&e.file_name().to_string_lossy())
                        {
                            let path = e.into_path();
                            crate::lock(found).push(Input::File { path, patch: false });
                        }
                    }
                    Err(err) => {
                        let path = error_path(&err).unwrap_or_default();
                        crate::lock(errors).push(DiscoverError {
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

/// Whether a walk error is about a symbolic link that does not resolve (it points nowhere, or
/// into a loop of links) and whose name is not one ekslint lints. A directory loop is not one:
/// the walk cannot go on below it, which is said.
fn unlintable_broken_link(err: &ignore::Error, path: &str) -> bool {
    if is_loop(err) || path.is_empty() {
        return false;
    }
    let path = Path::new(path);
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    is_link
        && std::fs::metadata(path).is_err()
        && !path
            .file_name()
            .is_some_and(|n| FileKind::is_lintable(&n.to_string_lossy()))
}

/// "a symbolic link to T, which does not exist" when `path` is one (the walk only says "no such
/// file or directory", which is puzzling for a file that `ls` lists).
fn dangling_link(path: &str) -> Option<String> {
    let path = Path::new(path);
    let target = std::fs::read_link(path).ok()?;
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(format!(
            "a symbolic link to {}, which does not exist",
            target.display()
        )),
        _ => None,
    }
}

/// A walk error without the path, depth or line `ignore` wraps it in.
fn unwrapped(err: &ignore::Error) -> &ignore::Error {
    match err {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => unwrapped(err),
        other => other,
    }
}

/// Whether a walk error is a symbolic link loop.
fn is_loop(err: &ignore::Error) -> bool {
    matches!(unwrapped(err), ignore::Error::Loop { .. })
}

fn walk_message(err: &ignore::Error) -> String {
    match unwrapped(err) {
        ignore::Error::Io(e) => io_message(e),
        ignore::Error::Loop { ancestor, .. } => loop_message(ancestor),
        other => other.to_string(),
    }
}

fn loop_message(ancestor: &Path) -> String {
    format!("symbolic link loop back to {}", ancestor.display())
}

/// Reads `input` to its end, unless it goes past `limit` bytes: then `Ok(Err(why))`, having read
/// one byte more than the limit. For what has no size to check first: standard input, a pipe, a
/// device (`/dev/zero` never ends).
pub fn read_at_most(
    input: impl std::io::Read,
    limit: u64,
    what: &str,
) -> std::io::Result<Result<Vec<u8>, String>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    input
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Ok(Err(format!(
            "{what} is larger than the {} limit (raise it with --max-file-size)",
            crate::lint::size_text(limit)
        )));
    }
    Ok(Ok(bytes))
}

/// Reads standard input whole, up to `limit` bytes; an error (or too much input) comes back as
/// (name, message) like every I/O error.
pub fn read_stdin(name: &str, limit: u64) -> Result<Vec<u8>, (String, String)> {
    match read_at_most(std::io::stdin().lock(), limit, "standard input") {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(why)) => Err((name.to_string(), why)),
        Err(e) => Err((name.to_string(), io_message(&e))),
    }
}

/// An I/O error as a short sentence, without Rust's `(os error 2)` noise.
pub fn io_message(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    // The walk's errors wrap the system's in "IO error for operation on PATH: ...", which says
    // the path a second time: the system's own words are enough.
    if let Some(inner) = e
        .get_ref()
        .and_then(|w| w.source())
        .and_then(|s| s.downcast_ref::<std::io::Error>())
    {
        return io_message(inner);
    }
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

    /// A lint run's files: in the tree's order (a directory's files before `app-config.yaml`,
    /// whose name sorts after `app`), overlapping arguments linted once, standard input last,
    /// patches named by the kustomization of a directory above marked, a missing path an error.
    #[test]
    fn stream_walks_in_tree_order_once_per_file() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("app/patches")).unwrap();
        std::fs::write(
            d.join("app/kustomization.yaml"),
            "resources: [deploy.yaml]\npatches:\n- path: patches/replicas.yaml\n",
        )
        .unwrap();
        // The other two names kustomize reads, each naming a file that comes before it in the
        // walk (the walk's sort notes which directories hold a kustomization).
        std::fs::create_dir_all(d.join("svc")).unwrap();
        std::fs::write(
            d.join("svc/Kustomization"),
            "patchesStrategicMerge: [Env.yaml]\n",
        )
        .unwrap();
        std::fs::create_dir_all(d.join("web/deep")).unwrap();
        std::fs::write(d.join("web/kustomization.yml"), "patches: [deep/a.yaml]\n").unwrap();
        for f in [
            "app/deploy.yaml",
            "app/patches/replicas.yaml",
            "app-config.yaml",
            "svc/Env.yaml",
            "svc/other.yaml",
            "web/deep/a.yaml",
        ] {
            std::fs::write(d.join(f), "kind: ConfigMap\n").unwrap();
        }
        let root = d.display().to_string();
        let args = [
            format!("{root}/app/deploy.yaml"),
            "-".to_string(),
            root.clone(),
            format!("{root}/missing"),
        ];
        let mut got = Vec::new();
        let mut errors = Vec::new();
        stream(
            &args,
            &Excludes::default(),
            "<stdin>",
            |i| {
                got.push(match i {
                    Input::File { path, patch } => {
                        let rel = path.strip_prefix(d).unwrap().display().to_string();
                        format!("{rel}{}", if patch { " (patch)" } else { "" })
                    }
                    Input::Stdin { name } => name,
                });
                true
            },
            |e| errors.push(e.message),
        );
        assert_eq!(
            got,
            [
                "app/deploy.yaml",
                "app/kustomization.yaml",
                "app/patches/replicas.yaml (patch)",
                "app-config.yaml",
                "svc/Env.yaml (patch)",
                "svc/other.yaml",
                "web/deep/a.yaml (patch)",
                "web/kustomization.yml",
                "<stdin>",
            ]
        );
        assert_eq!(errors, ["no such file or directory"]);
    }

    /// A walk that starts below a kustomization, or a file named alone (pre-commit), still knows
    /// the patches it names, up to the repository's top.
    #[test]
    fn a_kustomization_above_where_the_walk_starts_names_patches() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("qa/sub")).unwrap();
        std::fs::write(
            d.join("qa/kustomization.yaml"),
            "patchesStrategicMerge: [sub/deep.yaml]\n",
        )
        .unwrap();
        for f in ["qa/sub/deep.yaml", "qa/sub/whole.yaml"] {
            std::fs::write(d.join(f), "kind: ConfigMap\n").unwrap();
        }
        // Outside a repository (every directory above), then inside one (up to its top).
        let mut froms = vec!["qa", "qa/sub", "qa/sub/deep.yaml", "qa/sub/whole.yaml"];
        froms.extend(["-", "qa", "qa/sub", "qa/sub/deep.yaml"]);
        for from in froms {
            if from == "-" {
                std::fs::create_dir_all(d.join(".git")).unwrap();
                continue;
            }
            let mut marked = Vec::new();
            stream(
                &[d.join(from).display().to_string()],
                &Excludes::default(),
                "<stdin>",
                |input| {
                    if let Input::File { path, patch } = input {
                        let name = path.file_name().unwrap().to_string_lossy().into_owned();
                        marked.push((name, patch));
                    }
                    true
                },
                |e| panic!("{}: {}", e.path, e.message),
            );
            let want: Vec<(String, bool)> = [("deep.yaml", true), ("whole.yaml", false)]
                .into_iter()
                .filter(|(f, _)| !from.ends_with(".yaml") || from.ends_with(f))
                .map(|(f, p)| (f.to_string(), p))
                .collect();
            let marked: Vec<_> = marked
                .into_iter()
                .filter(|(f, _)| f != "kustomization.yaml")
                .collect();
            assert_eq!(marked, want, "from {from}");
        }
    }

    #[test]
    fn kustomization_patches_and_patch_names_are_marked() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(
            d.join("kustomization.yaml"),
            "resources: [base.yaml, db-patch-job.yaml]\npatchesStrategicMerge:\n- replicas.yaml\npatches:\n- path: ./more.yaml\n",
        )
        .unwrap();
        for f in [
            "base.yaml",
            "replicas.yaml",
            "more.yaml",
            "env-patch.yaml",
            "db-patch-job.yaml",
        ] {
            std::fs::write(d.join(f), "kind: ConfigMap\n").unwrap();
        }
        let found = discover(
            &[d.display().to_string()],
            &Excludes::default(),
            "<stdin>",
            1,
        );
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
                // Listed as a resource: a whole object, whatever its name says.
                ("db-patch-job.yaml".to_string(), false),
                ("env-patch.yaml".to_string(), true),
                ("kustomization.yaml".to_string(), false),
                ("more.yaml".to_string(), true),
                ("replicas.yaml".to_string(), true),
            ]
        );
    }
}
