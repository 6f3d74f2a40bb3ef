//! EKS110 registry-annotation-unused: `registry-http-endpoint` or `registry-insecure-skip-verify`
//! names a registry that no container image of the pod is pulled from. EKS compares the entry
//! with each image's registry host, port included, so the annotation does nothing for the pod:
//! usually a typo, or a port left out (`harbor.example.com` for images from
//! `harbor.example.com:5000`), and the pull fails with the error it was meant to fix.

use super::{Builtin, Phase, RawFinding, params};
use crate::k8s::Object;

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Params {
    /// The pod annotations that name registries (host[:port], comma-separated, or `all`).
    keys: Vec<String>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            keys: vec![
                "eks.tke.cloud.tencent.com/registry-http-endpoint".into(),
                "eks.tke.cloud.tencent.com/registry-insecure-skip-verify".into(),
            ],
        }
    }
}

#[derive(Debug)]
struct RegistryHosts(Params);

pub fn new(p: Option<&serde_json::Value>) -> Result<Box<dyn Builtin>, String> {
    Ok(Box::new(RegistryHosts(params("registry-hosts", p)?)))
}

/// The names Docker Hub goes by; an image without a registry host is pulled from it.
pub(crate) const DOCKER_HUB: [&str; 3] = ["docker.io", "index.docker.io", "registry-1.docker.io"];

/// The registry host (with its port, if any) an image reference is pulled from: its first
/// component when that looks like a host (has a `.` or a `:`, or is `localhost`), else Docker Hub.
pub(crate) fn registry(image: &str) -> &str {
    match image.split_once('/') {
        Some((first, _)) if first.contains(['.', ':']) || first == "localhost" => first,
        _ => "docker.io",
    }
}

/// A host without its port.
fn without_port(host: &str) -> &str {
    host.rsplit_once(':')
        .filter(|(_, port)| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()))
        .map_or(host, |(h, _)| h)
}

