# syntax=docker/dockerfile:1
# CodeArena's one image: the `codearena` binary (with the web app compiled in), the problem
# bank, and the judge's toolchains. It runs any role: `codearena service auth|battle|
# execution|rating|realtime|web`, or embedded mode with no arguments. deploy/k8s/README.md
# says how to build and deploy it; `scripts/check-deploy` checks this file (no container
# engine runs on the project's machines, so the image itself is not built there).
#
#   docker build -t codearena:0.1.0 .

# --- The web app (web/dist), built by the same script as everywhere else. Node.js 20.19+
# (the app's `engines`); Debian 12's own is 18.
FROM node:22-bookworm-slim AS web
WORKDIR /src
COPY scripts/build-web scripts/build-web
COPY web web
RUN scripts/build-web

# --- The binary. build.rs compiles web/dist into it (crates/codearena/build.rs).
FROM rust:1.94-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY crates crates
COPY --from=web /src/web/dist web/dist
RUN cargo build --release --locked -p codearena \
 && install -D -m 0755 target/release/codearena /out/codearena

# --- What runs. The judge's compilers and interpreters come from Debian 12's packages,
# installed by scripts/install-toolchains, the script the tests' machines use, so the image
# judges with the versions the tests ran (docs/judge.md, "Languages").
FROM debian:bookworm-slim AS runtime
COPY scripts/install-toolchains /usr/local/lib/codearena/install-toolchains
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ca-certificates >/dev/null \
 && /usr/local/lib/codearena/install-toolchains \
 && rm -rf /var/lib/apt/lists/*

# The user every role but execution runs as (uid/gid 10001). The sandbox's own uids
# (60999 and below, one per worker slot) need no account: the sandbox writes its own
# /etc/passwd inside its root.
RUN groupadd --system --gid 10001 codearena \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin codearena

WORKDIR /app
# Embedded mode's data directory (embedded.data_dir, `data` under /app), the user's own:
# the SQLite database, the generated secret and the package cache.
RUN install -d -o 10001 -g 10001 -m 0700 /app/data
VOLUME /app/data
COPY --from=build /out/codearena /usr/local/bin/codearena
# The problem bank battle serves (battle.problems_dir, relative to /app by default).
COPY problems /app/problems
ENV CODEARENA_BATTLE__PROBLEMS_DIR=/app/problems

# The execution role's privileges. Its workers judge untrusted code in the sandbox of
# crates/sandbox (docs/judge.md, "How the sandbox isolates"), which the process sets up
# itself and which needs, in the container:
#   - root (uid 0) with CAP_SYS_ADMIN: unshare(2) of mount, PID, network, IPC and UTS
#     namespaces, mount(2) of tmpfs, /proc and read-only bind mounts, pivot_root(2);
#   - CAP_SETUID/CAP_SETGID: each run drops to its slot's unprivileged uid (60999 down);
#   - a writable cgroup filesystem (memory incl. swap, pids, CPU per run, v1 or v2), which
#     runtimes mount read-only for unprivileged containers, and mount(2)/unshare(2), which
#     the runtime's default AppArmor and seccomp profiles refuse.
# So Kubernetes runs the execution pods `privileged: true` as uid 0 with seccomp Unconfined
# (deploy/k8s/base/execution.yaml; every other role runs as 10001 with no capability). What
# limits the harm: the submitted program runs with no capability, under no_new_privs, the
# sandbox's own seccomp filter (no mount, unshare, ptrace, bpf, sockets other than AF_UNIX),
# an empty network namespace, a read-only root, and cgroup limits; the pod has no service
# account token, may reach only auth, Redis, RabbitMQ, DNS and Jaeger (NetworkPolicies), and on
# EKS runs on a tainted node group of its own. A kernel escape from the sandbox is root on
# that node: that is the risk the separate node group contains.
USER 10001:10001
EXPOSE 3001 3002 3003 3004 3005 8083
ENTRYPOINT ["/usr/local/bin/codearena"]
