//! Config files, suppressions and baselines, tried as a user would: the real binary on files in
//! a temporary directory.

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_ekslint");

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_in(dir: &Path, args: &[&str]) -> Run {
    run_with_stdin(dir, args, Stdio::null())
}

fn run_with_stdin(dir: &Path, args: &[&str], stdin: impl Into<Stdio>) -> Run {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(stdin)
        .output()
        .expect("run ekslint");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// (rule, severity, line) of every JSON diagnostic.
fn findings(r: &Run) -> Vec<(String, String, u64)> {
    let v: Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", r.stdout, r.stderr));
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
                d["span"]["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// The file of every diagnostic of a JSON report, in order.
fn files_of(v: &Value) -> Vec<&str> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect()
}

/// Run from `dir` on `path`: two files linted, and only `new/pod.yaml` has findings (the other
/// one's rules are turned off by `per-path-ignores`; `why`: what is excluded).
fn assert_two_linted_new_fires(dir: &Path, path: &str, why: &str) {
    let r = run_in(dir, &["--format", "json", path]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let files = files_of(&v);
    assert_eq!(files.len(), 1, "from {dir:?} with {path}: {}", r.stdout);
    assert!(files[0].ends_with("new/pod.yaml"), "{files:?}");
    assert_eq!(v["summary"]["files"], 2, "from {dir:?} with {path}: {why}");
}

fn rules(r: &Run) -> Vec<String> {
    findings(r).into_iter().map(|f| f.0).collect()
}

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

const POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: nginx
    resources: {requests: {cpu: '1', memory: 2Gi}}
    ports:
    - containerPort: 9100
";

#[test]
fn config_is_found_upward_and_overridden_by_flags() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        ".ekslint.yaml",
        "ignore: [EKS701]\nseverity:\n  EKS301: warning\n",
    );
    write(d.path(), "k8s/apps/pod.yaml", POD);
    let sub = d.path().join("k8s/apps");
    let r = run_in(&sub, &["--format", "json", "pod.yaml"]);
    assert_eq!(
        findings(&r),
        [("EKS301".into(), "warning".into(), 11)],
        "{}",
        r.stderr
    );
    assert_eq!(r.code, 1);
    // --isolated ignores the config: the info finding and the error severity come back.
    let r = run_in(&sub, &["--isolated", "--format", "json", "pod.yaml"]);
    let all = findings(&r);
    assert!(
        all.contains(&("EKS301".into(), "error".into(), 11)),
        "{all:?}"
    );
    assert!(all.iter().any(|f| f.0 == "EKS701"), "{all:?}");
    // --ignore on the command line replaces the config's ignore; --exit-zero exits 0.
    let r = run_in(
        &sub,
        &[
            "--ignore",
            "EKS3",
            "--exit-zero",
            "--format",
            "json",
            "pod.yaml",
        ],
    );
    assert!(rules(&r).contains(&"EKS701".to_string()));
    assert!(!rules(&r).contains(&"EKS301".to_string()));
    assert_eq!(r.code, 0);
    // --select by name.
    let r = run_in(
        &sub,
        &[
            "--select",
            "metrics-port-conflict",
            "--format",
            "json",
            "pod.yaml",
        ],
    );
    assert_eq!(rules(&r), ["EKS301"]);
    // --config names another file.
    write(d.path(), "strict.yaml", "select: [EKS7]\nfail-on: info\n");
    let r = run_in(
        &sub,
        &[
            "--config",
            "../../strict.yaml",
            "--format",
            "json",
            "pod.yaml",
        ],
    );
    assert_eq!(rules(&r), ["EKS701"]);
    assert_eq!(r.code, 1, "fail-on: info from the config");
}

#[test]
fn config_extends_and_per_path_ignores() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "base.yaml", "ignore: [EKS701, EKS2, EKS6]\n");
    write(
        d.path(),
        ".ekslint.yml",
        "extend: base.yaml\nper-path-ignores:\n  legacy/**: [EKS301]\nexclude: [generated]\n",
    );
    write(d.path(), "legacy/pod.yaml", POD);
    write(d.path(), "new/pod.yaml", POD);
    write(d.path(), "generated/pod.yaml", POD);
    let r = run_in(d.path(), &["--format", "json", "."]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let files = files_of(&v);
    assert_eq!(files, ["./new/pod.yaml"], "{}", r.stdout);
    assert_eq!(rules(&r), ["EKS301"]);
    // new/, legacy/ and base.yaml itself (a YAML file like any other); generated/ is excluded.
    assert_eq!(v["summary"]["files"], 3);
}

/// The config's globs are anchored at its directory: `k8s/legacy/**` and `k8s/charts` match
/// whether ekslint runs from the config's directory, from `k8s/`, from a sibling with `../k8s`,
/// or is given an absolute path; and a file named on the command line (as the pre-commit hook
/// names changed files) is excluded as a walk would exclude it.
#[test]
fn config_globs_match_from_any_directory_and_named_files() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        ".ekslint.yaml",
        "ignore: [EKS701, EKS2, EKS6]\nper-path-ignores:\n  k8s/legacy/**: [EKS301]\nexclude: [k8s/charts]\n",
    );
    write(d.path(), "k8s/legacy/pod.yaml", POD);
    write(d.path(), "k8s/new/pod.yaml", POD);
    write(d.path(), "k8s/charts/pod.yaml", POD);
    write(d.path(), "other/.keep", "");
    let abs = d.path().join("k8s");
    let abs = abs.to_str().unwrap().to_string();
    let named = d.path().join("k8s/charts/pod.yaml");
    let named = named.to_str().unwrap().to_string();
    for (dir, path) in [
        (d.path().to_path_buf(), "k8s"),
        (d.path().join("k8s"), "."),
        (d.path().join("other"), "../k8s"),
        (d.path().join("other"), abs.as_str()),
    ] {
        assert_two_linted_new_fires(&dir, path, "charts/ is excluded");
    }
    for (dir, path) in [
        (d.path().to_path_buf(), "k8s/charts/pod.yaml"),
        (d.path().join("k8s"), "charts/pod.yaml"),
        (d.path().join("other"), named.as_str()),
    ] {
        let r = run_in(&dir, &["--format", "json", path]);
        assert_eq!(r.code, 0, "{path}: {}", r.stderr);
        let v: Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(v["summary"]["files"], 0, "from {dir:?}: {path} is excluded");
    }
}

/// A `per-path-ignores` key that names a directory covers the files below it, as the same text
/// in `exclude` does: `k8s/legacy`, `k8s/legacy/`, `./k8s/legacy` and a bare `legacy` (any depth).
#[test]
fn per_path_ignores_naming_a_directory_cover_the_files_below() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "k8s/legacy/old/pod.yaml", POD);
    write(d.path(), "k8s/new/pod.yaml", POD);
    // Not under the directory named: a sibling whose name starts the same.
    write(d.path(), "k8s/legacy-two/pod.yaml", POD);
    for key in [
        "k8s/legacy",
        "k8s/legacy/",
        "./k8s/legacy",
        "legacy",
        "k8s/legacy/**",
    ] {
        write(
            d.path(),
            ".ekslint.yaml",
            &format!("select: [EKS301]\nper-path-ignores:\n  {key}: [EKS301]\n"),
        );
        let r = run_in(d.path(), &["--format", "json", "k8s"]);
        let v: Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(
            files_of(&v),
            ["k8s/legacy-two/pod.yaml", "k8s/new/pod.yaml"],
            "{key}: {}",
            r.stderr
        );
    }
}

