//! What files leave for the cross-file phase (EKS601): small facts, gathered in walk order while
//! files are linted, checked once every file is in. They are held encoded (postcard) in one
//! buffer, file names in one string; past a memory budget they go to an anonymous temporary file,
//! and the cross-file phase then reads them back in parts small enough for the budget: every fact
//! goes to the part its group (first string: EKS601's image) hashes to, so a check sees every fact
//! of a group at once and memory stays the same however many files a run has.
//!
//! If no temporary file can be created or written, facts stay in memory: spilling saves memory,
//! it is never a reason for a run to fail.

use std::hash::{Hash, Hasher};
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};

use crate::diagnostic::FileResult;
use crate::rules::builtin::{Fact, FactView};
use crate::spill::Store;

/// Facts in memory, read in place by the checks.
#[derive(Default)]
pub struct Part {
    pool: Vec<u8>,
    /// (file index, rule index, end of its encoding in `pool`)
    index: Vec<(usize, usize, usize)>,
    /// Facts that could not be encoded (none are known), kept as they are.
    raw: Vec<(usize, usize, Fact)>,
    names: String,
    /// (file index, where its name is in `names`), in file order.
    name_at: Vec<(usize, usize, usize)>,
}

impl Part {
    fn name_for(&mut self, file: usize, name: &str) {
        if self.name_at.last().is_none_or(|(f, _, _)| *f != file) {
            let start = self.names.len();
            self.names.push_str(name);
            self.name_at.push((file, start, self.names.len()));
        }
    }

    fn push_encoded(&mut self, file: usize, rule: usize, name: &str, fact: &[u8]) {
        self.name_for(file, name);
        self.pool.extend_from_slice(fact);
        self.index.push((file, rule, self.pool.len()));
    }

    /// About how much memory it takes.
    fn size(&self) -> usize {
        self.pool.len()
            + self.names.len()
            + self.index.len() * std::mem::size_of::<(usize, usize, usize)>()
            + self.name_at.len() * std::mem::size_of::<(usize, usize, usize)>()
    }

    /// Every encoded fact: (file, rule, name, bytes).
    fn encoded(&self) -> impl Iterator<Item = (usize, usize, &str, &[u8])> {
        let mut start = 0;
        self.index.iter().map(move |&(file, rule, end)| {
            let bytes = &self.pool[start..end];
            start = end;
            (file, rule, self.name(file), bytes)
        })
    }

    /// The facts of rule `rule`, read in place, with their files, in file order.
    pub fn of_rule(&self, rule: usize) -> Vec<(usize, FactView<'_>)> {
        let mut out: Vec<(usize, FactView<'_>)> = self
            .encoded()
            .filter(|(_, r, _, _)| *r == rule)
            .filter_map(|(file, _, _, bytes)| Some((file, postcard::from_bytes(bytes).ok()?)))
            .collect();
        out.extend(
            self.raw
                .iter()
                .filter(|(_, r, _)| *r == rule)
                .map(|(file, _, fact)| (*file, FactView::of(fact))),
        );
        out.sort_by_key(|(file, _)| *file);
        out
    }

    /// The name of file number `file` (if it has facts).
    pub fn name(&self, file: usize) -> &str {
        match self.name_at.binary_search_by_key(&file, |(f, _, _)| *f) {
            Ok(i) => &self.names[self.name_at[i].1..self.name_at[i].2],
            Err(_) => "",
        }
    }
}

/// The facts of every file (see the module's documentation). Files are added in order.
pub struct Facts {
    budget: usize,
    memory: Part,
    /// `None` until the budget is spent; `Err` if no temporary file could be made.
    store: Option<Result<Store, ()>>,
    /// How many facts went to the temporary file.
    written: usize,
}

impl Default for Facts {
    /// All in memory.
    fn default() -> Facts {
        Facts::new(usize::MAX)
    }
}

/// One fact as the temporary files hold it: file, rule, name length, fact length, name, fact.
fn write_record(
    out: &mut impl Write,
    file: usize,
    rule: usize,
    name: &str,
    fact: &[u8],
) -> std::io::Result<u64> {
    let too_big = |_| std::io::Error::other("a fact too large to write");
    out.write_all(&(file as u64).to_le_bytes())?;
    out.write_all(&u32::try_from(rule).map_err(too_big)?.to_le_bytes())?;
    out.write_all(&u32::try_from(name.len()).map_err(too_big)?.to_le_bytes())?;
    out.write_all(&u32::try_from(fact.len()).map_err(too_big)?.to_le_bytes())?;
    out.write_all(name.as_bytes())?;
    out.write_all(fact)?;
    Ok(20 + name.len() as u64 + fact.len() as u64)
}

/// Reads the next record: its file and rule, and its name then its fact in `buf` (the name's
/// length is the third number); `Ok(None)` at the end.
fn read_record(
    r: &mut impl Read,
    buf: &mut Vec<u8>,
) -> std::io::Result<Option<(usize, usize, usize)>> {
    let mut head = [0u8; 20];
    match r.read_exact(&mut head[..1]) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    r.read_exact(&mut head[1..])?;
    let word = |at: usize| u32::from_le_bytes([head[at], head[at + 1], head[at + 2], head[at + 3]]);
    let file = u64::from_le_bytes(head[..8].try_into().unwrap_or_default()) as usize;
    let rule = word(8) as usize;
    let (name_len, fact_len) = (word(12) as usize, word(16) as usize);
    crate::spill::read_exactly(r, name_len + fact_len, buf)?;
    if std::str::from_utf8(&buf[..name_len]).is_err() {
        return Err(std::io::Error::other(
            "a damaged fact in the temporary file",
        ));
    }
    Ok(Some((file, rule, name_len)))
}

/// Which of `parts` parts the group of an encoded fact goes to.
fn part_of(fact: &[u8], parts: usize) -> usize {
    let view: Option<FactView<'_>> = postcard::from_bytes(fact).ok();
    key_part(
        view.as_ref().and_then(|v| v.strings.first().copied()),
        parts,
    )
}

/// Which of `parts` parts the group `key` goes to.
fn key_part(key: Option<&str>, parts: usize) -> usize {
    // SipHash with fixed keys: the same part on every run.
    let mut h = std::hash::DefaultHasher::new();
    key.hash(&mut h);
    (h.finish() % parts as u64) as usize
}

impl Facts {
    pub fn new(budget: usize) -> Facts {
        Facts {
            budget,
            memory: Part::default(),
            store: None,
            written: 0,
        }
    }

