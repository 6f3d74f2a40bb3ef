//! The command line on top of the pipeline: parse arguments, discover, lint in parallel, report,
//! and choose the exit code (0 clean, 1 findings at or above `--fail-on`, 2 usage or I/O error).

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::{Args, Parser, Subcommand, ValueEnum};
use rayon::prelude::*;

use crate::config::{Config, FailOn, Selector};
use crate::diagnostic::{FileResult, Severity};
use crate::discover::{self, Input, io_message};
use crate::facts::Facts;
use crate::lint::{Gate, Linter, PutAside};
use crate::lock;
use crate::report::{Reporter, Summary, human::Human, json::Json};
use crate::rules::RuleSet;
use crate::source::{shown, shown_path};
use crate::spill::{Held, Pending, Records};

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
        /// When to use colors in rule-file errors (NO_COLOR is honoured with `auto`).
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
    },
    /// List every rule.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
        /// Also load rule files from this directory.
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
    },
    /// Show the size EKS bills for every workload, what its containers ask for, and why.
    Size(crate::size_report::SizeArgs),
    /// Print a shell completion script (e.g. `ekslint completions bash > /etc/bash_completion.d/ekslint`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `ekslint man > /usr/local/share/man/man1/ekslint.1`.
    Man,
    /// Benchmark floor: walk, read and tokenize with saphyr-parser, build nothing (scripts/bench.sh).
    #[command(name = "__parse-only", hide = true)]
    ParseOnly { paths: Vec<String> },
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
    /// One JSON object per finding per line, with the fields of a `json` diagnostic; no summary (a
    /// path not linted is a line `{"file", "skipped"}`).
    JsonLines,
    /// SARIF 2.1.0 for code scanning (GitHub, Azure DevOps, IDEs), with every rule's documentation.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=...::message`) that annotate pull requests.
    Github,
    /// GitLab Code Quality report (a JSON array) for `artifacts:reports:codequality`.
    Gitlab,
    /// JUnit XML: one test case per finding (failing at or above --fail-on), one per clean file.
    Junit,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
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
    /// Write the report to FILE instead of standard output; the summary line still goes to the
    /// terminal (standard error).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// After the report, count the findings of each rule (on standard error for machine-readable
    /// formats, on standard output for `human`).
    #[arg(long)]
    pub statistics: bool,
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
    /// Skip files larger than this: bytes, or with a unit (`512K`, `64M`, `1.5G`; `Ki`/`KiB` and
    /// the like are the same, `KB`/`MB`/`GB` count thousands). Default 32 MiB.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "32MiB", hide_default_value = true)]
    pub max_file_size: u64,
    /// Also say which files were skipped and why, and how many objects each file held.
    #[arg(long, short)]
    pub verbose: bool,
    /// Use this config file instead of the nearest `.ekslint.yaml` upward from the paths linted.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Ignore config files.
    #[arg(long, conflicts_with = "config")]
    pub isolated: bool,
    /// Only these rules: ids, id prefixes (`EKS5`), names or `ALL`, comma-separated (overrides the config's `select` and `ignore`).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,
    /// Not these rules (same forms; overrides the config's `ignore`).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,
    /// Exit 0 even with findings (usage, I/O and rule-file errors still exit 2).
    #[arg(long)]
    pub exit_zero: bool,
    /// Ignore `# ekslint-disable...` comments and `ekslint.io/ignore` annotations (strict CI).
    #[arg(long)]
    pub no_inline_suppressions: bool,
    /// Report only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings in this baseline file, and exit 0.
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub write_baseline: Option<PathBuf>,
}

/// Runs the command line and returns the exit code.
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Some(Command::Check(args)) => {
            error_colors(args.color);
            check(args)
        }
        Some(Command::Rule { id, rules }) => {
            with_config_rules(rules).map_or_else(|code| code, |dirs| explain(&id, &dirs))
        }
        Some(Command::Rules { format, rules }) => {
            with_config_rules(rules).map_or_else(|code| code, |dirs| list(format, &dirs))
        }
        Some(Command::TestRules { rules, all, color }) => {
            error_colors(color);
            with_config_rules(rules).map_or_else(|code| code, |dirs| test_rules(&dirs, all))
        }
        Some(Command::Size(args)) => crate::size_report::run(args),
        Some(Command::Completions { shell }) => {
            use clap::CommandFactory;
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "ekslint", &mut script);
            emit(&script)
        }
        Some(Command::Man) => {
            use clap::CommandFactory;
            let mut page = Vec::new();
            match clap_mangen::Man::new(Cli::command()).render(&mut page) {
                Ok(()) => emit(&page),
                Err(e) => {
                    error(e);
                    2
                }
            }
        }
        Some(Command::ParseOnly { paths }) => crate::parse_only::run(paths),
        None => {
            error_colors(cli.check.color);
            check(cli.check)
        }
    }
}

/// `--color` for the code frames of config and rule-file errors (miette's own report), drawn as
/// the findings are: box-drawing characters only on a terminal (or with `--color always`),
/// ASCII in a CI log or a file.
fn error_colors(choice: ColorChoice) {
    let tty = io::stderr().is_terminal();
    let color = match choice {
        ColorChoice::Auto => tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        ColorChoice::Always => true,
        ColorChoice::Never => false,
    };
    let unicode = tty || choice == ColorChoice::Always;
    let _ = miette::set_hook(Box::new(move |_| {
        Box::new(
            miette::MietteHandlerOpts::new()
                .color(color)
                .unicode(unicode)
                .terminal_links(false)
                .build(),
        )
    }));
}

fn error(msg: impl std::fmt::Display) {
    // One line each: a file name's control characters are shown escaped.
    eprintln!("ekslint: error: {}", shown(&msg.to_string()));
}

/// Writes a command's whole output to standard output and returns the exit code. A reader that
/// went away (`ekslint rules | head`) is not an error: it had what it wanted. (`print!` would
/// panic there.)
pub(crate) fn emit(text: &[u8]) -> i32 {
    let mut out = io::stdout().lock();
    match out.write_all(text).and_then(|()| out.flush()) {
        Ok(()) => 0,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            error(format!(
                "cannot write to standard output: {}",
                io_message(&e)
            ));
            2
        }
    }
}

