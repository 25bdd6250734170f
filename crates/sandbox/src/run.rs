//! One run inside the zygote.
//!
//! Process layout: the zygote clones an *init* into fresh mount and PID
//! namespaces. The init mounts the run's tmpfs work directory, `/tmp`,
//! `/dev/shm` and `/proc`, copies the input files in, joins the run's cgroup
//! and forks the *program* process, which drops to the sandbox uid, sets
//! rlimits, installs the seccomp filter and execs. When the program exits,
//! the init kills whatever it left behind (`kill(-1)` from a namespace's init
//! reaches exactly that namespace), collects the requested work files without
//! following links, reports and exits; its exit tears the namespaces down.
//!
//! The zygote meanwhile pumps the program's stdout/stderr into the host's
//! sinks (stopping the run past the output limit), enforces the wall and CPU
//! limits from the cgroup's CPU counter, and reads the cgroup's memory peak
//! and OOM-kill count afterwards.
//!
//! Every process here descends from the single-threaded zygote, so the code
//! between fork and exec may allocate: no other thread can hold a lock.

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use serde::{Deserialize, Serialize};

use crate::cgroup::RunCgroup;
use crate::protocol::{RunReply, RunRequest, RunResult};
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
    },
    ExecFailed(String),
    SetupFailed(String),
}

/// Everything the init and program processes need, prepared before cloning.
struct Plan<'a> {
    req: &'a RunRequest,
    uid: u32,
    gid: u32,
    user_namespace: bool,
    candidates: Vec<CString>,
    argv: Vec<CString>,
    envp: Vec<CString>,
    stdin: OwnedFd,
    stdout_w: OwnedFd,
    stderr_w: OwnedFd,
    status_w: OwnedFd,
    collect_sink: RawFd,
    files: &'a [OwnedFd],
    cgroup: &'a RunCgroup,
    filter: Vec<libc::sock_filter>,
}

pub fn run(z: &Zygote, sock: RawFd, req: RunRequest, fds: Vec<OwnedFd>) -> RunReply {
    match run_inner(z, sock, &req, fds) {
        Ok(reply) => reply,
        Err(e) => RunReply::Failed(e.to_string()),
    }
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

fn run_inner(z: &Zygote, sock: RawFd, req: &RunRequest, fds: Vec<OwnedFd>) -> io::Result<RunReply> {
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
    // The program gets a sealed in-memory copy of its input: it can neither
    // modify the host's file nor reopen it for writing through /proc.
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

    let argv = req
        .argv
        .iter()
        .map(|a| sys::cstr(a))
        .collect::<io::Result<Vec<_>>>()?;
    let envp = req
        .env
        .iter()
        .map(|a| sys::cstr(a))
        .collect::<io::Result<Vec<_>>>()?;
    let candidates = exec_candidates(req)?;

    let (stdout_r, stdout_w) = sys::pipe_cloexec()?;
    let (stderr_r, stderr_w) = sys::pipe_cloexec()?;
    let (status_r, status_w) = sys::pipe_cloexec()?;
    let cgroup = z
        .cgroups
        .create_run(&req.limits)
        .map_err(ctx("create run cgroup"))?;

    let plan = Plan {
        req,
        uid: z.uid,
        gid: z.gid,
        user_namespace: z.user_namespace,
        candidates,
        argv,
        envp,
        stdin,
        stdout_w,
        stderr_w,
        status_w,
        collect_sink: collect_sink.as_raw_fd(),
        files: &files,
        cgroup: &cgroup,
        filter: crate::seccomp::build(),
    };

    let start = sys::monotonic_ns();
    // SAFETY: raw clone without a new stack behaves like fork. The zygote is
    // single-threaded, so the child may keep using the allocator and Rust
    // runtime state; it leaves only through `_exit`.
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
        init(&plan, sock);
    }
    let pid = match sys::cvt_long(pid) {
        Ok(p) => p as libc::pid_t,
        Err(e) => {
            let _ = z.cgroups.remove_run(cgroup);
            return Err(e).map_err(ctx("clone run namespaces"));
        }
    };
    // The init has its own copies; ours would keep the pipes open.
    drop(plan);
    drop(files);

    let watch = watch(
        z,
        sock,
        pid,
        start,
        &cgroup,
        req,
        stdout_r,
        stderr_r,
        &stdout_sink,
        &stderr_sink,
    );
    let mut status = 0;
    // SAFETY: reaping our own child.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    let end = sys::monotonic_ns();

    let mut report = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = sys::read(status_r.as_raw_fd(), &mut buf) {
        if n == 0 {
            break;
        }
        report.extend_from_slice(&buf[..n]);
    }
    let stats = z.cgroups.stats(&cgroup);
    let removed = z.cgroups.remove_run(cgroup);
    let watch = watch?;
    removed.map_err(ctx("remove run cgroup"))?;

    let report: Option<InitReport> = serde_json::from_slice(&report).ok();
    let (status, wall_ns, collect_truncated) = match report {
        Some(InitReport::ExecFailed(e)) => return Ok(RunReply::ExecFailed(e)),
        Some(InitReport::SetupFailed(e)) => return Ok(RunReply::Failed(e)),
        Some(InitReport::Exited {
            status,
            wall_ns,
            collect_truncated,
        }) => (status, wall_ns, collect_truncated),
        // The init was killed (a limit) before it could report.
        None if watch.killed.is_some() => (ExitStatus::Signaled(libc::SIGKILL), end - start, false),
        None => {
            return Ok(RunReply::Failed(
                "the run's init died without a report".into(),
            ));
        }
    };
    let cpu_limit = req.limits.cpu_time.as_nanos() as u64;
    let limit = watch.killed.or(if stats.oom_kills > 0 {
        Some(LimitKind::Memory)
    } else if stats.cpu_ns > cpu_limit {
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
        cpu_ns: stats.cpu_ns,
        wall_ns,
        peak_memory_bytes: stats.peak_memory_bytes,
        limit,
        oom_kills: stats.oom_kills,
        stdout_truncated: watch.stdout_truncated,
        stderr_truncated: watch.stderr_truncated,
        collect_truncated,
    }))
}