    /// How many facts went to the temporary file.
    pub fn written(&self) -> usize {
        self.written
    }

    /// Moves the facts of `r`, file number `file` (after every file added before), here.
    /// Takes the facts of `r` (file number `file`) and gives them back once kept, for the caller
    /// to free (see `Sink::put` in `cli`).
    pub fn add(&mut self, file: usize, r: &mut FileResult) -> Vec<(usize, Fact)> {
        let facts = std::mem::take(&mut r.facts);
        let name = &r.source.name;
        for (rule, fact) in &facts {
            let (rule, fact) = (*rule, fact);
            let mut bytes = Vec::new();
            if postcard::to_io(fact, &mut bytes).is_err() {
                self.memory.name_for(file, name);
                self.memory.raw.push((file, rule, fact.clone()));
                continue;
            }
            if let Some(Ok(store)) = &mut self.store {
                match write_record(&mut store.out, file, rule, name, &bytes) {
                    Ok(n) => {
                        store.len += n;
                        self.written += 1;
                        continue;
                    }
                    // Disk full? From here on, facts stay in memory.
                    Err(_) => self.store = Some(Err(())),
                }
            }
            self.memory.push_encoded(file, rule, name, &bytes);
        }
        if self.store.is_none() && self.memory.size() > self.budget {
            self.spill();
        }
        facts
    }

    /// Moves the facts in memory to a new temporary file (or, failing, leaves them).
    fn spill(&mut self) {
        let Ok(mut store) = Store::create() else {
            self.store = Some(Err(()));
            return;
        };
        for (file, rule, name, bytes) in self.memory.encoded() {
            match write_record(&mut store.out, file, rule, name, bytes) {
                Ok(n) => store.len += n,
                Err(_) => {
                    self.store = Some(Err(()));
                    return;
                }
            }
        }
        self.written += self.memory.index.len();
        let raw = std::mem::take(&mut self.memory.raw);
        self.memory = Part {
            raw,
            ..Part::default()
        };
        self.store = Some(Ok(store));
    }

