//! The machine output formats of the real binary — `json-lines`, `sarif`, `github`, `gitlab`,
//! `junit` — and `--output` / `--statistics`, on fixtures written to a temporary directory:
//!
//! - `k8s/deploy.yaml`: a Deployment listening on 9100 (EKS301) with an unquoted
//!   `eks.tke.cloud.tencent.com/retain-ip: true` (EKS003);
//! - `k8s/cm.yaml`: a clean ConfigMap;
//! - `k8s/zh.yaml`: Chinese comments and a Chinese port name before a finding on the same line, so
//!   that character columns differ from byte columns, and a duplicate key (EKS002, which carries a
//!   secondary label).
//!
//! Expected lines and columns are computed here from the fixture text, independently of the binary.
//! SARIF is validated against the official OASIS schema shipped in `schemas/`, and broken SARIF
//! must fail that validation, so the check cannot pass with a validator that accepts anything.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_ekslint");

const DEPLOY: &str = "\
# 节点导出器：在超级节点上 9100 已被占用
apiVersion: apps/v1
kind: Deployment
metadata:
  name: exporter
spec:
  selector: {matchLabels: {app: exporter}}
  template:
    metadata:
      labels: {app: exporter}
      annotations:
        eks.tke.cloud.tencent.com/retain-ip: true   # 固定 IP
    spec:
      containers:
      - name: node-exporter
        image: prom/node-exporter
        ports:
        - containerPort: 9100
";

const CONFIGMAP: &str = "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
";

const ZH: &str = "\
# 监控探针：中文注释让列号与字节数不同
apiVersion: v1
kind: Pod
metadata:
  name: probe
  labels: {app: probe}
  labels: {app: probe2}   # 重复的键
spec:
  containers:
  - {name: probe, image: busybox, ports: [{name: 指标, hostPort: 9100}]}   # 端口
";

/// A custom rule whose message needs escaping everywhere: `%`, `:`, `,`, a newline, and XML's
/// `<`, `&`, `"`.
const ODD_RULE: &str = r#"id: ACME900
name: odd-message
severity: warning
summary: Images that are not pulled from the mirror.
explanation: |
  A rule for the output tests.
message: "50% of \"{value}\": <pull> & push, then\nretry"
check:
  select:
    - containers[*].image
  when:
    not:
      matches: '^mirror\.example/'
examples:
  firing:
    - name: an image from Docker Hub
      lines: [5]
      yaml: |
        apiVersion: v1
        kind: Pod
        metadata: {name: a}
        spec:
          containers: [{name: a, image: busybox}]
  silent:
    - name: an image from the mirror
      yaml: |
        apiVersion: v1
        kind: Pod
        metadata: {name: a}
        spec:
          containers: [{name: a, image: mirror.example/busybox}]
"#;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(BIN)
        .current_dir(dir)
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env("COLUMNS", "100")
        .stdin(Stdio::null())
        .output()
        .expect("run ekslint");
    Run {
        code: out.status.code().expect("ekslint exited by a signal"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// A temporary directory with `k8s/{deploy,cm,zh}.yaml`; linting runs from inside it, on `k8s`.
/// `--isolated` keeps a config file around the temporary directory out of the way.
fn fixtures() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let k8s = dir.path().join("k8s");
    fs::create_dir(&k8s).unwrap();
    fs::write(k8s.join("deploy.yaml"), DEPLOY).unwrap();
    fs::write(k8s.join("cm.yaml"), CONFIGMAP).unwrap();
    fs::write(k8s.join("zh.yaml"), ZH).unwrap();
    dir
}

fn lint(dir: &Path, format: &str, extra: &[&str]) -> Run {
    let mut args = vec!["--isolated", "--format", format];
    args.extend_from_slice(extra);
    if !extra.iter().any(|a| !a.starts_with('-')) {
        args.push("k8s");
    }
    run_in(dir, &args)
}

/// Where `needle` (the `nth` occurrence, from 0) starts in `text`: byte offset, 1-based line,
/// 1-based column in characters.
fn locate(text: &str, needle: &str, nth: usize) -> (usize, usize, usize) {
    let offset = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("`{needle}` #{nth} not in fixture"))
        .0;
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].chars().count() + 1;
    (offset, line, column)
}

fn json_lines(run: &Run) -> Vec<Value> {
    run.stdout
        .lines()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("not one JSON object ({e}): {l}"))
        })
        .collect()
}

fn parse(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON document ({e}):\n{}\nstderr:\n{}",
            run.stdout, run.stderr
        )
    })
}

// ---------------------------------------------------------------------------------------------
// SARIF

fn sarif_validator() -> jsonschema::Validator {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas/sarif-schema-2.1.0.json");
    let schema: Value =
        serde_json::from_str(&fs::read_to_string(&path).expect("read the SARIF schema"))
            .expect("the SARIF schema is JSON");
    assert_eq!(
        schema["$schema"], "http://json-schema.org/draft-04/schema#",
        "the official SARIF 2.1.0 schema is draft-04"
    );
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn sarif_errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{e} (at `{}`)", e.instance_path()))
        .collect()
}

fn assert_valid_sarif(v: &jsonschema::Validator, doc: &Value) {
    let errors = sarif_errors(v, doc);
    assert!(
        errors.is_empty(),
        "SARIF does not validate:\n{}\n{}",
        errors.join("\n"),
        serde_json::to_string_pretty(doc).unwrap()
    );
}

