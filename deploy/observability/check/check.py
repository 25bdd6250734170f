#!/usr/bin/env python3
"""The checks of scripts/check-observability that need more than a shell:

  check.py dashboards                  the dashboards are valid Grafana JSON, as provisioned
  check.py used                        the metric names the rules and dashboards use
  check.py compare URL…                every name used is exported by the /metrics at URL…
  check.py k8s-config DIR SD_FILE      prometheus.yml for a local Prometheus: its pod
                                       discovery replaced by SD_FILE (see `pods`)
  check.py pods SD_FILE NAME=PORT…     SD_FILE: the local processes as the pod discovery
                                       would describe them (plus pods it must drop)
  check.py targets URL EXPECTED DEADLINE
                                       poll Prometheus at URL until its targets are the
                                       EXPECTED ones (JSON) and all up, and its rules loaded
  check.py logs PROMTAIL_YML LOG…      the fields Promtail's json stage extracts are in the
                                       services' log lines
"""

import json
import re
import sys
import time
import urllib.request
from pathlib import Path

import yaml

from promql import PromQLError, exported_names, metric_names, unknown_names

ROOT = Path(__file__).resolve().parent.parent / "k8s"
RULES = ROOT / "prometheus" / "rules"
DASHBOARDS = ROOT / "grafana" / "dashboards"
DATASOURCES = ROOT / "grafana" / "provisioning" / "datasources" / "datasources.yml"


class CheckFailed(Exception):
    pass


