//! Stage 5 — rules: loading the declarative rule files (built-in ones embedded at compile time,
//! users' own from `--rules DIR`), compiling them once, and evaluating them against objects.

pub mod builtin;
pub mod examples;
pub mod path;
pub mod predicate;
pub mod spec;

use std::path::Path as FsPath;
use std::sync::Arc;

use miette::{Diagnostic, NamedSource, SourceSpan};

use crate::diagnostic::{Finding, RuleMeta, Severity};
use crate::k8s::Object;
use crate::yaml::Node;
use builtin::{Builtin, Phase, RawFinding};
use path::{Path, Sel};
use predicate::{CompileError, Predicate};
use spec::{CheckSpec, Examples, RuleFile};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/rule_files.rs"));
}

/// The placeholders a message template may use.
const PLACEHOLDERS: &[&str] = &[
    "value",
    "raw",
    "key",
    "path",
    "type",
    "kind",
    "name",
    "object",
    "container",
];

/// Where a declarative finding points.
#[derive(Debug)]
enum Report {
    Value,
    Key,
    Path(Path),
}

#[derive(Debug)]
pub struct Declarative {
    kinds: Option<Vec<String>>,
    skip_patches: bool,
    select: Vec<Path>,
    when: Option<Predicate>,
    unless: Option<Predicate>,
    report: Report,
    message: String,
    help: Option<String>,
    /// The message or help shows `{path}`: only then is each selected node's path text built.
    shows_path: bool,
}

#[derive(Debug)]
pub enum Check {
    Declarative(Box<Declarative>),
    Builtin(Box<dyn Builtin>),
}

#[derive(Debug)]
pub struct Rule {
    pub meta: Arc<RuleMeta>,
    pub faq: Option<String>,
    pub explanation: String,
    pub examples: Examples,
    /// `built-in` or the path of the user's rule file.
    pub origin: String,
    pub checks: Vec<Check>,
}

impl Rule {
    pub fn id(&self) -> &str {
        &self.meta.id
    }

    /// The built-in checks of this rule that run in `phase`.
    pub fn builtins(&self, phase: Phase) -> impl Iterator<Item = &dyn Builtin> {
        self.checks.iter().filter_map(move |c| match c {
            Check::Builtin(b) if b.phase() == phase => Some(b.as_ref()),
            _ => None,
        })
    }

    pub fn has_phase(&self, phase: Phase) -> bool {
        self.builtins(phase).next().is_some()
    }

    pub fn finding(&self, raw: RawFinding, object: Option<&Object<'_>>) -> Finding {
        Finding {
            rule: self.meta.clone(),
            severity: if self.meta.forced_severity {
                self.meta.severity
            } else {
                raw.severity.unwrap_or(self.meta.severity)
            },
            message: raw.message,
            help: raw.help.or_else(|| self.meta.help.clone()),
            span: raw.span,
            label: raw.label,
            labels: raw.labels,
            object: object.map(Object::reference),
            path: object.and_then(|o| crate::yaml::path_to(o.node, raw.span)),
            loc: Default::default(),
        }
    }

    /// Runs every object-level check of the rule against one object.
    pub fn check_object(&self, obj: &Object<'_>, out: &mut Vec<Finding>) {
        for check in &self.checks {
            match check {
                Check::Builtin(b) if b.phase() == Phase::Object => {
                    let mut raw = Vec::new();
                    b.check_object(obj, &mut raw);
                    raw.truncate(crate::lint::MAX_FINDINGS.saturating_sub(out.len()));
                    out.extend(raw.into_iter().map(|r| self.finding(r, Some(obj))));
                }
                Check::Builtin(_) => {}
                Check::Declarative(d) => d.run(self, obj, out),
            }
        }
    }

    /// Runs the document-level checks (those that look at the YAML tree, not at objects).
    pub fn check_document(
        &self,
        root: &Node<'_>,
        object: Option<&Object<'_>>,
        out: &mut Vec<Finding>,
    ) {
        for b in self.builtins(Phase::Document) {
            let mut raw = Vec::new();
            b.check_document(root, &mut raw);
            out.extend(raw.into_iter().map(|r| self.finding(r, object)));
        }
    }
}

