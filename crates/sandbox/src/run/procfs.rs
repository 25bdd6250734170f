//! The run's `/proc`, cut down to the run: a fresh procfs shows the whole
//! machine in its global files (memory, load, uptime, kernel command line and
//! version, boot id, per-device and per-interrupt counters, pressure stall
//! information), which both identifies the host and lets a run watch its
//! neighbours. The init bind-mounts over them, as Docker's masked paths and
//! LXCFS do:
//!
//! - files only the host needs are covered by `/dev/null` (read as empty);
//! - files runtimes read are replaced by a read-only copy describing the run
//!   (`meminfo` with the run's memory limit as `MemTotal`, so heap sizing
//!   follows the limit; `stat` with the run's CPUs and zero counters;
//!   `loadavg` and `uptime` zero);
//! - `/proc/sys` is read-only;
//! - and, beyond `/proc`, the program's monotonic and boot-time clocks start
//!   near zero in a time namespace of its own (they would tell the uptime).
//!
//! Per-process files (`/proc/<pid>/mountinfo`) cannot be covered this way:
//! every process has its own. What they list is made harmless instead: the
//! root's mounts are overlays and tmpfs, not the host's disk (`crate::root`).

use std::ffi::CStr;
use std::io;
use std::os::fd::AsRawFd;

use crate::spec::Limits;
use crate::sys::{self, ctx};

/// Host-wide files shown empty (relative to `/proc`). Missing ones (no PSI in
/// this kernel, say) are skipped.
const HIDDEN: [&str; 25] = [
    "cmdline",
    "version",
    "config.gz",
    "modules",
    "kallsyms",
    "keys",
    "timer_list",
    "vmstat",
    "diskstats",
    "interrupts",
    "softirqs",
    "zoneinfo",
    "buddyinfo",
    "schedstat",
    "swaps",
    "partitions",
    "key-users",
    "locks",
    "pressure/cpu",
    "pressure/memory",
    "pressure/io",
    "pressure/irq",
    "sys/kernel/osrelease",
    "sys/kernel/random/boot_id",
    "sys/kernel/version",
];

/// Flags of a read-only cover; not `MS_NODEV`, so that `/dev/null` still
/// reads as an empty file.
const COVER: libc::c_ulong =
    libc::MS_REMOUNT | libc::MS_BIND | libc::MS_RDONLY | libc::MS_NOSUID | libc::MS_NOEXEC;

fn cover(src: &CStr, dst: &CStr) -> io::Result<()> {
    match sys::mount(Some(src), dst, None, libc::MS_BIND, None) {
        Ok(()) => {}
        Err(e) if e.raw_os_error() == Some(libc::ENOENT) => return Ok(()),
        Err(e) => return Err(e).map_err(ctx(format_args!("cover {dst:?}"))),
    }
    sys::mount(None, dst, None, COVER, None).map_err(ctx(format_args!("remount {dst:?}")))
}

/// Makes `/proc/sys` read-only and hides the host-only files. Ahead of time,
/// right after `/proc` is mounted.
pub(super) fn hide_host_files() -> io::Result<()> {
    // /proc/sys first: a bind of it made later would not carry the covers.
    sys::mount(
        Some(c"/proc/sys"),
        c"/proc/sys",
        None,
        libc::MS_BIND | libc::MS_REC,
        None,
    )
    .map_err(ctx("bind /proc/sys"))?;
    sys::mount(None, c"/proc/sys", None, COVER | libc::MS_NODEV, None)
        .map_err(ctx("remount /proc/sys read-only"))?;
    for name in HIDDEN {
        cover(c"/dev/null", &sys::cstr(&format!("/proc/{name}"))?)?;
    }
    Ok(())
}

