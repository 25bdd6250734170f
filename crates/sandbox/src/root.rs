//! The sandbox's root file system, built once per zygote: a small tmpfs that
//! holds the host's read-only toolchain directories, a few small files copied
//! from `/etc`, a synthetic `/etc/passwd` and the device nodes; then
//! `pivot_root` into it.
//!
//! The host's directories are shown through read-only overlayfs mounts, not
//! bind mounts. A bind mount shows its file system's superblock in every
//! process's `/proc/self/mountinfo`: the host's root device (`/dev/vda`,
//! `254:0`), its file system and options (ext4 `discard,resv_strict,…`, or the
//! `lowerdir=` layer paths of the node's container image), and `statfs` on it
//! tells the host disk's size and free space. An overlay is a superblock of
//! its own: `overlay … lowerdir=usr/lib:/usr/lib`, an anonymous device number,
//! and its top layer (the empty mount point on the root's tmpfs) answers
//! `statfs`. Kernels that refuse overlayfs here (no overlayfs, or a user
//! namespace before 5.11) get bind mounts as before, and the sandbox's
//! description says so.

use std::ffi::CStr;
use std::io::{self, Read};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};

use crate::protocol::Hello;
use crate::sys::{self, ctx};

/// Device nodes in the sandbox's `/dev`.
const DEVICES: [&str; 5] = ["null", "zero", "full", "random", "urandom"];

/// Largest read-only file copied into the root (`/etc/ld.so.cache` is tens of
/// KiB); the root tmpfs is 16 MiB in all.
const MAX_COPIED_FILE: u64 = 1 << 20;

/// What the host directories became, for the sandbox's description.
#[derive(Debug, Default)]
struct Layers {
    overlays: usize,
    binds: usize,
    /// Why the kernel refused the first overlay, if it did.
    refused: Option<String>,
    /// The kernel will not mount overlays here at all: stop asking.
    no_overlays: bool,
}

impl Layers {
    fn describe(&self) -> String {
        let overlays = count(self.overlays, "read-only overlay");
        match &self.refused {
            None => overlays,
            Some(why) => format!(
                "{overlays}, {} (overlayfs refused: {why}; the host's disk shows in mountinfo)",
                count(self.binds, "bind mount")
            ),
        }
    }
}

fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

fn inside(root: &Path, host: &Path) -> PathBuf {
    root.join(relative(host))
}

fn relative(host: &Path) -> &Path {
    host.strip_prefix("/").unwrap_or(host)
}

/// The mount flags a read-only view of `path` must keep from its host mount:
/// `noexec` (an overlay or a bind must not make a `noexec` mount's files
/// executable) and, for a bind remount inside a user namespace, the other
/// flags the kernel locks.
fn kept_flags(path: &CStr) -> io::Result<libc::c_ulong> {
    // SAFETY: an all-zero statvfs is valid output space.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: the path is a valid C string and st valid output.
    sys::cvt(unsafe { libc::statvfs(path.as_ptr(), &mut st) })?;
    let mut flags = 0;
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
    Ok(flags)
}

/// Bind-mounts `src` on `dst` read-only, keeping the flags the kernel locks
/// (a remount inside a user namespace may not clear nodev/nosuid/noexec).
fn bind_readonly(src: &Path, dst: &Path, device: bool) -> io::Result<()> {
    let (s, d) = (sys::cpath(src)?, sys::cpath(dst)?);
    sys::mount(Some(&s), &d, None, libc::MS_BIND, None)
        .map_err(ctx(format_args!("bind {}", src.display())))?;
    let mut flags = libc::MS_REMOUNT | libc::MS_BIND | libc::MS_RDONLY | libc::MS_NOSUID;
    if !device {
        flags |= libc::MS_NODEV;
    }
    flags |= kept_flags(&d)?;
    sys::mount(None, &d, None, flags, None)
        .map_err(ctx(format_args!("remount {} read-only", src.display())))
}

/// A read-only overlay at `root`/`host` whose layers are that empty mount
/// point (on top: it answers `statfs`) and the host's directory. Paths are
/// given relative to the root (the working directory while the root is
/// built), so the mount table reads `lowerdir=usr/lib:/usr/lib`.
fn overlay(host: &Path) -> io::Result<()> {
    let rel = relative(host);
    let (top, lower) = (layer_name(rel)?, layer_name(host)?);
    let flags =
        libc::MS_RDONLY | libc::MS_NOSUID | libc::MS_NODEV | kept_flags(&sys::cpath(host)?)?;
    sys::mount(
        Some(c"overlay"),
        &sys::cpath(rel)?,
        Some(c"overlay"),
        flags,
        Some(&sys::cstr(&format!("lowerdir={top}:{lower}"))?),
    )
}

/// A path as an overlayfs layer: `:` separates layers and `,` options, and
/// the kernels disagree on escaping them, so such paths are refused.
fn layer_name(p: &Path) -> io::Result<String> {
    match p.to_str() {
        Some(s) if !s.contains([':', ',', '\\', '\n']) && !s.is_empty() => Ok(s.to_owned()),
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "read-only path {} must be UTF-8 without ':', ',' or '\\'",
                p.display()
            ),
        )),
    }
}

/// How the kernel refused an overlay, if it did (so that a bind mount stands
/// in) rather than failing on this path: `Some(true)` for nowhere at all (no
/// overlayfs, or not in this user namespace), `Some(false)` for this layer
/// only (its file system, or too deep a stack of overlays).
fn refused(e: &io::Error) -> Option<bool> {
    match e.raw_os_error()? {
        libc::EPERM | libc::ENODEV => Some(true),
        libc::EINVAL | libc::EOPNOTSUPP => Some(false),
        _ => None,
    }
}

