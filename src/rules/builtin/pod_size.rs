//! EKS201–EKS205: the size EKS gives and bills a pod (`crate::k8s::sizing`), one finding kind per
//! rule, chosen by `params.finding`:
//!
//! * `rounded-up` (EKS201): the billed size is larger than what the containers ask for.
//! * `no-resources` (EKS202): nothing set, billed as the default 1 core / 2 GiB.
//! * `too-large` (EKS203): no size of the table in use fits the totals or a single limit.
//! * `invalid-annotation` (EKS204): the `cpu`/`mem` pair is not a size, or a container limit is
//!   above it.
//! * `gpu` (EKS205): GPU pods without a `gpu-type` (an unknown one is EKS103's), fractional GPU
//!   quantities, more cards than the model's largest size.
//!
//! DaemonSets are left alone (their pods never run on super nodes), and so are kustomize patches
//! (partial objects).

use serde::Deserialize;

use super::{Builtin, Phase, RawFinding, params};
use crate::k8s::sizing::{
    self, Amount, Billed, ContainerResources, GPU_RESOURCE, Problem, SizedBy, Sizing, Table,
    fmt_cores, fmt_gib, tables,
};
use crate::k8s::{ContainerKind, Object, PodTemplate};
use crate::source::Span;

/// The discriminants index [`Memo::findings`] and its bits.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
enum Finding {
    RoundedUp = 0,
    NoResources,
    TooLarge,
    InvalidAnnotation,
    Gpu,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Params {
    finding: Option<Finding>,
}

#[derive(Debug)]
struct PodSize(Finding);

pub fn new(p: Option<&serde_json::Value>) -> Result<Box<dyn Builtin>, String> {
    let p: Params = params("pod-size", p)?;
    let finding = p.finding.ok_or(
        "built-in check `pod-size` needs `params.finding`: one of rounded-up, no-resources, too-large, invalid-annotation, gpu",
    )?;
    Ok(Box::new(PodSize(finding)))
}

impl Builtin for PodSize {
    fn name(&self) -> &'static str {
        "pod-size"
    }
    fn phase(&self) -> Phase {
        Phase::Object
    }
    fn check_object(&self, obj: &Object<'_>, out: &mut Vec<RawFinding>) {
        if obj.patch || obj.is_kind("DaemonSet") {
            return;
        }
        let Some(pod) = obj.pod else {
            return;
        };
        let key = (
            std::ptr::from_ref(obj.node) as usize,
            obj.text.as_ptr() as usize,
            obj.text.len(),
            obj.document,
        );
        let bit = 1u8 << (self.0 as u8);
        MEMO.with_borrow_mut(|memo| {
            // Five rules (EKS201-EKS205) ask about the same object one after the other: size the
            // pod once. An entry whose finding kind was already handed out belongs to an earlier
            // round (another object that happens to sit at the same addresses): size again.
            if memo.key != Some(key) || memo.taken & bit != 0 {
                *memo = Memo {
                    key: Some(key),
                    taken: 0,
                    findings: all_findings(obj, &pod),
                };
            }
            memo.taken |= bit;
            out.append(&mut memo.findings[self.0 as usize]);
        });
    }
}

/// The findings of every kind for the object [`PodSize::check_object`] last sized on this thread.
#[derive(Default)]
struct Memo {
    /// The object: its node and text addresses, the text's length, the document index.
    key: Option<(usize, usize, usize, usize)>,
    /// One bit per [`Finding`] kind already handed out.
    taken: u8,
    findings: [Vec<RawFinding>; 5],
}

thread_local! {
    static MEMO: std::cell::RefCell<Memo> = std::cell::RefCell::new(Memo::default());
}

fn all_findings(obj: &Object<'_>, pod: &PodTemplate<'_>) -> [Vec<RawFinding>; 5] {
    let mut all: [Vec<RawFinding>; 5] = Default::default();
    let s = sizing::size_pod(pod);
    if s.containers.is_empty() {
        return all;
    }
    for kind in [
        Finding::RoundedUp,
        Finding::NoResources,
        Finding::TooLarge,
        Finding::InvalidAnnotation,
        Finding::Gpu,
    ] {
        let out = &mut all[kind as usize];
        match kind {
            Finding::RoundedUp => rounded_up(&s, pod, out),
            Finding::NoResources => no_resources(&s, pod, out),
            Finding::TooLarge => too_large(&s, pod, out),
            Finding::InvalidAnnotation => invalid_annotation(&s, out),
            Finding::Gpu => gpu(obj, &s, out),
        }
    }
    all
}