/// The built-in rules and those of `dirs`; a rule that does not load is shown with its code frame.
fn load_rules<'d>(
    builtin: Result<RuleSet, crate::rules::LoadError>,
    dirs: impl IntoIterator<Item = &'d PathBuf>,
) -> Result<RuleSet, i32> {
    let mut set = match builtin {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{:?}", miette::Report::from(e));
            return Err(2);
        }
    };
    // The same directory named twice (the config's `rules` and `--rules`, say) is loaded once.
    let mut loaded: Vec<PathBuf> = Vec::new();
    for d in dirs {
        let same = std::fs::canonicalize(d).unwrap_or_else(|_| d.clone());
        if loaded.contains(&same) {
            continue;
        }
        loaded.push(same);
        match set.load_dir(d) {
            Ok(0) => eprintln!(
                "ekslint: warning: no rule files (*.yaml, *.yml) in {} (files in its subdirectories are not read: name each directory)",
                shown_path(d)
            ),
            Ok(_) => {}
            Err(e) => {
                eprintln!("{:?}", miette::Report::from(e));
                return Err(2);
            }
        }
    }
    Ok(set)
}

fn explain(id: &str, dirs: &[PathBuf]) -> i32 {
    let set = match load_rules(RuleSet::builtin(), dirs) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let Some(rule) = set.get(id) else {
        let near: Vec<String> = crate::config::closest_rules(id, &set)
            .iter()
            .map(|r| format!("{} ({})", r.meta.id, r.meta.name))
            .collect();
        let guess = if near.is_empty() {
            String::new()
        } else {
            format!("; did you mean {}?", near.join(" or "))
        };
        error(format!(
            "no rule `{id}`{guess}; `ekslint rules` lists them (your own rules: add --rules DIR, or list DIR in the config's `rules`)"
        ));
        return 2;
    };
    emit(crate::docs::rule_markdown(rule).as_bytes())
}

fn test_rules(dirs: &[PathBuf], all: bool) -> i32 {
    let set = match load_rules(RuleSet::builtin(), dirs) {
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
        if !dirs.is_empty() {
            // Which directory is empty was said as it was loaded.
            error("no rules to test");
        } else {
            error("no rules to test: name a directory with --rules DIR (or use --all)");
        }
        return 2;
    }
    let mut failed = 0;
    let mut text = String::new();
    for id in &ids {
        let problems = crate::rules::examples::check(&linter, id);
        if problems.is_empty() {
            text += &format!("ok      {id}\n");
        } else {
            failed += 1;
            text += &format!("FAILED  {id}\n");
            for p in problems {
                text += &format!("  {p}\n");
            }
        }
    }
    text += &format!("{} passed, {failed} failed\n", ids.len() - failed);
    match emit(text.as_bytes()) {
        0 => i32::from(failed > 0),
        code => code,
    }
}

fn list(format: ListFormat, dirs: &[PathBuf]) -> i32 {
    let set = match load_rules(RuleSet::builtin(), dirs) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let text = match format {
        ListFormat::Table => {
            let mut text = String::new();
            for r in &set.rules {
                text += &format!(
                    "{:<8} {:<32} {:<8} {}\n",
                    r.meta.id,
                    r.meta.name,
                    r.meta.severity.as_str(),
                    r.meta.summary
                );
            }
            text
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
            serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
        }
    };
    emit(text.as_bytes())
}

/// The rule directories of the config file found upward from here, then `dirs` (`--rules`): the
/// commands about rules (`rule`, `rules`, `test-rules`) see the rules a lint run would.
fn with_config_rules(dirs: Vec<PathBuf>) -> Result<Vec<PathBuf>, i32> {
    let found = std::env::current_dir()
        .ok()
        .and_then(|d| crate::config::discover(&d));
    let mut all = match found {
        Some(p) => config_file(&p)?.rules,
        None => Vec::new(),
    };
    all.extend(dirs);
    Ok(all)
}

/// The config in force: `--config`, else the nearest one upward, unless `--isolated`; and the
/// configs of paths linted that it leaves out (with a path each: see [`config_for_paths`]).
fn load_config(args: &CheckArgs) -> Result<(Config, Vec<(PathBuf, String)>), i32> {
    if args.isolated {
        return Ok((Config::default(), Vec::new()));
    }
    let (path, left_out) = match &args.config {
        Some(p) => (Some(p.clone()), Vec::new()),
        None => config_for_paths(&args.paths, args.stdin_filename.as_deref()),
    };
    if let Some(p) = &path
        && args.config.is_none()
        && let Some(dir) = p.parent()
        && dir.join(".ekslint.yaml").is_file()
        && dir.join(".ekslint.yml").is_file()
    {
        eprintln!(
            "ekslint: warning: both .ekslint.yaml and .ekslint.yml are in {}: using {}, ignoring the other; remove one",
            shown_path(dir),
            p.file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
        );
    }
    if args.verbose {
        match &path {
            Some(p) => eprintln!("ekslint: config: {}", shown_path(p)),
            None => {
                eprintln!("ekslint: no config file (.ekslint.yaml) here or above the paths linted")
            }
        }
    }
    let config = match path {
        Some(p) => config_file(&p)?,
        None => Config::default(),
    };
    Ok((config, left_out))
}

/// What `ekslint size` leaves out: `--exclude`, and the `exclude` of the config a lint run of the
/// same paths would use, so that both commands see the same workloads.
pub(crate) fn size_excludes(
    paths: &[String],
    stdin_filename: Option<&str>,
    cli: &[String],
) -> Result<discover::Excludes, i32> {
    let (path, _) = config_for_paths(paths, stdin_filename);
    let config = match path {
        Some(p) => config_file(&p)?,
        None => Config::default(),
    };
    excludes_of(&config, cli)
}

/// A run's excludes: each config file's globs anchored at its directory, `--exclude` (`cli`) at
/// the working directory and the config's.
fn excludes_of(config: &Config, cli: &[String]) -> Result<discover::Excludes, i32> {
    let anchor = config.path.as_deref().and_then(discover::Anchor::new);
    let mut groups = config.exclude_groups();
    groups.extend(discover::Excludes::cli_groups(cli, anchor));
    discover::Excludes::groups(groups).map_err(|e| {
        error(e);
        2
    })
}

