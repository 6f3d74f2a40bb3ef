//! Paths of the condition language: select nodes of an object or of its pod template.
//!
//! ```text
//! object.metadata.annotations.*              every annotation value of the object itself
//! podMeta.annotations["eks.tke.cloud.tencent.com/cpu"]
//! pod.volumes[*].name                        the pod spec (of any workload kind)
//! containers[*].ports[*].{containerPort,hostPort}
//! template                                   the pod template mapping (.spec.template, ...)
//! .terminationMessagePolicy                  relative to the node under test
//! ```
//! `containers` is every container, init container and ephemeral container of the pod.

use crate::k8s::Object;
use crate::yaml::{Kind, Node};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Root {
    Object,
    Pod,
    PodMeta,
    Template,
    Containers,
    Current,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Alt(Vec<String>),
    Any,
    Index(usize),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    pub root: Root,
    pub segs: Vec<Seg>,
    pub text: String,
}

/// A selected node, with the key it sits under (when its parent is a mapping) and its path.
#[derive(Clone, Debug)]
pub struct Sel<'a> {
    pub node: &'a Node<'a>,
    pub key: Option<&'a Node<'a>>,
    pub path: String,
    /// The container the node belongs to, when selected through `containers`.
    pub container: Option<&'a Node<'a>>,
}

