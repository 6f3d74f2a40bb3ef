//! `.ekslint.yaml`: which rules run, at which severity, on which paths. Found by searching upward
//! from the paths linted (see `cli`; `--config FILE` overrides, `--isolated` ignores it), typed with
//! serde-saphyr, and every mistake is a diagnostic that points into the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::diagnostic::Severity;
use crate::rules::{LoadError, Rule, RuleSet, loc_span, located, located_at, yaml_error};

pub const FILE_NAMES: [&str; 2] = [".ekslint.yaml", ".ekslint.yml"];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

/// The file as written.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigFile {
    /// Another config file this one builds on (relative to this file).
    #[serde(default)]
    pub extend: Option<Spanned<String>>,
    /// Rules to run: ids (`EKS301`), id prefixes (`EKS5`), names, or `ALL`. Default: all.
    #[serde(default)]
    pub select: Option<Vec<Spanned<String>>>,
    /// Rules not to run (same forms as `select`).
    #[serde(default)]
    pub ignore: Option<Vec<Spanned<String>>>,
    /// Severity per rule id or name.
    #[serde(default)]
    pub severity: Option<BTreeMap<String, Spanned<Severity>>>,
    /// Globs of files and directories not to lint.
    #[serde(default)]
    pub exclude: Option<Vec<Spanned<String>>>,
    /// Glob → rules not to report on matching files.
    #[serde(default)]
    pub per_path_ignores: Option<BTreeMap<String, Vec<Spanned<String>>>>,
    /// Directories of your own rule files (relative to this file).
    #[serde(default)]
    pub rules: Option<Vec<Spanned<String>>>,
    /// Lowest severity that makes the exit code 1.
    #[serde(default)]
    pub fail_on: Option<FailOn>,
}

/// A config file, loaded (with everything it extends) and resolved against its directory.
#[derive(Debug, Default)]
pub struct Config {
    pub path: Option<PathBuf>,
    pub select: Option<Vec<Selector>>,
    pub ignore: Vec<Selector>,
    pub severity: Vec<(Selector, Severity)>,
    /// Globs, each with the config file that wrote it (they are anchored at its directory: a
    /// file's own, or the one it `extend`s).
    pub exclude: Vec<(String, PathBuf)>,
    pub per_path_ignores: Vec<(String, PathBuf, Vec<Selector>)>,
    pub rules: Vec<PathBuf>,
    pub fail_on: Option<FailOn>,
    /// The files this one extends, directly or not.
    pub extended: Vec<PathBuf>,
}

/// A `per-path-ignores` entry: files its glob matches (as named, or from the directory of the
/// config file that wrote it) do not run the rules its selectors name.
pub struct PathIgnore {
    pub globs: globset::GlobSet,
    pub anchor: Option<crate::discover::Anchor>,
    pub selectors: Vec<Selector>,
}

/// A rule selector, with where it was written (for "unknown rule" diagnostics).
#[derive(Debug, Clone)]
pub struct Selector {
    pub text: String,
    /// The config file's name and text, and the selector's place in it.
    pub origin: Option<(String, String, Option<miette::SourceSpan>)>,
}

impl Selector {
    pub fn cli(text: &str) -> Selector {
        Selector {
            text: text.trim().to_string(),
            origin: None,
        }
    }

    /// How closely the selector names `rule`, if it does: `ALL` least, then id prefixes by
    /// length, an id or a name most.
    fn specificity(&self, rule: &Rule) -> Option<usize> {
        let t = self.text.as_str();
        if rule.meta.name == t || rule.meta.id.eq_ignore_ascii_case(t) {
            Some(usize::MAX)
        } else if t.eq_ignore_ascii_case("all") {
            Some(0)
        } else {
            self.matches(rule).then_some(t.len())
        }
    }

    /// `ALL`, an id, an id prefix (`EKS5`), or a name.
    pub fn matches(&self, rule: &Rule) -> bool {
        let t = self.text.as_str();
        t.eq_ignore_ascii_case("all")
            || rule.meta.name == t
            || rule
                .meta
                .id
                .to_ascii_uppercase()
                .starts_with(&t.to_ascii_uppercase())
    }
}