    /// Hands each part of the facts to `check`, one at a time: all of them at once if they are
    /// in memory; otherwise parts of about the budget's size, each holding every fact of its
    /// groups. An error reading the temporary file back stops it.
    pub fn each_part(self, mut check: impl FnMut(&Part)) -> std::io::Result<()> {
        let Facts {
            budget,
            mut memory,
            store,
            ..
        } = self;
        let store = match store {
            Some(Ok(store)) => store,
            // Nothing written (or only what a broken file kept: memory holds the rest).
            Some(Err(())) | None if memory.index.is_empty() && memory.raw.is_empty() => {
                return Ok(());
            }
            Some(Err(())) | None => {
                check(&memory);
                return Ok(());
            }
        };
        let len = store.len;
        let mut file = store.out.into_inner().map_err(|e| e.into_error())?;
        // Every fact in memory now goes to the parts too (those that failed to be written).
        let parts = usize::try_from(len / budget.max(1) as u64 + 2)
            .unwrap_or(64)
            .min(64);
        let mut outs = Vec::with_capacity(parts);
        for _ in 0..parts {
            outs.push(BufWriter::with_capacity(1 << 14, tempfile::tempfile()?));
        }
        let mut raw_parts: Vec<Vec<(usize, usize, String, Fact)>> =
            (0..parts).map(|_| Vec::new()).collect();
        file.seek(SeekFrom::Start(0))?;
        let mut reader = BufReader::with_capacity(1 << 16, file);
        let mut buf = Vec::new();
        // Records keep their order (the walk's) within each part.
        let mut route = |file: usize, rule: usize, name: &str, fact: &[u8]| {
            let p = part_of(fact, parts);
            write_record(&mut outs[p], file, rule, name, fact).map(|_| ())
        };
        while let Some((file, rule, name_len)) = read_record(&mut reader, &mut buf)? {
            let (name, fact) = buf.split_at(name_len);
            route(file, rule, std::str::from_utf8(name).unwrap_or(""), fact)?;
        }
        for (file, rule, name, bytes) in memory.encoded() {
            route(file, rule, name, bytes)?;
        }
        for (file, rule, fact) in std::mem::take(&mut memory.raw) {
            let p = key_part(FactView::of(&fact).strings.first().copied(), parts);
            let name = memory.name(file).to_string();
            raw_parts[p].push((file, rule, name, fact));
        }
        drop(reader);
        for (out, raw) in outs.into_iter().zip(raw_parts) {
            let mut f = out.into_inner().map_err(|e| e.into_error())?;
            f.seek(SeekFrom::Start(0))?;
            let mut reader = BufReader::with_capacity(1 << 16, f);
            let mut part = Part::default();
            while let Some((file, rule, name_len)) = read_record(&mut reader, &mut buf)? {
                let (name, fact) = buf.split_at(name_len);
                part.push_encoded(file, rule, std::str::from_utf8(name).unwrap_or(""), fact);
            }
            for (file, rule, name, fact) in raw {
                part.name_for(file, &name);
                part.raw.push((file, rule, fact));
            }
            // Facts kept in memory may come from files before those read back.
            part.name_at.sort_by_key(|(f, _, _)| *f);
            part.name_at.dedup_by_key(|(f, _, _)| *f);
            if !part.index.is_empty() || !part.raw.is_empty() {
                check(&part);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;

    fn fact(image: &str, name: &str) -> Fact {
        Fact {
            span: crate::source::Span::new(1, 2),
            loc: Default::default(),
            object: crate::k8s::ObjectRef {
                api_version: Some("apps/v1".into()),
                kind: Some("Deployment".into()),
                namespace: None,
                name: Some(name.into()),
            },
            strings: vec![image.to_string(), String::new()],
        }
    }

    /// What each part holds: (image, file, file name) per fact, the parts sorted.
    type Seen = Vec<(String, usize, String)>;

    fn parts(budget: usize) -> (Vec<Seen>, usize) {
        let mut facts = Facts::new(budget);
        for file in 0..40 {
            let mut r = FileResult::new(Source::new(format!("dir/f{file}.yaml"), ""));
            for image in ["nginx", "redis", "busybox"].iter().take(1 + file % 3) {
                r.facts.push((7, fact(image, &format!("w{file}"))));
            }
            facts.add(file, &mut r);
        }
        let written = facts.written();
        let mut out = Vec::new();
        facts
            .each_part(|p| {
                let mut seen: Seen = p
                    .of_rule(7)
                    .iter()
                    .map(|(f, v)| (v.strings[0].to_string(), *f, p.name(*f).to_string()))
                    .collect();
                seen.sort();
                out.push(seen);
            })
            .unwrap();
        out.sort();
        (out, written)
    }

    /// Past the budget, facts go to a temporary file and come back in parts; each image's facts
    /// are all in one part, none is lost, and every fact keeps its file and the file's name.
    #[test]
    fn spilled_facts_come_back_in_parts_that_keep_each_group_whole() {
        let (all, written) = parts(usize::MAX);
        assert_eq!((all.len(), written), (1, 0));
        let (split, written) = parts(0);
        assert_eq!(written, 79);
        assert!(split.len() > 1, "{split:?}");
        for part in &split {
            for (image, _, _) in part {
                let holding = split
                    .iter()
                    .filter(|p| p.iter().any(|(i, _, _)| i == image))
                    .count();
                assert_eq!(holding, 1, "{image} is in {holding} parts");
            }
        }
        let mut joined: Vec<_> = split.concat();
        joined.sort();
        assert_eq!(joined, all[0]);
        assert!(
            joined
                .iter()
                .all(|(_, f, name)| *name == format!("dir/f{f}.yaml"))
        );
    }
}
