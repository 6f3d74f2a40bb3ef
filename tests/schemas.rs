//! The JSON Schemas in `schemas/` describe what ekslint really reads and writes:
//! every shipped rule file validates against `rule.schema.json`, and the `--format json` output of
//! the real binary validates against `output.schema.json`. Broken documents must fail, so that
//! these tests cannot pass with a validator that accepts anything.

use std::path::{Path, PathBuf};
use std::process::Command;

use jsonschema::Validator;
use serde_json::{Value, json};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Loads a schema, checks it against its meta-schema (draft 2020-12) and compiles it.
fn validator(name: &str) -> Validator {
    let path = repo().join("schemas").join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let schema: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    assert_eq!(
        schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
        "{name} should declare draft 2020-12"
    );
    if let Err(e) = jsonschema::meta::validate(&schema) {
        panic!(
            "{name} is not a valid JSON Schema: {e} at {}",
            e.instance_path()
        );
    }
    jsonschema::draft202012::new(&schema).unwrap_or_else(|e| panic!("{name} does not compile: {e}"))
}

/// Every validation error of `instance`, one line each (empty: valid).
fn errors(v: &Validator, instance: &Value) -> Vec<String> {
    v.iter_errors(instance)
        .map(|e| format!("{} (at `{}`)", e, e.instance_path()))
        .collect()
}

/// A rule file as the editor (and this test) sees it: YAML read into JSON.
fn yaml_to_json(text: &str) -> Value {
    serde_saphyr::from_str::<Value>(text).unwrap_or_else(|e| panic!("not YAML: {e}\n{text}"))
}