struct Watch {
    killed: Option<LimitKind>,
    stdout_truncated: bool,
    stderr_truncated: bool,
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
    start: u64,
    cgroup: &RunCgroup,
    req: &RunRequest,
    stdout_r: OwnedFd,
    stderr_r: OwnedFd,
    stdout_sink: &OwnedFd,
    stderr_sink: &OwnedFd,
) -> io::Result<Watch> {
    sys::set_nonblocking(stdout_r.as_raw_fd())?;
    sys::set_nonblocking(stderr_r.as_raw_fd())?;
    // SAFETY: pidfd_open on our own unreaped child.
    let pidfd = sys::cvt_long(unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) })
        .map(|fd| unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
        .map_err(ctx("pidfd_open"))?;
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

    while !(exited && out.fd.is_none() && err.fd.is_none()) {
        let now = sys::monotonic_ns();
        if killed.is_none() && !exited {
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
        let deadline = if killed.is_some() || exited {
            now + 1_000_000_000
        } else {
            wall_deadline.min(next_cpu_check)
        };
        let timeout_ms = (deadline.saturating_sub(now))
            .div_ceil(1_000_000)
            .min(i32::MAX as u64) as i32;

        let mut pfds = [
            libc::pollfd {
                fd: out.fd.as_ref().map_or(-1, AsRawFd::as_raw_fd),
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: err.fd.as_ref().map_or(-1, AsRawFd::as_raw_fd),
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
        if exited && killed.is_none() && sys::monotonic_ns() > wall_deadline + 5_000_000_000 {
            break;
        }
    }
    Ok(Watch {
        killed,
        stdout_truncated: out.truncated,
        stderr_truncated: err.truncated,
    })
}

/// The run's init (PID 1 of the new PID namespace). Never returns.
fn init(plan: &Plan, sock: RawFd) -> ! {
    // SAFETY: closing the host socket in this process only.
    unsafe { libc::close(sock) };
    // A panic must not unwind back into the zygote's loop in this process.
    let report = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| init_inner(plan))) {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => InitReport::SetupFailed(e.to_string()),
        Err(_) => InitReport::SetupFailed("the run's init panicked".into()),
    };
    if let Ok(bytes) = serde_json::to_vec(&report) {
        let _ = sys::write_all(plan.status_w.as_raw_fd(), &bytes);
    }
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

fn init_inner(plan: &Plan) -> io::Result<InitReport> {
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
        // Keeps /proc/1 (us, root) out of the program's reach.
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
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
    sys::mount(
        Some(c"proc"),
        c"/proc",
        Some(c"proc"),
        libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
        Some(c"hidepid=2"),
    )
    .map_err(ctx("mount /proc"))?;

    // Input files, copied (never bind-mounted) so the program cannot reach
    // the host's copies.
    let boxfd = sys::open(c"/box", libc::O_RDONLY | libc::O_DIRECTORY, 0)?;
    for ((name, executable), src) in plan.req.files.iter().zip(plan.files) {
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

    // Join the run's cgroup: everything forked from here on is accounted.
    for procs in &plan.cgroup.procs {
        sys::write_all(procs.as_raw_fd(), b"0").map_err(ctx("join run cgroup"))?;
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
    // SAFETY: closing our copies of descriptors the program inherited.
    unsafe {
        libc::close(plan.stdin.as_raw_fd());
        libc::close(plan.stdout_w.as_raw_fd());
        libc::close(plan.stderr_w.as_raw_fd());
    }

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
        sys::cvt(libc::dup2(plan.stdin.as_raw_fd(), 0))?;
        sys::cvt(libc::dup2(plan.stdout_w.as_raw_fd(), 1))?;
        let err = if plan.req.merge_stderr {
            plan.stdout_w.as_raw_fd()
        } else {
            plan.stderr_w.as_raw_fd()
        };
        sys::cvt(libc::dup2(err, 2))?;
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
