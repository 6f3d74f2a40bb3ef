//! EKS009 non-string-key: a mapping key that YAML 1.1 reads as a boolean, number or null.
//! sigs.k8s.io/yaml (what `kubectl apply -f` and Helm decode manifests with) turns such a key back
//! into a string, but not the one written (`on` becomes `true`, `010` becomes `8`), or rejects the
//! object (a null key).

use super::{Builtin, Phase, RawFinding, no_params};
use crate::k8s::Object;
use crate::yaml::scalar::{K8sType, KeyAs, key_as};
use crate::yaml::{Entry, Kind, Node, Style};

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
                    && let Some(f) = judge(&e.key, entries)
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

/// The finding for `key`, if Kubernetes does not receive it as written; `siblings` are the
/// entries of its mapping (another key may be what this one becomes).
fn judge(key: &Node<'_>, siblings: &[Entry<'_>]) -> Option<RawFinding> {
    let s = match &key.kind {
        Kind::Scalar(s) => s,
        Kind::Mapping(_) | Kind::Sequence(_) => {
            let what = key.k8s_type().a_name();
            return Some(
                RawFinding::new(
                    key.span,
                    format!("{what} as a mapping key: Kubernetes only takes string keys, and the apply fails"),
                )
                .label("not a string")
                .help("use a string key"),
            );
        }
    };
    // Quoted keys are strings, and so is a key tagged `!!str` or with a tag of its own. A key
    // tagged with the type YAML 1.1 reads it as anyway (`!!bool yes`, `!!int 010`) is read the
    // same as without the tag.
    if s.style != Style::Plain {
        return None;
    }
    let raw = s.value;
    if let Some(tag) = s.tag() {
        let read = crate::yaml::scalar::resolve_plain(raw);
        let same = matches!(
            (tag, read),
            ("!!bool", K8sType::Bool)
                | ("!!int", K8sType::Int)
                | ("!!float", K8sType::Float)
                | ("!!null", K8sType::Null)
        );
        if !same {
            return None;
        }
    }
    match key_as(raw) {
        KeyAs::Same => None,
        KeyAs::Becomes(made, ty) => {
            let read = match ty {
                K8sType::Bool => "a boolean",
                K8sType::Int => "an integer",
                _ => "a number",
            };
            let mut f = RawFinding::new(
                key.span,
                format!(
                    "the key `{raw}` reaches Kubernetes as `{made}` (YAML 1.1 reads it as {read})"
                ),
            )
            .label(format!("becomes `{made}`"))
            .help(format!("quote the key: `\"{raw}\":`"));
            let twin = siblings.iter().find(|o| {
                o.key.span != key.span && as_kubernetes_key(&o.key).as_deref() == Some(&made)
            });
            if let Some(twin) = twin {
                f.message.push_str(
                    ", which another key of this mapping is too: Kubernetes keeps only one of their values",
                );
                f = f.with_label(twin.key.span, format!("also `{made}`"));
            }
            Some(f)
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

/// The string key Kubernetes makes of a scalar key, `None` for one it cannot use (or a tag whose
/// reading is not worked out here).
fn as_kubernetes_key<'a>(key: &Node<'a>) -> Option<std::borrow::Cow<'a, str>> {
    let s = key.as_scalar()?;
    let string = match s.tag() {
        None => s.style != Style::Plain,
        Some(t) => t == "!!str" || !t.starts_with("!!"),
    };
    if string {
        return Some(s.value.into());
    }
    if s.style != Style::Plain {
        return None;
    }
    match key_as(s.value) {
        KeyAs::Same => Some(s.value.into()),
        KeyAs::Becomes(made, _) => Some(made.into()),
        KeyAs::Unusable(_) => None,
    }
}
