//! Between linting and reporting, what is kept of every file ([`Records`]: its name, object
//! count and findings) waits for the cross-file phase and for its turn to be reported, and so do
//! the cross-file findings ([`Spill`]). Up to a memory budget each waits in memory; beyond it in
//! an anonymous temporary file (postcard-encoded), read back when its file is reported. A run's
//! memory then stays about the same however many files and findings it has.
//!
//! If no temporary file can be created or written, everything stays in memory: spilling saves
//! memory, it is never a reason for a run to fail.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};

use crate::diagnostic::{FileResult, Finding, Label, Severity};
use crate::k8s::ObjectRef;
use crate::rules::RuleSet;
use crate::source::{Loc, Span};

/// How much memory results (and, apart, cross-file findings) may take before they wait in a
/// temporary file (override: `EKSLINT_SPILL_BUDGET`, bytes). At 256 KiB a run over the corpus
/// (4,881 files) writes only a few megabytes and was not measurably slower than at 1 or 4 MiB;
/// over ten times the corpus the peak memory is 2-3 MB lower than at 1 MiB (the budgets of the
/// records and of the facts are full there, and not over the corpus once).
pub const DEFAULT_BUDGET: usize = 256 << 10;

/// Where some findings of a file were written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    offset: u64,
    len: u32,
}

/// A finding as it is written: the rule by id (its metadata is shared, never copied).
#[derive(Serialize)]
struct Out<'a> {
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    help: Option<&'a str>,
    span: Span,
    loc: Loc,
    label: Option<&'a str>,
    labels: Vec<(Span, Loc, &'a str)>,
    object: Option<&'a ObjectRef>,
    path: Option<&'a str>,
}

impl<'a> Out<'a> {
    fn new(f: &'a Finding) -> Out<'a> {
        Out {
            rule: &f.rule.id,
            severity: f.severity,
            message: &f.message,
            help: f.help.as_deref(),
            span: f.span,
            loc: f.loc,
            label: f.label.as_deref(),
            labels: f.labels.iter().map(|l| (l.span, l.loc, &*l.text)).collect(),
            object: f.object.as_ref(),
            path: f.path.as_deref(),
        }
    }
}

/// A finding as it is read back.
#[derive(Deserialize)]
struct In {
    rule: String,
    severity: Severity,
    message: String,
    help: Option<String>,
    span: Span,
    loc: Loc,
    label: Option<String>,
    labels: Vec<(Span, Loc, String)>,
    object: Option<ObjectRef>,
    path: Option<String>,
}

impl In {
    fn finding(self, rules: &RuleSet) -> Option<Finding> {
        let rule = rules.rules.iter().find(|r| r.meta.id == self.rule)?;
        Some(Finding {
            rule: rule.meta.clone(),
            severity: self.severity,
            message: self.message,
            help: self.help,
            span: self.span,
            label: self.label,
            labels: self
                .labels
                .into_iter()
                .map(|(span, loc, text)| Label { span, text, loc })
                .collect(),
            object: self.object,
            path: self.path,
            loc: self.loc,
        })
    }
}

/// An anonymous temporary file being written (deleted by the OS when closed, even on a kill).
pub(crate) struct Store {
    pub(crate) out: BufWriter<File>,
    pub(crate) len: u64,
    /// A write failed (disk full?): nothing more is written, but what was written before is
    /// still read back.
    broken: bool,
}

impl Store {
    /// A new temporary file; `Err` if none can be made (what would go there stays in memory).
    pub(crate) fn create() -> Result<Store, ()> {
        tempfile::tempfile()
            .map(|f| Store {
                out: BufWriter::with_capacity(1 << 16, f),
                len: 0,
                broken: false,
            })
            .map_err(|_| ())
    }
}

pub struct Spill {
    budget: usize,
    held: AtomicUsize,
    /// Findings written to the file so far.
    written: AtomicUsize,
    /// `None` until the first spill; `Err` if no temporary file could be made (findings stay in
    /// memory then).
    store: Mutex<Option<Result<Store, ()>>>,
}

impl Spill {
    pub fn new(budget: usize) -> Spill {
        Spill {
            budget,
            held: AtomicUsize::new(0),
            written: AtomicUsize::new(0),
            store: Mutex::new(None),
        }
    }

