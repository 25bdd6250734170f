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
    candidates: Vec<CString>,
    argv: Vec<CString>,
    envp: Vec<CString>,
    /// The program's stdio; the init drops its copies after forking.
    stdin: Option<OwnedFd>,
    stdout_w: Option<OwnedFd>,
    stderr_w: Option<OwnedFd>,
    collect_sink: RawFd,
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

/// Possible paths for `argv[0]`: itself if it contains a slash, else each
/// `PATH` entry of the run's environment.
fn exec_candidates(req: &RunRequest) -> io::Result<Vec<CString>> {
    let prog = req
        .argv
        .first()
        .ok_or_else(|| io::Error::other("empty argv"))?;
    if prog.contains('/') {
        return Ok(vec![sys::cstr(prog)?]);
    }
    let path = req
        .env
        .iter()
        .find_map(|e| e.strip_prefix("PATH="))
        .unwrap_or("/usr/local/bin:/usr/bin:/bin");
    path.split(':')
        .filter(|d| !d.is_empty())
        .map(|d| sys::cstr(&format!("{}/{prog}", d.trim_end_matches('/'))))
        .collect()
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
            init(z, sock, ctl_child, &cgroup);
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
        let stdin = if req.has_stdin {
            let src = fds
                .next()
                .ok_or_else(|| io::Error::other("missing stdin"))?;
            let m = sys::memfd("stdin", true)?;
            sys::copy_fd(src.as_raw_fd(), m.as_raw_fd(), u64::MAX).map_err(ctx("copy stdin"))?;
            let seals =
                libc::F_SEAL_SHRINK | libc::F_SEAL_GROW | libc::F_SEAL_WRITE | libc::F_SEAL_SEAL;
            // SAFETY: fcntl/lseek on our own fd.
            unsafe {
                sys::cvt(libc::fcntl(m.as_raw_fd(), libc::F_ADD_SEALS, seals))
                    .map_err(ctx("seal stdin"))?;
                libc::lseek(m.as_raw_fd(), 0, libc::SEEK_SET);
            }
            m
        } else {
            sys::open(c"/dev/null", libc::O_RDONLY, 0)?
        };
        let files: Vec<OwnedFd> = fds.collect();

        let init = match self.prepared.take() {
            Some(p) => p,
            None => self.prepare(z, sock)?,
        };
        let (stdout_r, stdout_w) = sys::pipe_cloexec()?;
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

        let watched = watch(
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
            &stdout_sink,
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
        let (status, wall_ns, collect_truncated, init_cpu_ns) = match report {
            Some(InitReport::ExecFailed(e)) => return Ok(RunReply::ExecFailed(e)),
            Some(InitReport::SetupFailed(e)) => return Ok(RunReply::Failed(e)),
            Some(InitReport::Exited {
                status,
                wall_ns,
                collect_truncated,
                init_cpu_ns,
            }) => (status, wall_ns, collect_truncated, init_cpu_ns),
            // The init was killed (a limit) before it could report.
            // (Without root the OOM killer may also have picked the init.)
            None if watch.killed.is_some() || stats.oom_kills > 0 => {
                (ExitStatus::Signaled(libc::SIGKILL), end - start, false, 0)
            }
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
            peak_memory_bytes: stats.peak_memory_bytes,
            limit,
            oom_kills: stats.oom_kills,
            stdout_truncated: watch.stdout_truncated,
            stderr_truncated: watch.stderr_truncated,
            collect_truncated,
        }))
    }
}

/// Makes `fd` available as `target` across exec (dup2 keeps close-on-exec
/// when both are the same descriptor, so clear it then).
fn install_fd(fd: RawFd, target: RawFd) -> io::Result<()> {
    // SAFETY: descriptor operations on our own table.
    unsafe {
        if fd == target {
            sys::cvt(libc::fcntl(fd, libc::F_SETFD, 0)).map(drop)
        } else {
            sys::cvt(libc::dup2(fd, target)).map(drop)
        }
    }
}

