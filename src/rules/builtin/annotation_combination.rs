//! EKS105 annotation-combination: documented pairs of EKS annotations that are broken — one
//! without the other it needs, two that exclude each other, one that needs another to have a
//! certain value, two thresholds in the wrong order. The pairs are data in the rule file.

use serde::Deserialize;

use super::{Builtin, Phase, RawFinding, params};
use crate::annotations::{AnnSet, Place, sets};
use crate::k8s::Object;

const PREFIX: &str = "eks.tke.cloud.tencent.com/";

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Params {
    #[serde(default)]
    requires: Vec<Requires>,
    #[serde(default)]
    conflicts: Vec<Conflicts>,
    #[serde(default)]
    needs_value: Vec<NeedsValue>,
    #[serde(default)]
    less_than: Vec<LessThan>,
}

/// `key` does nothing (or fails) without `needs`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Requires {
    key: String,
    needs: String,
    why: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Conflicts {
    key: String,
    with: String,
    why: String,
}

/// `key` only means something when `other` is `value`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NeedsValue {
    key: String,
    other: String,
    value: String,
    why: String,
}

/// `lower` must be below `higher` (numbers; defaults apply when one is unset).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct LessThan {
    lower: String,
    higher: String,
    lower_default: f64,
    higher_default: f64,
    why: String,
}

#[derive(Debug)]
struct AnnotationCombination(Params);

pub fn new(p: Option<&serde_json::Value>) -> Result<Box<dyn Builtin>, String> {
    Ok(Box::new(AnnotationCombination(params(
        "annotation-combination",
        p,
    )?)))
}

fn full(short: &str) -> String {
    if short.contains('/') {
        short.to_string()
    } else {
        format!("{PREFIX}{short}")
    }
}

impl AnnotationCombination {
    fn check_set(&self, set: &AnnSet, out: &mut Vec<RawFinding>) {
        let p = &self.0;
        for r in &p.requires {
            if let (Some(a), None) = (set.get(&full(&r.key)), set.get(&full(&r.needs))) {
                out.push(
                    RawFinding::new(
                        a.key_span,
                        format!("`{}` is set without `{}`: {}", r.key, r.needs, r.why),
                    )
                    .label(format!("needs `{}`", r.needs))
                    .help(format!("add `{}` next to it, or remove it", full(&r.needs))),
                );
            }
        }
        for c in &p.conflicts {
            if let (Some(a), Some(b)) = (set.get(&full(&c.key)), set.get(&full(&c.with))) {
                out.push(
                    RawFinding::new(
                        a.key_span,
                        format!("`{}` and `{}` are both set: {}", c.key, c.with, c.why),
                    )
                    .label("conflicts")
                    .with_label(b.key_span, "with this one")
                    .help(format!("keep only one of `{}` and `{}`", c.key, c.with)),
                );
            }
        }
        for n in &p.needs_value {
            let Some(a) = set.get(&full(&n.key)) else {
                continue;
            };
            let other = set.value(&full(&n.other));
            if other != Some(n.value.as_str()) {
                let now = other.map_or("unset".to_string(), |v| format!("`{v}`"));
                out.push(
                    RawFinding::new(
                        a.key_span,
                        format!(
                            "`{}` only takes effect with `{}: \"{}\"` (it is {now}): {}",
                            n.key, n.other, n.value, n.why
                        ),
                    )
                    .label("no effect")
                    .help(format!(
                        "set `{}: \"{}\"`, or remove `{}`",
                        full(&n.other),
                        n.value,
                        n.key
                    )),
                );
            }
        }
        for l in &p.less_than {
            let (lo, hi) = (set.get(&full(&l.lower)), set.get(&full(&l.higher)));
            if lo.is_none() && hi.is_none() {
                continue;
            }
            let num = |a: Option<&crate::annotations::Ann>, d: f64| match a {
                Some(a) => a
                    .value
                    .as_deref()
                    .and_then(|v| v.trim().parse::<f64>().ok()),
                None => Some(d),
            };
            let (Some(lv), Some(hv)) = (num(lo, l.lower_default), num(hi, l.higher_default)) else {
                continue;
            };
            if lv >= hv {
                let at = lo.or(hi).map(|a| a.value_span).unwrap_or(set.anchor);
                let show = |a: Option<&crate::annotations::Ann>, v: f64| match a {
                    Some(_) => format!("{v}"),
                    None => format!("{v} (the default)"),
                };
                out.push(
                    RawFinding::new(
                        at,
                        format!(
                            "`{}` ({}) must be below `{}` ({}): {}",
                            l.lower,
                            show(lo, lv),
                            l.higher,
                            show(hi, hv),
                            l.why
                        ),
                    )
                    .label("not below")
                    .help(format!("make `{}` lower than `{}`", l.lower, l.higher)),
                );
            }
        }
    }
}

impl Builtin for AnnotationCombination {
    fn name(&self) -> &'static str {
        "annotation-combination"
    }
    fn phase(&self) -> Phase {
        Phase::Object
    }
    fn check_object(&self, obj: &Object<'_>, out: &mut Vec<RawFinding>) {
        for set in sets(obj) {
            // The sets that take effect: the pod's own, and eks-config's.
            if set.place != Place::Workload {
                self.check_set(&set, out);
            }
        }
    }
}