    /// The budget from `EKSLINT_SPILL_BUDGET` (bytes), else [`DEFAULT_BUDGET`].
    pub fn from_env() -> Spill {
        let budget = std::env::var("EKSLINT_SPILL_BUDGET")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(DEFAULT_BUDGET);
        Spill::new(budget)
    }

    /// Keeps `findings` in memory while the budget allows; otherwise writes them to the temporary
    /// file, empties the vector and returns where they went.
    pub fn keep(&self, findings: &mut Vec<Finding>) -> Option<Segment> {
        if findings.is_empty() {
            return None;
        }
        let size: usize = findings.iter().map(Finding::heap_size).sum();
        let before = self.held.fetch_add(size, Ordering::Relaxed);
        if before + size <= self.budget {
            return None;
        }
        self.held.fetch_sub(size, Ordering::Relaxed);
        let out: Vec<Out<'_>> = findings.iter().map(Out::new).collect();
        let bytes = postcard::to_stdvec(&out).ok()?;
        let len = u32::try_from(bytes.len()).ok()?;
        let mut guard = self.store.lock().ok()?;
        let store = guard.get_or_insert_with(Store::create);
        let Ok(store) = store else {
            // No temporary file: the findings stay where they are.
            return None;
        };
        if store.broken {
            return None;
        }
        if store.out.write_all(&bytes).is_err() {
            // These stay in memory; the bytes that did go out are past every segment's end.
            store.broken = true;
            return None;
        }
        let segment = Segment {
            offset: store.len,
            len,
        };
        store.len += u64::from(len);
        self.written.fetch_add(findings.len(), Ordering::Relaxed);
        findings.clear();
        findings.shrink_to_fit();
        Some(segment)
    }

    /// How many findings went to the temporary file.
    pub fn written(&self) -> usize {
        self.written.load(Ordering::Relaxed)
    }

    /// The budget, in bytes.
    pub fn budget(&self) -> usize {
        self.budget
    }

    /// Reads back the findings of `segment`.
    pub fn load(&self, segment: Segment, rules: &RuleSet) -> std::io::Result<Vec<Finding>> {
        let mut guard = self
            .store
            .lock()
            .map_err(|_| std::io::Error::other("spill file lock poisoned"))?;
        let Some(Ok(store)) = guard.as_mut() else {
            return Err(std::io::Error::other("spill file is gone"));
        };
        store.out.flush()?;
        let mut bytes = vec![0u8; segment.len as usize];
        read_at(store.out.get_mut(), segment.offset, &mut bytes)?;
        let stored: Vec<In> = postcard::from_bytes(&bytes).map_err(std::io::Error::other)?;
        stored
            .into_iter()
            .map(|s| {
                let rule = s.rule.clone();
                s.finding(rules).ok_or_else(|| {
                    std::io::Error::other(format!("a finding of unknown rule `{rule}`"))
                })
            })
            .collect()
    }
}

/// What a lint run keeps of a file between linting it and reporting it.
pub enum Held {
    /// Nothing found, nothing to contribute: its name and how many objects it held.
    Clean {
        name: Box<str>,
        objects: u32,
    },
    Full(Box<FileResult>),
}

impl Held {
    /// About how much memory it takes.
    pub fn size(&self) -> usize {
        const OVERHEAD: usize = 16;
        match self {
            Held::Clean { name, .. } => std::mem::size_of::<Held>() + name.len() + OVERHEAD,
            Held::Full(r) => {
                std::mem::size_of::<Held>()
                    + std::mem::size_of::<FileResult>()
                    + r.source.name.capacity()
                    + r.source.text.len()
                    + r.origin.as_ref().map_or(0, |o| o.as_os_str().len())
                    + r.findings.iter().map(Finding::heap_size).sum::<usize>()
                    + r.directives.len() * std::mem::size_of::<crate::suppress::Directive>()
                    + OVERHEAD * 4
            }
        }
    }