impl Path {
    pub fn parse(text: &str) -> Result<Path, String> {
        let t = text.trim();
        let (root, mut rest) = if t.starts_with('.') {
            (Root::Current, t)
        } else {
            let end = t.find(['.', '[']).unwrap_or(t.len());
            let root = match &t[..end] {
                "object" => Root::Object,
                "pod" => Root::Pod,
                "podMeta" => Root::PodMeta,
                "template" => Root::Template,
                "containers" => Root::Containers,
                other => {
                    return Err(format!(
                        "unknown path root `{other}`: a path starts with `object`, `pod`, `podMeta`, `template`, `containers` or `.`"
                    ));
                }
            };
            (root, &t[end..])
        };
        let mut segs = Vec::new();
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix('.') {
                if let Some(r2) = r.strip_prefix('*') {
                    segs.push(Seg::Any);
                    rest = r2;
                } else if let Some(r2) = r.strip_prefix('{') {
                    let close = r2.find('}').ok_or("unclosed `{` in path")?;
                    let alts: Vec<String> = r2[..close]
                        .split(',')
                        .map(|s| s.trim().to_string())
                        .collect();
                    if alts.iter().any(String::is_empty) {
                        return Err("empty alternative in `{...}`".into());
                    }
                    segs.push(Seg::Alt(alts));
                    rest = &r2[close + 1..];
                } else {
                    let end = r.find(['.', '[']).unwrap_or(r.len());
                    if end == 0 {
                        if (r.is_empty() || r.starts_with('['))
                            && segs.is_empty()
                            && root == Root::Current
                        {
                            // `.` alone: the node under test; `.[0]`, `.[*]`, `.["a/b"]`: its items
                            // or keys.
                            rest = r;
                            continue;
                        }
                        return Err("empty key in path (two dots?)".into());
                    }
                    segs.push(Seg::Key(r[..end].to_string()));
                    rest = &r[end..];
                }
            } else if let Some(r) = rest.strip_prefix('[') {
                let close = if r.starts_with('"') || r.starts_with('\'') {
                    let q = &r[..1];
                    let endq = r[1..].find(q).ok_or("unclosed quote in path")? + 1;
                    if !r[endq + 1..].starts_with(']') {
                        return Err("expected `]` after quoted key".into());
                    }
                    segs.push(Seg::Key(r[1..endq].to_string()));
                    endq + 1
                } else {
                    let close = r.find(']').ok_or("unclosed `[` in path")?;
                    let inner = r[..close].trim();
                    if inner == "*" {
                        segs.push(Seg::Any);
                    } else if let Ok(i) = inner.parse::<usize>() {
                        segs.push(Seg::Index(i));
                    } else {
                        return Err(format!(
                            "`[{inner}]`: use `[*]`, an index, or a quoted key like `[\"a.b/c\"]`"
                        ));
                    }
                    close
                };
                rest = &r[close + 1..];
            } else {
                return Err(format!("unexpected `{rest}` in path"));
            }
        }
        if root == Root::Containers && segs.first() != Some(&Seg::Any) {
            return Err("`containers` is a list: write `containers[*]...`".into());
        }
        Ok(Path {
            root,
            segs,
            text: t.to_string(),
        })
    }

    /// Evaluates the path against an object, starting from `current` for relative paths.
    pub fn eval<'a>(&self, obj: &Object<'a>, current: Option<&Sel<'a>>) -> Vec<Sel<'a>> {
        self.eval_with(obj, current, true)
    }

    /// [`Path::eval`] without the `path` text of the selected nodes (left empty): for predicates
    /// and for messages that do not show `{path}`, which need only the nodes.
    pub fn eval_nodes<'a>(&self, obj: &Object<'a>, current: Option<&Sel<'a>>) -> Vec<Sel<'a>> {
        self.eval_with(obj, current, false)
    }

    fn eval_with<'a>(
        &self,
        obj: &Object<'a>,
        current: Option<&Sel<'a>>,
        paths: bool,
    ) -> Vec<Sel<'a>> {
        let text = |f: &dyn Fn() -> String| if paths { f() } else { String::new() };
        let mut segs = &self.segs[..];
        let mut cur: Vec<Sel<'a>> = match self.root {
            Root::Object => vec![Sel {
                node: obj.node,
                key: None,
                path: String::new(),
                container: None,
            }],
            Root::Pod => obj
                .pod
                .and_then(|p| p.spec)
                .map(|n| {
                    vec![Sel {
                        node: n,
                        key: None,
                        path: text(&|| pod_prefix(obj, "spec")),
                        container: None,
                    }]
                })
                .unwrap_or_default(),
            Root::PodMeta => obj
                .pod
                .and_then(|p| p.metadata)
                .map(|n| {
                    vec![Sel {
                        node: n,
                        key: None,
                        path: text(&|| pod_prefix(obj, "metadata")),
                        container: None,
                    }]
                })
                .unwrap_or_default(),
            Root::Template => obj
                .pod
                .map(|p| {
                    vec![Sel {
                        node: p.node,
                        key: None,
                        path: text(&|| p.at.path().to_string()),
                        container: None,
                    }]
                })
                .unwrap_or_default(),
            Root::Containers => {
                segs = &segs[1..];
                let Some(pod) = obj.pod else {
                    return Vec::new();
                };
                let mut counters = [0usize; 3];
                pod.containers()
                    .map(|(k, c)| {
                        let i = counters[k as usize];
                        counters[k as usize] += 1;
                        Sel {
                            node: c,
                            key: None,
                            path: text(&|| format!("{}.{}[{i}]", pod_prefix(obj, "spec"), k.key())),
                            container: Some(c),
                        }
                    })
                    .collect()
            }
            Root::Current => current
                .map(|c| Sel {
                    node: c.node,
                    key: c.key,
                    path: text(&|| c.path.clone()),
                    container: c.container,
                })
                .into_iter()
                .collect(),
        };
        for seg in segs {
            let mut next = Vec::new();
            for s in &cur {
                step(s, seg, paths, &mut next);
            }
            cur = next;
            if cur.is_empty() {
                break;
            }
        }
        cur
    }
}

fn pod_prefix(obj: &Object<'_>, leaf: &str) -> String {
    match obj.pod {
        Some(p) => format!("{}.{leaf}", p.at.path()),
        None => format!(".{leaf}"),
    }
}

fn key_path(base: &str, key: &str) -> String {
    if key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        format!("{base}.{key}")
    } else {
        format!("{base}[\"{key}\"]")
    }
}

