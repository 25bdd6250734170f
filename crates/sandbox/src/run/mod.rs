//! One run inside the zygote.
//!
//! Process layout: for every run the zygote clones an *init* into fresh
//! mount and PID namespaces. The init mounts `/proc`, joins the run's fresh
//! cgroup and then waits for the run request: this part happens ahead of
//! time, while the previous run's result travels back to the host, because
//! moving a task into a cgroup and creating namespaces are the slow steps.
//!
//! On the request the init mounts fresh tmpfs work directory, `/tmp` and
//! `/dev/shm`, copies the input files in and forks the *program* process,
//! which drops to the sandbox uid, sets rlimits, installs the seccomp filter
//! and execs. When the program exits, the init kills whatever it left behind
//! (`kill(-1)` from a namespace's init reaches exactly that namespace),
//! collects the requested work files without following links, reports and
//! exits; its exit tears the namespaces down in the background.
//!
//! The zygote meanwhile pumps the program's stdout/stderr into the host's
//! sinks (stopping the run past the output limit), enforces the wall and CPU
//! limits from the cgroup's CPU counter, and reads the cgroup's memory peak
//! and OOM-kill count once the init has reported.
//!
//! Every process here descends from the single-threaded zygote, so the code
//! between fork and exec may allocate: no other thread can hold a lock.
//!
//! One file per process role: this one is the zygote's side (preparing inits,
//! sending the request, turning the report into a reply); [`watch`] is the
//! zygote watching a running run; [`init`] is the run's init; [`program`] is
//! the program process up to exec; [`collect`] is the init sending back work
//! files.

mod collect;
mod init;
mod notify;
mod procfs;
mod program;
mod watch;

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use serde::{Deserialize, Serialize};

use crate::cgroup::RunCgroup;
use crate::protocol::{self, RunReply, RunRequest, RunResult};
use crate::spec::{ExitStatus, LimitKind};
use crate::sys::{self, ctx};
use crate::zygote::Zygote;

/// What the init reports to the zygote through the status pipe.
#[derive(Serialize, Deserialize)]
enum InitReport {
    Exited {
        status: ExitStatus,
        wall_ns: u64,
        /// When the program ended (CLOCK_MONOTONIC, shared by every process here).
        ended_ns: u64,
        collect_truncated: bool,
        /// CPU the init itself used while in the run's cgroup (mounting,
        /// copying, collecting): not the program's, so subtracted.
        init_cpu_ns: u64,
    },
    ExecFailed(String),
    SetupFailed(String),
}

/// Everything the program process needs; built by the init from the request.
struct Plan {
    req: RunRequest,
    uid: u32,
    gid: u32,
    user_namespace: bool,
    /// The program switches to `uid`/`gid` (see `Zygote::switch_uid`).
    switch_uid: bool,
    candidates: Vec<CString>,
    argv: Vec<CString>,
    envp: Vec<CString>,
    /// The program's stdio; the init drops its copies after forking.
    stdin: Option<OwnedFd>,
    stdout_w: Option<OwnedFd>,
    stderr_w: Option<OwnedFd>,
    collect_sink: RawFd,
    /// The program's end of a socket to the init, which receives the
    /// seccomp listener through it.
    notify_sock: RawFd,
    files: Vec<OwnedFd>,
    filter: Vec<libc::sock_filter>,
}

/// An init cloned ahead of time, waiting in its cgroup for a request.
struct Prepared {
    pid: libc::pid_t,
    pidfd: OwnedFd,
    ctl: OwnedFd,
    cgroup: RunCgroup,
}

/// A finished run's init that may still be exiting, and its cgroup.
struct Retired {
    pid: libc::pid_t,
    reaped: bool,
    cgroup: RunCgroup,
}

/// The zygote's run state: the next prepared init and the cleanup backlog.
#[derive(Default)]
pub struct Runner {
    prepared: Option<Prepared>,
    retired: Vec<Retired>,
    counter: u64,
}

fn valid_name(n: &str) -> bool {
    !n.is_empty() && n != "." && n != ".." && !n.contains('/') && !n.contains('\0') && n.len() < 256
}

