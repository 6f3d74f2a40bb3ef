//! Pod sizing: the size ("规格") TKE Serverless (EKS) gives a pod and bills, from its containers'
//! requests and limits or from its `cpu`/`mem` annotations, following `eks-pod-specs.md` §2 (CPU
//! pods) and §3 (GPU pods). The size tables are data: `catalog/pod-sizes.yaml`.
//!
//! CPU pods:
//! 1. per dimension (CPU, memory), over the app containers: `max(Σ requests, largest limit)`; the
//!    same over the init containers; the pod's totals are the larger of the two. A missing request
//!    or limit counts as 0 (the documented algorithm; note that the API server copies a limit into
//!    a missing request, which this deliberately does not model: see the tests).
//! 2. nothing set at all ⇒ 1 core / 2 GiB; CPU 0 ⇒ the smallest size that offers the memory;
//!    memory 0 ⇒ the smallest size with at least that CPU, with its least memory.
//! 3. otherwise row A = the first row with CPU ≥ the total; memory below A's minimum ⇒ A's
//!    minimum; above A's maximum ⇒ the next row whose range reaches it (CPU raised to that row);
//!    inside ⇒ the next allowed value ≥ the total. Nothing fits ⇒ no size (the pod is not created).
//!
//! `eks.tke.cloud.tencent.com/cpu` + `mem` replace the calculation. `cpu-type`: a comma-separated
//! priority list; its **first** entry decides the table used for the calculation (`amd…` or an AMD
//! instance family such as `SA2` ⇒ AMD, anything else ⇒ Intel). An annotated pair is accepted when any table the list names has it.
//!
//! GPU pods (`nvidia.com/gpu`): the cards are the sum of the app containers' GPU requests (a
//! request defaults to the limit, as Kubernetes does for extended resources; init containers run
//! one at a time, so the largest of them counts if larger), the model the first entry of
//! `gpu-type`. Row A = the rows of that model with the fewest cards ≥ the total, the smallest of
//! them whose CPU/memory cover B (the CPU-pod size of the totals, or the totals themselves when
//! they exceed the CPU tables, as in the documentation's second example); otherwise the smallest
//! row of that model with enough cards that covers B (more cards than asked).

use std::fmt::Write as _;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::{ContainerKind, PodTemplate, quantity};
use crate::yaml::Node;

pub const ANN_CPU: &str = "eks.tke.cloud.tencent.com/cpu";
pub const ANN_MEM: &str = "eks.tke.cloud.tencent.com/mem";
pub const ANN_CPU_TYPE: &str = "eks.tke.cloud.tencent.com/cpu-type";
pub const ANN_GPU_TYPE: &str = "eks.tke.cloud.tencent.com/gpu-type";
pub const ANN_GPU_COUNT: &str = "eks.tke.cloud.tencent.com/gpu-count";
pub const GPU_RESOURCE: &str = "nvidia.com/gpu";

const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;

// ---------------------------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------------------------

/// Which table a size comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Table {
    Intel,
    Amd,
    Gpu,
}

impl Table {
    /// For messages: `Intel`, `AMD`, `GPU`.
    pub fn label(self) -> &'static str {
        match self {
            Table::Intel => "Intel",
            Table::Amd => "AMD",
            Table::Gpu => "GPU",
        }
    }
    /// For JSON: `intel`, `amd`, `gpu`.
    pub fn key(self) -> &'static str {
        match self {
            Table::Intel => "intel",
            Table::Amd => "amd",
            Table::Gpu => "gpu",
        }
    }
}

/// A CPU-pod row: a number of cores and the memory sizes offered with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CpuRow {
    /// Millicores.
    pub cpu: u64,
    /// Bytes, increasing.
    pub memory: Vec<u64>,
}

impl CpuRow {
    pub fn min_memory(&self) -> u64 {
        self.memory[0]
    }
    pub fn max_memory(&self) -> u64 {
        *self.memory.last().unwrap_or(&0)
    }
    /// The smallest memory size of the row that is ≥ `m`.
    pub fn memory_at_least(&self, m: u64) -> Option<u64> {
        self.memory.iter().copied().find(|&x| x >= m)
    }
    /// `4–16 GiB` for a whole-GiB range, `0.5, 1 or 2 GiB` for a short list.
    pub fn describe_memory(&self) -> String {
        let whole_range = self.memory.len() > 4
            && self.memory.windows(2).all(|w| w[1] - w[0] == GIB)
            && self.memory[0].is_multiple_of(GIB);
        if whole_range {
            return format!(
                "{}–{}",
                gib_number(self.min_memory()),
                fmt_gib(self.max_memory())
            );
        }
        let vals: Vec<String> = self.memory.iter().map(|&m| gib_number(m)).collect();
        match vals.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last} GiB", rest.join(", ")),
            _ => format!("{} GiB", vals.join("")),
        }
    }
}

/// A GPU-pod row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GpuRow {
    /// The `gpu-type` annotation value, e.g. `V100`, `1/4*T4`.
    pub gpu_type: String,
    /// The table's label, e.g. `NVIDIA Tesla V100`.
    pub model: String,
    pub cards: u64,
    /// Millicores.
    pub cpu: u64,
    /// Bytes.
    pub memory: u64,
}

/// A GPU type that existed once and was withdrawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemovedGpu {
    pub gpu_type: String,
    pub removed: String,
}

/// All size tables.
#[derive(Clone, Debug)]
pub struct PodSizes {
    pub intel: Vec<CpuRow>,
    pub amd: Vec<CpuRow>,
    pub gpu: Vec<GpuRow>,
    pub removed_gpu_types: Vec<RemovedGpu>,
}

