#!/usr/bin/env python3
"""Writes the CodeArena Grafana dashboards (grafana/dashboards/*.json): one overview and
one per service. The JSON files are what Grafana loads; this script is their source, and
scripts/check-observability fails when they differ from what it writes.

    python3 deploy/observability/grafana/dashboards.py          # rewrite the JSON
    python3 deploy/observability/grafana/dashboards.py --check  # exit 1 if out of date
"""

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "dashboards"
PROM = {"type": "prometheus", "uid": "prometheus"}
LOKI = {"type": "loki", "uid": "loki"}
PROBES = 'route!~"/metrics|/healthz|/readyz"'


def panel(title, targets, unit="short", kind="timeseries", width=12, height=8, datasource=PROM):
    return {
        "type": kind,
        "title": title,
        "datasource": datasource,
        "gridPos": {"w": width, "h": height},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {},
        "targets": [
            {"refId": chr(ord("A") + i), "datasource": datasource, "expr": expr, "legendFormat": legend}
            for i, (expr, legend) in enumerate(targets)
        ],
    }


def stat(title, expr, unit="short", width=6):
    return panel(title, [(expr, "")], unit=unit, kind="stat", width=width, height=4)


def logs(service):
    return panel(
        f"{service} errors and warnings",
        [(f'{{namespace="codearena", app="{service}", level=~"ERROR|WARN"}}', "")],
        kind="logs",
        width=24,
        height=8,
        datasource=LOKI,
    )


def http_panels(service):
    sel = f'job="codearena", service="{service}", {PROBES}'
    return [
        panel(
            "Requests by route",
            [(f"sum by (route) (rate(http_request_duration_seconds_count{{{sel}}}[$__rate_interval]))", "{{route}}")],
            unit="reqps",
        ),
        panel(
            "5xx ratio by route",
            [
                (
                    f'sum by (route) (rate(http_request_duration_seconds_count{{{sel}, status=~"5.."}}[$__rate_interval]))'
                    f" / sum by (route) (rate(http_request_duration_seconds_count{{{sel}}}[$__rate_interval]))",
                    "{{route}}",
                )
            ],
            unit="percentunit",
        ),
        panel(
            "Duration p50 / p99 by route",
            [
                (
                    f"histogram_quantile({q}, sum by (route, le) (rate(http_request_duration_seconds_bucket{{{sel}}}[$__rate_interval])))",
                    f"p{int(q * 100)} {{{{route}}}}",
                )
                for q in (0.5, 0.99)
            ],
            unit="s",
        ),
        panel(
            "Responses by status",
            [(f"sum by (status) (rate(http_request_duration_seconds_count{{{sel}}}[$__rate_interval]))", "{{status}}")],
            unit="reqps",
        ),
        panel(
            "Replicas up; memory per replica",
            [
                (f'sum(up{{job="codearena", service="{service}"}})', "replicas up"),
                (f'process_resident_memory_bytes{{job="codearena", service="{service}"}} / 1e6', "MB {{instance}}"),
            ],
        ),
        panel(
            "Requests in flight",
            [(f'sum by (instance) (http_requests_in_flight{{job="codearena", service="{service}"}})', "{{instance}}")],
        ),
    ]


def dashboard(uid, title, panels, tags):
    x = y = 0
    row_height = 0
    laid = []
    for i, p in enumerate(panels, start=1):
        w, h = p["gridPos"]["w"], p["gridPos"]["h"]
        if x + w > 24:
            x, y, row_height = 0, y + row_height, 0
        p = dict(p, id=i, gridPos={"x": x, "y": y, "w": w, "h": h})
        laid.append(p)
        x += w
        row_height = max(row_height, h)
    return {
        "uid": uid,
        "title": title,
        "tags": ["codearena", *tags],
        "schemaVersion": 39,
        "version": 1,
        "editable": False,
        "timezone": "utc",
        "refresh": "30s",
        "time": {"from": "now-3h", "to": "now"},
        "templating": {"list": []},
        "annotations": {"list": []},
        "panels": laid,
    }


