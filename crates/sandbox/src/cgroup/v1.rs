//! Cgroup v1: one directory per hierarchy, `memory` (limit and memory+swap
//! limit, `max_usage_in_bytes`, the `oom_kill` count in `memory.oom_control`),
//! `pids`, `cpuacct` (usage) and `cpu` (CFS quota).

use std::io;
use std::os::fd::{AsRawFd, RawFd};

use super::dirs::{mkdirat, open_dir, remove_stale};
use super::hierarchy::{MountInfo, dir_for, parent_path};
use super::{Cgroups, Dir, Role, RunStats, keyed};
use crate::spec::Limits;
use crate::sys::{self, ctx};

/// The v1 mount of controller `ctrl`, if there is one.
pub(super) fn mount<'a>(mounts: &'a [MountInfo], ctrl: &str) -> Option<&'a MountInfo> {
    mounts
        .iter()
        .find(|m| m.fstype == "cgroup" && m.super_opts.iter().any(|o| o == ctrl))
}

/// Creates the zygote's cgroup `name` in each hierarchy it needs.
pub(super) fn setup(
    mounts: &[MountInfo],
    own: &[(Vec<String>, String)],
    name: &str,
    override_path: Option<&str>,
) -> io::Result<Cgroups> {
    let mut dirs: Vec<Dir> = Vec::new();
    let mut description = Vec::new();
    for (role, ctrl) in [
        (Role::Memory, "memory"),
        (Role::Pids, "pids"),
        (Role::CpuAcct, "cpuacct"),
        (Role::Cpu, "cpu"),
    ] {
        let Some(m) = mount(mounts, ctrl) else {
            if role == Role::Cpu {
                continue; // the quota is a nicety; accounting comes from cpuacct
            }
            return Err(io::Error::other(format!(
                "cgroup v1 controller {ctrl} is not mounted"
            )));
        };
        // cpu and cpuacct are often mounted together: one directory.
        if let Some(d) = dirs.iter_mut().find(|d| d.mountpoint == m.mountpoint) {
            d.roles.push(role);
            continue;
        }
        let own_path = own
            .iter()
            .find(|(c, _)| c.iter().any(|c| c == ctrl))
            .map(|(_, p)| p.clone())
            .unwrap_or_else(|| "/".into());
        let path = parent_path(&own_path, override_path);
        let parent_path = dir_for(m, &path);
        let parent = open_dir(&parent_path)?;
        remove_stale(&parent_path, parent.as_raw_fd());
        mkdirat(parent.as_raw_fd(), name).map_err(ctx(format_args!(
            "create cgroup in {}",
            parent_path.display()
        )))?;
        let fd = open_dir(&parent_path.join(name))?;
        description.push(parent_path.join(name).display().to_string());
        dirs.push(Dir {
            roles: vec![role],
            parent,
            name: name.to_string(),
            fd,
            mountpoint: m.mountpoint.clone(),
        });
    }
    Ok(Cgroups {
        v2: false,
        dirs,
        description: format!("cgroup v1: {}", description.join(", ")),
    })
}

/// Writes a run's limits into its directory of the hierarchy with `roles`.
pub(super) fn set_limits(r: RawFd, roles: &[Role], limits: &Limits, quota: u64) -> io::Result<()> {
    for role in roles {
        match role {
            Role::Memory => {
                let b = limits.memory_bytes.to_string();
                sys::write_file_at(r, "memory.limit_in_bytes", &b)?;
                // memory+swap; absent without swap accounting.
                let _ = sys::write_file_at(r, "memory.memsw.limit_in_bytes", &b);
            }
            Role::Pids => sys::write_file_at(r, "pids.max", &limits.max_processes.to_string())?,
            Role::Cpu => {
                sys::write_file_at(r, "cpu.cfs_period_us", "100000")?;
                sys::write_file_at(r, "cpu.cfs_quota_us", &quota.to_string())?;
            }
            Role::CpuAcct => {}
        }
    }
    Ok(())
}

/// Reads the counters of the hierarchy with `roles` into `s`.
pub(super) fn stats(r: RawFd, roles: &[Role], s: &mut RunStats) {
    let read = |name: &str| sys::read_file_at(r, name).unwrap_or_default();
    for role in roles {
        match role {
            Role::Memory => {
                let mem: u64 = read("memory.max_usage_in_bytes")
                    .trim()
                    .parse()
                    .unwrap_or(0);
                let memsw: u64 = read("memory.memsw.max_usage_in_bytes")
                    .trim()
                    .parse()
                    .unwrap_or(0);
                s.peak_memory_bytes = mem.max(memsw);
                s.oom_kills = keyed(&read("memory.oom_control"), "oom_kill");
            }
            Role::CpuAcct => s.cpu_ns = read("cpuacct.usage").trim().parse().unwrap_or(0),
            Role::Pids | Role::Cpu => {}
        }
    }
}

/// CPU time used so far, from `cpuacct`.
pub(super) fn cpu_ns(r: RawFd) -> u64 {
    sys::read_file_at(r, "cpuacct.usage")
        .unwrap_or_default()
        .trim()
        .parse()
        .unwrap_or(0)
}
