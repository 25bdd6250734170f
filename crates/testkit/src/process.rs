//! Programs started by a test: a free port to give them, a guard that kills them however
//! the test ends, and waiting until they answer.

use std::time::Duration;

/// A port that was free a moment ago, for a child process to listen on.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("cannot find a free port: {e}"))
}

/// A child process killed (and reaped) when dropped.
pub struct ChildProcess(pub std::process::Child);

impl ChildProcess {
    pub fn spawn(command: &mut std::process::Command) -> Self {
        Self(
            command
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}")),
        )
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.0.id().to_string();
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap_or_else(|e| panic!("cannot run kill: {e}"));
        assert!(sent.success(), "kill -TERM {pid} failed");
        self.0
            .wait()
            .unwrap_or_else(|e| panic!("cannot wait for {pid}: {e}"))
    }
}

impl Drop for ChildProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits until `GET url` answers 200.
pub async fn wait_for_ok(url: &str, deadline: Duration) {
    let client = reqwest::Client::new();
    crate::wait_until(deadline, &format!("200 from {url}"), || {
        let request = client.get(url).send();
        async move { request.await.is_ok_and(|r| r.status() == 200) }
    })
    .await;
}

/// Pids of the host's processes whose real uid is `uid` (for "nothing was left behind").
pub fn processes_of_uid(uid: u32) -> Vec<std::ffi::OsString> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else {
            continue;
        };
        let real_uid = status
            .lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<u32>().ok());
        if real_uid == Some(uid) {
            found.push(entry.file_name());
        }
    }
    found
}
