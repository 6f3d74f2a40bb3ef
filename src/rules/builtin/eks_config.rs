//! EKS106 eks-config: the global `eks-config` ConfigMap must live in `kube-system`, and its
//! `pod.annotations` entry must be a YAML mapping of strings. (Its annotations are checked by
//! EKS102–EKS105 like any pod's, with spans inside the block.)

use super::{Builtin, Phase, RawFinding, no_params};
use crate::annotations::{EKS_CONFIG_KEY, EksConfigBlock, eks_config_block, is_eks_config};
use crate::k8s::Object;

#[derive(Debug)]
struct EksConfig;

pub fn new(params: Option<&serde_json::Value>) -> Result<Box<dyn Builtin>, String> {
    no_params("eks-config", params)?;
    Ok(Box::new(EksConfig))
}

impl Builtin for EksConfig {
    fn name(&self) -> &'static str {
        "eks-config"
    }
    fn phase(&self) -> Phase {
        Phase::Object
    }
    fn check_object(&self, obj: &Object<'_>, out: &mut Vec<RawFinding>) {
        if !is_eks_config(obj) {
            return;
        }
        let meta = obj.metadata();
        match (obj.namespace, meta.and_then(|m| m.get("namespace"))) {
            (Some("kube-system"), _) => {}
            (Some(ns), Some(node)) => out.push(
                RawFinding::new(
                    node.span,
                    format!("`eks-config` is in namespace `{ns}`: EKS only reads it from `kube-system`, so none of it applies"),
                )
                .label("wrong namespace")
                .help("set `metadata.namespace: kube-system`"),
            ),
            _ => {
                let at = meta.and_then(|m| m.get("name")).map_or(obj.node.span, |n| n.span);
                out.push(
                    RawFinding::new(
                        at,
                        "`eks-config` has no namespace: applied as is it lands in the current namespace, and EKS only reads it from `kube-system`",
                    )
                    .label("no namespace")
                    .help("set `metadata.namespace: kube-system`"),
                );
            }
        }
        let problems = match eks_config_block(obj) {
            EksConfigBlock::Invalid(span, why) => vec![(span, why)],
            EksConfigBlock::Mapping(_, unquoted) => unquoted,
            EksConfigBlock::Absent => Vec::new(),
        };
        for (span, why) in problems {
            out.push(
                RawFinding::new(span, why)
                    .label(format!("in `{EKS_CONFIG_KEY}`"))
                    .help(format!(
                        "write `{EKS_CONFIG_KEY}` as a block (`|`) holding `key: \"value\"` lines, with every value quoted"
                    )),
            );
        }
    }
}