/// The node that stands for the pod's totals: the `resources` key of the only container that sets
/// any, else the `containers` key (`initContainers` when the init containers decide the size).
fn totals_span(s: &Sizing<'_>, pod: &PodTemplate<'_>) -> Span {
    let with: Vec<&ContainerResources<'_>> = s
        .containers
        .iter()
        .filter(|c| c.sets_cpu_or_memory() || c.gpu().is_some())
        .collect();
    if let [only] = with.as_slice()
        && let Some(k) = only.resources_key
    {
        return k.span;
    }
    let r = s.requested;
    let init_decides = (r.init.cpu > r.app.cpu || r.init.memory > r.app.memory)
        && r.app.cpu <= r.init.cpu
        && r.app.memory <= r.init.memory;
    let key = if init_decides {
        "initContainers"
    } else {
        "containers"
    };
    list_key(pod, key)
        .or_else(|| list_key(pod, "containers"))
        .unwrap_or_else(|| {
            pod.node
                .entries()
                .first()
                .map_or(pod.node.span, |e| e.key.span)
        })
}

fn list_key(pod: &PodTemplate<'_>, key: &str) -> Option<Span> {
    pod.spec.and_then(|sp| sp.entry(key)).map(|e| e.key.span)
}

fn container_word(c: &ContainerResources<'_>) -> String {
    let kind = if c.kind == ContainerKind::Init {
        "init container"
    } else {
        "container"
    };
    format!("{kind} `{}`", c.display_name())
}

fn rounded_up(s: &Sizing<'_>, pod: &PodTemplate<'_>, out: &mut Vec<RawFinding>) {
    if s.sized_by != SizedBy::Resources {
        return;
    }
    let Ok(b) = &s.billed else {
        return;
    };
    let r = s.requested.pod;
    let more_cards = b.gpu.as_ref().is_some_and(|g| g.cards > r.gpu);
    if b.cpu <= r.cpu && b.memory <= r.memory && !more_cards {
        return;
    }
    out.push(
        RawFinding::new(
            totals_span(s, pod),
            format!(
                "billed as {}; containers ask for {}",
                b.display(),
                r.display()
            ),
        )
        .label(format!("billed as {}", b.display()))
        .help(format!(
            "{}. Requests/limits that are exactly a size use all of what is billed (`ekslint size` shows every workload)",
            capitalize(&s.reason)
        )),
    );
}

fn no_resources(s: &Sizing<'_>, pod: &PodTemplate<'_>, out: &mut Vec<RawFinding>) {
    if s.sized_by != SizedBy::Default || s.annotations.cpu.is_some() || s.annotations.mem.is_some()
    {
        return;
    }
    // Requests and limits written as 0 ask for nothing, as none at all do.
    let quantities: Vec<sizing::Quantity<'_>> = s
        .containers
        .iter()
        .flat_map(|c| {
            [
                c.requests.cpu,
                c.requests.memory,
                c.limits.cpu,
                c.limits.memory,
            ]
        })
        .flatten()
        .collect();
    if !quantities.iter().all(|q| q.value == Some(0.0)) {
        return;
    }
    let d = sizing::DEFAULT_SIZE.display();
    let what = if quantities.is_empty() {
        "no container sets CPU or memory requests or limits"
    } else {
        "every CPU and memory request and limit is 0"
    };
    out.push(
        RawFinding::new(
            totals_span(s, pod),
            format!("{what}: EKS bills the pod as {d} whatever it uses"),
        )
        .label(format!("billed as {d}"))
        .help(
            "set `resources.requests` (and `limits`) to what the containers need, e.g. `cpu: 250m` and `memory: 512Mi` (billed as 0.25 cores / 0.5 GiB), or fix the size with the `eks.tke.cloud.tencent.com/cpu` and `mem` annotations",
        ),
    );
}