/// Copies a small regular file into the root (read-only with it).
fn copy_file(host: &Path, dst: &Path) -> io::Result<()> {
    let file = std::fs::File::open(host)?;
    let mode = file.metadata()?.permissions().mode() & 0o555;
    let mut bytes = Vec::new();
    file.take(MAX_COPIED_FILE + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_COPIED_FILE {
        return Err(io::Error::other(format!(
            "read-only file {} is over {} KiB: list its directory instead",
            host.display(),
            MAX_COPIED_FILE >> 10
        )));
    }
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(dst)?;
    io::Write::write_all(&mut out, &bytes)?;
    std::fs::set_permissions(dst, std::fs::Permissions::from_mode(mode))
}

fn mirror(root: &Path, host: &Path, layers: &mut Layers) -> io::Result<()> {
    let Ok(meta) = std::fs::symlink_metadata(host) else {
        return Ok(());
    };
    let dst = inside(root, host);
    if let Some(parent) = dst.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let file_type = meta.file_type();
    if file_type.is_symlink() {
        let target = std::fs::read_link(host)?;
        if std::fs::symlink_metadata(&dst).is_err() {
            symlink(target, &dst)?;
        }
        return Ok(());
    }
    if file_type.is_file() {
        return copy_file(host, &dst).map_err(ctx(format_args!("copy {}", host.display())));
    }
    if !file_type.is_dir() {
        return Err(io::Error::other(format!(
            "read-only path {} is not a directory, a regular file or a symbolic link",
            host.display()
        )));
    }
    std::fs::create_dir_all(&dst)?;
    if !layers.no_overlays {
        match overlay(host) {
            Ok(()) => {
                layers.overlays += 1;
                return Ok(());
            }
            Err(e) => match refused(&e) {
                Some(everywhere) => {
                    layers.no_overlays = everywhere;
                    let why = format!("{}: {e}", host.display());
                    layers.refused.get_or_insert(why);
                }
                None => return Err(e).map_err(ctx(format_args!("overlay {}", host.display()))),
            },
        }
    }
    layers.binds += 1;
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

/// The read-only paths to mirror, in order: each absolute, and none inside
/// another (already visible through it; an overlay whose top layer lies on
/// another overlay of the same directory would overlap it).
fn outermost(paths: &[PathBuf]) -> io::Result<Vec<&Path>> {
    let mut kept: Vec<&Path> = Vec::new();
    for p in paths {
        if !p.is_absolute() {
            return Err(io::Error::other(format!(
                "read-only path {} is not absolute",
                p.display()
            )));
        }
        if kept.iter().any(|k| p.starts_with(k)) {
            continue;
        }
        kept.retain(|k| !k.starts_with(p));
        kept.push(p);
    }
    Ok(kept)
}

/// Builds the root on `root` (an empty host directory); returns how the host
/// directories are shown, for the sandbox's description.
pub(crate) fn build(root: &Path, hello: &Hello, user_namespace: bool) -> io::Result<String> {
    let r = sys::cpath(root)?;
    sys::mount(
        Some(c"tmpfs"),
        &r,
        Some(c"tmpfs"),
        libc::MS_NOSUID,
        Some(c"mode=0755,size=16m,nr_inodes=16384"),
    )
    .map_err(ctx("mount root tmpfs"))?;
    // Overlay layers are named relative to the root (see `overlay`).
    std::env::set_current_dir(root).map_err(ctx("chdir root"))?;
    let mut layers = Layers::default();
    for p in outermost(&hello.readonly_paths)? {
        mirror(root, p, &mut layers)?;
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
    .map_err(ctx("remount root read-only"))?;
    Ok(layers.describe())
}

/// Makes `root` the process's root; the host's file system is gone from its view.
pub(crate) fn pivot_into(root: &Path) -> io::Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_paths_that_overlayfs_would_split_are_refused() {
        assert_eq!(layer_name(Path::new("/usr/lib")).unwrap(), "/usr/lib");
        assert_eq!(layer_name(Path::new("usr/lib/jvm")).unwrap(), "usr/lib/jvm");
        for bad in ["/opt/a:b", "/opt/a,b", "/opt/a\\b", ""] {
            assert!(layer_name(Path::new(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn paths_inside_another_are_mirrored_through_it() {
        let paths: Vec<PathBuf> = [
            "/usr/lib/jvm",
            "/usr/bin",
            "/usr/lib",
            "/usr/lib",
            "/usr/libexec",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        let kept = outermost(&paths).unwrap();
        assert_eq!(
            kept,
            [
                Path::new("/usr/bin"),
                Path::new("/usr/lib"),
                Path::new("/usr/libexec")
            ]
        );
        assert!(outermost(&[PathBuf::from("usr/lib")]).is_err());
    }

    #[test]
    fn the_description_says_when_the_hosts_disk_shows() {
        let all = Layers {
            overlays: 3,
            ..Layers::default()
        };
        assert_eq!(all.describe(), "3 read-only overlays");
        let fallback = Layers {
            overlays: 0,
            binds: 3,
            refused: Some("Operation not permitted".into()),
            no_overlays: true,
        };
        assert_eq!(
            fallback.describe(),
            "0 read-only overlays, 3 bind mounts (overlayfs refused: Operation not permitted; the host's disk shows in mountinfo)"
        );
        let one = Layers {
            overlays: 1,
            binds: 1,
            refused: Some("Invalid argument".into()),
            no_overlays: false,
        };
        assert!(
            one.describe()
                .starts_with("1 read-only overlay, 1 bind mount (")
        );
    }
}