/// The config file of a lint run: the nearest `.ekslint.yaml` upward from the paths linted (a
/// file's directory, a directory itself), so `ekslint team/k8s` run from the repository root uses
/// `team/.ekslint.yaml`; standard input counts as the path `--stdin-filename` gives it. A path
/// with none above it, standard input without a name, and no path at all take the one found
/// from the current directory. A run has one config: when the paths lead to different
/// files, the current directory's is used, and the others come back, each with a path it is
/// the config of (a warning names them: [`warn_unused_configs`]).
fn config_for_paths(
    paths: &[String],
    stdin_filename: Option<&str>,
) -> (Option<PathBuf>, Vec<(PathBuf, String)>) {
    let Ok(cwd) = std::env::current_dir() else {
        return (None, Vec::new());
    };
    let here = crate::config::discover(&cwd);
    let mut found: Vec<(Option<PathBuf>, &str)> = Vec::new();
    // Standard input counts as the file it stands for (`--stdin-filename`, as an editor says).
    let named = paths.iter().filter_map(|p| match p.as_str() {
        "-" => stdin_filename,
        p => Some(p),
    });
    for arg in named {
        let path = crate::discover::normalize(&cwd.join(arg));
        let start = if path.is_dir() {
            path.as_path()
        } else {
            match path.parent() {
                Some(dir) if dir.is_dir() => dir,
                // A path that does not exist is an error of the walk, not a config's.
                _ => continue,
            }
        };
        let config = crate::config::discover(start).or_else(|| here.clone());
        if !found.iter().any(|(c, _)| *c == config) {
            found.push((config, arg));
        }
    }
    match found.as_slice() {
        [] => (here, Vec::new()),
        [(one, _)] => (one.clone(), Vec::new()),
        several => {
            let left_out = several
                .iter()
                .filter(|(c, _)| *c != here)
                .filter_map(|(c, arg)| Some((c.clone()?, arg.to_string())))
                .collect();
            (here, left_out)
        }
    }
}

/// Warns about each config file this run does not use, though it is the config of a path
/// linted (`left_out`, from [`config_for_paths`]) or sits in a directory walked (`walked`).
fn warn_unused_configs(config: &Config, left_out: &[(PathBuf, String)], walked: &[PathBuf]) {
    let in_use = config.path.as_deref();
    let dir_in_use = in_use
        .and_then(Path::parent)
        .and_then(|d| std::fs::canonicalize(d).ok());
    let shown_in_use = in_use.map(crate::discover::from_here);
    for (c, arg) in left_out {
        eprintln!(
            "ekslint: warning: {} (the config for {arg}) is not used: the paths of this run lead to different config files and a run uses one: {}; lint {arg} in a run of its own, or name a config with --config",
            crate::discover::from_here(c),
            shown_in_use.as_ref().map_or_else(
                || "none (there is no config file here or above)".to_string(),
                |p| format!("the current directory's ({p})"),
            )
        );
    }
    // Those named above, and those the config in use extends (they are in force).
    let named: Vec<_> = left_out
        .iter()
        .map(|(c, _)| c)
        .chain(&config.extended)
        .filter_map(|c| std::fs::canonicalize(c).ok())
        .collect();
    for c in walked {
        // The config in use, its twin beside it (warned about already), or one named above or
        // extended.
        let dir = c.parent().and_then(|d| std::fs::canonicalize(d).ok());
        if dir.is_some() && dir == dir_in_use
            || std::fs::canonicalize(c).is_ok_and(|c| named.contains(&c))
        {
            continue;
        }
        let dir = crate::discover::from_here(c.parent().unwrap_or(Path::new(".")));
        eprintln!(
            "ekslint: warning: {} is not used: a run uses one config ({}), and the files under {dir} were linted with it; lint {dir} in a run of its own to use its config",
            crate::discover::from_here(c),
            shown_in_use.as_deref().unwrap_or("none"),
        );
    }
}

/// The config file at `path`, or exit code 2 once its error is shown (with its code frame).
fn config_file(path: &std::path::Path) -> Result<Config, i32> {
    Config::load(path).map_err(|e| {
        eprintln!("{:?}", miette::Report::from(e));
        2
    })
}