impl Runner {
    /// Clones the next run's init and lets it set itself up.
    fn prepare(&mut self, z: &Zygote, sock: RawFd) -> io::Result<Prepared> {
        self.counter += 1;
        let cgroup = z.cgroups.create_run(&format!("run-{}", self.counter))?;
        let (ctl, ctl_child) = socketpair()?;
        // SAFETY: raw clone without a new stack behaves like fork. The zygote
        // is single-threaded, so the child may keep using the allocator and
        // Rust runtime state; it leaves only through `_exit`.
        let pid = unsafe {
            libc::syscall(
                libc::SYS_clone,
                (libc::CLONE_NEWNS | libc::CLONE_NEWPID | libc::SIGCHLD) as libc::c_ulong,
                0usize,
                0usize,
                0usize,
                0usize,
            )
        };
        if pid == 0 {
            drop(ctl);
            init::init(z, sock, ctl_child, &cgroup);
        }
        drop(ctl_child);
        let pid = match sys::cvt_long(pid) {
            Ok(p) => p as libc::pid_t,
            Err(e) => {
                let _ = z.cgroups.remove_run(&cgroup);
                return Err(e).map_err(ctx("clone run namespaces"));
            }
        };
        // SAFETY: pidfd_open on our own unreaped child.
        let pidfd = match sys::cvt_long(unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) }) {
            // SAFETY: a fresh descriptor we own.
            Ok(fd) => unsafe { OwnedFd::from_raw_fd(fd as RawFd) },
            Err(e) => {
                // SAFETY: killing and reaping our own child.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                    libc::waitpid(pid, std::ptr::null_mut(), 0);
                }
                let _ = z.cgroups.remove_run(&cgroup);
                return Err(e).map_err(ctx("pidfd_open"));
            }
        };
        Ok(Prepared {
            pid,
            pidfd,
            ctl,
            cgroup,
        })
    }

    /// Work between runs: reap finished inits, remove their cgroups, and
    /// prepare the next init.
    pub fn idle(&mut self, z: &Zygote, sock: RawFd) {
        self.reap(z);
        if self.prepared.is_none() {
            // A failure here surfaces on the next run, which retries.
            self.prepared = self.prepare(z, sock).ok();
        }
    }

    fn reap(&mut self, z: &Zygote) {
        self.retired.retain_mut(|r| {
            if !r.reaped {
                // SAFETY: non-blocking reap of our own child.
                r.reaped =
                    unsafe { libc::waitpid(r.pid, std::ptr::null_mut(), libc::WNOHANG) } == r.pid;
            }
            !(r.reaped && z.cgroups.try_remove_run(&r.cgroup).unwrap_or(false))
        });
    }

    /// Stops the prepared init and cleans everything up (zygote exit).
    pub fn shutdown(&mut self, z: &Zygote) {
        if let Some(p) = self.prepared.take() {
            // Closing the control socket makes the waiting init exit.
            drop(p.ctl);
            self.retired.push(Retired {
                pid: p.pid,
                reaped: false,
                cgroup: p.cgroup,
            });
        }
        for r in self.retired.drain(..) {
            if !r.reaped {
                // SAFETY: blocking reap of our own child.
                unsafe { libc::waitpid(r.pid, std::ptr::null_mut(), 0) };
            }
            let _ = z.cgroups.remove_run(&r.cgroup);
        }
    }

    pub fn run(&mut self, z: &Zygote, sock: RawFd, req: RunRequest, fds: Vec<OwnedFd>) -> RunReply {
        match self.run_inner(z, sock, req, fds) {
            Ok(reply) => reply,
            Err(e) => RunReply::Failed(e.to_string()),
        }
    }

    fn run_inner(
        &mut self,
        z: &Zygote,
        sock: RawFd,
        req: RunRequest,
        fds: Vec<OwnedFd>,
    ) -> io::Result<RunReply> {
        req.limits
            .validate()
            .map_err(|e| io::Error::other(e.to_string()))?;
        let expected = 3 + usize::from(req.has_stdin) + req.files.len();
        if fds.len() != expected {
            return Err(io::Error::other(format!(
                "expected {expected} descriptors, got {}",
                fds.len()
            )));
        }
        if let Some((bad, _)) = req.files.iter().find(|(n, _)| !valid_name(n)) {
            return Err(io::Error::other(format!("invalid work file name {bad:?}")));
        }
        let mut fds = fds.into_iter();
        let (Some(stdout_sink), Some(stderr_sink), Some(collect_sink)) =
            (fds.next(), fds.next(), fds.next())
        else {
            return Err(io::Error::other("missing descriptors"));
        };
        // The program gets a sealed in-memory copy of its input: it can
        // neither modify the host's file nor reopen it for writing via /proc.
        // A caller's pipe (an interactive run) is handed over as it is.
        let stdin = if req.has_stdin {
            let src = fds
                .next()
                .ok_or_else(|| io::Error::other("missing stdin"))?;
            if req.stdin_pipe {
                sys::check_pipe_end(src.as_raw_fd(), false).map_err(ctx("stdin pipe"))?;
                src
            } else {
                let m = sys::memfd("stdin", true)?;
                sys::copy_fd(src.as_raw_fd(), m.as_raw_fd(), u64::MAX)
                    .map_err(ctx("copy stdin"))?;
                let seals = libc::F_SEAL_SHRINK
                    | libc::F_SEAL_GROW
                    | libc::F_SEAL_WRITE
                    | libc::F_SEAL_SEAL;
                // SAFETY: fcntl/lseek on our own fd.
                unsafe {
                    sys::cvt(libc::fcntl(m.as_raw_fd(), libc::F_ADD_SEALS, seals))
                        .map_err(ctx("seal stdin"))?;
                    libc::lseek(m.as_raw_fd(), 0, libc::SEEK_SET);
                }
                m
            }
        } else {
            sys::open(c"/dev/null", libc::O_RDONLY, 0)?
        };
        let files: Vec<OwnedFd> = fds.collect();

        let init = match self.prepared.take() {
            Some(p) => p,
            None => self.prepare(z, sock)?,
        };
        // A piped stdout goes to the program itself; otherwise the program
        // writes into a pipe this zygote pumps into the host's sink.
        let (stdout_r, stdout_w, stdout_sink) = if req.stdout_pipe {
            sys::check_pipe_end(stdout_sink.as_raw_fd(), true).map_err(ctx("stdout pipe"))?;
            (None, stdout_sink, None)
        } else {
            let (r, w) = sys::pipe_cloexec()?;
            (Some(r), w, Some(stdout_sink))
        };
        let (stderr_r, stderr_w) = sys::pipe_cloexec()?;
        let (status_r, status_w) = sys::pipe_cloexec()?;
        let limits = req.limits;
        let sent = z
            .cgroups
            .set_limits(&init.cgroup, &limits)
            .map_err(ctx("set cgroup limits"))
            .and_then(|()| {
                let mut send_fds = vec![
                    stdin.as_raw_fd(),
                    stdout_w.as_raw_fd(),
                    stderr_w.as_raw_fd(),
                    status_w.as_raw_fd(),
                    collect_sink.as_raw_fd(),
                ];
                send_fds.extend(files.iter().map(AsRawFd::as_raw_fd));
                protocol::send(init.ctl.as_raw_fd(), &req, &send_fds)
                    .map_err(ctx("send request to init"))
            });
        let start = sys::monotonic_ns();
        // Only the init may hold the write ends now.
        drop((stdin, stdout_w, stderr_w, status_w, files));
        let Prepared {
            pid,
            pidfd,
            ctl,
            cgroup,
        } = init;
        drop(ctl);
        if let Err(e) = sent {
            // SAFETY: killing our own child.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            self.retired.push(Retired {
                pid,
                reaped: false,
                cgroup,
            });
            return Err(e);
        }

        let watched = watch::watch(
            z,
            sock,
            pid,
            &pidfd,
            start,
            &cgroup,
            &req,
            stdout_r,
            stderr_r,
            status_r,
            stdout_sink.as_ref(),
            &stderr_sink,
        );
        let end = sys::monotonic_ns();
        let stats = z.cgroups.stats(&cgroup);
        self.retired.push(Retired {
            pid,
            reaped: false,
            cgroup,
        });
        let watch = watched?;

        let report: Option<InitReport> = serde_json::from_slice(&watch.report).ok();
        let (status, wall_ns, ended_ns, collect_truncated, init_cpu_ns) = match report {
            Some(InitReport::ExecFailed(e)) => return Ok(RunReply::ExecFailed(e)),
            Some(InitReport::SetupFailed(e)) => return Ok(RunReply::Failed(e)),
            Some(InitReport::Exited {
                status,
                wall_ns,
                ended_ns,
                collect_truncated,
                init_cpu_ns,
            }) => (status, wall_ns, ended_ns, collect_truncated, init_cpu_ns),
            // The init was killed (a limit) before it could report.
            // (Without root the OOM killer may also have picked the init.)
            None if watch.killed.is_some() || stats.oom_kills > 0 => (
                ExitStatus::Signaled(libc::SIGKILL),
                end - start,
                end,
                false,
                0,
            ),
            None => {
                return Ok(RunReply::Failed(
                    "the run's init died without a report".into(),
                ));
            }
        };
        let cpu_ns = stats.cpu_ns.saturating_sub(init_cpu_ns);
        let cpu_limit = limits.cpu_time.as_nanos() as u64;
        let limit = watch.killed.or(if stats.oom_kills > 0 {
            Some(LimitKind::Memory)
        } else if cpu_ns > cpu_limit {
            Some(LimitKind::CpuTime)
        } else {
            match status {
                ExitStatus::Signaled(libc::SIGXFSZ) => Some(LimitKind::FileSize),
                ExitStatus::Signaled(libc::SIGXCPU) => Some(LimitKind::CpuTime),
                _ => None,
            }
        });
        Ok(RunReply::Done(RunResult {
            status,
            cpu_ns,
            wall_ns,
            ended_ns,
            peak_memory_bytes: stats.peak_memory_bytes,
            limit,
            oom_kills: stats.oom_kills,
            stdout_truncated: watch.stdout_truncated,
            stderr_truncated: watch.stderr_truncated,
            collect_truncated,
        }))
    }
}

fn socketpair() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: fds is a valid array of two ints.
    sys::cvt(unsafe {
        libc::socketpair(
            libc::AF_UNIX,
            libc::SOCK_STREAM | libc::SOCK_CLOEXEC,
            0,
            fds.as_mut_ptr(),
        )
    })?;
    // SAFETY: fresh descriptors we own.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_file_names() {
        assert!(valid_name("main.c"));
        for bad in ["", ".", "..", "a/b", "/etc/passwd"] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