/// Globs read as in `.gitignore`: `*` stops at `/`, `**` crosses directories, a trailing `/` is
/// dropped, a leading `/` anchors the glob at the config's directory, and an absolute path into
/// that directory is taken as written from it. The same in `exclude` and `per-path-ignores`.
#[test]
fn config_globs_read_as_in_gitignore() {
    let d = tempfile::tempdir().unwrap();
    for f in [
        "top.yaml",
        "legacy/a.yaml",
        "apps/legacy/b.yaml",
        "apps/web/c.yaml",
    ] {
        write(d.path(), f, POD);
    }
    let abs = d.path().join("apps/web");
    let abs = abs.to_str().unwrap();
    for (glob, left) in [
        ("*.yaml", vec![]),
        (
            "/*.yaml",
            vec!["apps/legacy/b.yaml", "apps/web/c.yaml", "legacy/a.yaml"],
        ),
        (
            "apps/*.yaml",
            vec![
                "apps/legacy/b.yaml",
                "apps/web/c.yaml",
                "legacy/a.yaml",
                "top.yaml",
            ],
        ),
        ("apps/*/*.yaml", vec!["legacy/a.yaml", "top.yaml"]),
        ("apps/**/*.yaml", vec!["legacy/a.yaml", "top.yaml"]),
        ("legacy/", vec!["apps/web/c.yaml", "top.yaml"]),
        (
            "/legacy",
            vec!["apps/legacy/b.yaml", "apps/web/c.yaml", "top.yaml"],
        ),
        (abs, vec!["apps/legacy/b.yaml", "legacy/a.yaml", "top.yaml"]),
    ] {
        for config in [
            format!("select: [EKS301]\nexclude: [\"{glob}\"]\n"),
            format!("select: [EKS301]\nper-path-ignores:\n  \"{glob}\": [EKS301]\n"),
        ] {
            write(d.path(), ".ekslint.yaml", &config);
            let r = run_in(d.path(), &["--format", "json"]);
            let v: Value = serde_json::from_str(&r.stdout)
                .unwrap_or_else(|e| panic!("{config}: {e}: {}", r.stderr));
            let files: Vec<&str> = files_of(&v)
                .into_iter()
                .map(|f| f.strip_prefix("./").unwrap_or(f))
                .collect();
            assert_eq!(files, left, "{config}");
        }
    }
}

/// A glob that cannot be compiled, in `exclude` or a `per-path-ignores` key, stops the run with
/// the glob and what is wrong with it, pointed at in the config file.
#[test]
fn an_invalid_config_glob_is_named_and_pointed_at() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "pod.yaml", POD);
    for (config, line) in [
        ("exclude: [ok, \"a[\"]\n", "1 | exclude: [ok, \"a[\"]"),
        (
            "per-path-ignores:\n  k8s/**: [EKS301]\n  \"b[\": [EKS301]\n",
            "3 |   \"b[\": [EKS301]",
        ),
    ] {
        write(d.path(), ".ekslint.yaml", config);
        let r = run_in(d.path(), &["--color", "never", "pod.yaml"]);
        assert_eq!(r.code, 2, "{config}: {}", r.stderr);
        let glob = if config.contains("a[") { "a[" } else { "b[" };
        assert!(
            r.stderr
                .contains(&format!("invalid glob `{glob}`: unclosed character")),
            "{config}: {}",
            r.stderr
        );
        assert!(r.stderr.contains(line), "{config}: {}", r.stderr);
        assert!(r.stderr.contains(".ekslint.yaml:"), "{}", r.stderr);
        // Drawn in ASCII off a terminal, as the findings are (a CI log, a file).
        assert!(
            !r.stderr.contains('│') && !r.stderr.contains('×'),
            "{}",
            r.stderr
        );
    }
}

/// A config that `extend`s a shared one in a directory above it: the shared file's globs are
/// anchored at the shared file's directory, the extending file's at its own.
#[test]
fn config_is_found_from_the_paths_linted() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), ".ekslint.yaml", "select: [EKS701]\n");
    write(d.path(), "team/.ekslint.yaml", "select: [EKS301]\n");
    write(d.path(), "team/k8s/pod.yaml", POD);
    write(d.path(), "other/pod.yaml", POD);
    // From the repository root, a path under team/ (a directory or a file) uses team's config.
    for path in ["team/k8s", "team/k8s/pod.yaml", "./other/../team/k8s"] {
        let r = run_in(d.path(), &["-v", "--format", "json", path]);
        assert_eq!(rules(&r), ["EKS301"], "{path}: {}", r.stderr);
        assert!(
            r.stderr.contains("team/.ekslint.yaml") && !r.stderr.contains("warning"),
            "{path}: {}",
            r.stderr
        );
    }
    // From inside team/, a path outside it uses the config above that path: the root's.
    let r = run_in(&d.path().join("team"), &["--format", "json", "../other"]);
    assert_eq!(rules(&r), ["EKS701"], "{}", r.stderr);
    // A path with no config above it takes the current directory's.
    let elsewhere = tempfile::tempdir().unwrap();
    write(elsewhere.path(), "pod.yaml", POD);
    let outside = elsewhere.path().to_str().unwrap();
    let r = run_in(&d.path().join("team"), &["--format", "json", outside]);
    assert_eq!(rules(&r), ["EKS301"], "{}", r.stderr);
    // Paths that lead to different configs: one run, one config (the current directory's), and
    // a warning names the one left out.
    let r = run_in(d.path(), &["--format", "json", "team/k8s", "other"]);
    assert_eq!(rules(&r), ["EKS701", "EKS701"], "{}", r.stderr);
    assert!(
        r.stderr
            .contains("warning: team/.ekslint.yaml (the config for team/k8s) is not used")
            && r.stderr.contains("the current directory's (.ekslint.yaml)"),
        "{}",
        r.stderr
    );
    // Standard input counts as the path --stdin-filename names, as an editor passes it.
    let r = run_with_stdin(
        d.path(),
        &[
            "--format",
            "json",
            "--stdin-filename",
            "team/k8s/pod.yaml",
            "-",
        ],
        std::fs::File::open(d.path().join("other/pod.yaml")).unwrap(),
    );
    assert_eq!(rules(&r), ["EKS301"], "{}", r.stderr);
    // A config outside the current directory is named relative to it too.
    let r = run_in(
        &d.path().join("team"),
        &["--format", "json", "k8s", "../other"],
    );
    assert!(
        r.stderr
            .contains("warning: ../.ekslint.yaml (the config for ../other) is not used"),
        "{}",
        r.stderr
    );
    // Walking a directory that holds another config: the run uses one, and says which it left out.
    let r = run_in(d.path(), &["--format", "json", "."]);
    assert_eq!(rules(&r), ["EKS701", "EKS701"], "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "warning: team/.ekslint.yaml is not used: a run uses one config (.ekslint.yaml), and the files under team were linted with it"
        ),
        "{}",
        r.stderr
    );
    let r = run_in(&d.path().join("team"), &["--format", "json", ".."]);
    assert!(
        r.stderr
            .contains("warning: .ekslint.yaml is not used: a run uses one config (../.ekslint.yaml), and the files under . were"),
        "{}",
        r.stderr
    );
    // A config both named by a path and met in its walk is warned about once.
    let r = run_in(d.path(), &["--format", "json", "team", "other"]);
    assert_eq!(
        r.stderr.matches("team/.ekslint.yaml").count(),
        1,
        "{}",
        r.stderr
    );
    // The config in use is not reported, nor is a config file ever linted as a manifest.
    let r = run_in(&d.path().join("team"), &["--format", "json", "."]);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
    assert_eq!(
        serde_json::from_str::<Value>(&r.stdout).unwrap()["summary"]["files"],
        1
    );
    // --config and --isolated still decide alone, without a warning.
    let r = run_in(
        d.path(),
        &["--isolated", "--format", "json", "team/k8s", "other"],
    );
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
}

#[test]
fn extended_config_globs_are_anchored_where_they_were_written() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "shared.yaml",
        "ignore: [EKS701, EKS2, EKS6]\nexclude: [team/k8s/charts]\nper-path-ignores:\n  team/k8s/legacy/**: [EKS301]\n",
    );
    write(
        d.path(),
        "team/.ekslint.yaml",
        "extend: ../shared.yaml\nexclude: [k8s/vendor]\n",
    );
    for dir in ["legacy", "new", "charts", "vendor"] {
        write(d.path(), &format!("team/k8s/{dir}/pod.yaml"), POD);
    }
    for (dir, path) in [
        (d.path().join("team"), "k8s"),
        (d.path().join("team/k8s"), "."),
    ] {
        assert_two_linted_new_fires(&dir, path, "charts/ and vendor/ are excluded");
    }
}

