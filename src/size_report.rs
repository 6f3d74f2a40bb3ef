//! `ekslint size PATH...`: for every workload, the size EKS bills (cores, GiB, GPU model and
//! cards), what its containers ask for, and why the two differ: an aligned table, or JSON.
//!
//! Uses the same discovery, YAML reading and object model as the linter, and
//! [`crate::k8s::sizing`] for the calculation. Kustomize patches (partial objects) and files with
//! unrendered Helm templates are left out; DaemonSets are listed without a size (their pods never
//! run on super nodes).

use std::io::{self, IsTerminal, Write};

use clap::Args;
use rayon::prelude::*;
use serde::Serialize;

use crate::cli::ListFormat;
use crate::discover::{self, Input, io_message};
use crate::k8s::sizing::{self, Demand, Problem, SizedBy, Sizing};
use crate::k8s::{self, Object};
use crate::lint::{DEFAULT_MAX_FILE_SIZE, FileKind, looks_like_patch_name};
use crate::rules::builtin::unrendered_template;
use crate::source::Source;
use crate::source::shown;
use crate::yaml::{self, Limits};

#[derive(Args, Debug)]
pub struct SizeArgs {
    /// Files or directories to read; `-` reads standard input.
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    /// Output format: an aligned table, or a JSON array (one object per workload).
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
    /// Skip files and directories matching this glob (repeatable), besides the config's `exclude`.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Name to report standard input under.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,
}

/// CPU (cores), memory (GiB) and GPU cards, as JSON shows them.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DemandJson {
    pub cpu: f64,
    #[serde(rename = "memoryGiB")]
    pub memory_gib: f64,
    pub gpu: u64,
}

impl From<Demand> for DemandJson {
    fn from(d: Demand) -> DemandJson {
        DemandJson {
            cpu: cores(d.cpu),
            memory_gib: gib(d.memory),
            gpu: d.gpu,
        }
    }
}

/// What the containers ask for: the pod's totals, and the app and init containers' separately.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RequestedJson {
    pub cpu: f64,
    #[serde(rename = "memoryGiB")]
    pub memory_gib: f64,
    pub gpu: u64,
    pub app: DemandJson,
    pub init: DemandJson,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GpuJson {
    #[serde(rename = "type")]
    pub gpu_type: String,
    pub model: String,
    pub cards: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BilledJson {
    pub cpu: f64,
    #[serde(rename = "memoryGiB")]
    pub memory_gib: f64,
    pub gpu: Option<GpuJson>,
}

/// One workload of the report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Row {
    pub file: String,
    pub line: usize,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: Option<String>,
    /// `None`: no size (an error), or not run on super nodes (DaemonSet).
    pub billed: Option<BilledJson>,
    pub requested: RequestedJson,
    /// `intel`, `amd` or `gpu` (`None` for DaemonSets).
    pub table: Option<&'static str>,
    /// `annotations`, `resources` or `default`.
    #[serde(rename = "sizedBy")]
    pub sized_by: Option<SizedBy>,
    pub reason: String,
    /// Short texts for the table.
    #[serde(skip)]
    billed_text: String,
    #[serde(skip)]
    requested_text: String,
    #[serde(skip)]
    larger: bool,
}

fn cores(milli: u64) -> f64 {
    milli as f64 / 1000.0
}

fn gib(bytes: u64) -> f64 {
    bytes as f64 / (1u64 << 30) as f64
}

/// The report rows of one object (none for objects without a pod template, and for patches).
pub fn row(file: &str, source: &Source, obj: &Object<'_>) -> Option<Row> {
    if obj.patch {
        return None;
    }
    let pod = obj.pod?;
    let s: Sizing<'_> = sizing::size_pod(&pod);
    let r = s.requested;
    let requested = RequestedJson {
        cpu: cores(r.pod.cpu),
        memory_gib: gib(r.pod.memory),
        gpu: r.pod.gpu,
        app: r.app.into(),
        init: r.init.into(),
    };
    let line = source.position(obj.node.span.start as usize).line;
    let mut row = Row {
        file: file.to_string(),
        line,
        kind: obj.kind.unwrap_or("?").to_string(),
        namespace: obj.namespace.map(str::to_string),
        name: obj.name.map(str::to_string),
        billed: None,
        requested,
        table: Some(s.table.key()),
        sized_by: Some(s.sized_by),
        reason: s.reason.clone(),
        billed_text: String::new(),
        requested_text: r.pod.display(),
        larger: false,
    };
    if obj.is_kind("DaemonSet") {
        row.table = None;
        row.sized_by = None;
        row.billed_text = "-".into();
        row.reason = "DaemonSet pods never run on super nodes: EKS does not bill them".into();
        return Some(row);
    }
    match &s.billed {
        Ok(b) => {
            row.billed = Some(BilledJson {
                cpu: cores(b.cpu),
                memory_gib: gib(b.memory),
                gpu: b.gpu.as_ref().map(|g| GpuJson {
                    gpu_type: g.gpu_type.clone(),
                    model: g.model.clone(),
                    cards: g.cards,
                }),
            });
            row.billed_text = b.display();
            row.larger = s.sized_by != SizedBy::Annotations
                && (b.cpu > r.pod.cpu
                    || b.memory > r.pod.memory
                    || b.gpu.as_ref().is_some_and(|g| g.cards > r.pod.gpu));
        }
        Err(p) => {
            row.billed_text = match p {
                Problem::TooLarge { .. } => "no size: too large",
                Problem::InvalidAnnotation { .. } => "no size: bad annotation",
                Problem::GpuTypeMissing => "no size: no gpu-type",
                Problem::GpuTypeUnknown(_) => "no size: unknown GPU",
                Problem::TooManyCards { .. } => "no size: too many GPUs",
                Problem::FractionalGpu => "no size: GPUs not whole",
            }
            .into();
        }
    }
    Some(row)
}