def overview():
    all_ = f'job="codearena", {PROBES}'
    return dashboard(
        "codearena-overview",
        "CodeArena: overview",
        [
            stat("Targets up", 'sum(up{job="codearena"})'),
            stat("Targets down", 'count(up{job="codearena"} == 0) or vector(0)'),
            stat("Firing alerts", 'count(ALERTS{alertstate="firing"}) or vector(0)'),
            # battle_battles and battle_queue_size count the shared database: every battle
            # replica reports the same number, so max, not sum.
            stat("Active battles", 'max(battle_battles{state="active"})'),
            panel("Targets up by service", [('sum by (service) (up{job="codearena"})', "{{service}}")]),
            panel(
                "Requests by service",
                [(f"sum by (service) (rate(http_request_duration_seconds_count{{{all_}}}[$__rate_interval]))", "{{service}}")],
                unit="reqps",
            ),
            panel(
                "5xx ratio by service",
                [
                    (
                        f'sum by (service) (rate(http_request_duration_seconds_count{{{all_}, status=~"5.."}}[$__rate_interval]))'
                        f" / sum by (service) (rate(http_request_duration_seconds_count{{{all_}}}[$__rate_interval]))",
                        "{{service}}",
                    )
                ],
                unit="percentunit",
            ),
            panel(
                "p99 duration by service",
                [
                    (
                        f"histogram_quantile(0.99, sum by (service, le) (rate(http_request_duration_seconds_bucket{{{all_}}}[$__rate_interval])))",
                        "{{service}}",
                    )
                ],
                unit="s",
            ),
            panel(
                "Judge queue and workers",
                [
                    ("max(execution_queue_depth)", "waiting"),
                    ("sum(execution_busy_slots)", "busy slots"),
                    ("sum(execution_slots)", "slots"),
                    ("max(execution_dead_letters)", "dead-lettered"),
                ],
            ),
            panel(
                "Lag",
                [
                    ("max(rating_consumer_lag)", "rating consumer (battles)"),
                    ("histogram_quantile(0.99, sum by (le) (rate(realtime_delivery_lag_seconds_bucket[$__rate_interval])))", "socket delivery p99 (s)"),
                ],
            ),
            panel("Sockets", [("sum(realtime_sockets)", "sockets"), ("sum(realtime_rooms)", "rooms")]),
            panel("Battles by state", [("max by (state) (battle_battles)", "{{state}}")]),
        ],
        ["overview"],
    )


def execution():
    return dashboard(
        "codearena-execution",
        "CodeArena: execution",
        [
            stat("Waiting jobs", "max(execution_queue_depth)"),
            stat("Busy slots", "sum(execution_busy_slots)"),
            stat("Dead-lettered jobs", "max(execution_dead_letters)"),
            stat("Lost slots", "sum(execution_lost_slots)"),
            panel(
                "Queue depth and dead letters",
                [("max(execution_queue_depth)", "waiting"), ("max(execution_dead_letters)", "dead-lettered")],
            ),
            panel(
                "Workers: busy and total slots by replica",
                [("execution_busy_slots", "busy {{instance}}"), ("execution_slots", "slots {{instance}}")],
            ),
            panel(
                "Queue wait p50 / p99 by kind",
                [
                    (
                        f"histogram_quantile({q}, sum by (kind, le) (rate(execution_queue_wait_seconds_bucket[$__rate_interval])))",
                        f"p{int(q * 100)} {{{{kind}}}}",
                    )
                    for q in (0.5, 0.99)
                ],
                unit="s",
            ),
            panel(
                "Run duration p99 by language",
                [
                    (
                        "histogram_quantile(0.99, sum by (language, le) (rate(execution_run_duration_seconds_bucket[$__rate_interval])))",
                        "{{language}}",
                    )
                ],
                unit="s",
            ),
            panel(
                "Verdicts",
                [("sum by (verdict) (rate(execution_jobs_total[$__rate_interval]))", "{{verdict}}")],
                unit="ops",
            ),
            panel(
                "Jobs submitted and finished by kind",
                [
                    ("sum by (kind) (rate(execution_jobs_submitted_total[$__rate_interval]))", "submitted {{kind}}"),
                    ("sum by (kind) (rate(execution_jobs_total[$__rate_interval]))", "finished {{kind}}"),
                ],
                unit="ops",
            ),
            *http_panels("execution"),
            logs("execution"),
        ],
        ["execution"],
    )


def battle():
    return dashboard(
        "codearena-battle",
        "CodeArena: battle",
        [
            stat("Active battles", 'max(battle_battles{state="active"})'),
            stat("Players queued", "max(battle_queue_size)"),
            stat("Outbox pending", "max(battle_outbox_pending)"),
            stat("Matches (1h)", "sum(increase(battle_matches_total[1h]))"),
            panel("Battles by state", [("max by (state) (battle_battles)", "{{state}}")]),
            panel(
                "Matchmaking queue and matches by mode",
                [
                    ("max by (mode) (battle_queue_size)", "queued {{mode}}"),
                    ("sum by (mode) (rate(battle_matches_total[$__rate_interval])) * 60", "matches/min {{mode}}"),
                ],
            ),
            panel(
                "Queue wait p50 / p99 by mode",
                [
                    (
                        f"histogram_quantile({q}, sum by (mode, le) (rate(battle_queue_wait_seconds_bucket[$__rate_interval])))",
                        f"p{int(q * 100)} {{{{mode}}}}",
                    )
                    for q in (0.5, 0.99)
                ],
                unit="s",
            ),
            panel(
                "Verdicts of battle submissions",
                [("sum by (verdict) (rate(battle_judged_total[$__rate_interval]))", "{{verdict}}")],
                unit="ops",
            ),
            panel(
                "Events by type",
                [('sum by (type) (rate(battle_events_total[$__rate_interval]))', "{{type}}")],
                unit="ops",
            ),
            panel(
                "Outbox: pending and publication delay p99",
                [
                    ("max(battle_outbox_pending)", "pending"),
                    ("histogram_quantile(0.99, sum by (le) (rate(battle_outbox_delay_seconds_bucket[$__rate_interval])))", "delay p99 (s)"),
                ],
            ),
            *http_panels("battle"),
            logs("battle"),
        ],
        ["battle"],
    )


