//! The command line on top of the pipeline: parse arguments, discover, lint in parallel, report,
//! and choose the exit code (0 clean, 1 findings at or above `--fail-on`, 2 usage or I/O error).

use std::io::{self, IsTerminal, Read, Write};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use rayon::prelude::*;

use crate::diagnostic::{FileResult, Severity};
use crate::discover::{self, Input, io_message};
use crate::lint::Linter;
use crate::report::{Reporter, Summary, human::Human, json::Json};
use crate::rules::RuleSet;

#[derive(Parser, Debug)]
#[command(
    name = "ekslint",
    version,
    about = "Lint Kubernetes manifests for Tencent Cloud TKE Serverless (EKS super node) pitfalls",
    long_about = "Lint Kubernetes manifests for Tencent Cloud TKE Serverless (EKS super node) pitfalls.\n\n\
        With no subcommand, lints the given files and directories (default: the current directory).\n\
        To lint a directory that has a subcommand's name, write it as a path: `ekslint ./rules`.",
    args_conflicts_with_subcommands = true,
    after_help = "Exit status: 0 no findings at or above --fail-on, 1 findings, 2 usage, I/O or rule-file error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Lint files and directories (what `ekslint PATH...` does).
    Check(CheckArgs),
    /// Explain a rule: what it finds, why it matters on super nodes, examples.
    Rule {
        /// Rule id or name, e.g. EKS301 or metrics-port-conflict.
        id: String,
        /// Also load rule files from this directory.
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
    },
    /// Run the firing and silent examples of rule files (yours, with --rules; --all adds the built-ins).
    TestRules {
        /// Directory of your rule files (repeatable).
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
        /// Also test the built-in rules.
        #[arg(long)]
        all: bool,
    },
    /// List every rule.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
        /// Also load rule files from this directory.
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq, Default)]
pub enum Format {
    /// Code frames for people (default).
    #[default]
    Human,
    /// One JSON document (see README "JSON output").
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Args, Debug, Default)]
pub struct CheckArgs {
    /// Files or directories to lint; `-` reads standard input.
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// When to use colors (NO_COLOR is honoured with `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,
    /// Name to report standard input under (also picks YAML or JSON by extension).
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,
    /// Skip files and directories matching this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Load your own rule files from this directory (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Skip files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = crate::lint::DEFAULT_MAX_FILE_SIZE)]
    pub max_file_size: u64,
    /// Also say which files were skipped and why, and how many objects each file held.
    #[arg(long, short)]
    pub verbose: bool,
}

/// Runs the command line and returns the exit code.
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Some(Command::Check(args)) => check(args),
        Some(Command::Rule { id, rules }) => explain(&id, &rules),
        Some(Command::Rules { format, rules }) => list(format, &rules),
        Some(Command::TestRules { rules, all }) => test_rules(&rules, all),
        None => check(cli.check),
    }
}

fn error(msg: impl std::fmt::Display) {
    eprintln!("ekslint: error: {msg}");
}

fn load_rules(dirs: &[PathBuf]) -> Result<RuleSet, i32> {
    let mut set = match RuleSet::builtin() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{:?}", miette::Report::from(e));
            return Err(2);
        }
    };
    for d in dirs {
        if let Err(e) = set.load_dir(d) {
            eprintln!("{:?}", miette::Report::from(e));
            return Err(2);
        }
    }
    Ok(set)
}

fn explain(id: &str, dirs: &[PathBuf]) -> i32 {
    let set = match load_rules(dirs) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let Some(rule) = set.get(id) else {
        error(format!("no rule `{id}`; `ekslint rules` lists them"));
        return 2;
    };
    print!("{}", crate::docs::rule_markdown(rule));
    0
}

fn test_rules(dirs: &[PathBuf], all: bool) -> i32 {
    let set = match load_rules(dirs) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let linter = Linter::new(set);
    let ids: Vec<String> = linter
        .rules
        .rules
        .iter()
        .filter(|r| all || r.origin != "built-in")
        .map(|r| r.meta.id.clone())
        .collect();
    if ids.is_empty() {
        error("no rules to test: name a directory with --rules DIR (or use --all)");
        return 2;
    }
    let mut failed = 0;
    for id in &ids {
        let problems = crate::rules::examples::check(&linter, id);
        if problems.is_empty() {
            println!("ok      {id}");
        } else {
            failed += 1;
            println!("FAILED  {id}");
            for p in problems {
                println!("  {p}");
            }
        }
    }
    println!("{} passed, {failed} failed", ids.len() - failed);
    i32::from(failed > 0)
}