fn results_of<'a>(doc: &'a Value, rule: &str) -> Vec<&'a Value> {
    doc["runs"][0]["results"]
        .as_array()
        .expect("results is an array")
        .iter()
        .filter(|r| r["ruleId"] == rule)
        .collect()
}

#[test]
fn sarif_validates_and_documents_every_rule_in_force() {
    let dir = fixtures();
    let run = lint(dir.path(), "sarif", &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = parse(&run);
    assert_valid_sarif(&sarif_validator(), &doc);

    assert_eq!(doc["version"], "2.1.0");
    assert!(
        doc["$schema"]
            .as_str()
            .unwrap()
            .ends_with("sarif-schema-2.1.0.json")
    );
    let runs = doc["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run0 = &runs[0];
    assert_eq!(run0["columnKind"], "unicodeCodePoints");
    let driver = &run0["tool"]["driver"];
    assert_eq!(driver["name"], "ekslint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));

    // Every rule in force, as `ekslint rules --format json` lists them, in that order.
    let listed = run_in(dir.path(), &["rules", "--format", "json"]);
    let listed: Value = serde_json::from_str(&listed.stdout).expect("rules --format json");
    let listed = listed.as_array().unwrap();
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), listed.len());
    for (r, l) in rules.iter().zip(listed) {
        assert_eq!(r["id"], l["id"]);
        assert_eq!(r["name"], l["name"]);
        assert_eq!(r["shortDescription"]["text"], l["summary"]);
        assert_eq!(r["helpUri"], l["url"]);
        let level = match l["severity"].as_str().unwrap() {
            "error" => "error",
            "warning" => "warning",
            "info" => "note",
            other => panic!("unknown severity {other}"),
        };
        assert_eq!(r["defaultConfiguration"]["level"], level, "{}", r["id"]);
        let md = r["help"]["markdown"].as_str().unwrap();
        assert!(
            !md.is_empty() && r["help"]["text"].is_string(),
            "{}",
            r["id"]
        );
        assert!(
            r["fullDescription"]["text"]
                .as_str()
                .is_some_and(|t| !t.is_empty())
        );
    }

    // Every result points at its rule and says where, with a fingerprint.
    let results = run0["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        let i = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
        assert!(r["message"]["text"].as_str().is_some_and(|t| !t.is_empty()));
        let fp = r["partialFingerprints"]["ekslint/v1"].as_str().unwrap();
        assert!(fp.contains(r["ruleId"].as_str().unwrap()), "{fp}");
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(uri.starts_with("k8s/") && uri.ends_with(".yaml"), "{uri}");
    }
    // The help shown in the code-scanning UI is the rule's explanation.
    let eks301 = rules.iter().find(|r| r["id"] == "EKS301").unwrap();
    assert!(
        eks301["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("9100")
    );
}

/// Two identical findings (the same env entry twice) are two alerts, not one: their
/// fingerprints differ, and stay line-independent.
#[test]
fn sarif_fingerprints_are_unique_within_a_run() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("k8s")).unwrap();
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: nginx\n    env:\n    - {name: A, value: on}\n    - {name: A, value: on}\n";
    fs::write(dir.path().join("k8s/p.yaml"), pod).unwrap();
    let run = lint(dir.path(), "sarif", &["--select", "EKS003"]);
    let doc = parse(&run);
    assert_valid_sarif(&sarif_validator(), &doc);
    let prints: Vec<&str> = results_of(&doc, "EKS003")
        .iter()
        .map(|r| r["partialFingerprints"]["ekslint/v1"].as_str().unwrap())
        .collect();
    assert_eq!(prints.len(), 2, "{}", run.stdout);
    assert_eq!(prints[1], format!("{}#2", prints[0]));
    // One more line above them: the same fingerprints.
    fs::write(dir.path().join("k8s/p.yaml"), format!("# note\n{pod}")).unwrap();
    let moved = parse(&lint(dir.path(), "sarif", &["--select", "EKS003"]));
    let again: Vec<&str> = results_of(&moved, "EKS003")
        .iter()
        .map(|r| r["partialFingerprints"]["ekslint/v1"].as_str().unwrap())
        .collect();
    assert_eq!(again, prints);
}

#[test]
fn sarif_regions_count_characters_and_bytes() {
    let dir = fixtures();
    let doc = parse(&lint(dir.path(), "sarif", &[]));

    // On deploy.yaml the line is ASCII, but the Chinese comment before it shifts byte offsets.
    let r = results_of(&doc, "EKS301");
    let in_deploy: Vec<_> = r
        .iter()
        .filter(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "k8s/deploy.yaml"
        })
        .collect();
    assert_eq!(in_deploy.len(), 1, "{r:#?}");
    let (offset, line, column) = locate(DEPLOY, "9100", 1);
    let region = &in_deploy[0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], line);
    assert_eq!(region["startColumn"], column);
    assert_eq!(region["endLine"], line);
    assert_eq!(region["endColumn"], column + 4);
    assert_eq!(region["byteOffset"], offset);
    assert_eq!(region["byteLength"], 4);
    assert!(
        region.get("charOffset").is_none(),
        "char offsets would count characters"
    );
    assert_eq!(in_deploy[0]["level"], "error");

    // On zh.yaml `指标` precedes the port on its line: columns are characters, not bytes.
    let in_zh: Vec<_> = r
        .iter()
        .filter(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "k8s/zh.yaml"
        })
        .collect();
    assert_eq!(in_zh.len(), 1);
    let (offset, line, column) = locate(ZH, "9100", 0);
    let line_start = ZH[..offset].rfind('\n').unwrap() + 1;
    assert_ne!(
        column,
        offset - line_start + 1,
        "the fixture must make bytes ≠ characters"
    );
    let region = &in_zh[0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (&region["startLine"], &region["startColumn"]),
        (&Value::from(line), &Value::from(column))
    );
    assert_eq!(region["endColumn"], column + 4);
    assert_eq!(region["byteOffset"], offset);

    // The unquoted retain-ip value.
    let r = results_of(&doc, "EKS003");
    let (offset, line, column) = locate(DEPLOY, "true", 0);
    let region = &r[0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], line);
    assert_eq!(region["startColumn"], column);
    assert_eq!(region["byteOffset"], offset);

    // A duplicate key: the first occurrence is a related location with its label.
    let r = results_of(&doc, "EKS002");
    assert_eq!(r.len(), 1);
    let (_, second, _) = locate(ZH, "labels", 1);
    let (first_offset, first, first_col) = locate(ZH, "labels", 0);
    assert_eq!(
        r[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        second
    );
    let related = r[0]["relatedLocations"]
        .as_array()
        .expect("relatedLocations");
    assert_eq!(related.len(), 1);
    assert_eq!(related[0]["id"], 1);
    assert!(
        related[0]["message"]["text"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );
    let region = &related[0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], first);
    assert_eq!(region["startColumn"], first_col);
    assert_eq!(region["byteOffset"], first_offset);
}