fn step<'a>(s: &Sel<'a>, seg: &Seg, paths: bool, out: &mut Vec<Sel<'a>>) {
    let key_path = |base: &str, key: &str| {
        if paths {
            key_path(base, key)
        } else {
            String::new()
        }
    };
    let index_path = |i: usize| {
        if paths {
            format!("{}[{i}]", s.path)
        } else {
            String::new()
        }
    };
    match (&s.node.kind, seg) {
        (Kind::Mapping(_), Seg::Key(k)) => {
            if let Some(e) = s.node.entry(k) {
                out.push(Sel {
                    node: &e.value,
                    key: Some(&e.key),
                    path: key_path(&s.path, k),
                    container: s.container,
                });
            }
        }
        (Kind::Mapping(_), Seg::Alt(keys)) => {
            for k in keys {
                if let Some(e) = s.node.entry(k) {
                    out.push(Sel {
                        node: &e.value,
                        key: Some(&e.key),
                        path: key_path(&s.path, k),
                        container: s.container,
                    });
                }
            }
        }
        (Kind::Mapping(entries), Seg::Any) => {
            for e in entries.iter() {
                let k = e.key.as_str().unwrap_or("?");
                out.push(Sel {
                    node: &e.value,
                    key: Some(&e.key),
                    path: key_path(&s.path, k),
                    container: s.container,
                });
            }
        }
        (Kind::Sequence(items), Seg::Any) => {
            for (i, n) in items.iter().enumerate() {
                out.push(Sel {
                    node: n,
                    key: None,
                    path: index_path(i),
                    container: s.container,
                });
            }
        }
        (Kind::Sequence(items), Seg::Index(i)) => {
            if let Some(n) = items.get(*i) {
                out.push(Sel {
                    node: n,
                    key: None,
                    path: index_path(*i),
                    container: s.container,
                });
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::k8s::objects;
    use crate::yaml::{Limits, parse};

    #[test]
    fn parses_all_forms() {
        let p = Path::parse(r#"podMeta.annotations["eks.tke.cloud.tencent.com/cpu"]"#).unwrap();
        assert_eq!(p.root, Root::PodMeta);
        assert_eq!(
            p.segs,
            [
                Seg::Key("annotations".into()),
                Seg::Key("eks.tke.cloud.tencent.com/cpu".into())
            ]
        );
        let p = Path::parse("containers[*].ports[*].{containerPort, hostPort}").unwrap();
        assert_eq!(p.segs.len(), 4);
        assert!(Path::parse(".x.*").is_ok());
        assert!(Path::parse("spec.x").is_err());
        assert!(Path::parse("containers.x").is_err());
        assert!(Path::parse("object..x").is_err());
        assert!(Path::parse("object[\"a").is_err());
        // Relative paths may start with an index or a bracketed key.
        let p = Path::parse(".[0]").unwrap();
        assert_eq!((p.root, p.segs), (Root::Current, vec![Seg::Index(0)]));
        let p = Path::parse(".[\"a/b\"].c").unwrap();
        assert_eq!(p.segs, [Seg::Key("a/b".into()), Seg::Key("c".into())]);
        assert!(Path::parse("..[0]").is_err());
    }

    #[test]
    fn selects_container_fields_across_kinds() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      initContainers:\n      - name: i\n        ports: [{containerPort: 1}]\n      containers:\n      - name: c\n        ports: [{containerPort: 9100, hostPort: 9100}]\n";
        let arena = crate::yaml::Arena::new();
        let p = parse(text, &arena, Limits::default());
        let objs = objects(text, &p.documents, false, false);
        let path = Path::parse("containers[*].ports[*].{containerPort,hostPort}").unwrap();
        let sel = path.eval(&objs[0], None);
        let vals: Vec<_> = sel.iter().map(|s| s.node.as_str().unwrap()).collect();
        assert_eq!(vals, ["9100", "9100", "1"]);
        assert_eq!(
            sel[0].path,
            ".spec.template.spec.containers[0].ports[0].containerPort"
        );
    }
}