def rating():
    return dashboard(
        "codearena-rating",
        "CodeArena: rating",
        [
            stat("Consumer lag (battles)", "max(rating_consumer_lag)"),
            stat("Applied (1h)", "sum(increase(rating_battles_applied_total[1h]))"),
            stat("Given up (24h)", "sum(increase(rating_battles_failed_total[24h])) + sum(increase(rating_battles_rejected_total[24h]))"),
            stat("Outbox pending", "max(rating_outbox_pending)"),
            panel(
                "Battles applied, duplicate, rejected, failed",
                [
                    ("sum(rate(rating_battles_applied_total[$__rate_interval]))", "applied"),
                    ("sum(rate(rating_battles_duplicate_total[$__rate_interval]))", "duplicate"),
                    ("sum(rate(rating_battles_rejected_total[$__rate_interval]))", "rejected"),
                    ("sum(rate(rating_battles_failed_total[$__rate_interval]))", "failed"),
                ],
                unit="ops",
            ),
            panel("Consumer lag", [("max(rating_consumer_lag)", "battles behind")]),
            panel(
                "Outbox: pending and publication delay p99",
                [
                    ("max(rating_outbox_pending)", "pending"),
                    ("histogram_quantile(0.99, sum by (le) (rate(rating_outbox_delay_seconds_bucket[$__rate_interval])))", "delay p99 (s)"),
                ],
            ),
            panel(
                "Leaderboard rebuilds",
                [("sum(increase(rating_leaderboard_rebuilds_total[$__rate_interval]))", "rebuilds")],
            ),
            *http_panels("rating"),
            logs("rating"),
        ],
        ["rating"],
    )


def realtime():
    return dashboard(
        "codearena-realtime",
        "CodeArena: realtime",
        [
            stat("Sockets", "sum(realtime_sockets)"),
            stat("Rooms", "sum(realtime_rooms)"),
            stat(
                "Delivery lag p99",
                "histogram_quantile(0.99, sum by (le) (rate(realtime_delivery_lag_seconds_bucket[5m])))",
                unit="s",
            ),
            stat("Slow sockets dropped (1h)", "sum(increase(realtime_slow_sockets_dropped_total[1h]))"),
            panel("Sockets by replica", [("realtime_sockets", "{{instance}}")]),
            panel("Rooms by replica", [("realtime_rooms", "{{instance}}")]),
            panel(
                "Delivery lag p50 / p99",
                [
                    (
                        f"histogram_quantile({q}, sum by (le) (rate(realtime_delivery_lag_seconds_bucket[$__rate_interval])))",
                        f"p{int(q * 100)}",
                    )
                    for q in (0.5, 0.99)
                ],
                unit="s",
            ),
            panel(
                "Events emitted; connections refused by reason",
                [
                    ("sum(rate(realtime_events_emitted_total[$__rate_interval]))", "emitted"),
                    ("sum by (code) (rate(realtime_connections_refused_total[$__rate_interval]))", "refused {{code}}"),
                    ("sum(rate(realtime_slow_sockets_dropped_total[$__rate_interval]))", "slow dropped"),
                ],
                unit="ops",
            ),
            # No HTTP panels: realtime's one route, /socket.io/, is not in the request
            # histogram (a socket is not a request); its sockets and lag are above.
            logs("realtime"),
        ],
        ["realtime"],
    )


def auth():
    login = 'job="codearena", service="auth", route="/api/auth/login"'
    register = 'job="codearena", service="auth", route="/api/auth/register"'
    return dashboard(
        "codearena-auth",
        "CodeArena: auth",
        [
            panel(
                "Logins by outcome (status)",
                [(f"sum by (status) (rate(http_request_duration_seconds_count{{{login}}}[$__rate_interval]))", "{{status}}")],
                unit="reqps",
            ),
            panel(
                "Registrations by outcome (status)",
                [(f"sum by (status) (rate(http_request_duration_seconds_count{{{register}}}[$__rate_interval]))", "{{status}}")],
                unit="reqps",
            ),
            *http_panels("auth"),
            logs("auth"),
        ],
        ["auth"],
    )


DASHBOARDS = {
    "overview.json": overview,
    "auth.json": auth,
    "battle.json": battle,
    "execution.json": execution,
    "rating.json": rating,
    "realtime.json": realtime,
}


def main():
    check = "--check" in sys.argv[1:]
    stale = []
    for name, make in DASHBOARDS.items():
        text = json.dumps(make(), indent=2) + "\n"
        path = OUT / name
        if check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path))
        else:
            path.write_text(text)
    if stale:
        print("dashboards out of date (run deploy/observability/grafana/dashboards.py):", *stale, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
