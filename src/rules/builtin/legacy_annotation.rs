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
                // A replacement of "nothing: why" is a dropped annotation with no successor.
                let (message, help) = match replacement.strip_prefix("nothing: ") {
                    Some(why) => (
                        format!("`{}` is a legacy annotation: {}; {why}", a.key, e.summary),
                        "remove it".to_string(),
                    ),
                    None => (
                        format!(
                            "`{}` is a legacy annotation: {}; use {replacement}",
                            a.key, e.summary
                        ),
                        format!("replace it with {replacement}"),
                    ),
                };
                out.push(
                    RawFinding::new(a.key_span, message)
                        .label("legacy")
                        .help(help),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (message, help) of each finding on a Pod with these annotations.
    fn run(annotations: &str) -> Vec<(String, Option<String>)> {
        let text = format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {{{annotations}}}\nspec:\n  containers: [{{name: a}}]\n"
        );
        super::super::findings_on(&*new(None).unwrap(), &text)
            .into_iter()
            .map(|f| (f.message, f.help))
            .collect()
    }

    #[test]
    fn a_dropped_annotation_is_not_replaced_with_nothing() {
        let [(message, help)] = &run("eks.tke.cloud.tencent.com/eip-injection: \"true\"")[..]
        else {
            panic!("one finding")
        };
        assert!(message.contains("; it was dropped"), "{message}");
        assert_eq!(help.as_deref(), Some("remove it"));
        let [(message, help)] = &run("eks.tke.cloud.tencent.com/wan: \"true\"")[..] else {
            panic!("one finding")
        };
        assert!(
            message.contains("; use `eks.tke.cloud.tencent.com/eip-attributes`"),
            "{message}"
        );
        assert!(help.as_deref().unwrap().starts_with("replace it with `"));
    }
}
