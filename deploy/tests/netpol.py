"""Which connections do the rendered NetworkPolicies allow?

`allowed_flows(docs, overlay)` evaluates every rendered NetworkPolicy as Kubernetes does and
returns every (source, destination, port/protocol) a connection may take, between the
overlay's pods (Deployments and StatefulSets), the pods of other namespaces the spec names
(ingress-nginx, Prometheus, Jaeger, kube-dns) and a few that must get nothing (a pod in
`default`, Grafana beside Prometheus, a `kubectl run` pod in our own namespace), and
addresses outside the cluster (the internet, the cloud metadata service, the managed stores'
subnets on EKS).

Rules followed (https://kubernetes.io/docs/concepts/services-networking/network-policies/):
- a pod selected by no policy of a type is not isolated for that direction;
- a connection needs the source's egress and the destination's ingress to allow it;
- a peer with namespaceSelector and podSelector in one element means both; separate elements
  mean either; a podSelector alone means the policy's namespace; ipBlock matches addresses
  (pods' too) in `cidr` and not in `except`;
- ports: none means all; protocol TCP by default; `endPort` ranges; named ports resolve to
  the destination pod's container port of that name;
- `policyTypes` absent: Ingress, plus Egress when the policy has egress rules.
Only the namespaces whose policies were rendered are evaluated; pods elsewhere are taken as
unrestricted on their side.

`expected_flows(overlay)` is the table the flows must equal: the spec's "Network
Architecture" list, plus the flows DESIGN.md and docs/architecture.md add.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

NAMESPACE = "codearena"

# Service ports (the spec's, and the web app's 8083).
SERVICES = {"auth": 3001, "battle": 3002, "execution": 3003, "rating": 3004, "realtime": 3005,
            "web": 8083}

# The spec's service-to-service flows ("Network Architecture").
SPEC_PEERS = [("battle", "auth"), ("battle", "execution"), ("realtime", "auth"),
              ("realtime", "battle")]
# docs/architecture.md ("Network rules"): battle asks rating for players' ratings, and
# execution verifies players' tokens with auth (its API takes them; the spec's list lacks it).
ADDED_PEERS = [("battle", "rating"), ("execution", "auth")]

# Clients of each store. The spec: auth, battle, rating -> postgres; auth, battle, execution,
# rating, realtime -> redis. DESIGN.md adds execution and battle -> RabbitMQ.
STORE_CLIENTS = {
    "postgres": ["auth", "battle", "rating"],
    "redis": ["auth", "battle", "execution", "rating", "realtime"],
    "rabbitmq": ["battle", "execution"],
}
STORE_PORTS = {"minikube": {"postgres": 5432, "redis": 6379, "rabbitmq": 5672},
               # Managed stores speak TLS: AMQPS is 5671 (Amazon MQ).
               "eks": {"postgres": 5432, "redis": 6379, "rabbitmq": 5671}}

# The documented placeholder subnets of the managed stores
# (deploy/k8s/overlays/eks/stores-networkpolicies.yaml): keep the two in step.
# One subnet per availability zone: a Multi-AZ store fails over into another zone's subnet.
EKS_STORES = {"postgres": ["10.0.100.0/24", "10.0.110.0/24", "10.0.120.0/24"],
              "redis": ["10.0.101.0/24", "10.0.111.0/24", "10.0.121.0/24"],
              "rabbitmq": ["10.0.102.0/24", "10.0.112.0/24", "10.0.122.0/24"]}

POD_NETWORK = ipaddress.ip_network("10.244.0.0/16")


@dataclass
class Endpoint:
    name: str
    namespace: str | None  # None: an address outside the cluster
    labels: dict = field(default_factory=dict)
    ip: str = ""
    # (port, protocol) it listens on, and named ports: name -> (port, protocol)
    ports: set = field(default_factory=set)
    named: dict = field(default_factory=dict)


def outside_pods() -> list[Endpoint]:
    """Pods of other namespaces, and addresses outside the cluster."""
    return [
        Endpoint("ingress-nginx", "ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx"},
                 ports={(80, "TCP"), (443, "TCP")}),
        # Another pod of ingress-nginx's namespace (its admission webhook): not the proxy.
        Endpoint("ingress-nginx-admission", "ingress-nginx",
                 {"app.kubernetes.io/name": "ingress-nginx-admission"}, ports={(8443, "TCP")}),
        Endpoint("prometheus", "codearena-observability",
                 {"app.kubernetes.io/name": "prometheus"}, ports={(9090, "TCP")}),
        Endpoint("grafana", "codearena-observability", {"app.kubernetes.io/name": "grafana"},
                 ports={(3000, "TCP")}),
        Endpoint("jaeger", "codearena-observability", {"app.kubernetes.io/name": "jaeger"},
                 ports={(4317, "TCP"), (4318, "TCP"), (16686, "TCP")}),
        Endpoint("kube-dns", "kube-system", {"k8s-app": "kube-dns"},
                 ports={(53, "UDP"), (53, "TCP"), (9153, "TCP")}),
        Endpoint("stranger", "default", {"app": "stranger"}, ports={(8080, "TCP")}),
        # Someone's `kubectl run debug` in our namespace: DNS, and nothing else.
        Endpoint("debug", NAMESPACE, {"run": "debug"}, ports={(8080, "TCP")}),
    ]


def external_addresses(overlay: str) -> list[Endpoint]:
    out = [Endpoint("internet", None, ip="93.184.216.34"),
           Endpoint("cloud-metadata", None, ip="169.254.169.254")]
    if overlay == "eks":
        for store, cidrs in EKS_STORES.items():
            for zone, cidr in enumerate(cidrs):
                host = next(ipaddress.ip_network(cidr).hosts())
                out.append(Endpoint(f"external-{store}-{zone}", None, ip=str(host)))
    return out


def workload_pods(docs: list[dict]) -> list[Endpoint]:
    pods = []
    for d in docs:
        if d.get("kind") not in ("Deployment", "StatefulSet"):
            continue
        template = d["spec"]["template"]
        labels = template["metadata"].get("labels", {})
        ep = Endpoint(labels.get("app.kubernetes.io/name", d["metadata"]["name"]),
                      d["metadata"].get("namespace", "default"), dict(labels))
        for c in template["spec"].get("containers", []):
            for p in c.get("ports", []):
                key = (p["containerPort"], p.get("protocol", "TCP"))
                ep.ports.add(key)
                if "name" in p:
                    ep.named[p["name"]] = key
        pods.append(ep)
    return pods


def selector_matches(selector: dict | None, labels: dict) -> bool:
    """A LabelSelector; {} matches everything."""
    selector = selector or {}
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in selector.get("matchExpressions") or []:
        key, op, values = e["key"], e["operator"], e.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
        if op not in ("In", "NotIn", "Exists", "DoesNotExist"):
            raise ValueError(f"unknown selector operator {op}")
    return True


def namespace_labels(ns: str) -> dict:
    return {"kubernetes.io/metadata.name": ns}


def peer_matches(peer: dict, policy_ns: str, ep: Endpoint) -> bool:
    if "ipBlock" in peer:
        block = peer["ipBlock"]
        addr = ipaddress.ip_address(ep.ip)
        if addr not in ipaddress.ip_network(block["cidr"]):
            return False
        return not any(addr in ipaddress.ip_network(x) for x in block.get("except") or [])
    if ep.namespace is None:
        return False
    if "namespaceSelector" in peer:
        if not selector_matches(peer["namespaceSelector"], namespace_labels(ep.namespace)):
            return False
    elif ep.namespace != policy_ns:
        return False
    if "podSelector" in peer:
        return selector_matches(peer["podSelector"], ep.labels)
    return True


def port_matches(rule_ports: list | None, dst: Endpoint, port: int, proto: str) -> bool:
    if not rule_ports:
        return True
    for p in rule_ports:
        if p.get("protocol", "TCP") != proto:
            continue
        if "port" not in p:
            return True
        want = p["port"]
        if isinstance(want, str):
            if dst.named.get(want) == (port, proto):
                return True
            continue
        if want <= port <= p.get("endPort", want):
            return True
    return False


def policy_types(policy: dict) -> list[str]:
    spec = policy["spec"]
    if "policyTypes" in spec:
        return spec["policyTypes"]
    return ["Ingress"] + (["Egress"] if "egress" in spec else [])


def direction_allows(policies: list[dict], governed: set, me: Endpoint, other: Endpoint,
                     dst: Endpoint, port: int, proto: str, direction: str) -> bool:
    """Does `me`'s side allow the connection (direction Egress: me -> other; Ingress:
    other -> me)? `dst` is the destination, for named ports."""
    if me.namespace not in governed:
        return True
    selecting = [p for p in policies
                 if p["metadata"].get("namespace", "default") == me.namespace
                 and direction in policy_types(p)
                 and selector_matches(p["spec"].get("podSelector"), me.labels)]
    if not selecting:
        return True
    key, peers_key = ("egress", "to") if direction == "Egress" else ("ingress", "from")
    for p in selecting:
        ns = p["metadata"].get("namespace", "default")
        for rule in p["spec"].get(key) or []:
            peers = rule.get(peers_key)
            if peers and not any(peer_matches(x, ns, other) for x in peers):
                continue
            if port_matches(rule.get("ports"), dst, port, proto):
                return True
    return False


def allowed_flows(docs: list[dict], overlay: str) -> set[tuple[str, str, str]]:
    policies = [d for d in docs if d.get("kind") == "NetworkPolicy"]
    # Our namespace is evaluated even when it has no policy at all (then it is open).
    governed = {p["metadata"].get("namespace", "default") for p in policies} | {NAMESPACE}
    pods = workload_pods(docs) + outside_pods()
    for i, ep in enumerate(pods):
        ep.ip = str(POD_NETWORK[i + 10])
    externals = external_addresses(overlay)
    everyone = pods + externals
    all_ports = {(53, "UDP"), (22, "TCP"), (80, "TCP"), (443, "TCP"), (5432, "TCP"),
                 (5671, "TCP"), (5672, "TCP"), (6379, "TCP")}
    for p in policies:
        for rule in (p["spec"].get("ingress") or []) + (p["spec"].get("egress") or []):
            for port in rule.get("ports") or []:
                if isinstance(port.get("port"), int):
                    proto = port.get("protocol", "TCP")
                    for n in range(port["port"], port.get("endPort", port["port"]) + 1):
                        all_ports.add((n, proto))
    flows = set()
    for src in pods:
        for dst in everyone:
            if src.namespace not in governed and dst.namespace not in governed:
                continue
            for port, proto in sorted(all_ports | dst.ports):
                if not direction_allows(policies, governed, src, dst, dst, port, proto, "Egress"):
                    continue
                if dst.namespace is not None and not direction_allows(
                        policies, governed, dst, src, dst, port, proto, "Ingress"):
                    continue
                flows.add((src.name, dst.name, f"{port}/{proto}"))
    return flows


def expected_flows(overlay: str) -> set[tuple[str, str, str]]:
    flows = set()
    ports = STORE_PORTS[overlay]
    ours = list(SERVICES) + ["debug"] + (list(STORE_CLIENTS) if overlay == "minikube" else [])
    for pod in ours:  # ALL pods -> kube-dns (UDP/TCP 53)
        flows |= {(pod, "kube-dns", "53/UDP"), (pod, "kube-dns", "53/TCP")}
    for service, port in SERVICES.items():
        flows.add(("ingress-nginx", service, f"{port}/TCP"))  # the spec's ingress
        flows.add(("prometheus", service, f"{port}/TCP"))  # /metrics on the service's port
        flows.add((service, "jaeger", "4318/TCP"))  # OTLP/HTTP traces
    for src, dst in SPEC_PEERS + ADDED_PEERS:
        flows.add((src, dst, f"{SERVICES[dst]}/TCP"))
    for store, clients in STORE_CLIENTS.items():
        if overlay == "minikube":
            targets = [store]
        else:  # every zone's subnet of the managed store
            targets = [f"external-{store}-{zone}" for zone in range(len(EKS_STORES[store]))]
        for c in clients:
            flows |= {(c, target, f"{ports[store]}/TCP") for target in targets}
    return flows


def compare(docs: list[dict], overlay: str) -> tuple[set, set]:
    """(flows allowed but not expected, flows expected but not allowed)."""
    got, want = allowed_flows(docs, overlay), expected_flows(overlay)
    return got - want, want - got
