//! Servers that speak only TLS, for testing the clients' TLS: a throwaway CA and a
//! certificate for `localhost` made with the `openssl` CLI, and PostgreSQL, Redis and
//! RabbitMQ started on free ports with it, each stopped (and its files removed) however the
//! test ends.
//!
//! The certificate names `localhost` only, so connecting to `127.0.0.1` is the wrong host.
//! Each server refuses plaintext: PostgreSQL's `pg_hba.conf` has only `hostssl` lines,
//! Redis and RabbitMQ have no plain listener.

use std::net::TcpStream;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::free_port;

/// How long a server may take to start (RabbitMQ takes several seconds on a busy machine).
const START_DEADLINE: Duration = Duration::from_secs(90);

/// A CA, a server certificate it signed for `localhost`, and a second CA that signed
/// nothing here (to trust the wrong CA).
pub struct TestCertificates {
    dir: TempDir,
}

impl TestCertificates {
    /// Makes the certificates with `openssl` (ECDSA P-256, valid for two days).
    pub fn generate() -> Self {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("cannot make a temp dir: {e}"));
        let path = dir.path();
        let p256 = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
        for ca in ["ca", "other-ca"] {
            openssl(
                path,
                &format!(
                    "req -x509 {p256} -days 2 -subj /CN=CodeArena-test-{ca} \
                     -addext basicConstraints=critical,CA:TRUE \
                     -addext keyUsage=critical,keyCertSign,cRLSign \
                     -keyout {ca}.key -out {ca}.pem"
                ),
            );
        }
        openssl(
            path,
            &format!("req -new {p256} -subj /CN=localhost -keyout server.key -out server.csr"),
        );
        std::fs::write(
            path.join("server.ext"),
            "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n\
             keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap_or_else(|e| panic!("cannot write the extensions file: {e}"));
        openssl(
            path,
            "x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
             -extfile server.ext -out server.pem",
        );
        Self { dir }
    }

    /// The CA that signed the server certificate (PEM).
    pub fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// A CA that did not sign it.
    pub fn other_ca(&self) -> PathBuf {
        self.dir.path().join("other-ca.pem")
    }

    pub fn server_certificate(&self) -> PathBuf {
        self.dir.path().join("server.pem")
    }

    pub fn server_key(&self) -> PathBuf {
        self.dir.path().join("server.key")
    }
}

/// Runs `openssl` with `args` (split at whitespace) in `dir`.
fn openssl(dir: &Path, args: &str) {
    let args: Vec<&str> = args.split_whitespace().collect();
    let output = Command::new("openssl")
        .args(&args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run openssl ({e}): install it (Debian: apt-get install openssl)")
        });
    assert!(
        output.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Runs `program` and panics with its output when it fails.
fn run(command: &mut Command) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The first of `candidates` that exists, or a panic saying how to install it.
fn installed(candidates: &[PathBuf], install: &str) -> PathBuf {
    candidates
        .iter()
        .find(|path| path.is_file())
        .cloned()
        .unwrap_or_else(|| panic!("none of {candidates:?} exists: {install}"))
}

/// Waits until something accepts TCP connections on 127.0.0.1:`port`; panics after
/// [`START_DEADLINE`] with `log`'s contents.
fn wait_for_port(what: &str, port: u16, child: &mut Child, log: &Path) {
    let started = Instant::now();
    let mut pause = Duration::from_millis(20);
    loop {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        let exited = child.try_wait().ok().flatten();
        if exited.is_some() || started.elapsed() > START_DEADLINE {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            panic!("{what} did not listen on port {port} (exit: {exited:?}); its log:\n{text}");
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(250));
    }
}

/// A process group killed (every process in it) and reaped when dropped.
struct Group(Child);

impl Group {
    fn spawn(command: &mut Command) -> Self {
        Self(
            command
                .process_group(0)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}")),
        )
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.0.wait();
    }
}