def rule_expressions():
    for path in sorted(RULES.glob("*.yml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                yield f"{path.name}: {rule.get('alert') or rule.get('record')}", rule["expr"]


def dashboard_expressions():
    for path in sorted(DASHBOARDS.glob("*.json")):
        board = json.loads(path.read_text())
        for panel in board["panels"]:
            for target in panel.get("targets", []):
                ds = target.get("datasource") or panel.get("datasource") or {}
                if ds.get("type") == "prometheus":
                    yield f"{path.name}: {panel['title']}", target["expr"]


def used_names():
    """name → where it is used."""
    used = {}
    for where, expr in [*rule_expressions(), *dashboard_expressions()]:
        try:
            names = metric_names(expr)
        except PromQLError as e:
            raise CheckFailed(f"{where}: {e}") from e
        if not names:
            raise CheckFailed(f"{where}: no metric name found in {expr!r}")
        for name in names:
            used.setdefault(name, []).append(where)
    return used


def check_dashboards():
    datasources = yaml.safe_load(DATASOURCES.read_text())["datasources"]
    uids = {d["uid"]: d["type"] for d in datasources}
    seen = set()
    problems = []
    files = sorted(DASHBOARDS.glob("*.json"))
    if not files:
        problems.append(f"no dashboard in {DASHBOARDS}")
    for path in files:
        board = json.loads(path.read_text())
        for key in ("uid", "title", "schemaVersion", "panels"):
            if key not in board:
                problems.append(f"{path.name}: no {key}")
        if board.get("uid") in seen:
            problems.append(f"{path.name}: uid {board.get('uid')} used twice")
        seen.add(board.get("uid"))
        if not isinstance(board.get("schemaVersion"), int) or board["schemaVersion"] < 30:
            problems.append(f"{path.name}: schemaVersion {board.get('schemaVersion')!r}")
        ids = [p.get("id") for p in board.get("panels", [])]
        if len(set(ids)) != len(ids):
            problems.append(f"{path.name}: panel ids repeat")
        for panel in board.get("panels", []):
            name = f"{path.name}: {panel.get('title')!r}"
            ds = panel.get("datasource") or {}
            if uids.get(ds.get("uid")) != ds.get("type"):
                problems.append(f"{name}: datasource {ds} is not a provisioned one")
            if not panel.get("targets"):
                problems.append(f"{name}: no targets")
            grid = panel.get("gridPos", {})
            if not all(isinstance(grid.get(k), int) for k in "xywh") or grid["x"] + grid["w"] > 24:
                problems.append(f"{name}: gridPos {grid}")
            for target in panel.get("targets", []):
                if not target.get("expr") or not target.get("refId"):
                    problems.append(f"{name}: a target without expr or refId")
    if problems:
        raise CheckFailed("dashboards:\n  " + "\n  ".join(problems))
    print(f"dashboards: {len(files)} valid, datasources {sorted(uids)}")


def fetch(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode()


QUANTILE_ALERT = re.compile(r"histogram_quantile\(.*?([A-Za-z_:][A-Za-z0-9_:]*)_bucket\b.*\)\s*>\s*([0-9.]+)\s*$", re.S)
BUCKET = re.compile(r'^([A-Za-z_:][A-Za-z0-9_:]*)_bucket\{.*\ble="([^"]+)"')


def largest_buckets(exposition):
    """histogram name → its largest finite bucket bound."""
    largest = {}
    for line in exposition.splitlines():
        m = BUCKET.match(line)
        if m and m.group(2) != "+Inf":
            largest[m.group(1)] = max(largest.get(m.group(1), 0.0), float(m.group(2)))
    return largest


def check_quantile_thresholds(largest):
    """An alert `histogram_quantile(…) > X` can fire only if the histogram has a finite
    bucket above X: past its largest one, the quantile is that bound."""
    problems = []
    for where, expr in rule_expressions():
        m = QUANTILE_ALERT.search(expr)
        if not m:
            continue
        name, threshold = m.group(1), float(m.group(2))
        if name not in largest:
            problems.append(f"{where}: no exported buckets of {name}")
        elif largest[name] <= threshold:
            problems.append(f"{where}: fires above {threshold} s but {name}'s largest bucket is {largest[name]}")
    if problems:
        raise CheckFailed("quantile alerts that cannot fire:\n  " + "\n  ".join(problems))
    print("quantile alerts: every threshold is below its histogram's largest bucket")


def compare(urls):
    exported = {}
    largest = {}
    for url in urls:
        text = fetch(url)
        names = exported_names(text)
        if not names:
            raise CheckFailed(f"{url} exports no metric")
        exported.update(names)
        largest.update(largest_buckets(text))
    check_quantile_thresholds(largest)
    used = used_names()
    missing = unknown_names(set(used), exported)
    if missing:
        lines = [f"{name} (used in {', '.join(sorted(set(used[name])))})" for name in sorted(missing)]
        raise CheckFailed(
            "metric names used in rules or dashboards that no service exports:\n  " + "\n  ".join(lines)
        )
    print(f"metric names: all {len(used)} used in rules and dashboards are exported by {len(urls)} processes")


def k8s_config(out_dir, sd_file):
    """prometheus.yml with each kubernetes_sd_configs replaced by a file_sd_configs of the
    same targets (Debian's Prometheus is built without Kubernetes discovery); everything
    else — the relabelling above all — as it is."""
    config = yaml.safe_load((ROOT / "prometheus" / "prometheus.yml").read_text())
    replaced = 0
    for job in config["scrape_configs"]:
        sd = job.pop("kubernetes_sd_configs", None)
        if sd is None:
            continue
        if sd != [{"role": "pod", "namespaces": {"names": ["codearena"]}}]:
            raise CheckFailed(f"job {job['job_name']}: pod discovery in namespace codearena expected, found {sd}")
        job["file_sd_configs"] = [{"files": [str(Path(sd_file).resolve())]}]
        replaced += 1
    if replaced != 1:
        raise CheckFailed(f"prometheus.yml: one Kubernetes-discovered job expected, found {replaced}")
    config["rule_files"] = [str(RULES / "*.yml")]
    config.pop("alerting", None)
    # The self-scrape is the Kubernetes pod's own port.
    config["scrape_configs"] = [j for j in config["scrape_configs"] if j["job_name"] != "prometheus"]
    out = Path(out_dir) / "prometheus-k8s.yml"
    out.write_text(yaml.safe_dump(config, sort_keys=False))
    print(out)


def pods(sd_file, specs):
    """What Kubernetes pod discovery gives for the processes NAME=PORT: the pod's
    annotations and labels, with an address whose port is not the one to scrape (port 7,
    where nothing listens: only the prometheus.io/port annotation leads to the process).
    Plus a pod without the scrape annotation, one without a port and an evicted one (phase
    Failed, annotated like the others): all three to be dropped."""
    groups = []
    for i, spec in enumerate(specs):
        name, port = spec.split("=")
        pod = f"{name}-{i}"
        meta = {
            "__meta_kubernetes_namespace": "codearena",
            "__meta_kubernetes_pod_name": pod,
            "__meta_kubernetes_pod_label_app_kubernetes_io_name": name,
            "__meta_kubernetes_pod_label_app_kubernetes_io_part_of": "codearena",
            "__meta_kubernetes_pod_annotation_prometheus_io_scrape": "true",
            "__meta_kubernetes_pod_annotation_prometheus_io_port": port,
            "__meta_kubernetes_pod_annotation_prometheus_io_path": "/metrics",
            "__meta_kubernetes_pod_phase": "Running",
        }
        groups.append({"targets": ["127.0.0.1:7"], "labels": meta})
        if i == 0:  # the same process, as an evicted pod of the same service
            evicted = dict(meta, __meta_kubernetes_pod_name=f"{name}-evicted",
                           __meta_kubernetes_pod_phase="Failed")
            groups.append({"targets": ["127.0.0.1:7"], "labels": evicted})
    groups.append({
        "targets": ["127.0.0.1:1"],
        "labels": {"__meta_kubernetes_namespace": "codearena", "__meta_kubernetes_pod_name": "postgres-0",
                   "__meta_kubernetes_pod_label_app_kubernetes_io_name": "postgres"},
    })
    groups.append({
        "targets": ["127.0.0.1:2"],
        "labels": {"__meta_kubernetes_namespace": "codearena", "__meta_kubernetes_pod_name": "noport-0",
                   "__meta_kubernetes_pod_label_app_kubernetes_io_name": "noport",
                   "__meta_kubernetes_pod_annotation_prometheus_io_scrape": "true"},
    })
    Path(sd_file).write_text(json.dumps(groups, indent=1))


def targets(url, expected_file, deadline_seconds):
    """EXPECTED: [{"instance": …, "service": …}, …] — exactly the active targets."""
    expected = sorted((t["service"], t["instance"]) for t in json.loads(Path(expected_file).read_text()))
    deadline = time.monotonic() + float(deadline_seconds)
    last = "no answer"
    while True:
        try:
            active = json.loads(fetch(f"{url}/api/v1/targets?state=active"))["data"]["activeTargets"]
            found = sorted((t["labels"].get("service", ""), t["labels"].get("instance", "")) for t in active)
            down = [f"{t['labels'].get('instance')}: {t['health']} {t.get('lastError', '')}"
                    for t in active if t["health"] != "up"]
            if found != expected:
                last = f"targets {found}, expected {expected}"
            elif down:
                last = "not up: " + "; ".join(down)
            else:
                break
        except OSError as e:
            last = str(e)
        if time.monotonic() > deadline:
            raise CheckFailed(f"Prometheus at {url}: {last}")
        time.sleep(0.5)
    groups = json.loads(fetch(f"{url}/api/v1/rules"))["data"]["groups"]
    rules = [r for g in groups for r in g["rules"]]
    bad = [f"{r['name']}: {r.get('lastError')}" for r in rules if r.get("health") not in ("ok", "unknown")]
    if not rules or bad:
        raise CheckFailed(f"Prometheus at {url}: rules not loaded or failing: {bad or 'none loaded'}")
    while any(r.get("health") == "unknown" for r in rules) and time.monotonic() < deadline:
        time.sleep(0.5)
        rules = [r for g in json.loads(fetch(f"{url}/api/v1/rules"))["data"]["groups"] for r in g["rules"]]
    bad = [f"{r['name']}: {r.get('health')} {r.get('lastError')}" for r in rules if r.get("health") != "ok"]
    if bad:
        raise CheckFailed(f"Prometheus at {url}: rules not evaluating: {bad}")
    print(f"prometheus {url}: {len(expected)} targets up {sorted({s for s, _ in expected})}, {len(rules)} rules evaluating")


# Fields logged only while something happens that a check of idle services does not make.
ONLY_WHEN_BUSY = {"span.job_id": "logged while a job is judged"}


def logs(promtail_file, log_files):
    config = yaml.safe_load(Path(promtail_file).read_text())
    stages = [s for job in config["scrape_configs"] for s in job.get("pipeline_stages", [])]
    expressions = next((s["json"]["expressions"] for s in stages if "json" in s), None)
    if not expressions:
        raise CheckFailed(f"{promtail_file}: no json stage")
    lines = []
    for path in log_files:
        for line in Path(path).read_text().splitlines():
            try:
                lines.append(json.loads(line))
            except ValueError as e:
                raise CheckFailed(f"{path}: a log line that is not JSON: {line[:120]!r}") from e
    if not lines:
        raise CheckFailed("no log line to look at")

    def lookup(record, dotted):
        for key in dotted.split("."):
            if not isinstance(record, dict) or key not in record:
                return None
            record = record[key]
        return record

    problems = []
    for field, source in expressions.items():
        seen = [v for v in (lookup(r, source or field) for r in lines) if v is not None]
        if not seen and (source or field) not in ONLY_WHEN_BUSY:
            problems.append(f"{field} ({source}) is in no log line")
    levels = {lookup(r, expressions.get("level") or "level") for r in lines}
    if not levels <= {"TRACE", "DEBUG", "INFO", "WARN", "ERROR"}:
        problems.append(f"unexpected levels {levels}")
    if problems:
        raise CheckFailed("Promtail's json stage against the services' logs:\n  " + "\n  ".join(problems))
    print(f"logs: {len(lines)} JSON lines carry {sorted(expressions)} (levels {sorted(levels)})")


def main(argv):
    command, args = argv[0], argv[1:]
    if command == "dashboards":
        check_dashboards()
    elif command == "used":
        print(json.dumps(used_names(), indent=1, sort_keys=True))
    elif command == "compare":
        compare(args)
    elif command == "k8s-config":
        k8s_config(*args)
    elif command == "pods":
        pods(args[0], args[1:])
    elif command == "targets":
        targets(*args)
    elif command == "logs":
        logs(args[0], args[1:])
    else:
        raise CheckFailed(f"unknown command {command}")


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except CheckFailed as e:
        print(f"check-observability: {e}", file=sys.stderr)
        sys.exit(1)