/// `Intel`, `AMD`, or the GPU type.
fn table_name(s: &Sizing<'_>) -> String {
    match s.table {
        Table::Gpu => s
            .annotations
            .gpu_types()
            .first()
            .map_or_else(|| "GPU".to_string(), |t| t.to_string()),
        t => t.label().to_string(),
    }
}

fn too_large(s: &Sizing<'_>, pod: &PodTemplate<'_>, out: &mut Vec<RawFinding>) {
    let Err(Problem::TooLarge { largest }) = &s.billed else {
        return;
    };
    let largest_text = if s.is_gpu() {
        let row = s
            .annotations
            .gpu_types()
            .first()
            .and_then(|t| {
                tables()
                    .gpu_rows(t)
                    .into_iter()
                    .find(|r| r.cpu == largest.cpu && r.memory == largest.memory)
            })
            .map(|r| {
                format!(
                    " ({})",
                    if r.cards == 1 {
                        "1 card".to_string()
                    } else {
                        format!("{} cards", r.cards)
                    }
                )
            })
            .unwrap_or_default();
        format!("{}{row}", largest.display())
    } else {
        largest.display()
    };
    let table = table_name(s);
    let tail = format!(
        "the largest {table} size is {largest_text}, so no size fits and the pod is not created"
    );
    // `cpu: 500` is 500 cores: most likely `500m` with its unit left out.
    let unit_slip = s
        .containers
        .iter()
        .flat_map(|c| [c.requests.cpu, c.limits.cpu])
        .flatten()
        .filter_map(|q| q.node.as_str())
        .find(|raw| raw.len() >= 3 && raw.bytes().all(|b| b.is_ascii_digit()));
    let help = match unit_slip {
        Some(raw) => format!(
            "`cpu: {raw}` is {raw} cores: did you mean `{raw}m` ({})? Otherwise lower the requests and limits to at most {}",
            fmt_cores(raw.parse::<u64>().unwrap_or(0)),
            largest.display()
        ),
        None => format!(
            "lower the requests and limits to at most {} (split the work across several pods), or keep this workload off super nodes",
            largest.display()
        ),
    };
    // A single container limit above the largest size.
    for c in &s.containers {
        if let Some(q) = c.limits.cpu.filter(|q| {
            q.value
                .is_some_and(|v| v * 1000.0 > largest.cpu as f64 + 1e-6)
        }) {
            out.push(
                RawFinding::new(
                    q.node.span,
                    format!(
                        "{} limits CPU to {}: {tail}",
                        container_word(c),
                        fmt_cores(quantity_milli(q.value))
                    ),
                )
                .label(format!("above {}", fmt_cores(largest.cpu)))
                .help(help),
            );
            return;
        }
        if let Some(q) = c
            .limits
            .memory
            .filter(|q| q.value.is_some_and(|v| v > largest.memory as f64 + 1e-6))
        {
            out.push(
                RawFinding::new(
                    q.node.span,
                    format!(
                        "{} limits memory to {}: {tail}",
                        container_word(c),
                        fmt_gib(q.value.unwrap_or(0.0) as u64)
                    ),
                )
                .label(format!("above {}", fmt_gib(largest.memory)))
                .help(help),
            );
            return;
        }
    }
    out.push(
        RawFinding::new(
            totals_span(s, pod),
            format!(
                "containers ask for {}: {tail}",
                s.requested.pod.amount().display()
            ),
        )
        .label(format!("above {}", largest.display()))
        .help(help),
    );
}

fn quantity_milli(v: Option<f64>) -> u64 {
    v.map_or(0, |v| (v * 1000.0 - 1e-6).ceil().max(0.0) as u64)
}