fn running_as_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// A PostgreSQL cluster made with `initdb` in a temp dir, accepting only TLS connections
/// (user `postgres`, no password) on a free port; stopped with `pg_ctl stop -m immediate`.
pub struct TlsPostgres {
    pg_ctl: PathBuf,
    data: PathBuf,
    as_root: bool,
    port: u16,
    _dir: TempDir,
}

impl TlsPostgres {
    pub fn start(certificates: &TestCertificates) -> Self {
        let install =
            "install PostgreSQL (Debian: apt-get install postgresql; scripts/services does)";
        let bin = newest_postgres_bin()
            .unwrap_or_else(|| panic!("no /usr/lib/postgresql/<version>/bin/initdb: {install}"));
        let initdb = installed(&[bin.join("initdb")], install);
        let pg_ctl = installed(&[bin.join("pg_ctl")], install);
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("cannot make a temp dir: {e}"));
        let data = dir.path().join("data");
        let as_root = running_as_root();
        // initdb refuses to run as root: the cluster belongs to the postgres user then.
        if as_root {
            run(Command::new("chown").arg("postgres:").arg(dir.path()));
        }
        run(as_postgres(as_root, &initdb)
            .args(["--auth=trust", "--username=postgres", "--no-sync", "-D"])
            .arg(&data));
        for (from, to) in [
            (certificates.server_certificate(), "server.crt"),
            (certificates.server_key(), "server.key"),
        ] {
            std::fs::copy(&from, data.join(to))
                .unwrap_or_else(|e| panic!("cannot copy {}: {e}", from.display()));
        }
        let port = free_port();
        std::fs::write(
            data.join("postgresql.auto.conf"),
            format!(
                "port = {port}\nlisten_addresses = 'localhost'\nunix_socket_directories = '{}'\n\
                 ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n\
                 fsync = off\n",
                dir.path().display()
            ),
        )
        .unwrap_or_else(|e| panic!("cannot write postgresql.auto.conf: {e}"));
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostssl all all ::1/128 trust\n",
        )
        .unwrap_or_else(|e| panic!("cannot write pg_hba.conf: {e}"));
        if as_root {
            run(Command::new("chown").args(["-R", "postgres:"]).arg(&data));
        }
        run(Command::new("chmod")
            .arg("600")
            .arg(data.join("server.key")));
        let server = Self {
            pg_ctl,
            data,
            as_root,
            port,
            _dir: dir,
        };
        // `-w`: pg_ctl itself waits until the server accepts connections.
        let log = server.data.join("server.log");
        run(as_postgres(as_root, &server.pg_ctl)
            .args(["-w", "-t", "60", "-l"])
            .arg(&log)
            .arg("-D")
            .arg(&server.data)
            .arg("start"));
        server
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `postgres://postgres@<host>:<port>/postgres?sslmode=verify-full`
    pub fn url(&self, host: &str) -> String {
        format!(
            "postgres://postgres@{host}:{}/postgres?sslmode=verify-full",
            self.port
        )
    }
}

impl Drop for TlsPostgres {
    fn drop(&mut self) {
        let _ = as_postgres(self.as_root, &self.pg_ctl)
            .args(["-m", "immediate", "-D"])
            .arg(&self.data)
            .arg("stop")
            .stdout(Stdio::null())
            .status();
    }
}

