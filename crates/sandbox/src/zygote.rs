//! The zygote: a single-threaded process (the host binary re-executed with
//! `CODEARENA_SANDBOX_ZYGOTE=1`) that sets up the expensive, reusable part of
//! the isolation once and then serves runs over a Unix socket on its stdin.
//!
//! Once per zygote: its cgroups; a user namespace when not root; new mount,
//! network, IPC and UTS namespaces; a read-only root (a tmpfs holding
//! read-only overlays of the toolchain paths, a synthetic `/etc/passwd` and a
//! handful of device nodes, see [`crate::root`]); `pivot_root` into it, so the
//! host file system is gone from this process's view. A fresh network namespace has no
//! interface but a downed loopback: there is no network at all.
//!
//! Per run (see [`crate::run`]): a child cloned into fresh mount and PID
//! namespaces, with fresh tmpfs mounts for the work directory, `/tmp` and
//! `/dev/shm`, a fresh `/proc`, and a fresh cgroup.

use std::io;
use std::os::fd::RawFd;

use crate::cgroup::Cgroups;
use crate::protocol::{self, Hello, HelloReply, RunRequest};
use crate::sys::{self, ctx};

pub const ZYGOTE_ENV: &str = "CODEARENA_SANDBOX_ZYGOTE";

pub struct Zygote {
    pub cgroups: Cgroups,
    pub uid: u32,
    pub gid: u32,
    /// True when isolation rests on a user namespace (not started as root).
    pub user_namespace: bool,
    /// True when programs switch to `uid`/`gid` themselves (root, or a user
    /// namespace with a subordinate range); false when the zygote already is
    /// that uid (a user namespace mapping only the service's own uid).
    pub switch_uid: bool,
    /// How the root shows the host's directories (see [`crate::root`]).
    pub layers: String,
}

/// Entry point of the zygote process; never returns.
pub fn main() -> ! {
    // The socket to the host is our stdin.
    let sock: RawFd = 0;
    let code = match serve(sock) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("codearena sandbox zygote: {e}");
            1
        }
    };
    std::process::exit(code)
}

fn serve(sock: RawFd) -> io::Result<()> {
    let Some((hello, _)) = protocol::recv::<Hello>(sock)? else {
        return Ok(());
    };
    let zygote = match Zygote::setup(&hello) {
        Ok(z) => z,
        Err(e) => {
            protocol::send(sock, &HelloReply::Unavailable(e.to_string()), &[])?;
            return Ok(());
        }
    };
    protocol::send(
        sock,
        &HelloReply::Ready {
            cgroup: zygote.cgroups.description.clone(),
            user_namespace: zygote.user_namespace,
            layers: zygote.layers.clone(),
        },
        &[],
    )?;
    let mut runner = crate::run::Runner::default();
    runner.idle(&zygote, sock);
    let result = (|| {
        while let Some((req, fds)) = protocol::recv::<RunRequest>(sock)? {
            let reply = runner.run(&zygote, sock, req, fds);
            protocol::send(sock, &reply, &[])?;
            // After the reply, off the host's critical path.
            runner.idle(&zygote, sock);
        }
        Ok(())
    })();
    runner.shutdown(&zygote);
    zygote.cgroups.remove_all();
    result
}

fn threads() -> io::Result<usize> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    Ok(status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0))
}

fn unshare(flags: libc::c_int) -> io::Result<()> {
    // SAFETY: plain syscall; we are single-threaded (checked in setup).
    sys::cvt(unsafe { libc::unshare(flags) }).map(drop)
}

impl Zygote {
    fn setup(hello: &Hello) -> io::Result<Zygote> {
        if threads()? != 1 {
            return Err(io::Error::other(
                "the zygote has more than one thread: call sandbox::enter_if_requested() first thing in main",
            ));
        }
        // SAFETY: trivial getter.
        let euid = unsafe { libc::geteuid() };
        if hello.uid == 0 {
            return Err(io::Error::other(
                "refusing to run sandboxed programs as uid 0",
            ));
        }
        let user_namespace = euid != 0;
        // Root switches programs to the slot's uid; so does a user namespace
        // with a subordinate range mapped (see crate::userns).
        let mut switch_uid = !user_namespace;

        let cgroups = Cgroups::setup(hello.cgroup_parent.as_deref()).map_err(ctx("cgroups"))?;
        let mut layers = String::new();
        let result = (|| {
            if user_namespace {
                switch_uid = crate::userns::enter(hello.uid, hello.gid)?;
            }
            unshare(
                libc::CLONE_NEWNS | libc::CLONE_NEWNET | libc::CLONE_NEWIPC | libc::CLONE_NEWUTS,
            )
            .map_err(ctx("unshare mount/net/ipc/uts namespaces"))?;
            // Nothing we mount may propagate back to the host.
            sys::mount(
                Some(c"none"),
                c"/",
                None,
                libc::MS_REC | libc::MS_PRIVATE,
                None,
            )
            .map_err(ctx("make mounts private"))?;
            layers = crate::root::build(&hello.root_dir, hello, user_namespace)?;
            crate::root::pivot_into(&hello.root_dir)?;
            let name = c"codearena";
            // SAFETY: valid buffer and length.
            sys::cvt(unsafe { libc::sethostname(name.as_ptr(), name.count_bytes()) })
                .map_err(ctx("sethostname"))?;
            Ok(())
        })();
        if let Err(e) = result {
            cgroups.remove_all();
            return Err(e);
        }
        Ok(Zygote {
            cgroups,
            uid: hello.uid,
            gid: hello.gid,
            user_namespace,
            switch_uid,
            layers,
        })
    }
}
