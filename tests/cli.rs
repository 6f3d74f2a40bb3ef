//! End-to-end tests: the real `ekslint` binary, run as a user runs it, on the realistic manifests
//! under `testdata/e2e/` (and on files written into temporary directories where committing them
//! would be fragile: CRLF, binary content, ignored directories, generated trees).
//!
//! Every JSON finding is checked against the file's bytes: `file[start.offset..end.offset]` must be
//! exactly the offending node's text, and line/column (1-based, columns in characters, lines ended
//! by `\n`, `\r\n` or `\r`) are recomputed here independently of the binary.
//!
//! Set `UPDATE_SNAPSHOTS=1` to rewrite `tests/snapshots/*.txt` from the current output.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_ekslint");

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The binary, run from the repository root with a predictable environment: no colors forced or
/// suppressed by the caller's shell, a fixed terminal width, the default thread pool, no stdin.
/// The binary, run from the repo root, with no config file, and with the rules these fixtures were
/// written for (the core catalog: EKS0xx, EKS3xx, EKS7xx) so that new rule families do not change
/// the expected findings. Other rule families have their own tests.
fn ekslint() -> Command {
    let mut c = Command::new(BIN);
    c.args(["--isolated", "--select", "EKS0,EKS3,EKS7"]);
    c.current_dir(repo())
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("RAYON_NUM_THREADS")
        .env("COLUMNS", "100")
        .stdin(Stdio::null());
    c
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not one JSON document ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("run ekslint");
    Run {
        code: out.status.code().expect("ekslint exited by a signal"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// Runs with `args`, feeding `input` on standard input.
fn run_stdin(args: &[&str], input: &[u8]) -> Run {
    let mut child = ekslint()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn ekslint");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(input)
        .expect("write stdin");
    let out = child.wait_with_output().expect("wait for ekslint");
    Run {
        code: out.status.code().expect("ekslint exited by a signal"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// One diagnostic of the JSON report.
#[derive(Debug, Clone)]
struct Diag {
    rule: String,
    name: String,
    severity: String,
    message: String,
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    start: usize,
    end: usize,
    object: Value,
}

fn num(v: &Value) -> usize {
    v.as_u64().unwrap_or_else(|| panic!("not a number: {v}")) as usize
}

fn text(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string: {v}"))
        .to_string()
}

fn diags(report: &Value) -> Vec<Diag> {
    assert_eq!(report["version"], 1, "{report}");
    report["diagnostics"]
        .as_array()
        .expect("diagnostics is an array")
        .iter()
        .map(|d| {
            let s = &d["span"];
            Diag {
                rule: text(&d["rule"]),
                name: text(&d["name"]),
                severity: text(&d["severity"]),
                message: text(&d["message"]),
                file: text(&d["file"]),
                line: num(&s["start"]["line"]),
                column: num(&s["start"]["column"]),
                end_line: num(&s["end"]["line"]),
                end_column: num(&s["end"]["column"]),
                start: num(&s["start"]["offset"]),
                end: num(&s["end"]["offset"]),
                object: d["object"].clone(),
            }
        })
        .collect()
}

/// (line, column) of a byte offset, computed independently of ekslint: lines end at `\n`, `\r\n`
/// or a lone `\r`; the column counts characters from the start of the line, 1-based.
fn line_col(bytes: &[u8], offset: usize) -> (usize, usize) {
    let text = std::str::from_utf8(bytes).expect("fixture is UTF-8");
    assert!(
        text.is_char_boundary(offset),
        "offset {offset} is not on a character boundary"
    );
    let (mut line, mut line_start, mut i) = (1, 0, 0);
    while i < offset {
        let c = bytes[i];
        if c == b'\n' || c == b'\r' {
            let next = if c == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                i + 2
            } else {
                i + 1
            };
            if next <= offset {
                line += 1;
                line_start = next;
            }
            i = next;
        } else {
            i += 1;
        }
    }
    (line, text[line_start..offset].chars().count() + 1)
}

/// Every span lies inside the file, on character boundaries, and its line/column agree with the
/// byte offset.
fn check_spans(bytes: &[u8], ds: &[Diag]) {
    for d in ds {
        assert!(
            d.start <= d.end && d.end <= bytes.len(),
            "{d:?}: span outside the file ({} bytes)",
            bytes.len()
        );
        assert_eq!(
            line_col(bytes, d.start),
            (d.line, d.column),
            "start line/column of {d:?}"
        );
        assert_eq!(
            line_col(bytes, d.end),
            (d.end_line, d.end_column),
            "end line/column of {d:?}"
        );
    }
}

/// The bytes a diagnostic points at.
fn slice<'a>(bytes: &'a [u8], d: &Diag) -> &'a str {
    std::str::from_utf8(&bytes[d.start..d.end]).expect("span is UTF-8")
}

/// (rule, line, exact text) of each diagnostic, in report order.
fn summary_of(bytes: &[u8], ds: &[Diag]) -> Vec<(String, usize, String)> {
    ds.iter()
        .map(|d| (d.rule.clone(), d.line, slice(bytes, d).to_string()))
        .collect()
}

fn expected(list: &[(&str, usize, &str)]) -> Vec<(String, usize, String)> {
    list.iter()
        .map(|(r, l, t)| (r.to_string(), *l, t.to_string()))
        .collect()
}

/// Lints one file (by the path given, relative to the repository root or absolute) and checks the
/// findings are exactly `want` (rule, line, text at the span), with consistent positions.
fn assert_file(path: &str, want: &[(&str, usize, &str)]) -> Vec<Diag> {
    let r = run(ekslint().args(["--format", "json", path]));
    let report = r.json();
    let ds = diags(&report);
    let bytes = fs::read(repo().join(path)).expect("read fixture");
    check_spans(&bytes, &ds);
    assert_eq!(
        summary_of(&bytes, &ds),
        expected(want),
        "findings of {path}:\n{}",
        r.stdout
    );
    for d in &ds {
        assert_eq!(d.file, path, "file field of {d:?}");
    }
    assert_eq!(report["summary"]["files"], 1, "{}", r.stdout);
    assert_eq!(report["summary"]["skipped"], 0, "{}", r.stdout);
    let want_code = if want.is_empty() { 0 } else { 1 };
    assert_eq!(
        r.code, want_code,
        "exit code for {path}; stderr:\n{}",
        r.stderr
    );
    assert!(r.stderr.is_empty(), "unexpected stderr: {}", r.stderr);
    ds
}

fn write(dir: &Path, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().expect("has a parent")).expect("mkdir");
    fs::write(&p, content).expect("write file");
    p
}

fn crlf(s: &str) -> String {
    s.replace('\n', "\r\n")
}

fn files_in(report: &Value) -> Vec<String> {
    let mut v: Vec<String> = diags(report).into_iter().map(|d| d.file).collect();
    v.dedup();
    v
}

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

#[test]
fn chinese_comments_offsets_are_bytes_and_columns_are_characters() {
    let path = "testdata/e2e/node-exporter.yaml";
    let ds = assert_file(path, &[("EKS003", 23, "40"), ("EKS301", 28, "9100")]);
    let bytes = fs::read(repo().join(path)).unwrap();
    let text = std::str::from_utf8(&bytes).unwrap();

    // Chinese comments precede the port: the byte offset is larger than the character index.
    let port = &ds[1];
    assert_eq!(
        (port.name.as_str(), port.severity.as_str()),
        ("metrics-port-conflict", "error")
    );
    let char_index = text[..port.start].chars().count();
    assert!(
        port.start > char_index + 100,
        "offset {} should count bytes, not the {char_index} characters before it",
        port.start
    );
    assert_eq!((port.line, port.column), (28, 26));
    assert_eq!(port.object["kind"], "Deployment");
    assert_eq!(port.object["name"], "node-exporter");
    assert_eq!(port.object["namespace"], "monitoring");

    // On line 23 Chinese text precedes the value on the same line: column 79 in characters, where
    // a byte count would say 87.
    let arg = &ds[0];
    let line_start = text[..arg.start].rfind('\n').unwrap() + 1;
    assert_eq!(arg.column, 79);
    assert_eq!(arg.start - line_start + 1, 87, "the byte column differs");
    assert!(arg.message.contains("args[2]"), "{}", arg.message);
}

#[test]
fn crlf_line_endings_keep_lines_columns_and_offsets_exact() {
    let dir = tempfile::tempdir().unwrap();
    let payments = crlf(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: payments
  namespace: finance
spec:
  selector:
    matchLabels:
      app: payments
  template:
    metadata:
      labels:
        app: payments
      annotations:
        eks.tke.cloud.tencent.com/cpu: \"2\"
      annotations:
        eks.tke.cloud.tencent.com/mem: \"4Gi\"
    spec:
      containers:
      - name: payments
        image: registry.example.com/finance/payments:3.1.4
        terminationMessagePolicy: FallbackToLogsOnError
        env:
        - name: ENABLE_AUDIT
          value: yes
",
    );
    assert!(payments.contains("\r\n") && !payments.contains("\n\n"));
    let p = write(dir.path(), "payments.yaml", &payments);
    let ds = assert_file(
        p.to_str().unwrap(),
        &[("EKS002", 16, "annotations"), ("EKS003", 25, "yes")],
    );
    assert_eq!(ds[0].column, 7);
    assert_eq!(ds[1].column, 18);
    assert_eq!(ds[1].object["name"], "payments");

    // The same fixtures with CRLF give the same findings at the same lines, columns and texts.
    for fixture in [
        "testdata/e2e/node-exporter.yaml",
        "testdata/e2e/multi-doc.yaml",
    ] {
        let lf = fs::read_to_string(repo().join(fixture)).unwrap();
        assert!(!lf.contains('\r'), "{fixture} must be committed with LF");
        let name = Path::new(fixture).file_name().unwrap().to_str().unwrap();
        let converted = write(dir.path(), name, crlf(&lf));
        let lf_run = run(ekslint().args(["--format", "json", fixture])).json();
        let crlf_run = run(ekslint().args(["--format", "json"]).arg(&converted)).json();
        let lf_bytes = lf.as_bytes();
        let crlf_bytes = fs::read(&converted).unwrap();
        let (a, b) = (diags(&lf_run), diags(&crlf_run));
        check_spans(&crlf_bytes, &b);
        let key = |bytes: &[u8], ds: &[Diag]| -> Vec<(String, usize, usize, String)> {
            ds.iter()
                .map(|d| {
                    (
                        d.rule.clone(),
                        d.line,
                        d.column,
                        slice(bytes, d).to_string(),
                    )
                })
                .collect()
        };
        assert_eq!(
            key(lf_bytes, &a),
            key(&crlf_bytes, &b),
            "{fixture} with CRLF"
        );
        assert!(!b.is_empty());
    }
}

#[test]
fn multi_document_file_reports_the_broken_middle_document_and_lints_the_last() {
    let path = "testdata/e2e/multi-doc.yaml";
    let ds = assert_file(path, &[("EKS001", 16, ""), ("EKS006", 18, "apps/v1beta2")]);
    let bytes = fs::read(repo().join(path)).unwrap();
    let text = std::str::from_utf8(&bytes).unwrap();
    // The syntax error is inside the second document (between the `---` lines 9 and 17).
    let separators: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| *l == "---")
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(separators, [9, 17]);
    assert!(ds[0].line > 9 && ds[0].line < 17);
    assert_eq!(ds[0].name, "yaml-syntax");
    assert!(ds[0].message.contains("invalid YAML"), "{}", ds[0].message);
    assert!(ds[0].object.is_null());
    assert_eq!(ds[1].object["name"], "orders");
    assert!(ds[1].message.contains("apps/v1"), "{}", ds[1].message);
}

#[test]
fn list_items_are_linted_like_top_level_objects() {
    let ds = assert_file(
        "testdata/e2e/list.yaml",
        &[
            ("EKS702", 37, "logs/termination"),
            ("EKS007", 41, "api-config"),
        ],
    );
    for d in &ds {
        assert_eq!(d.object["kind"], "Deployment");
        assert_eq!(d.object["name"], "api");
        assert_eq!(d.object["namespace"], "api");
    }
}

#[test]
fn cronjob_pod_template_is_read_from_job_template() {
    let ds = assert_file(
        "testdata/e2e/cronjob.yaml",
        &[("EKS003", 17, "true"), ("EKS301", 25, "9100")],
    );
    // No EKS005: the pod fields are where a CronJob keeps them. The second CronJob moves the
    // exporter on its pod template, so its 9100 is silent.
    for d in &ds {
        assert_eq!(d.object["name"], "nightly-report", "{d:?}");
    }
    assert!(
        ds[0]
            .message
            .contains(".spec.jobTemplate.spec.template.metadata.annotations"),
        "{}",
        ds[0].message
    );
}

#[test]
fn json_manifest_is_linted_with_exact_spans() {
    let ds = assert_file(
        "testdata/e2e/deployment.json",
        &[("EKS003", 7, "2"), ("EKS301", 20, "9100")],
    );
    assert_eq!(ds[1].column, 66);
}

#[test]
fn truncated_json_gives_eks001() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "configmap.json",
        "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"ConfigMap\",\n  \"metadata\": {\"name\": \"settings\"\n",
    );
    let r = run(ekslint().args(["--format", "json"]).arg(&p));
    let ds = diags(&r.json());
    assert_eq!(r.code, 1);
    assert_eq!(ds.len(), 1, "{}", r.stdout);
    assert_eq!(ds[0].rule, "EKS001");
    assert!(ds[0].message.contains("invalid JSON"), "{}", ds[0].message);
    check_spans(&fs::read(&p).unwrap(), &ds);
}

