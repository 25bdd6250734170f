"""What a platform team checks in the rendered manifests of an overlay, beyond the schemas.

Each check takes (docs, overlay, repo) and raises AssertionError naming what is wrong."""

from __future__ import annotations

import re
from pathlib import Path

from netpol import SERVICES

# The secrets each service may read (least privilege): its stores and its own secret.
SECRET_KEYS = {
    "auth": {"CODEARENA_DATABASE__URL", "CODEARENA_REDIS__URL", "CODEARENA_AUTH__JWT_SECRET"},
    "battle": {"CODEARENA_DATABASE__URL", "CODEARENA_REDIS__URL", "CODEARENA_AMQP__URL",
               "CODEARENA_EXECUTION__SERVICE_TOKEN"},
    "execution": {"CODEARENA_REDIS__URL", "CODEARENA_AMQP__URL",
                  "CODEARENA_EXECUTION__SERVICE_TOKEN"},
    "rating": {"CODEARENA_DATABASE__URL", "CODEARENA_REDIS__URL"},
    "realtime": {"CODEARENA_REDIS__URL"},
    "web": set(),
}
STORES_OF = {s: {k.split("__")[0].removeprefix("CODEARENA_") for k in keys if k.endswith("__URL")}
             for s, keys in SECRET_KEYS.items()}

# The spec's "Scaling Strategy": (min, max, CPU %). Rating has no CPU target in the spec.
HPA = {"auth": (2, 10, 70), "battle": (3, 15, 70), "execution": (5, 30, 60),
       "rating": (2, 8, 70), "realtime": (3, 20, 60)}
# Kubernetes' default scale-up: max(100 %, 4 pods) per 15 s; scale-down window 300 s.
DEFAULT_UP_PERCENT, DEFAULT_UP_PODS, DEFAULT_DOWN_WINDOW = 100, 4, 300

# The spec's 4 CPU / 8 GB minikube node, less what Kubernetes and ingress-nginx request.
MINIKUBE_BUDGET_CPU, MINIKUBE_BUDGET_MEMORY = 3.0, 6 * 1024**3

# The only pod allowed to run privileged, and why (README.md, Dockerfile).
PRIVILEGED = {"execution"}

INGRESS_PATHS = {
    ("/api/auth", "auth", 3001), ("/api/battle", "battle", 3002),
    ("/api/execution", "execution", 3003), ("/api/rating", "rating", 3004),
    ("/api", "auth", 3001), ("/", "web", 8083), ("/socket.io", "realtime", 3005),
}
CLOSED_PATHS = {"/metrics", "/readyz", "/internal"}


def kinds(docs, kind):
    return {d["metadata"]["name"]: d for d in docs if d.get("kind") == kind}


def cpu(q: str) -> float:
    q = str(q)
    return float(q[:-1]) / 1000 if q.endswith("m") else float(q)


def memory(q: str) -> int:
    units = {"Ki": 1024, "Mi": 1024**2, "Gi": 1024**3, "K": 1000, "M": 1000**2, "G": 1000**3}
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([KMG]i?)?", str(q))
    assert m, f"cannot read memory quantity {q}"
    return int(float(m.group(1)) * units.get(m.group(2) or "", 1))


def container(dep):
    cs = dep["spec"]["template"]["spec"]["containers"]
    assert len(cs) == 1, f"{dep['metadata']['name']}: one container expected"
    return cs[0]


def resolve_port(c, port):
    if isinstance(port, int):
        return port
    for p in c.get("ports", []):
        if p.get("name") == port:
            return p["containerPort"]
    raise AssertionError(f"{c['name']}: no container port named {port}")


def battle_result_timeout(repo: Path) -> int:
    text = (repo / "crates/battle/src/settings.rs").read_text()
    m = re.search(r"result_timeout_secs:\s*(\d+)", text)
    assert m, "battle.result_timeout_secs default not found in crates/battle/src/settings.rs"
    return int(m.group(1))


