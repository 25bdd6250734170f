//! What the host's disk looks like from outside a sandbox, for tests that check a
//! program inside cannot see it.

use std::os::unix::fs::MetadataExt;

/// The file system a host path lives on, as the host's mount table and `statvfs` show it.
#[derive(Debug, Clone)]
pub struct HostDisk {
    /// `major:minor`, the third field of its mountinfo line.
    pub id: String,
    /// What follows ` - ` on that line: type, source, super options
    /// (`ext4 /dev/vda rw,discard,…`).
    pub tail: String,
    /// Its size in blocks (`statvfs`'s `f_blocks`).
    pub blocks: u64,
}

impl HostDisk {
    /// The host's file system under `path` (say `/usr/bin`). Panics if the host's own
    /// mount table does not list it.
    pub fn of(path: &str) -> HostDisk {
        let dev = std::fs::metadata(path)
            .unwrap_or_else(|e| panic!("stat {path}: {e}"))
            .dev();
        let id = format!("{}:{}", libc::major(dev), libc::minor(dev));
        let table = std::fs::read_to_string("/proc/self/mountinfo").expect("host mountinfo");
        let tail = table
            .lines()
            .find(|l| l.split(' ').nth(2) == Some(id.as_str()))
            .and_then(|l| l.split_once(" - "))
            .map(|(_, tail)| tail.to_string())
            .unwrap_or_else(|| panic!("no mount of {id} in\n{table}"));
        let c_path = std::ffi::CString::new(path).expect("a path without NUL");
        // SAFETY: an all-zero statvfs is valid output space.
        let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
        // SAFETY: c_path is a valid C string and st valid output.
        assert_eq!(
            unsafe { libc::statvfs(c_path.as_ptr(), &mut st) },
            0,
            "statvfs {path}"
        );
        HostDisk {
            id,
            tail,
            blocks: st.f_blocks,
        }
    }

    /// The strings that would give the disk away in a mount table: its ` major:minor `
    /// (spaced, as a mountinfo field), its source if a path (`/dev/vda`), its options if
    /// they say more than `rw` (`rw,discard,…`, or a container's `lowerdir=` layers).
    pub fn telltales(&self) -> Vec<String> {
        let mut found = vec![format!(" {} ", self.id)];
        let mut parts = self.tail.splitn(3, ' ');
        let (_fs_type, source, options) = (parts.next(), parts.next(), parts.next());
        found.extend(source.filter(|s| s.starts_with('/')).map(String::from));
        found.extend(options.filter(|o| o.contains(',')).map(String::from));
        found
    }
}