#[test]
fn sarif_of_a_clean_tree_has_an_empty_results_array() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("k8s")).unwrap();
    fs::write(dir.path().join("k8s/cm.yaml"), CONFIGMAP).unwrap();
    let run = lint(dir.path(), "sarif", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = parse(&run);
    assert_valid_sarif(&sarif_validator(), &doc);
    assert_eq!(doc["runs"][0]["results"], Value::Array(vec![]));
    assert!(
        !doc["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        doc["runs"][0]["invocations"],
        serde_json::json!([{"executionSuccessful": true}])
    );
    // A path that cannot be read (exit 2): the run is not successful, though no result says so.
    let run = run_in(
        dir.path(),
        &["--isolated", "--format", "sarif", "k8s", "missing.yaml"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    let doc = parse(&run);
    assert_valid_sarif(&sarif_validator(), &doc);
    assert_eq!(
        doc["runs"][0]["invocations"],
        serde_json::json!([{
            "executionSuccessful": false,
            "toolExecutionNotifications": [{
                "level": "error",
                "message": {"text": "not linted: no such file or directory"},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": "missing.yaml"}}}]
            }]
        }])
    );
}

/// A path that is not linted (missing, over `--max-file-size`) is named, with why, in every
/// format that can carry it, not only on standard error: an editor or a CI upload reads the
/// report, not the log.
#[test]
fn paths_not_linted_are_named_in_the_machine_formats() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("k8s")).unwrap();
    fs::write(dir.path().join("k8s/cm.yaml"), CONFIGMAP).unwrap();
    fs::write(dir.path().join("k8s/big.yaml"), "a: 1\n".repeat(100)).unwrap();
    let args = |format| {
        [
            "--isolated",
            "--format",
            format,
            "--max-file-size",
            "100",
            "k8s",
            "missing.yaml",
        ]
    };
    let too_big = "file is 500 bytes, above the 100 bytes limit (raise it with --max-file-size)";

    let run = run_in(dir.path(), &args("json"));
    assert_eq!(run.code, 2, "{}", run.stderr);
    let doc = parse(&run);
    assert_eq!(
        doc["skipped"],
        serde_json::json!([
            {"file": "missing.yaml", "reason": "no such file or directory"},
            {"file": "k8s/big.yaml", "reason": too_big},
        ])
    );
    assert_eq!(doc["summary"]["skipped"], 2);

    let run = run_in(dir.path(), &args("sarif"));
    assert_eq!(run.code, 2, "{}", run.stderr);
    let doc = parse(&run);
    assert_valid_sarif(&sarif_validator(), &doc);
    let notes = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .expect("notifications");
    let named: Vec<(&str, &str)> = notes
        .iter()
        .map(|n| {
            (
                n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap(),
                n["message"]["text"].as_str().unwrap(),
            )
        })
        .collect();
    let big = format!("not linted: {too_big}");
    assert_eq!(
        named,
        [
            ("missing.yaml", "not linted: no such file or directory"),
            ("k8s/big.yaml", big.as_str()),
        ]
    );

    let run = run_in(dir.path(), &args("github"));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        format!(
            "::error file=missing.yaml,title=ekslint%3A not linted::no such file or directory\n\
             ::error file=k8s/big.yaml,title=ekslint%3A not linted::{too_big}\n"
        )
    );

    let run = run_in(dir.path(), &args("json-lines"));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        json_lines(&run),
        [
            serde_json::json!({"file": "missing.yaml", "skipped": "no such file or directory"}),
            serde_json::json!({"file": "k8s/big.yaml", "skipped": too_big}),
        ]
    );

    let run = run_in(dir.path(), &args("gitlab"));
    assert_eq!(run.code, 2, "{}", run.stderr);
    let issues = parse(&run);
    let issues = issues.as_array().expect("an array");
    let named: Vec<(&str, &str, &str, &Value)> = issues
        .iter()
        .map(|i| {
            (
                i["check_name"].as_str().unwrap(),
                i["location"]["path"].as_str().unwrap(),
                i["description"].as_str().unwrap(),
                &i["location"]["lines"]["begin"],
            )
        })
        .collect();
    assert_eq!(
        named,
        [
            (
                "ekslint/not-linted",
                "missing.yaml",
                "not linted: no such file or directory",
                &Value::from(1)
            ),
            (
                "ekslint/not-linted",
                "k8s/big.yaml",
                big.as_str(),
                &Value::from(1)
            ),
        ]
    );
    assert_ne!(issues[0]["fingerprint"], issues[1]["fingerprint"]);
    assert_eq!(issues[0]["severity"], "major");

    // The human report says it in the report, saved with -o too, and its summary line does not
    // read as a clean run; on standard output it is said there once, not again on stderr.
    let run = run_in(
        dir.path(),
        &[&args("human")[..], &["-o", "report.txt"]].concat(),
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    let report = fs::read_to_string(dir.path().join("report.txt")).unwrap();
    assert!(
        report.contains("missing.yaml: not linted: no such file or directory\n")
            && report.contains(&format!("k8s/big.yaml: skipped: {too_big}\n"))
            && report.contains("No problems in 1 file, and 2 paths not linted."),
        "{report}"
    );
    assert!(
        run.stderr
            .contains("missing.yaml: no such file or directory"),
        "{}",
        run.stderr
    );
    let run = run_in(dir.path(), &args("human"));
    assert!(
        run.stdout.contains("missing.yaml: not linted"),
        "{}",
        run.stdout
    );
    assert!(!run.stderr.contains("missing.yaml"), "{}", run.stderr);

    let run = run_in(dir.path(), &args("junit"));
    assert_eq!(run.code, 2, "{}", run.stderr);
    let suite = parse_xml(&run.stdout).unwrap();
    assert_eq!(
        (
            suite.attr("tests"),
            suite.attr("failures"),
            suite.attr("errors"),
            suite.attr("skipped")
        ),
        ("3", "0", "1", "1")
    );
}