def env_example(repo: Path, overlay: str) -> dict:
    out = {}
    for line in (repo / f"deploy/k8s/overlays/{overlay}/secrets.env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            k, _, v = line.partition("=")
            out[k] = v
    return out


def check_deployments(docs, overlay, repo):
    deps = kinds(docs, "Deployment")
    assert set(deps) == set(SERVICES), f"Deployments {sorted(deps)}, expected {sorted(SERVICES)}"
    grace_execution = battle_result_timeout(repo)
    for name, port in SERVICES.items():
        d = deps[name]
        pod = d["spec"]["template"]
        spec, c = pod["spec"], container(d)
        where = f"{overlay}/{name}"
        labels = pod["metadata"].get("labels", {})
        assert labels.get("app.kubernetes.io/name") == name, f"{where}: name label"
        assert labels.get("app.kubernetes.io/part-of") == "codearena", f"{where}: part-of label"
        sel = d["spec"]["selector"]["matchLabels"]
        assert all(labels.get(k) == v for k, v in sel.items()), f"{where}: selector"
        assert c.get("args") == ["service", name], f"{where}: args {c.get('args')}"
        ports = [p["containerPort"] for p in c.get("ports", [])]
        assert ports == [port], f"{where}: ports {ports}, the spec's is {port}"
        for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
            get = (c.get(probe) or {}).get("httpGet")
            assert get, f"{where}: no {probe} over HTTP"
            assert get["path"] == path, f"{where}: {probe} path {get['path']}, want {path}"
            assert resolve_port(c, get["port"]) == port, f"{where}: {probe} port"
        res = c.get("resources", {})
        for kind in ("requests", "limits"):
            for r in ("cpu", "memory"):
                assert r in res.get(kind, {}), f"{where}: no {r} {kind}"
            assert cpu(res["requests"]["cpu"]) <= cpu(res["limits"]["cpu"]), f"{where}: cpu"
            assert memory(res["requests"]["memory"]) <= memory(res["limits"]["memory"]), where
        ann = pod["metadata"].get("annotations", {})
        assert ann.get("prometheus.io/scrape") == "true", f"{where}: not scraped"
        assert ann.get("prometheus.io/port") == str(port), f"{where}: scrape port"
        assert ann.get("prometheus.io/path") == "/metrics", f"{where}: scrape path"
        grace = spec.get("terminationGracePeriodSeconds", 30)
        want = grace_execution if name == "execution" else 30
        assert grace >= want, f"{where}: terminationGracePeriodSeconds {grace} < {want}"
        assert spec.get("automountServiceAccountToken") is False, f"{where}: token mounted"
        psc, csc = spec.get("securityContext", {}), c.get("securityContext", {})
        if name in PRIVILEGED:
            assert csc.get("privileged") is True, f"{where}: the sandbox needs privileged"
        else:
            assert psc.get("runAsNonRoot") is True, f"{where}: runAsNonRoot"
            assert psc.get("runAsUser", 0) != 0, f"{where}: runs as root"
            assert not csc.get("privileged"), f"{where}: privileged"
            assert csc.get("allowPrivilegeEscalation") is False, f"{where}: privilege escalation"
            assert csc.get("capabilities", {}).get("drop") == ["ALL"], f"{where}: capabilities"
            assert psc.get("seccompProfile", {}).get("type") == "RuntimeDefault", where
        keys = {e["valueFrom"]["secretKeyRef"]["key"] for e in c.get("env", [])
                if "secretKeyRef" in e.get("valueFrom", {})}
        assert keys == SECRET_KEYS[name], f"{where}: secrets {sorted(keys)}"
        assert not any("secretRef" in e for e in c.get("envFrom", [])), f"{where}: all secrets"
        missing = keys - set(env_example(repo, overlay))
        assert not missing, f"{where}: {sorted(missing)} not in secrets.env.example"


def check_images(docs, overlay, repo):
    for d in docs:
        if d.get("kind") not in ("Deployment", "StatefulSet"):
            continue
        for c in d["spec"]["template"]["spec"]["containers"]:
            image = c["image"]
            tag = image.rsplit("/", 1)[-1].partition(":")[2]
            assert tag and tag != "latest", f"{overlay}/{d['metadata']['name']}: {image} untagged"


def check_services_and_pdbs(docs, overlay, repo):
    svcs, pdbs, deps = kinds(docs, "Service"), kinds(docs, "PodDisruptionBudget"), \
        kinds(docs, "Deployment")
    for name, port in SERVICES.items():
        s = svcs.get(name)
        assert s, f"{overlay}: no Service {name}"
        assert [p["port"] for p in s["spec"]["ports"]] == [port], f"{overlay}: Service {name}"
        labels = deps[name]["spec"]["template"]["metadata"]["labels"]
        assert all(labels.get(k) == v for k, v in s["spec"]["selector"].items()), name
        target = s["spec"]["ports"][0].get("targetPort", port)
        assert resolve_port(container(deps[name]), target) == port, f"{name}: targetPort"
        b = pdbs.get(name)
        assert b, f"{overlay}: no PodDisruptionBudget {name}"
        sel = b["spec"]["selector"]["matchLabels"]
        assert all(labels.get(k) == v for k, v in sel.items()), f"{name}: PDB selector"
        replicas = deps[name]["spec"].get("replicas", 1)
        if "minAvailable" in b["spec"]:
            assert b["spec"]["minAvailable"] < replicas, f"{name}: PDB blocks every drain"


def check_no_committed_secrets(docs, overlay, repo):
    secrets = [d["metadata"]["name"] for d in docs if d.get("kind") == "Secret"]
    assert not secrets, f"{overlay}: Secrets rendered from committed files: {secrets}"
    for cm in kinds(docs, "ConfigMap").values():
        for k, v in (cm.get("data") or {}).items():
            assert not re.search(r"PASSWORD|SECRET|TOKEN", k), f"{k} in a ConfigMap"
            assert not re.search(r"://[^/@\s]+@", str(v)), f"{k}: credentials in a ConfigMap"


def check_ingress(docs, overlay, repo):
    paths, closed = set(), set()
    for ing in kinds(docs, "Ingress").values():
        assert ing["spec"].get("ingressClassName") == "nginx", ing["metadata"]["name"]
        ann = ing["metadata"].get("annotations", {})
        for rule in ing["spec"]["rules"]:
            for p in rule["http"]["paths"]:
                b = p["backend"]["service"]
                if "nginx.ingress.kubernetes.io/whitelist-source-range" in ann:
                    assert ann["nginx.ingress.kubernetes.io/whitelist-source-range"] \
                        == "127.0.0.1/32", "closed paths must admit no client"
                    closed.add(p["path"])
                    continue
                paths.add((p["path"], b["name"], b["port"]["number"]))
                if b["name"] == "realtime":
                    for a in ("proxy-read-timeout", "proxy-send-timeout"):
                        v = int(ann.get(f"nginx.ingress.kubernetes.io/{a}", "60"))
                        assert v >= 3600, f"socket Ingress: {a} {v}"
                    assert ann.get("nginx.ingress.kubernetes.io/upstream-hash-by") == \
                        "$arg_sticky", "Socket.IO long-polling needs one replica per client"
                else:
                    assert "nginx.ingress.kubernetes.io/upstream-hash-by" not in ann
    assert paths == INGRESS_PATHS, f"{overlay}: ingress paths {sorted(paths ^ INGRESS_PATHS)}"
    if overlay == "eks":  # the public side over HTTPS, one host for every Ingress
        hosts = set()
        for name, ing in kinds(docs, "Ingress").items():
            ann = ing["metadata"].get("annotations", {})
            assert ann.get("nginx.ingress.kubernetes.io/force-ssl-redirect") == "true", name
            tls = ing["spec"].get("tls") or []
            assert tls and tls[0].get("secretName"), f"{name}: no TLS"
            for rule in ing["spec"]["rules"]:
                assert rule.get("host") in tls[0]["hosts"], f"{name}: a rule outside TLS"
                hosts.add(rule["host"])
        assert len(hosts) == 1, f"eks: ingress hosts {hosts}"
    assert closed == CLOSED_PATHS, f"{overlay}: closed paths {sorted(closed)}"


def check_hpas(docs, overlay, repo):
    hpas, deps = kinds(docs, "HorizontalPodAutoscaler"), kinds(docs, "Deployment")
    if overlay != "eks":
        assert not hpas, f"{overlay}: HPAs {sorted(hpas)}"
        return
    assert set(hpas) == set(HPA), f"HPAs {sorted(hpas)}, the spec's {sorted(HPA)}"
    for name, (lo, hi, target) in HPA.items():
        h = hpas[name]["spec"]
        ref = h["scaleTargetRef"]
        assert (ref["kind"], ref["name"]) == ("Deployment", name), f"{name}: target {ref}"
        got = [m["resource"]["target"]["averageUtilization"] for m in h["metrics"]
               if m["type"] == "Resource" and m["resource"]["name"] == "cpu"]
        assert (h["minReplicas"], h["maxReplicas"], got) == (lo, hi, [target]), \
            f"{name}: {h['minReplicas']}-{h['maxReplicas']} at {got}, spec {lo}-{hi} at {target}"
        assert len(h["metrics"]) == 1, f"{name}: metrics beyond the spec's CPU"
        # The HPA owns the count: a `replicas` in the manifest would reset it to that number
        # on every `kubectl apply` (30 execution pods back to 5 mid-load).
        assert "replicas" not in deps[name]["spec"], f"{name}: replicas set beside its HPA"

    def up_rate(name):
        up = hpas[name]["spec"].get("behavior", {}).get("scaleUp")
        if not up:
            return (0, DEFAULT_UP_PERCENT, DEFAULT_UP_PODS)
        rates = {p["type"]: p["value"] * 15 / p["periodSeconds"] for p in up["policies"]}
        return (-up.get("stabilizationWindowSeconds", 0), rates.get("Percent", 0),
                rates.get("Pods", 0))
    fastest = up_rate("battle")
    assert fastest[0] == 0, "battle: scale-up must not wait (stabilizationWindowSeconds 0)"
    for other in HPA:
        if other != "battle":
            o = up_rate(other)
            assert fastest[1] > o[1] and fastest[2] > o[2], f"battle not faster than {other}"
    down = hpas["realtime"]["spec"].get("behavior", {}).get("scaleDown", {})
    assert down.get("stabilizationWindowSeconds", DEFAULT_DOWN_WINDOW) > DEFAULT_DOWN_WINDOW, \
        "realtime: scale-down no slower than Kubernetes' default"
    for p in down.get("policies", []):
        per_minute = p["value"] * 60 / p["periodSeconds"]
        assert p["type"] == "Pods" and per_minute <= 1, f"realtime: scale-down policy {p}"
    assert down.get("policies"), "realtime: no scale-down policy"


def check_eks(docs, overlay, repo):
    if overlay != "eks":
        return
    cm = next(iter(kinds(docs, "ConfigMap").values()))
    assert cm["data"].get("CODEARENA_DATABASE__MAX_CONNECTIONS") == "50", "the spec's pool of 50"
    # Only RDS needs a CA bundle: ElastiCache and Amazon MQ chain to Amazon's public roots,
    # which the binary bundles (and redis.ca_file would *replace* them).
    ca_files = {"DATABASE": "database.pem"}
    for name, d in kinds(docs, "Deployment").items():
        spec, c = d["spec"]["template"]["spec"], container(d)
        keys = {t["topologyKey"] for t in spec.get("topologySpreadConstraints", [])}
        assert "topology.kubernetes.io/zone" in keys, f"{name}: not spread across zones"
        env = {e["name"]: e.get("value") for e in c.get("env", [])}
        mounts = {m["name"]: m["mountPath"] for m in c.get("volumeMounts", [])}
        vols = {v["name"]: v for v in spec.get("volumes", [])}
        for store in STORES_OF[name] & set(ca_files):
            path = env.get(f"CODEARENA_{store}__CA_FILE")
            assert path, f"{name}: no CA for {store}"
            assert path == f"{mounts.get('store-ca')}/{ca_files[store]}", f"{name}: CA path"
            assert vols["store-ca"]["configMap"]["name"] == "codearena-store-ca", name
        for store in {"DATABASE", "REDIS", "AMQP"} - (STORES_OF[name] & set(ca_files)):
            assert f"CODEARENA_{store}__CA_FILE" not in env, f"{name}: CA file for {store}"
    ex = kinds(docs, "Deployment")["execution"]["spec"]["template"]["spec"]
    assert ex.get("nodeSelector", {}).get("codearena.io/node-pool") == "sandbox", \
        "execution: not on its own node group"
    assert any(t.get("key") == "codearena.io/sandbox" for t in ex.get("tolerations", []))
    urls = env_example(repo, "eks")
    assert "sslmode=verify-full" in urls["CODEARENA_DATABASE__URL"], "PostgreSQL without TLS"
    assert urls["CODEARENA_REDIS__URL"].startswith("rediss://"), "Redis without TLS"
    assert urls["CODEARENA_AMQP__URL"].startswith("amqps://"), "AMQP without TLS"
    assert not [d for d in docs if d.get("kind") == "StatefulSet"], "stores are managed on EKS"


def check_minikube(docs, overlay, repo):
    if overlay != "minikube":
        return
    for name, d in kinds(docs, "Deployment").items():
        assert d["spec"].get("replicas") == 1, f"minikube: {name} replicas"
    stores = kinds(docs, "StatefulSet")
    want = {"postgres": "postgres:15", "redis": "redis:7", "rabbitmq": "rabbitmq:3"}
    assert set(stores) == set(want), f"minikube stores {sorted(stores)}"
    for name, prefix in want.items():
        image = stores[name]["spec"]["template"]["spec"]["containers"][0]["image"]
        assert image.startswith(prefix + "."), f"{name}: {image}, want {prefix}.x"
        assert stores[name]["spec"]["replicas"] == 1
    total_cpu = total_mem = 0.0
    for d in list(kinds(docs, "Deployment").values()) + list(stores.values()):
        for c in d["spec"]["template"]["spec"]["containers"]:
            r = c["resources"]["requests"]
            total_cpu += cpu(r["cpu"]) * d["spec"].get("replicas", 1)
            total_mem += memory(r["memory"]) * d["spec"].get("replicas", 1)
    print(f"  minikube requests: {total_cpu:.2f} CPU, {total_mem / 1024**3:.2f} GiB "
          f"(budget {MINIKUBE_BUDGET_CPU} CPU, {MINIKUBE_BUDGET_MEMORY / 1024**3:.0f} GiB)")
    assert total_cpu <= MINIKUBE_BUDGET_CPU, f"minikube: {total_cpu} CPU requested"
    assert total_mem <= MINIKUBE_BUDGET_MEMORY, f"minikube: {total_mem / 1024**3:.2f} GiB"
    urls = env_example(repo, "minikube")
    assert urls["CODEARENA_AMQP__URL"].startswith("amqp://"), "minikube AMQP URL"


def check_namespace(docs, overlay, repo):
    ns = kinds(docs, "Namespace")
    assert set(ns) == {"codearena"}, f"{overlay}: namespaces {sorted(ns)}"
    labels = ns["codearena"]["metadata"]["labels"]
    # The execution pods are privileged: the namespace must admit them, and say so.
    assert labels.get("pod-security.kubernetes.io/enforce") == "privileged"
    others = {d["metadata"].get("namespace") for d in docs if d.get("kind") != "Namespace"}
    assert others == {"codearena"}, f"{overlay}: objects outside codearena: {others}"


CHECKS = [check_namespace, check_deployments, check_images, check_services_and_pdbs,
          check_no_committed_secrets, check_ingress, check_hpas, check_eks, check_minikube]
