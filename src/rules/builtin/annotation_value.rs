//! EKS103 invalid-annotation-value: a known EKS annotation whose value does not fit its format
//! (booleans, percents, ports, security groups, Gi memory, cores, integers, Go durations, JSON
//! values of the documented shape, enums). Values EKS accepts but that are probably wrong are
//! reported as warnings.

use super::{Builtin, Phase, RawFinding, no_params};
use crate::annotations::validate::{Verdict, check};
use crate::annotations::{lookup, sets};
use crate::diagnostic::Severity;
use crate::k8s::Object;

#[derive(Debug)]
struct AnnotationValue;

pub fn new(params: Option<&serde_json::Value>) -> Result<Box<dyn Builtin>, String> {
    no_params("invalid-annotation-value", params)?;
    Ok(Box::new(AnnotationValue))
}

impl Builtin for AnnotationValue {
    fn name(&self) -> &'static str {
        "invalid-annotation-value"
    }
    fn phase(&self) -> Phase {
        Phase::Object
    }
    fn check_object(&self, obj: &Object<'_>, out: &mut Vec<RawFinding>) {
        for set in sets(obj) {
            for a in &set.items {
                // Non-string values are EKS003's.
                let (Some(entry), Some(value), true) =
                    (lookup(&a.key), a.value.as_deref(), a.is_string)
                else {
                    continue;
                };
                // A value left to a tool (`${SG_ID}` for envsubst, `{{ }}` of a template) is not
                // known until it is filled in.
                if value.contains("${") || value.contains("{{") {
                    continue;
                }
                let short = a.key.rsplit('/').next().unwrap_or(&a.key);
                match check(entry, value) {
                    Verdict::Ok => {}
                    Verdict::Invalid(why) => out.push(
                        RawFinding::new(a.value_span, format!("invalid `{short}`: {why}"))
                            .label("invalid value")
                            .help(format!("`{}`: {}", a.key, entry.summary)),
                    ),
                    Verdict::Doubtful(why) => out.push(
                        RawFinding::new(a.value_span, format!("doubtful `{short}`: {why}"))
                            .label("doubtful value")
                            .help(format!("`{}`: {}", a.key, entry.summary))
                            .severity(Severity::Warning),
                    ),
                }
            }
        }
    }
}