impl PodSizes {
    pub fn cpu_rows(&self, table: Table) -> &[CpuRow] {
        match table {
            Table::Amd => &self.amd,
            _ => &self.intel,
        }
    }
    /// The rows of a GPU type, in table order.
    pub fn gpu_rows(&self, gpu_type: &str) -> Vec<&GpuRow> {
        self.gpu.iter().filter(|r| r.gpu_type == gpu_type).collect()
    }
    pub fn gpu_types(&self) -> Vec<&str> {
        let mut v: Vec<&str> = Vec::new();
        for r in &self.gpu {
            if !v.contains(&r.gpu_type.as_str()) {
                v.push(&r.gpu_type);
            }
        }
        v
    }
    pub fn removed_gpu(&self, gpu_type: &str) -> Option<&RemovedGpu> {
        self.removed_gpu_types
            .iter()
            .find(|r| r.gpu_type == gpu_type)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawSizes {
    intel: Vec<RawCpuRow>,
    amd: Vec<RawCpuRow>,
    gpu: Vec<RawGpuRow>,
    #[serde(default)]
    removed_gpu_types: Vec<RawRemoved>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawCpuRow {
    cpu: f64,
    #[serde(default)]
    memory: Option<Vec<f64>>,
    #[serde(default)]
    memory_from: Option<u64>,
    #[serde(default)]
    memory_to: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGpuRow {
    #[serde(rename = "type")]
    gpu_type: String,
    model: String,
    cards: u64,
    cpu: f64,
    memory: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRemoved {
    #[serde(rename = "type")]
    gpu_type: String,
    removed: String,
}

const SIZES_TEXT: &str = include_str!("../../catalog/pod-sizes.yaml");

fn table_cores(c: f64) -> u64 {
    (c * 1000.0).round() as u64
}

fn table_gib(g: f64) -> u64 {
    (g * GIB as f64).round() as u64
}

fn cpu_rows(name: &str, raw: Vec<RawCpuRow>) -> Result<Vec<CpuRow>, String> {
    let mut rows = Vec::with_capacity(raw.len());
    for r in raw {
        let memory: Vec<u64> = match (r.memory, r.memory_from, r.memory_to) {
            (Some(list), None, None) => list.into_iter().map(table_gib).collect(),
            (None, Some(from), Some(to)) if from <= to => (from..=to).map(|g| g * GIB).collect(),
            _ => {
                return Err(format!(
                    "{name} row {} cores: give either `memory: [...]` or `memory-from` ≤ `memory-to`",
                    r.cpu
                ));
            }
        };
        if memory.is_empty() || memory.windows(2).any(|w| w[0] >= w[1]) || r.cpu <= 0.0 {
            return Err(format!(
                "{name} row {} cores: memory must be increasing and not empty",
                r.cpu
            ));
        }
        rows.push(CpuRow {
            cpu: table_cores(r.cpu),
            memory,
        });
    }
    if rows.is_empty() || rows.windows(2).any(|w| w[0].cpu >= w[1].cpu) {
        return Err(format!(
            "{name}: rows must exist and be in increasing CPU order"
        ));
    }
    Ok(rows)
}

/// Parses the size tables (the embedded `catalog/pod-sizes.yaml`, or a test's text).
pub fn load(text: &str) -> Result<PodSizes, String> {
    let raw: RawSizes = serde_saphyr::from_str(text).map_err(|e| e.to_string())?;
    let gpu: Vec<GpuRow> = raw
        .gpu
        .into_iter()
        .map(|r| GpuRow {
            gpu_type: r.gpu_type,
            model: r.model,
            cards: r.cards,
            cpu: table_cores(r.cpu),
            memory: table_gib(r.memory),
        })
        .collect();
    if gpu
        .iter()
        .any(|r| r.cards == 0 || r.cpu == 0 || r.memory == 0)
    {
        return Err("gpu: every row needs cards, cpu and memory above 0".into());
    }
    Ok(PodSizes {
        intel: cpu_rows("intel", raw.intel)?,
        amd: cpu_rows("amd", raw.amd)?,
        gpu,
        removed_gpu_types: raw
            .removed_gpu_types
            .into_iter()
            .map(|r| RemovedGpu {
                gpu_type: r.gpu_type,
                removed: r.removed,
            })
            .collect(),
    })
}

/// The size tables, loaded once from the embedded data file.
pub fn tables() -> &'static PodSizes {
    static TABLES: OnceLock<PodSizes> = OnceLock::new();
    TABLES.get_or_init(|| {
        load(SIZES_TEXT).unwrap_or_else(|e| panic!("catalog/pod-sizes.yaml is invalid: {e}"))
    })
}

// ---------------------------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------------------------

/// `0.25`, `1`, `1.5` (millicores as a number of cores).
pub fn cores_number(milli: u64) -> String {
    trim_number(milli as f64 / 1000.0, 3)
}

/// `1 core`, `0.5 cores`, `4 cores`.
pub fn fmt_cores(milli: u64) -> String {
    let n = cores_number(milli);
    if milli == 1000 {
        "1 core".into()
    } else {
        format!("{n} cores")
    }
}

/// `1-core`, `0.25-core` (as an adjective).
fn cores_adj(milli: u64) -> String {
    format!("{}-core", cores_number(milli))
}

/// `8`, `3.5`, `0.29` (bytes as GiB, at most two decimals).
pub fn gib_number(bytes: u64) -> String {
    trim_number(bytes as f64 / GIB as f64, 2)
}

/// `8 GiB`, `0.5 GiB`, `3.5 GiB`; sizes that are not a round number of GiB (two decimals) and
/// below 10 GiB in MiB: `128 MiB`, `300 MiB`, `953.7 MiB`; below 1 MiB in KiB or bytes.
pub fn fmt_gib(bytes: u64) -> String {
    let round_gib = (bytes as u128 * 100).is_multiple_of(GIB as u128);
    if bytes > 0 && bytes < MIB {
        crate::lint::size_text(bytes)
    } else if round_gib || bytes >= 10 * GIB {
        format!("{} GiB", gib_number(bytes))
    } else {
        format!("{} MiB", trim_number(bytes as f64 / MIB as f64, 1))
    }
}

fn trim_number(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// `1 core comes`, `2 cores come`.
fn come(milli: u64) -> &'static str {
    if milli == 1000 { "comes" } else { "come" }
}

/// `1 GPU`, `2 GPUs`.
pub fn plural(n: u64, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

// ---------------------------------------------------------------------------------------------
// Sizes and the CPU algorithm
// ---------------------------------------------------------------------------------------------

/// CPU (millicores) and memory (bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Amount {
    pub cpu: u64,
    pub memory: u64,
}

impl Amount {
    pub const fn new(cpu_milli: u64, memory_bytes: u64) -> Amount {
        Amount {
            cpu: cpu_milli,
            memory: memory_bytes,
        }
    }
    /// From cores and GiB (tests, tables).
    pub fn cores_gib(cores: f64, gib: f64) -> Amount {
        Amount::new(table_cores(cores), table_gib(gib))
    }
    pub fn covers(&self, other: Amount) -> bool {
        self.cpu >= other.cpu && self.memory >= other.memory
    }
    /// `4 cores / 8 GiB`.
    pub fn display(&self) -> String {
        format!("{} / {}", fmt_cores(self.cpu), fmt_gib(self.memory))
    }
    fn max(self, o: Amount) -> Amount {
        Amount::new(self.cpu.max(o.cpu), self.memory.max(o.memory))
    }
}

/// The documented size of a pod that sets nothing.
pub const DEFAULT_SIZE: Amount = Amount::new(1000, 2 * GIB);

/// A row a pod's totals snap to, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapped {
    pub size: Amount,
    /// Empty when the totals are exactly a size.
    pub why: String,
}

/// Snaps CPU/memory totals to a row of a CPU table (§2 step 2). `Err` explains why no row fits.
pub fn snap(rows: &[CpuRow], table: Table, want: Amount) -> Result<Snapped, String> {
    let largest = rows.last().map(|r| Amount::new(r.cpu, r.max_memory()));
    let too_large = |what: String| {
        let l = largest.unwrap_or_default();
        format!(
            "{what} is above the largest {} size, {}: no size fits",
            table.label(),
            l.display()
        )
    };
    if want.cpu == 0 && want.memory == 0 {
        return Ok(Snapped {
            size: DEFAULT_SIZE,
            why: format!(
                "the containers ask for no CPU and no memory (none set, or 0): EKS uses the default {}",
                DEFAULT_SIZE.display()
            ),
        });
    }
    if want.cpu == 0 {
        let Some((row, mem)) = rows
            .iter()
            .find_map(|r| r.memory_at_least(want.memory).map(|m| (r, m)))
        else {
            return Err(too_large(format!("memory {}", fmt_gib(want.memory))));
        };
        return Ok(Snapped {
            size: Amount::new(row.cpu, mem),
            why: format!(
                "no container sets a CPU request or limit: the smallest size with {} has {}",
                fmt_gib(want.memory),
                fmt_cores(row.cpu)
            ),
        });
    }
    let Some(ai) = rows.iter().position(|r| r.cpu >= want.cpu) else {
        return Err(too_large(format!("CPU {}", fmt_cores(want.cpu))));
    };
    let a = &rows[ai];
    let mut why = Vec::new();
    if a.cpu > want.cpu {
        why.push(format!(
            "{} is not a size, the next one up has {}",
            fmt_cores(want.cpu),
            fmt_cores(a.cpu)
        ));
    }
    if want.memory == 0 {
        why.push(format!(
            "no container sets a memory request or limit: {} {} with at least {}",
            fmt_cores(a.cpu),
            come(a.cpu),
            fmt_gib(a.min_memory())
        ));
        return Ok(Snapped {
            size: Amount::new(a.cpu, a.min_memory()),
            why: why.join("; "),
        });
    }
    if want.memory > a.max_memory() {
        let Some((b, mem)) = rows[ai + 1..]
            .iter()
            .find_map(|r| r.memory_at_least(want.memory).map(|m| (r, m)))
        else {
            return Err(too_large(format!(
                "memory {} (with {})",
                fmt_gib(want.memory),
                fmt_cores(want.cpu)
            )));
        };
        why.push(format!(
            "memory {} is above the {} maximum of {}, so the next size with {} has {}",
            fmt_gib(want.memory),
            cores_adj(a.cpu),
            fmt_gib(a.max_memory()),
            fmt_gib(want.memory),
            fmt_cores(b.cpu)
        ));
        return Ok(Snapped {
            size: Amount::new(b.cpu, mem),
            why: why.join("; "),
        });
    }
    let mem = if want.memory < a.min_memory() {
        why.push(format!(
            "{} {} with at least {}",
            fmt_cores(a.cpu),
            come(a.cpu),
            fmt_gib(a.min_memory())
        ));
        a.min_memory()
    } else {
        let m = a.memory_at_least(want.memory).unwrap_or(a.max_memory());
        if m != want.memory {
            why.push(format!(
                "{} {} with {}: memory {} rounds up to {}",
                fmt_cores(a.cpu),
                come(a.cpu),
                a.describe_memory(),
                fmt_gib(want.memory),
                fmt_gib(m)
            ));
        }
        m
    };
    Ok(Snapped {
        size: Amount::new(a.cpu, mem),
        why: why.join("; "),
    })
}

// ---------------------------------------------------------------------------------------------
// Reading a pod
// ---------------------------------------------------------------------------------------------

/// A resource quantity as written, and its value (`None`: not a valid quantity).
#[derive(Clone, Copy, Debug)]
pub struct Quantity<'a> {
    pub node: &'a Node<'a>,
    pub value: Option<f64>,
}

impl<'a> Quantity<'a> {
    fn read(node: &'a Node<'a>) -> Quantity<'a> {
        let value = node
            .as_str()
            .and_then(quantity::parse)
            .filter(|v| v.is_finite() && *v >= 0.0);
        Quantity { node, value }
    }
    fn milli(&self) -> u64 {
        self.value
            .map_or(0, |v| (v * 1000.0 - 1e-6).ceil().max(0.0) as u64)
    }
    fn bytes(&self) -> u64 {
        self.value.map_or(0, |v| (v - 1e-6).ceil().max(0.0) as u64)
    }
    /// A whole number of cards (rounded up when it is not, which is an error of its own).
    fn cards(&self) -> u64 {
        self.value.map_or(0, |v| (v - 1e-9).ceil().max(0.0) as u64)
    }
    pub fn is_whole(&self) -> bool {
        self.value.is_some_and(|v| v.fract() == 0.0)
    }
}

/// The CPU, memory and GPU quantities of a `requests` or `limits` mapping.
#[derive(Clone, Copy, Debug, Default)]
pub struct Dims<'a> {
    pub cpu: Option<Quantity<'a>>,
    pub memory: Option<Quantity<'a>>,
    pub gpu: Option<Quantity<'a>>,
}

