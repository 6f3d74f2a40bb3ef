//! The benchmark floor (`ekslint __parse-only PATH...`, hidden from `--help`): the same discovery
//! as a lint run, then every file read and run through saphyr-parser's events, in parallel, with
//! nothing built. `scripts/bench.sh` times a lint run against it: what a linter costs on top of
//! walking, reading and tokenizing.

use rayon::prelude::*;

use crate::discover::{self, Input};

/// Totals of a parse-only run.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub files: usize,
    pub bytes: usize,
    pub events: usize,
    /// Files whose parse stopped at an error (or that could not be read or decoded).
    pub failed: usize,
}

impl Totals {
    fn add(self, o: Totals) -> Totals {
        Totals {
            files: self.files + o.files,
            bytes: self.bytes + o.bytes,
            events: self.events + o.events,
            failed: self.failed + o.failed,
        }
    }
}

/// Counts the parser events of one text, and whether it parsed to the end without an error.
pub fn count_events(text: &str) -> (usize, bool) {
    let mut parser = saphyr_parser::Parser::new_from_str(text);
    let mut n = 0;
    while let Some(ev) = parser.next_event() {
        if ev.is_err() {
            return (n, false);
        }
        n += 1;
    }
    (n, true)
}

fn one(input: &Input) -> Totals {
    let bytes = match input {
        Input::File { path, .. } => std::fs::read(path).ok(),
        Input::Stdin { name } => {
            discover::read_stdin(name, crate::lint::DEFAULT_MAX_FILE_SIZE).ok()
        }
    };
    let Some(bytes) = bytes else {
        return Totals {
            files: 1,
            failed: 1,
            ..Totals::default()
        };
    };
    let len = bytes.len();
    let (events, ok) = match std::str::from_utf8(&bytes) {
        Ok(text) => count_events(text),
        Err(_) => (0, false),
    };
    Totals {
        files: 1,
        bytes: len,
        events,
        failed: usize::from(!ok),
    }
}

/// Walks `paths` as a lint run does, parses every file, prints the totals; exit code 0.
pub fn run(paths: Vec<String>) -> i32 {
    let paths = if paths.is_empty() {
        vec![".".to_string()]
    } else {
        paths
    };
    let found = discover::discover(
        &paths,
        &crate::discover::Excludes::default(),
        "<stdin>",
        discover::walk_threads(),
    );
    let t = found
        .inputs
        .par_iter()
        .map(one)
        .reduce(Totals::default, Totals::add);
    crate::cli::emit(
        format!(
            "{} files, {} bytes, {} events, {} stopped at an error\n",
            t.files, t.bytes, t.events, t.failed
        )
        .as_bytes(),
    )
}
