//! EKS pod annotations: the catalog (data in `catalog/annotations.yaml`), value formats, and the
//! annotation sets of an object — on its pod template, on the workload itself, or inside the
//! global `kube-system/eks-config` ConfigMap — with spans, for EKS101–EKS106.

pub mod validate;

use std::sync::OnceLock;

use serde::Deserialize;

use crate::k8s::{Object, TemplateAt};
use crate::source::Span;
use crate::yaml::embedded::Embedded;
use crate::yaml::{K8sType, Limits, Node, parse};

pub const PREFIXES: [&str; 2] = [
    "eks.tke.cloud.tencent.com/",
    "internal.eks.tke.cloud.tencent.com/",
];

/// The data key of `eks-config` that holds annotations for every pod.
pub const EKS_CONFIG_KEY: &str = "pod.annotations";

pub fn is_eks_key(key: &str) -> bool {
    PREFIXES.iter().any(|p| key.starts_with(p))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Doc,
    DocOther,
    Legacy,
    Practitioner,
    Unverified,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    Bool,
    Percent,
    Port,
    SgList,
    GiMemory,
    Cores,
    Int,
    Duration,
    JsonSysctls,
    JsonObject,
    JsonObjectOrEmpty,
    Enum,
    CpuType,
    GpuType,
    ImageCache,
    IdList,
    Ipv4,
    Size,
    Hosts,
    ResolvConf,
    String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub key: String,
    pub status: Status,
    pub format: Format,
    #[serde(default)]
    pub values: Vec<String>,
    #[serde(default)]
    pub min: Option<i64>,
    #[serde(default)]
    pub max: Option<i64>,
    #[serde(default)]
    pub default: Option<String>,
    #[serde(default)]
    pub replacement: Option<String>,
    pub summary: String,
}

const CATALOG_TEXT: &str = include_str!("../../catalog/annotations.yaml");

fn load_catalog() -> Result<Vec<Entry>, serde_saphyr::Error> {
    serde_saphyr::from_str(CATALOG_TEXT)
}

/// The catalog, loaded once from the embedded data file.
pub fn catalog() -> &'static [Entry] {
    static CATALOG: OnceLock<Vec<Entry>> = OnceLock::new();
    // The file is part of the binary and a unit test loads it: it cannot fail at run time.
    CATALOG.get_or_init(|| load_catalog().unwrap_or_default())
}

pub fn lookup(key: &str) -> Option<&'static Entry> {
    catalog().iter().find(|e| e.key == key)
}

/// The closest known key, for "did you mean" (only when it is reasonably close).
pub fn suggest(key: &str) -> Option<&'static str> {
    let known = || catalog().iter().filter(|e| e.status != Status::Unverified);
    // Annotation keys are case-sensitive: `…/CPU` is `…/cpu` mistyped, however short.
    if let Some(e) = known().find(|e| e.key.eq_ignore_ascii_case(key)) {
        return Some(e.key.as_str());
    }
    let (best, dist) = known()
        .map(|e| (e.key.as_str(), strsim::levenshtein(&e.key, key)))
        .min_by_key(|&(_, d)| d)?;
    let suffix = key.rsplit('/').next().unwrap_or(key);
    (dist <= (suffix.len() / 3).max(2)).then_some(best)
}

/// Where a set of annotations sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// The pod's own annotations (the pod template, or a bare Pod): these take effect.
    Pod,
    /// A workload's own `metadata.annotations`: EKS never reads pod annotations there.
    Workload,
    /// Inside the `pod.annotations` block of `kube-system/eks-config`: applied to every pod.
    EksConfig,
}

/// One `eks.tke.cloud.tencent.com/*` annotation, with its spans in the file.
#[derive(Clone, Debug)]
pub struct Ann {
    pub key: String,
    pub key_span: Span,
    /// The value as text; `None` when it is a mapping or sequence.
    pub value: Option<String>,
    pub value_span: Span,
    /// Whether Kubernetes reads the value as a string (EKS003 reports the others).
    pub is_string: bool,
}

#[derive(Clone, Debug)]
pub struct AnnSet {
    pub place: Place,
    /// Where a [`Place::Workload`] set is, after the kind (`own`, or a CronJob's `job template`).
    pub whose: &'static str,
    pub items: Vec<Ann>,
    /// The `annotations` mapping (or the pod template metadata) the set comes from.
    pub anchor: Span,
}

impl AnnSet {
    pub fn get(&self, key: &str) -> Option<&Ann> {
        self.items.iter().rev().find(|a| a.key == key)
    }
    pub fn value(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(|a| a.value.as_deref())
    }
}

fn from_mapping(node: &Node<'_>, map: impl Fn(Span) -> Span) -> Vec<Ann> {
    node.entries()
        .iter()
        .filter_map(|e| {
            let key = e.key.as_str()?;
            is_eks_key(key).then(|| Ann {
                key: key.to_string(),
                key_span: map(e.key.span),
                value: e.value.as_str().map(str::to_string),
                value_span: map(e.value.span),
                is_string: e.value.k8s_type() == K8sType::String,
            })
        })
        .collect()
}

