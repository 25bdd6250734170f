//! The program process, between the init's fork and exec: its stdio, signal
//! dispositions, rlimits, unprivileged uid, `no_new_privs` and seccomp filter.

use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};

use super::Plan;
use crate::sys::{self, ctx};

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

/// Signals a run may have queued at once (`RLIMIT_SIGPENDING`): far more than
/// runtimes use (the JVM and Go signal threads one at a time, and a blocked
/// non-real-time signal is pending once), far less than a host's default.
const SIGPENDING: u64 = 256;

fn raw(fd: &Option<OwnedFd>) -> RawFd {
    fd.as_ref().map_or(-1, AsRawFd::as_raw_fd)
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
pub(super) fn program(plan: &Plan, err_fd: RawFd) -> ! {
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
        // The socket to the init (for the seccomp listener) goes right above
        // the exec-error pipe; both are close-on-exec.
        let notify = err_fd + 1;
        if plan.notify_sock != notify {
            sys::cvt(libc::dup2(plan.notify_sock, notify))?;
            sys::cvt(libc::fcntl(notify, libc::F_SETFD, libc::FD_CLOEXEC))?;
        }
        // Close everything else.
        if err_fd > 3 {
            libc::syscall(libc::SYS_close_range, 3u32, (err_fd - 1) as u32, 0u32);
        }
        libc::syscall(libc::SYS_close_range, (notify + 1) as u32, u32::MAX, 0u32);
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
    // Queued signals are counted per uid (in user-namespace mode, the
    // service's own): a run may hold a few, not the host's default budget.
    set_rlimit(libc::RLIMIT_SIGPENDING, SIGPENDING, SIGPENDING)
        .map_err(ctx("RLIMIT_SIGPENDING"))?;
    // SAFETY: plain syscalls.
    unsafe {
        sys::cvt(libc::chdir(c"/box".as_ptr())).map_err(ctx("chdir /box"))?;
        if plan.switch_uid {
            // A user namespace whose gid map the helper wrote may deny
            // setgroups; its supplementary groups are then unmapped anyway.
            if libc::setgroups(0, std::ptr::null()) != 0 && !plan.user_namespace {
                return Err(io::Error::last_os_error()).map_err(ctx("setgroups"));
            }
            sys::cvt(libc::setresgid(plan.gid, plan.gid, plan.gid)).map_err(ctx("setresgid"))?;
            sys::cvt(libc::setresuid(plan.uid, plan.uid, plan.uid)).map_err(ctx("setresuid"))?;
        }
        if libc::getuid() == 0 || libc::geteuid() == 0 {
            return Err(io::Error::other("still uid 0 after dropping privileges"));
        }
        sys::cvt(libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
            .map_err(ctx("no_new_privs"))?;
    }
    let listener = crate::seccomp::install(&plan.filter).map_err(ctx("seccomp"))?;
    // The init answers the notifications; our copies close at exec.
    crate::protocol::send(err_fd + 1, &(), &[listener.as_raw_fd()])
        .map_err(ctx("hand the seccomp listener to the init"))?;

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