    /// The file's record as it is written; `None` for what stays in memory whatever the budget
    /// (a file with suppression directives, standard input's text, a path that is not UTF-8).
    fn record(&self) -> Option<Record<'_, Out<'_>>> {
        Some(match self {
            Held::Clean { name, objects } => Record::Clean {
                name,
                objects: *objects,
            },
            Held::Full(r) => {
                // A text that could not be dropped (standard input's, a named pipe's) is not
                // written: the record stays in memory with it.
                if !r.directives.is_empty() || !r.facts.is_empty() || !r.source.text.is_empty() {
                    return None;
                }
                let origin = match &r.origin {
                    Some(o) => Some(o.to_str()?),
                    None => None,
                };
                Record::Full {
                    name: &r.source.name,
                    objects: u32::try_from(r.objects).ok()?,
                    skipped: r.skipped.as_ref().map(|s| &*s.reason),
                    origin,
                    findings: r.findings.iter().map(Out::new).collect(),
                }
            }
        })
    }
}

/// `h` as the records file holds it; `None` for what stays in memory whatever the budget.
fn encode(h: &Held) -> Option<Vec<u8>> {
    h.record().and_then(|r| postcard::to_stdvec(&r).ok())
}

/// A file's record in the records file. Each is framed: its length (`u32`, little-endian), its
/// file's number (`u64`), then the record (postcard). A length of 0 marks a file whose record
/// stayed in memory. The number lets the reader tell a damaged file from a good one without
/// decoding the records ([`Pending`]): a record whose bytes are damaged loses only its file.
#[derive(Serialize, Deserialize)]
enum Record<'a, F> {
    Clean {
        name: &'a str,
        objects: u32,
    },
    Full {
        name: &'a str,
        objects: u32,
        skipped: Option<&'a str>,
        origin: Option<&'a str>,
        findings: Vec<F>,
    },
}

/// Every file's [`Held`] record, in order, from linting to reporting: in memory up to a budget,
/// then in an anonymous temporary file, read back in order (the list of files is never held
/// whole: a run over ten times the files takes the same memory).
pub struct Records {
    budget: usize,
    held: usize,
    /// The first records, in memory.
    head: VecDeque<Held>,
    /// `None` until the budget is spent; `Err` if no temporary file could be made.
    store: Option<Result<Store, ()>>,
    /// Complete records in the file.
    on_disk: usize,
    /// Records that stay in memory though they come after the head, with their numbers: one
    /// `Memory` record each in the file.
    side: VecDeque<(usize, Held)>,
    /// The last records, in memory: once the file cannot be made or written.
    tail: VecDeque<Held>,
    spilling: bool,
}

impl Records {
    pub fn new(budget: usize) -> Records {
        Records {
            budget,
            held: 0,
            head: VecDeque::new(),
            store: None,
            on_disk: 0,
            side: VecDeque::new(),
            tail: VecDeque::new(),
            spilling: false,
        }
    }

    /// The next file's record. A record written out to the file is given back, for the caller
    /// to free (see `Sink::put` in `cli`).
    pub fn push(&mut self, h: Held) -> Option<Held> {
        let number = self.len();
        if !self.spilling {
            let size = h.size();
            if self.held + size <= self.budget {
                self.held += size;
                self.head.push_back(h);
                return None;
            }
            self.spilling = true;
        }
        if !self.tail.is_empty() {
            self.tail.push_back(h);
            return None;
        }
        let store = self.store.get_or_insert_with(Store::create);
        let Ok(store) = store else {
            self.tail.push_back(h);
            return None;
        };
        // Empty: stays in memory (or, unlikely, cannot be encoded), a marker in the file.
        let bytes = encode(&h).unwrap_or_default();
        let memory = bytes.is_empty();
        let written = u32::try_from(bytes.len()).is_ok_and(|len| {
            store.out.write_all(&len.to_le_bytes()).is_ok()
                && store.out.write_all(&(number as u64).to_le_bytes()).is_ok()
                && store.out.write_all(&bytes).is_ok()
        });
        if !written {
            // Disk full? What was written stays readable; this and every later record stay here.
            store.broken = true;
            self.tail.push_back(h);
            return None;
        }
        self.on_disk += 1;
        if memory {
            self.side.push_back((number, h));
            return None;
        }
        Some(h)
    }

