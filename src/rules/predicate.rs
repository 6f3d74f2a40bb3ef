//! Predicates of the condition language, compiled once from [`PredicateSpec`] and evaluated against
//! a selected node of an object.

use regex::Regex;

use super::path::{Path, Sel};
use super::spec::{NumberRange, PredicateSpec, ScalarValue};
use crate::k8s::{Object, quantity};
use crate::yaml::K8sType;

/// Where a compile error points: the text of the offending part, for the caller to locate.
#[derive(Debug)]
pub struct CompileError {
    pub message: String,
    pub location: Option<serde_saphyr::Location>,
}

impl CompileError {
    pub fn at(message: impl Into<String>, at: serde_saphyr::Location) -> CompileError {
        err(message, Some(at))
    }

    /// Points at `at` (the enclosing check) when the error has no place of its own.
    pub fn or_at(mut self, at: serde_saphyr::Location) -> CompileError {
        self.location = self.location.or(Some(at));
        self
    }
}

#[derive(Debug)]
pub enum Op {
    Present(bool),
    /// The value's text, and whether it is an integer (compared as Kubernetes reads one).
    Equals(String, bool),
    OneOf(Vec<(String, bool)>),
    Matches(Regex),
    Number(NumberRange),
    Quantity(Option<f64>, Option<f64>),
    IsString(bool),
    Scalar(bool),
    In(Path),
    Kind(Vec<String>),
    All(Vec<Predicate>),
    Any(Vec<Predicate>),
    Not(Box<Predicate>),
}

/// The values an `in` path found in an object, by the path's and the object's addresses (with
/// its text's and its document): one entry per `in` path of the rule at work (EKS007 has two,
/// asked in turn for each mount).
type InSets = Vec<(
    (usize, usize, usize, usize),
    std::collections::HashSet<String>,
)>;

