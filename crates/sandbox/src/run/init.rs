//! The run's init, PID 1 of the run's namespaces: sets up ahead of time
//! (`/proc`, the run's cgroup), then on the request mounts the work
//! directories, copies the input files in, forks the program, waits for it,
//! kills what it left behind and reports to the zygote.

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use super::collect::collect;
use super::program::program;
use super::{InitReport, Plan};
use crate::cgroup::RunCgroup;
use crate::protocol::{self, RunRequest};
use crate::spec::ExitStatus;
use crate::sys::{self, ctx};
use crate::zygote::Zygote;

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
        .unwrap_or(crate::spec::DEFAULT_PATH);
    path.split(':')
        .filter(|d| !d.is_empty())
        .map(|d| sys::cstr(&format!("{}/{prog}", d.trim_end_matches('/'))))
        .collect()
}

/// The run's init (PID 1 of the new PID namespace). Never returns.
pub(super) fn init(z: &Zygote, sock: RawFd, ctl: OwnedFd, cgroup: &RunCgroup) -> ! {
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
        super::procfs::hide_host_files()?;
        // The OOM killer must pick the program, never us (we report the
        // run). Only possible as real root; the program resets it to 0.
        let _ = std::fs::write("/proc/self/oom_score_adj", "-1000");
        // Join the run's cgroup: everything forked from here on is accounted.
        for procs in &cgroup.procs {
            sys::write_all(procs.as_raw_fd(), b"0").map_err(ctx("join run cgroup"))?;
        }
        // A cgroup namespace rooted here: /proc/self/cgroup shows "/", not
        // the host's path (pod, container, zygote pid).
        // SAFETY: plain syscall.
        sys::cvt(unsafe { libc::unshare(libc::CLONE_NEWCGROUP) })
            .map_err(ctx("unshare cgroup namespace"))?;
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
                    switch_uid: z.switch_uid,
                    stdin: Some(stdin),
                    stdout_w: Some(stdout_w),
                    stderr_w: Some(stderr_w),
                    collect_sink: collect_sink.as_raw_fd(),
                    notify_sock: -1,
                    files,
                    filter: crate::seccomp::build(),
                })
            })();
            match built.and_then(|mut plan| execute(&mut plan)) {
                Ok(InitReport::Exited {
                    status,
                    wall_ns,
                    ended_ns,
                    collect_truncated,
                    ..
                }) => InitReport::Exited {
                    status,
                    wall_ns,
                    ended_ns,
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

/// Blocks SIGCHLD and returns a descriptor that reads it.
fn sigchld_fd() -> io::Result<OwnedFd> {
    // SAFETY: sigset operations on a local set; signalfd returns a new fd.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGCHLD);
        libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        let fd = sys::cvt(libc::signalfd(-1, &set, libc::SFD_CLOEXEC)).map_err(ctx("signalfd"))?;
        Ok(OwnedFd::from_raw_fd(fd))
    }
}

/// Reaps the run's processes as they exit (orphans come to us) and answers
/// the program's seccomp notifications until `child` exits; its wait status.
fn supervise(
    child: libc::pid_t,
    sigchld: RawFd,
    mut listener: Option<OwnedFd>,
    view: &super::notify::View,
) -> io::Result<i32> {
    loop {
        loop {
            let mut status = 0;
            // SAFETY: reaping children of this PID namespace.
            let r = unsafe { libc::waitpid(-1, &mut status, libc::__WALL | libc::WNOHANG) };
            if r == child {
                return Ok(status);
            }
            if r == 0 || (r < 0 && sys::errno() == libc::ECHILD) {
                break;
            }
            if r < 0 && sys::errno() != libc::EINTR {
                return Err(io::Error::last_os_error()).map_err(ctx("wait for program"));
            }
        }
        let mut fds = [
            libc::pollfd {
                fd: sigchld,
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: listener.as_ref().map_or(-1, AsRawFd::as_raw_fd),
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        // SAFETY: fds is a valid array of two pollfds.
        if unsafe { libc::poll(fds.as_mut_ptr(), 2, -1) } < 0 {
            if sys::errno() == libc::EINTR {
                continue;
            }
            return Err(io::Error::last_os_error()).map_err(ctx("poll"));
        }
        if fds[0].revents != 0 {
            let mut info = [0u8; 128];
            let _ = sys::read(sigchld, &mut info);
        }
        if fds[1].revents & libc::POLLIN != 0 {
            if let Some(l) = &listener
                && super::notify::answer(l.as_raw_fd(), view).is_err()
            {
                listener = None;
            }
        } else if fds[1].revents != 0 {
            // Every filtered process is gone (POLLHUP).
            listener = None;
        }
    }
}

/// Runs the request in the prepared namespaces.
fn execute(plan: &mut Plan) -> io::Result<InitReport> {
    let l = &plan.req.limits;
    let size = l.work_dir_bytes;
    // /box is still the root's empty directory: stage the run's /proc files
    // there before its tmpfs goes on.
    super::procfs::show_the_run(l, c"/box")?;
    let owner = if plan.switch_uid {
        format!(",uid={},gid={}", plan.uid, plan.gid)
    } else {
        String::new()
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
        // The program owns its work directory and may replace these files
        // anyway; owning them lets it also write them in place (a validator's
        // feedback files kept from a previous pass). In a user namespace
        // they are already the program's uid's.
        if plan.switch_uid {
            // SAFETY: fchown on our fd.
            sys::cvt(unsafe { libc::fchown(dst.as_raw_fd(), plan.uid, plan.gid) })
                .map_err(ctx(format_args!("chown /box/{name}")))?;
        }
    }

    super::procfs::fresh_clocks()?;
    let (err_r, err_w) = sys::pipe_cloexec()?;
    let (notify_r, notify_w) = super::socketpair()?;
    plan.notify_sock = notify_w.as_raw_fd();
    // SIGCHLD is read from a descriptor, beside the seccomp listener; the
    // program unblocks every signal before exec.
    let sigchld = sigchld_fd()?;
    let t0 = sys::monotonic_ns();
    // SAFETY: fork in a single-threaded process.
    let child = sys::cvt(unsafe { libc::fork() }).map_err(ctx("fork program"))?;
    if child == 0 {
        drop(err_r);
        program(plan, err_w.as_raw_fd());
    }
    drop((err_w, notify_w));
    // The program's seccomp listener, sent right before its exec (none if
    // it failed before).
    let listener: Option<OwnedFd> = protocol::recv::<()>(notify_r.as_raw_fd())
        .ok()
        .flatten()
        .and_then(|((), fds)| fds.into_iter().next());
    drop(notify_r);
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

    let view = super::notify::View {
        memory_bytes: plan.req.limits.memory_bytes,
        start_ns: t0,
    };
    let status = supervise(child, sigchld.as_raw_fd(), listener, &view)?;
    let ended_ns = sys::monotonic_ns();
    let wall_ns = ended_ns - t0;
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
        ended_ns,
        collect_truncated,
        init_cpu_ns: 0,
    })
}