#[test]
fn json_with_trailing_comma_gives_eks001() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "configmap.json",
        "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"ConfigMap\",\n  \"metadata\": {\"name\": \"settings\"},\n  \"data\": {\"LOG_LEVEL\": \"info\",}\n}\n",
    );
    let r = run(ekslint().args(["--format", "json"]).arg(&p));
    let ds = diags(&r.json());
    assert_eq!(
        ds.iter().map(|d| d.rule.as_str()).collect::<Vec<_>>(),
        ["EKS001"],
        "{}",
        r.stdout
    );
    assert_eq!(ds[0].line, 5);
    assert_eq!(r.code, 1);
}

#[test]
fn helm_template_gives_eks004_and_nothing_else() {
    let path = "testdata/e2e/helm/templates/deployment.yaml";
    // The template also has a 9100 port and an undefined volume: none of that is reported.
    let ds = assert_file(path, &[("EKS004", 4, "{{ include \"web.fullname\" . }}")]);
    assert_eq!(ds[0].severity, "warning");
    assert!(ds[0].object.is_null());
    // A warning fails the default run but not `--fail-on error`.
    let r = run(ekslint().args(["--fail-on", "error", path]));
    assert_eq!(r.code, 0, "{}", r.stdout);
}

/// Files are parsed and linted a document at a time: a template in a later document still makes
/// the whole file one EKS004 (what the documents before it gave is dropped), and `{{` inside a
/// string of a later document is data, not a template (the earlier findings stay).
#[test]
fn a_template_in_a_later_document_makes_the_whole_file_one_eks004() {
    let dir = tempfile::tempdir().unwrap();
    let first = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n";
    write(
        dir.path(),
        "template.yaml",
        format!(
            "{first}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{{{ .Values.name }}}}\n"
        ),
    );
    write(
        dir.path(),
        "data.yaml",
        format!(
            "{first}---\napiVersion: v1\nkind: ConfigMap\ndata:\n  legend: \"{{{{ pod }}}}\"\n"
        ),
    );
    let lint = |file: &str| {
        let r = run(ekslint()
            .current_dir(dir.path())
            .args(["-v", "--format", "json", file]));
        let ds: Vec<(String, usize)> = diags(&r.json())
            .into_iter()
            .map(|d| (d.rule, d.line))
            .collect();
        (ds, r.stderr)
    };
    let (ds, stderr) = lint("template.yaml");
    assert_eq!(ds, [("EKS004".to_string(), 10)], "{stderr}");
    assert!(stderr.contains("template.yaml: 0 objects"), "{stderr}");
    let (ds, stderr) = lint("data.yaml");
    assert_eq!(ds, [("EKS002".to_string(), 5)], "{stderr}");
    assert!(stderr.contains("data.yaml: 2 objects"), "{stderr}");
    let r = run(ekslint().args(["-v", "--format", "json", "testdata/e2e/bom.yaml"]));
    assert!(r.stderr.contains("bom.yaml: 1 object\n"), "{}", r.stderr);
}