    /// How many records there are.
    pub fn len(&self) -> usize {
        self.head.len() + self.on_disk + self.tail.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many records went to the temporary file.
    pub fn written(&self) -> usize {
        self.on_disk - self.side.len()
    }

    /// Every record in order, with its number (its file's place in the walk). A record that
    /// cannot be read back is an `Err` (once): the records after it in the file are lost with
    /// it, and their numbers skipped; those that stayed in memory still come, under their own
    /// numbers, so that nothing is matched to the wrong file. The error comes under the number
    /// of the first file whose results were lost (none lost, no error).
    /// Records read back from the file come still encoded ([`Pending::decode`]).
    pub fn drain(mut self) -> impl Iterator<Item = (usize, std::io::Result<Pending>)> {
        let mut reader = match self.store.take() {
            Some(Ok(mut store)) => {
                let rewound = store.out.flush().and_then(|()| {
                    let mut f = store.out.into_inner().map_err(|e| e.into_error())?;
                    f.seek(SeekFrom::Start(0))?;
                    Ok(BufReader::with_capacity(1 << 16, f))
                });
                Some(rewound)
            }
            _ => None,
        };
        let head = std::mem::take(&mut self.head);
        let first_tail = head.len() + self.on_disk;
        // The number of the next record to read from the file, and of the first after them.
        let (mut next, mut end) = (head.len(), first_tail);
        let mut side = std::mem::take(&mut self.side);
        // The error of a record that could not be read, under the number of the first file whose
        // results it lost (records that waited in memory are not lost).
        let mut lost: Option<(usize, std::io::Error)> = None;
        let mut from_disk = move || -> Option<(usize, std::io::Result<Pending>)> {
            if next < end {
                let number = next;
                next += 1;
                let one = match reader.as_mut() {
                    Some(Ok(r)) => read_record(r, &mut side, number),
                    Some(Err(_)) => Err(reader
                        .take()
                        .and_then(Result::err)
                        .unwrap_or_else(|| std::io::Error::other("the records file is gone"))),
                    None => Err(std::io::Error::other("the records file is gone")),
                };
                match one {
                    Ok(h) => return Some((number, Ok(h))),
                    Err(e) => {
                        // This record and those after it in the file are lost, but for those
                        // that waited in memory (a `Memory` record whose marker could not be
                        // read is one of them).
                        let mut first = number;
                        for (n, _) in &side {
                            if *n == first {
                                first += 1;
                            } else if *n > first {
                                break;
                            }
                        }
                        if first < end {
                            lost = Some((first, e));
                        }
                        end = next;
                    }
                }
            }
            // After a record that could not be read: the later ones kept in memory, and the
            // error in its place among them.
            if lost
                .as_ref()
                .is_some_and(|(at, _)| side.front().is_none_or(|(n, _)| n > at))
            {
                return lost.take().map(|(at, e)| (at, Err(e)));
            }
            side.pop_front()
                .map(|(number, h)| (number, Ok(Pending::Held(h))))
        };
        let mut head = head.into_iter().enumerate();
        let mut tail = std::mem::take(&mut self.tail)
            .into_iter()
            .enumerate()
            .map(move |(i, h)| (first_tail + i, Ok(Pending::Held(h))));
        std::iter::from_fn(move || {
            if let Some((i, h)) = head.next() {
                return Some((i, Ok(Pending::Held(h))));
            }
            from_disk().or_else(|| tail.next())
        })
    }
}

/// Reads `buf.len()` bytes at `offset`, leaving the file's cursor where later writes append: one
/// `pread` where there is one (the report reads one segment per file with cross-file findings).
fn read_at(file: &mut File, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
    }
    #[cfg(not(unix))]
    {
        file.seek(SeekFrom::Start(offset))?;
        file.read_exact(buf)?;
        file.seek(SeekFrom::End(0)).map(drop)
    }
}

