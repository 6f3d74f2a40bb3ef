//! Hostile inputs: each gives a clear diagnostic and exit 1 or 2 — never a panic, a hang or
//! runaway memory — and the other files are still linted.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_ekslint");

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(dir: &Path, args: &[&str]) -> Run {
    let start = Instant::now();
    let out = Command::new(BIN)
        .args(["--isolated", "--format", "json"])
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run ekslint");
    // Not a timing test: a generous bound that only a hang or a blow-up would cross.
    assert!(
        start.elapsed() < Duration::from_secs(60),
        "took {:?}",
        start.elapsed()
    );
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    }
}

fn json(r: &Run) -> Value {
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", r.stdout, r.stderr))
}

/// (rule, file, message) of every diagnostic.
fn diags(r: &Run) -> Vec<(String, String, String)> {
    json(r)["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

const GOOD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: p, image: nginx, ports: [{containerPort: 9100}]}\n";

fn with_good(files: &[(&str, Vec<u8>)]) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("good.yaml"), GOOD).unwrap();
    for (name, bytes) in files {
        std::fs::write(d.path().join(name), bytes).unwrap();
    }
    d
}

fn assert_good_still_linted(r: &Run) {
    assert!(
        diags(r)
            .iter()
            .any(|d| d.0 == "EKS301" && d.1.ends_with("good.yaml")),
        "the other file was not linted: {}",
        r.stdout
    );
}

