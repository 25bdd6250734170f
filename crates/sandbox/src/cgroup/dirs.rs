//! Creating and removing cgroup directories, through directory descriptors,
//! including those left behind by zygotes that died.

use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::path::Path;

use crate::sys::{self, ctx};

pub(super) fn open_dir(path: &Path) -> io::Result<OwnedFd> {
    sys::open(&sys::cpath(path)?, libc::O_RDONLY | libc::O_DIRECTORY, 0)
        .map_err(ctx(path.display()))
}

pub(super) fn mkdirat(dir: RawFd, name: &str) -> io::Result<()> {
    let c = sys::cstr(name)?;
    // SAFETY: c is a valid C string.
    sys::cvt(unsafe { libc::mkdirat(dir, c.as_ptr(), 0o755) }).map(drop)
}

pub(super) fn rmdirat(dir: RawFd, name: &str) -> io::Result<()> {
    let c = sys::cstr(name)?;
    // SAFETY: c is a valid C string.
    sys::cvt(unsafe { libc::unlinkat(dir, c.as_ptr(), libc::AT_REMOVEDIR) }).map(drop)
}

/// Removes a cgroup directory, retrying briefly: tasks that were just killed
/// can take a moment to leave.
pub(super) fn remove_cgroup(dir: RawFd, name: &str) -> io::Result<()> {
    let mut delay = 100u64;
    for _ in 0..50 {
        match rmdirat(dir, name) {
            Ok(()) => return Ok(()),
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => return Ok(()),
            Err(e) if e.raw_os_error() == Some(libc::EBUSY) => {
                std::thread::sleep(std::time::Duration::from_micros(delay));
                delay = (delay * 2).min(20_000);
            }
            Err(e) => return Err(e),
        }
    }
    rmdirat(dir, name)
}

fn pid_alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks for existence.
    unsafe { libc::kill(pid, 0) == 0 || sys::errno() == libc::EPERM }
}

/// Removes `codearena-sandbox-<pid>` directories left by zygotes that died.
pub(super) fn remove_stale(parent: &Path, parent_fd: RawFd) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix("codearena-sandbox-")
            .and_then(|p| p.parse::<i32>().ok())
        else {
            continue;
        };
        if pid_alive(pid) {
            continue;
        }
        let dir = parent.join(&name);
        if let Ok(fd) = open_dir(&dir) {
            for run in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                if run.path().is_dir() {
                    let _ = remove_cgroup(fd.as_raw_fd(), &run.file_name().to_string_lossy());
                }
            }
        }
        let _ = remove_cgroup(parent_fd, &name);
    }
}
