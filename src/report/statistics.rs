//! `--statistics`: after the report, how many findings each rule produced — most frequent first,
//! then by id — as `ID  name  count` lines. It wraps the format's reporter, so the report itself is
//! unchanged; the counts go to their own stream (standard output after a human report, standard
//! error after a machine-readable one, which must stay parseable).

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::{Reporter, Summary};
use crate::diagnostic::FileResult;

pub struct Statistics {
    inner: Box<dyn Reporter>,
    sink: Box<dyn Write>,
    /// id → (name, count)
    counts: BTreeMap<String, (String, usize)>,
}

impl Statistics {
    pub fn new(inner: Box<dyn Reporter>, sink: Box<dyn Write>) -> Statistics {
        Statistics {
            inner,
            sink,
            counts: BTreeMap::new(),
        }
    }

    /// The table: one line per rule that fired, columns aligned.
    pub fn table(counts: &BTreeMap<String, (String, usize)>) -> String {
        let mut rows: Vec<(&str, &str, usize)> = counts
            .iter()
            .map(|(id, (name, n))| (id.as_str(), name.as_str(), *n))
            .collect();
        rows.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
        let id_w = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
        let name_w = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
        let n_w = rows
            .iter()
            .map(|r| r.2.to_string().len())
            .max()
            .unwrap_or(0);
        rows.iter()
            .map(|(id, name, n)| format!("{id:<id_w$}  {name:<name_w$}  {n:>n_w$}\n"))
            .collect()
    }
}

impl Statistics {
    fn count(&mut self, r: &FileResult) {
        for f in &r.findings {
            self.counts
                .entry(f.rule.id.clone())
                .or_insert_with(|| (f.rule.name.clone(), 0))
                .1 += 1;
        }
    }
}

impl Reporter for Statistics {
    fn file(&mut self, out: &mut dyn Write, r: &FileResult) -> io::Result<()> {
        self.count(r);
        self.inner.file(out, r)
    }

    fn files(&mut self, out: &mut dyn Write, results: &[FileResult]) -> io::Result<()> {
        results.iter().for_each(|r| self.count(r));
        self.inner.files(out, results)
    }

    fn not_linted(&mut self, out: &mut dyn Write, path: &str, reason: &str) -> io::Result<()> {
        self.inner.not_linted(out, path, reason)
    }

    fn finish(&mut self, out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
        self.inner.finish(out, summary)?;
        // The sink may be the same terminal or pipe as `out`: the report comes first.
        out.flush()?;
        self.sink.write_all(Self::table(&self.counts).as_bytes())?;
        self.sink.flush()
    }
}
