//! EKS104 legacy-annotation: a renamed or withdrawn EKS annotation, with its replacement.

use super::{Builtin, Phase, RawFinding, no_params};
use crate::annotations::{Status, lookup, sets};
use crate::k8s::Object;

#[derive(Debug)]
struct LegacyAnnotation;

pub fn new(params: Option<&serde_json::Value>) -> Result<Box<dyn Builtin>, String> {
    no_params("legacy-annotation", params)?;
    Ok(Box::new(LegacyAnnotation))
}

impl Builtin for LegacyAnnotation {
    fn name(&self) -> &'static str {
        "legacy-annotation"
    }
    fn phase(&self) -> Phase {
        Phase::Object
    }
    fn check_object(&self, obj: &Object<'_>, out: &mut Vec<RawFinding>) {
        for set in sets(obj) {
            for a in &set.items {
                let Some(e) = lookup(&a.key).filter(|e| e.status == Status::Legacy) else {
                    continue;
                };
                let replacement = e.replacement.as_deref().unwrap_or("the current annotation");
                out.push(
                    RawFinding::new(
                        a.key_span,
                        format!(
                            "`{}` is a legacy annotation: {}; use {replacement}",
                            a.key, e.summary
                        ),
                    )
                    .label("legacy")
                    .help(format!("replace it with {replacement}")),
                );
            }
        }
    }
}
