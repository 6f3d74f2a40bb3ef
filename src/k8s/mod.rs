//! Stage 4 — Kubernetes objects: which documents are objects, `List` items unpacked with their own
//! spans, and every workload mapped to its pod template (CronJob → Job → Pod).

pub mod quantity;
pub mod sizing;

use serde::Serialize;

use crate::yaml::{Document, Node};

/// Which pod-template location a kind uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemplateAt {
    /// The object is the pod (Pod).
    Itself,
    /// `.template` (PodTemplate).
    Template,
    /// `.spec.template` (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job).
    SpecTemplate,
    /// `.spec.jobTemplate.spec.template` (CronJob).
    JobTemplate,
}

impl TemplateAt {
    pub fn for_kind(api_version: Option<&str>, kind: &str) -> Option<TemplateAt> {
        // Only the built-in groups: a custom resource may reuse a kind name with another shape.
        let group = api_version
            .and_then(|v| v.rsplit_once('/').map(|(g, _)| g))
            .unwrap_or("");
        if !matches!(group, "" | "apps" | "batch" | "extensions") {
            return None;
        }
        Some(match kind {
            "Pod" => TemplateAt::Itself,
            "PodTemplate" => TemplateAt::Template,
            "Deployment"
            | "StatefulSet"
            | "DaemonSet"
            | "ReplicaSet"
            | "ReplicationController"
            | "Job" => TemplateAt::SpecTemplate,
            "CronJob" => TemplateAt::JobTemplate,
            _ => return None,
        })
    }

    /// Where the template sits, as a path users can type.
    pub fn path(self) -> &'static str {
        match self {
            TemplateAt::Itself => "",
            TemplateAt::Template => ".template",
            TemplateAt::SpecTemplate => ".spec.template",
            TemplateAt::JobTemplate => ".spec.jobTemplate.spec.template",
        }
    }

    pub fn keys(self) -> &'static [&'static str] {
        match self {
            TemplateAt::Itself => &[],
            TemplateAt::Template => &["template"],
            TemplateAt::SpecTemplate => &["spec", "template"],
            TemplateAt::JobTemplate => &["spec", "jobTemplate", "spec", "template"],
        }
    }
}

/// Which list a container comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerKind {
    Container,
    Init,
    Ephemeral,
}

impl ContainerKind {
    pub const ALL: [ContainerKind; 3] = [
        ContainerKind::Container,
        ContainerKind::Init,
        ContainerKind::Ephemeral,
    ];
    pub fn key(self) -> &'static str {
        match self {
            ContainerKind::Container => "containers",
            ContainerKind::Init => "initContainers",
            ContainerKind::Ephemeral => "ephemeralContainers",
        }
    }
}

/// A pod template of an object (or the Pod itself).
#[derive(Clone, Copy, Debug)]
pub struct PodTemplate<'a> {
    pub at: TemplateAt,
    /// The mapping that holds the pod's `metadata` and `spec`.
    pub node: &'a Node<'a>,
    pub metadata: Option<&'a Node<'a>>,
    pub spec: Option<&'a Node<'a>>,
}

impl<'a> PodTemplate<'a> {
    /// The pod's own annotations (on the template, not on the workload).
    pub fn annotations(&self) -> Option<&'a Node<'a>> {
        self.metadata.and_then(|m| m.get("annotations"))
    }
    pub fn annotation(&self, key: &str) -> Option<&'a Node<'a>> {
        self.annotations().and_then(|a| a.get(key))
    }
    /// All containers, init containers and ephemeral containers, in that order.
    pub fn containers(&self) -> impl Iterator<Item = (ContainerKind, &'a Node<'a>)> + 'a {
        let spec = self.spec;
        ContainerKind::ALL.into_iter().flat_map(move |k| {
            spec.and_then(|s| s.get(k.key()))
                .map(|l| l.items())
                .unwrap_or(&[])
                .iter()
                .filter(|c| c.is_mapping())
                .map(move |c| (k, c))
        })
    }
}