fn raw(fd: &Option<OwnedFd>) -> RawFd {
    fd.as_ref().map_or(-1, AsRawFd::as_raw_fd)
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

struct Watch {
    killed: Option<LimitKind>,
    stdout_truncated: bool,
    stderr_truncated: bool,
    report: Vec<u8>,
}

/// Copies a pipe into a sink up to a limit.
struct Pump {
    fd: Option<OwnedFd>,
    sink: RawFd,
    limit: u64,
    written: u64,
    truncated: bool,
    /// Past the limit: drop the rest (stderr) instead of stopping the run.
    discard: bool,
}

impl Pump {
    /// Reads what is available. Returns true when the limit was crossed.
    fn pump(&mut self, buf: &mut [u8]) -> io::Result<bool> {
        let Some(fd) = &self.fd else { return Ok(false) };
        loop {
            // SAFETY: buf is valid; the fd is non-blocking.
            let n = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
            if n < 0 {
                let e = io::Error::last_os_error();
                return match e.raw_os_error() {
                    Some(libc::EAGAIN) => Ok(false),
                    Some(libc::EINTR) => continue,
                    _ => Err(e),
                };
            }
            if n == 0 {
                self.fd = None;
                return Ok(false);
            }
            let n = n as u64;
            let room = self.limit - self.written;
            let take = n.min(room);
            if take > 0 {
                sys::write_all(self.sink, &buf[..take as usize])?;
                self.written += take;
            }
            if n > room {
                self.truncated = true;
                if !self.discard {
                    return Ok(true);
                }
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn watch(
    z: &Zygote,
    sock: RawFd,
    pid: libc::pid_t,
    pidfd: &OwnedFd,
    start: u64,
    cgroup: &RunCgroup,
    req: &RunRequest,
    stdout_r: OwnedFd,
    stderr_r: OwnedFd,
    status_r: OwnedFd,
    stdout_sink: &OwnedFd,
    stderr_sink: &OwnedFd,
) -> io::Result<Watch> {
    sys::set_nonblocking(stdout_r.as_raw_fd())?;
    sys::set_nonblocking(stderr_r.as_raw_fd())?;
    sys::set_nonblocking(status_r.as_raw_fd())?;
    let mut out = Pump {
        fd: Some(stdout_r),
        sink: stdout_sink.as_raw_fd(),
        limit: req.limits.stdout_bytes,
        written: 0,
        truncated: false,
        discard: false,
    };
    let mut err = Pump {
        fd: Some(stderr_r),
        sink: stderr_sink.as_raw_fd(),
        limit: req.limits.stderr_bytes,
        written: 0,
        truncated: false,
        discard: true,
    };
    let mut status = Some(status_r);
    let mut report = Vec::new();
    let mut buf = vec![0u8; 1 << 16];

    let kill = |reason: LimitKind, killed: &mut Option<LimitKind>| {
        if killed.is_none() {
            *killed = Some(reason);
        }
        // SAFETY: signalling our own child (the run's init); its death kills
        // the whole PID namespace.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    };
    let mut killed = None;
    let mut exited = false;
    let cpu_limit = req.limits.cpu_time.as_nanos() as u64;
    let wall_deadline = start + req.limits.wall_time.as_nanos() as u64;
    // With a quota of `cpus`, CPU time grows at most `cpus` times as fast as
    // wall time: no need to look before this.
    let cpus = u64::from(req.limits.cpus.max(1));
    let mut next_cpu_check = start + cpu_limit / cpus;
    let mut host_gone = false;

    // Done when the program's pipes are closed and the init has reported
    // (it reports after reaping every process of the run) or has exited (an
    // init's exit waits for every process in its PID namespace).
    while !((exited || (status.is_none() && !report.is_empty()))
        && out.fd.is_none()
        && err.fd.is_none())
    {
        let now = sys::monotonic_ns();
        let running = killed.is_none() && !exited && report.is_empty();
        if running {
            if now >= wall_deadline {
                kill(LimitKind::WallTime, &mut killed);
            } else if now >= next_cpu_check {
                let used = z.cgroups.cpu_ns(cgroup);
                if used >= cpu_limit {
                    kill(LimitKind::CpuTime, &mut killed);
                } else {
                    next_cpu_check = now + ((cpu_limit - used) / cpus).max(2_000_000);
                }
            }
        }
        let deadline = if running {
            wall_deadline.min(next_cpu_check)
        } else {
            now + 1_000_000_000
        };
        let timeout_ms = (deadline.saturating_sub(now))
            .div_ceil(1_000_000)
            .min(i32::MAX as u64) as i32;

        let fd_of = |p: &Option<OwnedFd>| p.as_ref().map_or(-1, AsRawFd::as_raw_fd);
        let mut pfds = [
            libc::pollfd {
                fd: fd_of(&out.fd),
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: fd_of(&err.fd),
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: if exited { -1 } else { pidfd.as_raw_fd() },
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: if host_gone { -1 } else { sock },
                events: libc::POLLRDHUP,
                revents: 0,
            },
            libc::pollfd {
                fd: fd_of(&status),
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        // SAFETY: pfds is a valid array.
        let n = unsafe { libc::poll(pfds.as_mut_ptr(), pfds.len() as libc::nfds_t, timeout_ms) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            kill(LimitKind::WallTime, &mut killed);
            return Err(e);
        }
        if pfds[0].revents != 0 && out.pump(&mut buf)? {
            kill(LimitKind::Output, &mut killed);
            out.fd = None;
        }
        if pfds[1].revents != 0 {
            err.pump(&mut buf)?;
        }
        if pfds[2].revents != 0 {
            exited = true;
        }
        if pfds[3].revents & (libc::POLLRDHUP | libc::POLLHUP | libc::POLLERR) != 0 {
            // The host is gone: stop the run; the zygote exits afterwards.
            host_gone = true;
            kill(LimitKind::WallTime, &mut killed);
        }
        if pfds[4].revents != 0
            && let Some(fd) = &status
        {
            loop {
                // SAFETY: buf is valid; the fd is non-blocking.
                let n = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
                if n > 0 {
                    report.extend_from_slice(&buf[..n as usize]);
                    continue;
                }
                if n == 0 || sys::errno() != libc::EINTR && sys::errno() != libc::EAGAIN {
                    status = None;
                }
                break;
            }
        }
    }
    // The init may have exited with its report still unread in the pipe:
    // its write end is closed now, so this ends at EOF.
    if let Some(fd) = status {
        // SAFETY: fcntl on our own descriptor.
        unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, 0) };
        while let Ok(n) = sys::read(fd.as_raw_fd(), &mut buf) {
            if n == 0 {
                break;
            }
            report.extend_from_slice(&buf[..n]);
        }
    }
    Ok(Watch {
        killed,
        stdout_truncated: out.truncated,
        stderr_truncated: err.truncated,
        report,
    })
}

/// The run's init (PID 1 of the new PID namespace). Never returns.
fn init(z: &Zygote, sock: RawFd, ctl: OwnedFd, cgroup: &RunCgroup) -> ! {
    // Replace the host socket (fd 0) with /dev/null in this process: the
    // run's descriptors then arrive above the standard three.
    if let Ok(null) = sys::open(c"/dev/null", libc::O_RDWR, 0) {
        // SAFETY: dup2 onto a descriptor this process owns.
        unsafe { libc::dup2(null.as_raw_fd(), sock) };
    }
    // A panic must not unwind back into the zygote's loop in this process.
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| init_inner(z, ctl, cgroup)));
    // SAFETY: leave without running the zygote's destructors.
    unsafe { libc::_exit(0) }
}

fn tmpfs(target: &std::ffi::CStr, opts: &str, noexec: bool) -> io::Result<()> {
    let data = sys::cstr(opts)?;
    let mut flags = libc::MS_NOSUID | libc::MS_NODEV;
    if noexec {
        flags |= libc::MS_NOEXEC;
    }
    sys::mount(Some(c"tmpfs"), target, Some(c"tmpfs"), flags, Some(&data))
        .map_err(ctx(format_args!("mount {target:?}")))
}

fn process_cpu_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: ts is a valid timespec.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

fn init_inner(z: &Zygote, ctl: OwnedFd, cgroup: &RunCgroup) {
    // Ahead of time: namespaces exist (we were cloned into them); mount
    // /proc, join the cgroup, then wait for the request.
    let prepared = (|| -> io::Result<u64> {
        // SAFETY: prctl with integer arguments.
        unsafe {
            // If the zygote dies, so does the run (and with it the namespace).
            libc::prctl(
                libc::PR_SET_PDEATHSIG,
                libc::SIGKILL as libc::c_ulong,
                0,
                0,
                0,
            );
            // Keeps /proc/1 (us) out of the program's reach.
            libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
        }
        sys::mount(
            Some(c"proc"),
            c"/proc",
            Some(c"proc"),
            libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
            Some(c"hidepid=2"),
        )
        .map_err(ctx("mount /proc"))?;
        // The OOM killer must pick the program, never us (we report the
        // run). Only possible as real root; the program resets it to 0.
        let _ = std::fs::write("/proc/self/oom_score_adj", "-1000");
        // Join the run's cgroup: everything forked from here on is accounted.
        for procs in &cgroup.procs {
            sys::write_all(procs.as_raw_fd(), b"0").map_err(ctx("join run cgroup"))?;
        }
        Ok(process_cpu_ns())
    })();
    let Ok(Some((req, fds))) = protocol::recv::<RunRequest>(ctl.as_raw_fd()) else {
        return;
    };
    drop(ctl);
    // stdin, stdout, stderr, status, collect, files...
    if fds.len() != 5 + req.files.len() {
        return;
    }
    let mut fds = fds.into_iter();
    let (Some(stdin), Some(stdout_w), Some(stderr_w), Some(status_w), Some(collect_sink)) =
        (fds.next(), fds.next(), fds.next(), fds.next(), fds.next())
    else {
        return;
    };
    let files: Vec<OwnedFd> = fds.collect();
    let report = match prepared {
        Err(e) => InitReport::SetupFailed(e.to_string()),
        Ok(cpu_at_join) => {
            let built = (|| -> io::Result<Plan> {
                Ok(Plan {
                    candidates: exec_candidates(&req)?,
                    argv: req
                        .argv
                        .iter()
                        .map(|a| sys::cstr(a))
                        .collect::<io::Result<_>>()?,
                    envp: req
                        .env
                        .iter()
                        .map(|a| sys::cstr(a))
                        .collect::<io::Result<_>>()?,
                    req,
                    uid: z.uid,
                    gid: z.gid,
                    user_namespace: z.user_namespace,
                    stdin: Some(stdin),
                    stdout_w: Some(stdout_w),
                    stderr_w: Some(stderr_w),
                    collect_sink: collect_sink.as_raw_fd(),
                    files,
                    filter: crate::seccomp::build(),
                })
            })();
            match built.and_then(|mut plan| execute(&mut plan)) {
                Ok(InitReport::Exited {
                    status,
                    wall_ns,
                    collect_truncated,
                    ..
                }) => InitReport::Exited {
                    status,
                    wall_ns,
                    collect_truncated,
                    init_cpu_ns: process_cpu_ns().saturating_sub(cpu_at_join),
                },
                Ok(other) => other,
                Err(e) => InitReport::SetupFailed(e.to_string()),
            }
        }
    };
    if let Ok(bytes) = serde_json::to_vec(&report) {
        let _ = sys::write_all(status_w.as_raw_fd(), &bytes);
    }
    // Closing the status pipe tells the zygote the report is complete.
    drop(status_w);
    drop(collect_sink);
}

/// Runs the request in the prepared namespaces.
fn execute(plan: &mut Plan) -> io::Result<InitReport> {
    let l = &plan.req.limits;
    let size = l.work_dir_bytes;
    let owner = if plan.user_namespace {
        String::new()
    } else {
        format!(",uid={},gid={}", plan.uid, plan.gid)
    };
    tmpfs(
        c"/box",
        &format!("size={size},nr_inodes=4096,mode=0755{owner}"),
        false,
    )?;
    tmpfs(
        c"/tmp",
        &format!("size={size},nr_inodes=4096,mode=1777"),
        false,
    )?;
    tmpfs(
        c"/dev/shm",
        &format!("size={size},nr_inodes=1024,mode=1777"),
        true,
    )?;

    // Input files, copied (never bind-mounted) so the program cannot reach
    // the host's copies.
    let boxfd = sys::open(c"/box", libc::O_RDONLY | libc::O_DIRECTORY, 0)?;
    for ((name, executable), src) in plan.req.files.iter().zip(&plan.files) {
        let mode = if *executable { 0o755 } else { 0o644 };
        let dst = sys::openat(
            boxfd.as_raw_fd(),
            &sys::cstr(name)?,
            libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW,
            mode,
        )
        .map_err(ctx(format_args!("create /box/{name}")))?;
        let (_, over) = sys::copy_fd(src.as_raw_fd(), dst.as_raw_fd(), size)
            .map_err(ctx(format_args!("copy {name}")))?;
        if over {
            return Err(io::Error::other(format!(
                "work file {name} exceeds the work directory size"
            )));
        }
        // SAFETY: fchmod on our fd; the umask must not strip the exec bit.
        unsafe { libc::fchmod(dst.as_raw_fd(), mode) };
    }

    let (err_r, err_w) = sys::pipe_cloexec()?;
    let t0 = sys::monotonic_ns();
    // SAFETY: fork in a single-threaded process.
    let child = sys::cvt(unsafe { libc::fork() }).map_err(ctx("fork program"))?;
    if child == 0 {
        drop(err_r);
        program(plan, err_w.as_raw_fd());
    }
    drop(err_w);
    // Only the program may hold its stdio now, so the zygote sees EOF when
    // the program and its children are gone.
    drop((
        plan.stdin.take(),
        plan.stdout_w.take(),
        plan.stderr_w.take(),
    ));

    let mut exec_error = Vec::new();
    let mut buf = [0u8; 512];
    while let Ok(n) = sys::read(err_r.as_raw_fd(), &mut buf) {
        if n == 0 {
            break;
        }
        exec_error.extend_from_slice(&buf[..n]);
    }

    let mut status = 0;
    let wall_ns;
    loop {
        // SAFETY: reaping children of this PID namespace.
        let r = unsafe { libc::waitpid(-1, &mut status, libc::__WALL) };
        if r == child {
            wall_ns = sys::monotonic_ns() - t0;
            break;
        }
        if r < 0 && sys::errno() != libc::EINTR {
            return Err(io::Error::last_os_error()).map_err(ctx("wait for program"));
        }
    }
    // Background processes the program left behind die with it.
    // SAFETY: kill(-1) from a PID namespace's init reaches only that namespace.
    unsafe { libc::kill(-1, libc::SIGKILL) };
    // SAFETY: reap everything that is left.
    while unsafe { libc::waitpid(-1, std::ptr::null_mut(), libc::__WALL) } > 0 {}

    if !exec_error.is_empty() {
        return Ok(InitReport::ExecFailed(
            String::from_utf8_lossy(&exec_error).into_owned(),
        ));
    }
    let status = if libc::WIFSIGNALED(status) {
        ExitStatus::Signaled(libc::WTERMSIG(status))
    } else {
        ExitStatus::Exited(libc::WEXITSTATUS(status))
    };
    let collect_truncated = collect(plan, boxfd.as_raw_fd())?;
    Ok(InitReport::Exited {
        status,
        wall_ns,
        collect_truncated,
        init_cpu_ns: 0,
    })
}

fn matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_prefix('*') {
        Some(suffix) => name.ends_with(suffix) && name.len() > suffix.len(),
        None => pattern == name,
    }
}

/// Streams the requested work files to the collect sink as
/// `[u32 name length][name][u8 executable][u64 size][contents]` records.
/// Nothing else runs in the namespace any more; links are not followed and
/// only regular files are taken.
fn collect(plan: &Plan, boxfd: RawFd) -> io::Result<bool> {
    if plan.req.collect.is_empty() {
        return Ok(false);
    }
    let mut budget = plan.req.limits.collect_bytes;
    let mut truncated = false;
    let mut names = Vec::new();
    // SAFETY: fdopendir takes ownership of a duplicate of boxfd.
    let dir = unsafe { libc::fdopendir(libc::dup(boxfd)) };
    if dir.is_null() {
        return Err(io::Error::last_os_error()).map_err(ctx("open /box"));
    }
    loop {
        // SAFETY: dir is a valid DIR*.
        let ent = unsafe { libc::readdir(dir) };
        if ent.is_null() {
            break;
        }
        // SAFETY: d_name is NUL-terminated.
        let name = unsafe { std::ffi::CStr::from_ptr((*ent).d_name.as_ptr()) };
        if let Ok(n) = name.to_str()
            && plan.req.collect.iter().any(|p| matches(p, n))
        {
            names.push(n.to_string());
        }
    }
    // SAFETY: closing the DIR* we opened.
    unsafe { libc::closedir(dir) };
    names.sort();
    for name in names {
        let Ok(fd) = sys::openat(
            boxfd,
            &sys::cstr(&name)?,
            libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_NONBLOCK,
            0,
        ) else {
            continue;
        };
        // SAFETY: zeroed stat is valid output space.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: fstat on our fd.
        sys::cvt(unsafe { libc::fstat(fd.as_raw_fd(), &mut st) })?;
        if st.st_mode & libc::S_IFMT != libc::S_IFREG {
            continue;
        }
        let size = st.st_size as u64;
        if size > budget {
            truncated = true;
            continue;
        }
        budget -= size;
        let mut header = Vec::new();
        header.extend_from_slice(&(name.len() as u32).to_le_bytes());
        header.extend_from_slice(name.as_bytes());
        header.push(u8::from(st.st_mode & 0o111 != 0));
        header.extend_from_slice(&size.to_le_bytes());
        sys::write_all(plan.collect_sink, &header)?;
        let (copied, _) = sys::copy_fd(fd.as_raw_fd(), plan.collect_sink, size)?;
        if copied != size {
            return Err(io::Error::other(format!(
                "{name} changed size while collected"
            )));
        }
    }
    Ok(truncated)
}

fn set_rlimit(resource: libc::__rlimit_resource_t, soft: u64, hard: u64) -> io::Result<()> {
    let r = libc::rlimit {
        rlim_cur: soft,
        rlim_max: hard,
    };
    // SAFETY: r is a valid rlimit.
    sys::cvt(unsafe { libc::setrlimit(resource, &r) }).map(drop)
}

/// The program process: last steps before exec. Never returns.
fn program(plan: &Plan, err_fd: RawFd) -> ! {
    let failure =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| program_setup(plan, err_fd)));
    let msg = match failure {
        Ok(Ok(())) => "exec returned".to_string(),
        Ok(Err(e)) => e.to_string(),
        Err(_) => "setup panicked".to_string(),
    };
    let _ = sys::write_all(err_fd, msg.as_bytes());
    // SAFETY: leave without running destructors.
    unsafe { libc::_exit(127) }
}

fn program_setup(plan: &Plan, err_fd: RawFd) -> io::Result<()> {
    let l = &plan.req.limits;
    // SAFETY: descriptor shuffling in a single-threaded child. All sources
    // are >= 3 (0..=2 are taken by the zygote's own stdio), so the dup2s
    // cannot clobber each other.
    unsafe {
        install_fd(raw(&plan.stdin), 0)?;
        install_fd(raw(&plan.stdout_w), 1)?;
        let err = if plan.req.merge_stderr {
            raw(&plan.stdout_w)
        } else {
            raw(&plan.stderr_w)
        };
        install_fd(err, 2)?;
        // Close everything else except the exec-error pipe (close-on-exec).
        if err_fd > 3 {
            libc::syscall(libc::SYS_close_range, 3u32, (err_fd - 1) as u32, 0u32);
        }
        libc::syscall(libc::SYS_close_range, (err_fd + 1) as u32, u32::MAX, 0u32);
        libc::setsid();
        // The zygote (a Rust program) ignores SIGPIPE, and ignored signals
        // survive exec: give the program default dispositions and no mask.
        for sig in 1..libc::SIGRTMAX() {
            if sig != libc::SIGKILL && sig != libc::SIGSTOP {
                libc::signal(sig, libc::SIG_DFL);
            }
        }
        let mut none: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut none);
        libc::sigprocmask(libc::SIG_SETMASK, &none, std::ptr::null_mut());
    }
    // Undo the init's OOM protection (raising it needs no privilege).
    // (Without root the init could not lower it, and we could not write it.)
    if std::fs::read_to_string("/proc/self/oom_score_adj")
        .map(|v| v.trim() != "0")
        .unwrap_or(true)
    {
        std::fs::write("/proc/self/oom_score_adj", "0").map_err(ctx("reset oom_score_adj"))?;
    }
    let cpu_secs = l.cpu_time.as_secs() + 1;
    set_rlimit(libc::RLIMIT_STACK, l.stack_bytes, l.stack_bytes).map_err(ctx("RLIMIT_STACK"))?;
    set_rlimit(libc::RLIMIT_FSIZE, l.file_size_bytes, l.file_size_bytes)
        .map_err(ctx("RLIMIT_FSIZE"))?;
    set_rlimit(
        libc::RLIMIT_NOFILE,
        l.open_files.into(),
        l.open_files.into(),
    )
    .map_err(ctx("RLIMIT_NOFILE"))?;
    set_rlimit(libc::RLIMIT_CORE, 0, 0).map_err(ctx("RLIMIT_CORE"))?;
    // A per-process backstop; the cgroup counter enforces the real limit.
    set_rlimit(libc::RLIMIT_CPU, cpu_secs, cpu_secs + 1).map_err(ctx("RLIMIT_CPU"))?;
    set_rlimit(libc::RLIMIT_MSGQUEUE, 0, 0).map_err(ctx("RLIMIT_MSGQUEUE"))?;
    // SAFETY: plain syscalls.
    unsafe {
        sys::cvt(libc::chdir(c"/box".as_ptr())).map_err(ctx("chdir /box"))?;
        if !plan.user_namespace {
            sys::cvt(libc::setgroups(0, std::ptr::null())).map_err(ctx("setgroups"))?;
            sys::cvt(libc::setresgid(plan.gid, plan.gid, plan.gid)).map_err(ctx("setresgid"))?;
            sys::cvt(libc::setresuid(plan.uid, plan.uid, plan.uid)).map_err(ctx("setresuid"))?;
        }
        if libc::getuid() == 0 || libc::geteuid() == 0 {
            return Err(io::Error::other("still uid 0 after dropping privileges"));
        }
        sys::cvt(libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
            .map_err(ctx("no_new_privs"))?;
    }
    crate::seccomp::install(&plan.filter).map_err(ctx("seccomp"))?;

    let mut argv: Vec<*const libc::c_char> = plan.argv.iter().map(|a| a.as_ptr()).collect();
    argv.push(std::ptr::null());
    let mut envp: Vec<*const libc::c_char> = plan.envp.iter().map(|a| a.as_ptr()).collect();
    envp.push(std::ptr::null());
    let mut last = io::Error::from_raw_os_error(libc::ENOENT);
    for path in &plan.candidates {
        // SAFETY: argv/envp are NULL-terminated arrays of valid C strings.
        unsafe { libc::execve(path.as_ptr(), argv.as_ptr(), envp.as_ptr()) };
        let e = io::Error::last_os_error();
        if e.raw_os_error() != Some(libc::ENOENT) {
            last = e;
        }
    }
    let name = plan.req.argv.first().map(String::as_str).unwrap_or("");
    Err(io::Error::new(last.kind(), format!("exec {name}: {last}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collect_patterns() {
        assert!(matches("*.class", "Main.class"));
        assert!(matches("*.class", "Main$1.class"));
        assert!(!matches("*.class", ".class"));
        assert!(!matches("*.class", "Main.java"));
        assert!(matches("prog", "prog"));
        assert!(!matches("prog", "prog2"));
    }

    #[test]
    fn work_file_names() {
        assert!(valid_name("main.c"));
        for bad in ["", ".", "..", "a/b", "/etc/passwd"] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