fn check(args: CheckArgs) -> i32 {
    let t0 = std::time::Instant::now();
    // Refused before any work: `-o` naming a file being linted would put the report in place of
    // the manifest.
    if let Some(path) = &args.output
        && let Ok(target) = std::fs::canonicalize(path)
        && args
            .paths
            .iter()
            .any(|p| std::fs::canonicalize(p).is_ok_and(|p| p == target))
    {
        error(format!(
            "not writing the report to {}: it is one of the files being linted",
            path.display()
        ));
        return 2;
    }
    // The built-in rules are parsed while the files are found (every run pays for both before it
    // lints anything).
    let builtin = std::thread::spawn(RuleSet::builtin_for_linting);
    let (mut config, left_out) = match load_config(&args) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let excludes = match excludes_of(&config, &args.exclude) {
        Ok(e) => e,
        Err(code) => return code,
    };
    let mut baseline = match &args.baseline {
        Some(p) => match crate::baseline::Baseline::load(p) {
            Ok(b) => Some(b),
            Err(e) => {
                error(e);
                return 2;
            }
        },
        None => None,
    };
    // Rewriting a baseline keeps the entries this run cannot judge (the files and rules it does
    // not check); a file there that is no baseline is not overwritten.
    // An empty file (`touch`, `mktemp`) is no baseline yet, and nothing to protect.
    let mut previous = match &args.write_baseline {
        Some(p) if p.exists() && std::fs::metadata(p).is_ok_and(|m| m.len() > 0) => {
            match crate::baseline::Baseline::load(p) {
                Ok(b) => Some(b),
                Err(e) => {
                    error(format!("{e}: not overwriting it with --write-baseline"));
                    return 2;
                }
            }
        }
        _ => None,
    };
    let paths = if args.paths.is_empty() {
        vec![".".to_string()]
    } else {
        args.paths.clone()
    };
    let stdin_name = args
        .stdin_filename
        .clone()
        .unwrap_or_else(|| "<stdin>".to_string());
    let threads = discover::walk_threads();

    let stdout = io::stdout();
    let is_tty = args.output.is_none() && stdout.is_terminal();
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
    let mut summary = Summary::default();
    // Between linting and reporting, what is kept of every file waits here: in memory up to a
    // budget, in temporary files beyond it (see `spill`).
    let spill = crate::spill::Spill::from_env();

    // Phase 1: find and lint every file as the walk finds it. The walk runs on its own thread
    // (in the tree's order) and hands files over a short queue to the lint workers; what they
    // keep of a file is put back in walk order by `Sink`. No list of all files is ever held.
    let t1 = std::time::Instant::now();
    let mut walk_errors = Vec::new();
    let seen: discover::Walked;
    let (linter, sink) = if threads <= 1 {
        // One thread means one thread: walk, lint and keep in turn.
        let linter = match prepare_linter(builtin, &args, &mut config) {
            Ok(l) => l,
            Err(code) => return code,
        };
        let sink = Sink::new(spill.budget());
        let mut seq = 0;
        seen = discover::stream(
            &paths,
            &excludes,
            &stdin_name,
            |input| {
                sink.put(0, vec![(seq, lint_one(&linter, &input, true))]);
                seq += 1;
                true
            },
            |e| walk_errors.push(e),
        );
        (linter, sink)
    } else {
        // Files go over in batches: one hand-over per file costs more than the queue saves.
        const BATCH: usize = 64;
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<(usize, Input)>>(32);
        let walked = std::thread::scope(|scope| {
            let paths = &paths;
            // Linted batches come back to the walker's thread to be freed there: glibc frees
            // memory of another thread's arena under that arena's lock, which the walker,
            // allocating paths all the while, would contend for.
            let (back_tx, back_rx) = std::sync::mpsc::channel::<Arc<Batch>>();
            let walker = scope.spawn(move || {
                let mut errors = Vec::new();
                let mut seq = 0;
                let mut spare: Vec<Vec<(usize, Input)>> = Vec::new();
                let mut batch = Vec::with_capacity(BATCH);
                let mut open = true;
                let seen = discover::stream(
                    paths,
                    &excludes,
                    &stdin_name,
                    |input| {
                        batch.push((seq, input));
                        seq += 1;
                        if batch.len() == BATCH {
                            while let Ok(done) = back_rx.try_recv() {
                                // A batch a helper still holds is freed when it lets go.
                                if let Ok(done) = Arc::try_unwrap(done) {
                                    let mut files = done.files;
                                    files.clear();
                                    spare.push(files);
                                }
                            }
                            let next = spare.pop().unwrap_or_else(|| Vec::with_capacity(BATCH));
                            let full = std::mem::replace(&mut batch, next);
                            open = tx.send(full).is_ok();
                        }
                        open
                    },
                    |e| errors.push(e),
                );
                if open && !batch.is_empty() {
                    let _ = tx.send(batch);
                }
                drop(tx);
                drop(spare);
                // Until the last worker is done, the batches it hands back are freed here.
                for _ in back_rx {}
                (errors, seen)
            });
            // The built-in rules were parsed while the walk started.
            let linter = prepare_linter(builtin, &args, &mut config);
            let linter = match linter {
                Ok(l) => l,
                Err(code) => {
                    drop((rx, back_tx));
                    let _ = walker.join();
                    return Err(code);
                }
            };
            let mut linter = linter;
            linter.gate = Some(Gate::default());
            let aside = std::sync::Mutex::new(Vec::<(usize, Input)>::new());
            let sink = Sink::new(spill.budget());
            let rx = std::sync::Mutex::new(rx);
            // The batches being linted, for a worker with nothing left to take from.
            let active = std::sync::Mutex::new(Vec::<Arc<Batch>>::new());
            // The lint workers (a scope of their own: they borrow the linter made above).
            std::thread::scope(|workers| {
                for worker in 0..threads {
                    let back = back_tx.clone();
                    let (rx, active, linter, sink) = (&rx, &active, &linter, &sink);
                    let aside = &aside;
                    workers.spawn(move || {
                        // A file the gate turns away waits in `aside`, and goes as soon as no
                        // large file is in flight; the worker lints other files meanwhile.
                        let one = |seq: usize, input: &Input, done: &mut Vec<(usize, Linted)>| {
                            match lint_one(linter, input, false) {
                                Linted::PutAside => lock(aside).push((seq, input.clone())),
                                linted => done.push((seq, linted)),
                            }
                        };
                        let lint = |seq: usize, input: &Input, done: &mut Vec<(usize, Linted)>| {
                            one(seq, input, done);
                            if linter.gate.as_ref().is_some_and(Gate::is_clear) {
                                let next = lock(aside).pop();
                                if let Some((seq, input)) = next {
                                    one(seq, &input, done);
                                }
                            }
                        };
                        loop {
                            let next = lock(rx).recv();
                            let Ok(files) = next else { break };
                            let batch = Arc::new(Batch::new(files));
                            lock(active).push(batch.clone());
                            let mut done = Vec::with_capacity(batch.files.len());
                            let mut held = 0;
                            while let Some((seq, input)) = batch.take() {
                                let before = done.len();
                                lint(*seq, input, &mut done);
                                // Files with many findings go to the sink without waiting for
                                // the rest of the batch, which would hold them all.
                                held += done[before..]
                                    .iter()
                                    .map(|(_, l)| match l {
                                        Linted::Kept(h) => h.size(),
                                        _ => 0,
                                    })
                                    .sum::<usize>();
                                if held >= WORKER_HELD_BYTES {
                                    sink.put(worker, std::mem::take(&mut done));
                                    held = 0;
                                }
                            }
                            lock(active).retain(|b| !Arc::ptr_eq(b, &batch));
                            sink.put(worker, done);
                            // The walker may have finished: then the batch is freed here.
                            let _ = back.send(batch);
                        }
                        // The walk is over and its queue empty: rather than wait for the last
                        // batches, take files from them one at a time.
                        loop {
                            let left = lock(active).iter().find(|b| b.has_left()).cloned();
                            let Some(batch) = left else { break };
                            while let Some((seq, input)) = batch.take() {
                                let mut done = Vec::new();
                                lint(*seq, input, &mut done);
                                sink.put(worker, done);
                            }
                        }
                        // Last, the files put aside (by this worker or the other), waiting at
                        // the gate if need be.
                        loop {
                            let next = lock(aside).pop();
                            let Some((seq, input)) = next else { break };
                            sink.put(worker, vec![(seq, lint_one(linter, &input, true))]);
                        }
                    });
                }
                drop(back_tx);
            });
            let errors = walker
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            Ok((linter, sink, errors))
        });
        match walked {
            Ok((linter, sink, (errors, named))) => {
                walk_errors = errors;
                seen = named;
                (linter, sink)
            }
            Err(code) => return code,
        }
    };
    let SinkState {
        records,
        facts,
        failed,
        ..
    } = sink.state.into_inner().unwrap_or_else(|p| p.into_inner());
    let t2 = std::time::Instant::now();
    let mut io_failed = !walk_errors.is_empty() || !failed.is_empty();
    // The paths not linted go to the report (below) and to stderr, but only once to a terminal:
    // the human report on standard output says them itself.
    let to_stderr = args.format != Format::Human || args.output.is_some();
    for e in &walk_errors {
        summary.skipped += 1;
        if to_stderr {
            error(format!("{}: {}", e.path, e.message));
        }
    }
    for (name, message) in &failed {
        summary.skipped += 1;
        if to_stderr {
            error(format!("{name}: {message}"));
        }
    }

    // `--output FILE`: the report goes to the file, the summary line to stderr (after the report).
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => match std::fs::File::create(path) {
            Ok(f) => Box::new(io::BufWriter::new(f)),
            Err(e) => {
                let msg = io_message(&e);
                error(format!("cannot write {}: {msg}", path.display()));
                return 2;
            }
        },
        None => Box::new(io::BufWriter::new(stdout.lock())),
    };
    // What makes the run fail (`--exit-zero` aside, below); JUnit's failures are these too.
    let fail_on = args.fail_on.or(config.fail_on).unwrap_or(FailOn::Warning);
    let mut reporter: Box<dyn Reporter> = match args.format {
        Format::Human => {
            let mut h = Human::new(color, is_tty || args.color == ColorChoice::Always, width);
            h.verbose = args.verbose;
            Box::new(h)
        }
        Format::Json => Box::new(Json::default()),
        Format::JsonLines => Box::new(crate::report::json_lines::JsonLines),
        Format::Sarif => Box::new(crate::report::sarif::Sarif::new(&linter.rules)),
        Format::Github => Box::new(crate::report::github::Github),
        Format::Gitlab => Box::new(crate::report::gitlab::Gitlab::default()),
        // Failures are what --fail-on fails on (--exit-zero changes only the exit code).
        Format::Junit => Box::new(crate::report::junit::Junit::new(fail_on.threshold())),
    };
    if args.statistics {
        // A machine-readable report must stay parseable: its counts go to stderr.
        let sink: Box<dyn Write> = if args.format == Format::Human {
            Box::new(io::stdout())
        } else {
            Box::new(io::stderr())
        };
        reporter = Box::new(crate::report::statistics::Statistics::new(reporter, sink));
    }
    // Paths not linted at all go to the report too (formats that can say it, see
    // `Reporter::not_linted`), before any file.
    let not_linted = walk_errors
        .iter()
        .map(|e| (&*e.path, &*e.message))
        .chain(failed.iter().map(|(name, message)| (&**name, &**message)));
    for (path, reason) in not_linted {
        if reporter.not_linted(&mut out, path, reason).is_err() {
            break;
        }
    }
    let mut baseline_entries = Vec::new();
    let baseline_names = args
        .write_baseline
        .as_deref()
        .map(crate::baseline::Names::for_baseline);

    // Phase 2: cross-file checks, over the facts the files left.
    let facts_written = facts.written();
    let (cross, read) = linter.cross_file(facts, Some(&spill));
    if let Err(e) = read {
        io_failed = true;
        error(format!(
            "cannot read back the cross-file facts from the temporary file: {}",
            io_message(&e)
        ));
    }
    let t3 = std::time::Instant::now();
    if args.verbose && (spill.written() > 0 || records.written() > 0 || facts_written > 0) {
        eprintln!(
            "ekslint: {} files' results, {} cross-file facts and {} cross-file findings waited in temporary files (over the {} memory budget)",
            records.written(),
            facts_written,
            spill.written(),
            crate::lint::size_text(spill.budget() as u64)
        );
    }

    // Phase 3: report, in walk order, a batch of files at a time ([`prepare_report`]): records
    // read back and paired with their cross-file findings, decoded, suppressions applied. Every
    // file reaches the reporter (JUnit lists clean files too). Findings were located while each
    // file's text was at hand, so machine formats need no text; the human report reads the files
    // with findings again for its code frames: reading, decoding and indexing their lines is done
    // in parallel, as is rendering them.
    let needs_text = args.format == Format::Human;
    let mut cross = cross.into_iter().peekable();
    let mut drained = records.drain();
    let mut next_batch = |parallel: bool| -> Option<Vec<Reported>> {
        let mut raw = Vec::with_capacity(REPORT_BATCH);
        let mut weight = 0;
        for (i, pending) in drained.by_ref() {
            weight += pending.as_ref().map_or(0, crate::spill::Pending::weight);
            let mut found = Vec::new();
            while let Some((file, f)) = cross.next_if(|(file, _)| *file <= i) {
                // A file before `i` lost its results (said in its place): its findings go too.
                if file == i {
                    found.push(f);
                }
            }
            weight += found.len() * std::mem::size_of::<crate::diagnostic::Finding>();
            raw.push((i, pending, found));
            if raw.len() == REPORT_BATCH || weight >= REPORT_BATCH_BYTES {
                break;
            }
        }
        if raw.is_empty() {
            return None;
        }
        let prepare =
            |(i, pending, found)| prepare_report(&linter, &spill, needs_text, i, pending, found);
        let prepared: Vec<Vec<Reported>> = if parallel && needs_text {
            raw.into_par_iter().map(prepare).collect()
        } else {
            raw.into_iter().map(prepare).collect()
        };
        Some(prepared.into_iter().flatten().collect())
    };
    let mut write_error: Option<io::Error> = None;
    let mut report = |batch: Vec<Reported>| -> bool {
        let mut ready = Vec::with_capacity(batch.len());
        for item in batch {
            let (mut r, reloaded) = match item {
                Reported::Error(message) => {
                    io_failed = true;
                    error(message);
                    continue;
                }
                Reported::File(r, reloaded) => (r, reloaded),
            };
            if let Some(s) = &r.skipped {
                // A file that was asked for but not linted is a failure to lint, as an I/O error is.
                io_failed = true;
                if args.format != Format::Human {
                    eprintln!("ekslint: skipped {}: {}", shown(&r.source.name), s.reason);
                }
            } else if args.verbose {
                let plural = if r.objects == 1 { "" } else { "s" };
                eprintln!(
                    "ekslint: {}: {} object{plural}",
                    shown(&r.source.name),
                    r.objects
                );
            }
            match reloaded {
                Some(Ok(source)) => r.source = source,
                Some(Err(e)) => {
                    io_failed = true;
                    error(format!("{}: {}", r.source.name, io_message(&e)));
                }
                None => {}
            }
            // Which rules ran on the file (its `per-path-ignores` globs matched once for both), only
            // when a baseline asks.
            if baseline.is_some() || previous.is_some() {
                let runs = linter.runs_on(&r);
                if let Some(b) = baseline.as_mut() {
                    b.filter(&mut r, &runs);
                }
                if let Some(p) = previous.as_mut() {
                    p.see(&r, &runs);
                }
            }
            if let Some(names) = &baseline_names {
                baseline_entries.extend(crate::baseline::entries(&r, names));
            }
            summary.add(&r);
            ready.push(r);
        }
        // `false` once the report cannot be written: a reader gone away (`| head`) is not an
        // error, a full disk is (below).
        match reporter.files(&mut out, &ready) {
            Ok(()) => true,
            Err(e) => {
                write_error = Some(e);
                false
            }
        }
    };
    // On one thread of its own, the report ran slower: on this kind of machine (a virtual one of
    // two cores) handing a batch to a thread that sleeps costs more than the batch's work.
    while let Some(batch) = next_batch(threads > 1) {
        if !report(batch) {
            break;
        }
    }
    if std::env::var_os("EKSLINT_TIMINGS").is_some_and(|v| !v.is_empty()) {
        // For profiling (see BENCHMARKS.md): where the wall time of this run went.
        let ms = |a: std::time::Instant, b: std::time::Instant| (b - a).as_secs_f64() * 1000.0;
        let t4 = std::time::Instant::now();
        eprintln!(
            "ekslint: timings: start-up {:.1} ms, walk and lint {:.1} ms, cross-file {:.1} ms, report {:.1} ms",
            ms(t0, t1),
            ms(t1, t2),
            ms(t2, t3),
            ms(t3, t4)
        );
    }
    let written = match write_error {
        Some(e) => Err(e),
        None => reporter
            .finish(&mut out, &summary)
            .and_then(|()| out.flush()),
    };
    drop(out);
    match (&args.output, written) {
        (_, Ok(())) => {}
        (None, Err(e)) if e.kind() == io::ErrorKind::BrokenPipe => {}
        (None, Err(e)) => {
            // A full disk under `> report.sarif` would otherwise leave a cut report and a pass.
            error(format!(
                "cannot write the report to standard output: {}",
                io_message(&e)
            ));
            io_failed = true;
        }
        (Some(path), Err(e)) => {
            error(format!(
                "cannot write {}: {}",
                path.display(),
                io_message(&e)
            ));
            io_failed = true;
        }
    }
    if args.output.is_some() {
        eprintln!("{}", summary.line());
    }
    if args.verbose {
        for path in &seen.excluded {
            eprintln!(
                "ekslint: {}: excluded (`exclude` in the config, or --exclude)",
                shown(path)
            );
        }
    }
    // Config files of paths linted, or in the tree, that this run did not use (a run has one
    // config): said, so that a team's own settings are never left out without a word.
    if args.config.is_none() && !args.isolated {
        warn_unused_configs(&config, &left_out, &seen.configs);
    }
    for path in &seen.special {
        eprintln!(
            "ekslint: warning: {}: not linted: not a regular file (a named pipe, socket or device); name it on the command line to read it",
            shown_path(path)
        );
    }
    let excluded = &seen.excluded;
    if summary.files == 0 && summary.skipped == 0 {
        // "No problems in 0 files" is easy to misread as a clean run.
        if excluded.is_empty() {
            eprintln!(
                "ekslint: warning: nothing was linted: found no manifests (.yaml, .yml, .json, NFS exports files) under {}, apart from hidden, ignored (.gitignore) and excluded ones",
                paths.join(", ")
            );
        } else {
            let (n, them) = match excluded.len() {
                1 => ("the path".to_string(), "it"),
                n => (format!("all {n} paths"), "them"),
            };
            eprintln!(
                "ekslint: warning: nothing was linted: {n} named {} excluded by `exclude` (in the config, or --exclude); to lint {them}, remove the pattern that matches",
                if excluded.len() == 1 { "is" } else { "are" }
            );
        }
    }

    let rule = |id: &str| linter.rules.get(id);
    let ran = |id: &str| rule(id).is_some();
    let cross_file =
        |id: &str| rule(id).is_some_and(|r| r.has_phase(crate::rules::builtin::Phase::Global));
    if let Some(b) = &baseline {
        let stale = b.stale(ran, cross_file);
        if !stale.is_empty() {
            let (n, entries, match_) = match stale.len() {
                1 => (1, "entry", "matches"),
                n => (n, "entries", "match"),
            };
            eprintln!(
                "ekslint: {n} baseline {entries} no longer {match_} a finding (fixed?); to shrink the baseline, rerun with --write-baseline{}",
                if args.verbose {
                    ":"
                } else {
                    " (-v lists them)"
                }
            );
            if args.verbose {
                for e in stale {
                    eprintln!("  {} {} {}", e.file, e.rule, e.message);
                }
            }
        }
        // Said without -v: a clean summary over hidden findings should not pass for a clean tree.
        if b.matched > 0 {
            let moved = match b.moved {
                0 => String::new(),
                n => format!(
                    " ({n} of them under an old file name, from files renamed or moved since: `--write-baseline` records the new names)"
                ),
            };
            eprintln!(
                "ekslint: the baseline left out {} known finding{}{moved}",
                b.matched,
                if b.matched == 1 { "" } else { "s" }
            );
        }
    }
    if let Some(path) = &args.write_baseline {
        let n = baseline_entries.len();
        let kept = previous
            .take()
            .map(|p| p.unjudged(ran, cross_file))
            .unwrap_or_default();
        let m = kept.len();
        baseline_entries.extend(kept);
        if let Err(e) = crate::baseline::write(path, baseline_entries) {
            error(e);
            return 2;
        }
        let kept = match m {
            0 => String::new(),
            1 => " (and kept 1 entry of files or rules this run did not check)".to_string(),
            m => format!(" (and kept {m} entries of files or rules this run did not check)"),
        };
        let findings = if n == 1 { "finding" } else { "findings" };
        eprintln!(
            "ekslint: wrote {n} {findings} to the baseline {}{kept}",
            shown_path(path)
        );
        return if io_failed { 2 } else { 0 };
    }
    let fail_on = if args.exit_zero {
        FailOn::Never
    } else {
        fail_on
    };
    let threshold = fail_on.threshold();
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

