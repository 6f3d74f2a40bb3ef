//! Checks written in Rust, for rules that need real logic. A rule file names one with
//! `check: {builtin: NAME, params: {...}}`; the parameters are typed by the check itself.
//! One file per check; `REGISTRY` lists them.

mod annotation_combination;
mod annotation_placement;
mod annotation_value;
mod duplicate_key;
mod eip_count;
mod eks_config;
mod ephemeral_storage;
mod eviction_threshold;
mod image_reuse;
mod legacy_annotation;
mod nfs_exports;
mod non_string_key;
mod pod_size;
mod registry_hosts;
mod removed_api_version;
mod unknown_annotation;
pub mod unrendered_template;
mod unused_suppression;
pub mod yaml_syntax;

use crate::diagnostic::Label;
use crate::k8s::Object;
use crate::source::Span;
use crate::yaml::Node;

/// When a built-in check runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// While reading and parsing the file (syntax errors, templates): run by the lint pipeline.
    Parse,
    /// Once per YAML document, on the tree.
    Document,
    /// Once per Kubernetes object.
    Object,
    /// On files that are not YAML (NFS exports files): the raw text.
    Text,
    /// Across all files: objects contribute small [`Fact`]s during the parallel phase, then the
    /// check sees all facts at once.
    Global,
}

/// What an object contributes to a cross-file check: a span to report at, the object, and a few
/// strings whose meaning the check defines. The first string is the fact's group: a check must
/// only need the facts of a group together (EKS601: the image), since past the memory budget the
/// facts are checked in parts that each hold whole groups ([`crate::facts`]).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Fact {
    pub span: Span,
    /// Filled in by [`crate::diagnostic::FileResult::locate`].
    pub loc: crate::source::Loc,
    pub object: crate::k8s::ObjectRef,
    pub strings: Vec<String>,
}

/// A [`Fact`] read in place from where the cross-file phase keeps it (no string is copied).
#[derive(Debug, serde::Deserialize)]
pub struct FactView<'a> {
    pub span: Span,
    pub loc: crate::source::Loc,
    #[serde(borrow)]
    pub object: crate::k8s::ObjectRefView<'a>,
    #[serde(borrow)]
    pub strings: Vec<&'a str>,
}

impl<'a> FactView<'a> {
    pub fn of(f: &'a Fact) -> FactView<'a> {
        FactView {
            span: f.span,
            loc: f.loc,
            object: crate::k8s::ObjectRefView::of(&f.object),
            strings: f.strings.iter().map(String::as_str).collect(),
        }
    }
}

/// A fact with the file it came from (index, and the path as reports show it).
pub struct GlobalFact<'f> {
    pub file: usize,
    pub path: &'f str,
    pub fact: &'f FactView<'f>,
}

/// A cross-file finding: which file, what, and which object.
pub struct GlobalFinding {
    pub file: usize,
    pub raw: RawFinding,
    /// Where `raw.span` is (from the fact it is about).
    pub loc: crate::source::Loc,
    pub object: crate::k8s::ObjectRef,
}

/// A finding before the rule's metadata is attached.
#[derive(Debug, Clone)]
pub struct RawFinding {
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
    pub label: Option<String>,
    pub labels: Vec<Label>,
    /// A lower severity than the rule's, for findings the check is less sure of.
    pub severity: Option<crate::diagnostic::Severity>,
}

impl RawFinding {
    pub fn new(span: Span, message: impl Into<String>) -> RawFinding {
        RawFinding {
            span,
            message: message.into(),
            help: None,
            label: None,
            labels: Vec::new(),
            severity: None,
        }
    }
    pub fn severity(mut self, severity: crate::diagnostic::Severity) -> RawFinding {
        self.severity = Some(severity);
        self
    }
    pub fn help(mut self, help: impl Into<String>) -> RawFinding {
        self.help = Some(help.into());
        self
    }
    pub fn label(mut self, label: impl Into<String>) -> RawFinding {
        self.label = Some(label.into());
        self
    }
    pub fn with_label(mut self, span: Span, text: impl Into<String>) -> RawFinding {
        self.labels.push(Label {
            span,
            text: text.into(),
            loc: Default::default(),
        });
        self
    }
}