/// Reads exactly `len` bytes into `buf`. A length read from a damaged temporary file cannot
/// make it allocate more than the file holds.
pub fn read_exactly(r: &mut impl Read, len: usize, buf: &mut Vec<u8>) -> std::io::Result<()> {
    buf.clear();
    r.take(len as u64).read_to_end(buf)?;
    if buf.len() == len {
        Ok(())
    } else {
        Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "the temporary file ends within a record",
        ))
    }
}

/// Reads the frame of record `number`: its bytes, or the record kept in memory in its place.
fn read_record(
    r: &mut BufReader<File>,
    side: &mut VecDeque<(usize, Held)>,
    number: usize,
) -> std::io::Result<Pending> {
    let mut head = [0u8; 12];
    r.read_exact(&mut head)?;
    let (len, at) = head.split_at(4);
    let len = u32::from_le_bytes(len.try_into().unwrap_or_default()) as usize;
    let at = u64::from_le_bytes(at.try_into().unwrap_or_default());
    if at != number as u64 {
        return Err(std::io::Error::other(
            "the records file is damaged (a record out of place)",
        ));
    }
    if len > 0 {
        // Sized up front (but never by a damaged length beyond what a record can be).
        let mut bytes = Vec::with_capacity(len.min(1 << 20));
        read_exactly(r, len, &mut bytes)?;
        return Ok(Pending::Encoded(bytes));
    }
    // Taken only when it is this record's: on a mismatch it stays, and still comes (under its
    // own number) after the error.
    match side.front() {
        Some((n, _)) if *n == number => side
            .pop_front()
            .map(|(_, h)| Pending::Held(h))
            .ok_or_else(|| std::io::Error::other("the records file and memory disagree")),
        _ => Err(std::io::Error::other(
            "the records file and memory disagree",
        )),
    }
}

/// A record as [`Records::drain`] gives it: in memory, or read back but not decoded yet (the
/// report decodes it with the rest of the file's preparation, [`Pending::decode`]).
pub enum Pending {
    Held(Held),
    Encoded(Vec<u8>),
}

impl Pending {
    /// About how much memory the record takes, or (encoded) what its findings will take once
    /// decoded, in proportion: what a report batch is limited by.
    pub fn weight(&self) -> usize {
        match self {
            Pending::Held(h) => h.size(),
            // A finding decoded takes several times its encoded bytes.
            Pending::Encoded(bytes) => bytes.len() * 4,
        }
    }