/// A size as `--max-file-size` takes it: bytes, or a number with a unit (see its help).
fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let digits = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(digits);
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "ki" | "kib" => 1 << 10,
        "m" | "mi" | "mib" => 1 << 20,
        "g" | "gi" | "gib" => 1 << 30,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        _ => {
            return Err(format!(
                "unknown unit `{}`: use K, M or G (or Ki/KiB, Mi/MiB, Gi/GiB; KB, MB, GB are powers of 1000)",
                unit.trim()
            ));
        }
    };
    let not_a_number =
        || "expected a number of bytes, e.g. `1048576`, `512K` or `64MiB`".to_string();
    if number.contains('.') {
        // `1.5M`: a fraction of a unit, in whole bytes.
        let n: f64 = number.parse().map_err(|_| not_a_number())?;
        let bytes = (n * factor as f64).round();
        return if bytes < u64::MAX as f64 {
            Ok(bytes as u64)
        } else {
            Err(format!("`{t}` is too large"))
        };
    }
    if number.is_empty() {
        return Err(not_a_number());
    }
    // Only digits are left: the one way to fail is to be too large.
    number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(factor))
        .ok_or_else(|| format!("`{t}` is too large"))
}

/// About how much memory the results a lint worker holds may take before it hands them to the
/// sink (which writes what is past its budget to the temporary file), without waiting for the
/// end of its batch.
const WORKER_HELD_BYTES: usize = 1 << 20;