#[test]
fn binary_file_named_yaml_is_one_eks001_and_other_files_still_lint() {
    let dir = tempfile::tempdir().unwrap();
    let mut bin = b"apiVersion: v1\nkind: ConfigMap\n".to_vec();
    bin.extend_from_slice(&[0, 0, 1, 2, 0xff, 0xfe, 0, 7, b'\n', 0]);
    write(dir.path(), "x.yaml", &bin);
    write(
        dir.path(),
        "y.yaml",
        fs::read(repo().join("testdata/e2e/cronjob.yaml")).unwrap(),
    );

    let r = run(ekslint()
        .current_dir(dir.path())
        .args(["--format", "json", "x.yaml"]));
    assert_eq!(r.code, 1);
    let ds = diags(&r.json());
    assert_eq!(ds.len(), 1, "{}", r.stdout);
    assert_eq!((ds[0].rule.as_str(), ds[0].line), ("EKS001", 1));
    assert!(ds[0].message.contains("binary"), "{}", ds[0].message);
    assert_eq!(ds[0].file, "x.yaml");

    // In a directory walk the binary file does not stop the others.
    let r = run(ekslint()
        .current_dir(dir.path())
        .args(["--format", "json", "."]));
    assert_eq!(r.code, 1);
    let report = r.json();
    let rules: Vec<(String, String)> = diags(&report)
        .into_iter()
        .map(|d| (d.file, d.rule))
        .collect();
    assert_eq!(
        rules,
        [
            ("./x.yaml".to_string(), "EKS001".to_string()),
            ("./y.yaml".to_string(), "EKS003".to_string()),
            ("./y.yaml".to_string(), "EKS301".to_string()),
        ]
    );
    assert_eq!(report["summary"]["files"], 2);

    // People see the file name even though there is no code frame to show.
    let r = run(ekslint()
        .current_dir(dir.path())
        .args(["--color", "never", "x.yaml"]));
    assert!(r.stdout.contains("EKS001 yaml-syntax"), "{}", r.stdout);
    assert!(
        r.stdout.contains("x.yaml: this is a binary file"),
        "{}",
        r.stdout
    );
}

#[test]
fn clean_manifest_gives_nothing_and_exit_0() {
    assert_file("testdata/e2e/clean/web.yaml", &[]);
    let r = run(ekslint().args(["--color", "never", "testdata/e2e/clean/web.yaml"]));
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout, "No problems in 1 file.\n");
    assert_eq!(r.stderr, "");
    // Even `--fail-on info` has nothing to fail on.
    let r = run(ekslint().args(["--fail-on", "info", "testdata/e2e/clean"]));
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn byte_order_mark_shifts_offsets_by_three_bytes() {
    let path = "testdata/e2e/bom.yaml";
    let bytes = fs::read(repo().join(path)).unwrap();
    assert!(bytes.starts_with(b"\xef\xbb\xbf"), "fixture lost its BOM");
    let ds = assert_file(path, &[("EKS006", 2, "apps/v1beta2")]);
    assert_eq!(ds[0].column, 13);

    // The BOM directly before the first key: the finding is still on line 1, 3 bytes further.
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "bom-first.yaml",
        "\u{feff}apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: portal\n",
    );
    let r = run(ekslint().args(["--format", "json"]).arg(&p));
    let ds = diags(&r.json());
    let bytes = fs::read(&p).unwrap();
    assert_eq!(
        summary_of(&bytes, &ds),
        expected(&[("EKS006", 1, "extensions/v1beta1")])
    );
    assert_eq!(ds[0].start, 3 + "apiVersion: ".len());
}

#[test]
fn whole_fixture_directory_equals_the_files_one_by_one() {
    let r = run(ekslint().args(["--format", "json", "testdata/e2e"]));
    assert_eq!(r.code, 1);
    let report = r.json();
    let files = files_in(&report);
    let mut sorted = files.clone();
    sorted.sort();
    assert_eq!(files, sorted, "files are reported in sorted order");
    let mut total = 0;
    for f in &files {
        let one = run(ekslint().args(["--format", "json", f])).json();
        let mine: Vec<_> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["file"] == f.as_str())
            .cloned()
            .collect();
        assert_eq!(&Value::Array(mine), &one["diagnostics"], "{f}");
        total += 1;
    }
    // Every fixture but the clean one has a finding; the clean one is still counted.
    assert_eq!(report["summary"]["files"], total + 1);
}

// ---------------------------------------------------------------------------------------------
// Exit codes, rule files, --fail-on
// ---------------------------------------------------------------------------------------------

