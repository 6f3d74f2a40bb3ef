//! The rule file format, as serde types. `schemas/rule.schema.json` describes the same format for
//! editors; `tests/schemas.rs` checks that every shipped rule validates against it.

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::diagnostic::Severity;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleFile {
    /// Stable id, e.g. `EKS301` (users' own rules: any `[A-Z]+[0-9]+` id not used by a built-in).
    pub id: Spanned<String>,
    /// Stable kebab-case name, e.g. `metrics-port-conflict`.
    pub name: Spanned<String>,
    pub severity: Severity,
    /// One line: what the rule finds.
    pub summary: String,
    /// Section of the TKE Serverless FAQ the rule comes from (`FAQ5`, `9100`, ...).
    #[serde(default)]
    pub faq: Option<String>,
    /// Where to read more.
    #[serde(default)]
    pub url: Option<String>,
    /// Markdown: what happens on a super node and how to fix it.
    pub explanation: String,
    /// Message template for declarative checks (see README "Writing rules").
    #[serde(default)]
    pub message: Option<String>,
    /// Help line shown under the finding.
    #[serde(default)]
    pub help: Option<String>,
    /// The condition: one check...
    #[serde(default)]
    pub check: Option<Spanned<CheckSpec>>,
    /// ...or several, each with its own selection (a finding from any of them is a finding).
    #[serde(default)]
    pub checks: Option<Vec<Spanned<CheckSpec>>>,
    pub examples: Examples,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CheckSpec {
    /// A check written in Rust (see `src/rules/builtin/`), instead of `select`/`when`.
    #[serde(default)]
    pub builtin: Option<Spanned<String>>,
    /// Typed parameters of the built-in check.
    #[serde(default)]
    pub params: Option<Spanned<serde_json::Value>>,
    /// Only objects of these kinds (`@workload` = every kind with a pod template).
    #[serde(default)]
    pub kinds: Option<Vec<Spanned<String>>>,
    /// Paths of the nodes to test; each selected node that meets `when` is a finding.
    #[serde(default)]
    pub select: Option<Vec<Spanned<String>>>,
    /// Fires when this holds for the selected node (default: always).
    #[serde(default)]
    pub when: Option<PredicateSpec>,
    /// Silent when this holds.
    #[serde(default)]
    pub unless: Option<PredicateSpec>,
    /// Where the finding points: `value` (default), `key`, or a relative path such as `.name`
    /// (falling back to the selected node when that path is absent).
    #[serde(default)]
    pub report: Option<Spanned<String>>,
    /// Message template overriding the rule's for this check.
    #[serde(default)]
    pub message: Option<String>,
    /// Help overriding the rule's for this check.
    #[serde(default)]
    pub help: Option<String>,
    /// Leave partial objects (kustomize patches) alone: for checks about something missing.
    #[serde(default)]
    pub skip_patches: bool,
}

/// A scalar in a rule file: compared as Kubernetes text.
#[derive(Debug, Deserialize, Clone)]
#[serde(untagged)]
pub enum ScalarValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

impl ScalarValue {
    pub fn text(&self) -> String {
        match self {
            ScalarValue::Bool(b) => b.to_string(),
            ScalarValue::Int(i) => i.to_string(),
            ScalarValue::Float(f) => f.to_string(),
            ScalarValue::Str(s) => s.clone(),
        }
    }
}

#[derive(Debug, Deserialize, Clone, Default)]
#[serde(deny_unknown_fields)]
pub struct NumberRange {
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    #[serde(default)]
    pub integer: bool,
}

#[derive(Debug, Deserialize, Clone, Default)]
#[serde(deny_unknown_fields)]
pub struct QuantityRange {
    #[serde(default)]
    pub min: Option<String>,
    #[serde(default)]
    pub max: Option<String>,
}

/// One predicate: an optional `path` plus exactly one operator.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PredicateSpec {
    /// Where to look: relative (`.name`) to the node under test, or absolute (`pod.volumes[*].name`).
    /// With a path, the predicate holds when it holds for *some* node there.
    #[serde(default)]
    pub path: Option<Spanned<String>>,
    #[serde(default)]
    pub present: Option<bool>,
    #[serde(default)]
    pub equals: Option<ScalarValue>,
    #[serde(default)]
    pub one_of: Option<Vec<ScalarValue>>,
    #[serde(default)]
    pub matches: Option<Spanned<String>>,
    #[serde(default)]
    pub number: Option<NumberRange>,
    #[serde(default)]
    pub port: Option<bool>,
    #[serde(default)]
    pub percent: Option<bool>,
    #[serde(default)]
    pub quantity: Option<QuantityRange>,
    /// True when the node is a string to Kubernetes (YAML 1.1 resolution).
    #[serde(default)]
    pub is_string: Option<bool>,
    /// True when the node is a scalar (not a mapping or a sequence).
    #[serde(default)]
    pub scalar: Option<bool>,
    /// True when the node's value equals a value found at this path.
    #[serde(default, rename = "in")]
    pub in_path: Option<Spanned<String>>,
    /// True when the object's kind is one of these.
    #[serde(default)]
    pub kind: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub all: Option<Vec<PredicateSpec>>,
    #[serde(default)]
    pub any: Option<Vec<PredicateSpec>>,
    #[serde(default)]
    pub not: Option<Box<PredicateSpec>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    #[serde(default)]
    pub firing: Vec<Example>,
    #[serde(default)]
    pub silent: Vec<Example>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// What the example shows.
    #[serde(default)]
    pub name: Option<String>,
    /// File name to lint the example as (default `example.yaml`).
    #[serde(default)]
    pub filename: Option<String>,
    /// 1-based lines (within `yaml`) where the rule must fire, once per finding.
    #[serde(default)]
    pub lines: Vec<usize>,
    /// The manifest text (where it is in the rule file: for messages).
    pub yaml: Spanned<String>,
}