/// The `kinds:` that name a group of kinds rather than one.
const KIND_GROUPS: [&str; 3] = ["@workload", "@controller", "@super-node"];

/// Kinds of the Kubernetes API that a rule is likely to name: a kind that is one of these but for
/// its letters' case is a typo (kinds are case-sensitive), never a custom resource.
const KNOWN_KINDS: &[&str] = &[
    "APIService",
    "ClusterRole",
    "ClusterRoleBinding",
    "ConfigMap",
    "CronJob",
    "CustomResourceDefinition",
    "DaemonSet",
    "Deployment",
    "EndpointSlice",
    "Endpoints",
    "HorizontalPodAutoscaler",
    "Ingress",
    "IngressClass",
    "Job",
    "LimitRange",
    "List",
    "MutatingWebhookConfiguration",
    "Namespace",
    "NetworkPolicy",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Pod",
    "PodDisruptionBudget",
    "PodTemplate",
    "PriorityClass",
    "ReplicaSet",
    "ReplicationController",
    "ResourceQuota",
    "Role",
    "RoleBinding",
    "Secret",
    "Service",
    "ServiceAccount",
    "StatefulSet",
    "StorageClass",
    "ValidatingWebhookConfiguration",
];

/// Why `kind`, named in a rule (`kinds:`, or with `groups` the `kind:` predicate that takes no
/// `@` groups), can never match an object; `None` if it can.
pub fn kind_problem(kind: &str, groups: bool) -> Option<String> {
    if let Some(group) = kind.strip_prefix('@') {
        if groups && KIND_GROUPS.contains(&kind) {
            return None;
        }
        return Some(if groups {
            format!(
                "unknown kind group `@{group}`: `@workload` (every kind with a pod template), `@controller` (the same but Pod) or `@super-node` (the same but DaemonSet)"
            )
        } else {
            format!("`{kind}`: kind groups go in a check's `kinds:`; here, name the kinds")
        });
    }
    if KNOWN_KINDS.contains(&kind) {
        return None;
    }
    let known = KNOWN_KINDS.iter().find(|k| k.eq_ignore_ascii_case(kind));
    if let Some(known) = known {
        return Some(format!(
            "`{kind}` matches no object: kinds are case-sensitive, write `{known}`"
        ));
    }
    if kind.is_empty() || !kind.starts_with(|c: char| c.is_ascii_uppercase()) {
        return Some(format!(
            "`{kind}` matches no object: kinds are written as in manifests, e.g. `Deployment`"
        ));
    }
    // One letter off a long API kind (`Deploymnet`, `Services`) is a typo, not a custom kind.
    if kind.len() >= 6
        && let Some(known) = KNOWN_KINDS
            .iter()
            .find(|k| k.len() >= 6 && one_edit_apart(k, kind))
    {
        return Some(format!(
            "`{kind}` matches no object: did you mean `{known}`?"
        ));
    }
    None
}

/// Whether `a` becomes `b` by one insertion, deletion, substitution or swap of neighbours.
fn one_edit_apart(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a == b || a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    match ra.len().cmp(&rb.len()) {
        std::cmp::Ordering::Equal => {
            ra[1..] == rb[1..]
                || (ra.len() >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && ra[2..] == rb[2..])
        }
        std::cmp::Ordering::Less => ra == &rb[1..],
        std::cmp::Ordering::Greater => &ra[1..] == rb,
    }
}

impl Declarative {
    fn applies_to(&self, obj: &Object<'_>) -> bool {
        if self.skip_patches && obj.patch {
            return false;
        }
        let Some(kinds) = &self.kinds else {
            return true;
        };
        let Some(kind) = obj.kind else {
            return false;
        };
        kinds.iter().any(|k| match k.as_str() {
            "@workload" => obj.template_at.is_some(),
            "@controller" => obj
                .template_at
                .is_some_and(|t| t != crate::k8s::TemplateAt::Itself),
            // DaemonSet pods never run on super nodes: what only matters there is not said of them.
            "@super-node" => obj.template_at.is_some() && kind != "DaemonSet",
            k => k == kind,
        })
    }

