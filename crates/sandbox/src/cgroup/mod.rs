//! Cgroup limits and accounting for runs, on cgroup v1 and v2.
//!
//! The zygote creates one cgroup of its own (`codearena-sandbox-<pid>`) under
//! its current cgroup in each hierarchy it needs, and for every run a fresh
//! child `run` with the run's limits, so that the peak-memory and OOM-kill
//! counters belong to that run alone. All access after start-up goes through
//! directory descriptors opened before the zygote leaves the host's mount
//! namespace.
//!
//! - v1: `memory` (limit and memory+swap limit, `max_usage_in_bytes`, the
//!   `oom_kill` count in `memory.oom_control`), `pids`, `cpuacct` (usage) and
//!   `cpu` (CFS quota) hierarchies.
//! - v2: one directory with `memory.max`, `memory.swap.max = 0`,
//!   `memory.oom.group`, `pids.max`, `cpu.max`; reads `memory.peak`,
//!   `memory.events` and `cpu.stat`. When the parent cgroup does not yet
//!   delegate the controllers and still holds processes (a container's root
//!   cgroup), its processes are moved into a `codearena-host` leaf first, as
//!   the no-internal-processes rule requires.
//!
//! [`hierarchy`] finds the mounts and this process's cgroups, [`dirs`]
//! creates and removes the directories, [`v1`] and [`v2`] know each
//! version's files; this module holds what both share.

mod dirs;
mod hierarchy;
mod v1;
mod v2;

use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};

use crate::spec::Limits;
use crate::sys::{self, ctx};
use dirs::{mkdirat, remove_cgroup, rmdirat};
use hierarchy::{mountinfo, parse_proc_cgroup};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Memory,
    Pids,
    Cpu,
    CpuAcct,
}

/// One directory we own in one hierarchy.
struct Dir {
    roles: Vec<Role>,
    /// The parent cgroup directory (to remove ours at exit).
    parent: OwnedFd,
    name: String,
    fd: OwnedFd,
    mountpoint: PathBuf,
}

pub struct Cgroups {
    v2: bool,
    dirs: Vec<Dir>,
    pub description: String,
}

/// The cgroup of one run.
pub struct RunCgroup {
    name: String,
    /// `cgroup.procs` of the run cgroup in each hierarchy, opened for writing:
    /// the run's init writes `0` to each to join.
    pub procs: Vec<OwnedFd>,
    dirs: Vec<(Vec<Role>, OwnedFd)>,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct RunStats {
    pub cpu_ns: u64,
    pub peak_memory_bytes: u64,
    pub oom_kills: u64,
}

impl Cgroups {
    /// Finds the hierarchies and creates this zygote's cgroup in each. Must
    /// run while the host's `/proc` and `/sys/fs/cgroup` are visible.
    pub fn setup(parent_override: Option<&Path>) -> io::Result<Cgroups> {
        let mounts = mountinfo().map_err(ctx("read /proc/self/mountinfo"))?;
        let own = parse_proc_cgroup(
            &std::fs::read_to_string("/proc/self/cgroup").map_err(ctx("read /proc/self/cgroup"))?,
        );
        let name = format!("codearena-sandbox-{}", std::process::id());
        let override_path = parent_override.map(|p| p.to_string_lossy().into_owned());

        if v1::mount(&mounts, "memory").is_some() {
            return v1::setup(&mounts, &own, &name, override_path.as_deref());
        }
        v2::setup(&mounts, &own, name, override_path.as_deref())
    }