/// Finds the config file for `start`: the nearest `.ekslint.yaml`/`.ekslint.yml` upward.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        for name in FILE_NAMES {
            let p = d.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
        dir = d.parent();
    }
    None
}

fn read(path: &Path) -> Result<String, LoadError> {
    std::fs::read_to_string(path).map_err(|e| {
        LoadError::Other(miette::miette!(
            "cannot read config file {}: {}",
            crate::source::shown_path(path),
            crate::discover::io_message(&e)
        ))
    })
}

/// A glob as written in the config file in `dir`: an absolute path into `dir` is made relative
/// to it (a leading `/` otherwise anchors the glob at `dir`, as in `.gitignore`).
fn under(glob: &str, dir: &Path) -> String {
    let abs = std::env::current_dir()
        .map(|cwd| crate::discover::normalize(&cwd.join(dir)))
        .ok();
    match abs.and_then(|d| Path::new(glob).strip_prefix(&d).ok().map(Path::to_path_buf)) {
        Some(rel) if glob.starts_with('/') && !rel.as_os_str().is_empty() => {
            rel.to_string_lossy().into_owned()
        }
        _ => glob.to_string(),
    }
}

impl Config {
    /// Loads `path` and everything it `extend`s (the extending file wins).
    pub fn load(path: &Path) -> Result<Config, LoadError> {
        Config::load_chain(path, &[]).map_err(LoadError::in_config)
    }

    /// Parses config `text` as if read from `path`: `extend` and `rules` resolve against its
    /// directory (an `extend` is read from disk). [`Config::load`] reads `path` itself.
    pub fn parse_str(text: &str, path: &Path) -> Result<Config, LoadError> {
        Config::parse_chain(text.to_string(), path, &[]).map_err(LoadError::in_config)
    }

    /// `chain`: the files that extend this one, outermost first (to name a cycle).
    fn load_chain(path: &Path, chain: &[PathBuf]) -> Result<Config, LoadError> {
        Config::parse_chain(read(path)?, path, chain)
    }

    fn parse_chain(text: String, path: &Path, chain: &[PathBuf]) -> Result<Config, LoadError> {
        let display = path.display().to_string();
        let file: ConfigFile = if text.trim().is_empty() {
            ConfigFile::default()
        } else {
            serde_saphyr::from_str(&text).map_err(|e| yaml_error(&e, &text, &display))?
        };
        let dir = path.parent().unwrap_or(Path::new("."));
        let mut cfg = match &file.extend {
            Some(base) => {
                let base_path = dir.join(&base.value);
                if !base_path.is_file() {
                    return Err(located(
                        &display,
                        &text,
                        format!(
                            "`extend`: no file {}",
                            crate::source::shown_path(&base_path)
                        ),
                        Some(base.referenced),
                        None,
                    ));
                }
                let mut chain = chain.to_vec();
                chain.push(path.to_path_buf());
                let same =
                    |a: &Path, b: &Path| match (std::fs::canonicalize(a), std::fs::canonicalize(b))
                    {
                        (Ok(a), Ok(b)) => a == b,
                        _ => false,
                    };
                if let Some(first) = chain.iter().position(|c| same(c, &base_path)) {
                    let cycle: Vec<String> = chain[first..]
                        .iter()
                        .chain([&chain[first]])
                        .map(|c| crate::discover::from_here(c))
                        .collect();
                    return Err(located(
                        &display,
                        &text,
                        format!("`extend` makes a cycle: {}", cycle.join(" extends ")),
                        Some(base.referenced),
                        None,
                    ));
                }
                let mut cfg = Config::load_chain(&base_path, &chain)?;
                cfg.extended.push(base_path);
                cfg
            }
            None => Config::default(),
        };
        let sel = |v: &Vec<Spanned<String>>| -> Vec<Selector> {
            v.iter()
                .map(|s| Selector {
                    text: s.value.trim().to_string(),
                    origin: Some((
                        display.clone(),
                        text.clone(),
                        loc_span(&text, Some(s.referenced)),
                    )),
                })
                .collect()
        };
        if let Some(s) = &file.select {
            cfg.select = Some(sel(s));
        }
        if let Some(i) = &file.ignore {
            cfg.ignore = sel(i);
        }
        if let Some(sev) = &file.severity {
            for (k, v) in sev {
                cfg.severity.push((
                    Selector {
                        text: k.clone(),
                        // The selector is the key: the frame points at it, not at the value.
                        origin: Some((
                            display.clone(),
                            text.clone(),
                            key_before(&text, v.referenced, k),
                        )),
                    },
                    v.value,
                ));
            }
        }
        for g in file.exclude.iter().flatten() {
            if let Err(e) = crate::discover::path_globs(&g.value) {
                return Err(located(
                    &display,
                    &text,
                    format!("invalid glob `{}`: {}", g.value, e.kind()),
                    Some(g.referenced),
                    None,
                ));
            }
            cfg.exclude.push((under(&g.value, dir), path.to_path_buf()));
        }
        for (glob, rules) in file.per_path_ignores.iter().flatten() {
            if let Err(e) = crate::discover::path_globs(glob) {
                let at = rules
                    .first()
                    .and_then(|r| key_before(&text, r.referenced, glob));
                return Err(located_at(
                    &display,
                    &text,
                    format!("invalid glob `{glob}`: {}", e.kind()),
                    at,
                    None,
                ));
            }
            cfg.per_path_ignores
                .push((under(glob, dir), path.to_path_buf(), sel(rules)));
        }
        for r in file.rules.iter().flatten() {
            let rules_dir = dir.join(&r.value);
            if !rules_dir.is_dir() {
                return Err(located(
                    &display,
                    &text,
                    format!(
                        "`rules`: no directory {}",
                        crate::source::shown_path(&rules_dir)
                    ),
                    Some(r.referenced),
                    Some("name directories of rule files, relative to this file".into()),
                ));
            }
            cfg.rules.push(rules_dir);
        }
        if file.fail_on.is_some() {
            cfg.fail_on = file.fail_on;
        }
        cfg.path = Some(path.to_path_buf());
        Ok(cfg)
    }