/// The `*.yaml`/`*.yml` files of a directory of the repository, sorted.
fn yaml_files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join(dir))
        .unwrap_or_else(|e| panic!("{dir}/: {e}"))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_rule_file_validates_against_the_rule_schema() {
    let v = validator("rule.schema.json");
    let builtin = yaml_files("rules");
    assert!(
        builtin.len() >= 11,
        "expected the built-in rule catalog in rules/, found {builtin:?}"
    );
    // The worked custom rule of the README, too (when it is there).
    let custom = if repo().join("examples/rules").is_dir() {
        yaml_files("examples/rules")
    } else {
        Vec::new()
    };
    let mut problems = Vec::new();
    for f in builtin.iter().chain(&custom) {
        let text = std::fs::read_to_string(f).expect("rule file is UTF-8");
        let doc = yaml_to_json(&text);
        for e in errors(&v, &doc) {
            problems.push(format!("{}: {e}", f.display()));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// A small rule that the schema must accept; the negative cases below break it one way each.
fn valid_rule() -> Value {
    yaml_to_json(
        r#"
id: ACME001
name: no-latest-tag
severity: warning
summary: A container image uses the latest tag.
faq: 9100
url: https://example.com/rules/ACME001
explanation: Pin image versions.
message: 'container `{container}` uses `{value}`'
help: pin a version
checks:
  - kinds: ['@workload']
    select:
      - containers[*].image
    when:
      any:
        - matches: ':latest$'
        - not:
            matches: ':'
    unless:
      path: podMeta.annotations["acme.example.com/allow-latest"]
      one-of: ['true', yes, 1]
    report: value
  - select:
      - containers[*].ports[*].containerPort
    when:
      not:
        port: true
    message: 'port {value} is out of range'
  - builtin: removed-api-version
    params:
      removed:
        - {api-version: apps/v1beta1, kinds: ['*'], replacement: apps/v1, removed-in: "1.16"}
examples:
  firing:
    - name: latest
      lines: [6]
      yaml: |
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
          - image: nginx:latest
  silent:
    - yaml: |
        apiVersion: v1
        kind: Pod
"#,
    )
}

/// Loads `rule` (written out as YAML: JSON is YAML) with `ekslint rules --rules DIR`; returns the
/// exit code (0 loaded, 2 refused).
fn load_rule(rule: &Value) -> Option<i32> {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = serde_json::to_string_pretty(rule).expect("serialize rule");
    std::fs::write(dir.path().join("rule.yaml"), text).expect("write rule");
    Command::new(env!("CARGO_BIN_EXE_ekslint"))
        .arg("rules")
        .arg("--rules")
        .arg(dir.path())
        .output()
        .expect("run ekslint")
        .status
        .code()
}

#[test]
fn the_rule_schema_rejects_broken_rules() {
    let v = validator("rule.schema.json");
    let base = valid_rule();
    assert_eq!(
        errors(&v, &base),
        Vec::<String>::new(),
        "the base rule must be valid, or the negative cases prove nothing"
    );

    // Each case: what it breaks, whether `ekslint` itself refuses to load the result (the others
    // load, but `ekslint test-rules` fails them), and a change to the base rule.
    type Edit = fn(&mut Value);
    let cases: &[(&str, bool, Edit)] = &[
        ("severity `fatal`", true, |r| r["severity"] = json!("fatal")),
        ("unknown top-level key", true, |r| {
            r["serverity"] = json!("error")
        }),
        ("snake_case key in a predicate", true, |r| {
            r["checks"][1]["when"] = json!({"is_string": false});
        }),
        ("missing summary", true, |r| {
            r.as_object_mut().unwrap().remove("summary");
        }),
        ("lower-case id", true, |r| r["id"] = json!("acme001")),
        ("name not kebab-case", true, |r| {
            r["name"] = json!("NoLatestTag")
        }),
        ("both check and checks", true, |r| {
            r["check"] = r["checks"][0].clone();
        }),
        ("neither check nor checks", true, |r| {
            r.as_object_mut().unwrap().remove("checks");
        }),
        ("empty checks", true, |r| r["checks"] = json!([])),
        ("predicate with two operators", true, |r| {
            r["checks"][1]["when"] = json!({"equals": 1, "matches": "x"});
        }),
        ("predicate with no operator", true, |r| {
            r["checks"][1]["when"] = json!({"path": ".name"});
        }),
        ("`port: false` is no operator", true, |r| {
            r["checks"][1]["when"] = json!({"port": false});
        }),
        ("nested predicate with an unknown operator", true, |r| {
            r["checks"][0]["when"]["any"][1]["not"] = json!({"contains": "x"});
        }),
        ("path with an unknown root", true, |r| {
            r["checks"][0]["select"] = json!(["spec.containers[*].image"]);
        }),
        ("`containers` without [*]", true, |r| {
            r["checks"][0]["select"] = json!(["containers.image"]);
        }),
        ("unknown message placeholder", true, |r| {
            r["message"] = json!("image {image} is bad");
        }),
        ("declarative check without select", true, |r| {
            r["checks"][1].as_object_mut().unwrap().remove("select");
        }),
        ("declarative check with params", true, |r| {
            r["checks"][1]["params"] = json!({"x": 1});
        }),
        ("builtin check with select", true, |r| {
            r["checks"][2]["select"] = json!(["object"]);
        }),
        ("builtin name that is not kebab-case", true, |r| {
            r["checks"][2]["builtin"] = json!("Spell Check")
        }),
        ("removed-api-version without params", true, |r| {
            r["checks"][2].as_object_mut().unwrap().remove("params");
        }),
        ("removed-in as a number", true, |r| {
            r["checks"][2]["params"]["removed"][0]["removed-in"] = json!(1.16);
        }),
        ("params for a builtin that takes none", true, |r| {
            r["checks"][2] = json!({"builtin": "duplicate-key", "params": {"x": 1}});
        }),
        ("firing example without lines", false, |r| {
            r["examples"]["firing"][0]
                .as_object_mut()
                .unwrap()
                .remove("lines");
        }),
        ("line 0", false, |r| {
            r["examples"]["firing"][0]["lines"] = json!([0])
        }),
        ("example without yaml", true, |r| {
            r["examples"]["silent"][0] = json!({"name": "x"});
        }),
        ("no silent example", false, |r| {
            r["examples"]["silent"] = json!([])
        }),
    ];
    assert_eq!(load_rule(&base), Some(0), "ekslint must load the base rule");
    let mut accepted = Vec::new();
    let mut disagree = Vec::new();
    for (what, loader_rejects, edit) in cases {
        let mut rule = base.clone();
        edit(&mut rule);
        assert_ne!(rule, base, "case `{what}` changes nothing");
        if v.is_valid(&rule) {
            accepted.push(*what);
        }
        let expected = if *loader_rejects { 2 } else { 0 };
        if load_rule(&rule) != Some(expected) {
            disagree.push(*what);
        }
    }
    assert!(
        accepted.is_empty(),
        "the rule schema accepts broken rules: {accepted:?}"
    );
    assert!(
        disagree.is_empty(),
        "ekslint's loader does not treat these cases as expected: {disagree:?}"
    );

    // And a whole hand-written document, as a user would get it wrong.
    let bad = yaml_to_json(
        "id: EKS999\nname: x\nseverity: fatal\nsummary: s\nexplanation: e\ncheck: {select: [object]}\nexamples: {firing: [{lines: [1], yaml: a}], silent: [{yaml: b}]}\n",
    );
    let errs = errors(&v, &bad);
    assert!(
        errs.iter().any(|e| e.contains("fatal")),
        "severity `fatal` must be reported, got {errs:?}"
    );
}

const DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
      annotations: {description: "网站前端", eks.tke.cloud.tencent.com/retain-ip: true}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        terminationMessagePolicy: FallbackToLogsOnError
"#;

const POD: &str = r#"apiVersion: v1
kind: Pod
metadata:
  name: exporter
spec:
  containers:
  - name: node-exporter
    image: prom/node-exporter:v1.8.2
    terminationMessagePolicy: FallbackToLogsOnError
    ports:
    - containerPort: 9100
"#;

const STATEFUL_SET: &str = r#"apiVersion: apps/v1
kind: StatefulSet
metadata: {name: game}
spec:
  replicas: 3
  template:
    metadata:
      annotations:
        eks.tke.cloud.tencent.com/eip-id-list: "eip-aa11bb22,eip-cc33dd44"
    spec:
      containers:
      - name: game
        image: game:1
        terminationMessagePolicy: FallbackToLogsOnError
"#;

const CONFIG_MAP: &str = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: "production"
  replicas: "3"
"#;

/// Runs `ekslint --format json DIR` and returns the exit code and the parsed output.
fn lint_json(dir: &Path) -> (Option<i32>, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_ekslint"))
        .arg("--format")
        .arg("json")
        .arg(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("run ekslint");
    let stdout = String::from_utf8(out.stdout).expect("output is UTF-8");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!("--format json output is not one JSON document: {e}\nstdout:\n{stdout}\nstderr:\n{stderr}")
    });
    (out.status.code(), value)
}

/// The byte offset, 1-based line and 1-based character column of a position must agree with the
/// file's text.
fn check_position(text: &str, pos: &Value, what: &str) -> usize {
    let offset = pos["offset"].as_u64().expect("offset") as usize;
    assert!(
        offset <= text.len() && text.is_char_boundary(offset),
        "{what}: offset {offset} is not a character boundary of the file"
    );
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    assert_eq!(
        (pos["line"].as_u64(), pos["column"].as_u64()),
        (Some(line as u64), Some(column as u64)),
        "{what}: line/column disagree with byte offset {offset}"
    );
    offset
}

#[test]
fn json_output_validates_against_the_output_schema() {
    let v = validator("output.schema.json");
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in [
        ("deployment.yaml", DEPLOYMENT),
        ("pod.yaml", POD),
        ("configmap.yaml", CONFIG_MAP),
        ("statefulset.yaml", STATEFUL_SET),
    ] {
        std::fs::write(dir.path().join(name), text).expect("write manifest");
    }

    let (code, out) = lint_json(dir.path());
    assert_eq!(
        errors(&v, &out),
        Vec::<String>::new(),
        "output does not match the schema:\n{out:#}"
    );
    let diags = out["diagnostics"].as_array().expect("diagnostics");
    assert!(!diags.is_empty(), "expected findings, got none:\n{out:#}");
    assert_eq!(code, Some(1), "findings of severity error exit with 1");

    // The totals agree with the diagnostics.
    let count = |sev: &str| diags.iter().filter(|d| d["severity"] == sev).count() as u64;
    let summary = &out["summary"];
    assert_eq!(summary["files"], 4, "{summary}");
    assert_eq!(summary["skipped"], 0, "{summary}");
    for (key, sev) in [
        ("errors", "error"),
        ("warnings", "warning"),
        ("infos", "info"),
    ] {
        assert_eq!(summary[key].as_u64(), Some(count(sev)), "{key}: {summary}");
    }

    // Every span agrees with the file it names (1-based line, character column, byte offset).
    for d in diags {
        let file = d["file"].as_str().expect("file");
        let text = std::fs::read_to_string(file)
            .unwrap_or_else(|e| panic!("diagnostic names file {file} that cannot be read: {e}"));
        let start = check_position(&text, &d["span"]["start"], &format!("{d} start"));
        let end = check_position(&text, &d["span"]["end"], &format!("{d} end"));
        assert!(start <= end, "span ends before it starts: {d}");
        for r in d["related"].as_array().into_iter().flatten() {
            let start = check_position(&text, &r["span"]["start"], &format!("{r} start"));
            let end = check_position(&text, &r["span"]["end"], &format!("{r} end"));
            assert!(start <= end, "related span ends before it starts: {d}");
        }
    }

    // The findings this input was written for.
    let find = |rule: &str| {
        diags
            .iter()
            .find(|d| d["rule"] == rule)
            .unwrap_or_else(|| panic!("no {rule} finding in:\n{out:#}"))
    };
    let unquoted = find("EKS003");
    assert!(
        unquoted["file"]
            .as_str()
            .unwrap()
            .ends_with("deployment.yaml")
    );
    assert_eq!(unquoted["span"]["start"]["line"], 12);
    let at = unquoted["span"]["start"]["offset"].as_u64().unwrap() as usize;
    let end = unquoted["span"]["end"]["offset"].as_u64().unwrap() as usize;
    assert_eq!(
        &DEPLOYMENT[at..end],
        "true",
        "EKS003 should span the unquoted `true`: {unquoted}"
    );
    assert_eq!(
        unquoted["object"],
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "shop", "name": "web"})
    );
    // A finding that involves a second place says where, as the human report's label does.
    let eips = find("EKS109");
    let at = |p: &Value| p["offset"].as_u64().unwrap() as usize;
    assert_eq!(
        &STATEFUL_SET[at(&eips["span"]["start"])..at(&eips["span"]["end"])],
        "3"
    );
    let related = &eips["related"][0];
    assert_eq!(
        &STATEFUL_SET[at(&related["span"]["start"])..at(&related["span"]["end"])],
        "\"eip-aa11bb22,eip-cc33dd44\""
    );
    assert_eq!(related["message"], "2 EIPs");
    // Only findings that have such places carry `related`.
    assert!(unquoted.get("related").is_none(), "{unquoted}");
    let port = find("EKS301");
    assert!(port["file"].as_str().unwrap().ends_with("pod.yaml"));
    assert_eq!(port["span"]["start"]["line"], 11);
    assert_eq!(
        port["object"],
        json!({"apiVersion": "v1", "kind": "Pod", "namespace": null, "name": "exporter"})
    );
    assert!(
        diags
            .iter()
            .all(|d| !d["file"].as_str().unwrap().ends_with("configmap.yaml")),
        "the ConfigMap is clean:\n{out:#}"
    );

    // The output validator is not vacuous either.
    let mut broken = out.clone();
    broken["diagnostics"][0]["severity"] = json!("fatal");
    assert!(!v.is_valid(&broken), "severity `fatal` must not validate");
    let mut broken = out.clone();
    broken["diagnostics"][0]["span"]["start"]["line"] = json!(0);
    assert!(!v.is_valid(&broken), "line 0 must not validate");
    let mut broken = out.clone();
    broken["summary"].as_object_mut().unwrap().remove("infos");
    assert!(
        !v.is_valid(&broken),
        "a summary without infos must not validate"
    );
    let mut broken = out.clone();
    broken["diagnostics"][0]["related"] = json!([]);
    assert!(!v.is_valid(&broken), "an empty `related` must not validate");
    let mut broken = out.clone();
    broken["diagnostics"][0]["extra"] = json!(1);
    assert!(
        !v.is_valid(&broken),
        "unknown diagnostic fields must not validate"
    );
}

#[test]
fn clean_json_output_validates_against_the_output_schema() {
    let v = validator("output.schema.json");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("configmap.yaml"), CONFIG_MAP).expect("write manifest");

    let (code, out) = lint_json(dir.path());
    assert_eq!(
        errors(&v, &out),
        Vec::<String>::new(),
        "output does not match the schema:\n{out:#}"
    );
    assert_eq!(
        out,
        json!({
            "version": 1,
            "diagnostics": [],
            "skipped": [],
            "summary": {"files": 1, "skipped": 0, "errors": 0, "warnings": 0, "infos": 0}
        })
    );
    assert_eq!(code, Some(0), "a clean run exits with 0");
}