impl<'a> Dims<'a> {
    fn read(node: Option<&'a Node<'a>>) -> Dims<'a> {
        let get = |k: &str| node.and_then(|n| n.get(k)).map(Quantity::read);
        Dims {
            cpu: get("cpu"),
            memory: get("memory"),
            gpu: get(GPU_RESOURCE),
        }
    }
    fn amount(&self) -> Amount {
        Amount::new(
            self.cpu.map_or(0, |q| q.milli()),
            self.memory.map_or(0, |q| q.bytes()),
        )
    }
}

/// One container's resources.
#[derive(Clone, Debug)]
pub struct ContainerResources<'a> {
    pub kind: ContainerKind,
    pub node: &'a Node<'a>,
    pub name: Option<&'a str>,
    /// The `resources` key, when present.
    pub resources_key: Option<&'a Node<'a>>,
    pub requests: Dims<'a>,
    pub limits: Dims<'a>,
}

impl<'a> ContainerResources<'a> {
    /// Whether the container sets a CPU or memory request or limit.
    pub fn sets_cpu_or_memory(&self) -> bool {
        self.requests.cpu.is_some()
            || self.requests.memory.is_some()
            || self.limits.cpu.is_some()
            || self.limits.memory.is_some()
    }
    /// The container's GPU count: its request, or its limit (Kubernetes copies the limit of an
    /// extended resource into a missing request).
    pub fn gpu(&self) -> Option<Quantity<'a>> {
        self.requests.gpu.or(self.limits.gpu)
    }
    pub fn display_name(&self) -> &str {
        self.name.unwrap_or("(unnamed)")
    }
}

/// What a group of containers (or the pod) asks for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Demand {
    /// Millicores.
    pub cpu: u64,
    /// Bytes.
    pub memory: u64,
    /// Cards.
    pub gpu: u64,
}

impl Demand {
    pub fn amount(&self) -> Amount {
        Amount::new(self.cpu, self.memory)
    }
    /// `3 cores / 3.5 GiB`, `no CPU / 8 GiB`, `… / 2 GPUs`.
    pub fn display(&self) -> String {
        let cpu = if self.cpu == 0 {
            "no CPU".to_string()
        } else {
            fmt_cores(self.cpu)
        };
        let mem = if self.memory == 0 {
            "no memory".to_string()
        } else {
            fmt_gib(self.memory)
        };
        let mut s = format!("{cpu} / {mem}");
        if self.gpu > 0 {
            let _ = write!(s, " / {}", plural(self.gpu, "GPU"));
        }
        s
    }
}

/// The totals of step 1: app containers, init containers, and the pod (the larger of the two).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Requested {
    pub app: Demand,
    pub init: Demand,
    pub pod: Demand,
}

/// `max(Σ requests, largest limit)` per dimension over a group of containers.
fn group_amount<'x, 'a: 'x>(cs: impl Iterator<Item = &'x ContainerResources<'a>>) -> Amount {
    let mut sum = Amount::default();
    let mut max_limit = Amount::default();
    for c in cs {
        let r = c.requests.amount();
        sum.cpu = sum.cpu.saturating_add(r.cpu);
        sum.memory = sum.memory.saturating_add(r.memory);
        max_limit = max_limit.max(c.limits.amount());
    }
    sum.max(max_limit)
}

/// Reads every app and init container's resources (ephemeral containers have none).
pub fn containers<'a>(pod: &PodTemplate<'a>) -> Vec<ContainerResources<'a>> {
    pod.containers()
        .filter(|(k, _)| *k != ContainerKind::Ephemeral)
        .map(|(kind, node)| {
            let resources = node.entry("resources");
            let value = resources.map(|e| &e.value);
            ContainerResources {
                kind,
                node,
                name: node.get_str("name"),
                resources_key: resources.map(|e| &e.key),
                requests: Dims::read(value.and_then(|v| v.get("requests"))),
                limits: Dims::read(value.and_then(|v| v.get("limits"))),
            }
        })
        .collect()
}