fn invalid_annotation(s: &Sizing<'_>, out: &mut Vec<RawFinding>) {
    let a = s.annotations;
    let (Some(cpu_node), Some(mem_node)) = (a.cpu, a.mem) else {
        return;
    };
    let (Some(cpu), Some(mem)) = (a.cpu_milli(), a.mem_bytes()) else {
        // Values EKS cannot read at all are EKS103's.
        return;
    };
    let pair = format!(
        "`cpu: \"{}\"` with `mem: \"{}\"`",
        cpu_node.as_str().unwrap_or(""),
        mem_node.as_str().unwrap_or("")
    );
    let help = "use a pair of the size table (e.g. `cpu: \"4\"` with `mem: \"8Gi\"`), or remove both annotations and let requests/limits decide";
    match &s.billed {
        Err(Problem::InvalidAnnotation { readable: true }) if s.is_gpu() => {
            let t = a.gpu_types().first().map_or("", |t| t).to_string();
            let rows = tables().gpu_rows(&t);
            let sizes: Vec<String> = rows
                .iter()
                .map(|r| {
                    format!(
                        "{} ({} card{})",
                        Amount::new(r.cpu, r.memory).display(),
                        r.cards,
                        if r.cards == 1 { "" } else { "s" }
                    )
                })
                .collect();
            let span = if rows.iter().any(|r| r.cpu == cpu) {
                mem_node.span
            } else {
                cpu_node.span
            };
            out.push(
                RawFinding::new(
                    span,
                    format!(
                        "{pair} is not a {t} size for {} GPU{}: a GPU pod's `cpu`/`mem` must be exactly one of {}",
                        s.requested.pod.gpu,
                        if s.requested.pod.gpu == 1 { "" } else { "s" },
                        sizes.join(", ")
                    ),
                )
                .label("not a GPU size")
                .help("omit `cpu`/`mem` on GPU pods (the GPU size fixes them), or copy a row of the GPU table exactly"),
            );
        }
        Err(Problem::InvalidAnnotation { readable: true }) => {
            let tabs = a.cpu_tables();
            let names: Vec<&str> = tabs.iter().map(|t| t.label()).collect();
            let names = names.join(" or ");
            let row = tabs
                .iter()
                .find_map(|&t| tables().cpu_rows(t).iter().find(|r| r.cpu == cpu));
            match row {
                None => {
                    let cores: Vec<String> = tabs
                        .iter()
                        .flat_map(|&t| tables().cpu_rows(t).iter().map(|r| r.cpu))
                        .fold(Vec::<u64>::new(), |mut v, c| {
                            if !v.contains(&c) {
                                v.push(c);
                            }
                            v
                        })
                        .into_iter()
                        .map(sizing::cores_number)
                        .collect();
                    out.push(
                        RawFinding::new(
                            cpu_node.span,
                            format!(
                                "{pair} is not an EKS size: the {names} table has {} cores, not {}",
                                join_or(&cores),
                                sizing::cores_number(cpu)
                            ),
                        )
                        .label("not a size")
                        .with_label(mem_node.span, "with this memory")
                        .help(help),
                    );
                }
                Some(r) => {
                    out.push(
                        RawFinding::new(
                            mem_node.span,
                            format!(
                                "{pair} is not an EKS size: {} come{} with {} in the {names} table, not {}",
                                fmt_cores(cpu),
                                if cpu == 1000 { "s" } else { "" },
                                r.describe_memory(),
                                fmt_gib(mem)
                            ),
                        )
                        .label("not a size")
                        .with_label(cpu_node.span, "with this CPU")
                        .help(help),
                    );
                }
            }
        }
        Ok(b) if s.sized_by == SizedBy::Annotations => {
            limits_above(s, b, cpu_node.span, mem_node.span, out)
        }
        _ => {}
    }
}

/// Container limits above the annotated size.
fn limits_above(
    s: &Sizing<'_>,
    b: &Billed,
    cpu_span: Span,
    mem_span: Span,
    out: &mut Vec<RawFinding>,
) {
    let help = "lower the limit to the annotated size, or raise the `cpu`/`mem` annotations to a size that holds it";
    for c in &s.containers {
        if let Some(q) = c.limits.cpu
            && let Some(v) = q.value
            && quantity_milli(Some(v)) > b.cpu
        {
            out.push(
                RawFinding::new(
                    q.node.span,
                    format!(
                        "{} limits CPU to {}, above the {} the `cpu` annotation gives the pod",
                        container_word(c),
                        fmt_cores(quantity_milli(Some(v))),
                        fmt_cores(b.cpu)
                    ),
                )
                .label("above the annotated size")
                .with_label(cpu_span, "the pod's CPU")
                .help(help),
            );
        }
        if let Some(q) = c.limits.memory
            && let Some(v) = q.value
            && v > b.memory as f64 + 1e-6
        {
            out.push(
                RawFinding::new(
                    q.node.span,
                    format!(
                        "{} limits memory to {}, above the {} the `mem` annotation gives the pod",
                        container_word(c),
                        fmt_gib(v.ceil() as u64),
                        fmt_gib(b.memory)
                    ),
                )
                .label("above the annotated size")
                .with_label(mem_span, "the pod's memory")
                .help(help),
            );
        }
    }
}