#[test]
fn broken_sarif_fails_validation() {
    let dir = fixtures();
    let good = parse(&lint(dir.path(), "sarif", &[]));
    let v = sarif_validator();
    assert_valid_sarif(&v, &good);
    type Corruption = fn(&mut Value);
    let corruptions: [(&str, Corruption); 7] = [
        ("wrong version", |d| d["version"] = "2.0.0".into()),
        ("no runs", |d| {
            d.as_object_mut().unwrap().remove("runs");
        }),
        ("level not in the enum", |d| {
            d["runs"][0]["results"][0]["level"] = "fatal".into()
        }),
        ("result without a message", |d| {
            d["runs"][0]["results"][0]
                .as_object_mut()
                .unwrap()
                .remove("message");
        }),
        ("lines start at 1", |d| {
            d["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
                0.into()
        }),
        ("unknown property", |d| {
            d["runs"][0]["colour"] = "blue".into()
        }),
        ("rule without an id", |d| {
            d["runs"][0]["tool"]["driver"]["rules"][0]
                .as_object_mut()
                .unwrap()
                .remove("id");
        }),
    ];
    for (what, corrupt) in corruptions {
        let mut bad = good.clone();
        corrupt(&mut bad);
        assert!(
            !sarif_errors(&v, &bad).is_empty(),
            "SARIF with {what} should not validate"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// JSON Lines

#[test]
fn json_lines_are_the_json_diagnostics_one_per_line() {
    let dir = fixtures();
    let lines = lint(dir.path(), "json-lines", &[]);
    assert_eq!(lines.code, 1);
    let objects = json_lines(&lines);
    let json = parse(&lint(dir.path(), "json", &[]));
    let diagnostics = json["diagnostics"].as_array().unwrap();
    assert!(!objects.is_empty());
    // Same objects, same order, and nothing else: no summary line.
    assert_eq!(&objects, diagnostics);
    assert_eq!(lines.stdout.lines().count(), diagnostics.len());
    assert!(lines.stdout.ends_with('\n'));

    let clean = tempfile::tempdir().unwrap();
    fs::create_dir(clean.path().join("k8s")).unwrap();
    fs::write(clean.path().join("k8s/cm.yaml"), CONFIGMAP).unwrap();
    let run = lint(clean.path(), "json-lines", &[]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""));
}

// ---------------------------------------------------------------------------------------------
// GitHub workflow commands

/// Fixtures plus `odd/a,b:c%.yaml` (a file name that needs escaping as a property) and the custom
/// rule `rules/ACME900.yaml` whose message needs escaping as data.
fn odd_fixtures() -> tempfile::TempDir {
    let dir = fixtures();
    fs::create_dir(dir.path().join("odd")).unwrap();
    fs::write(
        dir.path().join("odd/a,b:c%.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: odd}\nspec:\n  containers:\n  - name: app\n    image: busybox:1.36\n    terminationMessagePolicy: FallbackToLogsOnError\n    resources: {requests: {cpu: 250m, memory: 512Mi}, limits: {cpu: 250m, memory: 512Mi}}\n",
    )
    .unwrap();
    fs::create_dir(dir.path().join("rules")).unwrap();
    fs::write(dir.path().join("rules/ACME900.yaml"), ODD_RULE).unwrap();
    dir
}

#[test]
fn github_commands_are_exact_and_escaped() {
    let dir = odd_fixtures();
    let run = lint(dir.path(), "github", &["--rules", "rules", "k8s", "odd"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.lines().all(|l| l.starts_with("::")),
        "{}",
        run.stdout
    );

    // EKS301 on deploy.yaml, with its message from the JSON output.
    let json = json_lines(&lint(
        dir.path(),
        "json-lines",
        &["--rules", "rules", "k8s", "odd"],
    ));
    assert_eq!(run.stdout.lines().count(), json.len());
    let eks301 = json
        .iter()
        .find(|d| d["rule"] == "EKS301" && d["file"] == "k8s/deploy.yaml")
        .unwrap();
    let (_, line, col) = locate(DEPLOY, "9100", 1);
    let message = eks301["message"].as_str().unwrap();
    assert!(
        !message.contains(['%', '\n', '\r']),
        "pick a message that needs no escaping"
    );
    let expected = format!(
        "::error file=k8s/deploy.yaml,line={line},col={col},endLine={line},endColumn={},title=EKS301 metrics-port-conflict::{message}",
        col + 4
    );
    assert!(
        run.stdout.lines().any(|l| l == expected),
        "no line\n{expected}\nin\n{}",
        run.stdout
    );

    // Info findings are notices.
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("::notice file=k8s/deploy.yaml,")
                && l.contains(",title=EKS202 no-resources::")),
        "{}",
        run.stdout
    );

    // The custom rule: a warning, the file name escaped as a property (`,` `:` `%`), the message as
    // data (`%` and the newline; `:` and `,` stay).
    let odd: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.contains("a%2Cb%3Ac%25.yaml"))
        .collect();
    assert_eq!(
        odd,
        [
            "::warning file=odd/a%2Cb%3Ac%25.yaml,line=7,col=12,endLine=7,endColumn=24,title=ACME900 odd-message::50%25 of \"busybox:1.36\": <pull> & push, then%0Aretry"
        ],
        "{}",
        run.stdout
    );
}

// ---------------------------------------------------------------------------------------------
// GitLab Code Quality

#[test]
fn gitlab_report_has_stable_line_independent_fingerprints() {
    let dir = fixtures();
    let run = lint(dir.path(), "gitlab", &[]);
    assert_eq!(run.code, 1);
    let before = parse(&run);
    let issues = before.as_array().expect("a JSON array");
    let json = json_lines(&lint(dir.path(), "json-lines", &[]));
    assert_eq!(issues.len(), json.len());
    for (issue, d) in issues.iter().zip(&json) {
        assert_eq!(issue["check_name"], d["rule"]);
        assert_eq!(issue["description"], d["message"]);
        assert_eq!(issue["location"]["path"], d["file"]);
        assert_eq!(
            issue["location"]["lines"]["begin"],
            d["span"]["start"]["line"]
        );
        let severity = match d["severity"].as_str().unwrap() {
            "error" => "major",
            "warning" => "minor",
            _ => "info",
        };
        assert_eq!(issue["severity"], severity);
        let fp = issue["fingerprint"].as_str().unwrap();
        assert!(
            fp.len() == 32 && fp.bytes().all(|b| b.is_ascii_hexdigit()),
            "{fp}"
        );
    }
    let fingerprints = |doc: &Value| -> BTreeMap<String, (String, u64)> {
        doc.as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["fingerprint"].as_str().unwrap().to_string(),
                    (
                        i["check_name"].as_str().unwrap().to_string(),
                        i["location"]["lines"]["begin"].as_u64().unwrap(),
                    ),
                )
            })
            .collect()
    };
    let fp_before = fingerprints(&before);
    assert_eq!(fp_before.len(), issues.len(), "fingerprints are unique");

    // The same on a second run.
    assert_eq!(lint(dir.path(), "gitlab", &[]).stdout, run.stdout);

    // Insert three lines at the top of deploy.yaml: same fingerprints, lines moved by three.
    let moved = format!("# 新的注释\n# another comment\n---\n{DEPLOY}");
    fs::write(dir.path().join("k8s/deploy.yaml"), moved).unwrap();
    let fp_after = fingerprints(&parse(&lint(dir.path(), "gitlab", &[])));
    assert_eq!(
        fp_before.keys().collect::<Vec<_>>(),
        fp_after.keys().collect::<Vec<_>>(),
        "fingerprints changed when lines moved"
    );
    let (_, line, _) = locate(DEPLOY, "9100", 1);
    let shifted = fp_before
        .iter()
        .filter(|(fp, (rule, begin))| {
            rule == "EKS301" && *begin == line as u64 && fp_after[*fp].1 == begin + 3
        })
        .count();
    assert_eq!(shifted, 1, "{fp_before:?}\n{fp_after:?}");

    // A changed offending value is a new issue.
    let changed = DEPLOY.replace("retain-ip: true", "retain-ip: yes");
    fs::write(dir.path().join("k8s/deploy.yaml"), changed).unwrap();
    let fp_changed = fingerprints(&parse(&lint(dir.path(), "gitlab", &[])));
    assert_ne!(
        fp_before.keys().collect::<Vec<_>>(),
        fp_changed.keys().collect::<Vec<_>>()
    );
}

