//! EKS504 disk-cleanup-disabled, the comparison part: the pod annotation `pod-eviction-threshold`
//! is below `image-gc-high-threshold` (80 when unset), so the pod restarts for a full disk before
//! image garbage collection has had a chance to free space. The keys and the default are
//! parameters in the rule file.

use serde::Deserialize;

use super::{Builtin, Phase, RawFinding, params};
use crate::k8s::Object;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Params {
    /// The pod annotation that restarts the pod at this disk usage (percent).
    eviction: String,
    /// The pod annotation that starts image GC at this disk usage (percent).
    gc_high: String,
    /// Image GC's threshold when `gc_high` is not set.
    gc_high_default: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            eviction: "eks.tke.cloud.tencent.com/pod-eviction-threshold".into(),
            gc_high: "eks.tke.cloud.tencent.com/image-gc-high-threshold".into(),
            gc_high_default: 80.0,
        }
    }
}

#[derive(Debug)]
struct EvictionThreshold(Params);

pub fn new(p: Option<&serde_json::Value>) -> Result<Box<dyn Builtin>, String> {
    Ok(Box::new(EvictionThreshold(params(
        "eviction-below-image-gc",
        p,
    )?)))
}

/// A percent annotation value; `None` when it is not a number (EKS103 reports that).
fn percent(s: &str) -> Option<f64> {
    s.trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && (0.0..=100.0).contains(n))
}

/// The short name of an annotation key, for messages.
fn short(key: &str) -> &str {
    key.rsplit('/').next().unwrap_or(key)
}

impl Builtin for EvictionThreshold {
    fn name(&self) -> &'static str {
        "eviction-below-image-gc"
    }
    fn phase(&self) -> Phase {
        Phase::Object
    }
    fn check_object(&self, obj: &Object<'_>, out: &mut Vec<RawFinding>) {
        // DaemonSet pods never run on super nodes: their disk is the node's.
        let Some(pod) = obj.pod.filter(|_| !obj.is_kind("DaemonSet")) else {
            return;
        };
        let Some(ev_node) = pod.annotation(&self.0.eviction) else {
            return;
        };
        let Some(eviction) = ev_node.as_str().and_then(percent) else {
            return;
        };
        let gc_node = pod.annotation(&self.0.gc_high);
        let gc = match gc_node {
            None => self.0.gc_high_default,
            Some(n) => match n.as_str().and_then(percent) {
                Some(v) => v,
                None => return,
            },
        };
        if eviction >= gc {
            return;
        }
        let (ev_name, gc_name) = (short(&self.0.eviction), short(&self.0.gc_high));
        let gc_text = match gc_node {
            Some(_) => format!("`{gc_name}` ({gc} %)"),
            None => format!("image garbage collection ({gc} % by default)"),
        };
        let mut f = RawFinding::new(
            ev_node.span,
            format!(
                "`{ev_name}: \"{eviction}\"` restarts the pod at {eviction} % disk usage, before {gc_text} starts freeing space: the pod restarts instead of the disk being cleaned"
            ),
        )
        .label(format!("below {gc} %"))
        .help(format!(
            "raise `{ev_name}` to at least `{gc_name}` (e.g. \"{}\"), or lower `{gc_name}` to {eviction} or less",
            ((gc + 5.0).min(100.0)) as u64
        ));
        if let Some(n) = gc_node {
            f = f.with_label(n.span, format!("image GC starts at {gc} %"));
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(annotations: &str) -> Vec<String> {
        let text = format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d}}\nspec:\n  template:\n    metadata:\n      annotations: {{{annotations}}}\n    spec:\n      containers: [{{name: a}}]\n"
        );
        super::super::findings_on(&*new(None).unwrap(), &text)
            .into_iter()
            .map(|f| text[f.span.range()].to_string())
            .collect()
    }

    #[test]
    fn below_the_default_image_gc_threshold() {
        assert_eq!(
            run("eks.tke.cloud.tencent.com/pod-eviction-threshold: \"70\""),
            ["\"70\""]
        );
        assert!(run("eks.tke.cloud.tencent.com/pod-eviction-threshold: \"85\"").is_empty());
        assert!(run("eks.tke.cloud.tencent.com/pod-eviction-threshold: \"80\"").is_empty());
        // Not a percentage at all (EKS103 says so): no "restarts at -1 % disk usage" on top.
        assert!(run("eks.tke.cloud.tencent.com/pod-eviction-threshold: \"-1\"").is_empty());
        assert!(run("eks.tke.cloud.tencent.com/pod-eviction-threshold: \"150\"").is_empty());
    }

    #[test]
    fn against_a_set_image_gc_threshold() {
        let both = |ev: &str, gc: &str| {
            run(&format!(
                "eks.tke.cloud.tencent.com/pod-eviction-threshold: \"{ev}\", eks.tke.cloud.tencent.com/image-gc-high-threshold: \"{gc}\""
            ))
        };
        assert_eq!(both("85", "90").len(), 1);
        assert!(both("70", "60").is_empty());
        // Values that are not numbers are EKS103's.
        assert!(both("85%", "90").is_empty());
        assert!(both("85", "high").is_empty());
    }
}