/// Step 1 over the containers of a pod.
pub fn requested(cs: &[ContainerResources<'_>]) -> Requested {
    let app = cs.iter().filter(|c| c.kind == ContainerKind::Container);
    let init = cs.iter().filter(|c| c.kind == ContainerKind::Init);
    let a = group_amount(app.clone());
    let i = group_amount(init.clone());
    let app_gpu = app
        .filter_map(|c| c.gpu())
        .map(|q| q.cards())
        .fold(0u64, u64::saturating_add);
    let init_gpu = init
        .filter_map(|c| c.gpu())
        .map(|q| q.cards())
        .max()
        .unwrap_or(0);
    let app = Demand {
        cpu: a.cpu,
        memory: a.memory,
        gpu: app_gpu,
    };
    let init = Demand {
        cpu: i.cpu,
        memory: i.memory,
        gpu: init_gpu,
    };
    Requested {
        app,
        init,
        pod: Demand {
            cpu: a.cpu.max(i.cpu),
            memory: a.memory.max(i.memory),
            gpu: app_gpu.max(init_gpu),
        },
    }
}

/// The sizing annotations of a pod template.
#[derive(Clone, Copy, Debug, Default)]
pub struct SizeAnnotations<'a> {
    pub cpu: Option<&'a Node<'a>>,
    pub mem: Option<&'a Node<'a>>,
    pub cpu_type: Option<&'a Node<'a>>,
    pub gpu_type: Option<&'a Node<'a>>,
    pub gpu_count: Option<&'a Node<'a>>,
}

impl<'a> SizeAnnotations<'a> {
    pub fn of(pod: &PodTemplate<'a>) -> SizeAnnotations<'a> {
        SizeAnnotations {
            cpu: pod.annotation(ANN_CPU),
            mem: pod.annotation(ANN_MEM),
            cpu_type: pod.annotation(ANN_CPU_TYPE),
            gpu_type: pod.annotation(ANN_GPU_TYPE),
            gpu_count: pod.annotation(ANN_GPU_COUNT),
        }
    }
    /// The `cpu` annotation in millicores, when it is a plain number of cores (what EKS reads;
    /// other spellings are EKS103's business).
    pub fn cpu_milli(&self) -> Option<u64> {
        let v = self.cpu?.as_str()?.trim();
        if !is_decimal(v) {
            return None;
        }
        v.parse::<f64>().ok().map(|c| (c * 1000.0).round() as u64)
    }
    /// The `mem` annotation in bytes, when written in `Gi` (or `Mi`, which older docs allowed).
    pub fn mem_bytes(&self) -> Option<u64> {
        let v = self.mem?.as_str()?.trim();
        let (n, unit) = if let Some(n) = v.strip_suffix("Gi") {
            (n, GIB)
        } else if let Some(n) = v.strip_suffix("Mi") {
            (n, MIB)
        } else {
            return None;
        };
        if !is_decimal(n) {
            return None;
        }
        n.parse::<f64>()
            .ok()
            .map(|x| (x * unit as f64).round() as u64)
    }
    /// The entries of `cpu-type`, trimmed and non-empty.
    pub fn cpu_types(&self) -> Vec<&'a str> {
        list(self.cpu_type)
    }
    /// The entries of `gpu-type`, trimmed and non-empty.
    pub fn gpu_types(&self) -> Vec<&'a str> {
        list(self.gpu_type)
    }
    /// The tables the `cpu-type` list can pick: AMD for `amd…` entries, Intel for the others;
    /// Intel when unset. The first is the one the calculation uses.
    pub fn cpu_tables(&self) -> Vec<Table> {
        let mut v = Vec::new();
        for t in self.cpu_types() {
            let table = if is_amd(t) { Table::Amd } else { Table::Intel };
            if !v.contains(&table) {
                v.push(table);
            }
        }
        if v.is_empty() {
            v.push(Table::Intel);
        }
        v
    }
}

/// A `cpu-type` entry that asks for AMD: `amd`, or an AMD instance family (`SA2`, `SA5`: CVM's
/// standard AMD families, as `S5` is an Intel one).
fn is_amd(entry: &str) -> bool {
    let lower = entry.to_ascii_lowercase();
    lower.starts_with("amd")
        || lower
            .strip_prefix("sa")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn list<'a>(node: Option<&'a Node<'a>>) -> Vec<&'a str> {
    node.and_then(|n| n.as_str())
        .map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn is_decimal(s: &str) -> bool {
    let uint = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match s.split_once('.') {
        Some((a, b)) => uint(a) && uint(b),
        None => uint(s),
    }
}

// ---------------------------------------------------------------------------------------------
// The whole pod
// ---------------------------------------------------------------------------------------------

/// A GPU size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GpuSize {
    pub gpu_type: String,
    pub model: String,
    pub cards: u64,
}

/// The size EKS bills.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Billed {
    pub cpu: u64,
    pub memory: u64,
    pub gpu: Option<GpuSize>,
}

impl Billed {
    pub fn amount(&self) -> Amount {
        Amount::new(self.cpu, self.memory)
    }
    /// `4 cores / 8 GiB`, `8 cores / 40 GiB / 1 × V100`.
    pub fn display(&self) -> String {
        let mut s = self.amount().display();
        if let Some(g) = &self.gpu {
            let _ = write!(s, " / {} × {}", g.cards, g.gpu_type);
        }
        s
    }
}

/// How the size was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SizedBy {
    /// The `cpu`/`mem` annotations.
    Annotations,
    /// The containers' requests and limits.
    Resources,
    /// Nothing set: the default 1 core / 2 GiB.
    Default,
}

/// Why a pod has no size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The totals exceed the largest row of the table in use.
    TooLarge { largest: Amount },
    /// The `cpu`/`mem` annotations do not name a size (or cannot be read).
    InvalidAnnotation { readable: bool },
    /// GPUs asked for without a `gpu-type`.
    GpuTypeMissing,
    /// `gpu-type` names no model of the table (or a withdrawn one).
    GpuTypeUnknown(String),
    /// More cards than the model's largest size.
    TooManyCards { max: u64 },
    /// A GPU quantity that is not a whole number: Kubernetes rejects the pod.
    FractionalGpu,
}

/// The outcome of sizing a pod.
#[derive(Clone, Debug)]
pub struct Sizing<'a> {
    pub containers: Vec<ContainerResources<'a>>,
    pub annotations: SizeAnnotations<'a>,
    pub requested: Requested,
    pub table: Table,
    pub sized_by: SizedBy,
    /// The billed size, or why there is none.
    pub billed: Result<Billed, Problem>,
    /// A sentence for people: how the size follows from the pod.
    pub reason: String,
}

impl<'a> Sizing<'a> {
    /// Whether the pod asks for GPUs (or names a GPU count the legacy way).
    pub fn is_gpu(&self) -> bool {
        self.table == Table::Gpu
    }
    /// Whether any app or init container sets a CPU or memory request or limit.
    pub fn sets_cpu_or_memory(&self) -> bool {
        self.containers.iter().any(|c| c.sets_cpu_or_memory())
    }
}

/// Sizes a pod template with the embedded tables.
pub fn size_pod<'a>(pod: &PodTemplate<'a>) -> Sizing<'a> {
    size_pod_with(tables(), pod)
}

