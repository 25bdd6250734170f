"""Tests of the NetworkPolicy evaluator itself, so that the flow check cannot pass by
evaluating nothing: each rule of netpol.py on a small hand-made case, and changes to the
rendered minikube policies (one flow too many, one too few) that the comparison must catch.

Each test takes the rendered minikube documents and raises AssertionError on failure."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

import netpol

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def policy(name, selector, types, ingress=None, egress=None, namespace="codearena"):
    spec = {"podSelector": selector, "policyTypes": types}
    if ingress is not None:
        spec["ingress"] = ingress
    if egress is not None:
        spec["egress"] = egress
    return {"kind": "NetworkPolicy", "metadata": {"name": name, "namespace": namespace},
            "spec": spec}


def pod(name, port, namespace="codearena", port_name=None):
    p = {"containerPort": port}
    if port_name:
        p["name"] = port_name
    return {"kind": "Deployment", "metadata": {"name": name, "namespace": namespace},
            "spec": {"template": {"metadata": {"labels": {"app.kubernetes.io/name": name}},
                                  "spec": {"containers": [{"name": name, "ports": [p]}]}}}}


def by_name(name):
    return {"matchLabels": {"app.kubernetes.io/name": name}}


DENY = policy("deny", {}, ["Ingress", "Egress"])


def flows_between(docs, src, dst):
    return {f for f in netpol.allowed_flows(docs, "minikube") if f[0] == src and f[1] == dst}


def test_default_deny_denies_everything_but_outside_to_outside(_):
    docs = [pod("a", 80), pod("b", 80), DENY]
    flows = netpol.allowed_flows(docs, "minikube")
    assert not flows, f"deny-all allowed {sorted(flows)[:5]}"


def test_no_policy_allows_everything(_):
    docs = [pod("a", 80), pod("b", 81),
            # a policy of another namespace, so that `codearena` has none
            policy("x", {}, ["Ingress"], namespace="elsewhere")]
    assert ("a", "b", "81/TCP") in netpol.allowed_flows(docs, "minikube")


def test_both_ends_are_needed(_):
    egress_only = [pod("a", 80), pod("b", 81), DENY,
                   policy("a-out", by_name("a"), ["Egress"],
                          egress=[{"to": [{"podSelector": by_name("b")}]}])]
    assert not flows_between(egress_only, "a", "b"), "egress alone opened a -> b"
    both = egress_only + [policy("b-in", by_name("b"), ["Ingress"],
                                 ingress=[{"from": [{"podSelector": by_name("a")}],
                                           "ports": [{"port": 81}]}])]
    assert flows_between(both, "a", "b") == {("a", "b", "81/TCP")}, flows_between(both, "a", "b")


def test_namespace_and_pod_selector_in_one_peer_mean_both(_):
    same_element = {"namespaceSelector": {"matchLabels": {
        "kubernetes.io/metadata.name": "codearena-observability"}},
        "podSelector": by_name("prometheus")}
    docs = [pod("a", 80), DENY,
            policy("a-in", by_name("a"), ["Ingress"], ingress=[{"from": [same_element]}])]
    flows = netpol.allowed_flows(docs, "minikube")
    assert ("prometheus", "a", "80/TCP") in flows
    assert ("grafana", "a", "80/TCP") not in flows, "pod selector ignored"
    two_elements = [{"namespaceSelector": same_element["namespaceSelector"]},
                    {"podSelector": by_name("prometheus")}]
    docs[-1] = policy("a-in", by_name("a"), ["Ingress"], ingress=[{"from": two_elements}])
    flows = netpol.allowed_flows(docs, "minikube")
    # Either element: the whole observability namespace is in.
    assert ("grafana", "a", "80/TCP") in flows, "separate peers must be ORed"
    # A bare podSelector means the policy's own namespace: not prometheus' pod elsewhere
    # through that element (it came in through the namespace one above).
    docs[-1] = policy("a-in", by_name("a"), ["Ingress"],
                      ingress=[{"from": [{"podSelector": by_name("prometheus")}]}])
    assert ("prometheus", "a", "80/TCP") not in netpol.allowed_flows(docs, "minikube")


def test_ports_protocols_ranges_and_names(_):
    docs = [pod("a", 80), pod("b", 8443, port_name="https"), DENY,
            policy("a-out", by_name("a"), ["Egress"], egress=[{"ports": [
                {"port": 53, "protocol": "UDP"}, {"port": 8000, "endPort": 9000},
                {"port": "https"}]}]),
            policy("b-in", by_name("b"), ["Ingress"], ingress=[{}])]
    flows = flows_between(docs, "a", "b")
    assert ("a", "b", "8443/TCP") in flows, flows
    assert ("a", "b", "53/UDP") in flows, flows
    assert ("a", "b", "53/TCP") not in flows, "protocol ignored"
    assert ("a", "b", "80/TCP") not in flows, "port outside the range allowed"
    docs[3] = policy("a-out", by_name("a"), ["Egress"], egress=[{"ports": [{"port": "http"}]}])
    assert not flows_between(docs, "a", "b"), "a port name b does not have matched"


def test_ip_blocks_and_their_exceptions(_):
    docs = [pod("a", 80), DENY,
            policy("a-out", by_name("a"), ["Egress"], egress=[{"to": [{"ipBlock": {
                "cidr": "0.0.0.0/0", "except": ["169.254.0.0/16"]}}]}])]
    flows = netpol.allowed_flows(docs, "minikube")
    assert ("a", "internet", "443/TCP") in flows
    assert not any(f[1] == "cloud-metadata" for f in flows), "except ignored"
    # 0.0.0.0/0 holds the pods' addresses too: egress to every pod's port.
    assert ("a", "kube-dns", "53/UDP") in flows, "ipBlock must match pod addresses"


def test_policy_types_default(_):
    # No policyTypes and no egress rules: an Ingress policy only, egress stays open.
    p = policy("a-in", by_name("a"), ["Ingress"], ingress=[])
    del p["spec"]["policyTypes"]
    docs = [pod("a", 80), pod("b", 81), p]
    flows = netpol.allowed_flows(docs, "minikube")
    assert ("a", "b", "81/TCP") in flows, "egress was restricted"
    assert ("b", "a", "80/TCP") not in flows, "ingress was not restricted"


def test_match_expressions(_):
    docs = [pod("a", 80), pod("b", 81), pod("c", 82), DENY,
            policy("out", {"matchExpressions": [{"key": "app.kubernetes.io/name",
                                                 "operator": "NotIn", "values": ["a"]}]},
                   ["Egress"], egress=[{}]),
            policy("in", {}, ["Ingress"], ingress=[{}])]
    flows = netpol.allowed_flows(docs, "minikube")
    assert ("b", "c", "82/TCP") in flows and ("c", "b", "81/TCP") in flows
    assert not any(f[0] == "a" for f in flows), "NotIn matched the excluded pod"


def test_an_extra_flow_in_the_rendered_policies_is_caught(docs):
    with open(FIXTURES / "extra-flow.yaml") as f:
        added = [d for d in yaml.safe_load_all(f) if d]
    extra, missing = netpol.compare(copy.deepcopy(docs) + added, "minikube")
    assert extra == {("web", "postgres", "5432/TCP")}, (extra, missing)
    assert not missing


def test_one_sided_extra_rule_changes_nothing(docs):
    changed = copy.deepcopy(docs) + [
        policy("web-to-postgres", by_name("web"), ["Egress"],
               egress=[{"to": [{"podSelector": by_name("postgres")}]}])]
    assert netpol.compare(changed, "minikube") == (set(), set())


def test_removing_default_deny_is_caught(docs):
    changed = [d for d in docs if d["metadata"]["name"] != "default-deny"]
    extra, _ = netpol.compare(changed, "minikube")
    # The debug pod is selected by no other ingress policy: with no default deny, anyone
    # may connect to it; its egress is still isolated by allow-dns (an Egress policy).
    assert ("stranger", "debug", "8080/TCP") in extra, sorted(extra)[:5]
    assert ("debug", "internet", "443/TCP") not in extra, "allow-dns isolates egress"


def test_a_missing_flow_is_caught(docs):
    changed = [d for d in docs if not (d["kind"] == "NetworkPolicy"
                                       and d["metadata"]["name"] == "allow-dns")]
    extra, missing = netpol.compare(changed, "minikube")
    assert not extra, extra
    assert ("auth", "kube-dns", "53/UDP") in missing and ("postgres", "kube-dns", "53/TCP") \
        in missing, sorted(missing)[:5]


def test_a_widened_selector_is_caught(docs):
    changed = copy.deepcopy(docs)
    for d in changed:
        if d["kind"] == "NetworkPolicy" and d["metadata"]["name"] == "auth":
            # ingress-nginx's namespace only, any pod in it
            del d["spec"]["ingress"][0]["from"][0]["podSelector"]
    extra, _ = netpol.compare(changed, "minikube")
    assert extra == {("ingress-nginx-admission", "auth", "3001/TCP")}, sorted(extra)
    for d in changed:
        if d["kind"] == "NetworkPolicy" and d["metadata"]["name"] == "auth":
            d["spec"]["ingress"][0]["from"][0] = {"namespaceSelector": {}}
    extra, _ = netpol.compare(changed, "minikube")
    assert ("stranger", "auth", "3001/TCP") in extra, sorted(extra)


TESTS = [v for k, v in sorted(globals().items()) if k.startswith("test_")]