pub trait Builtin: Send + Sync + std::fmt::Debug {
    fn name(&self) -> &'static str;
    fn phase(&self) -> Phase;
    fn check_object(&self, _obj: &Object<'_>, _out: &mut Vec<RawFinding>) {}
    fn check_document(&self, _root: &Node<'_>, _out: &mut Vec<RawFinding>) {}
    /// Phase::Text: the raw text of a non-YAML file.
    fn check_text(&self, _source: &crate::source::Source, _out: &mut Vec<RawFinding>) {}
    /// Phase::Global, per object, in parallel: what this object contributes.
    fn collect(&self, _obj: &Object<'_>, _out: &mut Vec<Fact>) {}
    /// Phase::Global, after every file: findings from the facts, handed to `out` one by one (a run
    /// over many files need not hold them all). Called once per part of the facts: all of them,
    /// or past the memory budget some whole groups at a time (see [`Fact`]).
    fn check_global(&self, _facts: &[GlobalFact<'_>], _out: &mut dyn FnMut(GlobalFinding)) {}
}

type Constructor = fn(Option<&serde_json::Value>) -> Result<Box<dyn Builtin>, String>;

/// Every built-in check, by the name rule files use.
pub const REGISTRY: &[(&str, Constructor)] = &[
    ("yaml-syntax", yaml_syntax::new),
    ("unrendered-template", unrendered_template::new),
    ("duplicate-key", duplicate_key::new),
    ("non-string-key", non_string_key::new),
    ("removed-api-version", removed_api_version::new),
    ("annotation-not-on-pod-template", annotation_placement::new),
    ("unknown-eks-annotation", unknown_annotation::new),
    ("invalid-annotation-value", annotation_value::new),
    ("legacy-annotation", legacy_annotation::new),
    ("annotation-combination", annotation_combination::new),
    ("eks-config", eks_config::new),
    ("image-reuse-key", image_reuse::new),
    ("unused-suppression", unused_suppression::new),
    ("ephemeral-storage-exceeds-disk", ephemeral_storage::new),
    ("eviction-below-image-gc", eviction_threshold::new),
    ("nfs-exports-file", nfs_exports::new_file),
    ("nfs-exports-configmap", nfs_exports::new_configmap),
    ("pod-size", pod_size::new),
    ("eip-id-count", eip_count::new),
    ("registry-hosts", registry_hosts::new),
];

pub fn make(name: &str, params: Option<&serde_json::Value>) -> Result<Box<dyn Builtin>, String> {
    match REGISTRY.iter().find(|(n, _)| *n == name) {
        Some((_, ctor)) => ctor(params),
        None => Err(format!(
            "unknown built-in check `{name}`; known: {}",
            REGISTRY
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Parses a check's parameters into its typed struct, with a message that names the check.
pub fn params<T: serde::de::DeserializeOwned + Default>(
    check: &str,
    params: Option<&serde_json::Value>,
) -> Result<T, String> {
    match params {
        None => Ok(T::default()),
        Some(v) => serde_json::from_value(v.clone())
            .map_err(|e| format!("bad params for built-in check `{check}`: {e}")),
    }
}

/// For checks that take no parameters.
/// `` `a`, `b`, `c` and 4 more ``: a list for a message, cut after `max` items (a message that
/// named all of a pod's thousands of registries took gigabytes).
pub(crate) fn quoted_few(items: &[&str], max: usize) -> String {
    let mut s = items
        .iter()
        .take(max)
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > max {
        s += &format!(" and {} more", items.len() - max);
    }
    s
}

pub fn no_params(check: &str, params: Option<&serde_json::Value>) -> Result<(), String> {
    match params {
        None | Some(serde_json::Value::Null) => Ok(()),
        Some(_) => Err(format!("built-in check `{check}` takes no params")),
    }
}

/// For the builtins' unit tests: the findings of `check` on the first object of `text`.
#[cfg(test)]
pub(crate) fn findings_on(check: &dyn Builtin, text: &str) -> Vec<RawFinding> {
    let arena = crate::yaml::Arena::new();
    let parsed = crate::yaml::parse(text, &arena, crate::yaml::Limits::default());
    let objs = crate::k8s::objects(text, &parsed.documents, false, false);
    let mut out = Vec::new();
    check.check_object(&objs[0], &mut out);
    out
}
