//! EKS601 image-reuse-key (global part): across all linted files, workloads that run the same
//! image without sharing an `eks.tke.cloud.tencent.com/cbs-reuse-key` cannot reuse each other's
//! cached system disk, so each of them pulls the image again.
//!
//! Per object (in parallel) it collects one small fact per (workload, image); once every file is
//! linted it groups the facts by image.

use std::collections::{BTreeMap, HashMap};

use super::{Builtin, Fact, GlobalFact, GlobalFinding, Phase, RawFinding, no_params};
use crate::k8s::{Object, ObjectRefView};

const KEY: &str = "eks.tke.cloud.tencent.com/cbs-reuse-key";

#[derive(Debug)]
struct ImageReuse;

pub fn new(params: Option<&serde_json::Value>) -> Result<Box<dyn Builtin>, String> {
    no_params("image-reuse-key", params)?;
    Ok(Box::new(ImageReuse))
}

/// An image of Docker Hub as it is usually written: `docker.io/library/alpine:3.20` and
/// `index.docker.io/library/alpine:3.20` are `alpine:3.20`, `docker.io/bitnami/redis` is
/// `bitnami/redis` (the same image, the same cache).
fn docker_hub_short(image: &str) -> &str {
    let rest = super::registry_hosts::DOCKER_HUB
        .iter()
        .find_map(|h| image.strip_prefix(h)?.strip_prefix('/'))
        .unwrap_or(image);
    match rest.strip_prefix("library/") {
        Some(official) if !official.contains('/') => official,
        _ => rest,
    }
}

impl Builtin for ImageReuse {
    fn name(&self) -> &'static str {
        "image-reuse-key"
    }
    fn phase(&self) -> Phase {
        Phase::Global
    }
    fn collect(&self, obj: &Object<'_>, out: &mut Vec<Fact>) {
        // DaemonSet pods never run on super nodes; patches are partial.
        let Some(pod) = obj.pod.filter(|_| !obj.patch && !obj.is_kind("DaemonSet")) else {
            return;
        };
        let key = pod
            .annotation(KEY)
            .and_then(|n| n.as_str())
            .unwrap_or("")
            .trim()
            .to_string();
        let object = obj.reference();
        let mut seen = Vec::new();
        for (_, c) in pod.containers() {
            let Some(image) = c.get("image") else {
                continue;
            };
            let Some(name) = image.as_str().map(str::trim).filter(|s| !s.is_empty()) else {
                continue;
            };
            let short = docker_hub_short(name);
            if seen.contains(&short) {
                continue;
            }
            seen.push(short);
            // The image as the cache knows it, the key, and the image as written (for messages).
            out.push(Fact {
                span: image.span,
                loc: Default::default(),
                object: object.clone(),
                strings: vec![short.to_string(), key.clone(), name.to_string()],
            });
        }
    }

    fn check_global(&self, facts: &[GlobalFact<'_>], out: &mut dyn FnMut(GlobalFinding)) {
        let mut by_image: BTreeMap<&str, Vec<&GlobalFact<'_>>> = BTreeMap::new();
        for f in facts {
            by_image.entry(f.fact.strings[0]).or_default().push(f);
        }
        // A workload is its object (kind, namespace, name): the same one in two files (a link
        // to a file, one manifest per environment) is one workload, whose pods share their
        // disks anyway. Objects without a name are told apart by their file.
        fn workload<'f>(f: &GlobalFact<'f>) -> (ObjectRefView<'f>, Option<usize>) {
            let object = f.fact.object;
            (object, object.name.is_none().then_some(f.file))
        }
        for (image, users) in by_image {
            let workloads: Vec<(ObjectRefView<'_>, Option<usize>)> = {
                let mut w: Vec<(ObjectRefView<'_>, Option<usize>)> =
                    users.iter().map(|f| workload(f)).collect();
                w.sort();
                w.dedup();
                w
            };
            if workloads.len() < 2 {
                continue;
            }
            let keys: Vec<&str> = users.iter().map(|f| f.fact.strings[1]).collect();
            let shared = !keys[0].is_empty() && keys.iter().all(|k| *k == keys[0]);
            if shared {
                continue;
            }
            // How many users each workload and each key has: the number of "others" of a user
            // is then arithmetic, not a scan of all users per user (a popular image has
            // hundreds of users in a monorepo).
            let mut per_workload: HashMap<(ObjectRefView<'_>, Option<usize>), usize> =
                HashMap::new();
            let mut per_key: HashMap<&str, usize> = HashMap::new();
            for f in &users {
                *per_workload.entry(workload(f)).or_default() += 1;
                *per_key.entry(f.fact.strings[1]).or_default() += 1;
            }
            for f in &users {
                let key = f.fact.strings[1];
                let me = workload(f);
                let is_other = |o: &&&GlobalFact<'_>| {
                    workload(o) != me && (key.is_empty() || o.fact.strings[1] != key)
                };
                // Users that are not others: the same workload (its pods carry one key) and,
                // for a non-empty key, every user that shares it.
                let same = per_workload[&me];
                let not_others = if key.is_empty() { same } else { per_key[key] };
                let total_others = users.len() - not_others;
                // Only three are named: formatting all of them for every user of a popular image
                // would cost the square of its users.
                let shown: Vec<String> = users
                    .iter()
                    .filter(is_other)
                    .take(3)
                    .map(|o| format!("{} ({})", o.fact.object.display(), o.path))
                    .collect();
                if shown.is_empty() {
                    continue;
                }
                let more = match total_others - shown.len() {
                    0 => String::new(),
                    n => format!(" and {n} more"),
                };
                let shown = shown.join(", ");
                let suggestion = image
                    .rsplit('/')
                    .next()
                    .unwrap_or(image)
                    .split([':', '@'])
                    .next()
                    .unwrap_or(image);
                out(GlobalFinding {
                    file: f.file,
                    loc: f.fact.loc,
                    raw: RawFinding::new(
                        f.fact.span,
                        format!(
                            "image `{}` also runs in {shown}{more} without a shared cbs-reuse-key: their pods cannot reuse each other's cached system disk",
                            f.fact.strings.get(2).copied().unwrap_or(image)
                        ),
                    )
                    .label("same image elsewhere")
                    .help(format!(
                        "give every workload that runs this image the same pod annotation, e.g. `{KEY}: \"{suggestion}\"`"
                    )),
                    object: f.fact.object.owned(),
                });
            }
        }
    }
}
