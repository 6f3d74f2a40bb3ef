//! EKS503 ephemeral-storage-exceeds-disk: the pod asks for more `ephemeral-storage` than its
//! system disk holds (20 GiB by default, or the `root-cbs-size` annotation in GiB).
//!
//! Requests add up the way the scheduler adds them: app containers and sidecars (init containers
//! with `restartPolicy: Always`) together, a regular init container with the sidecars started
//! before it; the pod needs the larger. A limit counts on its own. Pod-level `spec.resources`
//! count too.

use serde::Deserialize;

use super::{Builtin, Phase, RawFinding, params};
use crate::k8s::quantity::{self, GIB};
use crate::k8s::{ContainerKind, Object};
use crate::yaml::Node;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Params {
    /// The system disk without the annotation, in GiB.
    default_gib: u64,
    /// The pod annotation that sets the disk size (integer GiB).
    size_annotation: String,
    /// The resource name.
    resource: String,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            default_gib: 20,
            size_annotation: "eks.tke.cloud.tencent.com/root-cbs-size".into(),
            resource: "ephemeral-storage".into(),
        }
    }
}

#[derive(Debug)]
struct EphemeralStorage(Params);

pub fn new(p: Option<&serde_json::Value>) -> Result<Box<dyn Builtin>, String> {
    let p: Params = params("ephemeral-storage-exceeds-disk", p)?;
    if p.default_gib == 0 {
        return Err("`default-gib` must be positive".into());
    }
    Ok(Box::new(EphemeralStorage(p)))
}

/// Bytes as GiB for messages: `20 GiB`, `23.3 GiB`.
fn gib(bytes: f64) -> String {
    let g = bytes / GIB;
    if (g - g.round()).abs() < 0.005 {
        // `20 GiB` only when it is: a limit just over the disk must not read as equal to it.
        let exact = g.round() * GIB;
        return match bytes.partial_cmp(&exact) {
            Some(std::cmp::Ordering::Greater) => format!("just over {} GiB", g.round()),
            Some(std::cmp::Ordering::Less) => format!("just under {} GiB", g.round()),
            _ => format!("{} GiB", g.round()),
        };
    }
    // One decimal, or two when one would look like a whole number (33.97, not 34.0).
    let one = format!("{g:.1}");
    if one.ends_with(".0") {
        format!("{g:.2} GiB")
    } else {
        format!("{one} GiB")
    }
}

/// A quantity as written, with its GiB value when that differs: `25G (23.3 GiB)`.
fn shown(raw: &str, bytes: f64) -> String {
    let g = gib(bytes);
    if raw.replace(' ', "") == g.replace(' ', "").replace("GiB", "Gi") {
        format!("`{raw}`")
    } else {
        format!("`{raw}` ({g})")
    }
}

/// One `ephemeral-storage` value of a container (or of the pod).
struct Amount<'a> {
    who: String,
    node: &'a Node<'a>,
    bytes: f64,
}

fn amount<'a>(
    resources: Option<&'a Node<'a>>,
    which: &str,
    resource: &str,
    who: &str,
) -> Option<Amount<'a>> {
    let node = resources?.get(which)?.get(resource)?;
    let bytes = quantity::parse(node.as_str()?)?;
    Some(Amount {
        who: who.to_string(),
        node,
        bytes,
    })
}