/// Files a report batch holds: more cost more memory, fewer cost more hand-overs.
const REPORT_BATCH: usize = 64;

/// And about how much memory their results may take ([`crate::spill::Pending::weight`]): files
/// with many findings go over a few at a time (40 files of 3,750 findings each were decoded
/// together: 148 MB).
const REPORT_BATCH_BYTES: usize = 4 << 20;

/// A file as the report phase hands it to the reporter, or what to say in its place.
// Nearly every one is a file: boxing it would be an allocation per file for the rare error.
#[allow(clippy::large_enum_variant)]
enum Reported {
    /// Its result, and (the human report) its text read again.
    File(FileResult, Option<io::Result<crate::source::Source>>),
    /// What could not be read back.
    Error(String),
}

/// File number `i` made ready for the reporter: its record decoded, its cross-file findings
/// joined, suppressions applied ([`Linter::finalize`]), rendered `helm template` output on stdin
/// split by each document's `# Source:` file, and (`needs_text`) its text read again.
fn prepare_report(
    linter: &Linter,
    spill: &crate::spill::Spill,
    needs_text: bool,
    i: usize,
    pending: io::Result<Pending>,
    found: Vec<Result<crate::spill::Segment, Box<crate::diagnostic::Finding>>>,
) -> Vec<Reported> {
    let decoded = pending
        .map_err(|e| (e, " and of some after it"))
        .and_then(|p| p.decode(&linter.rules).map_err(|e| (e, "")));
    let mut r = match decoded {
        Ok(Held::Full(r)) => *r,
        Ok(Held::Clean { name, objects }) => {
            let mut r = FileResult::new(crate::source::Source::new(name, ""));
            r.objects = objects as usize;
            r
        }
        Err((e, more)) => {
            return vec![Reported::Error(format!(
                "cannot read back the results of the {}th file{more} from the temporary file: {}",
                i + 1,
                io_message(&e)
            ))];
        }
    };
    let mut out = Vec::new();
    for found in found {
        match found {
            Err(f) => r.findings.push(*f),
            Ok(segment) => match spill.load(segment, &linter.rules) {
                Ok(findings) => r.findings.extend(findings),
                Err(e) => out.push(Reported::Error(format!(
                    "{}: cannot read back its findings from the temporary file: {}",
                    r.source.name,
                    io_message(&e)
                ))),
            },
        }
    }
    linter.finalize(&mut r);
    let files = if r.origin.is_none() {
        let stdin_name = r.source.name.clone();
        let mut on_disk = std::collections::HashMap::new();
        let mut files = crate::lint::split_rendered(r);
        for f in files.iter_mut().filter(|f| f.rendered_from.is_some()) {
            let template = on_disk
                .entry(f.source.name.clone())
                .or_insert_with(|| crate::lint::template_on_disk(&f.source.name, &stdin_name));
            f.source.name = template.clone();
        }
        files
    } else {
        vec![r]
    };
    out.extend(files.into_iter().map(|r| {
        // A text that was dropped (that of a named pipe was kept) is read again.
        let path = r
            .origin
            .as_ref()
            .filter(|_| needs_text && r.source.text.is_empty() && !r.findings.is_empty());
        let reloaded = path.map(|path| {
            std::fs::read(path).map(|bytes| {
                let text = String::from_utf8(bytes)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
                let source = crate::source::Source::new(r.source.name.clone(), text);
                // The line index is built on first use: here, off the reporter's thread.
                source.line_count();
                source
            })
        });
        Reported::File(r, reloaded)
    }));
    out
}

