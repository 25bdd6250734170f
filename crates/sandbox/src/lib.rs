//! Runs one untrusted command under Linux isolation and measures it.
//!
//! ```no_run
//! // First thing in main, before any thread exists: when this process was
//! // started as a sandbox zygote, this runs the zygote and exits.
//! sandbox::enter_if_requested();
//!
//! let sb = sandbox::Sandbox::new(sandbox::SandboxConfig::default())?;
//! let out = sb.run(&sandbox::RunSpec::new(["/bin/echo", "hi"]))?;
//! assert_eq!(out.stdout, b"hi\n");
//! # Ok::<(), sandbox::SandboxError>(())
//! ```
//!
//! # How it isolates
//! A [`Sandbox`] re-executes the current binary (`/proc/self/exe`, see
//! [`SandboxConfig::init_exe`]) as a single-threaded *zygote*. The zygote
//! enters new mount, network, IPC and UTS namespaces (plus a user namespace
//! when not started as root), builds a read-only root of overlays of the
//! toolchain paths (see `root.rs`) and pivots into it. Each run is then cloned into fresh PID
//! and mount namespaces with a fresh tmpfs work directory (`/box`), `/tmp`,
//! `/dev/shm` and `/proc`, a fresh cgroup (memory including swap, pids, CPU
//! quota; v1 or v2), rlimits (stack, file size, open files, core 0, CPU as a
//! backstop), an unprivileged uid, `no_new_privs` and a seccomp filter. See
//! `docs/judge.md` for the full list.
//!
//! Creating the expensive namespaces once per zygote and only PID/mount per
//! run keeps the overhead of a run to a few milliseconds.
//!
//! If any of this cannot be set up, [`Sandbox::new`] fails with
//! [`SandboxError::Unavailable`]; there is no unsandboxed fallback.

mod cgroup;
mod host;
mod protocol;
mod root;
mod run;
mod seccomp;
mod shared_file;
mod spec;
mod sys;
mod userns;
mod zygote;

pub use host::Sandbox;
pub use protocol::MAX_WORK_FILES;
pub use shared_file::SharedFile;
pub use spec::{
    BoxFile, CollectedFile, ExitStatus, LimitKind, Limits, Pipes, RunOutcome, RunSpec,
    SandboxConfig, SandboxError, Source,
};

/// A pipe for [`Pipes`]: `(read end, write end)`, both close-on-exec and
/// blocking.
pub fn pipe() -> Result<(std::os::fd::OwnedFd, std::os::fd::OwnedFd), SandboxError> {
    sys::pipe_cloexec().map_err(SandboxError::io("pipe"))
}

/// When this process was started as a sandbox zygote, runs the zygote and
/// exits; otherwise returns at once. Every binary that creates a [`Sandbox`]
/// with the default `init_exe` must call this first thing in `main`, before
/// starting threads (and so before building a tokio runtime).
pub fn enter_if_requested() {
    if std::env::var_os(zygote::ZYGOTE_ENV).is_some() {
        zygote::main();
    }
}
