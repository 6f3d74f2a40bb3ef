//! `ekslint size`: the real binary on a directory of manifests, JSON and table output.

use std::process::Command;

use serde_json::{Value, json};

const EXAMPLE_2: &str = r#"# eks-pod-specs.md §2.3, official example 2
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      containers:
      - name: c1
        image: web:1
        resources:
          requests: {cpu: "2", memory: 4Gi}
          limits: {cpu: "4", memory: 4Gi}
      - name: c2
        image: sidecar:1
        resources:
          requests: {cpu: "1", memory: 2Gi}
          limits: {cpu: "1", memory: 2Gi}
"#;

const GPU: &str = r#"apiVersion: v1
kind: Service
metadata: {name: train}
---
# eks-pod-specs.md §3, official GPU example 2
apiVersion: v1
kind: Pod
metadata:
  name: train
  annotations:
    eks.tke.cloud.tencent.com/gpu-type: V100
spec:
  containers:
  - name: a
    image: train:1
    resources:
      requests: {cpu: "4", memory: 16Gi, nvidia.com/gpu: 1}
      limits: {cpu: "8", memory: 32Gi, nvidia.com/gpu: 1}
  - name: b
    image: train:1
    resources:
      requests: {cpu: "16", memory: 64Gi, nvidia.com/gpu: 1}
      limits: {cpu: "32", memory: 128Gi, nvidia.com/gpu: 1}
"#;

fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("web.yaml"), EXAMPLE_2).unwrap();
    std::fs::write(dir.path().join("train.yaml"), GPU).unwrap();
    // Not a workload, and a kustomize patch: neither is listed.
    std::fs::write(
        dir.path().join("cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("web-patch.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers: [{name: c1, resources: {limits: {cpu: \"64\"}}}]\n",
    )
    .unwrap();
    dir
}

fn ekslint(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ekslint"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run ekslint");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn size_json_reports_billed_and_requested() {
    let dir = tree();
    let (code, stdout, stderr) = ekslint(dir.path(), &["size", "--format", "json", "."]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, "");
    let v: Value = serde_json::from_str(&stdout).expect("JSON");
    let rows = v.as_array().expect("an array");
    assert_eq!(rows.len(), 2, "{stdout}");

    // Sorted by file: train.yaml, then web.yaml.
    let train = &rows[0];
    assert_eq!(train["file"], "./train.yaml");
    assert_eq!(train["line"], 6);
    assert_eq!(train["kind"], "Pod");
    assert_eq!(train["namespace"], Value::Null);
    assert_eq!(train["name"], "train");
    assert_eq!(
        train["billed"],
        json!({"cpu": 36.0, "memoryGiB": 160.0, "gpu": {"type": "V100", "model": "NVIDIA Tesla V100", "cards": 4}})
    );
    assert_eq!(train["requested"]["cpu"], 32.0);
    assert_eq!(train["requested"]["memoryGiB"], 128.0);
    assert_eq!(train["requested"]["gpu"], 2);
    assert_eq!(train["table"], "gpu");
    assert_eq!(train["sizedBy"], "resources");
    let reason = train["reason"].as_str().unwrap();
    assert!(
        reason.contains("2-card V100 size (18 cores / 80 GiB)") && reason.contains("4 cards"),
        "{reason}"
    );

    let web = &rows[1];
    assert_eq!(web["file"], "./web.yaml");
    assert_eq!(web["line"], 2);
    assert_eq!(web["kind"], "Deployment");
    assert_eq!(web["namespace"], "shop");
    assert_eq!(web["name"], "web");
    assert_eq!(
        web["billed"],
        json!({"cpu": 4.0, "memoryGiB": 8.0, "gpu": null})
    );
    assert_eq!(
        web["requested"],
        json!({
            "cpu": 4.0, "memoryGiB": 6.0, "gpu": 0,
            "app": {"cpu": 4.0, "memoryGiB": 6.0, "gpu": 0},
            "init": {"cpu": 0.0, "memoryGiB": 0.0, "gpu": 0}
        })
    );
    assert_eq!(web["table"], "intel");
    assert_eq!(web["reason"], "4 cores come with at least 8 GiB");
}

#[test]
fn size_table_is_aligned() {
    let dir = tree();
    let (code, stdout, stderr) = ekslint(dir.path(), &["size", "train.yaml", "web.yaml"]);
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{stdout}");
    let col = |l: &str, what: &str| l.find(what).unwrap_or_else(|| panic!("{what} in {l}"));
    assert_eq!(col(lines[0], "BILLED"), col(lines[1], "36 cores"));
    assert_eq!(col(lines[0], "BILLED"), col(lines[2], "4 cores / 8 GiB"));
    assert_eq!(
        col(lines[0], "CONTAINERS ASK"),
        col(lines[2], "4 cores / 6 GiB")
    );
    assert!(
        lines[1].contains("36 cores / 160 GiB / 4 × V100"),
        "{stdout}"
    );
    assert!(lines[1].contains("32 cores / 128 GiB / 2 GPUs"), "{stdout}");
    assert_eq!(
        lines[4],
        "2 workloads: 2 billed above what their containers ask for, 0 without a size."
    );
}

#[test]
fn size_of_a_missing_path_exits_2() {
    let dir = tree();
    let (code, _, stderr) = ekslint(dir.path(), &["size", "nope.yaml"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("nope.yaml"), "{stderr}");
}

/// A file `size` cannot read as manifests (a syntax error, a template, binary content) holds
/// workloads the report would silently lack: each is named on stderr, and the others are sized.
#[test]
fn files_that_cannot_be_sized_are_named_not_hidden() {
    let dir = tree();
    std::fs::write(
        dir.path().join("tab.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n\tname: x\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("chart.yaml"),
        "kind: Pod\nmetadata: {name: {{ .Values.name }}}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("blob.yaml"), b"\x7fELF\x00\x01\x02").unwrap();
    let (code, stdout, stderr) = ekslint(dir.path(), &["size", "--format", "json", "."]);
    assert_eq!(code, 0, "{stderr}");
    let rows: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        rows.as_array().unwrap().len(),
        2,
        "the good files: {stdout}"
    );
    assert!(
        stderr.contains("./tab.yaml: line 4: ") && stderr.contains("not sized"),
        "{stderr}"
    );
    assert!(stderr.contains("./chart.yaml: a template"), "{stderr}");
    assert!(stderr.contains("./blob.yaml: a binary file"), "{stderr}");
    assert_eq!(stderr.lines().count(), 3, "{stderr}");
}

/// `size` leaves out what a lint run of the same paths leaves out: the config's `exclude` (from
/// the nearest `.ekslint.yaml`) and `--exclude`, so both commands see the same workloads.
#[test]
fn size_honours_the_configs_exclude() {
    let dir = tree();
    let names = |args: &[&str]| {
        let (code, stdout, stderr) = ekslint(dir.path(), args);
        assert_eq!(code, 0, "{stderr}");
        let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let mut files: Vec<String> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["file"].as_str().unwrap().to_string())
            .collect();
        files.dedup();
        files
    };
    assert_eq!(
        names(&["size", "--format", "json"]),
        ["./train.yaml", "./web.yaml"]
    );
    std::fs::write(dir.path().join(".ekslint.yaml"), "exclude: [train.yaml]\n").unwrap();
    assert_eq!(names(&["size", "--format", "json"]), ["./web.yaml"]);
    assert_eq!(
        names(&["size", "--format", "json", "--exclude", "web.yaml"]),
        Vec::<String>::new()
    );
}