/// The run's own view of the machine, from its limits.
fn virtual_files(l: &Limits) -> [(&'static str, String); 4] {
    let kib = l.memory_bytes / 1024;
    let mut meminfo = String::new();
    for (key, value) in [
        ("MemTotal", kib),
        ("MemFree", kib),
        ("MemAvailable", kib),
        ("Buffers", 0),
        ("Cached", 0),
        ("SwapCached", 0),
        ("Active", 0),
        ("Inactive", 0),
        ("Shmem", 0),
        ("SwapTotal", 0),
        ("SwapFree", 0),
        ("Slab", 0),
        ("SReclaimable", 0),
        ("SUnreclaim", 0),
        ("CommitLimit", kib),
        ("Committed_AS", 0),
    ] {
        meminfo.push_str(&format!("{:<16}{value:>8} kB\n", format!("{key}:")));
    }
    let zeros = " 0 0 0 0 0 0 0 0 0 0";
    let mut stat = format!("cpu {zeros}\n");
    for cpu in 0..l.cpus {
        stat.push_str(&format!("cpu{cpu}{zeros}\n"));
    }
    stat.push_str("intr 0\nctxt 0\nbtime 0\nprocesses 0\nprocs_running 1\nprocs_blocked 0\n");
    [
        ("meminfo", meminfo),
        ("stat", stat),
        ("loadavg", "0.00 0.00 0.00 1/1 1\n".to_string()),
        ("uptime", "0.00 0.00\n".to_string()),
    ]
}

/// Covers `meminfo`, `stat`, `loadavg` and `uptime` with the run's view.
/// The copies are written to a scratch tmpfs on `staging` (an empty mount
/// point the caller mounts over afterwards), which is detached once bound.
pub(super) fn show_the_run(limits: &Limits, staging: &CStr) -> io::Result<()> {
    sys::mount(
        Some(c"tmpfs"),
        staging,
        Some(c"tmpfs"),
        libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
        Some(c"size=64k,nr_inodes=16,mode=0755"),
    )
    .map_err(ctx("mount /proc staging tmpfs"))?;
    let result = (|| {
        let dir = sys::open(staging, libc::O_RDONLY | libc::O_DIRECTORY, 0)?;
        for (name, text) in virtual_files(limits) {
            let file = sys::openat(
                dir.as_raw_fd(),
                &sys::cstr(name)?,
                libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW,
                0o444,
            )?;
            sys::write_all(file.as_raw_fd(), text.as_bytes())?;
            let src = sys::cstr(&format!("{}/{name}", staging.to_string_lossy()))?;
            cover(&src, &sys::cstr(&format!("/proc/{name}"))?)?;
        }
        Ok(())
    })();
    // SAFETY: umount2 with a valid path; the covers keep the tmpfs alive.
    unsafe { libc::umount2(staging.as_ptr(), libc::MNT_DETACH) };
    result
}

/// Starts the program's `CLOCK_MONOTONIC` and `CLOCK_BOOTTIME` near zero:
/// both count from the host's boot, which is its uptime. Children forked after
/// this live in a new time namespace whose offsets take the current values
/// away. Kernels without time namespaces (before 5.6) keep the host's clocks.
/// The init's own clocks, which measure the run, are untouched.
pub(super) fn fresh_clocks() -> io::Result<()> {
    // SAFETY: plain syscall.
    if unsafe { libc::unshare(libc::CLONE_NEWTIME) } != 0 {
        return match sys::errno() {
            libc::EINVAL => Ok(()),
            _ => Err(io::Error::last_os_error()).map_err(ctx("unshare time namespace")),
        };
    }
    let secs = |clock| {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: ts is a valid timespec.
        unsafe { libc::clock_gettime(clock, &mut ts) };
        ts.tv_sec
    };
    let offsets = format!(
        "monotonic -{} 0\nboottime -{} 0\n",
        secs(libc::CLOCK_MONOTONIC),
        secs(libc::CLOCK_BOOTTIME)
    );
    // The init is not dumpable, so its /proc files belong to the namespace's
    // root, which a single-uid user namespace does not map: the write would
    // be refused. Nothing else runs in the PID namespace yet, so it may be
    // dumpable for this one write.
    // SAFETY: prctl with integer arguments.
    unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 1, 0, 0, 0) };
    let written = std::fs::write("/proc/self/timens_offsets", offsets);
    // SAFETY: as above.
    unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) };
    written.map_err(ctx("write timens_offsets"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_virtual_files_describe_the_limits() {
        let limits = Limits {
            memory_bytes: 64 << 20,
            cpus: 2,
            ..Limits::default()
        };
        let files = virtual_files(&limits);
        let meminfo = &files[0].1;
        assert!(
            meminfo.starts_with("MemTotal:          65536 kB\n"),
            "{meminfo}"
        );
        assert_eq!(
            files[1].1.lines().filter(|l| l.starts_with("cpu")).count(),
            3
        );
    }
}