thread_local! {
    static IN_SETS: std::cell::RefCell<InSets> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Forgets the values `in` paths gathered: called before a rule looks at an object, so that
/// another object that happens to sit at the same addresses is never answered from them.
pub fn forget_in_sets() {
    IN_SETS.with_borrow_mut(|sets| {
        if !sets.is_empty() {
            *sets = Vec::new();
        }
    });
}

#[derive(Debug)]
pub struct Predicate {
    pub path: Option<Path>,
    pub op: Op,
}

fn err(message: impl Into<String>, location: Option<serde_saphyr::Location>) -> CompileError {
    CompileError {
        message: message.into(),
        location,
    }
}

pub fn compile_path(p: &serde_saphyr::Spanned<String>) -> Result<Path, CompileError> {
    Path::parse(&p.value)
        .map_err(|m| err(format!("bad path `{}`: {m}", p.value), Some(p.referenced)))
}

impl Predicate {
    pub fn compile(spec: &PredicateSpec) -> Result<Predicate, CompileError> {
        let path = spec.path.as_ref().map(compile_path).transpose()?;
        // Where an error about the predicate as a whole points: the first of its keys that
        // carries a location.
        let loc = [&spec.path, &spec.matches, &spec.in_path]
            .into_iter()
            .flatten()
            .map(|s| s.referenced)
            .next();
        let mut ops: Vec<Op> = Vec::new();
        if let Some(b) = spec.present {
            ops.push(Op::Present(b));
        }
        if let Some(v) = &spec.equals {
            ops.push(Op::Equals(v.text(), matches!(v, ScalarValue::Int(_))));
        }
        if let Some(v) = &spec.one_of {
            ops.push(Op::OneOf(
                v.iter()
                    .map(|s| (s.text(), matches!(s, ScalarValue::Int(_))))
                    .collect(),
            ));
        }
        if let Some(r) = &spec.matches {
            let re = Regex::new(&r.value)
                .map_err(|e| err(format!("invalid regex: {e}"), Some(r.referenced)))?;
            ops.push(Op::Matches(re));
        }
        if let Some(n) = &spec.number {
            ops.push(Op::Number(n.clone()));
        }
        if spec.port == Some(true) {
            ops.push(Op::Number(NumberRange {
                min: Some(1.0),
                max: Some(65535.0),
                integer: true,
            }));
        }
        if spec.percent == Some(true) {
            ops.push(Op::Number(NumberRange {
                min: Some(0.0),
                max: Some(100.0),
                integer: true,
            }));
        }
        if let Some(q) = &spec.quantity {
            let parse = |s: &Option<String>| -> Result<Option<f64>, CompileError> {
                s.as_ref()
                    .map(|s| {
                        quantity::parse(s)
                            .ok_or_else(|| err(format!("`{s}` is not a quantity"), loc))
                    })
                    .transpose()
            };
            ops.push(Op::Quantity(parse(&q.min)?, parse(&q.max)?));
        }
        if let Some(b) = spec.scalar {
            ops.push(Op::Scalar(b));
        }
        if let Some(b) = spec.is_string {
            ops.push(Op::IsString(b));
        }
        if let Some(p) = &spec.in_path {
            ops.push(Op::In(compile_path(p)?));
        }
        if let Some(kinds) = &spec.kind {
            for k in kinds {
                if let Some(problem) = super::kind_problem(&k.value, false) {
                    return Err(err(problem, Some(k.referenced)));
                }
            }
            ops.push(Op::Kind(kinds.iter().map(|k| k.value.clone()).collect()));
        }
        if let Some(all) = &spec.all {
            ops.push(Op::All(
                all.iter()
                    .map(Predicate::compile)
                    .collect::<Result<_, _>>()?,
            ));
        }
        if let Some(any) = &spec.any {
            ops.push(Op::Any(
                any.iter()
                    .map(Predicate::compile)
                    .collect::<Result<_, _>>()?,
            ));
        }
        if let Some(n) = &spec.not {
            ops.push(Op::Not(Box::new(Predicate::compile(n)?)));
        }
        match ops.len() {
            1 => Ok(Predicate {
                path,
                op: ops.pop().expect("one op"),
            }),
            0 => Err(err(
                "a predicate needs one operator (present, equals, one-of, matches, number, port, percent, quantity, is-string, scalar, in, kind, all, any, not); an operator left empty (`matches:` with no value) is none",
                loc,
            )),
            _ => Err(err(
                "a predicate takes exactly one operator; combine several with `all:` or `any:`",
                loc,
            )),
        }
    }

    /// Evaluates against the object, with `cur` the node under test.
    pub fn eval<'a>(&self, obj: &Object<'a>, cur: Option<&Sel<'a>>) -> bool {
        match &self.path {
            None => self.op_eval(obj, cur),
            Some(p) => {
                let nodes = p.eval_nodes(obj, cur);
                if let Op::Present(b) = self.op {
                    return nodes.is_empty() != b;
                }
                nodes.iter().any(|n| self.op_eval(obj, Some(n)))
            }
        }
    }

    fn op_eval<'a>(&self, obj: &Object<'a>, cur: Option<&Sel<'a>>) -> bool {
        let text = || cur.and_then(|c| c.node.as_str());
        // Numbers as Kubernetes receives them (`0x10` is 16).
        let number = || cur.and_then(|c| c.node.number_text());
        match &self.op {
            Op::Present(b) => cur.is_some() == *b,
            // An integer in the rule equals the same integer however the manifest writes it.
            Op::Equals(v, true) => number().is_some_and(|t| t == *v),
            Op::Equals(v, false) => text().is_some_and(|t| t == v),
            Op::OneOf(vs) => vs.iter().any(|(v, integer)| {
                if *integer {
                    number().is_some_and(|t| t == *v)
                } else {
                    text().is_some_and(|t| t == v)
                }
            }),
            Op::Matches(re) => text().is_some_and(|t| re.is_match(t)),
            Op::Number(r) => number()
                .and_then(|t| t.trim().parse::<f64>().ok())
                .is_some_and(|n| {
                    (!r.integer || n.fract() == 0.0)
                        && r.min.is_none_or(|m| n >= m)
                        && r.max.is_none_or(|m| n <= m)
                }),
            Op::Quantity(min, max) => number()
                .and_then(|t| quantity::parse(&t))
                .is_some_and(|q| min.is_none_or(|m| q >= m) && max.is_none_or(|m| q <= m)),
            Op::IsString(b) => cur.is_some_and(|c| (c.node.k8s_type() == K8sType::String) == *b),
            Op::Scalar(b) => cur.is_some_and(|c| {
                !matches!(c.node.k8s_type(), K8sType::Mapping | K8sType::Sequence) == *b
            }),
            Op::In(p) => {
                let Some(t) = text() else { return false };
                if p.root == super::path::Root::Current {
                    return p
                        .eval_nodes(obj, cur)
                        .iter()
                        .any(|o| o.node.as_str().is_some_and(|v| v.trim() == t.trim()));
                }
                // The same for every node selected in the object: its values are gathered once
                // (a pod's volumes for each of its mounts was mounts × volumes).
                IN_SETS.with_borrow_mut(|sets| {
                    let key = (
                        std::ptr::from_ref(p) as usize,
                        std::ptr::from_ref(obj.node) as usize,
                        obj.text.as_ptr() as usize,
                        obj.document,
                    );
                    let at = match sets.iter().position(|(k, _)| *k == key) {
                        Some(at) => at,
                        None => {
                            let values = p
                                .eval_nodes(obj, cur)
                                .iter()
                                .filter_map(|o| o.node.as_str().map(|v| v.trim().to_string()))
                                .collect();
                            sets.push((key, values));
                            sets.len() - 1
                        }
                    };
                    sets[at].1.contains(t.trim())
                })
            }
            Op::Kind(kinds) => obj.kind.is_some_and(|k| kinds.iter().any(|x| x == k)),
            Op::All(ps) => ps.iter().all(|p| p.eval(obj, cur)),
            Op::Any(ps) => ps.iter().any(|p| p.eval(obj, cur)),
            Op::Not(p) => !p.eval(obj, cur),
        }
    }
}
