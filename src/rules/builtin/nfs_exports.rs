//! EKS502 nfs-exports-insecure: an NFS export whose options lack `insecure`. Pods on super nodes
//! mount from unprivileged source ports, which a `secure` export (the default) refuses with
//! "Operation not permitted".
//!
//! Two checks share the logic: `nfs-exports-file` reads `exports` / `*.exports` files
//! (Phase::Text), `nfs-exports-configmap` reads the `exports` (or `*.exports`) keys of a
//! ConfigMap's `data` (Phase::Object), with spans mapped back into the block scalar.

use super::{Builtin, Phase, RawFinding, no_params};
use crate::exports::{self, Export, PortCheck};
use crate::k8s::Object;
use crate::source::{Source, Span};
use crate::yaml::embedded::Embedded;

#[derive(Debug)]
struct ExportsFile;

#[derive(Debug)]
struct ExportsConfigMap;

pub fn new_file(p: Option<&serde_json::Value>) -> Result<Box<dyn Builtin>, String> {
    no_params("nfs-exports-file", p)?;
    Ok(Box::new(ExportsFile))
}

pub fn new_configmap(p: Option<&serde_json::Value>) -> Result<Box<dyn Builtin>, String> {
    no_params("nfs-exports-configmap", p)?;
    Ok(Box::new(ExportsConfigMap))
}

impl Builtin for ExportsFile {
    fn name(&self) -> &'static str {
        "nfs-exports-file"
    }
    fn phase(&self) -> Phase {
        Phase::Text
    }
    fn check_text(&self, source: &Source, out: &mut Vec<RawFinding>) {
        check(&source.text, &|s| s, out);
    }
}

/// A ConfigMap data key that holds an exports file.
fn is_exports_key(key: &str) -> bool {
    key == "exports" || key.ends_with(".exports")
}

impl Builtin for ExportsConfigMap {
    fn name(&self) -> &'static str {
        "nfs-exports-configmap"
    }
    fn phase(&self) -> Phase {
        Phase::Object
    }
    fn check_object(&self, obj: &Object<'_>, out: &mut Vec<RawFinding>) {
        if !obj.is_kind("ConfigMap") {
            return;
        }
        let Some(data) = obj.node.get("data") else {
            return;
        };
        for e in data.entries() {
            if !e.key.as_str().is_some_and(is_exports_key) {
                continue;
            }
            let Some(emb) = Embedded::of(obj.text, &e.value) else {
                continue;
            };
            check(&emb.text, &|s| emb.span_to_file(s), out);
        }
    }
}

/// Every client of every export of `text` that lacks `insecure`; `to_file` maps spans of `text`
/// to the file.
fn check(text: &str, to_file: &dyn Fn(Span) -> Span, out: &mut Vec<RawFinding>) {
    // A file (or key) with lines that are not exports is something else, such as a shell script.
    if !exports::looks_like_exports(text) {
        return;
    }
    for export in exports::parse(text) {
        check_export(&export, to_file, out);
    }
}

fn check_export(e: &Export, to_file: &dyn Fn(Span) -> Span, out: &mut Vec<RawFinding>) {
    let fixed = e.fixed_line();
    let help = format!(
        "export it with `insecure`: `{fixed}`, then reload with `exportfs -ra`{}",
        if e.clients
            .iter()
            .any(|c| c.port_check() == PortCheck::Secure)
        {
            " (an explicit `secure` must go)"
        } else {
            ""
        }
    );
    let path = &e.path.text;
    for (i, c) in e.clients.iter().enumerate() {
        let check = c.port_check();
        if check == PortCheck::Insecure {
            continue;
        }
        let why = match check {
            PortCheck::Secure => "sets `secure`",
            _ => "lacks `insecure`",
        };
        let consequence =
            "pods on super nodes mount from ports above 1023 and get \"Operation not permitted\"";
        let (span, message, label) = match (&c.host, &c.options) {
            (_, Some(o)) => (
                o.span,
                if c.host.is_some() {
                    format!("export `{path}` to `{}` {why}: {consequence}", c.who())
                } else {
                    format!(
                        "export `{path}` to everyone (`{}` has no host) {why}: {consequence}",
                        o.text
                    )
                },
                if check == PortCheck::Secure {
                    "`secure` wins here"
                } else {
                    "no `insecure` here"
                },
            ),
            (Some(h), None) => {
                let message = match e.detached_options(i) {
                    Some(j) => format!(
                        "export `{path}` to `{}` has no options, so it gets the defaults (`secure`): \
                         the space before `{}` gives those options to everyone instead; {consequence}",
                        c.who(),
                        e.clients[j]
                            .options
                            .as_ref()
                            .map_or("", |o| o.text.as_str())
                    ),
                    None if c.defaults.is_empty() => format!(
                        "export `{path}` to `{}` has no options, so it gets the defaults (`secure`): {consequence}",
                        c.who()
                    ),
                    None => format!("export `{path}` to `{}` {why}: {consequence}", c.who()),
                };
                (h.span, message, "no options: `secure` by default")
            }
            (None, None) => (
                e.path.span,
                format!(
                    "export `{path}` names no client, so it goes to everyone with the defaults (`secure`): {consequence}"
                ),
                "no client, no `insecure`",
            ),
        };
        out.push(
            RawFinding::new(to_file(span), message)
                .label(label)
                .help(help.clone()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        check(text, &|s| s, &mut out);
        out.into_iter()
            .map(|f| (text[f.span.range()].to_string(), f.help.unwrap()))
            .collect()
    }

    #[test]
    fn points_at_options_or_the_client() {
        let f = run("/data/ 10.0.0.0/16(rw,sync) 10.1.0.0/16(rw,insecure) h\n");
        let spans: Vec<_> = f.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(spans, ["(rw,sync)", "h"]);
        assert!(
            f[0].1.contains(
                "`/data/ 10.0.0.0/16(rw,sync,insecure) 10.1.0.0/16(rw,insecure) h(insecure)`"
            ),
            "{}",
            f[0].1
        );
    }

    #[test]
    fn silent_when_insecure_everywhere() {
        assert!(run("# c\n/data/  10.0.0.0/16(rw,insecure)\n/x -insecure a b(rw)\n").is_empty());
    }

    #[test]
    fn shell_dotfiles_named_exports_are_left_alone() {
        assert!(run("EDITOR=/usr/bin/vim\n/usr/local/bin/setup quiet\nexport EDITOR\n").is_empty());
    }

    #[test]
    fn configmap_spans_point_into_the_block() {
        let file = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: nfs}\ndata:\n  exports: |\n    /data 10.0.0.0/16(rw)\n    /ok *(rw,insecure)\n";
        let arena = crate::yaml::Arena::new();
        let p = crate::yaml::parse(file, &arena, crate::yaml::Limits::default());
        let objs = crate::k8s::objects(file, &p.documents, false, false);
        let mut out = Vec::new();
        ExportsConfigMap.check_object(&objs[0], &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(&file[out[0].span.range()], "(rw)");
    }
}