    fn run(&self, rule: &Rule, obj: &Object<'_>, out: &mut Vec<Finding>) {
        if !self.applies_to(obj) {
            return;
        }
        predicate::forget_in_sets();
        for path in &self.select {
            // Most selected nodes are fine: their `{path}` text is built only when one is not, by
            // evaluating again with paths (the same nodes in the same order).
            let selected = path.eval_nodes(obj, None);
            let mut with_paths: Option<Vec<Sel<'_>>> = None;
            for (i, sel) in selected.iter().enumerate() {
                // A file's findings are capped (`MAX_FINDINGS`): what is past them is not made.
                if out.len() >= crate::lint::MAX_FINDINGS {
                    return;
                }
                if !self.when.as_ref().is_none_or(|p| p.eval(obj, Some(sel))) {
                    continue;
                }
                if self.unless.as_ref().is_some_and(|p| p.eval(obj, Some(sel))) {
                    continue;
                }
                let span = match &self.report {
                    Report::Value => sel.node.span,
                    Report::Key => sel.key.map_or(sel.node.span, |k| k.span),
                    Report::Path(p) => p
                        .eval_nodes(obj, Some(sel))
                        .first()
                        .map_or(sel.node.span, |s| s.node.span),
                };
                let sel = if self.shows_path {
                    with_paths
                        .get_or_insert_with(|| path.eval(obj, None))
                        .get(i)
                        .unwrap_or(sel)
                } else {
                    sel
                };
                let message = render(&self.message, obj, sel);
                let help = self.help.as_ref().map(|h| render(h, obj, sel));
                out.push(rule.finding(
                    RawFinding {
                        span,
                        message,
                        help,
                        label: None,
                        labels: Vec::new(),
                        severity: None,
                    },
                    Some(obj),
                ));
            }
        }
    }
}