/// Sizes a pod template with the given tables.
pub fn size_pod_with<'a>(t: &PodSizes, pod: &PodTemplate<'a>) -> Sizing<'a> {
    let containers = containers(pod);
    let requested = requested(&containers);
    let annotations = SizeAnnotations::of(pod);
    let mut cards = requested.pod.gpu;
    if cards == 0 {
        // The legacy way: `gpu-count` next to `gpu-type`.
        cards = annotations
            .gpu_count
            .and_then(|n| n.as_str())
            .and_then(|s| s.trim().parse::<u64>().ok())
            .unwrap_or(0);
    }
    let mut s = Sizing {
        containers,
        annotations,
        requested,
        table: annotations.cpu_tables()[0],
        sized_by: SizedBy::Resources,
        billed: Err(Problem::InvalidAnnotation { readable: false }),
        reason: String::new(),
    };
    let annotated = annotations.cpu.is_some() && annotations.mem.is_some();
    if annotated {
        s.sized_by = SizedBy::Annotations;
    }
    // Kubernetes takes only whole GPUs: the pod is never created, so it is never billed.
    let fractional = s
        .containers
        .iter()
        .flat_map(|c| [c.requests.gpu, c.limits.gpu])
        .flatten()
        .find(|q| q.value.is_some() && !q.is_whole());
    if let Some(q) = fractional {
        s.table = Table::Gpu;
        s.billed = Err(Problem::FractionalGpu);
        s.reason = format!(
            "`{GPU_RESOURCE}: {}` is not a whole number of GPUs: Kubernetes rejects the pod",
            q.node.as_str().unwrap_or("")
        );
        return s;
    }
    if cards > 0 {
        s.table = Table::Gpu;
        size_gpu(t, &mut s, cards);
    } else if annotated {
        size_annotated_cpu(t, &mut s);
    } else {
        let want = requested.pod.amount();
        if want == Amount::default() {
            s.sized_by = SizedBy::Default;
        }
        match snap(t.cpu_rows(s.table), s.table, want) {
            Ok(sn) => {
                s.billed = Ok(Billed {
                    cpu: sn.size.cpu,
                    memory: sn.size.memory,
                    gpu: None,
                });
                s.reason = if sn.why.is_empty() {
                    format!(
                        "{} is a size of the {} table",
                        sn.size.display(),
                        s.table.label()
                    )
                } else {
                    sn.why
                };
            }
            Err(why) => {
                let rows = t.cpu_rows(s.table);
                let last = rows.last().expect("tables are not empty");
                s.billed = Err(Problem::TooLarge {
                    largest: Amount::new(last.cpu, last.max_memory()),
                });
                s.reason = why;
            }
        }
        if s.sized_by == SizedBy::Resources
            && let Some(note) = init_note(&requested)
        {
            s.reason = format!("{note}; {}", s.reason);
        }
        let lone = match (annotations.cpu, annotations.mem) {
            (Some(_), None) => Some("`cpu` annotation without `mem`"),
            (None, Some(_)) => Some("`mem` annotation without `cpu`"),
            _ => None,
        };
        if let Some(lone) = lone {
            let _ = write!(s.reason, " (a {lone} does not size the pod)");
        }
    }
    s
}

/// Says so when the init containers decide a dimension.
fn init_note(r: &Requested) -> Option<String> {
    let cpu = r.init.cpu > r.app.cpu;
    let mem = r.init.memory > r.app.memory;
    match (cpu, mem) {
        (true, true) => Some(format!(
            "the init containers ask for more ({}) than the app containers ({})",
            r.init.amount().display(),
            r.app.display()
        )),
        (true, false) => Some(format!(
            "the init containers decide the CPU ({} > {})",
            fmt_cores(r.init.cpu),
            if r.app.cpu == 0 {
                "none".into()
            } else {
                fmt_cores(r.app.cpu)
            }
        )),
        (false, true) => Some(format!(
            "the init containers decide the memory ({} > {})",
            fmt_gib(r.init.memory),
            if r.app.memory == 0 {
                "none".into()
            } else {
                fmt_gib(r.app.memory)
            }
        )),
        (false, false) => None,
    }
}

fn size_annotated_cpu(t: &PodSizes, s: &mut Sizing<'_>) {
    let a = s.annotations;
    let (Some(cpu), Some(mem)) = (a.cpu_milli(), a.mem_bytes()) else {
        s.billed = Err(Problem::InvalidAnnotation { readable: false });
        s.reason = "the `cpu`/`mem` annotations cannot be read as a number of cores and a memory size in Gi: EKS rejects the pod".into();
        return;
    };
    let want = Amount::new(cpu, mem);
    let tables = a.cpu_tables();
    let hit = tables.iter().copied().find(|&table| {
        t.cpu_rows(table)
            .iter()
            .any(|r| r.cpu == cpu && r.memory.contains(&mem))
    });
    match hit {
        Some(table) => {
            s.table = table;
            s.billed = Ok(Billed {
                cpu,
                memory: mem,
                gpu: None,
            });
            s.reason = format!(
                "set by the `cpu`/`mem` annotations ({}); requests and limits are not used",
                want.display()
            );
        }
        None => {
            s.billed = Err(Problem::InvalidAnnotation { readable: true });
            s.reason = format!(
                "the `cpu`/`mem` annotations ask for {}, which is not a size of the {} table",
                want.display(),
                tables
                    .iter()
                    .map(|t| t.label())
                    .collect::<Vec<_>>()
                    .join(" or ")
            );
        }
    }
}