/// The identity of an object, as reports show it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
pub struct ObjectRef {
    #[serde(rename = "apiVersion")]
    pub api_version: Option<String>,
    pub kind: Option<String>,
    pub namespace: Option<String>,
    pub name: Option<String>,
}

impl ObjectRef {
    /// `Deployment/web` (or `Deployment` when unnamed).
    pub fn display(&self) -> String {
        ObjectRefView::of(self).display()
    }
}

/// An [`ObjectRef`] borrowed from where it is kept (the cross-file facts are read in place).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Deserialize)]
pub struct ObjectRefView<'a> {
    #[serde(borrow)]
    pub api_version: Option<&'a str>,
    #[serde(borrow)]
    pub kind: Option<&'a str>,
    #[serde(borrow)]
    pub namespace: Option<&'a str>,
    #[serde(borrow)]
    pub name: Option<&'a str>,
}

impl<'a> ObjectRefView<'a> {
    pub fn of(o: &'a ObjectRef) -> ObjectRefView<'a> {
        ObjectRefView {
            api_version: o.api_version.as_deref(),
            kind: o.kind.as_deref(),
            namespace: o.namespace.as_deref(),
            name: o.name.as_deref(),
        }
    }

    pub fn owned(&self) -> ObjectRef {
        ObjectRef {
            api_version: self.api_version.map(str::to_string),
            kind: self.kind.map(str::to_string),
            namespace: self.namespace.map(str::to_string),
            name: self.name.map(str::to_string),
        }
    }

    /// `Deployment/web` (or `Deployment` when unnamed).
    pub fn display(&self) -> String {
        let kind = self.kind.unwrap_or("object");
        match (self.namespace, self.name) {
            (Some(ns), Some(n)) => format!("{kind} {ns}/{n}"),
            (None, Some(n)) => format!("{kind} {n}"),
            _ => kind.to_string(),
        }
    }
}

/// A Kubernetes object found in a document (or in a `List`'s `items`).
#[derive(Clone, Copy, Debug)]
pub struct Object<'a> {
    /// The whole text of the file the object is in (spans index into it).
    pub text: &'a str,
    /// Index of the document in its file.
    pub document: usize,
    pub node: &'a Node<'a>,
    pub api_version: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub name: Option<&'a str>,
    pub namespace: Option<&'a str>,
    /// The kind's pod-template location, if the kind has one.
    pub template_at: Option<TemplateAt>,
    /// The pod template, when the kind has one and it is where Kubernetes reads it.
    pub pod: Option<PodTemplate<'a>>,
    /// A partial object: a kustomize patch (named as a patch by a kustomization, a file name that
    /// says `patch`, or a `$patch` directive). Rules about missing parts leave it alone.
    pub patch: bool,
}

impl<'a> Object<'a> {
    pub fn from_node(text: &'a str, document: usize, node: &'a Node<'a>) -> Option<Object<'a>> {
        if !node.is_mapping() {
            return None;
        }
        let api_version = node.get_str("apiVersion");
        let kind = node.get_str("kind");
        if api_version.is_none() && kind.is_none() {
            return None;
        }
        let metadata = node.get("metadata");
        let template_at = kind.and_then(|k| TemplateAt::for_kind(api_version, k));
        let pod = template_at.and_then(|at| {
            let tpl = node.get_path(at.keys())?;
            tpl.is_mapping().then(|| PodTemplate {
                at,
                node: tpl,
                metadata: tpl.get("metadata"),
                spec: tpl.get("spec"),
            })
        });
        Some(Object {
            text,
            document,
            node,
            api_version,
            kind,
            name: metadata.and_then(|m| m.get_str("name")),
            namespace: metadata.and_then(|m| m.get_str("namespace")),
            template_at,
            pod,
            patch: false,
        })
    }

    /// The source text of a node of this object, exactly as written.
    pub fn raw(&self, node: &Node<'_>) -> &'a str {
        self.text.get(node.span.range()).unwrap_or("")
    }

    pub fn metadata(&self) -> Option<&'a Node<'a>> {
        self.node.get("metadata")
    }

    pub fn reference(&self) -> ObjectRef {
        ObjectRef {
            api_version: self.api_version.map(str::to_string),
            kind: self.kind.map(str::to_string),
            namespace: self.namespace.map(str::to_string),
            name: self.name.map(str::to_string),
        }
    }

    pub fn is_kind(&self, kind: &str) -> bool {
        self.kind == Some(kind)
    }
}

/// All objects of the documents, with `List` (and `*List`) items unpacked. `patch_file` marks them
/// all as partial (the file is a kustomize patch); `scan_directives` looks for `$patch` in each
/// (callers pass whether the text mentions `$patch` at all, so the walk is rare).
pub fn objects<'a>(
    text: &'a str,
    documents: &'a [Document<'a>],
    patch_file: bool,
    scan_directives: bool,
) -> Vec<Object<'a>> {
    let mut out = all_objects(text, documents);
    for o in &mut out {
        o.patch = patch_file || (scan_directives && has_patch_directive(o.node));
    }
    out
}