    /// Creates a run cgroup named `name` (no limits yet).
    pub fn create_run(&self, name: &str) -> io::Result<RunCgroup> {
        let mut procs = Vec::new();
        let mut dirs = Vec::new();
        for d in &self.dirs {
            let dir = d.fd.as_raw_fd();
            if let Err(e) = mkdirat(dir, name) {
                if e.raw_os_error() != Some(libc::EEXIST) {
                    return Err(e).map_err(ctx("create run cgroup"));
                }
                // Left over from a run whose cleanup failed; start afresh.
                remove_cgroup(dir, name).map_err(ctx("remove stale run cgroup"))?;
                mkdirat(dir, name).map_err(ctx("create run cgroup"))?;
            }
            let run = sys::openat(
                dir,
                &sys::cstr(name)?,
                libc::O_RDONLY | libc::O_DIRECTORY,
                0,
            )?;
            procs.push(sys::openat(
                run.as_raw_fd(),
                c"cgroup.procs",
                libc::O_WRONLY,
                0,
            )?);
            dirs.push((d.roles.clone(), run));
        }
        Ok(RunCgroup {
            name: name.to_string(),
            procs,
            dirs,
        })
    }

    /// Writes a run's limits (before its program starts).
    pub fn set_limits(&self, run: &RunCgroup, limits: &Limits) -> io::Result<()> {
        let quota = 100_000u64 * u64::from(limits.cpus);
        for (roles, fd) in &run.dirs {
            let r = fd.as_raw_fd();
            if self.v2 {
                v2::set_limits(r, limits, quota)?;
            } else {
                v1::set_limits(r, roles, limits, quota)?;
            }
        }
        Ok(())
    }

    /// Reads the run's counters. Call after every process of the run is gone.
    pub fn stats(&self, run: &RunCgroup) -> RunStats {
        let mut s = RunStats::default();
        for (roles, fd) in &run.dirs {
            let r = fd.as_raw_fd();
            if self.v2 {
                v2::stats(r, &mut s);
            } else {
                v1::stats(r, roles, &mut s);
            }
        }
        s
    }

    /// CPU time used so far by the run.
    pub fn cpu_ns(&self, run: &RunCgroup) -> u64 {
        for (roles, fd) in &run.dirs {
            if self.v2 {
                return v2::cpu_ns(fd.as_raw_fd());
            }
            if roles.contains(&Role::CpuAcct) {
                return v1::cpu_ns(fd.as_raw_fd());
            }
        }
        0
    }

    /// Removes a run cgroup whose processes are all gone; `Ok(false)` when
    /// the kernel still counts a task in it (try again later).
    pub fn try_remove_run(&self, run: &RunCgroup) -> io::Result<bool> {
        for d in &self.dirs {
            match rmdirat(d.fd.as_raw_fd(), &run.name) {
                Ok(()) => {}
                Err(e) if e.raw_os_error() == Some(libc::ENOENT) => {}
                Err(e) if e.raw_os_error() == Some(libc::EBUSY) => return Ok(false),
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }

    /// Removes a run cgroup, waiting briefly for dying tasks to leave.
    pub fn remove_run(&self, run: &RunCgroup) -> io::Result<()> {
        for d in &self.dirs {
            remove_cgroup(d.fd.as_raw_fd(), &run.name)?;
        }
        Ok(())
    }

    /// Removes this zygote's cgroups (at exit).
    pub fn remove_all(&self) {
        for d in &self.dirs {
            let _ = remove_cgroup(d.parent.as_raw_fd(), &d.name);
        }
    }
}

/// Value of `key` in a "key value" per line file.
fn keyed(text: &str, key: &str) -> u64 {
    text.lines()
        .filter_map(|l| l.split_once(' '))
        .find(|(k, _)| *k == key)
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_keyed_counters() {
        let events = "low 0\nhigh 0\nmax 12\noom 2\noom_kill 1\noom_group_kill 0\n";
        assert_eq!(keyed(events, "oom_kill"), 1);
        assert_eq!(
            keyed("oom_kill_disable 0\nunder_oom 0\noom_kill 3\n", "oom_kill"),
            3
        );
        assert_eq!(
            keyed("usage_usec 1234\nuser_usec 1000\n", "usage_usec"),
            1234
        );
        assert_eq!(keyed("", "oom_kill"), 0);
    }
}