/// What became of one file in a worker.
enum Linted {
    Kept(Held),
    /// Could not be read: its name and why.
    Failed(String, Box<str>),
    /// A large file the [`Gate`] did not let through: to be linted later.
    PutAside,
}

/// Lints one file and keeps what the report and the cross-file phase need of it: its findings,
/// facts and suppression directives, never its tree or (for a file on disk) its text.
fn lint_one(linter: &Linter, input: &Input, wait: bool) -> Linted {
    let linted = match input {
        Input::File { path, patch } => {
            match linter.lint_path_gated(&input.display(), path, *patch, wait) {
                Err(e) if e.get_ref().is_some_and(|e| e.is::<PutAside>()) => {
                    return Linted::PutAside;
                }
                r => r.map_err(|e| io_message(&e)),
            }
        }
        Input::Stdin { name } => discover::read_stdin(name, linter.max_file_size)
            .map(|bytes| linter.lint_bytes(name, bytes))
            .map_err(|(_, message)| message),
    };
    let mut r = match linted {
        Ok(r) => r,
        Err(message) => {
            return Linted::Failed(input.display().into_owned(), message.into_boxed_str());
        }
    };
    // The text of a regular file is dropped here, in the worker (the human report reads it
    // again for its code frames).
    if r.rereadable {
        r.source = crate::source::Source::new(std::mem::take(&mut r.source.name), "");
        if r.findings.is_empty()
            && r.facts.is_empty()
            && r.directives.is_empty()
            && r.skipped.is_none()
        {
            return Linted::Kept(Held::Clean {
                name: std::mem::take(&mut r.source.name).into_boxed_str(),
                objects: u32::try_from(r.objects).unwrap_or(u32::MAX),
            });
        }
    }
    r.findings.shrink_to_fit();
    r.facts.shrink_to_fit();
    Linted::Kept(Held::Full(Box::new(r)))
}

/// Files handed to a lint worker together (one hand-over per file costs more than the queue
/// saves). Files are taken one at a time, so that at the end of the walk an idle worker can
/// help with the batch another is still on.
struct Batch {
    files: Vec<(usize, Input)>,
    next: AtomicUsize,
}

impl Batch {
    fn new(files: Vec<(usize, Input)>) -> Batch {
        Batch {
            files,
            next: AtomicUsize::new(0),
        }
    }
    fn take(&self) -> Option<&(usize, Input)> {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        self.files.get(i)
    }
    fn has_left(&self) -> bool {
        self.next.load(Ordering::Relaxed) < self.files.len()
    }
}

/// Puts the files back in walk order as the workers finish them (a file finished early waits
/// in `pending` for those before it), then keeps each in [`Records`] and its facts in [`Facts`].
// Tried: encoding each record before taking the lock, and freeing the written ones after letting
// it go. The lock was held less (13-32 ms a corpus run -> 8-15 ms) but no run got faster on 2
// threads, and peak memory over ten times the corpus rose 2.5-3.5 MB (allocations freed by
// another thread than made them). See BENCHMARKS.md, eighth session.
struct Sink {
    state: std::sync::Mutex<SinkState>,
}

struct SinkState {
    next: usize,
    /// Results that wait for those before them (the first is file `next`'s place), with the
    /// worker that made each. A ring, not a map: a map's nodes are freed by whichever worker
    /// empties them (see `put`).
    pending: std::collections::VecDeque<Option<(usize, Linted)>>,
    records: Records,
    facts: Facts,
    failed: Vec<(String, Box<str>)>,
    /// Per worker: results it made that another worker wrote out, for it to free.
    unfreed: Vec<Vec<Unfreed>>,
}