fn gpu(obj: &Object<'_>, s: &Sizing<'_>, out: &mut Vec<RawFinding>) {
    // GPU quantities must be whole numbers (Kubernetes rejects the others). Values that are not
    // numbers at all (`${GPUS}` placeholders of templated manifests) are not an EKS matter.
    for c in &s.containers {
        for q in [c.requests.gpu, c.limits.gpu].into_iter().flatten() {
            if q.value.is_none() || q.is_whole() {
                continue;
            }
            let raw = q.node.as_str().unwrap_or("");
            out.push(
                RawFinding::new(
                    q.node.span,
                    format!(
                        "`{GPU_RESOURCE}: {raw}` is not a whole number of GPUs: Kubernetes rejects the pod"
                    ),
                )
                .label("not a whole number")
                .help("a fraction of a card is a GPU type of its own: write `nvidia.com/gpu: 1` with `eks.tke.cloud.tencent.com/gpu-type: \"1/4*T4\"` (or `1/2*T4`)"),
            );
        }
    }
    // GPUs are an extended resource: Kubernetes takes no request without a limit, and no request
    // that differs from the limit.
    for c in &s.containers {
        let (Some(req), limit) = (c.requests.gpu, c.limits.gpu) else {
            continue;
        };
        let Some(r) = req.value else { continue };
        let raw = req.node.as_str().unwrap_or("");
        match limit.map(|l| (l, l.value)) {
            None => out.push(
                RawFinding::new(
                    req.node.span,
                    format!(
                        "{} requests `{GPU_RESOURCE}: {raw}` without a limit: Kubernetes rejects the pod (a GPU limit must be set)",
                        container_word(c)
                    ),
                )
                .label("no limit")
                .help(format!("set `limits: {{{GPU_RESOURCE}: {raw}}}` (the request may then go: it defaults to the limit)")),
            ),
            Some((l, Some(lv))) if lv != r => out.push(
                RawFinding::new(
                    req.node.span,
                    format!(
                        "{} requests `{GPU_RESOURCE}: {raw}` but its limit is {}: Kubernetes rejects the pod (a GPU request must equal its limit)",
                        container_word(c),
                        l.node.as_str().unwrap_or("")
                    ),
                )
                .label("request ≠ limit")
                .help("write the same number of cards in both, or only the limit (the request defaults to it)"),
            ),
            _ => {}
        }
    }
    if !s.is_gpu() {
        return;
    }
    // The container asking for the most cards stands for the pod's GPU count.
    let mut gpu_node: Option<sizing::Quantity<'_>> = None;
    for q in s.containers.iter().filter_map(|c| c.gpu()) {
        let v = q.value.unwrap_or(0.0);
        if v > 0.0 && gpu_node.is_none_or(|g| v > g.value.unwrap_or(0.0)) {
            gpu_node = Some(q);
        }
    }
    let known = tables().gpu_types().join(", ");
    match &s.billed {
        Err(Problem::GpuTypeMissing) => {
            // Cards from the legacy `gpu-count` alone are EKS105's business.
            let Some(q) = gpu_node else {
                return;
            };
            // Written on the workload's own metadata (EKS101 says so), where EKS does not read it.
            let misplaced = obj.pod.is_some_and(|p| !std::ptr::eq(p.node, obj.node))
                && obj
                    .node
                    .get_path(&["metadata", "annotations", sizing::ANN_GPU_TYPE])
                    .is_some();
            let where_ = if misplaced {
                " on its pod template (the one on the workload's own metadata is not read)"
            } else {
                ""
            };
            out.push(
                RawFinding::new(
                    q.node.span,
                    format!(
                        "the pod asks for {} but has no `eks.tke.cloud.tencent.com/gpu-type` annotation{where_}: EKS does not schedule it to super nodes",
                        sizing::plural(s.requested.pod.gpu, "GPU")
                    ),
                )
                .label("no gpu-type")
                .help(format!(
                    "add `eks.tke.cloud.tencent.com/gpu-type` to the pod template's annotations, e.g. \"T4\" or \"T4,V100\" (known types: {known})"
                )),
            );
        }
        Err(Problem::TooManyCards { max }) => {
            let t = table_name(s);
            let span = gpu_node.map_or_else(
                || s.annotations.gpu_type.map_or(Span::empty(0), |n| n.span),
                |q| q.node.span,
            );
            out.push(
                RawFinding::new(
                    span,
                    format!(
                        "the pod asks for {}, more than the largest {t} size ({}): the pod is not created",
                        sizing::plural(s.requested.pod.gpu.max(1), "GPU"),
                        sizing::plural(*max, "card")
                    ),
                )
                .label(format!("at most {max}"))
                .help(format!("ask for at most {max} cards of {t} per pod, or spread the work over several pods")),
            );
        }
        _ => {}
    }
    // A `gpu-type` entry that is no model of the table (unknown or withdrawn) is EKS103's: that
    // rule checks the annotation on every pod, GPU or not.
}

