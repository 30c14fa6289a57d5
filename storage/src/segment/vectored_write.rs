//! Positional gather writes: several buffers written at one file offset with `pwritev`.
//!
//! The leader append writes each batch as its patched 61-byte header followed by the rest of
//! the producer's bytes, untouched, so the produce path never copies a batch just to change
//! its base offset and leader epoch. One `pwritev` per append keeps it at one syscall.

use std::fs::File;
use std::io::{self, IoSlice};
use std::os::fd::AsRawFd;

/// Buffers passed to one `pwritev` call; Linux refuses more than `IOV_MAX` (1024).
const IOVECS_PER_CALL_MAX: usize = 1024;

/// Writes every byte of `slices`, in order, starting at byte `offset` of `file`, without moving
/// the file cursor. Retries short writes and `EINTR`, as `FileExt::write_all_at` does.
pub(crate) fn write_all_vectored_at(
    file: &File,
    mut slices: &mut [IoSlice<'_>],
    mut offset: u64,
) -> io::Result<()> {
    // Drop leading empty buffers so a zero-byte write below means "no progress".
    IoSlice::advance_slices(&mut slices, 0);
    while !slices.is_empty() {
        let count = slices.len().min(IOVECS_PER_CALL_MAX);
        let file_offset = libc::off_t::try_from(offset).map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("file offset {offset} exceeds off_t"),
            )
        })?;
        // SAFETY: `IoSlice` is documented to be ABI-compatible with `struct iovec` on Unix, and
        // `slices[..count]` are live borrows for the whole call; `count` ≤ IOV_MAX fits a c_int.
        // `pwritev` only reads those buffers and the descriptor stays open (we borrow `file`).
        #[allow(unsafe_code)]
        let written = unsafe {
            libc::pwritev(
                file.as_raw_fd(),
                slices.as_ptr().cast::<libc::iovec>(),
                count as libc::c_int,
                file_offset,
            )
        };
        if written < 0 {
            let error = io::Error::last_os_error();
            if error.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(error);
        }
        if written == 0 {
            return Err(io::Error::new(
                io::ErrorKind::WriteZero,
                "pwritev wrote no byte",
            ));
        }
        let written = written as usize;
        offset += written as u64;
        IoSlice::advance_slices(&mut slices, written);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::FileExt;

    #[test]
    fn gathers_buffers_at_the_offset_in_order() {
        let file = tempfile::tempfile().expect("temp file");
        file.write_all_at(b"0123456789", 0).expect("prefix");
        let mut slices = [
            IoSlice::new(b""),
            IoSlice::new(b"ab"),
            IoSlice::new(b""),
            IoSlice::new(b"cde"),
        ];
        write_all_vectored_at(&file, &mut slices, 4).expect("writes");
        let mut back = [0u8; 10];
        file.read_exact_at(&mut back, 0).expect("reads");
        assert_eq!(&back, b"0123abcde9");
    }

    #[test]
    fn writes_more_buffers_than_one_call_takes() {
        let file = tempfile::tempfile().expect("temp file");
        let bytes: Vec<[u8; 1]> = (0..3000u32).map(|i| [(i % 251) as u8]).collect();
        let mut slices: Vec<IoSlice<'_>> = bytes.iter().map(|b| IoSlice::new(b)).collect();
        write_all_vectored_at(&file, &mut slices, 0).expect("writes");
        let mut back = vec![0u8; 3000];
        file.read_exact_at(&mut back, 0).expect("reads");
        let expected: Vec<u8> = bytes.iter().map(|b| b[0]).collect();
        assert_eq!(back, expected);
    }
}
