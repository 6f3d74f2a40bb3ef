//! Suppressions, in layers: a trailing `# ekslint-disable-line EKS402` comment, a comment line
//! `# ekslint-disable-next-line EKS301` above the finding, `# ekslint-disable-file EKS401` (or
//! `all`) anywhere in a file, and the object annotation `ekslint.io/ignore: "EKS401,EKS402"` (for
//! that object and its pod template). Several ids are comma-separated; names work too; an optional
//! reason follows ` -- `. Every id that suppressed nothing becomes an EKS008 finding.

use crate::diagnostic::Finding;
use crate::k8s::{Object, ObjectRef};
use crate::source::{Loc, Source, Span};

pub const ANNOTATION: &str = "ekslint.io/ignore";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The finding starts on this 1-based line.
    Line(usize),
    File,
    /// `ekslint-disable-file` in one template's document of rendered output: that document's
    /// bytes.
    Range(Span),
    Object(ObjectRef),
}

impl Scope {
    /// Whether this is a file-wide directive (`ekslint-disable-file`) that reaches `f`.
    pub fn is_file_wide(&self, f: &Finding) -> bool {
        match self {
            Scope::File => true,
            Scope::Range(part) => part.contains(f.span.start as usize),
            _ => false,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Directive {
    pub scope: Scope,
    /// Rule ids or names; `all` matches every rule.
    pub ids: Vec<String>,
    /// Which of `ids` suppressed something.
    pub used: Vec<bool>,
    /// Where the directive is written (for EKS008).
    pub span: Span,
    /// Filled in by [`crate::diagnostic::FileResult::locate`].
    pub loc: Loc,
    /// How it is written, for messages: `ekslint-disable-line`, `ekslint.io/ignore`, ...
    pub form: &'static str,
}

impl Directive {
    fn new(scope: Scope, ids: Vec<String>, span: Span, form: &'static str) -> Directive {
        let ids = if ids.is_empty() {
            vec!["all".to_string()]
        } else {
            ids
        };
        Directive {
            used: vec![false; ids.len()],
            scope,
            ids,
            span,
            loc: Loc::default(),
            form,
        }
    }

    /// Marks every id that names the finding's rule as used (a rule named twice, or by id and by
    /// name, is not "unused" the second time); whether any did.
    fn mark(&mut self, f: &Finding) -> bool {
        let mut any = false;
        for (id, used) in self.ids.iter().zip(self.used.iter_mut()) {
            if id.eq_ignore_ascii_case("all")
                || id.eq_ignore_ascii_case(&f.rule.id)
                || *id == f.rule.name
            {
                *used = true;
                any = true;
            }
        }
        any
    }

    fn covers(&self, f: &Finding, line: usize) -> bool {
        match &self.scope {
            Scope::Line(l) => *l == line,
            Scope::File | Scope::Range(_) => self.scope.is_file_wide(f),
            Scope::Object(o) => f.object.as_ref() == Some(o),
        }
    }
}

/// Splits `EKS401, EKS402 -- reason` into ids.
fn parse_ids(rest: &str) -> Vec<String> {
    let ids = rest.split(" -- ").next().unwrap_or("");
    ids.split([',', ' ', '\t'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The byte offset of a `#` that starts a comment on this line, if any.
fn comment_start(line: &str) -> Option<usize> {
    let (mut single, mut double) = (false, false);
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single && prev != '\\' => double = !double,
            '#' if !single && !double && (prev == ' ' || prev == '\t' || i == 0) => return Some(i),
            _ => {}
        }
        prev = c;
    }
    None
}

/// The comment directives of a file.
pub fn comment_directives(source: &Source) -> Vec<Directive> {
    let text = &source.text;
    if !text.contains("ekslint-disable") {
        return Vec::new();
    }
    let mut out = Vec::new();
    let lines = source.line_count();
    for n in 1..=lines {
        let span = source.line_span(n);
        let line = source.slice(span);
        if !line.contains("ekslint-disable") {
            continue;
        }
        let Some(hash) = comment_start(line) else {
            continue;
        };
        let comment = &line[hash + 1..];
        let Some(at) = comment.find("ekslint-disable") else {
            continue;
        };
        let body = &comment[at..];
        let (form, rest): (&'static str, &str) =
            if let Some(r) = body.strip_prefix("ekslint-disable-next-line") {
                ("ekslint-disable-next-line", r)
            } else if let Some(r) = body.strip_prefix("ekslint-disable-line") {
                ("ekslint-disable-line", r)
            } else if let Some(r) = body.strip_prefix("ekslint-disable-file") {
                ("ekslint-disable-file", r)
            } else {
                continue;
            };
        // `ekslint-disable-line: EKS401` (or `:EKS401`, or ` : EKS401`) is read as
        // `ekslint-disable-line EKS401`.
        let rest = match rest.trim_start_matches([' ', '\t']).strip_prefix(':') {
            Some(after) => after,
            None if rest.is_empty() || rest.starts_with([' ', '\t']) => rest,
            None => continue,
        };
        let start = span.start as usize + hash + 1 + at;
        let written = body.split(" -- ").next().unwrap_or(body).trim_end();
        let dspan = Span::new(start, start + written.len());
        let comment_only = line[..hash].trim().is_empty();
        let scope = match form {
            "ekslint-disable-file" => Scope::File,
            "ekslint-disable-line" => Scope::Line(n),
            _ => {
                // The next line that holds something other than blanks and comments.
                let target = (n + 1..=lines).find(|&m| {
                    let l = source.slice(source.line_span(m)).trim();
                    !l.is_empty() && !l.starts_with('#')
                });
                match target {
                    Some(m) => Scope::Line(m),
                    None => Scope::Line(n + 1),
                }
            }
        };
        let _ = comment_only;
        out.push(Directive::new(scope, parse_ids(rest), dspan, form));
    }
    out
}

/// The `ekslint.io/ignore` annotation of an object (on its own metadata or its pod template).
pub fn annotation_directives(obj: &Object<'_>, out: &mut Vec<Directive>) {
    let own = obj.metadata().and_then(|m| m.get("annotations"));
    let pod = obj.pod.and_then(|p| p.annotations());
    for ann in [own, pod].into_iter().flatten() {
        if let Some(v) = ann.get(ANNOTATION) {
            let ids = parse_ids(v.as_str().unwrap_or(""));
            out.push(Directive::new(
                Scope::Object(obj.reference()),
                ids,
                v.span,
                ANNOTATION,
            ));
        }
    }
}

/// Drops the findings that a directive suppresses, marking the directive ids that were used.
/// Needs located findings ([`crate::diagnostic::FileResult::locate`]), not the text.
pub fn apply(findings: &mut Vec<Finding>, directives: &mut [Directive]) {
    if directives.is_empty() {
        return;
    }
    // The directives that may cover a finding, found by its line and its object rather than by
    // trying each (a file of n findings each with its own directive was n²); file-wide ones by
    // the ids they name (`all`, a rule id in any case, a rule name), down to the id.
    use std::collections::HashMap;
    let mut by_line: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut by_object: HashMap<ObjectRef, Vec<usize>> = HashMap::new();
    let mut wide_ids: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
    let mut wide_names: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
    for (i, d) in directives.iter().enumerate() {
        match &d.scope {
            Scope::Line(l) => by_line.entry(*l).or_default().push(i),
            Scope::Object(o) => by_object.entry(o.clone()).or_default().push(i),
            Scope::File | Scope::Range(_) => {
                for (pos, id) in d.ids.iter().enumerate() {
                    wide_ids
                        .entry(id.to_ascii_lowercase())
                        .or_default()
                        .push((i, pos));
                    wide_names.entry(id.clone()).or_default().push((i, pos));
                }
            }
        }
    }
    let none: &[usize] = &[];
    let mut used: Vec<(usize, usize)> = Vec::new();
    findings.retain(|f| {
        let line = f.start().line;
        let on_line = by_line.get(&line).map_or(none, Vec::as_slice);
        let of_object = f
            .object
            .as_ref()
            .and_then(|o| by_object.get(o))
            .map_or(none, Vec::as_slice);
        let mut suppressed = false;
        for &i in on_line.iter().chain(of_object) {
            let d = &mut directives[i];
            if d.covers(f, line) && d.mark(f) {
                suppressed = true;
            }
        }
        let ids = [
            wide_ids.get("all"),
            wide_ids.get(&f.rule.id.to_ascii_lowercase()),
            wide_names.get(&f.rule.name),
        ];
        for &(i, pos) in ids.into_iter().flatten().flatten() {
            if directives[i].scope.is_file_wide(f) {
                used.push((i, pos));
                suppressed = true;
            }
        }
        !suppressed
    });
    for (i, pos) in used {
        directives[i].used[pos] = true;
    }
}

/// What an id in a directive names, in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    /// A rule that ran on the file (or `all`, with every rule running).
    Running,
    /// A rule that was loaded but did not run on the file (`--select`, `ignore`,
    /// `per-path-ignores`): that it suppressed nothing says nothing.
    Idle,
    /// No rule ekslint knows: a typo, or a reason written without ` -- `.
    Unknown,
}

/// One (span, where, message) per id of a directive that suppressed nothing, or that names no
/// rule at all (`named` says which).
pub fn unused(directives: &[Directive], named: impl Fn(&str) -> Named) -> Vec<(Span, Loc, String)> {
    let mut out = Vec::new();
    for d in directives {
        // Several words that name no rule are most likely a reason written without ` -- `: one
        // finding for them all, not one a word.
        let unknown: Vec<&str> = d
            .ids
            .iter()
            .zip(&d.used)
            .filter(|(id, used)| !**used && named(id) == Named::Unknown)
            .map(|(id, _)| id.as_str())
            .collect();
        if unknown.len() > 1 {
            let is_unknown: std::collections::HashSet<&str> = unknown.iter().copied().collect();
            let known: Vec<&str> = d
                .ids
                .iter()
                .map(String::as_str)
                .filter(|id| !is_unknown.contains(id))
                .collect();
            let ids = if known.is_empty() {
                "ID".to_string()
            } else {
                known.join(", ")
            };
            // A reason is a few words; thousands are quoted in part.
            let reason = if unknown.len() > 12 {
                format!("{} …", unknown[..12].join(" "))
            } else {
                unknown.join(" ")
            };
            out.push((
                d.span,
                d.loc,
                format!(
                    "`{reason}` in this suppression (`{}`) names no rule, so it suppresses nothing: a reason goes after ` -- ` (`{} {ids} -- {reason}`); ids are checked against `ekslint rules`",
                    d.form, d.form
                ),
            ));
        }
        for (id, used) in d.ids.iter().zip(&d.used) {
            if *used {
                continue;
            }
            let message = match named(id) {
                Named::Idle => continue,
                Named::Unknown if unknown.len() > 1 => continue,
                Named::Unknown => format!(
                    "`{id}` in this suppression (`{}`) is not a rule id or name, so it suppresses nothing: check the spelling (`ekslint rules` lists them), and put a reason after ` -- `",
                    d.form
                ),
                Named::Running if id.eq_ignore_ascii_case("all") => format!(
                    "this suppression (`{}`) suppressed nothing: remove it",
                    d.form
                ),
                Named::Running => format!(
                    "`{id}` in this suppression (`{}`) suppressed nothing: remove it",
                    d.form
                ),
            };
            out.push((d.span, d.loc, message));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_comment_form() {
        let text = "a: 1 # ekslint-disable-line EKS402, EKS403 -- the VM is the host\n# ekslint-disable-next-line metrics-port-conflict\n\n# another comment\nport: 9100\nb: \"# ekslint-disable-line EKS001\"\n# ekslint-disable-file all\n";
        let s = Source::new("t.yaml", text);
        let d = comment_directives(&s);
        assert_eq!(d.len(), 3, "{d:#?}");
        assert_eq!(d[0].scope, Scope::Line(1));
        assert_eq!(d[0].ids, ["EKS402", "EKS403"]);
        assert_eq!(s.slice(d[0].span), "ekslint-disable-line EKS402, EKS403");
        assert_eq!(d[1].scope, Scope::Line(5));
        assert_eq!(d[1].ids, ["metrics-port-conflict"]);
        assert_eq!(d[2].scope, Scope::File);
        assert_eq!(d[2].ids, ["all"]);
    }

    /// A reason written without ` -- ` is one finding that shows where the reason goes, not one
    /// a word; a single unknown id is still named on its own.
    #[test]
    fn a_reason_without_dashes_is_one_finding() {
        let text = "a: 1 # ekslint-disable-line EKS003 the VM is the host\nb: 2 # ekslint-disable-line EKS03\n";
        let s = Source::new("t.yaml", text);
        let d = comment_directives(&s);
        let named = |id: &str| {
            if id == "EKS003" {
                Named::Running
            } else {
                Named::Unknown
            }
        };
        let found = unused(&d, named);
        let messages: Vec<&str> = found.iter().map(|(_, _, m)| m.as_str()).collect();
        assert_eq!(messages.len(), 3, "{messages:#?}");
        assert!(
            messages[0].starts_with("`the VM is the host` in this suppression")
                && messages[0].contains("(`ekslint-disable-line EKS003 -- the VM is the host`)"),
            "{}",
            messages[0]
        );
        assert!(
            messages[1].starts_with("`EKS003` in this suppression"),
            "{}",
            messages[1]
        );
        assert!(
            messages[2].starts_with(
                "`EKS03` in this suppression (`ekslint-disable-line`) is not a rule id"
            ),
            "{}",
            messages[2]
        );
    }
}