/// The rows of one file's text.
pub fn rows_of_text(display: &str, text: &str, patch: bool) -> Vec<Row> {
    sized(display, text, patch).0
}

/// The rows of a file's workloads, and why some of it could not be sized (a template, a
/// document that does not parse): the workloads it would hold are missing from the report.
fn sized(display: &str, text: &str, patch: bool) -> (Vec<Row>, Option<String>) {
    if FileKind::of(display) == FileKind::Exports {
        return (Vec::new(), None);
    }
    let arena = yaml::Arena::new();
    let parsed = yaml::parse(text, &arena, Limits::default());
    if unrendered_template::detect(text, &parsed).is_some() {
        return (
            Vec::new(),
            Some("a template, not a manifest (size its rendered output: `helm template . | ekslint size -`)".into()),
        );
    }
    let source = Source::new(display, text);
    let rows = k8s::objects(text, &parsed.documents, patch, text.contains("$patch"))
        .iter()
        .filter_map(|o| row(display, &source, o))
        .collect();
    let note = parsed.errors.first().map(|e| {
        let line = source.position(e.at).line;
        format!(
            "line {line}: {} (its workloads are not sized; `ekslint {display}` shows where)",
            e.message
        )
    });
    (rows, note)
}

fn read_input(input: &Input) -> Result<(String, Vec<u8>, bool), (String, String)> {
    match input {
        Input::File { path, patch } => {
            let display = input.display().into_owned();
            let meta = std::fs::metadata(path).map_err(|e| (display.clone(), io_message(&e)))?;
            if meta.len() > DEFAULT_MAX_FILE_SIZE {
                return Err((
                    display,
                    format!(
                        "file is {}, above the {} limit: not sized",
                        crate::lint::size_text(meta.len()),
                        crate::lint::size_text(DEFAULT_MAX_FILE_SIZE)
                    ),
                ));
            }
            // Up to the limit: a device or a pipe has no size to check first.
            let bytes = std::fs::File::open(path)
                .and_then(|f| crate::discover::read_at_most(f, DEFAULT_MAX_FILE_SIZE, "file"))
                .map_err(|e| (display.clone(), io_message(&e)))?
                .map_err(|why| (display.clone(), format!("{why}: not sized")))?;
            Ok((display.clone(), bytes, *patch))
        }
        Input::Stdin { name } => Ok((
            name.clone(),
            crate::discover::read_stdin(name, DEFAULT_MAX_FILE_SIZE)?,
            looks_like_patch_name(name),
        )),
    }
}

/// Runs `ekslint size` and returns the exit code (0, or 2 for usage and I/O errors).
pub fn run(args: SizeArgs) -> i32 {
    let paths = if args.paths.is_empty() {
        vec![".".to_string()]
    } else {
        args.paths.clone()
    };
    let excludes =
        match crate::cli::size_excludes(&paths, args.stdin_filename.as_deref(), &args.exclude) {
            Ok(e) => e,
            Err(code) => return code,
        };
    let stdin_name = args.stdin_filename.as_deref().unwrap_or("<stdin>");
    // The files in the order a lint run reports them.
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    discover::stream(
        &paths,
        &excludes,
        stdin_name,
        |i| {
            inputs.push(i);
            true
        },
        |e| errors.push(e),
    );
    let mut failed = !errors.is_empty();
    for e in &errors {
        eprintln!("ekslint: error: {}: {}", shown(&e.path), e.message);
    }
    type Sized = (Vec<Row>, Option<(String, String)>);
    let per_file: Vec<Result<Sized, (String, String)>> = inputs
        .par_iter()
        .map(|input| {
            let (display, bytes, patch) = read_input(input)?;
            // Binary and non-UTF-8 files hold no manifests to size: said, not hidden (tested in
            // the order a lint run tests them).
            if crate::lint::binary_at(&bytes).is_some() {
                let note = "a binary file: not sized".to_string();
                return Ok((Vec::new(), Some((display, note))));
            }
            Ok(match std::str::from_utf8(&bytes) {
                Ok(text) => {
                    let (rows, note) = sized(&display, text, patch);
                    (rows, note.map(|n| (display, n)))
                }
                Err(_) => (
                    Vec::new(),
                    Some((display, "not valid UTF-8: not sized".into())),
                ),
            })
        })
        .collect();
    let mut rows = Vec::new();
    for r in per_file {
        match r {
            Ok((v, note)) => {
                rows.extend(v);
                if let Some((path, note)) = note {
                    eprintln!(
                        "ekslint: note: {}: {}",
                        shown(&path),
                        crate::source::shown_message(&note)
                    );
                }
            }
            Err((path, msg)) => {
                failed = true;
                eprintln!("ekslint: error: {}: {msg}", shown(&path));
            }
        }
    }
    let stdout = io::stdout();
    let mut text = Vec::new();
    let _ = match args.format {
        ListFormat::Json => writeln!(
            text,
            "{}",
            serde_json::to_string_pretty(&rows).unwrap_or_default()
        ),
        ListFormat::Table => write_table(&mut text, &rows, stdout.is_terminal()),
    };
    // A reader gone away is no error; a full disk is (exit 2).
    let written = crate::cli::emit(&text);
    if failed { 2 } else { written }
}

