//! A memory-mapped file of fixed-size entries: the storage shared by the offset and time indexes.
//!
//! Kafka's `AbstractIndex`: the file is preallocated to `segment.index.bytes` (rounded down to a
//! whole number of entries) while the segment is active, so appends are memory writes, and it is
//! trimmed to exactly `entries * entry_bytes` when the segment rolls or closes. An existing file
//! is taken to hold `len / entry_bytes` entries; a file left preallocated by a crash therefore
//! shows zero entries at its end, which the index sanity checks reject so the index is rebuilt.
//!
//! Not synchronized: the owning segment guards it with a lock.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use memmap2::MmapMut;

use crate::error::{IoContext, LogError};

pub(crate) struct IndexFile {
    path: PathBuf,
    file: File,
    mmap: Option<MmapMut>,
    entry_bytes: usize,
    entries: usize,
    max_entries: usize,
}

impl std::fmt::Debug for IndexFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexFile")
            .field("path", &self.path)
            .field("entries", &self.entries)
            .field("max_entries", &self.max_entries)
            .finish()
    }
}

fn map(file: &File, path: &Path) -> Result<Option<MmapMut>, LogError> {
    let len = file
        .metadata()
        .io_context(|| format!("stat {}", path.display()))?
        .len();
    if len == 0 {
        return Ok(None);
    }
    // SAFETY: the file is private to this process (the log dir's `.lock` keeps other Strata
    // processes out) and is only resized through `IndexFile::resize`, which drops this mapping
    // first, so the mapping never outlives or overruns the file's length.
    #[allow(unsafe_code)]
    let mmap =
        unsafe { MmapMut::map_mut(file) }.io_context(|| format!("mmap {}", path.display()))?;
    // Index pages are touched one at a time (appends, binary searches), never streamed. Without
    // this hint every first touch of a page of the sparse preallocated file faulted in a whole
    // readahead window of zero pages: ~8 % of the broker's CPU in a produce profile.
    mmap.advise(memmap2::Advice::Random)
        .io_context(|| format!("madvise {}", path.display()))?;
    Ok(Some(mmap))
}

impl IndexFile {
    /// Opens or creates the index at `path`. A new file is preallocated to `max_index_bytes`.
    pub(crate) fn open(
        path: &Path,
        entry_bytes: usize,
        max_index_bytes: u64,
    ) -> Result<Self, LogError> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .io_context(|| format!("open index {}", path.display()))?;
        let len = file
            .metadata()
            .io_context(|| format!("stat {}", path.display()))?
            .len();
        let entries = if len == 0 {
            let prealloc = (max_index_bytes / entry_bytes as u64) * entry_bytes as u64;
            file.set_len(prealloc)
                .io_context(|| format!("preallocate {}", path.display()))?;
            0
        } else {
            (len / entry_bytes as u64) as usize
        };
        let mmap = map(&file, path)?;
        let mapped = mmap.as_ref().map_or(0, |m| m.len());
        Ok(Self {
            path: path.to_path_buf(),
            file,
            mmap,
            entry_bytes,
            entries,
            max_entries: mapped / entry_bytes,
        })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn entries(&self) -> usize {
        self.entries
    }

    pub(crate) fn is_full(&self) -> bool {
        self.entries >= self.max_entries
    }

    pub(crate) fn max_entries(&self) -> usize {
        self.max_entries
    }

    /// Bytes of entry `n`; `n < entries()`.
    pub(crate) fn entry(&self, n: usize) -> &[u8] {
        let mmap = self.mmap.as_ref().expect("an index with entries is mapped");
        &mmap[n * self.entry_bytes..(n + 1) * self.entry_bytes]
    }

    /// Appends one entry. The caller checked `!is_full()`.
    pub(crate) fn push(&mut self, bytes: &[u8]) {
        assert_eq!(
            bytes.len(),
            self.entry_bytes,
            "index entry has the wrong size"
        );
        assert!(
            !self.is_full(),
            "append to a full index {}",
            self.path.display()
        );
        let at = self.entries * self.entry_bytes;
        let mmap = self.mmap.as_mut().expect("a non-full index is mapped");
        mmap[at..at + bytes.len()].copy_from_slice(bytes);
        self.entries += 1;
    }

    /// Keeps the first `entries` entries and zeroes the rest of the used region.
    pub(crate) fn truncate_entries(&mut self, entries: usize) {
        if entries >= self.entries {
            return;
        }
        if let Some(mmap) = self.mmap.as_mut() {
            mmap[entries * self.entry_bytes..self.entries * self.entry_bytes].fill(0);
        }
        self.entries = entries;
    }

    /// Resizes the file to `bytes` rounded down to whole entries (never below the used entries).
    pub(crate) fn resize(&mut self, bytes: u64) -> Result<(), LogError> {
        let rounded =
            (bytes / self.entry_bytes as u64).max(self.entries as u64) * self.entry_bytes as u64;
        let current = self
            .file
            .metadata()
            .io_context(|| format!("stat {}", self.path.display()))?
            .len();
        if current == rounded {
            return Ok(());
        }
        if let Some(mmap) = self.mmap.take() {
            mmap.flush()
                .io_context(|| format!("flush {}", self.path.display()))?;
        }
        self.file
            .set_len(rounded)
            .io_context(|| format!("resize {}", self.path.display()))?;
        self.mmap = map(&self.file, &self.path)?;
        self.max_entries = self.mmap.as_ref().map_or(0, |m| m.len()) / self.entry_bytes;
        Ok(())
    }

    /// Shrinks the file to exactly the used entries (on roll and close).
    pub(crate) fn trim_to_valid_size(&mut self) -> Result<(), LogError> {
        self.resize((self.entries * self.entry_bytes) as u64)
    }

    /// Writes dirty pages to disk.
    pub(crate) fn flush(&self) -> Result<(), LogError> {
        if let Some(mmap) = self.mmap.as_ref() {
            mmap.flush()
                .io_context(|| format!("flush {}", self.path.display()))?;
        }
        Ok(())
    }

    /// Renames the file (the mapping stays valid).
    pub(crate) fn rename(&mut self, to: PathBuf) -> Result<(), LogError> {
        std::fs::rename(&self.path, &to)
            .io_context(|| format!("rename {} to {}", self.path.display(), to.display()))?;
        self.path = to;
        Ok(())
    }

    /// Drops every entry and re-preallocates (used before a rebuild).
    pub(crate) fn reset(&mut self, max_index_bytes: u64) -> Result<(), LogError> {
        self.truncate_entries(0);
        self.resize(max_index_bytes)
    }
}