fn size_gpu(t: &PodSizes, s: &mut Sizing<'_>, cards: u64) {
    let types = s.annotations.gpu_types();
    let Some(&first) = types.first() else {
        s.billed = Err(Problem::GpuTypeMissing);
        s.reason = format!(
            "the pod asks for {} but sets no `gpu-type`: EKS does not know which GPU to give it",
            plural(cards, "GPU")
        );
        return;
    };
    let rows = t.gpu_rows(first);
    if rows.is_empty() {
        s.billed = Err(Problem::GpuTypeUnknown(first.to_string()));
        s.reason = match t.removed_gpu(first) {
            Some(r) => format!("GPU type `{first}` was withdrawn on {}", r.removed),
            None => format!("`{first}` is not a GPU type of the EKS table"),
        };
        return;
    }
    let max_cards = rows.iter().map(|r| r.cards).max().unwrap_or(0);
    if cards > max_cards {
        s.billed = Err(Problem::TooManyCards { max: max_cards });
        s.reason = format!(
            "{} is more than the largest {first} size ({})",
            plural(cards, "GPU"),
            plural(max_cards, "card")
        );
        return;
    }
    let billed_from = |r: &GpuRow| Billed {
        cpu: r.cpu,
        memory: r.memory,
        gpu: Some(GpuSize {
            gpu_type: r.gpu_type.clone(),
            model: r.model.clone(),
            cards: r.cards,
        }),
    };
    let a = s.annotations;
    if a.cpu.is_some() && a.mem.is_some() {
        let (Some(cpu), Some(mem)) = (a.cpu_milli(), a.mem_bytes()) else {
            s.billed = Err(Problem::InvalidAnnotation { readable: false });
            s.reason = "the `cpu`/`mem` annotations cannot be read as a number of cores and a memory size in Gi: EKS rejects the pod".into();
            return;
        };
        match rows
            .iter()
            .find(|r| r.cards >= cards && r.cpu == cpu && r.memory == mem)
        {
            Some(r) => {
                s.billed = Ok(billed_from(r));
                s.reason = format!(
                    "set by the `cpu`/`mem` annotations: the {}-card {first} size with {}",
                    r.cards,
                    Amount::new(cpu, mem).display()
                );
            }
            None => {
                s.billed = Err(Problem::InvalidAnnotation { readable: true });
                s.reason = format!(
                    "the `cpu`/`mem` annotations ask for {}, which is not a {first} size with {} or more",
                    Amount::new(cpu, mem).display(),
                    plural(cards, "card")
                );
            }
        }
        return;
    }
    // B: the CPU-pod size of the totals, or the totals when no CPU size fits them.
    let totals = s.requested.pod.amount();
    let b = snap(&t.intel, Table::Intel, totals).map_or(totals, |sn| sn.size);
    let a_cards = rows
        .iter()
        .map(|r| r.cards)
        .filter(|&c| c >= cards)
        .min()
        .unwrap_or(max_cards);
    let mut a_rows: Vec<&&GpuRow> = rows.iter().filter(|r| r.cards == a_cards).collect();
    a_rows.sort_by_key(|r| (r.cpu, r.memory));
    let smallest_a = a_rows[0];
    let asked = plural(cards, "GPU");
    if let Some(r) = a_rows
        .iter()
        .find(|r| Amount::new(r.cpu, r.memory).covers(b))
    {
        s.billed = Ok(billed_from(r));
        let size = Amount::new(r.cpu, r.memory).display();
        s.reason = if std::ptr::eq(**r, *smallest_a) {
            format!("{asked} of type {first}: the {a_cards}-card {first} size is {size}")
        } else {
            format!(
                "{asked} of type {first}: the smallest {a_cards}-card {first} size that covers {} is {size}",
                b.display()
            )
        };
        return;
    }
    let mut bigger: Vec<&&GpuRow> = rows
        .iter()
        .filter(|r| r.cards >= cards && Amount::new(r.cpu, r.memory).covers(b))
        .collect();
    bigger.sort_by_key(|r| (r.cpu, r.memory, r.cards));
    match bigger.first() {
        Some(c) => {
            s.billed = Ok(billed_from(c));
            s.reason = format!(
                "{asked} would be the {a_cards}-card {first} size ({}), which does not cover {}: the smallest {first} size that does has {} ({})",
                Amount::new(smallest_a.cpu, smallest_a.memory).display(),
                b.display(),
                plural(c.cards, "card"),
                Amount::new(c.cpu, c.memory).display()
            );
        }
        None => {
            let largest = rows
                .iter()
                .max_by_key(|r| (r.cpu, r.memory))
                .expect("rows are not empty");
            s.billed = Err(Problem::TooLarge {
                largest: Amount::new(largest.cpu, largest.memory),
            });
            s.reason = format!(
                "{} is above the largest {first} size, {} with {}: no size fits",
                b.display(),
                plural(largest.cards, "card"),
                Amount::new(largest.cpu, largest.memory).display()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::k8s::objects;
    use crate::yaml::{Limits, parse};

    fn intel() -> &'static [CpuRow] {
        &tables().intel
    }

    fn snap_intel(cores: f64, gib: f64) -> Result<(f64, f64), String> {
        snap(intel(), Table::Intel, Amount::cores_gib(cores, gib)).map(|s| {
            (
                s.size.cpu as f64 / 1000.0,
                s.size.memory as f64 / GIB as f64,
            )
        })
    }

    /// Sizes the first workload of a manifest; returns (cores, GiB, gpu "N×TYPE"), or the reason.
    fn size_yaml(text: &str) -> Result<(f64, f64, Option<String>), String> {
        let arena = crate::yaml::Arena::new();
        let p = parse(text, &arena, Limits::default());
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let objs = objects(text, &p.documents, false, false);
        let pod = objs[0].pod.expect("a workload");
        let s = size_pod(&pod);
        s.billed
            .map(|b| {
                (
                    b.cpu as f64 / 1000.0,
                    b.memory as f64 / GIB as f64,
                    b.gpu.map(|g| format!("{}×{}", g.cards, g.gpu_type)),
                )
            })
            .map_err(|_| s.reason)
    }

    fn pod(containers: &str) -> String {
        format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n{containers}")
    }

    #[test]
    fn tables_load() {
        let t = load(SIZES_TEXT).expect("catalog/pod-sizes.yaml loads");
        assert_eq!(t.intel.len(), 8);
        assert_eq!(t.amd.len(), 5);
        assert_eq!(t.intel[0].cpu, 250);
        assert_eq!(t.intel[0].memory, vec![GIB / 2, GIB, 2 * GIB]);
        assert_eq!(t.intel[2].memory.len(), 8); // 1 core: 1..=8 GiB
        assert_eq!(t.intel.last().unwrap().cpu, 16_000);
        assert_eq!(t.intel.last().unwrap().max_memory(), 64 * GIB);
        assert_eq!(t.amd[0].max_memory(), 4 * GIB);
        assert_eq!(t.gpu_rows("V100").len(), 4);
        assert_eq!(t.gpu_rows("T4").len(), 5);
        assert_eq!(
            t.gpu_types(),
            [
                "V100",
                "1/4*T4",
                "1/2*T4",
                "T4",
                "A10*PNV4",
                "A10*GNV4",
                "A10*GNV4v"
            ]
        );
        assert!(t.removed_gpu("1/4*V100").is_some());
        // The shared instance is the same data.
        assert_eq!(tables().intel, t.intel);
    }

    #[test]
    fn bad_tables_are_rejected() {
        assert!(load("intel: []\namd: []\ngpu: []\n").is_err());
        let unordered = "intel: [{cpu: 2, memory: [4]}, {cpu: 1, memory: [2]}]\namd: [{cpu: 1, memory: [1]}]\ngpu: []\n";
        assert!(load(unordered).unwrap_err().contains("increasing CPU"));
        let both = "intel: [{cpu: 1, memory: [1], memory-from: 1, memory-to: 2}]\namd: [{cpu: 1, memory: [1]}]\ngpu: []\n";
        assert!(load(both).is_err());
        assert!(load("intel: [{cpu: 1, mem: [1]}]\namd: []\ngpu: []\n").is_err());
    }

    // §2.3, official example 1.
    #[test]
    fn official_example_1() {
        let y = pod(
            "  containers:\n  - name: a\n    resources:\n      requests: {cpu: 1, memory: 2Gi}\n      limits: {cpu: 1, memory: 2Gi}\n",
        );
        assert_eq!(size_yaml(&y), Ok((1.0, 2.0, None)));
    }

    // §2.3, official example 2: CPU max(2+1, 4) = 4, memory max(4+2, 4) = 6 GiB → 4 cores / 8 GiB.
    #[test]
    fn official_example_2() {
        let y = pod(
            "  containers:\n  - name: c1\n    resources:\n      requests: {cpu: 2, memory: 4Gi}\n      limits: {cpu: 4, memory: 4Gi}\n  - name: c2\n    resources:\n      requests: {cpu: 1, memory: 2Gi}\n      limits: {cpu: 1, memory: 2Gi}\n",
        );
        assert_eq!(size_yaml(&y), Ok((4.0, 8.0, None)));
        let arena = crate::yaml::Arena::new();
        let p = parse(&y, &arena, Limits::default());
        let objs = objects(&y, &p.documents, false, false);
        let s = size_pod(&objs[0].pod.unwrap());
        assert_eq!(s.requested.pod.amount(), Amount::cores_gib(4.0, 6.0));
        assert_eq!(s.sized_by, SizedBy::Resources);
        assert_eq!(s.reason, "4 cores come with at least 8 GiB");
    }

    // §2.3, the derived table (published Intel table).
    #[test]
    fn derived_examples() {
        assert_eq!(snap_intel(0.0, 0.0), Ok((1.0, 2.0)));
        assert_eq!(snap_intel(0.25, 0.25), Ok((0.25, 0.5))); // 256Mi
        assert_eq!(snap_intel(0.5, 0.5), Ok((0.5, 1.0))); // 512Mi
        assert_eq!(snap_intel(1.0, 1.5), Ok((1.0, 2.0)));
        assert_eq!(snap_intel(1.5, 3.0), Ok((2.0, 4.0)));
        assert_eq!(snap_intel(1.0, 10.0), Ok((2.0, 10.0)));
        assert_eq!(snap_intel(3.0, 3.5), Ok((4.0, 8.0)));
        assert_eq!(snap_intel(8.0, 40.0), Ok((12.0, 40.0)));
        assert_eq!(snap_intel(2.0, 0.0), Ok((2.0, 4.0)));
        assert_eq!(snap_intel(0.0, 8.0), Ok((1.0, 8.0)));
        assert!(snap_intel(16.0, 70.0).is_err());
        assert!(snap_intel(17.0, 1.0).is_err());
        assert!(snap_intel(17.0, 0.0).is_err());
        assert!(snap_intel(0.0, 65.0).is_err());
        // Exactly the largest size still fits.
        assert_eq!(snap_intel(16.0, 64.0), Ok((16.0, 64.0)));
    }

    #[test]
    fn derived_examples_from_manifests() {
        // Nothing set.
        let y = pod("  containers:\n  - name: a\n    image: x\n");
        assert_eq!(size_yaml(&y), Ok((1.0, 2.0, None)));
        let y = pod(
            "  containers:\n  - name: a\n    resources: {requests: {cpu: 250m, memory: 256Mi}}\n",
        );
        assert_eq!(size_yaml(&y), Ok((0.25, 0.5, None)));
        let y = pod(
            "  containers:\n  - name: a\n    resources: {requests: {cpu: 500m, memory: 512Mi}}\n",
        );
        assert_eq!(size_yaml(&y), Ok((0.5, 1.0, None)));
        // 16 CPU / 70Gi and 17 CPU: no size.
        let y =
            pod("  containers:\n  - name: a\n    resources: {requests: {cpu: 16, memory: 70Gi}}\n");
        assert!(
            size_yaml(&y)
                .unwrap_err()
                .contains("above the largest Intel size, 16 cores / 64 GiB")
        );
        let y = pod("  containers:\n  - name: a\n    resources: {limits: {cpu: 17}}\n");
        assert!(size_yaml(&y).is_err());
    }

    #[test]
    fn amd_example() {
        // AMD 1-core max is 4 GiB: 1 CPU / 6Gi → 2 / 6; the same pod on Intel: 1 / 6.
        let body =
            "spec:\n  containers:\n  - name: a\n    resources: {requests: {cpu: 1, memory: 6Gi}}\n";
        let amd = format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    eks.tke.cloud.tencent.com/cpu-type: amd\n{body}"
        );
        assert_eq!(size_yaml(&amd), Ok((2.0, 6.0, None)));
        let amd_first = amd.replace("cpu-type: amd", "cpu-type: \"amd,intel\"");
        assert_eq!(size_yaml(&amd_first), Ok((2.0, 6.0, None)));
        let intel_first = amd.replace("cpu-type: amd", "cpu-type: \"intel,amd\"");
        assert_eq!(size_yaml(&intel_first), Ok((1.0, 6.0, None)));
        let intel = format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\n{body}");
        assert_eq!(size_yaml(&intel), Ok((1.0, 6.0, None)));
        // AMD instance families (SA2, SA5) are AMD; S5 is Intel.
        for (family, cores) in [
            ("SA2", 2.0),
            ("\"SA5,SA4,amd\"", 2.0),
            ("S5", 1.0),
            ("SAX", 1.0),
        ] {
            let y = amd.replace("cpu-type: amd", &format!("cpu-type: {family}"));
            assert_eq!(size_yaml(&y), Ok((cores, 6.0, None)), "{family}");
        }
        assert_eq!(
            snap(&tables().amd, Table::Amd, Amount::cores_gib(1.0, 6.0))
                .unwrap()
                .why,
            "memory 6 GiB is above the 1-core maximum of 4 GiB, so the next size with 6 GiB has 2 cores"
        );
    }

    #[test]
    fn limits_are_maxed_not_summed() {
        // Two containers, limits 1 CPU / 2Gi each, no requests → 1 / 2 GiB.
        let y = pod(
            "  containers:\n  - name: a\n    resources: {limits: {cpu: 1, memory: 2Gi}}\n  - name: b\n    resources: {limits: {cpu: 1, memory: 2Gi}}\n",
        );
        assert_eq!(size_yaml(&y), Ok((1.0, 2.0, None)));
        // Two containers each with limit 4 CPU and no requests: a 4-core pod, not 8.
        let y = pod(
            "  containers:\n  - name: a\n    resources: {limits: {cpu: 4}}\n  - name: b\n    resources: {limits: {cpu: 4}}\n",
        );
        assert_eq!(size_yaml(&y), Ok((4.0, 8.0, None)));
    }

    #[test]
    fn init_containers_are_a_group_and_the_larger_wins() {
        // App 1 CPU / 2Gi; two init containers 1 CPU / 4Gi requests each → init group 2 / 8.
        let y = pod(
            "  initContainers:\n  - name: i1\n    resources: {requests: {cpu: 1, memory: 4Gi}}\n  - name: i2\n    resources: {requests: {cpu: 1, memory: 4Gi}}\n  containers:\n  - name: a\n    resources: {requests: {cpu: 1, memory: 2Gi}}\n",
        );
        assert_eq!(size_yaml(&y), Ok((2.0, 8.0, None)));
        // An init container without resources adds nothing (§2; the newer doc text differs).
        let y = pod(
            "  initContainers:\n  - name: i\n  containers:\n  - name: a\n    resources: {requests: {cpu: 250m, memory: 512Mi}}\n",
        );
        assert_eq!(size_yaml(&y), Ok((0.25, 0.5, None)));
    }

    #[test]
    fn annotations_replace_the_calculation() {
        let y = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    metadata:\n      annotations:\n        eks.tke.cloud.tencent.com/cpu: \"2\"\n        eks.tke.cloud.tencent.com/mem: 10Gi\n    spec:\n      containers:\n      - name: a\n        resources: {requests: {cpu: 8, memory: 40Gi}}\n";
        assert_eq!(size_yaml(y), Ok((2.0, 10.0, None)));
        // Not a size of the table in use.
        let bad = y.replace("\"2\"", "\"3\"");
        assert!(
            size_yaml(&bad)
                .unwrap_err()
                .contains("not a size of the Intel table")
        );
        // AMD has no 0.25-core size, Intel does; with `amd,intel` either is fine.
        let q = y.replace("\"2\"", "\"0.25\"").replace("10Gi", "0.5Gi");
        assert_eq!(size_yaml(&q), Ok((0.25, 0.5, None)));
        let amd = q.replace(
            "annotations:\n",
            "annotations:\n        eks.tke.cloud.tencent.com/cpu-type: amd\n",
        );
        assert!(size_yaml(&amd).unwrap_err().contains("AMD"));
        let either = amd.replace("cpu-type: amd", "cpu-type: amd,intel");
        assert_eq!(size_yaml(&either), Ok((0.25, 0.5, None)));
        // `cpu` alone does not size the pod.
        let lone = y.replace("        eks.tke.cloud.tencent.com/mem: 10Gi\n", "");
        assert_eq!(size_yaml(&lone), Ok((12.0, 40.0, None)));
        // `16G` cannot be read.
        let g = y.replace("10Gi", "16G");
        assert!(size_yaml(&g).unwrap_err().contains("cannot be read"));
    }

    fn gpu_pod(ty: &str, containers: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: g\n  annotations:\n    eks.tke.cloud.tencent.com/gpu-type: \"{ty}\"\nspec:\n  containers:\n{containers}"
        )
    }

    // §3, official example 1: 1 × V100, CPU 8 / 32 GiB → 8 cores / 40 GiB.
    #[test]
    fn gpu_official_example_1() {
        let y = gpu_pod(
            "V100",
            "  - name: a\n    resources:\n      requests: {cpu: 4, memory: 16Gi, nvidia.com/gpu: 1}\n      limits: {cpu: 8, memory: 32Gi, nvidia.com/gpu: 1}\n",
        );
        assert_eq!(size_yaml(&y), Ok((8.0, 40.0, Some("1×V100".into()))));
    }

    // §3, official example 2: 2 GPUs, 32 cores / 128 GiB → 4 × V100, 36 cores / 160 GiB.
    #[test]
    fn gpu_official_example_2() {
        let y = gpu_pod(
            "V100",
            "  - name: a\n    resources:\n      requests: {cpu: 4, memory: 16Gi, nvidia.com/gpu: 1}\n      limits: {cpu: 8, memory: 32Gi, nvidia.com/gpu: 1}\n  - name: b\n    resources:\n      requests: {cpu: 16, memory: 64Gi, nvidia.com/gpu: 1}\n      limits: {cpu: 32, memory: 128Gi, nvidia.com/gpu: 1}\n",
        );
        assert_eq!(size_yaml(&y), Ok((36.0, 160.0, Some("4×V100".into()))));
        let arena = crate::yaml::Arena::new();
        let p = parse(&y, &arena, Limits::default());
        let objs = objects(&y, &p.documents, false, false);
        let s = size_pod(&objs[0].pod.unwrap());
        assert_eq!(
            s.reason,
            "2 GPUs would be the 2-card V100 size (18 cores / 80 GiB), which does not cover 32 cores / 128 GiB: the smallest V100 size that does has 4 cards (36 cores / 160 GiB)"
        );
        assert_eq!(s.requested.pod.gpu, 2);
    }

    #[test]
    fn gpu_rows_sharing_a_card_count_take_the_smallest_that_covers() {
        // T4 1-card rows: 8/32, 20/80, 32/128.
        let y = gpu_pod(
            "T4",
            "  - name: a\n    resources:\n      limits: {cpu: 10, memory: 40Gi, nvidia.com/gpu: 1}\n",
        );
        assert_eq!(size_yaml(&y), Ok((20.0, 80.0, Some("1×T4".into()))));
        // Nothing but the GPU: the smallest row.
        let y = gpu_pod(
            "T4,V100",
            "  - name: a\n    resources:\n      limits: {nvidia.com/gpu: 1}\n",
        );
        assert_eq!(size_yaml(&y), Ok((8.0, 32.0, Some("1×T4".into()))));
        // 3 cards → the 4-card row.
        let y = gpu_pod(
            "T4",
            "  - name: a\n    resources:\n      limits: {nvidia.com/gpu: 3}\n",
        );
        assert_eq!(size_yaml(&y), Ok((80.0, 320.0, Some("4×T4".into()))));
    }

    #[test]
    fn gpu_problems() {
        let no_type =
            pod("  containers:\n  - name: a\n    resources: {limits: {nvidia.com/gpu: 1}}\n");
        assert!(size_yaml(&no_type).unwrap_err().contains("no `gpu-type`"));
        let unknown = gpu_pod(
            "H100",
            "  - name: a\n    resources: {limits: {nvidia.com/gpu: 1}}\n",
        );
        assert!(size_yaml(&unknown).unwrap_err().contains("not a GPU type"));
        let removed = gpu_pod(
            "1/4*V100",
            "  - name: a\n    resources: {limits: {nvidia.com/gpu: 1}}\n",
        );
        assert!(size_yaml(&removed).unwrap_err().contains("withdrawn"));
        let many = gpu_pod(
            "T4",
            "  - name: a\n    resources: {limits: {nvidia.com/gpu: 8}}\n",
        );
        assert!(
            size_yaml(&many)
                .unwrap_err()
                .contains("largest T4 size (4 cards)")
        );
        // Part of a GPU: rejected by Kubernetes before EKS sizes anything, with or without a type.
        let half = gpu_pod(
            "T4",
            "  - name: a\n    resources: {limits: {nvidia.com/gpu: 0.5}}\n",
        );
        assert_eq!(
            size_yaml(&half),
            Err(
                "`nvidia.com/gpu: 0.5` is not a whole number of GPUs: Kubernetes rejects the pod"
                    .into()
            )
        );
        let half =
            pod("  containers:\n  - name: a\n    resources: {requests: {nvidia.com/gpu: 500m}}\n");
        assert!(
            size_yaml(&half)
                .unwrap_err()
                .contains("`nvidia.com/gpu: 500m` is not a whole")
        );
        let two = gpu_pod(
            "A10*GNV4",
            "  - name: a\n    resources: {limits: {nvidia.com/gpu: 2}}\n",
        );
        assert!(
            size_yaml(&two)
                .unwrap_err()
                .contains("2 GPUs is more than the largest A10*GNV4 size (1 card)")
        );
        let big = gpu_pod(
            "1/4*T4",
            "  - name: a\n    resources: {limits: {nvidia.com/gpu: 1, cpu: 8}}\n",
        );
        assert!(
            size_yaml(&big)
                .unwrap_err()
                .contains("above the largest 1/4*T4 size")
        );
    }

    #[test]
    fn gpu_with_annotations_must_be_a_row() {
        let y = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: g\n  annotations:\n    eks.tke.cloud.tencent.com/gpu-type: V100\n    eks.tke.cloud.tencent.com/cpu: \"8\"\n    eks.tke.cloud.tencent.com/mem: 40Gi\nspec:\n  containers:\n  - name: a\n    resources: {limits: {nvidia.com/gpu: 1}}\n";
        assert_eq!(size_yaml(y), Ok((8.0, 40.0, Some("1×V100".into()))));
        let bad = y.replace("40Gi", "32Gi");
        assert!(size_yaml(&bad).unwrap_err().contains("not a V100 size"));
    }

    #[test]
    fn reasons_read_well() {
        let r = |c: f64, g: f64| {
            snap(intel(), Table::Intel, Amount::cores_gib(c, g))
                .unwrap()
                .why
        };
        assert_eq!(
            r(1.0, 10.0),
            "memory 10 GiB is above the 1-core maximum of 8 GiB, so the next size with 10 GiB has 2 cores"
        );
        assert_eq!(
            r(3.0, 3.5),
            "3 cores is not a size, the next one up has 4 cores; 4 cores come with at least 8 GiB"
        );
        assert_eq!(
            r(0.25, 1.5),
            "0.25 cores come with 0.5, 1 or 2 GiB: memory 1.5 GiB rounds up to 2 GiB"
        );
        assert_eq!(r(0.5, 0.5), "0.5 cores come with at least 1 GiB");
        assert_eq!(
            r(1.0, 1.5),
            "1 core comes with 1–8 GiB: memory 1.5 GiB rounds up to 2 GiB"
        );
        assert_eq!(
            r(2.0, 0.0),
            "no container sets a memory request or limit: 2 cores come with at least 4 GiB"
        );
        assert_eq!(
            r(0.0, 8.0),
            "no container sets a CPU request or limit: the smallest size with 8 GiB has 1 core"
        );
        assert_eq!(r(4.0, 8.0), "");
        assert_eq!(fmt_gib(300 * MIB), "300 MiB");
        assert_eq!(fmt_gib(3584 * MIB), "3.5 GiB");
        assert_eq!(fmt_gib(20_000 * MIB), "19.53 GiB");
        assert_eq!(fmt_gib(1_000_000_000), "953.7 MiB");
        assert_eq!(fmt_gib(MIB), "1 MiB");
        // Below a MiB: not "0 MiB".
        assert_eq!(fmt_gib(100 * 1024), "100 KiB");
        assert_eq!(fmt_gib(1000), "1000 bytes");
        assert_eq!(fmt_gib(1), "1 byte");
        assert_eq!(fmt_gib(0), "0 GiB");
        assert_eq!(fmt_cores(100), "0.1 cores");
        assert_eq!(
            Demand {
                cpu: 0,
                memory: 8 * GIB,
                gpu: 2
            }
            .display(),
            "no CPU / 8 GiB / 2 GPUs"
        );
    }

    #[test]
    fn odd_quantities() {
        // 0.1 CPU is 100m exactly, not 101m; 1G is less than 1Gi.
        let y = pod(
            "  containers:\n  - name: a\n    resources: {requests: {cpu: \"0.1\", memory: 1G}}\n",
        );
        assert_eq!(size_yaml(&y), Ok((0.25, 1.0, None)));
        // Unreadable quantities count as unset.
        let y = pod(
            "  containers:\n  - name: a\n    resources: {requests: {cpu: lots, memory: 4Gi}}\n",
        );
        assert_eq!(size_yaml(&y), Ok((0.5, 4.0, None)));
    }
}