fn join_or(v: &[String]) -> String {
    match v.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => v.join(""),
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (message, help) of the `finding` kind on a Pod with these containers.
    fn run(finding: &str, containers: &str) -> Vec<(String, Option<String>)> {
        let text = format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n{containers}"
        );
        let params = serde_json::json!({ "finding": finding });
        super::super::findings_on(&*new(Some(&params)).unwrap(), &text)
            .into_iter()
            .map(|f| (f.message, f.help))
            .collect()
    }

    #[test]
    fn a_gpu_type_on_the_workload_metadata_is_said_to_be_unread() {
        let params = serde_json::json!({ "finding": "gpu" });
        let rule = new(Some(&params)).unwrap();
        let deployment = |at_top: &str, in_template: &str| {
            format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: g\n{at_top}spec:\n  template:\n    metadata:\n{in_template}    spec:\n      containers: [{{name: a, image: a, resources: {{limits: {{nvidia.com/gpu: 1}}}}}}]\n"
            )
        };
        let annotation = "eks.tke.cloud.tencent.com/gpu-type: T4";
        let misplaced = super::super::findings_on(
            &*rule,
            &deployment(
                &format!("  annotations: {{{annotation}}}\n"),
                "      labels: {a: b}\n",
            ),
        );
        assert_eq!(misplaced.len(), 1);
        assert!(
            misplaced[0]
                .message
                .contains("annotation on its pod template (the one on the workload's own metadata is not read)"),
            "{}",
            misplaced[0].message
        );
        let missing = super::super::findings_on(&*rule, &deployment("", "      labels: {a: b}\n"));
        assert!(
            !missing[0].message.contains("workload's own"),
            "{}",
            missing[0].message
        );
        let right = super::super::findings_on(
            &*rule,
            &deployment("", &format!("      annotations: {{{annotation}}}\n")),
        );
        assert!(right.is_empty(), "{right:?}");
    }

    #[test]
    fn a_cpu_without_its_unit_is_named() {
        let [(message, help)] = &run(
            "too-large",
            "  - name: a\n    resources: {requests: {cpu: 500, memory: 1Gi}}\n",
        )[..] else {
            panic!("one finding")
        };
        assert!(
            message.starts_with("containers ask for 500 cores"),
            "{message}"
        );
        assert!(
            help.as_deref()
                .unwrap()
                .starts_with("`cpu: 500` is 500 cores: did you mean `500m` (0.5 cores)?"),
            "{help:?}"
        );
        // A CPU that is just too large gets the plain advice.
        let [(_, help)] = &run(
            "too-large",
            "  - name: a\n    resources: {requests: {cpu: 20, memory: 1Gi}}\n",
        )[..] else {
            panic!("one finding")
        };
        assert!(
            help.as_deref().unwrap().starts_with("lower the requests"),
            "{help:?}"
        );
    }
}
