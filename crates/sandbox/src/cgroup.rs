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

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};

use crate::spec::Limits;
use crate::sys::{self, ctx};

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

struct MountInfo {
    root: String,
    mountpoint: PathBuf,
    fstype: String,
    super_opts: Vec<String>,
}

fn mountinfo() -> io::Result<Vec<MountInfo>> {
    let text = std::fs::read_to_string("/proc/self/mountinfo")?;
    Ok(parse_mountinfo(&text))
}

fn parse_mountinfo(text: &str) -> Vec<MountInfo> {
    let mut out = Vec::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split(' ').collect();
        let Some(sep) = fields.iter().position(|f| *f == "-") else {
            continue;
        };
        if fields.len() < sep + 4 || sep < 5 {
            continue;
        }
        out.push(MountInfo {
            root: unescape(fields[3]),
            mountpoint: PathBuf::from(unescape(fields[4])),
            fstype: fields[sep + 1].to_string(),
            super_opts: fields[sep + 3].split(',').map(str::to_string).collect(),
        });
    }
    out
}

/// mountinfo escapes space, tab, newline and backslash as octal.
fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            let v = (b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0');
            out.push(v);
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `/proc/self/cgroup`: hierarchy controllers (empty for v2) → path.
fn parse_proc_cgroup(text: &str) -> Vec<(Vec<String>, String)> {
    text.lines()
        .filter_map(|l| {
            let mut it = l.splitn(3, ':');
            let _id = it.next()?;
            let ctrls = it.next()?;
            let path = it.next()?;
            let ctrls = ctrls
                .split(',')
                .filter(|c| !c.is_empty())
                .map(|c| c.trim_start_matches("name=").to_string())
                .collect();
            Some((ctrls, path.to_string()))
        })
        .collect()
}

/// The cgroup path to create ours under: our own cgroup, or the configured
/// parent (absolute, or relative to our own).
fn parent_path(own: &str, configured: Option<&str>) -> String {
    match configured {
        None => own.to_string(),
        Some(p) if p.starts_with('/') => p.to_string(),
        Some(p) => format!("{}/{p}", own.trim_end_matches('/')),
    }
}

/// Maps a cgroup path to its directory under a mount of that hierarchy.
fn dir_for(mount: &MountInfo, cgroup_path: &str) -> PathBuf {
    let rel = cgroup_path
        .strip_prefix(mount.root.as_str())
        .unwrap_or(cgroup_path);
    mount.mountpoint.join(rel.trim_start_matches('/'))
}

fn open_dir(path: &Path) -> io::Result<OwnedFd> {
    sys::open(&sys::cpath(path)?, libc::O_RDONLY | libc::O_DIRECTORY, 0)
        .map_err(ctx(path.display()))
}

fn mkdirat(dir: RawFd, name: &str) -> io::Result<()> {
    let c = sys::cstr(name)?;
    // SAFETY: c is a valid C string.
    sys::cvt(unsafe { libc::mkdirat(dir, c.as_ptr(), 0o755) }).map(drop)
}

fn rmdirat(dir: RawFd, name: &str) -> io::Result<()> {
    let c = sys::cstr(name)?;
    // SAFETY: c is a valid C string.
    sys::cvt(unsafe { libc::unlinkat(dir, c.as_ptr(), libc::AT_REMOVEDIR) }).map(drop)
}

/// Removes a cgroup directory, retrying briefly: tasks that were just killed
/// can take a moment to leave.
fn remove_cgroup(dir: RawFd, name: &str) -> io::Result<()> {
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
fn remove_stale(parent: &Path, parent_fd: RawFd) {
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

        let v1_mount = |ctrl: &str| {
            mounts
                .iter()
                .find(|m| m.fstype == "cgroup" && m.super_opts.iter().any(|o| o == ctrl))
        };
        if let Some(_mem) = v1_mount("memory") {
            let mut dirs: Vec<Dir> = Vec::new();
            let mut description = Vec::new();
            for (role, ctrl) in [
                (Role::Memory, "memory"),
                (Role::Pids, "pids"),
                (Role::CpuAcct, "cpuacct"),
                (Role::Cpu, "cpu"),
            ] {
                let Some(m) = v1_mount(ctrl) else {
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
                let path = parent_path(&own_path, override_path.as_deref());
                let parent_path = dir_for(m, &path);
                let parent = open_dir(&parent_path)?;
                remove_stale(&parent_path, parent.as_raw_fd());
                mkdirat(parent.as_raw_fd(), &name).map_err(ctx(format_args!(
                    "create cgroup in {}",
                    parent_path.display()
                )))?;
                let fd = open_dir(&parent_path.join(&name))?;
                description.push(parent_path.join(&name).display().to_string());
                dirs.push(Dir {
                    roles: vec![role],
                    parent,
                    name: name.clone(),
                    fd,
                    mountpoint: m.mountpoint.clone(),
                });
            }
            return Ok(Cgroups {
                v2: false,
                dirs,
                description: format!("cgroup v1: {}", description.join(", ")),
            });
        }

        let m = mounts
            .iter()
            .find(|m| m.fstype == "cgroup2")
            .ok_or_else(|| {
                io::Error::other("no cgroup v1 memory controller and no cgroup2 mount")
            })?;
        let own_path = own
            .iter()
            .find(|(c, _)| c.is_empty())
            .map(|(_, p)| p.clone())
            .unwrap_or_else(|| "/".into());
        let path = parent_path(&own_path, override_path.as_deref());
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
                sys::write_file_at(r, "memory.max", &limits.memory_bytes.to_string())?;
                // Absent when the kernel has no swap accounting.
                let _ = sys::write_file_at(r, "memory.swap.max", "0");
                let _ = sys::write_file_at(r, "memory.oom.group", "1");
                sys::write_file_at(r, "pids.max", &limits.max_processes.to_string())?;
                sys::write_file_at(r, "cpu.max", &format!("{quota} 100000"))?;
                continue;
            }
            for role in roles {
                match role {
                    Role::Memory => {
                        let b = limits.memory_bytes.to_string();
                        sys::write_file_at(r, "memory.limit_in_bytes", &b)?;
                        // memory+swap; absent without swap accounting.
                        let _ = sys::write_file_at(r, "memory.memsw.limit_in_bytes", &b);
                    }
                    Role::Pids => {
                        sys::write_file_at(r, "pids.max", &limits.max_processes.to_string())?
                    }
                    Role::Cpu => {
                        sys::write_file_at(r, "cpu.cfs_period_us", "100000")?;
                        sys::write_file_at(r, "cpu.cfs_quota_us", &quota.to_string())?;
                    }
                    Role::CpuAcct => {}
                }
            }
        }
        Ok(())
    }

    /// Reads the run's counters. Call after every process of the run is gone.
    pub fn stats(&self, run: &RunCgroup) -> RunStats {
        let mut s = RunStats::default();
        for (roles, fd) in &run.dirs {
            let r = fd.as_raw_fd();
            let read = |name: &str| sys::read_file_at(r, name).unwrap_or_default();
            if self.v2 {
                s.peak_memory_bytes = read("memory.peak").trim().parse().unwrap_or(0);
                s.oom_kills = keyed(&read("memory.events"), "oom_kill");
                s.cpu_ns = keyed(&read("cpu.stat"), "usage_usec") * 1000;
                continue;
            }
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
        s
    }

    /// CPU time used so far by the run.
    pub fn cpu_ns(&self, run: &RunCgroup) -> u64 {
        for (roles, fd) in &run.dirs {
            if self.v2 {
                return keyed(
                    &sys::read_file_at(fd.as_raw_fd(), "cpu.stat").unwrap_or_default(),
                    "usage_usec",
                ) * 1000;
            }
            if roles.contains(&Role::CpuAcct) {
                return sys::read_file_at(fd.as_raw_fd(), "cpuacct.usage")
                    .unwrap_or_default()
                    .trim()
                    .parse()
                    .unwrap_or(0);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hybrid_mountinfo_and_proc_cgroup() {
        let mi = "30 25 0:26 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory\n\
                  31 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n\
                  32 25 0:28 / /sys/fs/cgroup/unified rw shared:9 - cgroup2 cgroup2 rw\n\
                  33 25 0:29 /kube/pod1 /sys/fs/cgroup/x\\040y rw - cgroup2 cgroup2 rw\n";
        let m = parse_mountinfo(mi);
        assert_eq!(m.len(), 4);
        assert!(m[1].super_opts.contains(&"cpuacct".to_string()));
        assert_eq!(m[2].fstype, "cgroup2");
        assert_eq!(m[3].mountpoint, PathBuf::from("/sys/fs/cgroup/x y"));
        assert_eq!(
            dir_for(&m[3], "/kube/pod1/ctr"),
            PathBuf::from("/sys/fs/cgroup/x y/ctr")
        );
        assert_eq!(
            dir_for(&m[0], "/process_api/abc"),
            PathBuf::from("/sys/fs/cgroup/memory/process_api/abc")
        );

        let pc = parse_proc_cgroup(
            "4:memory:/process_api/abc\n2:cpu,cpuacct:/\n1:name=systemd:/\n0::/user.slice\n",
        );
        assert_eq!(
            pc[0],
            (vec!["memory".to_string()], "/process_api/abc".to_string())
        );
        assert_eq!(pc[1].0, vec!["cpu".to_string(), "cpuacct".to_string()]);
        assert_eq!(pc[3], (vec![], "/user.slice".to_string()));
    }

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