fn list(format: ListFormat, dirs: &[PathBuf]) -> i32 {
    let set = match load_rules(dirs) {
        Ok(s) => s,
        Err(c) => return c,
    };
    match format {
        ListFormat::Table => {
            for r in &set.rules {
                println!(
                    "{:<8} {:<32} {:<8} {}",
                    r.meta.id,
                    r.meta.name,
                    r.meta.severity.as_str(),
                    r.meta.summary
                );
            }
        }
        ListFormat::Json => {
            let v: Vec<_> = set
                .rules
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.meta.id, "name": r.meta.name, "severity": r.meta.severity,
                        "summary": r.meta.summary, "faq": r.faq, "url": r.meta.url, "origin": r.origin,
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
    }
    0
}

fn check(args: CheckArgs) -> i32 {
    let rules = match load_rules(&args.rules) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let excludes = match discover::build_globset(&args.exclude) {
        Ok(g) => g,
        Err(e) => {
            error(e);
            return 2;
        }
    };
    let mut linter = Linter::new(rules);
    linter.max_file_size = args.max_file_size;

    let paths = if args.paths.is_empty() {
        vec![".".to_string()]
    } else {
        args.paths.clone()
    };
    let stdin_name = args
        .stdin_filename
        .clone()
        .unwrap_or_else(|| "<stdin>".to_string());
    let threads = rayon::current_num_threads();
    let found = discover::discover(&paths, &excludes, &stdin_name, threads);
    let mut io_failed = !found.errors.is_empty();
    for e in &found.errors {
        error(format!("{}: {}", e.path, e.message));
    }

    let stdout = io::stdout();
    let is_tty = stdout.is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => is_tty && !no_color,
    };
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100);
    let mut reporter: Box<dyn Reporter> = match args.format {
        Format::Human => {
            let mut h = Human::new(color, is_tty || args.color == ColorChoice::Always, width);
            h.verbose = args.verbose;
            Box::new(h)
        }
        Format::Json => Box::new(Json::default()),
    };
    let mut out = io::BufWriter::new(stdout.lock());
    let mut summary = Summary::default();

    let lint_one = |input: &Input| -> Result<FileResult, (String, String)> {
        match input {
            Input::File {
                display,
                path,
                patch,
            } => linter
                .lint_path(display, path, *patch)
                .map_err(|e| (display.clone(), io_message(&e))),
            Input::Stdin { name } => {
                let mut buf = Vec::new();
                io::stdin()
                    .lock()
                    .read_to_end(&mut buf)
                    .map_err(|e| (name.clone(), io_message(&e)))?;
                Ok(linter.lint_bytes(name, buf))
            }
        }
    };

    // Phase 1, in parallel: lint every file. Only findings and small facts are kept: a file's text
    // is dropped here and read again when its findings are printed, so memory does not grow with
    // the size of the tree.
    let mut results: Vec<FileResult> = Vec::with_capacity(found.inputs.len());
    for chunk in found.inputs.chunks(256) {
        let linted: Vec<_> = chunk.par_iter().map(lint_one).collect();
        for r in linted {
            match r {
                Ok(mut r) => {
                    if r.origin.is_some() {
                        r.source = crate::source::Source::new(r.source.name.clone(), "");
                    }
                    results.push(r);
                }
                Err((path, msg)) => {
                    io_failed = true;
                    summary.skipped += 1;
                    error(format!("{path}: {msg}"));
                }
            }
        }
    }
    // Phase 2: cross-file checks.
    linter.global(&mut results);

    // Phase 3: report, file by file in sorted order.
    for mut r in results {
        summary.add(&r);
        if let Some(s) = &r.skipped {
            if args.format != Format::Human {
                eprintln!("ekslint: skipped {}: {}", r.source.name, s.reason);
            }
        } else if args.verbose {
            eprintln!("ekslint: {}: {} objects", r.source.name, r.objects);
        }
        if r.findings.is_empty() && r.skipped.is_none() {
            continue;
        }
        if let Some(path) = r.origin.as_ref().filter(|_| !r.findings.is_empty()) {
            match std::fs::read(path) {
                Ok(bytes) => {
                    let text = String::from_utf8_lossy(&bytes).into_owned();
                    r.source = crate::source::Source::new(r.source.name.clone(), text);
                }
                Err(e) => {
                    io_failed = true;
                    error(format!("{}: {}", r.source.name, io_message(&e)));
                }
            }
        }
        if reporter.file(&mut out, &r).is_err() {
            // stdout is gone (e.g. `| head`): stop quietly.
            break;
        }
    }
    let _ = reporter.finish(&mut out, &summary);
    let _ = out.flush();
    drop(out);

    let fail_on = args.fail_on.unwrap_or(FailOn::Warning);
    let threshold = match fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    let failing = threshold.is_some_and(|t| {
        (summary.errors > 0 && Severity::Error >= t)
            || (summary.warnings > 0 && Severity::Warning >= t)
            || (summary.infos > 0 && Severity::Info >= t)
    });
    if io_failed {
        2
    } else if failing {
        1
    } else {
        0
    }
}