/// A config file the config in use extends is in force: walking its directory does not warn that
/// it is "not used" (a config file there that nothing extends still does).
#[test]
fn an_extended_config_in_a_walked_directory_is_not_called_unused() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        ".ekslint.yaml",
        "extend: platform/.ekslint.yaml\n",
    );
    write(d.path(), "platform/.ekslint.yaml", "ignore: [EKS701]\n");
    write(d.path(), "k8s/pod.yaml", POD);
    let r = run_in(d.path(), &["--format", "json", "."]);
    assert!(!r.stderr.contains("not used"), "{}", r.stderr);
    assert!(
        !rules(&r).contains(&"EKS701".to_string()),
        "the extended ignore applies"
    );
    write(d.path(), "k8s/.ekslint.yaml", "ignore: [EKS301]\n");
    let r = run_in(d.path(), &["--format", "json", "."]);
    assert!(
        r.stderr.contains("k8s/.ekslint.yaml is not used"),
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("platform/.ekslint.yaml is not used"),
        "{}",
        r.stderr
    );
}

/// An `extend` cycle is named, file by file, at the `extend` that closes it.
#[test]
fn an_extend_cycle_is_named() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "pod.yaml", POD);
    write(d.path(), ".ekslint.yaml", "extend: base.yaml\n");
    write(d.path(), "base.yaml", "extend: ./.ekslint.yaml\n");
    let r = run_in(d.path(), &["--color", "never", "pod.yaml"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    // The message wraps at 80 columns: unwrapped.
    let flat = |r: &Run| r.stderr.replace("\n  | ", " ");
    assert!(
        flat(&r).contains(
            "`extend` makes a cycle: .ekslint.yaml extends base.yaml extends .ekslint.yaml"
        ),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("base.yaml:1:9"), "{}", r.stderr);
    write(d.path(), ".ekslint.yaml", "extend: .ekslint.yaml\n");
    let r = run_in(d.path(), &["--color", "never", "pod.yaml"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        flat(&r).contains("`extend` makes a cycle: .ekslint.yaml extends .ekslint.yaml"),
        "{}",
        r.stderr
    );
}

#[test]
fn bad_config_points_into_the_file_and_exits_2() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "pod.yaml", POD);
    write(
        d.path(),
        ".ekslint.yaml",
        "select: [EKS3]\nfail_on: error\n",
    );
    let r = run_in(d.path(), &["pod.yaml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains(".ekslint.yaml:2:1"), "{}", r.stderr);
    assert!(r.stderr.contains("fail_on"), "{}", r.stderr);
    // Named for what it is: a config file, not a rule file.
    assert!(
        r.stderr.contains("ekslint::bad_config_file"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("bad_rule_file"), "{}", r.stderr);
    write(
        d.path(),
        ".ekslint.yaml",
        "select:\n  - EKS301\n  - EKS999\n",
    );
    let r = run_in(d.path(), &["pod.yaml"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("`EKS999` matches no rule"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains(".ekslint.yaml:3:5"), "{}", r.stderr);
    assert!(
        r.stderr.contains("ekslint::bad_config_file"),
        "{}",
        r.stderr
    );
    // A selector that is a key (`severity`) is pointed at, not its value.
    write(d.path(), ".ekslint.yaml", "severity:\n  EKS999: warning\n");
    let r = run_in(d.path(), &["pod.yaml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains(".ekslint.yaml:2:3]"), "{}", r.stderr);
    write(d.path(), ".ekslint.yaml", "fail-on: sometimes\n");
    let r = run_in(d.path(), &["pod.yaml"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = run_in(d.path(), &["--select", "NOPE", "--isolated", "pod.yaml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("`NOPE` matches no rule"), "{}", r.stderr);
    assert!(!r.stderr.contains("did you mean"), "{}", r.stderr);
    // An empty selector (an unset variable in a script) is no way to run every rule.
    let r = run_in(d.path(), &["--select", "", "--isolated", "pod.yaml"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("--select: an empty rule selector"),
        "{}",
        r.stderr
    );
    // The rules asked for on the command line run, though the config's `ignore` names them.
    write(d.path(), "strict.yaml", "ignore: [EKS301]\n");
    let r = run_in(
        d.path(),
        &[
            "--config",
            "strict.yaml",
            "--select",
            "EKS301",
            "--format",
            "json",
            "pod.yaml",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.contains("\"rule\":\"EKS301\""), "{}", r.stdout);
    // A near miss of a name or an id is named.
    for (typed, meant) in [
        ("imge-reuse-key", "`image-reuse-key` (EKS601)"),
        (
            "EKS0301",
            "`yaml-syntax` (EKS001) or `metrics-port-conflict` (EKS301)",
        ),
    ] {
        let r = run_in(d.path(), &["--ignore", typed, "--isolated", "pod.yaml"]);
        assert_eq!(r.code, 2);
        let want = format!("did you mean {meant}?");
        assert!(r.stderr.contains(&want), "{want}: {}", r.stderr);
    }
    // One edit from too many ids to guess from.
    let r = run_in(d.path(), &["--ignore", "EKS02", "--isolated", "pod.yaml"]);
    assert_eq!(r.code, 2);
    assert!(!r.stderr.contains("did you mean"), "{}", r.stderr);
    // Ignoring every selected rule would check nothing and pass: a usage error instead.
    let r = run_in(
        d.path(),
        &[
            "--select",
            "EKS3",
            "--ignore",
            "ALL",
            "--isolated",
            "pod.yaml",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no rule is left to run"), "{}", r.stderr);
    // Mistakes said in the author's words, framed where they are written.
    for (config, says, at) in [
        ("ignore: EKS701\n", "expected a list", ":1:9"),
        ("severity: 5\n", "expected a mapping", ":1:11"),
        (
            "ignore: [EKS701]\nignore: [EKS702]\n",
            "`ignore` is set twice: keep one",
            ":2:1",
        ),
        ("rules: [nope]\n", "`rules`: no directory", ":1:9"),
        (
            "severity:\n  EKS202: error\n  no-resources: warning\n",
            "`EKS202` and `no-resources` both set the",
            // At the second key, not its value.
            ":3:3",
        ),
    ] {
        write(d.path(), ".ekslint.yaml", config);
        let r = run_in(d.path(), &["pod.yaml"]);
        assert_eq!(r.code, 2, "{config}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{config}: {}", r.stderr);
        assert!(
            r.stderr.contains(&format!(".ekslint.yaml{at}")),
            "{config}: {}",
            r.stderr
        );
        assert!(!r.stderr.contains("DuplicateKeyPolicy"), "{}", r.stderr);
    }
    // The most specific severity wins: an id over a prefix over ALL, whatever the order.
    write(
        d.path(),
        ".ekslint.yaml",
        "severity:\n  EKS301: warning\n  all: info\n  EKS7: error\n  termination-message-policy: warning\n",
    );
    let r = run_in(d.path(), &["--format", "json", "pod.yaml"]);
    assert_eq!(
        findings(&r),
        [
            ("EKS701".into(), "warning".into(), 7),
            ("EKS301".into(), "warning".into(), 11),
        ],
        "{}",
        r.stderr
    );
    write(d.path(), ".ekslint.yaml", "select: []\n");
    let r = run_in(d.path(), &["pod.yaml"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("`select` is empty"), "{}", r.stderr);
    // Two config files side by side: the one used is said, and that the other is not.
    write(d.path(), ".ekslint.yaml", "ignore: [EKS701]\n");
    write(d.path(), ".ekslint.yml", "ignore: [EKS301]\n");
    let r = run_in(d.path(), &["-v", "pod.yaml"]);
    assert!(
        r.stderr
            .contains("both .ekslint.yaml and .ekslint.yml are in")
            && r.stderr.contains("using .ekslint.yaml, ignoring the other"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("ekslint: config: "), "{}", r.stderr);
}

const SUPPRESSED: &str = "# ekslint-disable-file EKS701
apiVersion: v1
kind: Pod
metadata:
  name: web
  annotations:
    ekslint.io/ignore: \"EKS402 -- the VM is the host\"
spec:
  hostNetwork: true
  containers:
  - name: web
    image: nginx
    resources: {requests: {cpu: '1', memory: 2Gi}}
    terminationMessagePath: \"logs\" # ekslint-disable-line EKS702
    # ekslint-disable-next-line metrics-port-conflict -- moved by the platform team
    ports: [{containerPort: 9100}]
    env:
    - {name: A, value: \"x\"} # ekslint-disable-line EKS003
";

#[test]
fn every_suppression_form_and_unused_suppressions() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "pod.yaml", SUPPRESSED);
    let r = run_in(d.path(), &["--isolated", "--format", "json", "pod.yaml"]);
    // Everything is suppressed but the EKS003 suppression, which suppresses nothing.
    assert_eq!(
        findings(&r),
        [("EKS008".into(), "warning".into(), 18)],
        "{}",
        r.stdout
    );
    // A rule named twice, by id and by name, is used both times: not "suppressed nothing".
    let twice = SUPPRESSED.replace("EKS402 -- the VM", "EKS402, host-network, eks402 -- the VM");
    write(d.path(), "twice.yaml", &twice);
    let r = run_in(d.path(), &["--isolated", "--format", "json", "twice.yaml"]);
    assert_eq!(
        findings(&r),
        [("EKS008".into(), "warning".into(), 18)],
        "{}",
        r.stdout
    );
    // Strict CI: suppressions are ignored, and nothing is reported about them.
    let r = run_in(
        d.path(),
        &[
            "--isolated",
            "--no-inline-suppressions",
            "--format",
            "json",
            "pod.yaml",
        ],
    );
    let got = rules(&r);
    for id in ["EKS301", "EKS402", "EKS701", "EKS702"] {
        assert!(got.contains(&id.to_string()), "{id} missing from {got:?}");
    }
    assert!(!got.contains(&"EKS008".to_string()));
}

/// A suppression of a rule that did not run (`--select`, `--ignore`, `per-path-ignores`) is
/// idle, not unused; an id that names no rule (a typo, a reason without ` -- `) is said to be
/// one; `ekslint-disable-line: ID` (with a colon) works.
#[test]
fn suppressions_of_rules_that_did_not_run_and_of_no_rule() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "pod.yaml", SUPPRESSED);
    let json = |extra: &[&str]| {
        let mut args = vec!["--format", "json"];
        if extra.first() != Some(&"--config") {
            args.push("--isolated");
        }
        args.extend(extra);
        args.push("pod.yaml");
        let r = run_in(d.path(), &args);
        findings(&r)
    };
    // EKS003 did not run: its suppression is not reported, nor is any other rule's.
    assert_eq!(json(&["--ignore", "EKS003"]), []);
    assert_eq!(json(&["--select", "EKS301,EKS008"]), []);
    // per-path-ignores turns EKS003 off for this file: the same.
    write(
        d.path(),
        "cfg.yaml",
        "per-path-ignores:\n  \"*.yaml\": [EKS003]\n",
    );
    assert_eq!(json(&["--config", "cfg.yaml"]), []);
    let typos = SUPPRESSED
        .replace(
            "# ekslint-disable-line EKS702",
            "# ekslint-disable-line: EKS702",
        )
        .replace(
            "# ekslint-disable-line EKS003",
            "# ekslint-disable-line EKS003 because legacy",
        )
        .replace("EKS402 -- the VM", "EKS999, EKS402 -- the VM");
    write(d.path(), "pod.yaml", &typos);
    let r = run_in(d.path(), &["--isolated", "--format", "json", "pod.yaml"]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let got: Vec<(u64, &str)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            assert_eq!(d["rule"], "EKS008", "{d}");
            (
                d["span"]["start"]["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap(),
            )
        })
        .collect();
    let unknown = |id: &str, form: &str| {
        format!(
            "`{id}` in this suppression (`{form}`) is not a rule id or name, so it suppresses nothing: check the spelling (`ekslint rules` lists them), and put a reason after ` -- `"
        )
    };
    assert_eq!(
        got,
        [
            (7, unknown("EKS999", "ekslint.io/ignore").as_str()),
            (
                18,
                "`EKS003` in this suppression (`ekslint-disable-line`) suppressed nothing: remove it"
            ),
            // A reason without ` -- `: one finding for its words, saying where a reason goes.
            (
                18,
                "`because legacy` in this suppression (`ekslint-disable-line`) names no rule, so it suppresses nothing: a reason goes after ` -- ` (`ekslint-disable-line EKS003 -- because legacy`); ids are checked against `ekslint rules`"
            ),
        ],
        "{}",
        r.stdout
    );
    // `per-path-ignores` turns EKS008 off for the files it names, as it does any rule.
    write(
        d.path(),
        "cfg.yaml",
        "per-path-ignores:\n  \"*.yaml\": [unused-suppression]\n",
    );
    assert_eq!(json(&["--config", "cfg.yaml"]), []);
}

/// A rules directory named by the config and again with `--rules` is loaded once; the commands
/// about rules see the config's rules; a `kinds:` entry that can match nothing is a load error.
#[test]
fn rule_directories_from_the_config_and_kinds_that_match_nothing() {
    let d = tempfile::tempdir().unwrap();
    let rule = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/rules/ACME001.yaml"),
    )
    .unwrap();
    write(d.path(), "policies/ACME001.yaml", &rule);
    write(d.path(), ".ekslint.yaml", "rules: [policies]\n");
    write(d.path(), "empty/README.md", "no rules here\n");
    write(d.path(), "pod.yaml", POD);
    let r = run_in(
        d.path(),
        &["--rules", "policies", "--rules", "./policies/", "pod.yaml"],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.contains("ACME001"), "{}", r.stdout);
    let r = run_in(d.path(), &["test-rules"]);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "ok      ACME001\n1 passed, 0 failed\n"),
        "{}",
        r.stderr
    );
    let r = run_in(d.path(), &["rule", "ACME001"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run_in(d.path(), &["rules", "--format", "json"]);
    assert!(r.stdout.contains("\"ACME001\""), "{}", r.stdout);
    // Without the config its rules are unknown: the error says why.
    let r = run_in(d.path(), &["--isolated", "--select", "ACME001", "pod.yaml"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("`ACME001` matches no rule")
            && r.stderr.contains(
                "note: --isolated ignores .ekslint.yaml and the rules of its `rules:` directories"
            ),
        "{}",
        r.stderr
    );
    // A silent example that lists lines is a mistake; examples are numbered within their kind.
    write(
        d.path(),
        "policies/ACME001.yaml",
        &rule.replace(
            "  silent:\n    - name: every image from TCR\n",
            "  silent:\n    - name: every image from TCR\n      lines: [3]\n",
        ),
    );
    let r = run_in(d.path(), &["test-rules"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.contains(
            "ACME001 silent example #1 (every image from TCR, policies/ACME001.yaml:40): a silent example fires on no line"
        ),
        "{}",
        r.stdout
    );
    write(d.path(), "policies/ACME001.yaml", &rule);
    std::fs::remove_file(d.path().join(".ekslint.yaml")).unwrap();
    let r = run_in(d.path(), &["test-rules", "--rules", "empty"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("no rule files (*.yaml, *.yml) in empty"),
        "{}",
        r.stderr
    );
    // Linting with such a directory (rules kept in its subdirectories, say) warns too.
    let r = run_in(d.path(), &["--isolated", "--rules", "empty", "pod.yaml"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "warning: no rule files (*.yaml, *.yml) in empty (files in its subdirectories are not read"
        ),
        "{}",
        r.stderr
    );
    // Other mistakes of a rule author: the message names the right key, the frame shows it.
    let edits: [(&str, &str, &str, &str); 7] = [
        (
            "help: 'push",
            "help: 'use {fix} to push",
            "unknown placeholder `{fix}` in help",
            "help: 'use {fix} to push",
        ),
        (
            "summary: Every",
            "summary: Every {img}",
            "unknown placeholder `{img}` in summary",
            "summary: Every {img}",
        ),
        (
            "name: image-from-tcr",
            "name: metrics-port-conflict",
            "rule EKS301 (metrics-port-conflict)",
            "name: metrics-port-conflict",
        ),
        (
            "      matches: '^ccr",
            "      equals: x\n      matches: '^ccr",
            "a predicate takes exactly one operator",
            "matches: '^ccr",
        ),
        (
            "    - containers[*].image",
            "    - .spec.containers[*].image",
            "write `object.spec.containers[*].image`",
            ".spec.containers[*].image",
        ),
        (
            "      matches: '^ccr\\.ccs\\.tencentyun\\.com/'",
            "      equals: [a, b]",
            "use `one-of: [a, b]`",
            "equals: [a, b]",
        ),
        (
            "id: ACME001",
            "id: EKS999",
            "ids that start with EKS are kept for ekslint's",
            "id: EKS999",
        ),
    ];
    for (from, to, says, shown) in edits {
        let mut edited = rule.replacen(from, to, 1);
        if from == "summary: Every" {
            // The summary is the message only when there is no message.
            edited = edited.replace("\nmessage: ", "\n# message: ");
        }
        write(d.path(), "policies/ACME001.yaml", &edited);
        let r = run_in(d.path(), &["--rules", "policies", "pod.yaml"]);
        assert_eq!(r.code, 2, "{to}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{to}: {}", r.stderr);
        assert!(
            r.stderr.contains(shown),
            "{to}: a frame on the line: {}",
            r.stderr
        );
        // `test-rules` says the same, and takes `--color` as a lint run does.
        for color in ["never", "always"] {
            let r = run_in(
                d.path(),
                &["test-rules", "--rules", "policies", "--color", color],
            );
            assert_eq!(r.code, 2, "{to}: {}", r.stderr);
            assert_eq!(
                r.stderr.contains("\x1b["),
                color == "always",
                "{}",
                r.stderr
            );
        }
    }
    for (kinds, says) in [
        ("['@workloads']", "unknown kind group `@workloads`"),
        ("[deployment]", "`deployment` matches no object"),
        ("[DEPLOYMENT]", "write `Deployment`"),
        ("[]", "`kinds: []` matches no object"),
        ("[null]", "expected text here, not an empty value (null)"),
        ("[@workload]", "cannot start an unquoted value in YAML"),
    ] {
        write(
            d.path(),
            "policies/ACME001.yaml",
            &rule.replace("check:\n", &format!("check:\n  kinds: {kinds}\n")),
        );
        let r = run_in(d.path(), &["--rules", "policies", "pod.yaml"]);
        assert_eq!(r.code, 2, "{kinds}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{kinds}: {}", r.stderr);
        assert!(
            r.stderr.contains(&format!("kinds: {kinds}")),
            "{kinds}: a frame on the line: {}",
            r.stderr
        );
    }
    // A kind of one's own (a custom resource) is fine; the `kind:` predicate is checked too.
    write(
        d.path(),
        "policies/ACME001.yaml",
        &rule.replace("check:\n", "check:\n  kinds: [Rollout, Deployment]\n"),
    );
    let r = run_in(d.path(), &["--rules", "policies", "pod.yaml"]);
    assert_ne!(r.code, 2, "{}", r.stderr);
    for (kind, says) in [
        ("[configMap]", "write `ConfigMap`"),
        ("['@workload']", "kind groups go in a check's `kinds:`"),
    ] {
        write(
            d.path(),
            "policies/ACME001.yaml",
            &rule.replace(
                "check:\n",
                &format!("check:\n  unless:\n    kind: {kind}\n"),
            ),
        );
        let r = run_in(d.path(), &["--rules", "policies", "pod.yaml"]);
        assert_eq!(r.code, 2, "{kind}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{kind}: {}", r.stderr);
        assert!(
            r.stderr.contains(&format!("kind: {kind}")),
            "{kind}: a frame on the line: {}",
            r.stderr
        );
    }
}

/// `# ekslint-disable…` written inside a block or multi-line string (a script in a ConfigMap) is
/// the string's text: it suppresses nothing and is not an unused suppression. A real comment after
/// it still works, with or without a space after a colon.
#[test]
fn suppression_text_inside_a_string_is_not_a_comment() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  a: 2\n  script: |\n    # ekslint-disable-file all\n    echo hi # ekslint-disable-line EKS003\n  c: >\n    # ekslint-disable-next-line EKS003\n  d: 4\n  e: \"x\n    # ekslint-disable-file all\n    y\"\n  f: 5 # ekslint-disable-line EKS003\n  g: 6 # ekslint-disable-line:EKS003\n",
    );
    let r = run_in(d.path(), &["--isolated", "--format", "json", "cm.yaml"]);
    assert_eq!(
        findings(&r),
        [
            ("EKS003".into(), "error".into(), 5),
            ("EKS003".into(), "error".into(), 11),
        ],
        "{}",
        r.stdout
    );
    // Over several documents, each document's strings and comments told apart.
    write(
        d.path(),
        "two.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  a: 1 # ekslint-disable-line EKS003\n  s: |\n    # ekslint-disable-file all\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata:\n  s: |\n    # ekslint-disable-file all\n  b: 2\n  c: 3 # ekslint-disable-line EKS003\n",
    );
    let r = run_in(d.path(), &["--isolated", "--format", "json", "two.yaml"]);
    assert_eq!(
        findings(&r),
        [("EKS003".into(), "error".into(), 15)],
        "{}",
        r.stdout
    );
}

#[test]
fn baseline_survives_moved_lines_and_reports_only_new_findings() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "pod.yaml", POD);
    let r = run_in(
        d.path(),
        &[
            "--isolated",
            "--write-baseline",
            "baseline.json",
            "pod.yaml",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("wrote 2 findings"), "{}", r.stderr);
    let r = run_in(
        d.path(),
        &[
            "--isolated",
            "--baseline",
            "baseline.json",
            "--format",
            "json",
            "pod.yaml",
        ],
    );
    assert_eq!(rules(&r), Vec::<String>::new());
    assert_eq!(r.code, 0);
    // The clean summary says what the baseline hid.
    assert!(
        r.stderr.contains("the baseline left out 2 known findings"),
        "{}",
        r.stderr
    );
    // Insert lines above the findings, and an unnamed port before the one with the finding
    // (ports are told apart by containerPort, not by place): the baseline still matches.
    let moved = POD
        .replacen(
            "metadata:\n",
            "metadata:\n  labels:\n    team: web\n    tier: front\n",
            1,
        )
        .replacen("    ports:\n", "    ports:\n    - containerPort: 8443\n", 1);
    write(d.path(), "pod.yaml", &moved);
    let r = run_in(
        d.path(),
        &[
            "--isolated",
            "--baseline",
            "baseline.json",
            "--format",
            "json",
            "pod.yaml",
        ],
    );
    assert_eq!(rules(&r), Vec::<String>::new(), "{}", r.stdout);
    // A new finding is reported; a fixed one is a stale baseline entry.
    let changed = moved
        .replace("containerPort: 9100", "containerPort: 8080")
        .replace(
            "image: nginx",
            "image: nginx\n    terminationMessagePath: rel",
        );
    write(d.path(), "pod.yaml", &changed);
    let r = run_in(
        d.path(),
        &[
            "--isolated",
            "--baseline",
            "baseline.json",
            "--format",
            "json",
            "pod.yaml",
        ],
    );
    assert_eq!(rules(&r), ["EKS702"], "{}", r.stdout);
    assert!(
        r.stderr.contains("1 baseline entry no longer matches"),
        "{}",
        r.stderr
    );
}

/// A file renamed or moved after the baseline was written (`git mv`) keeps its baselined
/// findings; a copy of a file that is still there does not share them.
#[test]
fn baseline_follows_a_renamed_file_but_not_a_copy() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "k8s/pod.yaml", POD);
    let r = run_in(
        d.path(),
        &["--isolated", "--write-baseline", "base.json", "k8s"],
    );
    assert!(r.stderr.contains("wrote 2 findings"), "{}", r.stderr);
    std::fs::create_dir_all(d.path().join("k8s/web")).unwrap();
    std::fs::rename(
        d.path().join("k8s/pod.yaml"),
        d.path().join("k8s/web/web.yaml"),
    )
    .unwrap();
    let baseline = ["--isolated", "--baseline", "base.json", "--format", "json"];
    // The whole tree, and the renamed file alone (what the pre-commit hook passes).
    for path in ["k8s", "k8s/web/web.yaml"] {
        let r = run_in(d.path(), &[&baseline[..], &[path]].concat());
        assert_eq!(rules(&r), Vec::<String>::new(), "{path}: {}", r.stdout);
        assert_eq!(r.code, 0, "{path}: {}", r.stderr);
        assert!(
            r.stderr.contains(
                "the baseline left out 2 known findings (2 of them under an old file name"
            ) && !r.stderr.contains("no longer matches"),
            "{path}: {}",
            r.stderr
        );
    }
    // A new finding in the renamed file is still new.
    write(
        d.path(),
        "k8s/web/web.yaml",
        &POD.replace(
            "image: nginx",
            "image: nginx\n    terminationMessagePath: rel",
        ),
    );
    let r = run_in(d.path(), &[&baseline[..], &["k8s"]].concat());
    assert_eq!(rules(&r), ["EKS702"], "{}", r.stdout);
    // A copy beside a file that is still there is a new file with new findings.
    write(d.path(), "k8s/pod.yaml", POD);
    write(d.path(), "k8s/copy.yaml", POD);
    let r = run_in(
        d.path(),
        &[&baseline[..], &["k8s/pod.yaml", "k8s/copy.yaml"]].concat(),
    );
    assert_eq!(rules(&r), ["EKS701", "EKS301"], "{}", r.stdout);
    assert!(
        r.stderr
            .contains("the baseline left out 2 known findings\n"),
        "{}",
        r.stderr
    );
}

/// A config's glob means one place in the repository: not a path relative to the directory
/// walked (`ekslint team` against `ekslint team/app/a.yaml`), nor to the working directory.
#[test]
fn config_globs_match_from_the_config_not_from_the_walk_or_the_working_directory() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "team/app/a.yaml", "a: 1\na: 2\n");
    write(d.path(), ".ekslint.yaml", "exclude: [\"app/**\"]\n");
    let files = |dir: &Path, path: &str| {
        let r = run_in(dir, &["--format", "json", path]);
        let v: Value = serde_json::from_str(&r.stdout).unwrap();
        v["summary"]["files"].as_u64().unwrap()
    };
    for (dir, path) in [
        (d.path().to_path_buf(), "."),
        (d.path().to_path_buf(), "team"),
        (d.path().to_path_buf(), "team/app/a.yaml"),
        (d.path().join("team"), "."),
    ] {
        assert_eq!(files(&dir, path), 1, "from {dir:?}: {path}");
    }
    write(d.path(), ".ekslint.yaml", "exclude: [\"team/app/**\"]\n");
    for (dir, path) in [
        (d.path().to_path_buf(), "team"),
        (d.path().join("team"), "."),
        (d.path().join("team/app"), "a.yaml"),
    ] {
        assert_eq!(files(&dir, path), 0, "from {dir:?}: {path}");
    }
    write(
        d.path(),
        ".ekslint.yaml",
        "per-path-ignores:\n  \"app/**\": [EKS002]\n",
    );
    let errors = |dir: &Path| {
        let r = run_in(dir, &["--format", "json", "."]);
        let v: Value = serde_json::from_str(&r.stdout).unwrap();
        v["summary"]["errors"].as_u64().unwrap()
    };
    assert_eq!(errors(d.path()), 1);
    assert_eq!(errors(&d.path().join("team")), 1);
}

/// A baseline names files relative to its own directory, so it matches from any working
/// directory and however the paths are typed; a run over some of its files or rules (pre-commit
/// passes only the changed files) calls none of the others' entries stale.
#[test]
fn baseline_matches_from_anywhere_and_a_partial_run_finds_nothing_stale() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "k8s/a/pod.yaml", POD);
    // Another workload (the same Pod in two files would be one).
    write(
        d.path(),
        "k8s/b/pod.yaml",
        &POD.replace("name: web\nspec", "name: api\nspec"),
    );
    write(d.path(), "other/.keep", "");
    let r = run_in(
        d.path(),
        &["--isolated", "--write-baseline", "base.json", "./k8s"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    // EKS301 and EKS701 in each file, and EKS601 (cross-file: the same image in both).
    assert!(r.stderr.contains("wrote 6 findings"), "{}", r.stderr);
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("base.json")).unwrap())
            .unwrap();
    let files: Vec<&str> = written["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        [&["k8s/a/pod.yaml"; 3][..], &["k8s/b/pod.yaml"; 3]].concat()
    );
    let base = d.path().join("base.json");
    let base = base.to_str().unwrap();
    let abs = d.path().join("k8s");
    let abs = abs.to_str().unwrap();
    for (dir, path) in [
        (d.path().to_path_buf(), "k8s"),
        (d.path().join("k8s"), "."),
        (d.path().join("other"), "../k8s"),
        (d.path().join("other"), abs),
    ] {
        let r = run_in(
            &dir,
            &["--isolated", "--baseline", base, "--format", "json", path],
        );
        assert_eq!(
            rules(&r),
            Vec::<String>::new(),
            "from {dir:?}: {}",
            r.stdout
        );
        assert_eq!(r.code, 0, "from {dir:?}: {}", r.stderr);
        assert!(
            !r.stderr.contains("no longer"),
            "from {dir:?}: {}",
            r.stderr
        );
    }
    // A baseline beside the files rather than above them (`.ci/`): named from there with `..`.
    write(d.path(), ".ci/.keep", "");
    let r = run_in(
        d.path(),
        &["--isolated", "--write-baseline", ".ci/base.json", "k8s"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let ci: Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join(".ci/base.json")).unwrap())
            .unwrap();
    assert_eq!(ci["entries"][0]["file"], "../k8s/a/pod.yaml");
    for (dir, path) in [
        (d.path().join("k8s"), "."),
        (d.path().join("other"), "../k8s"),
    ] {
        let base = d.path().join(".ci/base.json");
        let r = run_in(
            &dir,
            &[
                "--isolated",
                "--baseline",
                base.to_str().unwrap(),
                "--format",
                "json",
                path,
            ],
        );
        assert_eq!(
            rules(&r),
            Vec::<String>::new(),
            "from {dir:?}: {}",
            r.stdout
        );
    }
    // Rewritten over one file, or one rule, the baseline keeps what that run did not check: the
    // other file's entries, the other rules', and the cross-file ones (they need every file).
    let before = std::fs::read_to_string(d.path().join("base.json")).unwrap();
    for (args, wrote) in [
        (&["k8s/a/pod.yaml"][..], "wrote 2 findings"),
        (&["--select", "EKS301", "k8s"][..], "wrote 2 findings"),
    ] {
        let mut all = vec!["--isolated", "--write-baseline", "base.json"];
        all.extend(args);
        let r = run_in(d.path(), &all);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains(&format!(
                "{wrote} to the baseline base.json (and kept 4 entries of files or rules this run did not check)"
            )),
            "{args:?}: {}",
            r.stderr
        );
        let after: Value =
            serde_json::from_str(&std::fs::read_to_string(d.path().join("base.json")).unwrap())
                .unwrap();
        let mut entries: Vec<String> = after["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| format!("{} {}", e["file"], e["rule"]))
            .collect();
        entries.sort();
        let was: Value = serde_json::from_str(&before).unwrap();
        let mut want: Vec<String> = was["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| format!("{} {}", e["file"], e["rule"]))
            .collect();
        want.sort();
        assert_eq!(entries, want, "{args:?}");
    }
    // A file skipped for its size was not checked: its entries are neither stale nor dropped.
    let r = run_in(
        d.path(),
        &[
            "--isolated",
            "--baseline",
            "base.json",
            "--max-file-size",
            "10",
            "-v",
            "k8s",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(!r.stderr.contains("no longer match"), "{}", r.stderr);
    let r = run_in(
        d.path(),
        &[
            "--isolated",
            "--write-baseline",
            "base.json",
            "--max-file-size",
            "10",
            "k8s",
        ],
    );
    assert!(
        r.stderr
            .contains("wrote 0 findings to the baseline base.json (and kept 6 entries"),
        "{}",
        r.stderr
    );
    // An empty file is no baseline yet: written, not refused.
    std::fs::write(d.path().join("empty.json"), "").unwrap();
    let r = run_in(
        d.path(),
        &["--isolated", "--write-baseline", "empty.json", "k8s"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("wrote 6 findings"), "{}", r.stderr);
    // A file that is no baseline is not overwritten.
    let r = run_in(
        d.path(),
        &["--isolated", "--write-baseline", "k8s/a/pod.yaml", "k8s"],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("not overwriting it with --write-baseline"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(d.path().join("k8s/a/pod.yaml")).unwrap(),
        POD
    );
    // One file, or one rule: the other file's and the other rules' entries are not stale, nor is
    // the cross-file finding that needs the other file to fire.
    for args in [&["k8s/a/pod.yaml"][..], &["--select", "EKS301", "k8s"][..]] {
        let mut all = vec!["--isolated", "--baseline", "base.json", "--format", "json"];
        all.extend(args);
        let r = run_in(d.path(), &all);
        assert_eq!(rules(&r), Vec::<String>::new(), "{args:?}: {}", r.stdout);
        assert!(!r.stderr.contains("no longer"), "{args:?}: {}", r.stderr);
    }
    // A rule that `per-path-ignores` turns off for a file: its entries there are not stale.
    write(
        d.path(),
        "cfg.yaml",
        "per-path-ignores:\n  k8s/a/**: [EKS301]\n",
    );
    let r = run_in(
        d.path(),
        &[
            "--config",
            "cfg.yaml",
            "--baseline",
            "base.json",
            "-v",
            "k8s",
        ],
    );
    assert!(!r.stderr.contains("no longer match"), "{}", r.stderr);
    std::fs::remove_file(d.path().join("cfg.yaml")).unwrap();
    // Over every file, a cross-file entry that matches nothing is stale.
    write(
        d.path(),
        "k8s/b/pod.yaml",
        &POD.replace("name: web\nspec", "name: api\nspec")
            .replace("image: nginx", "image: httpd"),
    );
    let r = run_in(
        d.path(),
        &["--isolated", "--baseline", "base.json", "-v", "k8s"],
    );
    assert!(
        r.stderr.contains("2 baseline entries no longer match"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("  k8s/a/pod.yaml EKS601 "),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("  k8s/b/pod.yaml EKS601 "),
        "{}",
        r.stderr
    );
    write(d.path(), "k8s/b/pod.yaml", POD);
    // A fixed finding in the file that was checked is stale, once.
    write(
        d.path(),
        "k8s/a/pod.yaml",
        &POD.replace("containerPort: 9100", "containerPort: 8080"),
    );
    let r = run_in(
        d.path(),
        &[
            "--isolated",
            "--baseline",
            "base.json",
            "-v",
            "k8s/a/pod.yaml",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("1 baseline entry no longer matches"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("  k8s/a/pod.yaml EKS301 "),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("(-v lists them)"), "{}", r.stderr);
    // A file that is gone (deleted, renamed): its entries are stale even in a run over another
    // file, the cross-file one included; from another directory too. With it gone, the run over
    // the one file left has checked every file: that file's cross-file entry (its image runs
    // nowhere else now) is judged, and stale.
    write(d.path(), "k8s/a/pod.yaml", POD);
    std::fs::remove_file(d.path().join("k8s/b/pod.yaml")).unwrap();
    for (dir, base, path) in [
        (d.path().to_path_buf(), "base.json", "k8s/a/pod.yaml"),
        (d.path().join("other"), "../base.json", "../k8s/a/pod.yaml"),
    ] {
        let r = run_in(
            &dir,
            &[
                "--isolated",
                "--baseline",
                base,
                "--format",
                "json",
                "-v",
                path,
            ],
        );
        assert_eq!(rules(&r), Vec::<String>::new(), "{}", r.stdout);
        assert!(
            r.stderr.contains("4 baseline entries no longer match"),
            "{}",
            r.stderr
        );
        for rule in ["EKS301", "EKS601", "EKS701"] {
            let line = format!("  k8s/b/pod.yaml {rule} ");
            assert!(r.stderr.contains(&line), "{line}: {}", r.stderr);
        }
        assert!(
            r.stderr.contains("  k8s/a/pod.yaml EKS601 "),
            "{}",
            r.stderr
        );
        assert!(
            !r.stderr.contains("  k8s/a/pod.yaml EKS301"),
            "{}",
            r.stderr
        );
    }
}

/// Standard input named by `--stdin-filename` (as an editor lints a buffer) is excluded as that
/// file would be: nothing linted, a warning, exit 0; a name the excludes do not match is linted.
#[test]
fn stdin_named_into_an_excluded_path_is_excluded() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), ".ekslint.yaml", "exclude: [vendor]\n");
    write(d.path(), "vendor/pod.yaml", POD);
    for (name, files) in [("vendor/pod.yaml", 0), ("k8s/pod.yaml", 1)] {
        let r = run_with_stdin(
            d.path(),
            &["--format", "json", "--stdin-filename", name, "-"],
            std::fs::File::open(d.path().join("vendor/pod.yaml")).unwrap(),
        );
        let v: Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(v["summary"]["files"], files, "{name}: {}", r.stderr);
        if files == 0 {
            assert_eq!(r.code, 0);
            assert!(r.stderr.contains("nothing was linted"), "{}", r.stderr);
        } else {
            assert_eq!(r.code, 1, "{}", r.stderr);
        }
    }
}

/// Helm names a template from the chart's parent directory (`# Source: web/templates/x.yaml`):
/// the finding goes to the file on disk wherever ekslint runs, from the repository's root, from
/// inside the chart (`helm template . | ekslint -`), or from elsewhere with `--stdin-filename`.
#[test]
fn helm_sources_are_found_on_disk_from_wherever_ekslint_runs() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join(".git")).unwrap();
    write(
        d.path(),
        "deploy/charts/web/Chart.yaml",
        "name: web\nversion: 0.1.0\n",
    );
    write(
        d.path(),
        "deploy/charts/web/templates/pod.yaml",
        "{{ .Values.pod }}\n",
    );
    write(d.path(), "other/.keep", "");
    let rendered = d.path().join("rendered.txt");
    std::fs::write(
        &rendered,
        "---\n# Source: web/templates/pod.yaml\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    ports: [{containerPort: 9100}]\n",
    )
    .unwrap();
    for (dir, extra, json_file) in [
        ("", None, "deploy/charts/web/templates/pod.yaml"),
        ("deploy/charts/web", None, "templates/pod.yaml"),
        ("deploy/charts/web/templates", None, "pod.yaml"),
        ("deploy/charts", None, "web/templates/pod.yaml"),
        (
            "other",
            Some("../deploy/charts/web/values.yaml"),
            "../deploy/charts/web/templates/pod.yaml",
        ),
    ] {
        let mut args = vec!["--isolated", "--select", "EKS301"];
        if let Some(name) = extra {
            args.extend(["--stdin-filename", name]);
        }
        for (format, expected) in [
            ("json", format!("\"file\":\"{json_file}\"")),
            (
                "github",
                "::error file=deploy/charts/web/templates/pod.yaml,".to_string(),
            ),
        ] {
            let mut all = args.clone();
            all.extend(["--format", format, "-"]);
            let r = run_with_stdin(
                &d.path().join(dir),
                &all,
                std::fs::File::open(&rendered).unwrap(),
            );
            assert!(
                r.stdout.contains(&expected),
                "from {dir:?} ({format}): {}{}",
                r.stdout,
                r.stderr
            );
        }
    }
}

#[test]
fn helm_template_output_on_stdin_is_reported_against_its_sources() {
    let rendered = "---\n# Source: web/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx\n        ports: [{containerPort: 9100}]\n---\n# Source: web/templates/svc.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  labels: {port: 80}\n";
    let mut child = Command::new(BIN)
        .args([
            "--isolated",
            "--select",
            "EKS301,EKS003",
            "--format",
            "json",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(rendered.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let got: Vec<(String, String, u64)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
                d["span"]["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("EKS301".into(), "web/templates/deployment.yaml".into(), 12),
            ("EKS003".into(), "web/templates/svc.yaml".into(), 6),
        ]
    );
    assert_eq!(v["summary"]["files"], 1, "one stream, one file");
    // The offsets index into the rendered document, as the lines do.
    let doc = rendered.split("---\n").nth(1).unwrap();
    let off = v["diagnostics"][0]["span"]["start"]["offset"]
        .as_u64()
        .unwrap() as usize;
    assert_eq!(&doc[off..off + 4], "9100");
    // Each says its lines are the rendered document's, not the template's.
    for d in v["diagnostics"].as_array().unwrap() {
        assert_eq!(d["rendered_from"], "<stdin>", "{d}");
    }
    // GitHub annotations go on the template without a line (it would be the wrong one), and
    // the message says where in the rendered document.
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("rendered.yaml");
    std::fs::write(&input, rendered).unwrap();
    let r = run_with_stdin(
        d.path(),
        &[
            "--isolated",
            "--select",
            "EKS301",
            "--format",
            "github",
            "-",
        ],
        std::fs::File::open(&input).unwrap(),
    );
    assert_eq!(r.code, 1);
    let line = r.stdout.lines().next().unwrap();
    assert!(
        line.starts_with("::error file=web/templates/deployment.yaml,title=EKS301 ")
            && line.ends_with("(line 12, column 33 of the document rendered from this template)"),
        "{line}"
    );
    // SARIF leaves out the region, GitLab puts the issue on line 1; both say the line.
    for (format, lines) in [
        (
            "sarif",
            "/runs/0/results/0/locations/0/physicalLocation/region",
        ),
        ("gitlab", "/0/location/lines/begin"),
    ] {
        let r = run_with_stdin(
            d.path(),
            &["--isolated", "--select", "EKS301", "--format", format, "-"],
            std::fs::File::open(&input).unwrap(),
        );
        let v: Value = serde_json::from_str(&r.stdout).unwrap();
        let expected = if format == "gitlab" {
            Some(&Value::from(1))
        } else {
            None
        };
        assert_eq!(v.pointer(lines), expected, "{format}: {v}");
        assert!(
            r.stdout
                .contains("(line 12, column 33 of the document rendered from this template)"),
            "{format}: {v}"
        );
    }
    // JUnit: the template's test case says it too, and the stream is no passing file of its own.
    let r = run_with_stdin(
        d.path(),
        &["--isolated", "--select", "EKS301", "--format", "junit", "-"],
        std::fs::File::open(&input).unwrap(),
    );
    assert!(
        r.stdout.contains("tests=\"1\" failures=\"1\"")
            && r.stdout.contains("name=\"EKS301 (rendered) 12:33\"")
            && !r.stdout.contains("<stdin>"),
        "{}",
        r.stdout
    );
    // A file on disk keeps its lines.
    let r = run_in(
        d.path(),
        &[
            "--isolated",
            "--select",
            "EKS301",
            "--format",
            "json",
            "rendered.yaml",
        ],
    );
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v["diagnostics"][0].get("rendered_from").is_none(), "{v}");
}

/// A template with a `range` renders several documents: each finding says which one its lines
/// are in (JSON `rendered_document`, the message, the human report's header).
#[test]
fn documents_rendered_from_one_template_are_told_apart() {
    let doc = |name: &str| {
        format!(
            "---\n# Source: web/templates/workers.yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  containers:\n    - name: c\n      image: busybox\n"
        )
    };
    let rendered = format!(
        "---\n# Source: web/templates/svc.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: s\n{}{}",
        doc("one"),
        doc("two")
    );
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("rendered.yaml");
    std::fs::write(&input, &rendered).unwrap();
    let args = ["--isolated", "--select", "EKS202"];
    let r = run_with_stdin(
        d.path(),
        &[&args[..], &["--format", "json", "-"]].concat(),
        std::fs::File::open(&input).unwrap(),
    );
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let found: Vec<(String, u64, u64)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["rendered_document"].as_u64().unwrap(),
                d["span"]["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let file = "web/templates/workers.yaml".to_string();
    assert_eq!(found, [(file.clone(), 1, 7), (file, 2, 7)]);
    let r = run_with_stdin(
        d.path(),
        &[&args[..], &["--format", "github", "-"]].concat(),
        std::fs::File::open(&input).unwrap(),
    );
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", r.stdout);
    for (line, n) in lines.iter().zip([1, 2]) {
        let want =
            format!("(line 7, column 3 of document {n} of the 2 rendered from this template)");
        assert!(line.ends_with(&want), "{line}");
    }
    let r = run_with_stdin(
        d.path(),
        &[&args[..], &["--color", "never", "-"]].concat(),
        std::fs::File::open(&input).unwrap(),
    );
    for n in [1, 2] {
        let want = format!(
            "web/templates/workers.yaml: rendered output read from <stdin>, document {n} of the 2 it rendered:"
        );
        assert!(r.stdout.contains(&want), "{want}\n{}", r.stdout);
    }
}

/// Helm keeps a template's comments: `# ekslint-disable-file` in one template's document
/// silences that template, not the whole chart; before the first `# Source:` document it still
/// covers the stream.
#[test]
fn a_file_suppression_in_rendered_output_stays_in_its_template() {
    let doc = |template: &str, key: &str, disable: &str| {
        format!(
            "---\n# Source: c/templates/{template}\n{disable}apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  {key}: \"x\"\n"
        )
    };
    let d = tempfile::tempdir().unwrap();
    for (head, a_disable, expected) in [
        (
            "",
            "# ekslint-disable-file EKS009\n",
            vec!["c/templates/b.yaml"],
        ),
        ("# ekslint-disable-file EKS009\n", "", vec![]),
    ] {
        let text = format!(
            "{head}{}{}",
            doc("a.yaml", "on", a_disable),
            doc("b.yaml", "yes", "")
        );
        let input = d.path().join("rendered.yaml");
        std::fs::write(&input, text).unwrap();
        let r = run_with_stdin(
            d.path(),
            &[
                "--isolated",
                "--select",
                "EKS009,EKS008",
                "--format",
                "json",
                "-",
            ],
            std::fs::File::open(&input).unwrap(),
        );
        let v: Value = serde_json::from_str(&r.stdout).unwrap();
        let files: Vec<&str> = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["file"].as_str().unwrap())
            .collect();
        assert_eq!(files, expected, "{}", r.stdout);
    }
}

#[test]
fn explain_list_completions_and_man_page() {
    let d = tempfile::tempdir().unwrap();
    let r = run_in(d.path(), &["rule", "EKS301"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.starts_with("# EKS301 metrics-port-conflict"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Operation not permitted"));
    assert!(
        r.stdout
            .contains("FAQ: 9100 端口问题 — https://cloud.tencent.com/document/product/457/54980")
    );
    assert!(r.stdout.contains("## Fires on") && r.stdout.contains("## Silent on"));
    let r = run_in(d.path(), &["rule", "metrics-port-collision"]);
    assert!(r.stdout.starts_with("# EKS302"), "lookup by name");
    let r = run_in(d.path(), &["rule", "EKS999"]);
    assert_eq!(r.code, 2);
    let r = run_in(d.path(), &["rules", "--format", "json"]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for id in [
        "EKS001", "EKS008", "EKS106", "EKS205", "EKS504", "EKS601", "EKS702",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    let r = run_in(d.path(), &["completions", "bash"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains("_ekslint()") && r.stdout.contains("--fail-on"),
        "{}",
        &r.stdout[..200.min(r.stdout.len())]
    );
    let r = run_in(d.path(), &["completions", "zsh"]);
    assert!(r.stdout.contains("#compdef ekslint"));
    let r = run_in(d.path(), &["man"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains(".TH ekslint") && r.stdout.contains("fail\\-on"),
        "{}",
        &r.stdout[..300.min(r.stdout.len())]
    );
}

/// In a rule's message, `{value}` is the value as Kubernetes reads it and `{raw}` as written:
/// `0x1F90` is port 8080.
#[test]
fn message_value_is_what_kubernetes_reads_and_raw_what_was_written() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "policies/ACME002.yaml",
        "id: ACME002\nname: no-port-8080\nseverity: error\nsummary: No port 8080.\nexplanation: x\nmessage: 'port {value} (written {raw})'\ncheck:\n  select: ['containers[*].ports[*].containerPort']\n  when: {equals: 8080}\nexamples:\n  firing:\n    - lines: [5]\n      yaml: |\n        apiVersion: v1\n        kind: Pod\n        metadata: {name: p}\n        spec:\n          containers: [{name: a, ports: [{containerPort: 8080}]}]\n  silent:\n    - yaml: |\n        apiVersion: v1\n        kind: Pod\n        metadata: {name: p}\n",
    );
    write(
        d.path(),
        "pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, ports: [{containerPort: 0x1F90}]}]\n",
    );
    let r = run_in(
        d.path(),
        &[
            "--isolated",
            "--rules",
            "policies",
            "--select",
            "ACME002",
            "--format",
            "json",
            "pod.yaml",
        ],
    );
    let v: Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stderr));
    assert_eq!(
        v["diagnostics"][0]["message"], "port 8080 (written 0x1F90)",
        "{}",
        r.stdout
    );
}