/// The `pod.annotations` block of an `eks-config` ConfigMap, parsed, with spans in the file.
pub enum EksConfigBlock {
    /// No such key.
    Absent,
    /// It parsed as a mapping: its EKS annotations, and the values that are not strings (each a
    /// finding; the annotations are still checked as a pod's are).
    Mapping(Vec<Ann>, Vec<(Span, String)>),
    /// It is not a YAML mapping of strings: why, and where.
    Invalid(Span, String),
}

pub fn is_eks_config(obj: &Object<'_>) -> bool {
    obj.is_kind("ConfigMap") && obj.name == Some("eks-config")
}

pub fn eks_config_block(obj: &Object<'_>) -> EksConfigBlock {
    let Some(value) = obj.node.get("data").and_then(|d| d.get(EKS_CONFIG_KEY)) else {
        return EksConfigBlock::Absent;
    };
    let Some(embedded) = Embedded::of(obj.text, value) else {
        return EksConfigBlock::Invalid(
            value.span,
            format!("`{EKS_CONFIG_KEY}` must be a string holding a YAML mapping"),
        );
    };
    let arena = crate::yaml::Arena::new();
    let parsed = parse(&embedded.text, &arena, Limits::default());
    if let Some(e) = parsed.errors.first() {
        let at = embedded.to_file(e.at);
        return EksConfigBlock::Invalid(
            Span::new(at, at),
            format!("`{EKS_CONFIG_KEY}` is not valid YAML: {}", e.message),
        );
    }
    let root = parsed.documents.iter().find_map(|d| d.root.as_ref());
    let Some(root) = root.filter(|r| r.is_mapping()) else {
        return EksConfigBlock::Invalid(
            value.span,
            format!(
                "`{EKS_CONFIG_KEY}` must hold a YAML mapping of annotation keys to string values"
            ),
        );
    };
    let unquoted = root
        .entries()
        .iter()
        .filter(|e| e.value.k8s_type() != K8sType::String)
        .map(|bad| {
            (
                embedded.span_to_file(bad.value.span),
                format!(
                    "the value of `{}` is {}, but annotations are strings: quote it",
                    bad.key.as_str().unwrap_or("?"),
                    bad.value.k8s_type().a_name()
                ),
            )
        })
        .collect();
    EksConfigBlock::Mapping(from_mapping(root, |s| embedded.span_to_file(s)), unquoted)
}

/// Every annotation set of an object that EKS annotation rules look at.
pub fn sets(obj: &Object<'_>) -> Vec<AnnSet> {
    let mut out = Vec::new();
    if let Some(a) = obj.pod.and_then(|p| p.annotations()) {
        out.push(AnnSet {
            place: Place::Pod,
            whose: "",
            items: from_mapping(a, |s| s),
            anchor: a.span,
        });
    }
    if obj.template_at.is_some_and(|t| t != TemplateAt::Itself)
        && let Some(a) = obj.metadata().and_then(|m| m.get("annotations"))
    {
        out.push(AnnSet {
            place: Place::Workload,
            whose: "own",
            items: from_mapping(a, |s| s),
            anchor: a.span,
        });
    }
    // A CronJob's Job template has metadata of its own, which EKS does not read either.
    if obj.template_at == Some(TemplateAt::JobTemplate)
        && let Some(a) = obj
            .node
            .get_path(&["spec", "jobTemplate", "metadata", "annotations"])
    {
        out.push(AnnSet {
            place: Place::Workload,
            whose: "job template",
            items: from_mapping(a, |s| s),
            anchor: a.span,
        });
    }
    if is_eks_config(obj)
        && let EksConfigBlock::Mapping(items, _) = eks_config_block(obj)
    {
        out.push(AnnSet {
            place: Place::EksConfig,
            whose: "",
            items,
            anchor: obj.node.span,
        });
    }
    out.retain(|s| !s.items.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_loads_and_is_consistent() {
        if let Err(e) = load_catalog() {
            panic!("{e}");
        }
        let c = catalog();
        assert!(c.len() > 60, "catalog has {} entries", c.len());
        for e in c {
            assert!(is_eks_key(&e.key), "{}", e.key);
            if e.format == Format::Enum {
                assert!(!e.values.is_empty(), "{} is an enum without values", e.key);
            }
            if e.status == Status::Legacy {
                assert!(
                    e.replacement.is_some(),
                    "{} is legacy without replacement",
                    e.key
                );
            }
        }
        let mut keys: Vec<_> = c.iter().map(|e| &e.key).collect();
        keys.sort();
        let n = keys.len();
        keys.dedup();
        assert_eq!(n, keys.len(), "duplicate keys in the catalog");
    }

    #[test]
    fn did_you_mean() {
        assert_eq!(
            suggest("eks.tke.cloud.tencent.com/metric-port"),
            Some("eks.tke.cloud.tencent.com/metrics-port")
        );
        assert_eq!(
            suggest("eks.tke.cloud.tencent.com/retainip"),
            Some("eks.tke.cloud.tencent.com/retain-ip")
        );
        assert_eq!(
            suggest("eks.tke.cloud.tencent.com/something-else-entirely"),
            None
        );
        // A short key in the wrong case is still found.
        assert_eq!(
            suggest("eks.tke.cloud.tencent.com/CPU"),
            Some("eks.tke.cloud.tencent.com/cpu")
        );
    }
}
