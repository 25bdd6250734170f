//! Cgroup v2: one directory with `memory.max`, `memory.swap.max = 0`,
//! `memory.oom.group`, `pids.max`, `cpu.max`; reads `memory.peak`,
//! `memory.events` and `cpu.stat`. When the parent cgroup does not yet
//! delegate the controllers and still holds processes (a container's root
//! cgroup), its processes are moved into a `codearena-host` leaf first, as
//! the no-internal-processes rule requires.

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::path::Path;

use super::dirs::{mkdirat, open_dir, remove_stale};
use super::hierarchy::{MountInfo, dir_for, parent_path};
use super::{Cgroups, Dir, Role, RunStats, keyed};
use crate::spec::Limits;
use crate::sys::{self, ctx};

/// Creates the zygote's cgroup `name` in the unified hierarchy.
pub(super) fn setup(
    mounts: &[MountInfo],
    own: &[(Vec<String>, String)],
    name: String,
    override_path: Option<&str>,
) -> io::Result<Cgroups> {
    let m = mounts
        .iter()
        .find(|m| m.fstype == "cgroup2")
        .ok_or_else(|| io::Error::other("no cgroup v1 memory controller and no cgroup2 mount"))?;
    let own_path = own
        .iter()
        .find(|(c, _)| c.is_empty())
        .map(|(_, p)| p.clone())
        .unwrap_or_else(|| "/".into());
    let path = parent_path(&own_path, override_path);
    let parent_path = dir_for(m, &path);
    let parent = open_dir(&parent_path)?;
    let available = sys::read_file_at(parent.as_raw_fd(), "cgroup.controllers")?;
    for c in ["memory", "pids", "cpu"] {
        if !available.split_whitespace().any(|a| a == c) {
            return Err(io::Error::other(format!(
                "cgroup v2 controller {c} is not available in {}",
                parent_path.display()
            )));
        }
    }
    remove_stale(&parent_path, parent.as_raw_fd());
    enable_v2_controllers(parent.as_raw_fd(), &parent_path)?;
    mkdirat(parent.as_raw_fd(), &name).map_err(ctx(format_args!(
        "create cgroup in {}",
        parent_path.display()
    )))?;
    let fd = open_dir(&parent_path.join(&name))?;
    sys::write_file_at(
        fd.as_raw_fd(),
        "cgroup.subtree_control",
        "+memory +pids +cpu",
    )?;
    let description = format!("cgroup v2: {}", parent_path.join(&name).display());
    Ok(Cgroups {
        v2: true,
        dirs: vec![Dir {
            roles: vec![Role::Memory, Role::Pids, Role::Cpu, Role::CpuAcct],
            parent,
            name,
            fd,
            mountpoint: m.mountpoint.clone(),
        }],
        description,
    })
}

/// Writes a run's limits into its directory.
pub(super) fn set_limits(r: RawFd, limits: &Limits, quota: u64) -> io::Result<()> {
    sys::write_file_at(r, "memory.max", &limits.memory_bytes.to_string())?;
    // Absent when the kernel has no swap accounting.
    let _ = sys::write_file_at(r, "memory.swap.max", "0");
    let _ = sys::write_file_at(r, "memory.oom.group", "1");
    sys::write_file_at(r, "pids.max", &limits.max_processes.to_string())?;
    sys::write_file_at(r, "cpu.max", &format!("{quota} 100000"))?;
    Ok(())
}

/// Reads the run's counters into `s`.
pub(super) fn stats(r: RawFd, s: &mut RunStats) {
    let read = |name: &str| sys::read_file_at(r, name).unwrap_or_default();
    s.peak_memory_bytes = read("memory.peak").trim().parse().unwrap_or(0);
    s.oom_kills = keyed(&read("memory.events"), "oom_kill");
    s.cpu_ns = keyed(&read("cpu.stat"), "usage_usec") * 1000;
}

/// CPU time used so far, from `cpu.stat`.
pub(super) fn cpu_ns(r: RawFd) -> u64 {
    keyed(
        &sys::read_file_at(r, "cpu.stat").unwrap_or_default(),
        "usage_usec",
    ) * 1000
}

/// Makes `parent` delegate memory, pids and cpu to its children. A cgroup
/// with processes cannot (v2's no-internal-processes rule), so when that is
/// why it fails, the processes move into a `codearena-host` leaf first.
fn enable_v2_controllers(parent: RawFd, parent_path: &Path) -> io::Result<()> {
    let enabled = sys::read_file_at(parent, "cgroup.subtree_control")?;
    if ["memory", "pids", "cpu"]
        .iter()
        .all(|c| enabled.split_whitespace().any(|e| e == *c))
    {
        return Ok(());
    }
    match sys::write_file_at(parent, "cgroup.subtree_control", "+memory +pids +cpu") {
        Ok(()) => return Ok(()),
        Err(e) if e.raw_os_error() != Some(libc::EBUSY) => {
            return Err(io::Error::new(
                e.kind(),
                format!(
                    "cannot delegate controllers in {}: {e}",
                    parent_path.display()
                ),
            ));
        }
        Err(_) => {}
    }
    let leaf = "codearena-host";
    if let Err(e) = mkdirat(parent, leaf)
        && e.raw_os_error() != Some(libc::EEXIST)
    {
        return Err(e).map_err(ctx("create codearena-host cgroup"));
    }
    let leaf_procs = sys::openat(
        parent,
        &CString::from(c"codearena-host/cgroup.procs"),
        libc::O_WRONLY,
        0,
    )?;
    for pid in sys::read_file_at(parent, "cgroup.procs")?.split_whitespace() {
        // A process may exit meanwhile; ESRCH is fine.
        let _ = sys::write_all(leaf_procs.as_raw_fd(), pid.as_bytes());
    }
    sys::write_file_at(parent, "cgroup.subtree_control", "+memory +pids +cpu").map_err(|e| {
        io::Error::new(
            e.kind(),
            format!(
                "cannot delegate controllers in {}: {e}",
                parent_path.display()
            ),
        )
    })
}