    /// Checks that every selector names a rule that exists, pointing into the config file if not.
    pub fn validate(&self, rules: &RuleSet) -> Result<(), LoadError> {
        let all = self
            .select
            .iter()
            .flatten()
            .chain(&self.ignore)
            .chain(self.severity.iter().map(|(s, _)| s))
            .chain(self.per_path_ignores.iter().flat_map(|(_, _, v)| v));
        // One file naming a rule twice in `severity` (by id and by name) is a mistake: which
        // should win?
        for rule in &rules.rules {
            let exact: Vec<&(Selector, Severity)> = self
                .severity
                .iter()
                .filter(|(s, _)| s.specificity(rule) == Some(usize::MAX))
                .collect();
            for (i, (second, _)) in exact.iter().enumerate() {
                let Some((file, text, loc)) = &second.origin else {
                    continue;
                };
                let first = exact[..i]
                    .iter()
                    .find(|(s, _)| s.origin.as_ref().is_some_and(|(f, _, _)| f == file));
                if let Some((first, _)) = first {
                    return Err(located_at(
                        file,
                        text,
                        format!(
                            "`{}` and `{}` both set the severity of {} ({}): keep one",
                            first.text, second.text, rule.meta.id, rule.meta.name
                        ),
                        *loc,
                        None,
                    )
                    .in_config());
                }
            }
        }
        for s in all {
            if !rules.rules.iter().any(|r| s.matches(r)) {
                let mut message = format!(
                    "`{}` matches no rule (ids, id prefixes like `EKS5`, names, or `ALL`)",
                    s.text
                );
                let near: Vec<String> = closest_rules(&s.text, rules)
                    .iter()
                    .map(|r| format!("`{}` ({})", r.meta.name, r.meta.id))
                    .collect();
                if !near.is_empty() {
                    message += &format!("; did you mean {}?", near.join(" or "));
                }
                return Err(match &s.origin {
                    Some((file, text, loc)) => located_at(
                        file,
                        text,
                        message,
                        *loc,
                        Some("`ekslint rules` lists them".into()),
                    ),
                    None => LoadError::Other(miette::miette!("{message}")),
                }
                .in_config());
            }
        }
        Ok(())
    }