#[test]
fn alias_bomb_is_bounded() {
    let mut bomb = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for i in 1..12 {
        let p = i - 1;
        bomb.push_str(&format!(
            "  a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let d = with_good(&[("bomb.yaml", bomb.into_bytes())]);
    let r = run(d.path(), &["."]);
    assert_eq!(r.code, 1);
    assert!(
        diags(&r)
            .iter()
            .any(|x| x.0 == "EKS001" && x.1.ends_with("bomb.yaml") && x.2.contains("alias")),
        "{}",
        r.stdout
    );
    assert_good_still_linted(&r);
}

/// A small file can hold a finding on every line (13 MB of `key: yes` made 900,000 findings and
/// 915 MB): past 10,000 a file's linting stops, those are reported, and the file is listed as
/// linted only in part (exit 2); the other files are linted.
#[test]
fn findings_are_capped_per_file() {
    let mut many = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n");
    for i in 0..10_050 {
        many.push_str(&format!("  k{i}: yes\n"));
    }
    many.push_str("---\napiVersion: v1\nkind: Pod\nmetadata: {name: late}\nspec:\n  containers: [{name: p, image: nginx, ports: [{containerPort: 9100}]}]\n");
    let d = with_good(&[("many.yaml", many.into_bytes())]);
    let r = run(d.path(), &["."]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let found = diags(&r);
    let of_many: Vec<_> = found
        .iter()
        .filter(|x| x.1.ends_with("many.yaml"))
        .collect();
    assert_eq!(of_many.len(), 10_000);
    assert!(of_many.iter().all(|x| x.0 == "EKS003"));
    let skipped = &json(&r)["skipped"][0];
    assert!(
        skipped["file"].as_str().unwrap().ends_with("many.yaml")
            && skipped["reason"]
                .as_str()
                .unwrap()
                .starts_with("linted only in part: linting stopped at 10,000 findings"),
        "{skipped}"
    );
    assert_good_still_linted(&r);
}

#[test]
fn deep_nesting_is_bounded() {
    let flow = "[".repeat(100_000);
    let mut block = String::new();
    // 5,000 levels of block nesting (a 12 MB file): far past the 256-level bound.
    for i in 0..5_000 {
        block.push_str(&" ".repeat(i));
        block.push_str("a:\n");
    }
    let d = with_good(&[
        ("flow.yaml", flow.into_bytes()),
        ("block.yaml", block.into_bytes()),
    ]);
    let r = run(d.path(), &["."]);
    assert_eq!(r.code, 1);
    let got = diags(&r);
    for f in ["flow.yaml", "block.yaml"] {
        assert!(
            got.iter()
                .any(|x| x.0 == "EKS001" && x.1.ends_with(f) && x.2.contains("deep")),
            "{f}: {got:?}"
        );
    }
    assert_good_still_linted(&r);
}

#[test]
fn huge_file_is_skipped_with_the_reason() {
    let d = with_good(&[]);
    // A sparse 200 MB file: the size is checked before anything is read.
    let f = std::fs::File::create(d.path().join("huge.yaml")).unwrap();
    f.set_len(200 * 1024 * 1024).unwrap();
    drop(f);
    let r = run(d.path(), &["."]);
    assert_eq!(r.code, 2, "a file that was not linted fails the run");
    assert!(
        r.stderr
            .contains("huge.yaml: file is 200 MiB, above the 32 MiB limit"),
        "{}",
        r.stderr
    );
    assert_eq!(json(&r)["summary"]["skipped"], 1);
    assert_good_still_linted(&r);
    // A limit under a mebibyte is said in the unit it was given in, never as "0 MiB".
    let r = run(d.path(), &["--max-file-size", "1000", "."]);
    assert!(
        r.stderr
            .contains("huge.yaml: file is 200 MiB, above the 1000 bytes limit"),
        "{}",
        r.stderr
    );
    let r = run(d.path(), &["--max-file-size", "204800", "."]);
    assert!(r.stderr.contains("above the 200 KiB limit"), "{}", r.stderr);
    // A size with a unit, as a user would write it.
    let r = run(d.path(), &["--max-file-size", "200K", "."]);
    assert!(r.stderr.contains("above the 200 KiB limit"), "{}", r.stderr);
    let r = run(d.path(), &["--max-file-size", "1MB", "."]);
    assert!(
        r.stderr.contains("above the 976.6 KiB limit"),
        "{}",
        r.stderr
    );
    let r = run(d.path(), &["--max-file-size", "256MiB", "."]);
    assert_eq!(json(&r)["summary"]["skipped"], 0, "{}", r.stderr);
    let r = run(d.path(), &["--max-file-size", "10 parsecs", "."]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("unknown unit `parsecs`"), "{}", r.stderr);
}

/// What has no size to check first (a device that never ends, standard input) is read up to the
/// limit and no further: skipped with the reason, never read until memory runs out.
#[test]
fn endless_inputs_stop_at_the_size_limit() {
    let d = with_good(&[]);
    if Path::new("/dev/zero").exists() {
        let r = run(d.path(), &["--max-file-size", "1K", "/dev/zero", "."]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert_eq!(
            json(&r)["skipped"],
            serde_json::json!([{"file": "/dev/zero", "reason": "file is larger than the 1 KiB limit (raise it with --max-file-size)"}])
        );
        assert_good_still_linted(&r);
        // Met in a walk (here a link to it with a manifest's name), it is named, never read.
        std::os::unix::fs::symlink("/dev/zero", d.path().join("zero.yaml")).unwrap();
        let r = run(d.path(), &["."]);
        assert!(
            r.stderr.contains(
                "zero.yaml: not linted: not a regular file (a named pipe, socket or device)"
            ),
            "{}",
            r.stderr
        );
        assert_good_still_linted(&r);
        std::fs::remove_file(d.path().join("zero.yaml")).unwrap();
        // `ekslint size` reads the same way.
        let out = Command::new(BIN)
            .args(["size", "/dev/zero"])
            .output()
            .expect("run ekslint size");
        assert_eq!(out.status.code(), Some(2));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("larger than the 32 MiB limit"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // Standard input over the limit (here 3 KiB of a 1 KiB limit).
    let mut child = Command::new(BIN)
        .args([
            "--isolated",
            "--format",
            "json",
            "--max-file-size",
            "1K",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ekslint");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        // ekslint may stop reading (and exit) before all of it is written.
        let _ = stdin.write_all(&b"a: 1\n".repeat(600));
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["skipped"][0]["reason"],
        "standard input is larger than the 1 KiB limit (raise it with --max-file-size)"
    );
}

#[test]
fn invalid_utf8_and_binary_and_empty_files() {
    let d = with_good(&[
        (
            "latin1.yaml",
            b"apiVersion: v1\nkind: ConfigMap\ndata:\n  name: caf\xe9\n".to_vec(),
        ),
        (
            "blob.yaml",
            vec![0x7f, b'E', b'L', b'F', 0, 0, 1, 2, 3, 0, 0xff],
        ),
        ("empty.yaml", Vec::new()),
        (
            "comments.yaml",
            b"# nothing here\n---\n# nor here\n".to_vec(),
        ),
    ]);
    let r = run(d.path(), &["."]);
    assert_eq!(r.code, 1);
    let got = diags(&r);
    assert!(
        got.iter()
            .any(|x| x.0 == "EKS001" && x.1.ends_with("latin1.yaml") && x.2.contains("UTF-8")),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|x| x.0 == "EKS001" && x.1.ends_with("blob.yaml") && x.2.contains("binary")),
        "{got:?}"
    );
    assert!(
        !got.iter()
            .any(|x| x.1.ends_with("empty.yaml") || x.1.ends_with("comments.yaml")),
        "{got:?}"
    );
    assert_eq!(json(&r)["summary"]["files"], 5);
    // The offset is the bad byte's in the file (`caf` then 0xe9), and the span claims no more of
    // the file's bytes than there are.
    let latin1 = json(&r)["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["file"].as_str().unwrap().ends_with("latin1.yaml"))
        .cloned()
        .unwrap();
    let at = b"apiVersion: v1\nkind: ConfigMap\ndata:\n  name: caf".len();
    assert_eq!(latin1["span"]["start"]["offset"], at);
    assert_eq!(latin1["span"]["end"]["offset"], at);
    assert_eq!(latin1["span"]["start"]["line"], 4);
    assert_good_still_linted(&r);
}

#[test]
fn bom_crlf_and_tabs() {
    let d = with_good(&[
        (
            "bom.yaml",
            "\u{feff}apiVersion: apps/v1beta2\r\nkind: Deployment\r\nmetadata: {name: x}\r\n"
                .as_bytes()
                .to_vec(),
        ),
        (
            "tabs.yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: tabbed\n".to_vec(),
        ),
    ]);
    let r = run(d.path(), &["."]);
    let got = diags(&r);
    assert!(
        got.iter()
            .any(|x| x.0 == "EKS006" && x.1.ends_with("bom.yaml")),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|x| x.0 == "EKS001" && x.1.ends_with("tabs.yaml")),
        "{got:?}"
    );
    assert_good_still_linted(&r);
}

#[cfg(unix)]
#[test]
fn symlink_loop_and_broken_link_are_reported_not_followed_forever() {
    let d = with_good(&[]);
    std::fs::create_dir(d.path().join("sub")).unwrap();
    std::os::unix::fs::symlink("..", d.path().join("sub/loop")).unwrap();
    std::os::unix::fs::symlink("missing.yaml", d.path().join("dangling.yaml")).unwrap();
    // Two links that point at each other: the system's ELOOP, said once, with the path once.
    std::os::unix::fs::symlink("b.yaml", d.path().join("a.yaml")).unwrap();
    std::os::unix::fs::symlink("a.yaml", d.path().join("b.yaml")).unwrap();
    // Stray links whose names would never be linted are none of its business.
    std::os::unix::fs::symlink("missing.txt", d.path().join("notes.txt")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/build/output", d.path().join("latest")).unwrap();
    std::os::unix::fs::symlink("loop2", d.path().join("loop1")).unwrap();
    std::os::unix::fs::symlink("loop1", d.path().join("loop2")).unwrap();
    let r = run(d.path(), &["."]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    for stray in ["notes.txt", "latest", "loop1", "loop2"] {
        assert!(!r.stderr.contains(stray), "{stray}: {}", r.stderr);
    }
    assert!(r.stderr.contains("loop"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("dangling.yaml: a symbolic link to missing.yaml, which does not exist\n"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("a.yaml: too many levels of symbolic links\n"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("error for operation"), "{}", r.stderr);
    // Named on the command line, the same words.
    let named = run(d.path(), &["dangling.yaml"]);
    assert_eq!(named.code, 2);
    assert!(
        named
            .stderr
            .contains("dangling.yaml: a symbolic link to missing.yaml"),
        "{}",
        named.stderr
    );
    // Each path that could not be linted is counted as skipped, as an unreadable file is.
    assert_eq!(json(&r)["summary"]["skipped"], 4, "{}", r.stderr);
    assert_good_still_linted(&r);
}

#[test]
fn directory_named_like_a_manifest_and_missing_paths() {
    let d = with_good(&[]);
    std::fs::create_dir(d.path().join("x.yaml")).unwrap();
    std::fs::write(d.path().join("x.yaml/inner.yaml"), GOOD).unwrap();
    let r = run(d.path(), &["x.yaml", "good.yaml", "nope.yaml"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("nope.yaml: no such file or directory"),
        "{}",
        r.stderr
    );
    let files: Vec<String> = diags(&r).into_iter().map(|x| x.1).collect();
    assert!(files.iter().any(|f| f.ends_with("inner.yaml")), "{files:?}");
    assert_good_still_linted(&r);
}

#[test]
fn unreadable_file_is_reported() {
    use std::os::unix::fs::PermissionsExt;
    let d = with_good(&[("secret.yaml", GOOD.as_bytes().to_vec())]);
    let p = d.path().join("secret.yaml");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&p).is_ok() {
        // Running as root: permissions do not stop reads. A path through a file cannot be read
        // either, and goes through the same reporting.
        let r = run(d.path(), &["good.yaml/child.yaml", "good.yaml"]);
        assert_eq!(r.code, 2);
        assert!(
            r.stderr.contains("good.yaml/child.yaml: not a directory"),
            "{}",
            r.stderr
        );
        assert_good_still_linted(&r);
        return;
    }
    let r = run(d.path(), &["."]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("secret.yaml: permission denied"),
        "{}",
        r.stderr
    );
    assert_good_still_linted(&r);
}

#[test]
fn helm_template_gives_one_warning() {
    let d = with_good(&[(
        "deploy.yaml",
        b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}\nspec: {}\n{{- end }}\n".to_vec(),
    )]);
    let r = run(d.path(), &["."]);
    let got: Vec<_> = diags(&r)
        .into_iter()
        .filter(|x| x.1.ends_with("deploy.yaml"))
        .collect();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, "EKS004");
    assert_good_still_linted(&r);
}

#[test]
fn control_characters_never_reach_the_terminal() {
    // A file name with a line break and an escape sequence, and a file whose text holds escape
    // sequences (one that would clear the screen) inside a finding's frame and message.
    let d = with_good(&[
        ("bad\nname\x1b[31m.yaml", GOOD.as_bytes().to_vec()),
        (
            "esc.yaml",
            b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: # \xe2\x80\xae reversed\n    eks.tke.cloud.tencent.com/cpu: \"\\e[2J\\e[31m\"\nspec:\n  containers: [{name: p, image: nginx}]\n---\na: \"\x1b[2J\"\n"
                .to_vec(),
        ),
    ]);
    let out = Command::new(BIN)
        .args(["--isolated", "--color", "never", "-v", "."])
        .current_dir(d.path())
        .output()
        .expect("run ekslint");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for (what, text) in [("report", &stdout), ("stderr", &stderr)] {
        assert!(
            !text.contains('\x1b'),
            "an escape reached the {what}: {text}"
        );
        // Nor does a bidirectional override ("Trojan Source"), which reorders what is seen.
        assert!(
            !text.contains('\u{202e}'),
            "a bidi override reached the {what}: {text}"
        );
    }
    assert!(
        stdout.contains("annotations: # \u{fffd} reversed"),
        "{stdout}"
    );
    // The name is shown escaped, in the frame's header and in `-v`.
    assert!(
        stdout.contains(r"./bad\nname\u{1b}[31m.yaml:6:"),
        "{stdout}"
    );
    assert!(
        stderr.contains(r"./bad\nname\u{1b}[31m.yaml: 1 object"),
        "{stderr}"
    );
    // The text in a frame keeps its columns (`?` for each control character, here in a
    // document that EKS001 reports: Kubernetes' YAML reader rejects it); a message quoting a
    // value that holds one (written as `\e` escapes) escapes it.
    assert!(stdout.contains("a: \"?[2J\""), "{stdout}");
    assert!(stdout.contains("control character U+001B"), "{stdout}");
    assert!(
        stdout.contains(r"`\u{1b}[2J\u{1b}[31m` is not a number of cores"),
        "{stdout}"
    );
    assert!(stdout.contains("esc.yaml:6:36]"), "{stdout}");
    // So do `ekslint size` (its table and notes) and the error frame of a config file.
    std::fs::write(d.path().join("bad\x1b.yaml"), "a: [\n").unwrap();
    std::fs::write(d.path().join("cfg\x1b.yaml"), "selct: [ALL]\n").unwrap();
    for args in [
        &["size", "."][..],
        &["--config", "cfg\x1b.yaml", "esc.yaml"],
    ] {
        let out = Command::new(BIN)
            .args(args)
            .current_dir(d.path())
            .output()
            .expect("run ekslint");
        let all = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
        assert!(
            !all.contains('\x1b'),
            "an escape reached the terminal: {all}"
        );
        assert!(all.contains(r"\u{1b}"), "{all}");
    }
    // Machine formats keep the name as it is (their encoders escape it).
    let r = run(d.path(), &["."]);
    assert!(
        diags(&r).iter().any(|x| x.1 == "./bad\nname\x1b[31m.yaml"),
        "{}",
        r.stdout
    );
}