#[test]
fn missing_path_exits_2() {
    // The human report on standard output says it (once: not again on stderr).
    let r = run(ekslint().arg("/does/not/exist"));
    assert_eq!(r.code, 2);
    assert!(
        r.stdout
            .contains("/does/not/exist: not linted: no such file or directory"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("and 1 path not linted."), "{}", r.stdout);
    // A machine format on stdout: stderr says it.
    let r = run(ekslint().args(["--format", "json", "/does/not/exist"]));
    assert!(
        r.stderr
            .contains("/does/not/exist: no such file or directory"),
        "{}",
        r.stderr
    );
    // A missing path next to a good one still lints the good one, and still exits 2.
    let r = run(ekslint().args([
        "--format",
        "json",
        "/does/not/exist",
        "testdata/e2e/cronjob.yaml",
    ]));
    assert_eq!(r.code, 2);
    assert_eq!(diags(&r.json()).len(), 2);
    // It is counted: the summary does not claim every path was linted.
    assert_eq!(r.json()["summary"]["skipped"], 1, "{}", r.stdout);
    assert_eq!(r.json()["summary"]["files"], 1, "{}", r.stdout);
}

fn broken_rules_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "acme-image-registry.yaml",
        "id: ACME001
name: image-from-internal-registry
severity: warning
summary: images must come from the internal registry
explanation: pulls from Docker Hub are rate limited on super nodes
message: 'image `{value}` is not from registry.example.com'
check:
  select:
    - containers[*].image
  when:
    not:
      matches: '^registry\\.example\\.com/
examples:
  firing: []
  silent: []
",
    );
    dir
}

#[test]
fn broken_rule_file_exits_2_and_shows_the_broken_line() {
    let dir = broken_rules_dir();
    let r = run(ekslint()
        .args(["--rules"])
        .arg(dir.path())
        .arg("testdata/e2e/clean"));
    assert_eq!(r.code, 2, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    assert_eq!(r.stdout, "", "nothing is linted with a broken rule set");
    assert!(r.stderr.contains("ekslint::bad_rule_file"), "{}", r.stderr);
    assert!(
        r.stderr.contains("matches: '^registry"),
        "stderr shows the offending line:\n{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(":12:16"),
        "stderr points at line 12, column 16 (the unclosed quote):\n{}",
        r.stderr
    );
}

#[test]
fn broken_rule_file_error_names_the_file() {
    let dir = broken_rules_dir();
    let r = run(ekslint()
        .args(["--rules"])
        .arg(dir.path())
        .arg("testdata/e2e/clean"));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("acme-image-registry.yaml"),
        "stderr should name the rule file:\n{}",
        r.stderr
    );
    assert!(!r.stderr.contains("<input>"), "{}", r.stderr);
}

#[test]
fn fail_on_threshold_picks_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    // Only EKS701 (info): the container does not set terminationMessagePolicy.
    let info_only = write(
        dir.path(),
        "worker.yaml",
        "apiVersion: v1
kind: Pod
metadata:
  name: worker
  namespace: jobs
spec:
  restartPolicy: Never
  containers:
  - name: worker
    image: registry.example.com/jobs/worker:1.0.0
    args: [\"--queue\", \"default\"]
",
    );
    let r = run(ekslint().args(["--format", "json"]).arg(&info_only));
    let ds = diags(&r.json());
    assert_eq!(
        ds.iter()
            .map(|d| (d.rule.as_str(), d.severity.as_str()))
            .collect::<Vec<_>>(),
        [("EKS701", "info")]
    );
    assert_eq!(r.code, 0, "info does not fail the default run");
    let code = |args: &[&str], file: &Path| run(ekslint().args(args).arg(file)).code;
    assert_eq!(code(&["--fail-on", "error"], &info_only), 0);
    assert_eq!(code(&["--fail-on", "warning"], &info_only), 0);
    assert_eq!(code(&["--fail-on", "info"], &info_only), 1);
    assert_eq!(code(&["--fail-on", "never"], &info_only), 0);

    let errors = repo().join("testdata/e2e/multi-doc.yaml");
    assert_eq!(code(&[], &errors), 1);
    assert_eq!(code(&["--fail-on", "error"], &errors), 1);
    assert_eq!(code(&["--fail-on", "never"], &errors), 0);

    let r = run(ekslint().args(["--fail-on", "sometimes", "testdata/e2e/clean"]));
    assert_eq!(r.code, 2, "a bad flag value is a usage error");
}

// ---------------------------------------------------------------------------------------------
// Standard input and discovery
// ---------------------------------------------------------------------------------------------