/// A strategic-merge `$patch` directive anywhere in the object.
fn has_patch_directive(node: &Node<'_>) -> bool {
    node.entries()
        .iter()
        .any(|e| e.key.as_str() == Some("$patch") || has_patch_directive(&e.value))
        || node.items().iter().any(has_patch_directive)
}

fn all_objects<'a>(text: &'a str, documents: &'a [Document<'a>]) -> Vec<Object<'a>> {
    let mut out = Vec::new();
    for doc in documents {
        let Some(root) = doc.root.as_ref() else {
            continue;
        };
        let Some(obj) = Object::from_node(text, doc.index, root) else {
            continue;
        };
        let is_list = obj.kind.is_some_and(|k| k == "List" || k.ends_with("List"));
        match root.get("items") {
            Some(items) if is_list && items.is_sequence() => {
                out.extend(
                    items
                        .items()
                        .iter()
                        .filter_map(|i| Object::from_node(text, doc.index, i)),
                );
            }
            _ => out.push(obj),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Limits, parse};

    #[test]
    fn cronjob_reaches_its_pod_template() {
        let text = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        metadata:\n          annotations: {a: b}\n        spec:\n          containers: [{name: x}]\n          initContainers: [{name: i}]\n";
        let arena = crate::yaml::Arena::new();
        let p = parse(text, &arena, Limits::default());
        let objs = objects(text, &p.documents, false, true);
        assert_eq!(objs.len(), 1);
        let pod = objs[0].pod.unwrap();
        assert_eq!(pod.at, TemplateAt::JobTemplate);
        assert_eq!(pod.annotation("a").unwrap().as_str(), Some("b"));
        let names: Vec<_> = pod
            .containers()
            .map(|(_, c)| c.get_str("name").unwrap())
            .collect();
        assert_eq!(names, ["x", "i"]);
    }

    #[test]
    fn list_items_are_objects() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n  spec: {containers: []}\n- apiVersion: v1\n  kind: Service\n  metadata: {name: s}\n";
        let arena = crate::yaml::Arena::new();
        let p = parse(text, &arena, Limits::default());
        let objs = objects(text, &p.documents, false, true);
        let kinds: Vec<_> = objs.iter().map(|o| o.kind.unwrap()).collect();
        assert_eq!(kinds, ["Pod", "Service"]);
        assert!(objs[0].pod.is_some());
    }

    #[test]
    fn patch_directives_mark_partial_objects() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\n$patch: delete\n---\napiVersion: v1\nkind: Pod\n";
        let arena = crate::yaml::Arena::new();
        let p = parse(text, &arena, Limits::default());
        let objs = objects(text, &p.documents, false, true);
        assert!(objs[0].patch);
        assert!(!objs[1].patch);
        assert!(objects(text, &p.documents, true, true)[1].patch);
    }

    #[test]
    fn custom_resources_with_workload_kind_names_have_no_template() {
        assert_eq!(
            TemplateAt::for_kind(Some("batch.volcano.sh/v1alpha1"), "Job"),
            None
        );
        assert_eq!(
            TemplateAt::for_kind(Some("apps/v1"), "Deployment"),
            Some(TemplateAt::SpecTemplate)
        );
    }
}
