//! [`SharedFile`]: file contents held in a sealed in-memory file (a memfd), never on the
//! host's heap. A collected file (a compiled program of hundreds of MiB, say) is copied
//! by the kernel from the run's collect stream into one, and every later run gets a
//! duplicate of its descriptor: the judging process neither reads nor copies the bytes,
//! so its own memory does not grow with them.

use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::sync::Arc;

use crate::sys;

/// What is read at a time when the kernel cannot copy by itself.
const CHUNK: usize = 1 << 16;

/// What [`SharedFile::move_range`] copies before freeing it in the source.
const PIECE: u64 = 8 << 20;

/// Immutable file contents in a sealed memfd. Clones share the file.
#[derive(Clone)]
pub struct SharedFile {
    fd: Arc<OwnedFd>,
    len: u64,
}

impl std::fmt::Debug for SharedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedFile")
            .field("len", &self.len)
            .finish()
    }
}

impl SharedFile {
    /// A sealed copy of `bytes`.
    pub fn from_bytes(bytes: &[u8]) -> io::Result<SharedFile> {
        let fd = sys::memfd("shared", true)?;
        sys::write_all(fd.as_raw_fd(), bytes)?;
        seal(&fd)?;
        Ok(SharedFile {
            fd: Arc::new(fd),
            len: bytes.len() as u64,
        })
    }

    /// Moves `len` bytes of the memfd `src` at `offset` into a sealed file of their own:
    /// copied in the kernel where it can (`copy_file_range`), else through a small buffer,
    /// never whole in memory; each piece of `src` is freed once copied, so the two files
    /// together hold little more than `len` bytes at any time.
    pub(crate) fn move_range(src: RawFd, offset: u64, len: u64) -> io::Result<SharedFile> {
        let fd = sys::memfd("collected", true)?;
        let mut copied = 0u64;
        let mut kernel_copy = true;
        while copied < len {
            let want = usize::try_from((len - copied).min(PIECE)).unwrap_or(CHUNK);
            let n = if kernel_copy {
                let mut from = to_off(offset + copied)?;
                // SAFETY: both descriptors are open; `from` is a valid offset slot; the
                // destination's own file position is used and advanced.
                let n = unsafe {
                    libc::copy_file_range(
                        src,
                        &mut from,
                        fd.as_raw_fd(),
                        std::ptr::null_mut(),
                        want,
                        0,
                    )
                };
                if n < 0 {
                    let e = io::Error::last_os_error();
                    match e.raw_os_error() {
                        Some(libc::EINTR) => continue,
                        Some(
                            libc::EXDEV
                            | libc::EINVAL
                            | libc::ENOSYS
                            | libc::EOPNOTSUPP
                            | libc::EPERM,
                        ) => {
                            kernel_copy = false;
                            continue;
                        }
                        _ => return Err(e),
                    }
                }
                n as u64
            } else {
                copy_through_buffer(src, offset + copied, fd.as_raw_fd(), want)?
            };
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "collected file shorter than announced",
                ));
            }
            release(src, offset + copied, n);
            copied += n;
        }
        seal(&fd)?;
        Ok(SharedFile {
            fd: Arc::new(fd),
            len,
        })
    }

    /// Size in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The first `max` bytes (all of them if fewer): for small files (validator
    /// feedback), or the start of a large one.
    pub fn read_prefix(&self, max: usize) -> io::Result<Vec<u8>> {
        let want = usize::try_from(self.len).unwrap_or(usize::MAX).min(max);
        let mut out = vec![0u8; want];
        let mut done = 0;
        while done < want {
            // SAFETY: out is valid for `want - done` bytes from `done`.
            let n = unsafe {
                libc::pread(
                    self.fd.as_raw_fd(),
                    out[done..].as_mut_ptr().cast(),
                    want - done,
                    to_off(done as u64)?,
                )
            };
            if n < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            if n == 0 {
                break;
            }
            done += n as usize;
        }
        out.truncate(done);
        Ok(out)
    }

    /// All of it, on the heap: only for files known to be small.
    pub fn to_vec(&self) -> io::Result<Vec<u8>> {
        self.read_prefix(usize::MAX)
    }

    /// A descriptor for a run (it reads with `pread` from offset 0, so duplicates sharing
    /// one file position are fine).
    pub(crate) fn descriptor(&self) -> io::Result<OwnedFd> {
        self.fd.try_clone()
    }
}

/// Compares the contents (reads them: for tests).
impl PartialEq<[u8]> for SharedFile {
    fn eq(&self, other: &[u8]) -> bool {
        self.len == other.len() as u64 && self.to_vec().is_ok_and(|v| v == other)
    }
}

impl<const N: usize> PartialEq<&[u8; N]> for SharedFile {
    fn eq(&self, other: &&[u8; N]) -> bool {
        *self == other[..]
    }
}

impl PartialEq<Vec<u8>> for SharedFile {
    fn eq(&self, other: &Vec<u8>) -> bool {
        *self == other[..]
    }
}

fn to_off(n: u64) -> io::Result<libc::off_t> {
    libc::off_t::try_from(n).map_err(|_| io::Error::other("offset out of range"))
}

/// Copies up to `want` bytes of `src` at `offset` to `dst`'s position through a buffer
/// of [`CHUNK`] bytes; how many were copied (0 at end of file).
fn copy_through_buffer(src: RawFd, offset: u64, dst: RawFd, want: usize) -> io::Result<u64> {
    let mut buf = vec![0u8; CHUNK.min(want)];
    loop {
        // SAFETY: buf is valid for its length.
        let n = unsafe { libc::pread(src, buf.as_mut_ptr().cast(), buf.len(), to_off(offset)?) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        let n = n as usize;
        sys::write_all(dst, &buf[..n])?;
        return Ok(n as u64);
    }
}

/// Frees `len` bytes of the memfd `fd` at `offset` (best effort: the source is
/// dropped soon anyway).
fn release(fd: RawFd, offset: u64, len: u64) {
    let (Ok(offset), Ok(len)) = (to_off(offset), to_off(len)) else {
        return;
    };
    // SAFETY: fallocate on a descriptor we hold; punching a hole keeps the size.
    unsafe {
        libc::fallocate(
            fd,
            libc::FALLOC_FL_PUNCH_HOLE | libc::FALLOC_FL_KEEP_SIZE,
            offset,
            len,
        )
    };
}

/// No more writes, growing or shrinking: every run sees the same contents.
fn seal(fd: &OwnedFd) -> io::Result<()> {
    let seals = libc::F_SEAL_SEAL | libc::F_SEAL_SHRINK | libc::F_SEAL_GROW | libc::F_SEAL_WRITE;
    // SAFETY: fcntl on our own descriptor.
    sys::cvt(unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_ADD_SEALS, seals) })?;
    Ok(())
}