#[test]
fn stdin_is_reported_under_stdin_filename() {
    let fixture = "testdata/e2e/node-exporter.yaml";
    let bytes = fs::read(repo().join(fixture)).unwrap();
    let r = run_stdin(
        &["-", "--stdin-filename", "k8s/app.yaml", "--format", "json"],
        &bytes,
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let from_stdin = r.json();
    let ds = diags(&from_stdin);
    check_spans(&bytes, &ds);
    assert_eq!(
        summary_of(&bytes, &ds),
        expected(&[("EKS003", 23, "40"), ("EKS301", 28, "9100")])
    );
    assert!(ds.iter().all(|d| d.file == "k8s/app.yaml"), "{}", r.stdout);
    // Apart from the name, exactly what linting the file gives.
    let from_file = run(ekslint().args(["--format", "json", fixture])).stdout;
    assert_eq!(r.stdout.replace("k8s/app.yaml", fixture), from_file);

    // The name also picks JSON: a broken document is "invalid JSON".
    let r = run_stdin(
        &["-", "--stdin-filename", "k8s/app.json", "--format", "json"],
        b"{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\"",
    );
    let ds = diags(&r.json());
    assert_eq!(ds.len(), 1, "{}", r.stdout);
    assert_eq!(
        (ds[0].rule.as_str(), ds[0].file.as_str()),
        ("EKS001", "k8s/app.json")
    );
    assert!(ds[0].message.contains("invalid JSON"), "{}", ds[0].message);

    // Without a name, standard input is `<stdin>`.
    let r = run_stdin(&["-", "--format", "json"], &bytes);
    assert!(diags(&r.json()).iter().all(|d| d.file == "<stdin>"));

    // Binary input: the help does not only speak of directories.
    let r = run_stdin(&["-", "--format", "json"], b"\x7fELF\x00\x01");
    let help = &r.json()["diagnostics"][0]["help"];
    assert!(
        help.as_str()
            .is_some_and(|h| h.contains("on standard input")),
        "{}",
        r.stdout
    );
}

/// A named pipe given as a path (as `<(helm template ...)` gives one) has no size to read up
/// to: it is read to its end, and its findings are those of the same bytes in a file.
#[cfg(unix)]
#[test]
fn a_named_pipe_is_read_to_its_end() {
    let fixture = "testdata/e2e/node-exporter.yaml";
    let bytes = fs::read(repo().join(fixture)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("app.yaml");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let writer = {
        let (fifo, bytes) = (fifo.clone(), bytes.clone());
        // Opening a FIFO for writing waits for its reader: ekslint.
        std::thread::spawn(move || fs::write(fifo, bytes).expect("write the FIFO"))
    };
    let r = run(ekslint().arg("--format").arg("json").arg(&fifo));
    writer.join().unwrap();
    assert_eq!(r.code, 1, "{}", r.stderr);
    let ds = diags(&r.json());
    check_spans(&bytes, &ds);
    assert_eq!(
        summary_of(&bytes, &ds),
        expected(&[("EKS003", 23, "40"), ("EKS301", 28, "9100")])
    );

    // The human report draws code frames from the text read, not by opening the pipe again
    // (which waited for a writer that never came).
    let writer = {
        let (fifo, bytes) = (fifo.clone(), bytes.clone());
        std::thread::spawn(move || fs::write(fifo, bytes).expect("write the FIFO"))
    };
    let mut child = ekslint()
        .args(["--color", "never"])
        .arg(&fifo)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn ekslint");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while child.try_wait().expect("wait").is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().ok();
            child.wait().ok();
            panic!("ekslint did not finish on a named pipe in 60 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    writer.join().unwrap();
    let out = child.wait_with_output().expect("output");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("28 |") && stdout.contains("containerPort: 9100"),
        "{stdout}"
    );
}

/// `ekslint rules | head`: a reader that has gone away is not a crash. Every command that
/// prints, run with its standard output a pipe whose reading end is already closed, exits 0
/// with nothing on stderr (`print!` used to panic with "failed printing to stdout").
#[test]
fn a_closed_output_pipe_is_not_a_crash() {
    let commands: &[&[&str]] = &[
        &["rules"],
        &["rules", "--format", "json"],
        &["rule", "EKS301"],
        &["completions", "bash"],
        &["man"],
        &["test-rules", "--all"],
        &["__parse-only", "testdata/e2e"],
        &["size", "examples/k8s"],
    ];
    for args in commands {
        let (reader, writer) = std::io::pipe().expect("a pipe");
        drop(reader);
        let out = Command::new(BIN)
            .args(*args)
            .current_dir(repo())
            .stdin(Stdio::null())
            .stdout(writer)
            .output()
            .expect("run ekslint");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
}

/// A report that cannot be written (a full disk: Linux's `/dev/full`) is an I/O error, exit 2
/// with a message, in every format and for `size`: a cut SARIF file must not pass a CI job.
/// A closed pipe (above) stays quiet.
#[test]
fn a_full_disk_under_the_report_fails_the_run() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let commands: &[&[&str]] = &[
        &["examples/k8s"],
        &["--format", "json", "examples/k8s/clean.yaml"],
        &["--format", "sarif", "examples/k8s"],
        &["--format", "github", "examples/k8s"],
        &["size", "examples/k8s"],
    ];
    for args in commands {
        let full = fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = Command::new(BIN)
            .args(*args)
            .current_dir(repo())
            .stdin(Stdio::null())
            .stdout(full)
            .output()
            .expect("run ekslint");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("to standard output: no space left on device"),
            "{args:?}: {stderr}"
        );
    }
}

/// A repository-like tree in which every file has the same EKS301 finding.
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let manifest = fs::read(repo().join("testdata/e2e/exporter-sidecar.yaml")).unwrap();
    for rel in [
        "apps/gateway.yaml",
        "apps/nested/deep/gateway.yml",
        "vendor/upstream/gateway.yaml",
        "generated/gateway.yaml",
        "apps/scratch.yaml",
        ".github/workflows/gateway.yaml",
        ".hidden-dir/gateway.yaml",
        "apps/.gateway.yaml",
        "node_modules/some-chart/gateway.yaml",
        "apps/node_modules/gateway.yaml",
        "target/gateway.yaml",
    ] {
        write(dir.path(), rel, &manifest);
    }
    write(dir.path(), "README.md", "# not a manifest: 9100\n");
    write(dir.path(), ".gitignore", "generated/\n/apps/scratch.yaml\n");
    dir
}

fn linted(dir: &Path, args: &[&str]) -> Vec<String> {
    let r = run(ekslint()
        .current_dir(dir)
        .args(["--format", "json"])
        .args(args));
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    files_in(&r.json())
}

#[test]
fn gitignored_hidden_and_node_modules_are_not_linted() {
    let dir = tree();
    assert_eq!(
        linted(dir.path(), &["."]),
        [
            "./apps/gateway.yaml",
            "./apps/nested/deep/gateway.yml",
            "./vendor/upstream/gateway.yaml",
        ]
    );
    // The same from a path argument that is not `.`.
    let parent = dir.path().parent().unwrap();
    let name = dir.path().file_name().unwrap().to_str().unwrap();
    assert_eq!(
        linted(parent, &[name]),
        [
            format!("{name}/apps/gateway.yaml"),
            format!("{name}/apps/nested/deep/gateway.yml"),
            format!("{name}/vendor/upstream/gateway.yaml"),
        ]
    );
    // A file named on the command line is linted even where a walk would skip it.
    assert_eq!(
        linted(
            dir.path(),
            &[
                "generated/gateway.yaml",
                "node_modules/some-chart/gateway.yaml"
            ]
        ),
        [
            "generated/gateway.yaml",
            "node_modules/some-chart/gateway.yaml"
        ]
    );
}

#[test]
fn the_repositorys_info_exclude_is_honoured_from_any_directory_of_it() {
    let dir = tree();
    // Anchored patterns are relative to the repository's top, wherever the walk starts.
    write(
        dir.path(),
        ".git/info/exclude",
        "# git's own comment\n/apps/nested/\n",
    );
    let want = ["apps/gateway.yaml", "vendor/upstream/gateway.yaml"];
    assert_eq!(linted(dir.path(), &["."]), want.map(|p| format!("./{p}")));
    assert_eq!(linted(&dir.path().join("apps"), &["."]), ["./gateway.yaml"]);
    // A worktree's or submodule's `.git` is a file naming the git directory (here relative, as
    // a submodule's is).
    fs::remove_dir_all(dir.path().join(".git")).unwrap();
    write(dir.path(), ".git", "gitdir: .modules/wt\n");
    write(dir.path(), ".modules/wt/info/exclude", "vendor\n");
    assert_eq!(
        linted(dir.path(), &["."]),
        ["./apps/gateway.yaml", "./apps/nested/deep/gateway.yml"]
    );
}

