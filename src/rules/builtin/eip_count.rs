//! EKS109 eip-list-shorter-than-replicas: a StatefulSet lists fewer EIPs in `eip-id-list` than
//! it has replicas. EKS gives each pod one of the listed EIPs; the pods past the end of the list
//! stay Pending.

use super::{Builtin, Phase, RawFinding, params};
use crate::k8s::Object;

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Params {
    /// The pod annotation that lists the EIPs.
    key: String,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            key: "eks.tke.cloud.tencent.com/eip-id-list".into(),
        }
    }
}

#[derive(Debug)]
struct EipCount(Params);

pub fn new(p: Option<&serde_json::Value>) -> Result<Box<dyn Builtin>, String> {
    Ok(Box::new(EipCount(params("eip-id-count", p)?)))
}

impl Builtin for EipCount {
    fn name(&self) -> &'static str {
        "eip-id-count"
    }
    fn phase(&self) -> Phase {
        Phase::Object
    }
    fn check_object(&self, obj: &Object<'_>, out: &mut Vec<RawFinding>) {
        // Only a StatefulSet's pods keep their names, and so their EIPs (EKS107 says the rest).
        if !obj.is_kind("StatefulSet") {
            return;
        }
        let Some(pod) = obj.pod else { return };
        let Some(list) = pod.annotation(&self.0.key) else {
            return;
        };
        // A list left to a tool (`${EIP_IDS}`, a template) is not known here.
        let Some(value) = list.as_str().filter(|v| !v.contains(['$', '{'])) else {
            return;
        };
        let mut ids: std::collections::HashSet<&str> = std::collections::HashSet::new();
        let mut twice: Vec<&str> = Vec::new();
        let mut told: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for id in value.split(',').map(str::trim).filter(|id| !id.is_empty()) {
            if !ids.insert(id) && told.insert(id) {
                twice.push(id);
            }
        }
        // An empty list is EKS103's (not an id).
        if ids.is_empty() {
            return;
        }
        let spec = obj.node.get("spec");
        let replicas_node = spec.and_then(|s| s.get("replicas"));
        let replicas = match replicas_node {
            // A patch without `replicas` keeps the base's.
            None if obj.patch => return,
            // Kubernetes defaults a StatefulSet to one replica.
            None => 1,
            Some(n) => match n.int() {
                Some(r) => r,
                // Not a number (a kustomize placeholder, a template): nothing to compare.
                None => return,
            },
        };
        let ids_n = ids.len();
        let ids_i = ids_n as i128;
        if replicas <= ids_i {
            return;
        }
        // Pods are named `<name>-<ordinal>`, from `spec.ordinals.start` (0 by default).
        let start = spec
            .and_then(|s| s.get_path(&["ordinals", "start"]))
            .and_then(crate::yaml::Node::int)
            .unwrap_or(0);
        let short = replicas - ids_i;
        let pending = match obj.name {
            Some(name) => {
                let first = start + ids_i;
                let shown: Vec<String> = (first..first + short.min(3))
                    .map(|i| format!("`{name}-{i}`"))
                    .collect();
                let more = if short > 3 {
                    format!(" and {} more", short - 3)
                } else {
                    String::new()
                };
                let verb = if short == 1 { "stays" } else { "stay" };
                format!("{}{more} {verb} Pending", shown.join(", "))
            }
            None => format!(
                "{short} {} Pending",
                if short == 1 { "pod stays" } else { "pods stay" }
            ),
        };
        let eips = match twice.as_slice() {
            [] => crate::k8s::sizing::plural(ids_n as u64, "EIP"),
            _ => format!(
                "{ids_n} distinct {} ({} more than once)",
                if ids_n == 1 { "EIP" } else { "EIPs" },
                super::quoted_few(&twice, 3)
            ),
        };
        let message = format!(
            "{replicas} replicas, but `eip-id-list` lists {eips}: EKS gives each pod one of the listed EIPs, so {pending}"
        );
        let help = format!(
            "list one distinct EIP per replica ({replicas} in all), or lower `replicas` to {ids_n}; EIPs are not created for the pods past the end of the list"
        );
        let f = match replicas_node {
            Some(n) => RawFinding::new(n.span, message)
                .label(format!("{replicas} pods"))
                .with_label(list.span, eips.clone()),
            None => RawFinding::new(list.span, message)
                .label(format!("{eips} for {replicas} pods (no `replicas`: 1)")),
        };
        out.push(f.help(help));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(replicas: &str, ids: &str) -> Vec<(String, String)> {
        let text = format!(
            "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {{name: game}}\nspec:\n{replicas}  template:\n    metadata:\n      annotations:\n        eks.tke.cloud.tencent.com/eip-id-list: \"{ids}\"\n    spec:\n      containers: [{{name: a}}]\n"
        );
        super::super::findings_on(&*new(None).unwrap(), &text)
            .into_iter()
            .map(|f| (text[f.span.range()].to_string(), f.message))
            .collect()
    }

    #[test]
    fn more_replicas_than_eips() {
        let f = run("  replicas: 3\n", "eip-aa11bb22,eip-cc33dd44");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].0, "3");
        assert!(
            f[0].1.contains("lists 2 EIPs") && f[0].1.contains("`game-2` stays Pending"),
            "{}",
            f[0].1
        );
        // YAML 1.1 integers, as Kubernetes reads them.
        assert_eq!(run("  replicas: 0x3\n", "eip-aa11bb22").len(), 1);
        let many = run("  replicas: 10\n", "eip-aa11bb22");
        assert!(
            many[0]
                .1
                .contains("`game-1`, `game-2`, `game-3` and 6 more stay Pending"),
            "{}",
            many[0].1
        );
        let ordinals = run("  replicas: 2\n  ordinals: {start: 5}\n", "eip-aa11bb22");
        assert!(
            ordinals[0].1.contains("`game-6` stays"),
            "{}",
            ordinals[0].1
        );
    }

    #[test]
    fn enough_eips_or_nothing_to_compare() {
        assert!(run("  replicas: 2\n", "eip-aa11bb22, eip-cc33dd44").is_empty());
        assert!(run("", "eip-aa11bb22").is_empty());
        assert!(run("  replicas: 0\n", "eip-aa11bb22").is_empty());
        // Not a number Kubernetes would take, or an empty list: other rules' business.
        assert!(run("  replicas: \"3\"\n", "eip-aa11bb22").is_empty());
        assert!(run("  replicas: 3\n", "").is_empty());
        assert!(run("  replicas: 3\n", " , ").is_empty());
        // A list left to a tool.
        assert!(run("  replicas: 3\n", "${EIP_IDS}").is_empty());
        assert!(run("  replicas: 3\n", "{{ .Values.eips }}").is_empty());
    }

    #[test]
    fn an_eip_listed_twice_counts_once() {
        let f = run("  replicas: 3\n", "eip-aa11bb22,eip-aa11bb22,eip-cc33dd44");
        assert_eq!(f.len(), 1);
        assert!(
            f[0].1
                .contains("lists 2 distinct EIPs (`eip-aa11bb22` more than once)")
                && f[0].1.contains("`game-2` stays Pending"),
            "{}",
            f[0].1
        );
        assert!(run("  replicas: 2\n", "eip-aa11bb22,eip-aa11bb22,eip-cc33dd44").is_empty());
    }

    #[test]
    fn only_statefulsets() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 3\n  template:\n    metadata:\n      annotations: {eks.tke.cloud.tencent.com/eip-id-list: eip-aa11bb22}\n    spec:\n      containers: [{name: a}]\n";
        assert!(super::super::findings_on(&*new(None).unwrap(), text).is_empty());
    }
}
