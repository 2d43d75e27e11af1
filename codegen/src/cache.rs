//! Caches under `target/` that let `cargo xtask codegen` skip work whose result it
//! already knows, without ever trusting a result it has not verified:
//!
//! - the **generation record** (`Record`, file `generation-record`): the key of the
//!   inputs of the last successful run and the SHA-256 of every file it produced. When the key of today's
//!   inputs equals the recorded one and every generated file on disk still hashes to
//!   its recorded digest (and no unrecorded file sits in a generated folder), the
//!   output is current and nothing needs loading, rendering or formatting. Any
//!   difference — a spec byte, a template, a rebuilt generator, a hand edit — means the
//!   full run, which then says exactly what is stale.
//! - the **format cache** ([`FormatCache`]): prettyplease output by the SHA-256 of the
//!   unformatted text (and of the generator's identity), so that after a spec change
//!   only the files whose rendered text changed go through the `syn` round trip. Each
//!   entry carries the digest of its formatted text, checked on every read.
//!
//! The key (`InputKey`) covers everything the output depends on: the bytes of every
//! file under `spec/` (not only the YAML: an over-wide key only costs a miss), the
//! fixture files the loader read (whatever their path), the templates, this crate's
//! version, and the identity of the running binary (path, size, modification time and,
//! on Unix, inode and change time of the executable: any rebuild of the generator or
//! of a dependency relinks it, so a new binary never reuses an old binary's record).
//! Where the binary cannot be identified, nothing is cached.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::UNIX_EPOCH;

use sha2::{Digest, Sha256};

use crate::render::TEMPLATES;

/// First line of the record: a record written in another layout is ignored.
const RECORD_MAGIC: &str = "voicecall-codegen generation record v1";

/// A SHA-256 digest as lowercase hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Feeds a length-prefixed field, so that no two sequences of fields hash alike.
fn field(h: &mut Sha256, bytes: &[u8]) {
    h.update((bytes.len() as u64).to_le_bytes());
    h.update(bytes);
}

/// The running generator: its crate version and its executable's path, size and
/// modification time; `None` when the executable cannot be found or stat-ed.
fn generator_identity() -> Option<&'static str> {
    static ID: OnceLock<Option<String>> = OnceLock::new();
    ID.get_or_init(|| {
        let exe = std::env::current_exe().ok()?;
        let meta = std::fs::metadata(&exe).ok()?;
        let mtime = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
        // On Unix also the inode and change time: a relinked binary is a new file
        // even where the file system's clock is coarse.
        #[cfg(unix)]
        let file = {
            use std::os::unix::fs::MetadataExt;
            format!(
                "{} {} {}.{:09}",
                meta.ino(),
                meta.dev(),
                meta.ctime(),
                meta.ctime_nsec()
            )
        };
        #[cfg(not(unix))]
        let file = String::new();
        Some(format!(
            "voicecall-codegen {} {} {} {}.{:09} {file}",
            env!("CARGO_PKG_VERSION"),
            exe.display(),
            meta.len(),
            mtime.as_secs(),
            mtime.subsec_nanos()
        ))
    })
    .as_deref()
}

/// Files below `dir`, relative to it, with `/` separators, sorted.
pub(crate) fn list_files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else if let Ok(rel) = p.strip_prefix(dir) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

/// The digest of everything a generation depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InputKey(String);

impl InputKey {
    /// Digest of every file under `spec_dir` (names and bytes): computed before and
    /// after a full run, so a spec edited during the run is never recorded.
    pub(crate) fn spec_dir_digest(spec_dir: &Path) -> Option<String> {
        let mut h = Sha256::new();
        for rel in list_files(spec_dir) {
            let bytes = std::fs::read(spec_dir.join(&rel)).ok()?;
            field(&mut h, rel.as_bytes());
            field(&mut h, &bytes);
        }
        Some(hex(&h.finalize()))
    }

    /// The key from the spec folder's digest and the fixture files the loader read
    /// (path → text); `None` when the generator cannot be identified.
    pub(crate) fn new<'a>(
        spec_dir_digest: &str,
        aux: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    ) -> Option<Self> {
        let mut h = Sha256::new();
        field(&mut h, RECORD_MAGIC.as_bytes());
        field(&mut h, generator_identity()?.as_bytes());
        for (name, text) in TEMPLATES {
            field(&mut h, name.as_bytes());
            field(&mut h, text.as_bytes());
        }
        field(&mut h, spec_dir_digest.as_bytes());
        for (path, bytes) in aux {
            field(&mut h, path.as_bytes());
            field(&mut h, bytes);
        }
        Some(Self(hex(&h.finalize())))
    }
}