impl Builtin for EphemeralStorage {
    fn name(&self) -> &'static str {
        "ephemeral-storage-exceeds-disk"
    }
    fn phase(&self) -> Phase {
        Phase::Object
    }
    fn check_object(&self, obj: &Object<'_>, out: &mut Vec<RawFinding>) {
        // DaemonSet pods never run on super nodes: their disk is the node's.
        let Some(pod) = obj.pod.filter(|_| !obj.is_kind("DaemonSet")) else {
            return;
        };
        let res = self.0.resource.as_str();
        // The disk: the annotation when it is a positive integer; an unusable value is EKS103's
        // business, and guessing the disk would only add noise.
        let annotation = pod.annotation(&self.0.size_annotation);
        // A kustomize patch without the annotation does not show the disk: its base may set it.
        if obj.patch && annotation.is_none() {
            return;
        }
        let disk_gib = match annotation {
            None => self.0.default_gib,
            Some(n) => match n
                .as_str()
                .map(str::trim)
                .and_then(|s| s.parse::<u64>().ok())
            {
                Some(g) if g > 0 => g,
                _ => return,
            },
        };
        let disk = disk_gib as f64 * GIB;
        let disk_text = match annotation {
            None => format!(
                "the pod's {disk_gib} GiB system disk (the default, which also holds the images)"
            ),
            Some(_) => format!(
                "the pod's {disk_gib} GiB system disk (`root-cbs-size`, which also holds the images)"
            ),
        };
        let exceeds = |b: f64| b > disk + 0.5;
        let need = |b: f64| (b / GIB).ceil() as u64;
        let fix = |what: &str, b: f64| {
            format!(
                "lower {what}, or enlarge the disk on the pod template: `{}: \"{}\"` or more, since the images share it (above 20 GiB is billed)",
                self.0.size_annotation,
                need(b).max(disk_gib + 1)
            )
        };
        let with_label = |f: RawFinding| match annotation {
            Some(a) => f.with_label(a.span, format!("system disk: {disk_gib} GiB")),
            None => f,
        };

        // Limits: each one on its own.
        let mut limited: Vec<String> = Vec::new();
        let spec = pod.spec;
        let pod_level = spec.and_then(|s| s.get("resources"));
        let mut containers: Vec<(ContainerKind, String, &Node<'_>)> = Vec::new();
        for (kind, c) in pod.containers() {
            if kind == ContainerKind::Ephemeral {
                continue;
            }
            let name = c.get_str("name").unwrap_or("(unnamed)").to_string();
            containers.push((kind, name, c));
        }
        let limits = containers
            .iter()
            .filter_map(|(_, name, c)| {
                amount(
                    c.get("resources"),
                    "limits",
                    res,
                    &format!("container `{name}`"),
                )
            })
            .chain(amount(pod_level, "limits", res, "the pod"));
        for l in limits {
            if exceeds(l.bytes) {
                let raw = l.node.as_str().unwrap_or("");
                out.push(with_label(
                    RawFinding::new(
                        l.node.span,
                        format!(
                            "{} may use up to {} of {res} (its limit), more than {disk_text}",
                            l.who,
                            shown(raw, l.bytes)
                        ),
                    )
                    .label(format!("more than {disk_gib} GiB"))
                    .help(fix("the limit", l.bytes)),
                ));
                limited.push(l.who);
            }
        }

        // An `emptyDir` on disk (no `medium`; `Memory` and `HugePages` are memory, another value
        // is no medium at all) lives on the system disk too: a `sizeLimit` beyond it is never
        // what stops the volume growing, a full disk is.
        let volumes = spec
            .and_then(|s| s.get("volumes"))
            .map_or(&[][..], |v| v.items());
        for v in volumes {
            let Some(dir) = v.get("emptyDir") else {
                continue;
            };
            if dir.get_str("medium").is_some_and(|m| !m.is_empty()) {
                continue;
            }
            let Some(limit) = dir.get("sizeLimit") else {
                continue;
            };
            let Some(bytes) = limit.as_str().and_then(quantity::parse) else {
                continue;
            };
            if exceeds(bytes) {
                let name = v.get_str("name").unwrap_or("(unnamed)");
                out.push(with_label(
                    RawFinding::new(
                        limit.span,
                        format!(
                            "`emptyDir` volume `{name}` may grow to {}, more than {disk_text}: the disk fills before the size limit is reached",
                            shown(limit.as_str().unwrap_or(""), bytes)
                        ),
                    )
                    .label(format!("more than {disk_gib} GiB"))
                    .help(fix("the `sizeLimit`", bytes)),
                ));
            }
        }

        // Requests: app containers and sidecars add up; a regular init container runs with the
        // sidecars started before it.
        let mut sidecars: Vec<Amount<'_>> = Vec::new();
        let mut worst_init: Option<(f64, Vec<Amount<'_>>)> = None;
        let mut app: Vec<Amount<'_>> = Vec::new();
        for (kind, name, c) in &containers {
            let a = amount(
                c.get("resources"),
                "requests",
                res,
                &format!("container `{name}`"),
            )
            // A limit without a request makes the request equal to the limit.
            .or_else(|| {
                amount(
                    c.get("resources"),
                    "limits",
                    res,
                    &format!("container `{name}`"),
                )
            });
            let sidecar = c.get_str("restartPolicy") == Some("Always");
            match (kind, a) {
                (_, None) => {}
                (ContainerKind::Init, Some(a)) if !sidecar => {
                    let total = a.bytes + sidecars.iter().map(|s| s.bytes).sum::<f64>();
                    if worst_init.as_ref().is_none_or(|(t, _)| total > *t) {
                        let mut parts = vec![a];
                        parts.extend(sidecars.iter().map(|s| Amount {
                            who: s.who.clone(),
                            node: s.node,
                            bytes: s.bytes,
                        }));
                        worst_init = Some((total, parts));
                    }
                }
                (ContainerKind::Init, Some(a)) => sidecars.push(a),
                (_, Some(a)) => app.push(a),
            }
        }
        app.extend(sidecars);
        let app_total: f64 = app.iter().map(|a| a.bytes).sum();
        let mut parts = app;
        let mut total = app_total;
        if let Some((t, p)) = worst_init
            && t > total
        {
            total = t;
            parts = p;
        }
        // Pod-level requests, when set, are what the scheduler uses.
        if let Some(p) = amount(pod_level, "requests", res, "the pod") {
            total = p.bytes;
            parts = vec![p];
        }
        if !exceeds(total) || parts.is_empty() {
            return;
        }
        // A container whose request alone is too large and whose limit was reported needs no
        // second finding.
        if parts
            .iter()
            .any(|p| exceeds(p.bytes) && limited.contains(&p.who))
        {
            return;
        }
        parts.sort_by(|a, b| b.bytes.total_cmp(&a.bytes));
        let (first, rest) = parts.split_first().expect("not empty");
        let message = if rest.is_empty() {
            format!(
                "{} requests {} of {res}, more than {disk_text}",
                first.who,
                shown(first.node.as_str().unwrap_or(""), first.bytes)
            )
        } else {
            let list: Vec<String> = parts
                .iter()
                .map(|p| format!("{} {}", p.who, gib(p.bytes)))
                .collect();
            format!(
                "the pod's {res} requests add up to {} ({}), more than {disk_text}",
                gib(total),
                list.join(" + ")
            )
        };
        let mut f = RawFinding::new(first.node.span, message)
            .label(format!("{} in total", gib(total)))
            .help(fix(
                if rest.is_empty() {
                    "the request"
                } else {
                    "the requests"
                },
                total,
            ));
        for p in rest {
            f = f.with_label(p.node.span, format!("+ {}", gib(p.bytes)));
        }
        out.push(with_label(f));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::k8s::objects;
    use crate::yaml::{Limits, parse};

    fn run(text: &str) -> Vec<(String, String)> {
        let arena = crate::yaml::Arena::new();
        let p = parse(text, &arena, Limits::default());
        let objs = objects(text, &p.documents, false, false);
        let check = new(None).unwrap();
        let mut out = Vec::new();
        for o in &objs {
            check.check_object(o, &mut out);
        }
        out.into_iter()
            .map(|f| (text[f.span.range()].to_string(), f.message))
            .collect()
    }

    fn pod(annotations: &str, containers: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {{{annotations}}}\nspec:\n{containers}"
        )
    }

    #[test]
    fn gib_formatting() {
        assert_eq!(gib(20.0 * GIB), "20 GiB");
        assert_eq!(gib(25e9), "23.3 GiB");
        assert_eq!(gib(20.0 * GIB + 15e9), "33.97 GiB");
        assert_eq!(shown("30Gi", 30.0 * GIB), "`30Gi`");
        assert_eq!(shown("25G", 25e9), "`25G` (23.3 GiB)");
        // Not "20 GiB, more than the pod's 20 GiB system disk".
        assert_eq!(
            shown("21474836481", 20.0 * GIB + 1.0),
            "`21474836481` (just over 20 GiB)"
        );
        assert_eq!(gib(20.0 * GIB - 1.0), "just under 20 GiB");
    }

    #[test]
    fn requests_add_up() {
        let f = run(&pod(
            "",
            "  containers:\n  - name: a\n    resources: {requests: {ephemeral-storage: 12Gi}}\n  - name: b\n    resources: {requests: {ephemeral-storage: 10Gi}}\n",
        ));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].0, "12Gi");
        assert!(f[0].1.contains("add up to 22 GiB"), "{}", f[0].1);
        assert!(f[0].1.contains("20 GiB system disk"), "{}", f[0].1);
    }

    #[test]
    fn a_limit_alone_and_no_duplicate_for_its_request() {
        let f = run(&pod(
            "",
            "  containers:\n  - name: a\n    resources: {requests: {ephemeral-storage: 30Gi}, limits: {ephemeral-storage: 30Gi}}\n",
        ));
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].1.contains("limit"));
        // A limit without a request counts as the request too, but is reported once.
        let f = run(&pod(
            "",
            "  containers:\n  - name: a\n    resources: {limits: {ephemeral-storage: 21Gi}}\n",
        ));
        assert_eq!(f.len(), 1, "{f:?}");
        // Another container's request on top of a reported one adds nothing new.
        let f = run(&pod(
            "",
            "  containers:\n  - name: a\n    resources: {limits: {ephemeral-storage: 30Gi}}\n  - name: b\n    resources: {requests: {ephemeral-storage: 1Gi}}\n",
        ));
        assert_eq!(f.len(), 1, "{f:?}");
        // But a sum that only the other containers push over the disk is its own finding.
        let f = run(&pod(
            "",
            "  containers:\n  - name: a\n    resources: {requests: {ephemeral-storage: 15Gi}, limits: {ephemeral-storage: 30Gi}}\n  - name: b\n    resources: {requests: {ephemeral-storage: 10Gi}}\n",
        ));
        assert_eq!(f.len(), 2, "{f:?}");
    }

    #[test]
    fn root_cbs_size_enlarges_the_disk() {
        let c = "  containers:\n  - name: a\n    resources: {limits: {ephemeral-storage: 40Gi}}\n";
        assert!(run(&pod("eks.tke.cloud.tencent.com/root-cbs-size: \"50\"", c)).is_empty());
        let f = run(&pod("eks.tke.cloud.tencent.com/root-cbs-size: \"30\"", c));
        assert_eq!(f.len(), 1);
        assert!(f[0].1.contains("30 GiB system disk"), "{}", f[0].1);
        // An unusable size is another rule's business.
        assert!(run(&pod("eks.tke.cloud.tencent.com/root-cbs-size: \"50Gi\"", c)).is_empty());
    }

    #[test]
    fn init_containers_run_before_the_app() {
        // A regular init container does not add to the app containers.
        let c = "  initContainers:\n  - name: i\n    resources: {requests: {ephemeral-storage: 15Gi}}\n  containers:\n  - name: a\n    resources: {requests: {ephemeral-storage: 15Gi}}\n";
        assert!(run(&pod("", c)).is_empty());
        // A sidecar does.
        let c = "  initContainers:\n  - name: s\n    restartPolicy: Always\n    resources: {requests: {ephemeral-storage: 15Gi}}\n  containers:\n  - name: a\n    resources: {requests: {ephemeral-storage: 15Gi}}\n";
        let f = run(&pod("", c));
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].1.contains("30 GiB"), "{}", f[0].1);
    }

    #[test]
    fn fits() {
        let c = "  containers:\n  - name: a\n    resources: {requests: {ephemeral-storage: 10Gi}, limits: {ephemeral-storage: 20Gi}}\n  - name: b\n    resources: {requests: {ephemeral-storage: 2Gi}}\n";
        assert!(run(&pod("", c)).is_empty());
    }
}