#[test]
fn exclude_skips_a_directory() {
    let dir = tree();
    assert_eq!(
        linted(dir.path(), &[".", "--exclude", "vendor"]),
        ["./apps/gateway.yaml", "./apps/nested/deep/gateway.yml"]
    );
    assert_eq!(
        linted(
            dir.path(),
            &[".", "--exclude", "apps/nested", "--exclude", "vendor/"]
        ),
        ["./apps/gateway.yaml"]
    );
    assert_eq!(
        linted(dir.path(), &[".", "--exclude", "*.yml"]),
        ["./apps/gateway.yaml", "./vendor/upstream/gateway.yaml"]
    );
    // Excluding everything is a clean run over zero files.
    let r = run(ekslint().current_dir(dir.path()).args([
        "--format",
        "json",
        ".",
        "--exclude",
        "apps",
        "--exclude",
        "vendor",
    ]));
    assert_eq!(r.code, 0);
    assert_eq!(r.json()["summary"]["files"], 0);
    // `--exclude` written as a path is one: `./x`, `../x` from below, an absolute path, and the
    // tree given by its absolute path.
    let abs = dir.path().join("vendor");
    let abs = abs.to_str().unwrap();
    let root = dir.path().to_str().unwrap();
    for (cwd, args) in [
        (dir.path().to_path_buf(), vec![".", "--exclude", "./vendor"]),
        (dir.path().to_path_buf(), vec![".", "--exclude", abs]),
        (
            dir.path().to_path_buf(),
            vec![root, "--exclude", "vendor/upstream"],
        ),
        (
            dir.path().join("apps"),
            vec!["..", "--exclude", "../vendor"],
        ),
    ] {
        let files = linted(&cwd, &args);
        assert_eq!(files.len(), 2, "{args:?}: {files:?}");
        assert!(
            files.iter().all(|f| !f.contains("vendor")),
            "{args:?}: {files:?}"
        );
    }
    // ... said as such: "No problems in 0 files" alone reads like a clean run.
    assert!(
        r.stderr.contains(
            "warning: nothing was linted: found no manifests (.yaml, .yml, .json, NFS exports files) under ., apart from hidden, ignored (.gitignore) and excluded ones"
        ),
        "{}",
        r.stderr
    );
    // A file named on the command line and excluded is named with -v, and a run with nothing
    // else says why nothing was linted.
    let r = run(ekslint().current_dir(dir.path()).args([
        "-v",
        "apps/gateway.yaml",
        "--exclude",
        "apps",
    ]));
    assert_eq!(r.code, 0);
    assert!(
        r.stderr.contains(
            "ekslint: apps/gateway.yaml: excluded (`exclude` in the config, or --exclude)"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(
            "warning: nothing was linted: the path named is excluded by `exclude` (in the config, or --exclude)"
        ),
        "{}",
        r.stderr
    );
    // With something linted, there is nothing to warn about.
    let r = run(ekslint().current_dir(dir.path()).args([
        "apps/gateway.yaml",
        "vendor/upstream/gateway.yaml",
        "--exclude",
        "apps",
    ]));
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
    assert!(!r.stderr.contains("excluded"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------------
// Determinism
// ---------------------------------------------------------------------------------------------

fn generated_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..30 {
        let team = ["payments", "search", "ads"][i % 3];
        let rel = format!("{team}/svc-{i:02}/deploy.yaml");
        let port = if i % 2 == 0 { 9100 } else { 8080 + i };
        let version = if i % 5 == 0 { "\"1.0\"" } else { "1.0" };
        let policy = if i % 3 == 0 {
            ""
        } else {
            "        terminationMessagePolicy: FallbackToLogsOnError\n"
        };
        let broken = if i % 7 == 0 {
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: broken\n"
        } else {
            ""
        };
        let api = if i % 4 == 0 {
            "apps/v1beta1"
        } else {
            "apps/v1"
        };
        let body = format!(
            "# 服务 {i}：{team} 团队\napiVersion: {api}\nkind: Deployment\nmetadata:\n  name: svc-{i:02}\n  namespace: {team}\n  labels:\n    version: {version}\nspec:\n  replicas: 3\n  selector:\n    matchLabels: {{app: svc-{i:02}}}\n  template:\n    metadata:\n      labels: {{app: svc-{i:02}}}\n    spec:\n      containers:\n      - name: app\n        image: registry.example.com/{team}/svc:{i}\n{policy}        ports:\n        - containerPort: {port}\n{broken}"
        );
        write(dir.path(), &rel, body);
    }
    // Large files (over the 256 KiB that several lint threads take in turn), side by side in the
    // walk so that both threads reach them together, each with a finding at its end.
    for (k, kib) in [300, 1200, 700, 2100, 400, 900].into_iter().enumerate() {
        let mut body =
            format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big-{k}\ndata:\n");
        let mut n = 0;
        while body.len() < kib * 1024 {
            body += &format!("  key-{n:06}: \"{}\"\n", "x".repeat(100));
            n += 1;
        }
        body += "  enabled: yes\n";
        write(dir.path(), &format!("big/cm-{k}.yaml"), body);
    }
    dir
}

#[test]
fn output_is_byte_identical_across_runs_and_thread_counts() {
    let dir = generated_tree();
    let out = |format: &str, threads: Option<&str>| {
        let mut c = ekslint();
        c.current_dir(dir.path())
            .args(["--format", format, "--color", "never", "."]);
        if let Some(t) = threads {
            c.env("RAYON_NUM_THREADS", t);
        }
        let r = run(&mut c);
        assert_eq!(r.code, 1, "{}", r.stderr);
        r.stdout
    };
    for format in ["json", "human"] {
        let first = out(format, None);
        assert_eq!(first, out(format, None), "{format}: two runs differ");
        assert_eq!(first, out(format, Some("1")), "{format}: 1 thread differs");
        assert_eq!(first, out(format, Some("2")), "{format}: 2 threads differ");
        if format == "json" {
            let report: Value = serde_json::from_str(&first).unwrap();
            assert_eq!(report["summary"]["files"], 36);
            // Every large file was linted, whichever thread took it and when.
            let big = diags(&report)
                .into_iter()
                .filter(|d| d.file.starts_with("./big/") && d.rule == "EKS003")
                .count();
            assert_eq!(big, 6);
            let files = files_in(&report);
            let mut sorted = files.clone();
            sorted.sort();
            assert_eq!(files, sorted);
            let rules: std::collections::BTreeSet<String> =
                diags(&report).into_iter().map(|d| d.rule).collect();
            assert_eq!(
                rules.into_iter().collect::<Vec<_>>(),
                ["EKS001", "EKS003", "EKS006", "EKS301", "EKS701"]
            );
            for d in diags(&report) {
                let bytes = fs::read(dir.path().join(&d.file)).unwrap();
                check_spans(&bytes, std::slice::from_ref(&d));
            }
        }
    }
}

/// Past a memory budget, what is kept of every file (its name, findings) and the cross-file
/// findings wait in temporary files (`EKSLINT_SPILL_BUDGET`, bytes): with a budget of 0
/// everything goes through them, and the output must not change, cross-file findings (EKS601),
/// suppressions (a file with directives stays in memory, between records read back) and unused
/// suppressions (EKS008) included.
#[test]
fn findings_read_back_from_the_spill_file_give_the_same_output() {
    let dir = tempfile::tempdir().unwrap();
    let deployment = |name: &str, extra: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n{extra}        image: nginx:1.27\n        resources:\n          requests: {{cpu: 300m, memory: 1Gi}}\n"
        )
    };
    write(
        dir.path(),
        "a.yaml",
        deployment("a", "        # ekslint-disable-next-line EKS601, EKS402\n"),
    );
    write(dir.path(), "b.yaml", deployment("b", ""));
    write(dir.path(), "c.yaml", deployment("c", ""));
    write(dir.path(), "broken.yaml", "a: [1, 2\n");
    let out = |format: &str, budget: Option<&str>, tmpdir: Option<PathBuf>| {
        let mut c = Command::new(BIN);
        c.current_dir(dir.path())
            .args([
                "--isolated",
                "-v",
                "--format",
                format,
                "--color",
                "never",
                ".",
            ])
            .env_remove("RAYON_NUM_THREADS")
            .env("COLUMNS", "100")
            .stdin(Stdio::null());
        match budget {
            Some(b) => c.env("EKSLINT_SPILL_BUDGET", b),
            None => c.env_remove("EKSLINT_SPILL_BUDGET"),
        };
        if let Some(t) = tmpdir {
            c.env("TMPDIR", t);
        }
        let r = run(&mut c);
        assert_eq!(r.code, 1, "{}", r.stderr);
        r
    };
    for format in ["json", "human", "sarif"] {
        let kept = out(format, None, None);
        let spilled = out(format, Some("0"), None);
        assert!(!kept.stderr.contains("temporary file"), "{}", kept.stderr);
        assert!(
            spilled
                .stderr
                .contains("3 files' results, 3 cross-file facts and 3 cross-file findings waited in temporary files"),
            "{}",
            spilled.stderr
        );
        assert_eq!(kept.stdout, spilled.stdout, "{format}");
        // No temporary file can be made: the findings stay in memory, nothing is lost.
        let stuck = out(format, Some("0"), Some(dir.path().join("no-such-dir")));
        assert!(!stuck.stderr.contains("temporary file"), "{}", stuck.stderr);
        assert_eq!(kept.stdout, stuck.stdout, "{format}, no temporary file");
        if format == "json" {
            let rules: Vec<String> = diags(&kept.json()).into_iter().map(|d| d.rule).collect();
            for id in ["EKS001", "EKS601", "EKS008"] {
                assert!(rules.iter().any(|r| r == id), "{id} missing: {rules:?}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// What people see
// ---------------------------------------------------------------------------------------------

#[test]
fn human_output_names_the_rule_and_ends_with_a_summary() {
    let r = run(ekslint().args([
        "--color",
        "never",
        "testdata/e2e/node-exporter.yaml",
        "testdata/e2e/cronjob.yaml",
    ]));
    assert_eq!(r.code, 1);
    assert!(
        !r.stdout.contains('\u{1b}'),
        "no ANSI escapes with --color never"
    );
    assert!(
        r.stdout.contains("EKS301 metrics-port-conflict"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("EKS003 non-string-value"), "{}", r.stdout);
    assert!(
        r.stdout.contains("testdata/e2e/cronjob.yaml:25:30"),
        "{}",
        r.stdout
    );
    let last = r.stdout.lines().last().unwrap();
    assert_eq!(
        last,
        "4 problems (4 errors, 0 warnings, 0 info) in 2 files."
    );
    assert!(last.contains("problems (") && last.contains("in 2 files"));

    // Not a terminal and no --color: no colors either.
    let r = run(ekslint().arg("testdata/e2e/node-exporter.yaml"));
    assert!(!r.stdout.contains('\u{1b}'), "{}", r.stdout);
}

#[test]
fn human_location_column_counts_characters() {
    let r = run(ekslint().args(["--color", "never", "testdata/e2e/node-exporter.yaml"]));
    assert!(
        r.stdout.contains("testdata/e2e/node-exporter.yaml:23:79"),
        "{}",
        r.stdout
    );
}

/// `actual` must be `tests/snapshots/NAME.txt` (`UPDATE_SNAPSHOTS=1` rewrites it).
fn assert_snapshot(name: &str, actual: &str) {
    let snapshot = repo().join(format!("tests/snapshots/{name}.txt"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        fs::create_dir_all(snapshot.parent().unwrap()).unwrap();
        fs::write(&snapshot, actual).unwrap();
        return;
    }
    let want = fs::read_to_string(&snapshot)
        .expect("missing snapshot: run with UPDATE_SNAPSHOTS=1 to create it");
    assert!(
        actual == want,
        "human output differs from {} (UPDATE_SNAPSHOTS=1 rewrites it)\n--- expected\n{want}\n--- actual\n{actual}",
        snapshot.display(),
    );
}

#[test]
fn human_output_snapshot_eks301() {
    let r = run(ekslint().args(["--color", "never", "testdata/e2e/exporter-sidecar.yaml"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_snapshot("human_eks301", &r.stdout);
}

/// A minified JSON manifest is one long line: each code frame shows a window of it around the
/// finding, marked where it was cut, and the header still gives the real column.
#[test]
fn human_output_shows_a_window_of_a_long_line() {
    let r = run(ekslint().args(["--color", "never", "testdata/e2e/minified.json"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let longest = r
        .stdout
        .lines()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0);
    assert!(
        longest <= 110,
        "a line of {longest} characters:\n{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("testdata/e2e/minified.json:1:577"),
        "{}",
        r.stdout
    );
    assert_snapshot("human_long_line", &r.stdout);
}

/// The files a run linted, in order, from `-v` ("ekslint: FILE: N objects").
#[cfg(unix)]
fn linted_verbose(dir: &Path, args: &[&str]) -> (i32, Vec<String>, String) {
    let r = run(Command::new(BIN)
        .args(["--isolated", "-v", "--format", "json"])
        .args(args)
        .current_dir(dir));
    let files = r
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("ekslint: "))
        .filter_map(|l| {
            l.rsplit_once(": ")
                .filter(|(_, n)| n.ends_with("object") || n.ends_with("objects"))
        })
        .map(|(f, _)| f.to_string())
        .collect();
    (r.code, files, r.stderr)
}

/// A link to a directory or file of the walked tree is not followed: what it leads to is linted
/// once, under its own name (followed, each file came twice, and EKS601 found every workload
/// running its image "elsewhere": in itself). Links out of the tree, or to what the walk skips
/// (a hidden directory), are followed.
#[cfg(unix)]
#[test]
fn links_into_the_walked_tree_are_not_linted_twice() {
    use std::os::unix::fs::symlink;
    let top = tempfile::tempdir().unwrap();
    let repo = top.path().join("repo");
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers: [{name: web, image: acme/web:1}]\n";
    write(&repo, "k8s/d.yaml", deployment);
    write(
        &repo,
        ".releases/v2.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: v2}\n",
    );
    write(
        top.path(),
        "shared/s.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s}\n",
    );
    fs::create_dir_all(repo.join("envs")).unwrap();
    symlink("../k8s", repo.join("envs/prod")).unwrap();
    symlink("../k8s/d.yaml", repo.join("envs/copy.yaml")).unwrap();
    symlink("../shared", repo.join("ext")).unwrap();
    symlink(".releases/v2.yaml", repo.join("current.yaml")).unwrap();
    let (code, files, stderr) = linted_verbose(&repo, &["--select", "EKS601", "."]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        files,
        ["./current.yaml", "./ext/s.yaml", "./k8s/d.yaml"],
        "{stderr}"
    );
}

/// A symbolic link loop is said (exit 2), unless its name is one the walk was told to skip:
/// hidden, `.gitignore`d or excluded. The loop is met before the name is looked at.
#[cfg(unix)]
#[test]
fn a_loop_under_a_skipped_name_is_skipped_with_it() {
    use std::os::unix::fs::symlink;
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "k8s/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
    );
    symlink("..", d.path().join("k8s/.up")).unwrap();
    symlink("..", d.path().join("k8s/up")).unwrap();
    write(d.path(), "k8s/.gitignore", "up\n");
    let (code, files, stderr) = linted_verbose(d.path(), &["k8s"]);
    assert_eq!(
        (code, files),
        (0, vec!["k8s/cm.yaml".to_string()]),
        "{stderr}"
    );
    fs::remove_file(d.path().join("k8s/.gitignore")).unwrap();
    let (code, _, stderr) = linted_verbose(d.path(), &["k8s"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("k8s/up: symbolic link loop back to"),
        "{stderr}"
    );
    assert!(!stderr.contains(".up"), "{stderr}");
    let (code, _, stderr) = linted_verbose(d.path(), &["--exclude", "up", "k8s"]);
    assert_eq!(code, 0, "{stderr}");
}

/// EKS601: a workload is its kind, namespace and name. The same Deployment in one manifest per
/// environment is one workload; another Deployment running the image is another.
#[test]
fn the_same_workload_in_two_files_is_one_workload() {
    let d = tempfile::tempdir().unwrap();
    let deployment = |name: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n  template:\n    spec:\n      containers: [{{name: web, image: acme/web:1}}]\n"
        )
    };
    write(d.path(), "envs/dev/web.yaml", deployment("web"));
    write(d.path(), "envs/prod/web.yaml", deployment("web"));
    let eks601 = |dir: &Path| {
        let r = run(Command::new(BIN)
            .args(["--isolated", "--select", "EKS601", "--format", "json", "."])
            .current_dir(dir));
        files_in(&r.json())
    };
    assert_eq!(eks601(d.path()), Vec::<String>::new());
    write(d.path(), "envs/prod/api.yaml", deployment("api"));
    assert_eq!(
        eks601(d.path()),
        [
            "./envs/dev/web.yaml",
            "./envs/prod/api.yaml",
            "./envs/prod/web.yaml"
        ]
    );
}

/// `.gitignore` files above the walked directory apply up to the top of its git repository, as
/// git reads them, not beyond (a home directory's `.gitignore` of `*` left nothing to lint).
#[cfg(unix)]
#[test]
fn gitignore_files_above_the_walk_apply_up_to_the_repository_top() {
    let top = tempfile::tempdir().unwrap();
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n";
    write(top.path(), ".gitignore", "*.yaml\n");
    write(top.path(), "repo/.git/HEAD", "ref: refs/heads/main\n");
    write(top.path(), "repo/.gitignore", "skip/\n!keep.yaml\n");
    write(top.path(), "repo/k8s/a.yaml", cm);
    write(top.path(), "repo/k8s/skip/b.yaml", cm);
    let repo = top.path().join("repo");
    let (code, files, stderr) = linted_verbose(&repo, &["k8s"]);
    assert_eq!(
        (code, files),
        (0, vec!["k8s/a.yaml".to_string()]),
        "{stderr}"
    );
    let (_, files, _) = linted_verbose(&repo.join("k8s"), &["."]);
    assert_eq!(files, ["./a.yaml"]);
    // Outside a repository, every directory above counts.
    fs::remove_dir_all(repo.join(".git")).unwrap();
    let (_, files, stderr) = linted_verbose(&repo, &["k8s"]);
    assert_eq!(files, Vec::<String>::new(), "{stderr}");
}

/// A link into an excluded directory is not followed either (what is excluded under its own name
/// is excluded under the link's), and with several paths, a link into one of them is left to it:
/// the file is linted once, under the name its own path gives it.
#[cfg(unix)]
#[test]
fn links_into_excluded_or_other_paths_are_not_followed() {
    use std::os::unix::fs::symlink;
    let d = tempfile::tempdir().unwrap();
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n";
    write(d.path(), "vendor/chart/bad.yaml", cm);
    write(d.path(), "k8s/app/cm.yaml", cm);
    fs::create_dir_all(d.path().join("a-shared")).unwrap();
    symlink("../vendor/chart", d.path().join("k8s/chart")).unwrap();
    symlink("../vendor/chart/bad.yaml", d.path().join("k8s/bad.yaml")).unwrap();
    symlink("../k8s/app", d.path().join("a-shared/app-link")).unwrap();
    let (_, files, stderr) = linted_verbose(d.path(), &["--exclude", "vendor", "k8s"]);
    assert_eq!(files, ["k8s/app/cm.yaml"], "{stderr}");
    let (_, files, stderr) = linted_verbose(d.path(), &["a-shared", "k8s/app"]);
    assert_eq!(files, ["k8s/app/cm.yaml"], "{stderr}");
    let (_, files, stderr) = linted_verbose(d.path(), &["a-shared", "k8s/app/cm.yaml"]);
    assert_eq!(files, ["k8s/app/cm.yaml"], "{stderr}");
}

/// A `!` line of a walked directory's `.gitignore` re-includes what a rule from above it (a
/// `.gitignore` above the walk, the repository's `info/exclude`) leaves out: the nearest decides.
#[cfg(unix)]
#[test]
fn a_nearer_gitignore_reincludes_what_a_farther_rule_leaves_out() {
    let d = tempfile::tempdir().unwrap();
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n";
    write(d.path(), ".git/info/exclude", "local.yaml\n");
    write(d.path(), ".gitignore", "*.gen.yaml\n");
    write(d.path(), "sub/.gitignore", "!keep.gen.yaml\n!local.yaml\n");
    write(d.path(), "sub/keep.gen.yaml", cm);
    write(d.path(), "sub/drop.gen.yaml", cm);
    write(d.path(), "sub/local.yaml", cm);
    for (dir, path, want) in [
        (
            d.path().to_path_buf(),
            ".",
            ["./sub/keep.gen.yaml", "./sub/local.yaml"],
        ),
        (
            d.path().to_path_buf(),
            "sub",
            ["sub/keep.gen.yaml", "sub/local.yaml"],
        ),
        (
            d.path().join("sub"),
            ".",
            ["./keep.gen.yaml", "./local.yaml"],
        ),
    ] {
        let (_, files, stderr) = linted_verbose(&dir, &[path]);
        assert_eq!(files, want, "from {dir:?}: {path}: {stderr}");
    }
}

/// `ekslint rule` with a mistyped id names the rule it most likely means.
#[test]
fn rule_with_a_mistyped_id_says_did_you_mean() {
    let r = run(Command::new(BIN)
        .args(["rule", "EKS3O1"])
        .current_dir(repo()));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("no rule `EKS3O1`; did you mean EKS301 (metrics-port-conflict)?"),
        "{}",
        r.stderr
    );
    let r = run(Command::new(BIN)
        .args(["rule", "nothing-like-a-rule"])
        .current_dir(repo()));
    assert_eq!(r.code, 2);
    assert!(!r.stderr.contains("did you mean"), "{}", r.stderr);
}