impl Builtin for RegistryHosts {
    fn name(&self) -> &'static str {
        "registry-hosts"
    }
    fn phase(&self) -> Phase {
        Phase::Object
    }
    fn check_object(&self, obj: &Object<'_>, out: &mut Vec<RawFinding>) {
        // A patch may not show all the pod's images; DaemonSet pods never run on super nodes.
        let Some(pod) = obj.pod.filter(|_| !obj.patch && !obj.is_kind("DaemonSet")) else {
            return;
        };
        let mut hosts: Vec<&str> = Vec::new();
        // The hosts in lower case, to look entries up in (the names are compared case aside).
        let mut lower: std::collections::HashSet<String> = std::collections::HashSet::new();
        for (_, container) in pod.containers() {
            match container
                .get("image")
                .and_then(|i| i.as_str())
                .map(str::trim)
            {
                // An image left to a tool (kustomize `images:`, `$(IMAGE)`, a template): the
                // registry is not known here, so no entry can be said to be unused.
                Some(image) if !image.is_empty() && !image.contains(['$', '{', ' ']) => {
                    let host = registry(image);
                    if lower.insert(host.to_ascii_lowercase()) {
                        hosts.push(host);
                    }
                }
                _ => return,
            }
        }
        if hosts.is_empty() {
            return;
        }
        for key in &self.0.keys {
            let Some(node) = pod.annotation(key) else {
                continue;
            };
            let Some(value) = node.as_str().map(str::trim) else {
                continue;
            };
            // `all` (alone, or in a list, which EKS103 questions) leaves no entry unused.
            if value
                .split(',')
                .any(|e| e.trim().eq_ignore_ascii_case("all"))
            {
                continue;
            }
            let short = key.rsplit('/').next().unwrap_or(key);
            // What is not a host at all is EKS103's.
            let entries: Vec<&str> = value
                .split(',')
                .map(str::trim)
                .filter(|e| !e.is_empty() && !e.contains(['/', ' ']))
                .collect();
            // A list that serves this pod may name other registries too (one list shared by a
            // team's workloads): then only an entry that differs from an image's by its port is
            // a mistake.
            let from_docker_hub = DOCKER_HUB.iter().any(|d| lower.contains(*d));
            let used = |e: &str| {
                lower.contains(&e.to_ascii_lowercase())
                    || (from_docker_hub && DOCKER_HUB.iter().any(|d| e.eq_ignore_ascii_case(d)))
            };
            let serves = entries.iter().any(|e| used(e));
            let mut by_host: std::collections::HashMap<String, Vec<&str>> = Default::default();
            for h in &hosts {
                by_host
                    .entry(without_port(h).to_ascii_lowercase())
                    .or_default()
                    .push(h);
            }
            for entry in entries {
                if used(entry) {
                    continue;
                }
                let same_host: &[&str] = by_host
                    .get(&without_port(entry).to_ascii_lowercase())
                    .map_or(&[], Vec::as_slice);
                let quoted = |list: &[&str]| super::quoted_few(list, 3);
                let f = match same_host.first() {
                    None if serves => continue,
                    Some(with) => RawFinding::new(
                        node.span,
                        format!(
                            "`{short}` names `{entry}`, but this pod's images come from {}: EKS compares the port too, so the entry does nothing for them",
                            quoted(same_host)
                        ),
                    )
                    .label("port does not match")
                    .help(format!("write `{with}`, as the image references do")),
                    None => RawFinding::new(
                        node.span,
                        format!(
                            "`{short}` names `{entry}`, but no container image of this pod is pulled from it (they come from {}): the annotation does nothing for this pod",
                            quoted(&hosts)
                        ),
                    )
                    .label("no image from this registry")
                    .help(format!(
                        "name the registry exactly as the images do (host and port, e.g. `{}`), or remove the entry",
                        hosts[0]
                    )),
                };
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(value: &str, images: &[&str]) -> Vec<String> {
        let containers: Vec<String> = images
            .iter()
            .enumerate()
            .map(|(i, im)| format!("{{name: c{i}, image: \"{im}\"}}"))
            .collect();
        let text = format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    eks.tke.cloud.tencent.com/registry-http-endpoint: \"{value}\"\nspec:\n  containers: [{}]\n",
            containers.join(", ")
        );
        super::super::findings_on(&*new(None).unwrap(), &text)
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn registry_of_an_image() {
        assert_eq!(registry("nginx:1.27"), "docker.io");
        assert_eq!(registry("bitnami/redis"), "docker.io");
        assert_eq!(
            registry("harbor.example.com:5000/app/web:1"),
            "harbor.example.com:5000"
        );
        assert_eq!(registry("10.0.0.5:5000/web"), "10.0.0.5:5000");
        assert_eq!(registry("localhost/web"), "localhost");
        assert_eq!(
            registry("ccr.ccs.tencentyun.com/ns/app@sha256:00"),
            "ccr.ccs.tencentyun.com"
        );
    }

    #[test]
    fn an_entry_no_image_uses() {
        let f = run(
            "harbor.example.com",
            &["ccr.ccs.tencentyun.com/ns/app:1", "nginx"],
        );
        assert_eq!(f.len(), 1);
        assert!(
            f[0].contains("`harbor.example.com`")
                && f[0].contains("`ccr.ccs.tencentyun.com`, `docker.io`"),
            "{}",
            f[0]
        );
        // The port left out: said as such.
        let f = run("10.0.0.5", &["10.0.0.5:5000/web:1"]);
        assert!(f[0].contains("compares the port too"), "{}", f[0]);
        // A list that serves no image: one finding per entry.
        assert_eq!(run("10.0.0.6,10.0.0.7", &["10.0.0.5:5000/web"]).len(), 2);
        // A list that serves an image: only an entry off by its port is a mistake.
        assert!(run("10.0.0.5:5000,10.0.0.6,10.0.0.7", &["10.0.0.5:5000/web"]).is_empty());
        let f = run(
            "10.0.0.5:5000,10.0.0.6",
            &["10.0.0.5:5000/web", "10.0.0.6:8080/db"],
        );
        assert_eq!(f.len(), 1);
        assert!(
            f[0].contains("`10.0.0.6`") && f[0].contains("compares the port"),
            "{}",
            f[0]
        );
    }

    #[test]
    fn silent() {
        assert!(run("10.0.0.5:5000", &["10.0.0.5:5000/web:1"]).is_empty());
        assert!(run("HARBOR.example.com", &["harbor.example.com/web"]).is_empty());
        assert!(run("all", &["nginx"]).is_empty());
        assert!(run("harbor.example.com,all", &["nginx"]).is_empty());
        assert!(run("index.docker.io", &["nginx"]).is_empty());
        // Images not known here.
        assert!(run("harbor.example.com", &["$(IMAGE)"]).is_empty());
        assert!(run("harbor.example.com", &[""]).is_empty());
        // Not a host: EKS103 says so.
        assert!(run("http://harbor.example.com", &["nginx"]).is_empty());
    }
}