/// What the last successful generation saw and produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Record {
    /// The key of its inputs.
    pub(crate) key: InputKey,
    /// The fixture files the loader read, relative to `spec/` as the spec names them.
    pub(crate) aux: Vec<String>,
    /// Every file produced, relative to the workspace root → SHA-256 of its contents.
    pub(crate) files: BTreeMap<String, String>,
}

impl Record {
    /// The record's text: one item a line. `None` when a path holds a line break (the
    /// run is then simply not recorded).
    pub(crate) fn to_text(&self) -> Option<String> {
        let mut s = format!("{RECORD_MAGIC}\nkey {}\n", self.key.0);
        for a in &self.aux {
            if a.contains(['\n', '\r']) {
                return None;
            }
            s.push_str(&format!("aux {a}\n"));
        }
        for (path, digest) in &self.files {
            if path.contains(['\n', '\r']) {
                return None;
            }
            s.push_str(&format!("file {digest} {path}\n"));
        }
        Some(s)
    }

    /// Parses [`Record::to_text`]; `None` for anything else (then the full run happens).
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let mut lines = text.lines();
        if lines.next()? != RECORD_MAGIC {
            return None;
        }
        let key = InputKey(lines.next()?.strip_prefix("key ")?.to_string());
        let mut aux = Vec::new();
        let mut files = BTreeMap::new();
        for line in lines {
            if let Some(a) = line.strip_prefix("aux ") {
                aux.push(a.to_string());
            } else if let Some(rest) = line.strip_prefix("file ") {
                let (digest, path) = rest.split_once(' ')?;
                files.insert(path.to_string(), digest.to_string());
            } else {
                return None;
            }
        }
        Some(Self { key, aux, files })
    }

    /// Reads the record in `cache_dir`, if there is a well-formed one.
    pub(crate) fn load(cache_dir: &Path) -> Option<Self> {
        Self::parse(&std::fs::read_to_string(record_path(cache_dir)).ok()?)
    }

    /// Writes the record (see [`write_whole`]).
    pub(crate) fn store(&self, cache_dir: &Path) {
        let Some(text) = self.to_text() else { return };
        write_whole(cache_dir, &record_path(cache_dir), &text);
    }

    /// True when the generation this record describes is exactly what is on disk now:
    /// same key (spec folder, fixtures, templates, generator), every recorded file
    /// present with its recorded digest, and no other file in `owned` folders.
    pub(crate) fn matches_disk(&self, root: &Path, spec_dir: &Path, owned: &[&str]) -> bool {
        let Some(spec_digest) = InputKey::spec_dir_digest(spec_dir) else {
            return false;
        };
        let mut aux = Vec::with_capacity(self.aux.len());
        for a in &self.aux {
            match std::fs::read(spec_dir.join(a)) {
                Ok(bytes) => aux.push((a.as_str(), bytes)),
                Err(_) => return false,
            }
        }
        let key = InputKey::new(&spec_digest, aux.iter().map(|(a, b)| (*a, b.as_slice())));
        if key.as_ref() != Some(&self.key) {
            return false;
        }
        let on_disk: BTreeSet<String> = owned_files(root, owned);
        if on_disk.iter().any(|rel| !self.files.contains_key(rel)) {
            return false;
        }
        self.files.iter().all(|(rel, digest)| {
            std::fs::read(root.join(rel)).is_ok_and(|bytes| sha256_hex(&bytes) == *digest)
        })
    }
}

/// The files in the generator's `owned` folders (relative to `root`), leaving out the
/// snapshot files insta writes next to the generated tests.
pub(crate) fn owned_files(root: &Path, owned: &[&str]) -> BTreeSet<String> {
    owned
        .iter()
        .flat_map(|dir| {
            list_files(&root.join(dir))
                .into_iter()
                .map(move |rel| format!("{dir}/{rel}"))
        })
        .filter(|r| !r.contains("/snapshots/"))
        .collect()
}

