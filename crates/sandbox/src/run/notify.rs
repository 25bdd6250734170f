//! The init answering the program's `sysinfo(2)` calls.
//!
//! `sysinfo` tells in one call what the run's `/proc` no longer does (see
//! [`super::procfs`]): the host's RAM, load averages, uptime and process
//! count. Refusing it would break runtimes (glibc's
//! `sysconf(_SC_PHYS_PAGES)` and the JVM use it), so the seccomp filter hands
//! it to the init through a user-notification listener
//! (`SECCOMP_RET_USER_NOTIF`), and the init writes the run's view into the
//! caller's buffer: the memory limit as total and free RAM, no swap, zero
//! load, the run's own uptime and one process.

use std::io;
use std::os::fd::RawFd;

use crate::sys;

// linux/seccomp.h: _IOWR('!', 0, struct seccomp_notif) and friends.
const NOTIF_RECV: libc::c_ulong = 0xc050_2100;
const NOTIF_SEND: libc::c_ulong = 0xc018_2101;
const NOTIF_ID_VALID: libc::c_ulong = 0x4008_2102;

/// What the run looks like from inside.
pub(super) struct View {
    pub memory_bytes: u64,
    /// When the program started (CLOCK_MONOTONIC).
    pub start_ns: u64,
}

fn sysinfo_of(view: &View) -> libc::sysinfo {
    // SAFETY: an all-zero sysinfo is a valid value.
    let mut info: libc::sysinfo = unsafe { std::mem::zeroed() };
    let uptime = sys::monotonic_ns().saturating_sub(view.start_ns) / 1_000_000_000;
    info.uptime = libc::c_long::try_from(uptime).unwrap_or(0);
    info.totalram = view.memory_bytes as libc::c_ulong;
    info.freeram = view.memory_bytes as libc::c_ulong;
    info.procs = 1;
    info.mem_unit = 1;
    info
}

/// Copies `info` to `addr` in `pid`'s memory.
fn write_to(pid: libc::pid_t, addr: u64, info: &libc::sysinfo) -> bool {
    let size = std::mem::size_of::<libc::sysinfo>();
    let local = libc::iovec {
        iov_base: (info as *const libc::sysinfo).cast_mut().cast(),
        iov_len: size,
    };
    let remote = libc::iovec {
        iov_base: addr as *mut libc::c_void,
        iov_len: size,
    };
    // SAFETY: local points at `size` readable bytes; the kernel checks the
    // remote range in the target's address space.
    let n = unsafe { libc::process_vm_writev(pid, &local, 1, &remote, 1, 0) };
    n == size as isize
}

/// Answers one pending notification. `Err` when the listener is done (every
/// filtered process is gone).
pub(super) fn answer(listener: RawFd, view: &View) -> io::Result<()> {
    // SAFETY: an all-zero seccomp_notif is valid (and the kernel wants it so).
    let mut req: libc::seccomp_notif = unsafe { std::mem::zeroed() };
    // SAFETY: req is a seccomp_notif, the size NOTIF_RECV encodes.
    if unsafe { libc::ioctl(listener, NOTIF_RECV as _, &mut req) } != 0 {
        return match sys::errno() {
            // The caller died (ENOENT) or a signal came: nothing to answer.
            libc::ENOENT | libc::EINTR => Ok(()),
            _ => Err(io::Error::last_os_error()),
        };
    }
    let mut resp = libc::seccomp_notif_resp {
        id: req.id,
        val: 0,
        error: -libc::ENOSYS,
        flags: 0,
    };
    if req.data.nr == libc::SYS_sysinfo as i32 {
        let info = sysinfo_of(view);
        // The caller may have died and its pid been reused: check the
        // request is still live before writing into that pid's memory.
        let mut id = req.id;
        // SAFETY: id is the u64 NOTIF_ID_VALID reads.
        let live = unsafe { libc::ioctl(listener, NOTIF_ID_VALID as _, &mut id) } == 0;
        resp.error = if live && write_to(req.pid as libc::pid_t, req.data.args[0], &info) {
            0
        } else {
            -libc::EFAULT
        };
    }
    // SAFETY: resp is a seccomp_notif_resp, the size NOTIF_SEND encodes. A
    // failure means the caller is gone.
    unsafe { libc::ioctl(listener, NOTIF_SEND as _, &mut resp) };
    Ok(())
}