    /// Keeps the selected rules and applies severity overrides.
    pub fn apply(&self, rules: &mut RuleSet) {
        if let Some(select) = &self.select {
            rules.retain(|r| select.iter().any(|s| s.matches(r)));
        }
        rules.retain(|r| !self.ignore.iter().any(|s| s.matches(r)));
        // The most specific entry wins (an id or a name over a prefix over `ALL`); between
        // equals, the later (an extending file's over the file it extends).
        for r in rules.rules.iter_mut() {
            let chosen = self
                .severity
                .iter()
                .enumerate()
                .filter_map(|(i, (sel, sev))| sel.specificity(r).map(|s| ((s, i), *sev)))
                .max_by_key(|(key, _)| *key);
            if let Some((_, sev)) = chosen {
                let mut meta = (*r.meta).clone();
                meta.severity = sev;
                meta.forced_severity = true;
                r.meta = std::sync::Arc::new(meta);
            }
        }
    }

    /// The `per-path-ignores` globs, compiled, each anchored at the directory of the config
    /// file that wrote it.
    pub fn path_ignores(&self) -> Vec<PathIgnore> {
        self.per_path_ignores
            .iter()
            .filter_map(|(g, from, sel)| {
                Some(PathIgnore {
                    globs: crate::discover::build_globset(std::slice::from_ref(g)).ok()?,
                    anchor: crate::discover::Anchor::new(from),
                    selectors: sel.clone(),
                })
            })
            .collect()
    }

    /// The `exclude` globs, grouped by the config file that wrote them, with its anchor.
    pub fn exclude_groups(&self) -> Vec<(Vec<String>, Option<crate::discover::Anchor>)> {
        let mut groups: Vec<(Vec<String>, &PathBuf)> = Vec::new();
        for (glob, from) in &self.exclude {
            match groups.last_mut() {
                Some((globs, f)) if *f == from => globs.push(glob.clone()),
                _ => groups.push((vec![glob.clone()], from)),
            }
        }
        groups
            .into_iter()
            .map(|(globs, from)| (globs, crate::discover::Anchor::new(from)))
            .collect()
    }
}

/// The place of the mapping key `key` whose value is at `value`: its last appearance before the
/// value (on the value's line, or above it for a block list); the value's own place if not found.
fn key_before(text: &str, value: serde_saphyr::Location, key: &str) -> Option<miette::SourceSpan> {
    let at = loc_span(text, Some(value))?;
    let before = text.get(..at.offset())?;
    match before.rfind(key).filter(|_| !key.is_empty()) {
        Some(i) => Some(miette::SourceSpan::new(i.into(), key.len())),
        None => Some(at),
    }
}

/// The rules whose id or name `typed` most likely misspells, ignoring case: one edit away from
/// an id (`EKS0001`; every id is two digits from many others) or a short name, two from a name.
/// All the nearest, when several are as near (`EKS0301`: EKS001 or EKS301), up to three.
pub(crate) fn closest_rules<'r>(typed: &str, rules: &'r RuleSet) -> Vec<&'r Rule> {
    let typed = typed.to_ascii_lowercase();
    let near: Vec<(usize, &Rule)> = rules
        .rules
        .iter()
        .filter_map(|r| {
            [(&r.meta.id, 1), (&r.meta.name, 2)]
                .into_iter()
                .filter_map(|(known, limit)| {
                    let limit = if typed.len() <= 4 { 1 } else { limit };
                    let d = strsim::levenshtein(&typed, &known.to_ascii_lowercase());
                    (d <= limit).then_some(d)
                })
                .min()
                .map(|d| (d, r))
        })
        .collect();
    let nearest = near.iter().map(|(d, _)| *d).min();
    let nearest: Vec<&Rule> = near
        .into_iter()
        .filter(|(d, _)| Some(*d) == nearest)
        .map(|(_, r)| r)
        .collect();
    // `EKS02` is one edit from EKS002, EKS202, EKS302...: a list that long guesses nothing.
    if nearest.len() > 3 {
        Vec::new()
    } else {
        nearest
    }
}