/// Writes `path` (in `dir`) through a temporary file and a rename, so that a reader
/// never sees half of it. A failure only loses the shortcut: the cache is optional.
fn write_whole(dir: &Path, path: &Path, contents: &str) {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let written = std::fs::create_dir_all(dir).is_ok() && std::fs::write(&tmp, contents).is_ok();
    if written && std::fs::rename(&tmp, path).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

fn record_path(cache_dir: &Path) -> PathBuf {
    cache_dir.join("generation-record")
}

/// prettyplease output by the digest of its input, in `dir` (one file per entry).
#[derive(Debug)]
pub struct FormatCache {
    dir: PathBuf,
    used: std::sync::Mutex<BTreeSet<String>>,
}

impl FormatCache {
    /// A cache in `dir` (created on first store); `None` when the generator cannot be
    /// identified (its identity is part of every entry's key).
    pub fn new(dir: PathBuf) -> Option<Self> {
        generator_identity()?;
        Some(Self {
            dir,
            used: Default::default(),
        })
    }

    fn entry_name(unformatted: &str) -> Option<String> {
        let mut h = Sha256::new();
        field(&mut h, b"prettyplease");
        field(&mut h, generator_identity()?.as_bytes());
        field(&mut h, unformatted.as_bytes());
        Some(hex(&h.finalize()))
    }

    /// `format(unformatted)`, from the cache when an entry for exactly this text (and
    /// this generator) exists and its contents still hash to the digest it carries.
    pub(crate) fn get_or_format<E>(
        &self,
        unformatted: &str,
        format: impl FnOnce(&str) -> Result<String, E>,
    ) -> Result<String, E> {
        let Some(name) = Self::entry_name(unformatted) else {
            return format(unformatted);
        };
        if let Ok(mut used) = self.used.lock() {
            used.insert(name.clone());
        }
        let path = self.dir.join(&name);
        if let Some(text) = std::fs::read_to_string(&path)
            .ok()
            .and_then(|entry| verified_entry(&entry).map(str::to_string))
        {
            return Ok(text);
        }
        let formatted = format(unformatted)?;
        let entry = format!("{}\n{formatted}", sha256_hex(formatted.as_bytes()));
        write_whole(&self.dir, &path, &entry);
        Ok(formatted)
    }

    /// Removes the entries this run did not use (those of older spec texts and of
    /// older generator builds), so the cache stays the size of one generation.
    pub fn prune(&self) {
        let Ok(used) = self.used.lock() else { return };
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if !used.contains(&name) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// The formatted text of a cache entry (`<sha256 of text>\n<text>`) when the digest
/// matches the text.
fn verified_entry(entry: &str) -> Option<&str> {
    let (digest, text) = entry.split_once('\n')?;
    (sha256_hex(text.as_bytes()) == digest).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_round_trips_and_rejects_other_text() {
        let r = Record {
            key: InputKey("ab".into()),
            aux: vec!["fixtures/x y.txt".into()],
            files: [("generated/a b.rs".to_string(), "cd".to_string())].into(),
        };
        assert_eq!(Record::parse(&r.to_text().unwrap()), Some(r.clone()));
        assert_eq!(Record::parse("something else\nkey ab\n"), None);
        let bad = r.to_text().unwrap().replace("file cd ", "junk ");
        assert_eq!(Record::parse(&bad), None);
        let newline = Record {
            aux: vec!["a\nb".into()],
            ..r
        };
        assert_eq!(newline.to_text(), None);
    }

    #[test]
    fn input_key_depends_on_every_part() {
        let base = InputKey::new("spec", [("f", b"x".as_slice())]).unwrap();
        assert_eq!(
            InputKey::new("spec", [("f", b"x".as_slice())]).unwrap(),
            base
        );
        assert_ne!(
            InputKey::new("spec2", [("f", b"x".as_slice())]).unwrap(),
            base
        );
        assert_ne!(
            InputKey::new("spec", [("f", b"y".as_slice())]).unwrap(),
            base
        );
        assert_ne!(
            InputKey::new("spec", [("g", b"x".as_slice())]).unwrap(),
            base
        );
        assert_ne!(InputKey::new("spec", []).unwrap(), base);
    }

    #[test]
    fn format_cache_serves_only_verified_entries() {
        let dir = std::env::temp_dir().join(format!("fmt-cache-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let cache = FormatCache::new(dir.clone()).unwrap();
        let calls = std::cell::Cell::new(0);
        let fmt = |s: &str| -> Result<String, ()> {
            calls.set(calls.get() + 1);
            Ok(s.to_uppercase())
        };
        assert_eq!(cache.get_or_format("abc", fmt).unwrap(), "ABC");
        assert_eq!(cache.get_or_format("abc", fmt).unwrap(), "ABC");
        assert_eq!(calls.get(), 1, "second call served from the cache");
        // An entry edited in place no longer matches its digest: formatted again.
        let entry = dir.join(FormatCache::entry_name("abc").unwrap());
        let text = std::fs::read_to_string(&entry).unwrap();
        std::fs::write(&entry, text.replace("ABC", "ABD")).unwrap();
        assert_eq!(cache.get_or_format("abc", fmt).unwrap(), "ABC");
        assert_eq!(calls.get(), 2);
        // Pruning keeps what this cache used and removes the rest.
        std::fs::write(dir.join("stale-entry"), "x").unwrap();
        cache.prune();
        assert!(entry.exists());
        assert!(!dir.join("stale-entry").exists());
        let _ = std::fs::remove_dir_all(dir);
    }
}
