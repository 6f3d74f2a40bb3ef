//! EKS006 removed-api-version: the `apiVersion`/`kind` pair no longer exists in Kubernetes.
//! The table of removed APIs is data in the rule file (`params.removed`).

use serde::Deserialize;

use super::{Builtin, Phase, RawFinding, params};
use crate::k8s::Object;

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Params {
    removed: Vec<Removed>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Removed {
    api_version: String,
    /// The kinds removed from that version (`*` for every kind).
    kinds: Vec<String>,
    /// The apiVersion to use instead (absent when the API is gone for good).
    #[serde(default)]
    replacement: Option<String>,
    /// The Kubernetes release that removed it, e.g. `1.16`.
    removed_in: String,
    /// What to do when there is no replacement.
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug)]
struct RemovedApiVersion(Params);

pub fn new(p: Option<&serde_json::Value>) -> Result<Box<dyn Builtin>, String> {
    let p: Params = params("removed-api-version", p)?;
    if p.removed.is_empty() {
        return Err("built-in check `removed-api-version` needs `params.removed`".into());
    }
    Ok(Box::new(RemovedApiVersion(p)))
}

impl Builtin for RemovedApiVersion {
    fn name(&self) -> &'static str {
        "removed-api-version"
    }
    fn phase(&self) -> Phase {
        Phase::Object
    }
    fn check_object(&self, obj: &Object<'_>, out: &mut Vec<RawFinding>) {
        let (Some(api), Some(kind)) = (obj.api_version, obj.kind) else {
            return;
        };
        let Some(r) = self
            .0
            .removed
            .iter()
            .find(|r| r.api_version == api && r.kinds.iter().any(|k| k == "*" || k == kind))
        else {
            return;
        };
        let Some(node) = obj.node.get("apiVersion") else {
            return;
        };
        let (message, help) = match &r.replacement {
            Some(rep) => (
                format!(
                    "{kind} `{api}` was removed in Kubernetes {}: use `{rep}`",
                    r.removed_in
                ),
                format!(
                    "change `apiVersion: {api}` to `apiVersion: {rep}` (check the fields that changed with it, e.g. with `kubectl convert`)"
                ),
            ),
            None => (
                format!(
                    "{kind} `{api}` was removed in Kubernetes {} and has no replacement",
                    r.removed_in
                ),
                r.note
                    .clone()
                    .unwrap_or_else(|| "remove this object".to_string()),
            ),
        };
        out.push(
            RawFinding::new(node.span, message)
                .label(format!("removed in {}", r.removed_in))
                .help(help),
        );
    }
}
