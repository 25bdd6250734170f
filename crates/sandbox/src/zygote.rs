//! The zygote: a single-threaded process (the host binary re-executed with
//! `CODEARENA_SANDBOX_ZYGOTE=1`) that sets up the expensive, reusable part of
//! the isolation once and then serves runs over a Unix socket on its stdin.
//!
//! Once per zygote: its cgroups; a user namespace when not root; new mount,
//! network, IPC and UTS namespaces; a read-only root (a tmpfs holding
//! read-only bind mounts of the toolchain paths, a synthetic `/etc/passwd`
//! and a handful of device nodes); `pivot_root` into it, so the host file
//! system is gone from this process's view. A fresh network namespace has no
//! interface but a downed loopback: there is no network at all.
//!
//! Per run (see [`crate::run`]): a child cloned into fresh mount and PID
//! namespaces, with fresh tmpfs mounts for the work directory, `/tmp` and
//! `/dev/shm`, a fresh `/proc`, and a fresh cgroup.

use std::io;
use std::os::fd::RawFd;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use crate::cgroup::Cgroups;
use crate::protocol::{self, Hello, HelloReply, RunRequest};
use crate::sys::{self, ctx};

pub const ZYGOTE_ENV: &str = "CODEARENA_SANDBOX_ZYGOTE";

/// Device nodes bound into the sandbox's `/dev`.
const DEVICES: [&str; 5] = ["null", "zero", "full", "random", "urandom"];

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
            build_root(&hello.root_dir, hello, user_namespace)?;
            pivot_into(&hello.root_dir)?;
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
        })
    }
}

fn inside(root: &Path, host: &Path) -> PathBuf {
    root.join(host.strip_prefix("/").unwrap_or(host))
}

/// Bind-mounts `src` on `dst` read-only, keeping the flags the kernel locks
/// (a remount inside a user namespace may not clear nodev/nosuid/noexec).
fn bind_readonly(src: &Path, dst: &Path, device: bool) -> io::Result<()> {
    let (s, d) = (sys::cpath(src)?, sys::cpath(dst)?);
    sys::mount(Some(&s), &d, None, libc::MS_BIND, None)
        .map_err(ctx(format_args!("bind {}", src.display())))?;
    // SAFETY: an all-zero statvfs is valid output space.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: d is a valid path and st valid output.
    sys::cvt(unsafe { libc::statvfs(d.as_ptr(), &mut st) })?;
    let mut flags = libc::MS_REMOUNT | libc::MS_BIND | libc::MS_RDONLY | libc::MS_NOSUID;
    if !device {
        flags |= libc::MS_NODEV;
    }
    for (st_flag, ms_flag) in [
        (libc::ST_NODEV, libc::MS_NODEV),
        (libc::ST_NOEXEC, libc::MS_NOEXEC),
        (libc::ST_NOATIME, libc::MS_NOATIME),
        (libc::ST_NODIRATIME, libc::MS_NODIRATIME),
        (libc::ST_RELATIME, libc::MS_RELATIME),
    ] {
        if st.f_flag & st_flag != 0 {
            flags |= ms_flag;
        }
    }
    sys::mount(None, &d, None, flags, None)
        .map_err(ctx(format_args!("remount {} read-only", src.display())))
}

fn mirror(root: &Path, host: &Path) -> io::Result<()> {
    let Ok(meta) = std::fs::symlink_metadata(host) else {
        return Ok(());
    };
    let dst = inside(root, host);
    if let Some(parent) = dst.parent() {
        std::fs::create_dir_all(parent)?;
    }
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(host)?;
        if std::fs::symlink_metadata(&dst).is_err() {
            symlink(target, &dst)?;
        }
        return Ok(());
    }
    if meta.is_dir() {
        std::fs::create_dir_all(&dst)?;
    } else {
        std::fs::File::create(&dst)?;
    }
    bind_readonly(host, &dst, false)
}

