//! Thin, checked wrappers around the raw system calls the sandbox needs.
//!
//! Everything here turns a `-1`/`errno` return into an `io::Error`, so the
//! zygote and per-run code can use `?` and attach context. None of these
//! functions allocate unless documented, but note that the processes that call
//! them are single-threaded (a freshly exec'd zygote and its forks), so
//! allocation between fork and exec is safe there.

use std::ffi::{CStr, CString};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::Path;

/// Converts a libc return value into an `io::Result`.
pub fn cvt(ret: libc::c_int) -> io::Result<libc::c_int> {
    if ret == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// Converts a raw `syscall()` return value into an `io::Result`.
pub fn cvt_long(ret: libc::c_long) -> io::Result<libc::c_long> {
    if ret == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// Adds a short description of the failed step to an `io::Error`.
pub fn ctx(step: impl std::fmt::Display) -> impl FnOnce(io::Error) -> io::Error {
    move |e| io::Error::new(e.kind(), format!("{step}: {e}"))
}

pub fn cstr(s: &str) -> io::Result<CString> {
    CString::new(s).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "string contains NUL"))
}

pub fn cpath(p: &Path) -> io::Result<CString> {
    use std::os::unix::ffi::OsStrExt;
    CString::new(p.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path contains NUL"))
}

pub fn mount(
    src: Option<&CStr>,
    target: &CStr,
    fstype: Option<&CStr>,
    flags: libc::c_ulong,
    data: Option<&CStr>,
) -> io::Result<()> {
    let p = |c: Option<&CStr>| c.map_or(std::ptr::null(), CStr::as_ptr);
    // SAFETY: all pointers are either null or valid NUL-terminated strings that
    // outlive the call.
    cvt(unsafe {
        libc::mount(
            p(src),
            target.as_ptr(),
            p(fstype),
            flags,
            p(data).cast::<libc::c_void>(),
        )
    })
    .map(drop)
}

/// `openat` that always sets `O_CLOEXEC`.
pub fn openat(
    dir: RawFd,
    name: &CStr,
    flags: libc::c_int,
    mode: libc::mode_t,
) -> io::Result<OwnedFd> {
    // SAFETY: `name` is a valid C string; the returned fd is owned by us.
    let fd = cvt(unsafe { libc::openat(dir, name.as_ptr(), flags | libc::O_CLOEXEC, mode) })?;
    // SAFETY: `fd` was just returned by openat and is not owned elsewhere.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

pub fn open(path: &CStr, flags: libc::c_int, mode: libc::mode_t) -> io::Result<OwnedFd> {
    openat(libc::AT_FDCWD, path, flags, mode)
}

/// Writes all of `buf` to `fd`, retrying on short writes and EINTR.
pub fn write_all(fd: RawFd, mut buf: &[u8]) -> io::Result<()> {
    while !buf.is_empty() {
        // SAFETY: buf is a valid readable slice.
        let n = unsafe { libc::write(fd, buf.as_ptr().cast(), buf.len()) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        buf = &buf[n as usize..];
    }
    Ok(())
}

/// Reads up to `buf.len()` bytes, retrying on EINTR. Returns 0 at EOF.
pub fn read(fd: RawFd, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        // SAFETY: buf is a valid writable slice.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        return Ok(n as usize);
    }
}

/// Writes a small control file (cgroup knobs, uid_map) relative to a directory fd.
pub fn write_file_at(dir: RawFd, name: &str, contents: &str) -> io::Result<()> {
    let fd = openat(dir, &cstr(name)?, libc::O_WRONLY | libc::O_NOFOLLOW, 0)
        .map_err(ctx(format_args!("open {name}")))?;
    write_all(fd.as_raw_fd(), contents.as_bytes())
        .map_err(ctx(format_args!("write {contents:?} to {name}")))
}

/// Reads a small control file relative to a directory fd.
pub fn read_file_at(dir: RawFd, name: &str) -> io::Result<String> {
    let fd = openat(dir, &cstr(name)?, libc::O_RDONLY | libc::O_NOFOLLOW, 0)
        .map_err(ctx(format_args!("open {name}")))?;
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = read(fd.as_raw_fd(), &mut buf)?;
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
        if out.len() > 1 << 20 {
            break;
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

pub fn pipe_cloexec() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: fds is a valid array of two ints.
    cvt(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) })?;
    // SAFETY: pipe2 returned two fresh fds that we now own.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Checks that `fd` is a pipe (FIFO) opened for reading or for writing, the
/// only kind of descriptor a caller may hand a program as its stdio.
pub fn check_pipe_end(fd: RawFd, write: bool) -> io::Result<()> {
    // SAFETY: an all-zero stat is valid output space.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: fstat on a descriptor the caller owns, valid output.
    cvt(unsafe { libc::fstat(fd, &mut st) })?;
    if st.st_mode & libc::S_IFMT != libc::S_IFIFO {
        return Err(io::Error::other("not a pipe"));
    }
    // SAFETY: F_GETFL on a descriptor the caller owns.
    let mode = cvt(unsafe { libc::fcntl(fd, libc::F_GETFL) })? & libc::O_ACCMODE;
    let want = if write {
        libc::O_WRONLY
    } else {
        libc::O_RDONLY
    };
    if mode != want {
        return Err(io::Error::other(if write {
            "not the write end of a pipe"
        } else {
            "not the read end of a pipe"
        }));
    }
    Ok(())
}

pub fn set_nonblocking(fd: RawFd) -> io::Result<()> {
    // SAFETY: fcntl on an fd we own.
    let flags = cvt(unsafe { libc::fcntl(fd, libc::F_GETFL) })?;
    // SAFETY: as above.
    cvt(unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) }).map(drop)
}

/// Creates an anonymous in-memory file.
pub fn memfd(name: &str, sealable: bool) -> io::Result<OwnedFd> {
    let name = cstr(name)?;
    let flags = libc::MFD_CLOEXEC | if sealable { libc::MFD_ALLOW_SEALING } else { 0 };
    // SAFETY: name is a valid C string.
    let fd = cvt(unsafe { libc::memfd_create(name.as_ptr(), flags) })?;
    // SAFETY: fresh fd from memfd_create.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Copies everything readable from `src` (from offset 0) to the current
/// position of `dst`, up to `limit` bytes. Returns the number of bytes copied
/// and whether the source had more than `limit`.
pub fn copy_fd(src: RawFd, dst: RawFd, limit: u64) -> io::Result<(u64, bool)> {
    let mut off: libc::off_t = 0;
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let want = buf.len().min(
            usize::try_from(limit - total)
                .unwrap_or(usize::MAX)
                .saturating_add(1),
        );
        // SAFETY: buf is valid for `want` bytes; pread does not move src's offset.
        let n = unsafe { libc::pread(src, buf.as_mut_ptr().cast(), want, off) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        if n == 0 {
            return Ok((total, false));
        }
        let n = n as u64;
        if total + n > limit {
            let keep = (limit - total) as usize;
            write_all(dst, &buf[..keep])?;
            return Ok((limit, true));
        }
        write_all(dst, &buf[..n as usize])?;
        total += n;
        off += n as libc::off_t;
    }
}

pub fn monotonic_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: ts is a valid timespec.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

pub fn errno() -> i32 {
    io::Error::last_os_error().raw_os_error().unwrap_or(0)
}