/// `Kind namespace/name`.
fn workload(r: &Row) -> String {
    let name = r.name.as_deref().unwrap_or("(unnamed)");
    match &r.namespace {
        Some(ns) => format!("{} {ns}/{name}", r.kind),
        None => format!("{} {name}", r.kind),
    }
}

/// The aligned table: location, workload, billed size, what the containers ask for, why.
pub fn write_table(out: &mut impl Write, rows: &[Row], tty: bool) -> io::Result<()> {
    if rows.is_empty() {
        return writeln!(out, "No workloads found.");
    }
    let header = ["LOCATION", "WORKLOAD", "BILLED", "CONTAINERS ASK", "WHY"];
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            [
                format!("{}:{}", shown(&r.file), r.line),
                workload(r),
                r.billed_text.clone(),
                r.requested_text.clone(),
                r.reason.clone(),
            ]
        })
        .collect();
    let mut width = [0usize; 4];
    for row in std::iter::once(&header.map(String::from)).chain(cells.iter()) {
        for (w, c) in width.iter_mut().zip(row.iter()) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |out: &mut dyn Write, row: &[String; 5], bold: bool| -> io::Result<()> {
        let mut s = String::new();
        for (i, c) in row.iter().enumerate() {
            if i < 4 {
                let pad = width[i] - c.chars().count();
                s.push_str(c);
                s.push_str(&" ".repeat(pad + 2));
            } else {
                s.push_str(c);
            }
        }
        let s = s.trim_end();
        if bold && tty {
            writeln!(out, "\x1b[1m{s}\x1b[0m")
        } else {
            writeln!(out, "{s}")
        }
    };
    line(out, &header.map(String::from), true)?;
    for c in &cells {
        line(out, c, false)?;
    }
    let larger = rows.iter().filter(|r| r.larger).count();
    let sized = rows.iter().filter(|r| r.table.is_some()).count();
    let none = rows
        .iter()
        .filter(|r| r.table.is_some() && r.billed.is_none())
        .count();
    writeln!(
        out,
        "\n{} workload{}: {larger} billed above what {} ask for, {none} without a size{}.",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" },
        if larger == 1 {
            "its containers"
        } else {
            "their containers"
        },
        if sized < rows.len() {
            format!(", {} not run on super nodes", rows.len() - sized)
        } else {
            String::new()
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_of_a_manifest() {
        let text = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        resources: {requests: {cpu: \"3\", memory: 3584Mi}}\n---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent}\nspec:\n  template:\n    spec:\n      containers: [{name: a}]\n";
        let rows = rows_of_text("m.yaml", text, false);
        assert_eq!(rows.len(), 2);
        let web = &rows[0];
        assert_eq!((web.line, web.kind.as_str()), (5, "Deployment"));
        assert_eq!(web.namespace.as_deref(), Some("shop"));
        let b = web.billed.as_ref().unwrap();
        assert_eq!((b.cpu, b.memory_gib, &b.gpu), (4.0, 8.0, &None));
        assert_eq!((web.requested.cpu, web.requested.memory_gib), (3.0, 3.5));
        assert_eq!(web.table, Some("intel"));
        assert!(web.larger);
        assert!(rows[1].billed.is_none() && rows[1].table.is_none());
        let mut out = Vec::new();
        write_table(&mut out, &rows, false).unwrap();
        let out = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[0].starts_with("LOCATION   WORKLOAD"), "{out}");
        assert!(
            lines[1].starts_with("m.yaml:5   Deployment shop/web  4 cores / 8 GiB  3 cores / 3.5 GiB   3 cores is not a size"),
            "{out}"
        );
        assert!(
            out.ends_with("2 workloads: 1 billed above what its containers ask for, 0 without a size, 1 not run on super nodes.\n"),
            "{out}"
        );
    }

    #[test]
    fn patches_and_templates_are_left_out() {
        let text =
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a}]\n";
        assert_eq!(rows_of_text("p.yaml", text, true), Vec::new());
        let helm = "apiVersion: v1\nkind: Pod\nmetadata: {name: {{ .Values.name }}}\nspec:\n  containers: [{name: a}]\n";
        assert_eq!(rows_of_text("t.yaml", helm, false), Vec::new());
    }
}