fn as_postgres(as_root: bool, program: &Path) -> Command {
    if as_root {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

/// `/usr/lib/postgresql/<newest version>/bin`, as Debian installs it.
fn newest_postgres_bin() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// `redis-server` with only a TLS port, nothing saved to disk.
pub struct TlsRedis {
    port: u16,
    _process: Group,
    _dir: TempDir,
}

impl TlsRedis {
    pub fn start(certificates: &TestCertificates) -> Self {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("cannot make a temp dir: {e}"));
        let port = free_port();
        let log = dir.path().join("redis.log");
        let mut command = Command::new("redis-server");
        command
            .args(["--port", "0", "--tls-port", &port.to_string()])
            .args(["--bind", "127.0.0.1", "-::1"])
            .arg("--tls-cert-file")
            .arg(certificates.server_certificate())
            .arg("--tls-key-file")
            .arg(certificates.server_key())
            .arg("--tls-ca-cert-file")
            .arg(certificates.ca())
            .args([
                "--tls-auth-clients",
                "no",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(dir.path())
            .arg("--logfile")
            .arg(&log);
        let mut process = match command.process_group(0).spawn() {
            Ok(child) => Group(child),
            Err(e) => panic!(
                "cannot start redis-server ({e}): install Redis 7 built with TLS \
                 (Debian: apt-get install redis-server; scripts/services does)"
            ),
        };
        wait_for_port("redis-server", port, &mut process.0, &log);
        Self {
            port,
            _process: process,
            _dir: dir,
        }
    }

    /// `rediss://<host>:<port>`
    pub fn url(&self, host: &str) -> String {
        format!("rediss://{host}:{}", self.port)
    }
}

/// A RabbitMQ node of its own (node name, data, logs, configuration in a temp dir) with
/// only a TLS listener; the node next to it on the machine is left alone. User
/// `guest`/`guest`, which RabbitMQ accepts from loopback addresses.
pub struct TlsRabbitMq {
    port: u16,
    _process: Group,
    _dir: TempDir,
}

impl TlsRabbitMq {
    pub fn start(certificates: &TestCertificates) -> Self {
        let server = installed(
            &[PathBuf::from("/usr/lib/rabbitmq/bin/rabbitmq-server")],
            "install RabbitMQ (Debian: apt-get install rabbitmq-server; scripts/services does)",
        );
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("cannot make a temp dir: {e}"));
        let path = dir.path();
        let port = free_port();
        let config = path.join("rabbitmq.conf");
        std::fs::write(
            &config,
            format!(
                "listeners.tcp = none\nlisteners.ssl.default = {port}\n\
                 ssl_options.cacertfile = {}\nssl_options.certfile = {}\n\
                 ssl_options.keyfile = {}\nssl_options.verify = verify_none\n\
                 ssl_options.fail_if_no_peer_cert = false\n",
                certificates.ca().display(),
                certificates.server_certificate().display(),
                certificates.server_key().display(),
            ),
        )
        .unwrap_or_else(|e| panic!("cannot write rabbitmq.conf: {e}"));
        let plugins = path.join("enabled_plugins");
        std::fs::write(&plugins, "[].\n")
            .unwrap_or_else(|e| panic!("cannot write enabled_plugins: {e}"));
        let log = path.join("startup.log");
        let output = std::fs::File::create(&log)
            .and_then(|file| Ok((file.try_clone()?, file)))
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", log.display()));
        let mut command = Command::new(server);
        command
            // The Erlang cookie is made in $HOME.
            .env("HOME", path)
            .env(
                "RABBITMQ_NODENAME",
                format!("codearena-tls-{port}@localhost"),
            )
            .env("RABBITMQ_DIST_PORT", free_port().to_string())
            .env("RABBITMQ_CONFIG_FILE", &config)
            .env("RABBITMQ_ENABLED_PLUGINS_FILE", &plugins)
            .env("RABBITMQ_MNESIA_BASE", path.join("mnesia"))
            .env("RABBITMQ_LOG_BASE", path.join("log"))
            .stdin(Stdio::null())
            .stdout(output.0)
            .stderr(output.1);
        let mut process = Group::spawn(&mut command);
        wait_for_port("rabbitmq-server", port, &mut process.0, &log);
        Self {
            port,
            _process: process,
            _dir: dir,
        }
    }

    /// `amqps://guest:guest@<host>:<port>/%2f`
    pub fn url(&self, host: &str) -> String {
        format!("amqps://guest:guest@{host}:{}/%2f", self.port)
    }
}
