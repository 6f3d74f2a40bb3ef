//! EKS101 annotation-not-on-pod-template: an EKS pod annotation on a workload's own metadata,
//! where EKS never reads it, and not on the pod template.

use super::{Builtin, Phase, RawFinding, no_params};
use crate::annotations::{Place, sets};
use crate::k8s::Object;

#[derive(Debug)]
struct AnnotationPlacement;

pub fn new(params: Option<&serde_json::Value>) -> Result<Box<dyn Builtin>, String> {
    no_params("annotation-not-on-pod-template", params)?;
    Ok(Box::new(AnnotationPlacement))
}

impl Builtin for AnnotationPlacement {
    fn name(&self) -> &'static str {
        "annotation-not-on-pod-template"
    }
    fn phase(&self) -> Phase {
        Phase::Object
    }
    fn check_object(&self, obj: &Object<'_>, out: &mut Vec<RawFinding>) {
        let sets = sets(obj);
        let pod = sets.iter().find(|s| s.place == Place::Pod);
        let template = obj
            .template_at
            .map(|t| t.path())
            .unwrap_or(".spec.template");
        let kind = obj.kind.unwrap_or("workload");
        for workload in sets.iter().filter(|s| s.place == Place::Workload) {
            for a in &workload.items {
                if pod.is_some_and(|p| p.get(&a.key).is_some()) {
                    continue;
                }
                out.push(
                    RawFinding::new(
                        a.key_span,
                        format!(
                            "`{}` is on the {kind}'s {} annotations, where it has no effect: EKS reads pod annotations from the pod template",
                            a.key, workload.whose
                        ),
                    )
                    .label("not read here")
                    .help(format!("move it to `{template}.metadata.annotations`")),
                );
            }
        }
    }
}
