//! EKS002 duplicate-key: a mapping holds the same key twice. Kubernetes keeps one of the values
//! (or, with strict decoding, rejects the object); either way one of them is silently lost.

use std::collections::HashMap;

use super::{Builtin, Phase, RawFinding, no_params};
use crate::yaml::{Kind, Node};

#[derive(Debug)]
struct DuplicateKey;

pub fn new(params: Option<&serde_json::Value>) -> Result<Box<dyn Builtin>, String> {
    no_params("duplicate-key", params)?;
    Ok(Box::new(DuplicateKey))
}

impl Builtin for DuplicateKey {
    fn name(&self) -> &'static str {
        "duplicate-key"
    }
    fn phase(&self) -> Phase {
        Phase::Document
    }
    fn check_document(&self, root: &Node<'_>, out: &mut Vec<RawFinding>) {
        walk(root, out);
    }
}

fn walk(node: &Node<'_>, out: &mut Vec<RawFinding>) {
    match &node.kind {
        Kind::Scalar(_) => {}
        Kind::Sequence(items) => items.iter().for_each(|n| walk(n, out)),
        Kind::Mapping(entries) => {
            let own = entries.iter().filter(|e| !e.merged);
            if entries.len() > 1 {
                // Most mappings are small: comparing with the keys before is cheaper than hashing.
                let small = entries.len() <= 16;
                let mut seen: HashMap<&str, &Node<'_>> =
                    HashMap::with_capacity(if small { 0 } else { entries.len() });
                for (i, e) in own.enumerate() {
                    let Some(k) = e.key.as_str() else { continue };
                    let first = if small {
                        entries
                            .iter()
                            .filter(|e| !e.merged)
                            .take(i)
                            .find(|p| p.key.as_str() == Some(k))
                            .map(|p| &p.key)
                    } else {
                        seen.get(k).copied()
                    };
                    if let Some(first) = first {
                        out.push(
                            RawFinding::new(
                                e.key.span,
                                format!("duplicate key `{k}`: Kubernetes keeps only one of the two values"),
                            )
                            .label("second definition")
                            .with_label(first.span, "first defined here")
                            .help("remove one of them, or merge their contents into one key"),
                        );
                    } else if !small {
                        seen.insert(k, &e.key);
                    }
                }
            }
            for e in entries.iter().filter(|e| !e.merged) {
                walk(&e.value, out);
            }
        }
    }
}