/// A character device node at `dst` for the host's `src`, on the root's own
/// tmpfs (read-only later, like the rest of the root): unlike a bind mount of
/// the host's devtmpfs, it adds no line to the mount table, whose `size=`
/// would tell the host's memory.
fn make_node(src: &Path, dst: &Path) -> io::Result<()> {
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    let meta = std::fs::metadata(src).map_err(ctx(format_args!("stat {}", src.display())))?;
    if !meta.file_type().is_char_device() {
        return Err(io::Error::other(format!(
            "{} is not a character device",
            src.display()
        )));
    }
    let d = sys::cpath(dst)?;
    // SAFETY: valid path; mode and device number from the host's node.
    sys::cvt(unsafe { libc::mknod(d.as_ptr(), libc::S_IFCHR | 0o666, meta.rdev()) })
        .map_err(ctx(format_args!("mknod {}", dst.display())))?;
    // SAFETY: as above; the umask must not narrow the mode.
    sys::cvt(unsafe { libc::chmod(d.as_ptr(), 0o666) }).map(drop)
}

fn build_root(root: &Path, hello: &Hello, user_namespace: bool) -> io::Result<()> {
    let r = sys::cpath(root)?;
    sys::mount(
        Some(c"tmpfs"),
        &r,
        Some(c"tmpfs"),
        libc::MS_NOSUID,
        Some(c"mode=0755,size=16m,nr_inodes=16384"),
    )
    .map_err(ctx("mount root tmpfs"))?;
    for p in &hello.readonly_paths {
        if !p.is_absolute() {
            return Err(io::Error::other(format!(
                "read-only path {} is not absolute",
                p.display()
            )));
        }
        mirror(root, p)?;
    }
    for d in ["etc", "dev/shm", "proc", "tmp", "box"] {
        std::fs::create_dir_all(root.join(d))?;
    }
    std::fs::write(
        root.join("etc/passwd"),
        format!(
            "root:x:0:0:root:/root:/bin/false\nsandbox:x:{}:{}:sandbox:/box:/bin/false\n",
            hello.uid, hello.gid
        ),
    )?;
    std::fs::write(
        root.join("etc/group"),
        format!("root:x:0:\nsandbox:x:{}:\n", hello.gid),
    )?;
    std::fs::write(root.join("etc/hostname"), "codearena\n")?;
    std::fs::write(
        root.join("etc/hosts"),
        "127.0.0.1 localhost\n::1 localhost\n",
    )?;
    for dev in DEVICES {
        let dst = root.join("dev").join(dev);
        let src = Path::new("/dev").join(dev);
        if user_namespace {
            // No mknod in a user namespace: bind the host's nodes (their
            // devtmpfs then shows in the mount table).
            std::fs::File::create(&dst)?;
            bind_readonly(&src, &dst, true)?;
        } else {
            make_node(&src, &dst)?;
        }
    }
    for (name, target) in [
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ] {
        symlink(target, root.join("dev").join(name))?;
    }
    if user_namespace {
        // Inside a user namespace the kernel lets a run mount a fresh /proc
        // (for its own PID namespace) only if a fully visible procfs is
        // already mounted in the mount namespace. A new procfs of the host's
        // PID namespace is not ours to mount, so bind the host's here; every
        // run mounts its own over it (or fails: never shown to a program).
        let p = sys::cpath(&root.join("proc"))?;
        sys::mount(Some(c"/proc"), &p, None, libc::MS_BIND | libc::MS_REC, None)
            .map_err(ctx("bind /proc"))?;
    }
    // The root is shared by every run of this zygote: make it read-only.
    sys::mount(
        None,
        &r,
        None,
        libc::MS_REMOUNT | libc::MS_BIND | libc::MS_RDONLY | libc::MS_NOSUID,
        None,
    )
    .map_err(ctx("remount root read-only"))
}

fn pivot_into(root: &Path) -> io::Result<()> {
    let r = sys::cpath(root)?;
    // SAFETY: plain syscalls with valid C strings.
    unsafe {
        sys::cvt(libc::chdir(r.as_ptr())).map_err(ctx("chdir new root"))?;
        // pivot_root(".", ".") stacks the old root on top of the new one;
        // detaching it leaves only the new root.
        sys::cvt_long(libc::syscall(
            libc::SYS_pivot_root,
            c".".as_ptr(),
            c".".as_ptr(),
        ))
        .map_err(ctx("pivot_root"))?;
        sys::cvt(libc::umount2(c".".as_ptr(), libc::MNT_DETACH)).map_err(ctx("detach old root"))?;
        sys::cvt(libc::chdir(c"/".as_ptr())).map_err(ctx("chdir /"))?;
    }
    Ok(())
}
