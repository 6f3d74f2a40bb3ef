//! EKS009 non-string-key: a mapping key that YAML 1.1 reads as a boolean, number or null.
//! sigs.k8s.io/yaml (what `kubectl apply -f` and Helm decode manifests with) turns such a key back
//! into a string, but not the one written (`on` becomes `true`, `010` becomes `8`), or rejects the
//! object (a null key).

use super::{Builtin, Phase, RawFinding, no_params};
use crate::k8s::Object;
use crate::yaml::scalar::{K8sType, KeyAs, key_as};
use crate::yaml::{Kind, Node, Style};

#[derive(Debug)]
struct NonStringKey;

pub fn new(params: Option<&serde_json::Value>) -> Result<Box<dyn Builtin>, String> {
    no_params("non-string-key", params)?;
    Ok(Box::new(NonStringKey))
}

impl Builtin for NonStringKey {
    fn name(&self) -> &'static str {
        "non-string-key"
    }
    fn phase(&self) -> Phase {
        Phase::Object
    }
    fn check_object(&self, obj: &Object<'_>, out: &mut Vec<RawFinding>) {
        walk(obj.node, out);
    }
}

/// Every key under `node`, each reported once (an alias repeats its anchor's keys). Entries a
/// `<<` merge brought in are looked at too: written inline (`<<: {yes: "1"}`) they are nowhere
/// else.
fn walk(node: &Node<'_>, out: &mut Vec<RawFinding>) {
    match &node.kind {
        Kind::Scalar(_) => {}
        Kind::Sequence(items) => items.iter().for_each(|n| walk(n, out)),
        Kind::Mapping(entries) => {
            for e in entries.iter() {
                if may_not_be_a_string(&e.key)
                    && let Some(f) = judge(&e.key)
                    && !out.iter().any(|o| o.span == f.span)
                {
                    out.push(f);
                }
                walk(&e.value, out);
            }
        }
    }
}

/// A quick look first: nearly every key is a plain scalar starting with a letter that no YAML 1.1
/// boolean or null starts with.
#[inline]
fn may_not_be_a_string(key: &Node<'_>) -> bool {
    match &key.kind {
        Kind::Scalar(s) => !s
            .value
            .as_bytes()
            .first()
            .is_some_and(|&b| b.is_ascii_alphabetic() && !b"yYnNoOtTfF".contains(&b)),
        _ => true,
    }
}

fn judge(key: &Node<'_>) -> Option<RawFinding> {
    let s = match &key.kind {
        Kind::Scalar(s) => s,
        Kind::Mapping(_) | Kind::Sequence(_) => {
            let what = key.k8s_type().name();
            return Some(
                RawFinding::new(
                    key.span,
                    format!("a {what} as a mapping key: Kubernetes only takes string keys, and the apply fails"),
                )
                .label("not a string")
                .help("use a string key"),
            );
        }
    };
    // Quoted and tagged keys are what they say.
    if s.style != Style::Plain || s.tag().is_some() {
        return None;
    }
    let raw = s.value;
    match key_as(raw) {
        KeyAs::Same => None,
        KeyAs::Becomes(made, ty) => {
            let read = match ty {
                K8sType::Bool => "a boolean",
                K8sType::Int => "an integer",
                _ => "a number",
            };
            Some(
                RawFinding::new(
                    key.span,
                    format!(
                        "the key `{raw}` reaches Kubernetes as `{made}` (YAML 1.1 reads it as {read})"
                    ),
                )
                .label(format!("becomes `{made}`"))
                .help(format!("quote the key: `\"{raw}\":`")),
            )
        }
        KeyAs::Unusable(ty) => {
            let (what, help) = if ty == K8sType::Null {
                (
                    if raw.is_empty() {
                        "an empty key is null".to_string()
                    } else {
                        format!("the key `{raw}` is null")
                    },
                    if raw.is_empty() {
                        "name the key, or remove the entry".to_string()
                    } else {
                        format!("quote the key (`\"{raw}\":`), or remove the entry")
                    },
                )
            } else {
                (
                    format!("the key `{raw}` is an integer beyond the signed 64-bit range"),
                    format!("quote the key: `\"{raw}\":`"),
                )
            };
            Some(
                RawFinding::new(
                    key.span,
                    format!(
                        "{what} to YAML 1.1, and Kubernetes cannot use it as a key: the apply fails (\"Unsupported map key\")"
                    ),
                )
                .label("not a string")
                .help(help),
            )
        }
    }
}