#[test]
fn gitlab_report_of_a_clean_tree_is_an_empty_array() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("k8s")).unwrap();
    fs::write(dir.path().join("k8s/cm.yaml"), CONFIGMAP).unwrap();
    let run = lint(dir.path(), "gitlab", &[]);
    assert_eq!(run.code, 0);
    assert_eq!(parse(&run), Value::Array(vec![]));
}

// ---------------------------------------------------------------------------------------------
// JUnit XML

/// An element of a minimal XML reader: enough to check that the report is well-formed (every tag
/// closed in order, attributes quoted, only the five predefined entities and character
/// references, no stray `<` or `&`) and to read its structure.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attrs: BTreeMap<String, String>,
    children: Vec<Element>,
    text: String,
}

impl Element {
    fn attr(&self, name: &str) -> &str {
        self.attrs
            .get(name)
            .unwrap_or_else(|| panic!("<{}> has no {name}", self.name))
    }
    fn all(&self, name: &str) -> Vec<&Element> {
        self.children.iter().filter(|c| c.name == name).collect()
    }
}

fn unescape(s: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find(['&', '<']) {
        out.push_str(&rest[..i]);
        if rest[i..].starts_with('<') {
            return Err(format!("raw `<` in {s:?}"));
        }
        let end = rest[i..]
            .find(';')
            .ok_or(format!("unterminated entity in {s:?}"))?;
        let entity = &rest[i + 1..i + end];
        out.push(match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let n = entity
                    .strip_prefix("#x")
                    .map(|h| u32::from_str_radix(h, 16))
                    .or_else(|| entity.strip_prefix('#').map(|d| d.parse()))
                    .ok_or(format!("unknown entity &{entity};"))?
                    .map_err(|e| format!("bad character reference &{entity};: {e}"))?;
                char::from_u32(n).ok_or(format!("bad character &{entity};"))?
            }
        });
        rest = &rest[i + end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn parse_xml(doc: &str) -> Result<Element, String> {
    let body = doc
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        .ok_or("no XML declaration")?;
    if body
        .chars()
        .any(|c| (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err("a control character XML 1.0 cannot carry".into());
    }
    let mut stack: Vec<Element> = vec![Element::default()];
    let mut rest = body;
    loop {
        let Some(lt) = rest.find('<') else {
            if !rest.trim().is_empty() || stack.len() != 1 {
                return Err("unclosed element or text after the root".into());
            }
            break;
        };
        let text = unescape(&rest[..lt])?;
        stack.last_mut().unwrap().text.push_str(&text);
        let gt = rest[lt..].find('>').ok_or("unterminated tag")? + lt;
        let tag = &rest[lt + 1..gt];
        rest = &rest[gt + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let done = stack.pop().unwrap();
            if done.name != name || stack.is_empty() {
                return Err(format!("</{name}> closes <{}>", done.name));
            }
            stack.last_mut().unwrap().children.push(done);
            continue;
        }
        let (tag, empty) = match tag.strip_suffix('/') {
            Some(t) => (t, true),
            None => (tag, false),
        };
        let (name, mut attrs) = tag.split_once(' ').unwrap_or((tag, ""));
        let mut el = Element {
            name: name.to_string(),
            ..Element::default()
        };
        loop {
            attrs = attrs.trim_start();
            if attrs.is_empty() {
                break;
            }
            let (key, after) = attrs
                .split_once("=\"")
                .ok_or(format!("bad attribute in <{tag}>"))?;
            let end = after.find('"').ok_or("unterminated attribute")?;
            // Attribute-value normalization (XML 1.0 §3.3.3): a literal line break or tab reads
            // as a space; only character references keep them.
            let value = unescape(&after[..end].replace(['\n', '\r', '\t'], " "))?;
            if el.attrs.insert(key.to_string(), value).is_some() {
                return Err(format!("attribute {key} twice"));
            }
            attrs = &after[end + 1..];
        }
        if empty {
            stack.last_mut().unwrap().children.push(el);
        } else {
            stack.push(el);
        }
    }
    let mut top = stack.pop().unwrap();
    if top.children.len() != 1 {
        return Err("not exactly one root element".into());
    }
    Ok(top.children.pop().unwrap())
}

#[test]
fn the_xml_check_can_fail() {
    let ok = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a x=\"1 &amp; 2\"><b/>t&lt;</a>\n";
    assert_eq!(parse_xml(ok).unwrap().attr("x"), "1 & 2");
    for bad in [
        "<a><b></a></b>",
        "<a x=\"1\">x & y</a>",
        "<a>1 < 2</a>",
        "<a x=1/>",
        "<a>",
        "<a/><b/>",
        "<a>\u{1}</a>",
    ] {
        let doc = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{bad}\n");
        assert!(parse_xml(&doc).is_err(), "{bad} should not parse");
    }
}

#[test]
fn junit_is_well_formed_with_one_testcase_per_finding_or_clean_file() {
    let dir = odd_fixtures();
    // With --fail-on info every finding is a failure (below, the default's info findings pass).
    let run = lint(
        dir.path(),
        "junit",
        &["--fail-on", "info", "--rules", "rules", "k8s", "odd"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let suite = parse_xml(&run.stdout).unwrap_or_else(|e| panic!("{e}\n{}", run.stdout));
    assert_eq!(suite.name, "testsuite");
    assert_eq!(suite.attr("name"), "ekslint");

    let json = json_lines(&lint(
        dir.path(),
        "json-lines",
        &["--rules", "rules", "k8s", "odd"],
    ));
    let cases = suite.all("testcase");
    let mut files: Vec<&str> = cases.iter().map(|c| c.attr("classname")).collect();
    files.dedup();
    assert_eq!(
        files,
        [
            "k8s/cm.yaml",
            "k8s/deploy.yaml",
            "k8s/zh.yaml",
            "odd/a,b:c%.yaml"
        ]
    );
    // One clean file's case, and one case per finding, each with exactly one failure: the
    // suite never counts more failures than test cases.
    assert_eq!(cases.len(), 1 + json.len());
    assert_eq!(suite.attr("tests"), cases.len().to_string());
    assert!(cases.iter().all(|c| c.all("failure").len() <= 1));
    let failures: Vec<&Element> = cases.iter().flat_map(|c| c.all("failure")).collect();
    assert_eq!(failures.len(), json.len());
    assert_eq!(suite.attr("failures"), json.len().to_string());

    // The clean ConfigMap passes.
    assert!(cases[0].children.is_empty());
    assert_eq!(cases[0].attr("name"), "k8s/cm.yaml");

    // Each failure: type = rule, message = message, text = path:line:col rule message.
    let mut i = 0;
    for case in &cases {
        for f in case.all("failure") {
            let d = &json[i];
            i += 1;
            assert_eq!(f.attr("type"), d["rule"]);
            assert_eq!(f.attr("message"), d["message"]);
            assert_eq!(
                f.text,
                format!(
                    "{}:{}:{} {} {}",
                    d["file"].as_str().unwrap(),
                    d["span"]["start"]["line"],
                    d["span"]["start"]["column"],
                    d["rule"].as_str().unwrap(),
                    d["message"].as_str().unwrap()
                )
            );
            assert_eq!(case.attr("classname"), d["file"]);
            assert_eq!(
                case.attr("name"),
                format!(
                    "{} {}:{}",
                    d["rule"].as_str().unwrap(),
                    d["span"]["start"]["line"],
                    d["span"]["start"]["column"]
                )
            );
        }
    }
    // The custom rule's message survives XML escaping, newline included (`&#10;` in attributes).
    let odd = cases.last().unwrap().all("failure");
    assert_eq!(odd.len(), 1);
    let odd = odd[0];
    assert_eq!(odd.attr("type"), "ACME900");
    assert_eq!(
        odd.attr("message"),
        "50% of \"busybox:1.36\": <pull> & push, then\nretry"
    );
    let (_, line, col) = locate(ZH, "9100", 0);
    assert!(
        failures.iter().any(|f| f
            .text
            .starts_with(&format!("k8s/zh.yaml:{line}:{col} EKS301 "))),
        "{}",
        run.stdout
    );
}

/// JUnit agrees with the exit code: a finding below `--fail-on` is a passing test case that says
/// the finding in its `<system-out>`; `--fail-on never` fails none.
#[test]
fn junit_failures_are_what_fail_on_fails_on() {
    let dir = odd_fixtures();
    let json = json_lines(&lint(
        dir.path(),
        "json-lines",
        &["--rules", "rules", "k8s", "odd"],
    ));
    let at_least_warning = json.iter().filter(|d| d["severity"] != "info").count();
    let infos = json.len() - at_least_warning;
    assert!(infos > 0 && at_least_warning > 0, "the fixtures have both");
    for (args, failures) in [
        (&[][..], at_least_warning),
        (&["--fail-on", "never"][..], 0),
        (&["--exit-zero"][..], at_least_warning),
    ] {
        let mut all = args.to_vec();
        all.extend(["--rules", "rules", "k8s", "odd"]);
        let run = lint(dir.path(), "junit", &all);
        let suite = parse_xml(&run.stdout).unwrap();
        let cases = suite.all("testcase");
        let failed = cases
            .iter()
            .filter(|c| !c.all("failure").is_empty())
            .count();
        assert_eq!(failed, failures, "{args:?}");
        assert_eq!(suite.attr("failures"), failures.to_string(), "{args:?}");
        assert_eq!(
            suite.attr("tests"),
            (1 + json.len()).to_string(),
            "{args:?}"
        );
        let passing_findings: Vec<&Element> =
            cases.iter().flat_map(|c| c.all("system-out")).collect();
        assert_eq!(passing_findings.len(), json.len() - failures, "{args:?}");
        if args.is_empty() {
            assert!(
                passing_findings
                    .iter()
                    .all(|o| o.text.ends_with("(info, below --fail-on)")),
                "{}",
                run.stdout
            );
        }
    }
}

#[test]
fn junit_of_a_clean_tree_passes() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("k8s")).unwrap();
    fs::write(dir.path().join("k8s/cm.yaml"), CONFIGMAP).unwrap();
    let run = lint(dir.path(), "junit", &[]);
    assert_eq!(run.code, 0);
    let suite = parse_xml(&run.stdout).unwrap();
    assert_eq!((suite.attr("tests"), suite.attr("failures")), ("1", "0"));
    assert_eq!(suite.all("testcase").len(), 1);
}

// ---------------------------------------------------------------------------------------------
// --output and --statistics

#[test]
fn output_writes_the_report_to_a_file_and_the_summary_to_stderr() {
    let dir = fixtures();
    let stdout_run = lint(dir.path(), "sarif", &[]);
    let run = lint(dir.path(), "sarif", &["--output", "report.sarif", "k8s"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stdout, "", "the report goes to the file only");
    let written = fs::read_to_string(dir.path().join("report.sarif")).expect("report written");
    assert_eq!(written, stdout_run.stdout);
    let summary = run.stderr.lines().last().unwrap_or("");
    assert!(
        summary.contains(" problems (") && summary.ends_with(" in 3 files."),
        "{}",
        run.stderr
    );

    // The human report, too: no colors in a file, and the summary still on the terminal.
    let run = run_in(
        dir.path(),
        &["--isolated", "--color", "auto", "-o", "report.txt", "k8s"],
    );
    assert_eq!((run.code, run.stdout.as_str()), (1, ""));
    let written = fs::read_to_string(dir.path().join("report.txt")).unwrap();
    assert!(
        written.contains("EKS301") && !written.contains('\u{1b}'),
        "{written}"
    );
    assert!(
        run.stderr.trim_end().ends_with(" in 3 files."),
        "{}",
        run.stderr
    );

    // A clean tree still says so.
    let run = run_in(
        dir.path(),
        &["--isolated", "--output", "clean.json", "k8s/cm.yaml"],
    );
    assert_eq!(run.code, 0);
    assert_eq!(run.stderr.trim_end(), "No problems in 1 file.");

    // A file that cannot be created is an I/O error.
    let run = lint(
        dir.path(),
        "json",
        &["--output", "no/such/dir/out.json", "k8s"],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no/such/dir/out.json"),
        "{}",
        run.stderr
    );
}

/// `ID  name  count` lines, as `--statistics` prints them.
fn statistics(text: &str) -> Vec<(String, String, usize)> {
    text.lines()
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(f.len(), 3, "not `ID name count`: {l}");
            (f[0].to_string(), f[1].to_string(), f[2].parse().unwrap())
        })
        .collect()
}

#[test]
fn statistics_count_findings_per_rule() {
    let dir = odd_fixtures();
    let args = ["--statistics", "--rules", "rules", "k8s", "odd"];
    let json = json_lines(&lint(dir.path(), "json-lines", &args[1..]));
    let mut expected: BTreeMap<(String, String), usize> = BTreeMap::new();
    for d in &json {
        let key = (
            d["rule"].as_str().unwrap().into(),
            d["name"].as_str().unwrap().into(),
        );
        *expected.entry(key).or_default() += 1;
    }
    let mut expected: Vec<(String, String, usize)> = expected
        .into_iter()
        .map(|((id, name), n)| (id, name, n))
        .collect();
    expected.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    assert!(
        expected.windows(2).any(|w| w[0].2 != w[1].2),
        "counts should differ"
    );

    // Machine formats: the report on stdout is untouched, the counts go to stderr.
    let run = lint(dir.path(), "json-lines", &args);
    assert_eq!(json_lines(&run).len(), json.len());
    assert_eq!(statistics(&run.stderr), expected, "{}", run.stderr);

    // Human: after the report, on stdout.
    let run = lint(dir.path(), "human", &args);
    let tail: Vec<&str> = run.stdout.lines().rev().take(expected.len()).collect();
    let tail: String = tail.into_iter().rev().map(|l| format!("{l}\n")).collect();
    assert_eq!(statistics(&tail), expected, "{}", run.stdout);
    assert!(run.stdout.contains(" problems ("));
}

#[test]
fn help_explains_every_format() {
    let run = run_in(Path::new("."), &["check", "--help"]);
    for (value, words) in [
        ("json-lines", "per line"),
        ("sarif", "SARIF 2.1.0"),
        ("github", "GitHub Actions"),
        ("gitlab", "GitLab Code Quality"),
        ("junit", "JUnit XML"),
    ] {
        let line = run
            .stdout
            .lines()
            .find(|l| {
                l.trim_start()
                    .trim_start_matches("- ")
                    .starts_with(&format!("{value}:"))
            })
            .unwrap_or_else(|| panic!("no `{value}:` in\n{}", run.stdout));
        assert!(line.contains(words), "{line}");
    }
    assert!(run.stdout.contains("--output <FILE>") && run.stdout.contains("--statistics"));
}

/// CI systems resolve report paths against the repository: github, gitlab and SARIF name files
/// relative to the git repository around the current directory (or `$GITHUB_WORKSPACE`), however
/// ekslint was run: from a subdirectory, with `../`, with an absolute path.
#[test]
fn ci_formats_name_files_relative_to_the_repository() {
    let dir = fixtures();
    fs::create_dir(dir.path().join(".git")).unwrap();
    fs::create_dir(dir.path().join("docs")).unwrap();
    let k8s = dir.path().join("k8s");
    let abs = k8s.join("deploy.yaml");
    let abs = abs.to_str().unwrap();
    let paths = |r: &Run, format: &str| -> Vec<String> {
        match format {
            "github" => r
                .stdout
                .lines()
                .filter_map(|l| l.split("file=").nth(1))
                .map(|rest| rest.split(',').next().unwrap().to_string())
                .collect(),
            "gitlab" => parse(r)
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["location"]["path"].as_str().unwrap().to_string())
                .collect(),
            _ => parse(r)["runs"][0]["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|res| {
                    res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                        .as_str()
                        .unwrap()
                        .to_string()
                })
                .collect(),
        }
    };
    for format in ["github", "gitlab", "sarif"] {
        for (cwd, path) in [
            (k8s.as_path(), "deploy.yaml"),
            (k8s.as_path(), "./deploy.yaml"),
            (dir.path(), abs),
            (&dir.path().join("docs"), "../k8s/deploy.yaml"),
        ] {
            let out = Command::new(BIN)
                .current_dir(cwd)
                .args(["--isolated", "--format", format, path])
                .env_remove("GITHUB_WORKSPACE")
                .env_remove("CI_PROJECT_DIR")
                .output()
                .unwrap();
            let r = Run {
                code: out.status.code().unwrap(),
                stdout: String::from_utf8(out.stdout).unwrap(),
                stderr: String::from_utf8(out.stderr).unwrap(),
            };
            assert_eq!(r.code, 1, "{}", r.stderr);
            let got = paths(&r, format);
            assert!(!got.is_empty(), "{format} {path}: {}", r.stdout);
            assert!(
                got.iter().all(|p| p == "k8s/deploy.yaml"),
                "{format}, {path} from {cwd:?}: {got:?}"
            );
        }
    }
    // $GITHUB_WORKSPACE, when set, is the root.
    let out = Command::new(BIN)
        .current_dir(&k8s)
        .args(["--isolated", "--format", "github", "deploy.yaml"])
        .env("GITHUB_WORKSPACE", &k8s)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("file=deploy.yaml,"), "{stdout}");
}
