//! EKS102 unknown-eks-annotation: a key under the EKS prefixes that the catalog does not know,
//! with the closest known key as a suggestion. Keys seen only in unattributed material are
//! reported at info level.

use super::{Builtin, Phase, RawFinding, no_params};
use crate::annotations::{Status, lookup, sets, suggest};
use crate::diagnostic::Severity;
use crate::k8s::Object;

#[derive(Debug)]
struct UnknownAnnotation;

pub fn new(params: Option<&serde_json::Value>) -> Result<Box<dyn Builtin>, String> {
    no_params("unknown-eks-annotation", params)?;
    Ok(Box::new(UnknownAnnotation))
}

impl Builtin for UnknownAnnotation {
    fn name(&self) -> &'static str {
        "unknown-eks-annotation"
    }
    fn phase(&self) -> Phase {
        Phase::Object
    }
    fn check_object(&self, obj: &Object<'_>, out: &mut Vec<RawFinding>) {
        for set in sets(obj) {
            for a in &set.items {
                match lookup(&a.key) {
                    Some(e) if e.status == Status::Unverified => out.push(
                        RawFinding::new(
                            a.key_span,
                            format!(
                                "`{}` is not in Tencent Cloud's documentation (seen only in unattributed material): EKS may ignore it",
                                a.key
                            ),
                        )
                        .label("undocumented")
                        .severity(Severity::Info),
                    ),
                    Some(_) => {}
                    None => {
                        let (message, help) = match suggest(&a.key) {
                            Some(s) => (
                                format!("unknown EKS annotation `{}`: did you mean `{s}`?", a.key),
                                format!("EKS silently ignores annotations it does not know; rename it to `{s}`"),
                            ),
                            None => (
                                format!("unknown EKS annotation `{}`", a.key),
                                "EKS silently ignores annotations it does not know; `ekslint rule EKS102` lists where the known ones are documented".to_string(),
                            ),
                        };
                        out.push(RawFinding::new(a.key_span, message).label("unknown key").help(help));
                    }
                }
            }
        }
    }
}
