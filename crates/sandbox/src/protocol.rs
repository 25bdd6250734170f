//! The messages between the host (`Sandbox`) and its zygote, and their
//! framing over a Unix stream socket: a little-endian `u32` length, then JSON.
//! File descriptors travel as `SCM_RIGHTS` on the frame's first bytes.

use std::io;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::spec::{ExitStatus, LimitKind, Limits};
use crate::sys;

/// Upper bound on descriptors in one message (work files + stdio + outputs).
pub const MAX_FDS: usize = 72;
/// Work files one run may be given (the other descriptors are stdio and outputs).
pub const MAX_WORK_FILES: usize = MAX_FDS - 4;
const MAX_FRAME: usize = 16 << 20;

/// Sent once, right after the zygote starts.
#[derive(Debug, Serialize, Deserialize)]
pub struct Hello {
    pub uid: u32,
    pub gid: u32,
    pub readonly_paths: Vec<PathBuf>,
    /// An empty host directory the zygote mounts its root tmpfs on.
    pub root_dir: PathBuf,
    pub cgroup_parent: Option<PathBuf>,
}

#[derive(Debug, Serialize, Deserialize)]
pub enum HelloReply {
    Ready {
        cgroup: String,
        user_namespace: bool,
        /// How the root shows the host's read-only directories.
        layers: String,
    },
    Unavailable(String),
}

/// One run. Descriptors, in order: stdout sink (the caller's pipe when
/// `stdout_pipe`), stderr sink, collect sink, then stdin (if `has_stdin`; the
/// caller's pipe when `stdin_pipe`), then one per work file.
#[derive(Debug, Serialize, Deserialize)]
pub struct RunRequest {
    pub argv: Vec<String>,
    pub env: Vec<String>,
    pub has_stdin: bool,
    /// Stdin is a pipe given to the program as is, not copied.
    #[serde(default)]
    pub stdin_pipe: bool,
    /// The stdout descriptor is a pipe given to the program as is, not a sink
    /// to pump into.
    #[serde(default)]
    pub stdout_pipe: bool,
    pub files: Vec<(String, bool)>,
    pub collect: Vec<String>,
    pub merge_stderr: bool,
    pub limits: Limits,
}

#[derive(Debug, Serialize, Deserialize)]
pub enum RunReply {
    Done(RunResult),
    /// The command could not be started (exec failure).
    ExecFailed(String),
    /// Setting up the run failed; nothing untrusted ran to completion.
    Failed(String),
}

#[derive(Debug, Serialize, Deserialize)]
pub struct RunResult {
    pub status: ExitStatus,
    pub cpu_ns: u64,
    pub wall_ns: u64,
    pub ended_ns: u64,
    pub peak_memory_bytes: u64,
    pub limit: Option<LimitKind>,
    pub oom_kills: u64,
    pub stdout_truncated: bool,
    pub stderr_truncated: bool,
    pub collect_truncated: bool,
}

pub fn send<T: Serialize>(sock: RawFd, msg: &T, fds: &[RawFd]) -> io::Result<()> {
    let body = serde_json::to_vec(msg).map_err(io::Error::other)?;
    let mut frame = Vec::with_capacity(body.len() + 4);
    frame.extend_from_slice(&(body.len() as u32).to_le_bytes());
    frame.extend_from_slice(&body);
    if fds.len() > MAX_FDS {
        return Err(io::Error::other("too many descriptors in one message"));
    }

    let mut iov = libc::iovec {
        iov_base: frame.as_ptr() as *mut libc::c_void,
        iov_len: frame.len(),
    };
    // Space for MAX_FDS descriptors; u64 elements keep it aligned for cmsghdr.
    let mut cbuf = [0u64; (MAX_FDS * 4 + 64) / 8];
    // SAFETY: an all-zero msghdr is valid; fields are filled below.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    if !fds.is_empty() {
        let data_len = std::mem::size_of_val(fds) as u32;
        // SAFETY: CMSG_SPACE is a pure computation.
        let space = unsafe { libc::CMSG_SPACE(data_len) } as usize;
        msg.msg_control = cbuf.as_mut_ptr().cast();
        msg.msg_controllen = space as _;
        // SAFETY: msg_control points at a buffer of at least `space` bytes, so
        // the first header and its data fit.
        unsafe {
            let cmsg = libc::CMSG_FIRSTHDR(&msg);
            (*cmsg).cmsg_level = libc::SOL_SOCKET;
            (*cmsg).cmsg_type = libc::SCM_RIGHTS;
            (*cmsg).cmsg_len = libc::CMSG_LEN(data_len) as _;
            std::ptr::copy_nonoverlapping(
                fds.as_ptr(),
                libc::CMSG_DATA(cmsg).cast::<RawFd>(),
                fds.len(),
            );
        }
    }
    let sent = loop {
        // SAFETY: msg describes valid buffers.
        let n = unsafe { libc::sendmsg(sock, &msg, libc::MSG_NOSIGNAL) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        break n as usize;
    };
    let mut rest = &frame[sent..];
    while !rest.is_empty() {
        // SAFETY: rest is a valid slice.
        let n = unsafe { libc::send(sock, rest.as_ptr().cast(), rest.len(), libc::MSG_NOSIGNAL) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        rest = &rest[n as usize..];
    }
    Ok(())
}

/// Receives one message. `Ok(None)` means the peer closed the socket.
pub fn recv<T: for<'de> Deserialize<'de>>(sock: RawFd) -> io::Result<Option<(T, Vec<OwnedFd>)>> {
    let mut header = [0u8; 4];
    let mut fds = Vec::new();
    let mut got = 0usize;
    while got < 4 {
        let mut iov = libc::iovec {
            iov_base: header[got..].as_mut_ptr().cast(),
            iov_len: 4 - got,
        };
        let mut cbuf = [0u64; (MAX_FDS * 4 + 64) / 8];
        // SAFETY: zeroed msghdr is valid.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = cbuf.as_mut_ptr().cast();
        msg.msg_controllen = std::mem::size_of_val(&cbuf) as _;
        // SAFETY: msg describes valid buffers.
        let n = unsafe { libc::recvmsg(sock, &mut msg, libc::MSG_CMSG_CLOEXEC) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        // SAFETY: walking the control buffer the kernel filled in.
        unsafe {
            let mut cmsg = libc::CMSG_FIRSTHDR(&msg);
            while !cmsg.is_null() {
                if (*cmsg).cmsg_level == libc::SOL_SOCKET && (*cmsg).cmsg_type == libc::SCM_RIGHTS {
                    let data = libc::CMSG_DATA(cmsg).cast::<RawFd>();
                    let count = ((*cmsg).cmsg_len as usize - libc::CMSG_LEN(0) as usize) / 4;
                    for i in 0..count {
                        fds.push(OwnedFd::from_raw_fd(std::ptr::read_unaligned(data.add(i))));
                    }
                }
                cmsg = libc::CMSG_NXTHDR(&msg, cmsg);
            }
        }
        if msg.msg_flags & libc::MSG_CTRUNC != 0 {
            return Err(io::Error::other("descriptors truncated"));
        }
        if n == 0 {
            if got == 0 {
                return Ok(None);
            }
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        got += n as usize;
    }
    let len = u32::from_le_bytes(header) as usize;
    if len > MAX_FRAME {
        return Err(io::Error::other("oversized frame"));
    }
    let mut body = vec![0u8; len];
    let mut off = 0;
    while off < len {
        let n = sys::read(sock, &mut body[off..])?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        off += n;
    }
    let msg = serde_json::from_slice(&body).map_err(io::Error::other)?;
    Ok(Some((msg, fds)))
}