/// What the sink has written out of a result, to be freed by the worker that made it.
enum Unfreed {
    Record(#[allow(dead_code)] Held),
    Facts(#[allow(dead_code)] Vec<(usize, crate::rules::builtin::Fact)>),
}

impl Sink {
    fn new(budget: usize) -> Sink {
        Sink {
            state: std::sync::Mutex::new(SinkState {
                next: 0,
                pending: std::collections::VecDeque::new(),
                records: Records::new(budget),
                facts: Facts::new(budget),
                failed: Vec::new(),
                unfreed: Vec::new(),
            }),
        }
    }

    /// Hands over the results `worker` made. Whichever worker's turn it is writes out every
    /// result that is next in walk order, its own or the other's; what it wrote out is freed by
    /// the worker that made it, outside the lock. glibc frees memory into the arena of the
    /// thread that allocated it, under that arena's lock: freeing the other worker's results
    /// made both wait on each other's arena (futex waits in `realloc` while building trees, a
    /// few hundred a corpus run; BENCHMARKS.md, eleventh session).
    fn put(&self, worker: usize, done: Vec<(usize, Linted)>) {
        let mut own = Vec::new();
        {
            let mut s = lock(&self.state);
            let s = &mut *s;
            for (seq, linted) in done {
                let at = seq - s.next;
                if s.pending.len() <= at {
                    s.pending.resize_with(at + 1, || None);
                }
                s.pending[at] = Some((worker, linted));
            }
            while let Some(Some(_)) = s.pending.front() {
                let Some(Some((maker, linted))) = s.pending.pop_front() else {
                    break;
                };
                s.next += 1;
                match linted {
                    Linted::Kept(mut held) => {
                        if s.unfreed.len() <= maker {
                            s.unfreed.resize_with(maker + 1, Vec::new);
                        }
                        // What is written out goes to its maker (this worker's own: freed below).
                        let to = if maker == worker {
                            &mut own
                        } else {
                            &mut s.unfreed[maker]
                        };
                        if let Held::Full(r) = &mut held {
                            // The file's number is its place among the reported files.
                            let facts = s.facts.add(s.records.len(), r);
                            if facts.capacity() > 0 {
                                to.push(Unfreed::Facts(facts));
                            }
                        }
                        to.extend(s.records.push(held).map(Unfreed::Record));
                    }
                    Linted::Failed(name, message) => s.failed.push((name, message)),
                    // Never handed over: a worker lints it later.
                    Linted::PutAside => {}
                }
            }
            if let Some(mine) = s.unfreed.get_mut(worker) {
                own.append(mine);
            }
        }
        drop(own);
    }
}

/// The rules in force (built-in, the config's and `--rules` directories, `--select`/`--ignore`
/// applied) in a linter set up from the arguments.
fn prepare_linter(
    builtin: std::thread::JoinHandle<Result<RuleSet, crate::rules::LoadError>>,
    args: &CheckArgs,
    config: &mut Config,
) -> Result<Linter, i32> {
    // A panic while loading the built-in rules is a bug: let it show as one.
    let builtin = builtin
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    let mut rules = load_rules(builtin, config.rules.iter().chain(&args.rules))?;
    if args.select.iter().any(|s| s.trim().is_empty()) {
        // `--select ''` (an unset variable in a script) would otherwise run every rule.
        error("--select: an empty rule selector; name rules, id prefixes or `ALL`");
        return Err(2);
    }
    if !args.select.is_empty() {
        config.select = Some(args.select.iter().map(|s| Selector::cli(s)).collect());
        // The rules asked for on the command line run, whatever the config leaves out (its
        // `ignore` would otherwise make `--select EKS002` "no rule is left to run").
        config.ignore.clear();
    }
    if !args.ignore.is_empty() {
        config.ignore = args.ignore.iter().map(|s| Selector::cli(s)).collect();
    }
    if let Err(e) = config.validate(&rules) {
        eprintln!("{:?}", miette::Report::from(e));
        // A rule of the config's own `rules:` directories is unknown without the config.
        if args.isolated
            && let (Some(found), _) = config_for_paths(&args.paths, args.stdin_filename.as_deref())
        {
            eprintln!(
                "ekslint: note: --isolated ignores {} and the rules of its `rules:` directories; name those with --rules DIR",
                discover::from_here(&found)
            );
        }
        return Err(2);
    }
    let loaded: Vec<(String, String)> = rules
        .rules
        .iter()
        .map(|r| (r.meta.id.clone(), r.meta.name.clone()))
        .collect();
    config.apply(&mut rules);
    if rules.rules.is_empty() {
        // A run that checks nothing would pass whatever the manifests hold.
        if config.select.as_ref().is_some_and(Vec::is_empty) {
            error("no rule is left to run: `select` is empty; leave it out to run every rule");
            return Err(2);
        }
        error(
            "no rule is left to run: `--ignore` (or the config's `ignore`) removes every rule \
             that `--select` chose; `ekslint rules` lists them",
        );
        return Err(2);
    }
    let mut linter = Linter::new(rules);
    linter.max_file_size = args.max_file_size;
    linter.inline_suppressions = !args.no_inline_suppressions;
    linter.path_ignores = config.path_ignores();
    linter.inactive = loaded
        .into_iter()
        .filter(|(id, _)| linter.rules.get(id).is_none())
        .collect();
    Ok(linter)
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_are_bytes_or_a_number_with_a_unit() {
        assert_eq!(parse_size("1000"), Ok(1000));
        assert_eq!(parse_size("512K"), Ok(512 << 10));
        assert_eq!(parse_size("64mib"), Ok(64 << 20));
        assert_eq!(parse_size("1 G"), Ok(1 << 30));
        assert_eq!(parse_size("2MB"), Ok(2_000_000));
        // The default shown in --help is the linter's.
        assert_eq!(parse_size("32MiB"), Ok(crate::lint::DEFAULT_MAX_FILE_SIZE));
        assert!(parse_size("").is_err());
        assert!(parse_size("K").is_err());
        assert!(parse_size("12Q").unwrap_err().contains("unknown unit `Q`"));
        assert!(
            parse_size("99999999999G")
                .unwrap_err()
                .contains("too large")
        );
        assert!(
            parse_size("99999999999999999999")
                .unwrap_err()
                .contains("too large")
        );
        assert_eq!(parse_size("1Mi"), Ok(1 << 20));
        assert_eq!(parse_size("1.5K"), Ok(1536));
        assert!(parse_size("1.2.3K").is_err());
    }
}