    /// The record (an error if its bytes are no record, or name a rule not loaded).
    pub fn decode(self, rules: &RuleSet) -> std::io::Result<Held> {
        let bytes = match self {
            Pending::Held(h) => return Ok(h),
            Pending::Encoded(bytes) => bytes,
        };
        let record: Record<'_, In> = postcard::from_bytes(&bytes).map_err(std::io::Error::other)?;
        Ok(match record {
            Record::Clean { name, objects } => Held::Clean {
                name: name.into(),
                objects,
            },
            Record::Full {
                name,
                objects,
                skipped,
                origin,
                findings,
            } => {
                let mut f = FileResult::new(crate::source::Source::new(name, ""));
                f.objects = objects as usize;
                f.skipped = skipped.map(|reason| crate::diagnostic::Skipped {
                    reason: reason.to_string(),
                });
                f.origin = origin.map(std::path::PathBuf::from);
                f.findings = findings
                    .into_iter()
                    .map(|s| {
                        let rule = s.rule.clone();
                        s.finding(rules).ok_or_else(|| {
                            std::io::Error::other(format!("a finding of unknown rule `{rule}`"))
                        })
                    })
                    .collect::<std::io::Result<_>>()?;
                Held::Full(Box::new(f))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(name: &str) -> Held {
        Held::Clean {
            name: name.into(),
            objects: 1,
        }
    }

    /// Standard input's text is never written: it waits in memory, a `Memory` record in the file.
    fn in_memory(name: &str) -> Held {
        Held::Full(Box::new(FileResult::new(crate::source::Source::new(
            name, "a: 1\n",
        ))))
    }

    fn name(h: &Held) -> &str {
        match h {
            Held::Clean { name, .. } => name,
            Held::Full(r) => &r.source.name,
        }
    }

    /// Writes what a damaged file would hold where the next record starts: a length, then bytes
    /// that are no record.
    fn damage(records: &mut Records) {
        match records.store.as_mut() {
            Some(Ok(store)) => store.out.write_all(&[3, 0, 0, 0, 0xff, 0xff, 0xff]),
            _ => panic!("the records file should exist at budget 0"),
        }
        .expect("writable");
    }

    /// Every record's number and its file's name (`None` for an error), as `drain` gives them.
    fn drained(records: Records) -> Vec<(usize, Option<String>)> {
        let rules = RuleSet::default();
        records
            .drain()
            .map(|(i, h)| (i, h.and_then(|p| p.decode(&rules)).ok()))
            .map(|(i, h)| (i, h.map(|h| name(&h).to_string())))
            .collect()
    }

    #[test]
    fn records_come_back_in_order_with_their_numbers() {
        let mut records = Records::new(0);
        for h in [clean("a"), in_memory("b"), clean("c"), in_memory("d")] {
            records.push(h);
        }
        assert_eq!(records.written(), 2);
        let rules = RuleSet::default();
        let back: Vec<(usize, String)> = records
            .drain()
            .map(|(i, h)| (i, h.and_then(|p| p.decode(&rules)).expect("readable")))
            .map(|(i, h)| (i, name(&h).to_string()))
            .collect();
        let want = [(0, "a"), (1, "b"), (2, "c"), (3, "d")].map(|(i, n)| (i, n.to_string()));
        assert_eq!(back, want);
    }

    #[test]
    fn a_damaged_record_loses_the_records_after_it_in_the_file_but_not_their_numbers() {
        let mut records = Records::new(0);
        records.push(clean("a"));
        records.push(in_memory("b"));
        damage(&mut records);
        records.push(clean("c"));
        records.push(in_memory("d"));
        records.push(clean("e"));
        let back = drained(records);
        // "c" (number 2) reads as the damage; "e" is lost with the rest of the file; "d" stayed
        // in memory and comes under its own number, 3, not as the third record.
        let want = vec![
            (0, Some("a".to_string())),
            (1, Some("b".to_string())),
            (2, None),
            (3, Some("d".to_string())),
        ];
        assert_eq!(back, want);
    }

    #[test]
    fn a_damaged_memory_marker_loses_only_what_was_in_the_file() {
        let mut records = Records::new(0);
        records.push(clean("a"));
        // The damage is read where the marker of "b" (kept in memory) should be.
        damage(&mut records);
        records.push(in_memory("b"));
        records.push(in_memory("c"));
        records.push(clean("d"));
        records.push(clean("e"));
        let back = drained(records);
        // "b" and "c" come from memory, once each; the error stands for "d", the first file
        // whose results were in the file after the damage ("e" is lost with it).
        let want = vec![
            (0, Some("a".to_string())),
            (1, Some("b".to_string())),
            (2, Some("c".to_string())),
            (3, None),
        ];
        assert_eq!(back, want);
    }

    #[test]
    fn a_record_that_does_not_decode_is_an_error_for_its_file_alone() {
        let mut records = Records::new(0);
        records.push(clean("a"));
        // The frame of record 1 is sound; its bytes are no record.
        match records.store.as_mut() {
            Some(Ok(store)) => {
                let mut frame = 3u32.to_le_bytes().to_vec();
                frame.extend(1u64.to_le_bytes());
                frame.extend([0xff, 0xff, 0xff]);
                store.out.write_all(&frame)
            }
            _ => panic!("the records file should exist at budget 0"),
        }
        .expect("writable");
        records.on_disk += 1;
        records.push(clean("c"));
        let want = vec![
            (0, Some("a".to_string())),
            (1, None),
            (2, Some("c".to_string())),
        ];
        assert_eq!(drained(records), want);
    }

    #[test]
    fn a_length_beyond_the_end_of_the_file_is_an_error_not_an_allocation() {
        let mut buf = Vec::new();
        let mut short: &[u8] = &[1, 2, 3];
        let e = read_exactly(&mut short, u32::MAX as usize, &mut buf).expect_err("too short");
        assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof);
        assert!(buf.capacity() < 1 << 20);
    }
}
