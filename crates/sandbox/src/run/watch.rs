//! The zygote's side of a running run: pumps the program's stdout and stderr
//! into the host's sinks (stopping the run past the output limit), enforces
//! the wall and CPU limits from the cgroup's CPU counter, notices a host that
//! went away, and reads the init's report.

use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};

use crate::cgroup::RunCgroup;
use crate::protocol::RunRequest;
use crate::spec::LimitKind;
use crate::sys;
use crate::zygote::Zygote;

/// What watching a run saw.
pub(super) struct Watch {
    pub(super) killed: Option<LimitKind>,
    pub(super) stdout_truncated: bool,
    pub(super) stderr_truncated: bool,
    pub(super) report: Vec<u8>,
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
pub(super) fn watch(
    z: &Zygote,
    sock: RawFd,
    pid: libc::pid_t,
    pidfd: &OwnedFd,
    start: u64,
    cgroup: &RunCgroup,
    req: &RunRequest,
    stdout_r: Option<OwnedFd>,
    stderr_r: OwnedFd,
    status_r: OwnedFd,
    stdout_sink: Option<&OwnedFd>,
    stderr_sink: &OwnedFd,
) -> io::Result<Watch> {
    if let Some(fd) = &stdout_r {
        sys::set_nonblocking(fd.as_raw_fd())?;
    }
    sys::set_nonblocking(stderr_r.as_raw_fd())?;
    sys::set_nonblocking(status_r.as_raw_fd())?;
    let mut out = Pump {
        // None when the program's stdout is the caller's pipe: nothing to pump.
        fd: stdout_r,
        sink: stdout_sink.map_or(-1, AsRawFd::as_raw_fd),
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
