//! The per-file stages, one benchmark each, on generated manifests (no files outside the
//! repository): `cargo bench --bench stages`.
//!
//! * `parse` — text → spanned YAML tree (`yaml::parse`);
//! * `object_model` — tree → Kubernetes objects with their pod templates (`k8s::objects`);
//! * `rules` — every built-in rule on those objects (document, object and cross-file collection);
//! * `report` — a file's findings written as JSON, SARIF and human code frames;
//! * `lint_file` — all of it for one file (`Linter::lint_bytes`), as a lint run does per file.
//!
//! Each runs on a small manifest (the repository's examples) and on a generated one of 200
//! workloads, so per-file overhead and per-node cost both show. Whole-corpus timings against the
//! parse-only floor and other tools are `scripts/bench.sh`.

use divan::counter::{BytesCount, ItemsCount};
use divan::{Bencher, black_box};
use ekslint::diagnostic::FileResult;
use ekslint::k8s;
use ekslint::lint::Linter;
use ekslint::report::{Reporter, human::Human, json::Json, sarif::Sarif};
use ekslint::rules::RuleSet;
use ekslint::rules::builtin::Phase;
use ekslint::yaml::{self, Limits};

fn main() {
    divan::main();
}

const SIZES: &[&str] = &["examples", "generated"];

/// The repository's example manifests, or `n` generated workloads with annotations, resources,
/// ports, volumes and probes (some with findings: port 9100, rounding, legacy annotations).
fn manifest(which: &str) -> String {
    if which == "examples" {
        return [
            include_str!("../examples/k8s/web.yaml"),
            include_str!("../examples/k8s/exporter.yaml"),
            include_str!("../examples/k8s/nfs-pod.yaml"),
            include_str!("../examples/k8s/clean.yaml"),
        ]
        .join("---\n");
    }
    let mut out = String::new();
    for i in 0..200 {
        let kind = ["Deployment", "StatefulSet", "Job", "DaemonSet"][i % 4];
        let api = if kind == "Job" { "batch/v1" } else { "apps/v1" };
        let port = if i % 7 == 0 { 9100 } else { 8080 + i % 5 };
        let cpu = ["250m", "1", "1500m", "2"][i % 4];
        out.push_str(&format!(
            r#"---
# workload {i} (生成)
apiVersion: {api}
kind: {kind}
metadata:
  name: app-{i}
  namespace: team-{ns}
  labels: {{app: app-{i}, tier: "backend"}}
  annotations:
    eks.tke.cloud.tencent.com/static-ip: "true"
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: app-{i}
  template:
    metadata:
      labels:
        app: app-{i}
      annotations:
        eks.tke.cloud.tencent.com/cpu-type: intel
        eks.tke.cloud.tencent.com/cbs-reuse-key: "app-{key}"
    spec:
      initContainers:
      - name: init
        image: busybox:1.36
        command: ["sh", "-c", "echo init {i}"]
      containers:
      - name: app
        image: ccr.ccs.tencentyun.com/team/app-{img}:v{i}
        args:
        - --listen=:{port}
        - --log-level=info
        ports:
        - containerPort: {port}
          name: metrics
        - containerPort: 8443
        env:
        - name: ENABLE_FEATURE
          value: "on"
        - name: REPLICA
          value: "{i}"
        resources:
          requests: {{cpu: {cpu}, memory: 1536Mi}}
          limits: {{cpu: {cpu}, memory: 2Gi, ephemeral-storage: 10Gi}}
        readinessProbe:
          httpGet: {{path: /healthz, port: {port}}}
          periodSeconds: 10
        volumeMounts:
        - name: data
          mountPath: /data
        - name: config
          mountPath: /etc/app
      volumes:
      - name: data
        emptyDir: {{}}
      - name: config
        configMap:
          name: app-{i}-config
"#,
            ns = i % 3,
            replicas = 1 + i % 3,
            key = i % 5,
            img = i % 10,
        ));
    }
    out
}

fn linter() -> Linter {
    Linter::new(RuleSet::builtin().expect("the built-in rules load"))
}

#[divan::bench(args = SIZES)]
fn parse(bencher: Bencher, which: &str) {
    let text = manifest(which);
    bencher.counter(BytesCount::new(text.len())).bench(|| {
        // As a lint worker parses: part by part, into the thread's arena.
        let mut documents = 0;
        yaml::parse_each(black_box(&text), Limits::default(), |_, p| {
            documents += black_box(p.documents.len());
            true
        });
        documents
    });
}

#[divan::bench(args = SIZES)]
fn object_model(bencher: Bencher, which: &str) {
    let text = manifest(which);
    let arena = yaml::Arena::new();
    let parsed = yaml::parse(&text, &arena, Limits::default());
    bencher
        .counter(BytesCount::new(text.len()))
        .bench(|| k8s::objects(black_box(&text), &parsed.documents, false, false));
}

#[divan::bench(args = SIZES)]
fn rules(bencher: Bencher, which: &str) {
    let text = manifest(which);
    let arena = yaml::Arena::new();
    let parsed = yaml::parse(&text, &arena, Limits::default());
    let objects = k8s::objects(&text, &parsed.documents, false, false);
    let linter = linter();
    bencher.counter(BytesCount::new(text.len())).bench(|| {
        let mut findings = Vec::new();
        let mut facts = Vec::new();
        for doc in &parsed.documents {
            let Some(root) = &doc.root else { continue };
            let obj = k8s::Object::from_node(&text, doc.index, root);
            for rule in &linter.rules.rules {
                rule.check_document(root, obj.as_ref(), &mut findings);
            }
        }
        for obj in &objects {
            for rule in &linter.rules.rules {
                rule.check_object(obj, &mut findings);
                for b in rule.builtins(Phase::Global) {
                    b.collect(obj, &mut facts);
                }
            }
        }
        (findings, facts)
    });
}

#[divan::bench(args = SIZES)]
fn report(bencher: Bencher, which: &str) {
    let text = manifest(which);
    let linter = linter();
    let mut results: Vec<FileResult> = vec![linter.lint_bytes("app.yaml", text.into_bytes())];
    linter.finish(&mut results);
    let result = &results[0];
    let summary = {
        let mut s = ekslint::report::Summary::default();
        s.add(result);
        s
    };
    bencher
        .counter(ItemsCount::new(result.findings.len()))
        .bench(|| {
            let mut out = Vec::with_capacity(1 << 16);
            let reporters: [Box<dyn Reporter>; 3] = [
                Box::new(Json::default()),
                Box::new(Sarif::new(&linter.rules)),
                Box::new(Human::new(false, false, 100)),
            ];
            for mut r in reporters {
                r.file(&mut out, result).expect("writing to memory");
                r.finish(&mut out, &summary).expect("writing to memory");
            }
            out
        });
}

#[divan::bench(args = SIZES)]
fn lint_file(bencher: Bencher, which: &str) {
    let text = manifest(which);
    let linter = linter();
    bencher
        .counter(BytesCount::new(text.len()))
        .with_inputs(|| text.clone().into_bytes())
        .bench_local_values(|bytes| linter.lint_bytes("app.yaml", bytes));
}