/// Fills a message template: `{value}`, `{raw}`, `{key}`, `{path}`, `{type}`, `{kind}`, `{name}`,
/// `{object}`, `{container}`.
fn render(template: &str, obj: &Object<'_>, sel: &Sel<'_>) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = &after[..close];
        match name {
            // `value` as Kubernetes reads it (`0x238C` is 9100), `raw` as written.
            "value" | "raw" => match (name, sel.node.number_text(), sel.node.as_str()) {
                ("value", Some(n), _) => out.push_str(&n),
                (_, _, Some(s)) => out.push_str(s),
                _ if sel.node.is_mapping() => out.push_str("{…}"),
                _ => out.push_str("[…]"),
            },
            "key" => out.push_str(sel.key.and_then(|k| k.as_str()).unwrap_or("")),
            "path" => out.push_str(&sel.path),
            "type" => out.push_str(sel.node.k8s_type().name()),
            "kind" => out.push_str(obj.kind.unwrap_or("object")),
            "name" => out.push_str(obj.name.unwrap_or("(unnamed)")),
            "object" => out.push_str(&obj.reference().display()),
            "container" => out.push_str(
                sel.container
                    .and_then(|c| c.get_str("name"))
                    .unwrap_or("(unnamed)"),
            ),
            _ => {
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Checks the placeholders of `t`, the rule's `what` (`message`, `help`, `summary`): an error
/// frames the offending placeholder where it is written in the file.
fn check_template(file: &str, text: &str, t: &str, what: &str) -> Result<(), LoadError> {
    let mut rest = t;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            let needle = &rest[open..rest.len().min(open + 12)];
            return Err(located_at(
                file,
                text,
                format!("unclosed `{{` in {what}"),
                find_span(text, needle),
                None,
            ));
        };
        let name = &after[..close];
        if !PLACEHOLDERS.contains(&name) {
            return Err(located_at(
                file,
                text,
                format!("unknown placeholder `{{{name}}}` in {what}"),
                find_span(text, &format!("{{{name}}}")),
                Some(format!(
                    "use one of: {}",
                    PLACEHOLDERS
                        .iter()
                        .map(|p| format!("{{{p}}}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            ));
        }
        rest = &after[close + 1..];
    }
    Ok(())
}

/// Where `needle` is first written in `text`, if it is.
fn find_span(text: &str, needle: &str) -> Option<SourceSpan> {
    text.find(needle)
        .map(|at| SourceSpan::new(at.into(), needle.len()))
}

/// A rule file (or a config file: `config`) that could not be loaded: a miette diagnostic that
/// points into the file.
#[derive(Debug)]
pub struct RuleFileError {
    pub message: String,
    pub src: NamedSource<String>,
    pub span: Option<SourceSpan>,
    pub help: Option<String>,
    /// A config file's error: it is named `ekslint::bad_config_file`, not `bad_rule_file`.
    pub config: bool,
}

impl Diagnostic for RuleFileError {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(if self.config {
            "ekslint::bad_config_file"
        } else {
            "ekslint::bad_rule_file"
        }))
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.src)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let span = self.span?;
        Some(Box::new(std::iter::once(
            miette::LabeledSpan::new_with_span(Some("here".into()), span),
        )))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }
}

impl std::fmt::Display for RuleFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RuleFileError {}

/// A problem loading rules: either a located error in a rule file, or an I/O error.
#[derive(Debug)]
pub enum LoadError {
    File(Box<RuleFileError>),
    Other(miette::Report),
}

impl LoadError {
    /// The same error, said to be a config file's.
    pub fn in_config(self) -> LoadError {
        match self {
            LoadError::File(mut f) => {
                f.config = true;
                LoadError::File(f)
            }
            other => other,
        }
    }
}

impl From<LoadError> for miette::Report {
    fn from(e: LoadError) -> miette::Report {
        match e {
            LoadError::File(f) => miette::Report::new(*f),
            LoadError::Other(r) => r,
        }
    }
}

pub fn located(
    file: &str,
    text: &str,
    message: impl Into<String>,
    loc: Option<serde_saphyr::Location>,
    help: Option<String>,
) -> LoadError {
    located_at(file, text, message, loc_span(text, loc), help)
}

/// A [`RuleFileError`] framing `span` of `text`.
pub fn located_at(
    file: &str,
    text: &str,
    message: impl Into<String>,
    span: Option<SourceSpan>,
    help: Option<String>,
) -> LoadError {
    // A name or text with control characters is shown escaped (see `source::shown`).
    let name = crate::source::shown(file);
    let text = crate::source::printable_text(text).unwrap_or_else(|| text.to_string());
    LoadError::File(Box::new(RuleFileError {
        message: format!("{name}: {}", message.into()),
        src: NamedSource::new(name, text),
        span,
        help,
        config: false,
    }))
}

/// The span of a parser location in `text`.
pub fn loc_span(text: &str, loc: Option<serde_saphyr::Location>) -> Option<SourceSpan> {
    loc.and_then(|l| {
        let s = l.span();
        if let (Some(off), Some(len)) = (s.byte_offset(), s.byte_len()) {
            return Some(SourceSpan::new((off as usize).into(), len as usize));
        }
        // Fall back to line/column.
        let line = l.line() as usize;
        if line == 0 {
            return None;
        }
        let start: usize = text
            .split_inclusive('\n')
            .take(line - 1)
            .map(str::len)
            .sum();
        let col = text[start..]
            .char_indices()
            .nth(l.column().saturating_sub(1) as usize)
            .map_or(0, |(i, _)| i);
        Some(SourceSpan::new((start + col).into(), 1))
    })
}

fn compile_error(file: &str, text: &str, e: CompileError) -> LoadError {
    located(file, text, e.message, e.location, None)
}

/// A rule file that is not valid YAML or does not fit the format, as a code frame in that file.
pub fn yaml_error(e: &serde_saphyr::Error, text: &str, file: &str) -> LoadError {
    let message = e.without_snippet().to_string();
    // The message may start with its own "line L column C:" prefix: the frame already says where.
    let message = match message.split_once(": ") {
        Some((head, rest)) if head.starts_with("error: line ") || head.starts_with("line ") => {
            rest.to_string()
        }
        _ => message,
    };
    let message = match message.rsplit_once(" at line ") {
        Some((m, _)) => m.to_string(),
        None => message,
    };
    located(file, text, plain_words(message), e.location(), None)
}

/// The parser's terms in a rule or config author's words.
fn plain_words(message: String) -> String {
    if message.starts_with("multiple YAML documents detected") {
        return "a rule or config file holds one YAML document; this one has several (`---`): \
                put each in a file of its own"
            .to_string();
    }
    if let Some(key) = message
        .strip_prefix("duplicate mapping key: ")
        .and_then(|rest| rest.split(", set DuplicateKeyPolicy").next())
    {
        return format!("`{key}` is set twice: keep one");
    }
    if message.contains("did not match any variant of untagged enum ScalarValue") {
        return "expected one value (text, a number, or true/false); for several values, use `one-of: [a, b]`".to_string();
    }
    // `@` starts no plain scalar in YAML (it is reserved): `[@workload]` must be quoted.
    if message.starts_with("unexpected character: `@'") {
        return "`@` cannot start an unquoted value in YAML: quote a kind group, `kinds: ['@workload']`".to_string();
    }
    if message.contains("while scanning an anchor or alias") {
        return format!(
            "{message} (a path with `[*]` inside `[...]` must be quoted: `['containers[*].image']`)"
        );
    }
    if let Some(ty) = message
        .strip_prefix("cannot deserialize null into ")
        .and_then(|rest| rest.split(';').next())
    {
        let wanted = match ty.trim() {
            "string" | "String" => "text",
            "bool" => "`true` or `false`",
            t if t.starts_with('i') || t.starts_with('u') || t.starts_with('f') => "a number",
            _ => "a value",
        };
        return format!("expected {wanted} here, not an empty value (null)");
    }
    message
        .replace(
            "expected sequence start",
            "expected a list (`[a, b]` or `- a` lines)",
        )
        .replace(
            "expected mapping start",
            "expected a mapping (`key: value` lines)",
        )
}

/// Parses and compiles one rule file.
/// A rule file's text with its top-level `examples:` block emptied (`examples: {}`), every other
/// key kept where it was.
fn without_examples(text: &str) -> std::borrow::Cow<'_, str> {
    let Some(at) = text
        .find("\nexamples:")
        .map(|i| i + 1)
        .or_else(|| text.starts_with("examples:").then_some(0))
    else {
        return text.into();
    };
    // The block ends at the next line that starts a top-level key.
    let mut end = text.len();
    let mut pos = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
    while pos < text.len() {
        let line_end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        let first = text.as_bytes()[pos];
        if !matches!(first, b' ' | b'\t' | b'\n' | b'\r' | b'#' | b'-') {
            end = pos;
            break;
        }
        pos = line_end;
    }
    format!("{}examples: {{}}\n{}", &text[..at], &text[end..]).into()
}

pub fn load_rule(file: &str, text: &str, origin: &str) -> Result<Rule, LoadError> {
    let spec: RuleFile = serde_saphyr::from_str(text).map_err(|e| yaml_error(&e, text, file))?;
    let id_ok = {
        let v = &spec.id.value;
        let letters = v.trim_end_matches(|c: char| c.is_ascii_digit());
        !letters.is_empty()
            && letters.len() < v.len()
            && letters.chars().all(|c| c.is_ascii_uppercase())
    };
    if !id_ok {
        return Err(located(
            file,
            text,
            format!(
                "rule id `{}` must be capital letters then digits, like `EKS301` or `ACME001`",
                spec.id.value
            ),
            Some(spec.id.referenced),
            None,
        ));
    }
    let name_ok = !spec.name.value.is_empty()
        && spec
            .name
            .value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !name_ok {
        return Err(located(
            file,
            text,
            format!("rule name `{}` must be kebab-case", spec.name.value),
            Some(spec.name.referenced),
            None,
        ));
    }
    let check_specs: Vec<&serde_saphyr::Spanned<CheckSpec>> = match (&spec.check, &spec.checks) {
        (Some(c), None) => vec![c],
        (None, Some(cs)) if !cs.is_empty() => cs.iter().collect(),
        (Some(c), Some(_)) => {
            return Err(located(
                file,
                text,
                "use either `check` or `checks`, not both",
                Some(c.referenced),
                None,
            ));
        }
        _ => {
            return Err(located(
                file,
                text,
                "the rule has no condition",
                Some(spec.id.referenced),
                Some("add a `check:` with `select:` and `when:`, or `builtin:`".into()),
            ));
        }
    };
    for (t, what) in [(&spec.message, "message"), (&spec.help, "help")] {
        if let Some(t) = t {
            check_template(file, text, t, what)?;
        }
    }

    let mut checks = Vec::new();
    for c in check_specs {
        checks.push(compile_check(file, text, c, &spec)?);
    }
    Ok(Rule {
        meta: Arc::new(RuleMeta {
            id: spec.id.value.clone(),
            name: spec.name.value.clone(),
            severity: spec.severity,
            summary: spec.summary.trim().to_string(),
            url: spec.url.clone(),
            help: spec.help.clone().map(|h| h.trim().to_string()),
            forced_severity: false,
        }),
        faq: spec.faq.clone(),
        explanation: spec.explanation.clone(),
        examples: spec.examples,
        origin: origin.to_string(),
        checks,
    })
}

fn compile_check(
    file: &str,
    text: &str,
    c: &serde_saphyr::Spanned<CheckSpec>,
    rule: &RuleFile,
) -> Result<Check, LoadError> {
    let cs = &c.value;
    if let Some(name) = &cs.builtin {
        if cs.select.is_some() || cs.when.is_some() || cs.unless.is_some() || cs.report.is_some() {
            return Err(located(
                file,
                text,
                "a `builtin` check takes only `params` (and `kinds`)",
                Some(c.referenced),
                None,
            ));
        }
        let b = builtin::make(&name.value, cs.params.as_ref().map(|p| &p.value)).map_err(|m| {
            let loc = if m.starts_with("unknown built-in") {
                name.referenced
            } else {
                cs.params.as_ref().map_or(name.referenced, |p| p.referenced)
            };
            located(file, text, m, Some(loc), None)
        })?;
        return Ok(Check::Builtin(b));
    }
    let Some(select) = &cs.select else {
        return Err(located(
            file,
            text,
            "a check needs `select:` (the nodes to test) or `builtin:`",
            Some(c.referenced),
            None,
        ));
    };
    if let Some(kinds) = &cs.kinds
        && kinds.is_empty()
    {
        return Err(located(
            file,
            text,
            "`kinds: []` matches no object: leave `kinds` out to check every kind",
            Some(c.referenced),
            None,
        ));
    }
    for kind in cs.kinds.iter().flatten() {
        if let Some(m) = kind_problem(&kind.value, true) {
            return Err(located(file, text, m, Some(kind.referenced), None));
        }
    }
    if cs.params.is_some() {
        return Err(located(
            file,
            text,
            "`params` go with `builtin`",
            Some(c.referenced),
            None,
        ));
    }
    let select = select
        .iter()
        .map(|p| {
            let path = predicate::compile_path(p)?;
            if path.root == path::Root::Current {
                // There is no node under test yet: `.spec...` (as messages print paths) selects
                // nothing.
                let suggestion = p.value.trim();
                let suggestion = if suggestion == "." {
                    "object".to_string()
                } else {
                    format!("object{suggestion}")
                };
                return Err(predicate::CompileError::at(
                    format!(
                        "`select` paths start at the object, not at a node: write `{suggestion}` (or start with `pod`, `podMeta`, `template`, `containers[*]`)"
                    ),
                    p.referenced,
                ));
            }
            Ok(path)
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| compile_error(file, text, e))?;
    let when = cs
        .when
        .as_ref()
        .map(Predicate::compile)
        .transpose()
        .map_err(|e| compile_error(file, text, e.or_at(c.referenced)))?;
    let unless = cs
        .unless
        .as_ref()
        .map(Predicate::compile)
        .transpose()
        .map_err(|e| compile_error(file, text, e.or_at(c.referenced)))?;
    let report = match cs.report.as_ref().map(|r| (r.value.as_str(), r)) {
        None | Some(("value", _)) => Report::Value,
        Some(("key", _)) => Report::Key,
        Some((_, r)) => {
            Report::Path(predicate::compile_path(r).map_err(|e| compile_error(file, text, e))?)
        }
    };
    let message = cs
        .message
        .clone()
        .or_else(|| rule.message.clone())
        .unwrap_or_else(|| rule.summary.clone());
    match (&cs.message, &rule.message) {
        (Some(m), _) => check_template(file, text, m, "message")?,
        (None, Some(_)) => {}
        // The summary is the message then.
        (None, None) => check_template(file, text, &rule.summary, "summary")?,
    }
    if let Some(h) = &cs.help {
        check_template(file, text, h, "help")?;
    }
    let help = cs
        .help
        .clone()
        .or_else(|| rule.help.clone())
        .map(|h| h.trim().to_string());
    let shows_path =
        message.contains("{path}") || help.as_ref().is_some_and(|h| h.contains("{path}"));
    Ok(Check::Declarative(Box::new(Declarative {
        kinds: cs
            .kinds
            .as_ref()
            .map(|ks| ks.iter().map(|k| k.value.clone()).collect()),
        skip_patches: cs.skip_patches,
        select,
        when,
        unless,
        report,
        message: message.trim().to_string(),
        help,
        shows_path,
    })))
}

/// All rules in force, in id order.
#[derive(Debug, Default)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
}

impl RuleSet {
    /// The rules shipped in the binary.
    pub fn builtin() -> Result<RuleSet, LoadError> {
        Self::load_builtin(|text| text.into())
    }

    /// The built-in rules without their examples, for a lint run: examples are half the text
    /// of the rule files and only `test-rules` and the test suite read them (the built-in ones
    /// are tested there), so a lint run does not parse them at every start.
    pub fn builtin_for_linting() -> Result<RuleSet, LoadError> {
        Self::load_builtin(without_examples)
    }

    fn load_builtin(
        text_of: impl Fn(&str) -> std::borrow::Cow<'_, str>,
    ) -> Result<RuleSet, LoadError> {
        let mut rules = Vec::new();
        for (name, text) in embedded::RULE_FILES {
            rules.push(load_rule(
                &format!("rules/{name}"),
                &text_of(text),
                "built-in",
            )?);
        }
        let mut set = RuleSet { rules };
        set.sort();
        Ok(set)
    }

    fn sort(&mut self) {
        self.rules.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
    }

    /// Adds every `*.yaml`/`*.yml` rule file of `dir` (not recursive). Ids must be new.
    pub fn load_dir(&mut self, dir: &FsPath) -> Result<usize, LoadError> {
        let entries = std::fs::read_dir(dir).map_err(|e| {
            LoadError::Other(miette::miette!(
                "cannot read rules directory {}: {}",
                crate::source::shown_path(dir),
                crate::discover::io_message(&e)
            ))
        })?;
        let mut files: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect();
        files.sort();
        let mut n = 0;
        for f in files {
            let display = f.display().to_string();
            let text = std::fs::read_to_string(&f).map_err(|e| {
                LoadError::Other(miette::miette!(
                    "cannot read rule file {display}: {}",
                    crate::discover::io_message(&e)
                ))
            })?;
            let rule = load_rule(&display, &text, &display)?;
            // `EKS` ids are ekslint's: a rule of yours there could clash with a future built-in.
            if rule
                .meta
                .id
                .get(..3)
                .is_some_and(|p| p.eq_ignore_ascii_case("EKS"))
            {
                let spec: RuleFile =
                    serde_saphyr::from_str(&text).map_err(|e| yaml_error(&e, &text, &display))?;
                return Err(located(
                    &display,
                    &text,
                    format!(
                        "ids that start with EKS are kept for ekslint's built-in rules: `{}` could clash with one added later",
                        rule.meta.id
                    ),
                    Some(spec.id.referenced),
                    Some("give your rule your team's prefix, e.g. `ACME101`".into()),
                ));
            }
            if let Some(other) = self
                .rules
                .iter()
                .find(|r| r.meta.id == rule.meta.id || r.meta.name == rule.meta.name)
            {
                let spec: RuleFile =
                    serde_saphyr::from_str(&text).map_err(|e| yaml_error(&e, &text, &display))?;
                let by = if other.origin == "built-in" {
                    "the built-in rule".to_string()
                } else {
                    format!("the rule in {}:", other.origin)
                };
                let (what, at) = if other.meta.id == rule.meta.id {
                    (format!("id {}", rule.meta.id), spec.id.referenced)
                } else {
                    (format!("name `{}`", rule.meta.name), spec.name.referenced)
                };
                return Err(located(
                    &display,
                    &text,
                    format!(
                        "the {what} is taken by {by} {} ({})",
                        other.meta.id, other.meta.name
                    ),
                    Some(at),
                    Some("give your rule its own id and name, e.g. with your team's prefix".into()),
                ));
            }
            self.rules.push(rule);
            n += 1;
        }
        self.sort();
        Ok(n)
    }

    pub fn get(&self, id_or_name: &str) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| r.meta.id.eq_ignore_ascii_case(id_or_name) || r.meta.name == id_or_name)
    }

    /// Keeps only the rules for which `keep` says yes.
    pub fn retain(&mut self, keep: impl Fn(&Rule) -> bool) {
        self.rules.retain(|r| keep(r));
    }

    /// The first enabled rule with a built-in check of `name` in the parse phase.
    pub fn parse_rule(&self, name: &str) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| r.builtins(Phase::Parse).any(|b| b.name() == name))
    }

    pub fn severity_of(&self, id: &str) -> Option<Severity> {
        self.get(id).map(|r| r.meta.severity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_that_can_never_match_are_named() {
        for ok in [
            "Deployment",
            "@workload",
            "Rollout",
            "ScaledObject",
            "Route",
            "Jobs",
        ] {
            assert_eq!(kind_problem(ok, true), None, "{ok}");
        }
        for (typo, says) in [
            ("Deploymnet", "did you mean `Deployment`?"),
            ("Services", "did you mean `Service`?"),
            ("ConfigMaps", "did you mean `ConfigMap`?"),
            ("Statefulset", "write `StatefulSet`"),
            ("deployment", "write `Deployment`"),
            ("myKind", "kinds are written as in manifests"),
            ("@workloads", "unknown kind group"),
        ] {
            let got = kind_problem(typo, true).unwrap_or_default();
            assert!(got.contains(says), "{typo}: {got}");
        }
        assert!(one_edit_apart("Secret", "Secre"));
        assert!(one_edit_apart("Secret", "Secert"));
        assert!(!one_edit_apart("Secret", "Secret"));
        assert!(!one_edit_apart("Secret", "Sceert"));
    }

    #[test]
    fn without_examples_keeps_every_other_key() {
        let text = "id: X1\nexamples:\n  firing:\n    - yaml: |\n        a: 1\n\n# note\n  silent: []\nurl: u\n";
        assert_eq!(without_examples(text), "id: X1\nexamples: {}\nurl: u\n");
        assert_eq!(without_examples("id: X1\n"), "id: X1\n");
    }

    #[test]
    fn the_lint_rule_set_is_the_full_one_without_examples() {
        let full = RuleSet::builtin().unwrap();
        let lint = RuleSet::builtin_for_linting().unwrap();
        assert_eq!(full.rules.len(), lint.rules.len());
        for (a, b) in full.rules.iter().zip(&lint.rules) {
            assert_eq!(a.meta.id, b.meta.id);
            assert_eq!(format!("{:?}", a.meta), format!("{:?}", b.meta));
            assert_eq!(a.explanation, b.explanation);
            assert_eq!(a.checks.len(), b.checks.len(), "{}", a.meta.id);
            assert!(!a.examples.firing.is_empty(), "{}", a.meta.id);
            assert!(b.examples.firing.is_empty() && b.examples.silent.is_empty());
        }
    }
}
