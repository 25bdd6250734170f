//! Where the cgroup hierarchies are: the mounts (`/proc/self/mountinfo`), this
//! process's cgroup in each (`/proc/self/cgroup`), and the directory a cgroup
//! path has under a mount.

use std::io;
use std::path::PathBuf;

/// One mount from `/proc/self/mountinfo`.
pub(super) struct MountInfo {
    root: String,
    pub(super) mountpoint: PathBuf,
    pub(super) fstype: String,
    pub(super) super_opts: Vec<String>,
}

pub(super) fn mountinfo() -> io::Result<Vec<MountInfo>> {
    let text = std::fs::read_to_string("/proc/self/mountinfo")?;
    Ok(parse_mountinfo(&text))
}

fn parse_mountinfo(text: &str) -> Vec<MountInfo> {
    let mut out = Vec::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split(' ').collect();
        let Some(sep) = fields.iter().position(|f| *f == "-") else {
            continue;
        };
        if fields.len() < sep + 4 || sep < 5 {
            continue;
        }
        out.push(MountInfo {
            root: unescape(fields[3]),
            mountpoint: PathBuf::from(unescape(fields[4])),
            fstype: fields[sep + 1].to_string(),
            super_opts: fields[sep + 3].split(',').map(str::to_string).collect(),
        });
    }
    out
}

/// mountinfo escapes space, tab, newline and backslash as octal.
fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            let v = (b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0');
            out.push(v);
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `/proc/self/cgroup`: hierarchy controllers (empty for v2) → path.
pub(super) fn parse_proc_cgroup(text: &str) -> Vec<(Vec<String>, String)> {
    text.lines()
        .filter_map(|l| {
            let mut it = l.splitn(3, ':');
            let _id = it.next()?;
            let ctrls = it.next()?;
            let path = it.next()?;
            let ctrls = ctrls
                .split(',')
                .filter(|c| !c.is_empty())
                .map(|c| c.trim_start_matches("name=").to_string())
                .collect();
            Some((ctrls, path.to_string()))
        })
        .collect()
}

/// The cgroup path to create ours under: our own cgroup, or the configured
/// parent (absolute, or relative to our own).
pub(super) fn parent_path(own: &str, configured: Option<&str>) -> String {
    match configured {
        None => own.to_string(),
        Some(p) if p.starts_with('/') => p.to_string(),
        Some(p) => format!("{}/{p}", own.trim_end_matches('/')),
    }
}

/// Maps a cgroup path to its directory under a mount of that hierarchy.
pub(super) fn dir_for(mount: &MountInfo, cgroup_path: &str) -> PathBuf {
    let rel = cgroup_path
        .strip_prefix(mount.root.as_str())
        .unwrap_or(cgroup_path);
    mount.mountpoint.join(rel.trim_start_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hybrid_mountinfo_and_proc_cgroup() {
        let mi = "30 25 0:26 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory\n\
                  31 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n\
                  32 25 0:28 / /sys/fs/cgroup/unified rw shared:9 - cgroup2 cgroup2 rw\n\
                  33 25 0:29 /kube/pod1 /sys/fs/cgroup/x\\040y rw - cgroup2 cgroup2 rw\n";
        let m = parse_mountinfo(mi);
        assert_eq!(m.len(), 4);
        assert!(m[1].super_opts.contains(&"cpuacct".to_string()));
        assert_eq!(m[2].fstype, "cgroup2");
        assert_eq!(m[3].mountpoint, PathBuf::from("/sys/fs/cgroup/x y"));
        assert_eq!(
            dir_for(&m[3], "/kube/pod1/ctr"),
            PathBuf::from("/sys/fs/cgroup/x y/ctr")
        );
        assert_eq!(
            dir_for(&m[0], "/process_api/abc"),
            PathBuf::from("/sys/fs/cgroup/memory/process_api/abc")
        );

        let pc = parse_proc_cgroup(
            "4:memory:/process_api/abc\n2:cpu,cpuacct:/\n1:name=systemd:/\n0::/user.slice\n",
        );
        assert_eq!(
            pc[0],
            (vec!["memory".to_string()], "/process_api/abc".to_string())
        );
        assert_eq!(pc[1].0, vec!["cpu".to_string(), "cpuacct".to_string()]);
        assert_eq!(pc[3], (vec![], "/user.slice".to_string()));
    }
}
