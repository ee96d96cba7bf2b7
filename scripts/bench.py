#!/usr/bin/env python3
"""Where the time of a site.yml run goes: the walkthrough, N+N VPCs, Ansible's own floor, cloud latency.

usage: scripts/bench.py [--vpcs 20] [--quick] [--repeat 2] [--latency-scale 0.05] [--json FILE]
                        [--only walkthrough,scale,floor,latency] [--profile-module] [--keep DIR]

Every measurement gets a fresh twin (`cloudtwin serve --background` in its own process, stopped after), so the
twin's CPU is not ansible's. Each run is recorded by our callback (scripts/bench_callback/bench_json.py: every
task result with its host, action, module or controller-side, status, loop items, duration) and by the twin's
call log (/_twin/calls).

Rows:
- walkthrough build / no-op: site.yml on inventories/seed-tgw-cen (2 AWS + 2 Alibaba VPCs), then again.
- N+N build / no-op: the same on a generated world + inventory of N AWS and N Alibaba VPCs whose topology is the
  walkthrough's own (its group_vars copied, each hub's VPC list and the probes replaced; see `generate`).
- floor: a generated playbook with the walkthrough no-op's hosts, plays, strategies and task results per host,
  each module invocation replaced by ansible.builtin.ping and each controller-side result by
  ansible.builtin.debug: what Ansible itself costs for exactly this task mix. ratio = no-op wall / floor wall.
- latency build: the walkthrough build on a twin with the `realistic` latency profile scaled by
  --latency-scale (the vpn_bridge role's poll interval scaled alike), against the critical path of the
  dependency graph (DEPENDENCIES below; node durations are the twin's own configured delays x async steps, read
  from /_twin/faults). ratio = wall / critical path. With the walkthrough row in the same run, also what the
  delays added to its build (latency wall - build wall) against the critical path: 1.0x when each wait holds up
  only what depends on it.

Columns: wall s, task results, module invocations (results of tasks whose action runs a module, one per loop
item run), API calls and mutating calls (twin call log), ratio. Prints the module invocations per action of
each no-op run, the critical path, and one summary line last. No assertion anywhere: it measures.
`--profile-module` adds where one no-op module invocation spends its time (scripts/bench_module.py).
"""

from __future__ import annotations

import argparse
import copy
import ipaddress
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
SEED_INVENTORY = ROOT / "inventories" / "seed-tgw-cen"
SEED_WORLD = ROOT / "emulator" / "worlds" / "seed-tgw-cen.yml"
SITE = ROOT / "site.yml"
CALLBACK_DIR = ROOT / "scripts" / "bench_callback"
ROLE_POLL_INTERVAL = yaml.safe_load((ROOT / "roles" / "vpn_bridge" / "defaults" / "main.yml").read_text())[
    "vpn_bridge_poll_interval"]
BIN = Path(sys.executable).parent
DEFAULT_VPCS = 20
QUICK_VPCS = 4


sys.path.insert(0, str(Path(__file__).resolve().parent))
from twinrun import Twin, TwinError, twin_process_env  # noqa: E402

BenchError = TwinError  # a benchmark that cannot measure fails like a twin that cannot start


# --- ansible-playbook with our callback ------------------------------------------------------------------
def ansible_env(twin_env: Dict[str, str], record: Path, extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    env = dict(twin_process_env(), **twin_env)
    env.update({
        "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_CALLBACK_PLUGINS": str(CALLBACK_DIR), "ANSIBLE_CALLBACKS_ENABLED": "bench_json",
        "BENCH_CALLBACK_FILE": str(record), "PYTHONWARNINGS": "ignore",
        "PATH": os.pathsep.join([str(BIN), os.environ.get("PATH", "")]),
    })
    env.update(extra or {})
    return env


def run_playbook(label: str, inventory: Path, playbook: Path, twin_env: Dict[str, str], workdir: Path,
                 extra_env: Optional[Dict[str, str]] = None,
                 extra_vars: Optional[Dict[str, Any]] = None) -> Tuple[float, Dict[str, Any]]:
    """Run it; (wall seconds, the callback's document). A failed run is an error: its timings mean nothing."""
    record, log = workdir / f"{label}.json", workdir / f"{label}.log"
    env = ansible_env(twin_env, record, extra_env)
    command = [str(BIN / "ansible-playbook"), "-i", str(inventory), str(playbook)]
    if extra_vars:
        command += ["-e", json.dumps(extra_vars)]
    started = time.monotonic()
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.run(command, cwd=str(ROOT), env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    wall = time.monotonic() - started
    if proc.returncode != 0:
        raise BenchError(f"{label}: ansible-playbook exited {proc.returncode}; see {log}")
    return wall, json.loads(record.read_text())


def invocations(result: Dict[str, Any]) -> int:
    """Module invocations of one task result: one per loop item run, else one unless skipped."""
    if result["kind"] != "module" or result["status"] == "skipped":
        return 0
    return result["items_run"] if result["loop"] else 1


def measure(label: str, wall: float, document: Dict[str, Any], calls: List[Dict[str, Any]]) -> Dict[str, Any]:
    results = document["results"]
    by_action: Counter = Counter()
    for result in results:
        by_action[result["action"]] += invocations(result)
    hosts: Dict[str, List[float]] = {}
    for result in results:
        span = hosts.setdefault(result["host"], [result["start"], result["end"]])
        span[0], span[1] = min(span[0], result["start"]), max(span[1], result["end"])
    mutating = [f"{c['cloud']}:{c['action']}" for c in calls if c.get("mutating")]
    return {
        "label": label, "wall": wall, "task_results": len(results),
        "module_invocations": sum(by_action.values()),
        "controller_results": sum(1 for r in results if r["kind"] == "controller"),
        "skipped_results": sum(1 for r in results if r["status"] == "skipped"),
        "changed_results": sum(1 for r in results if r["changed"]),
        "invocations_by_action": {a: n for a, n in sorted(by_action.items()) if n},
        "host_wall": {h: round(end - start, 2) for h, (start, end) in sorted(hosts.items())},
        "api_calls": len(calls), "mutating_calls": len(mutating),
        "mutating_by_action": dict(sorted(Counter(mutating).items())),
    }


def build_and_noop(label: str, world: Path, inventory: Path, workdir: Path, repeat: int,
                   serve_args: Tuple[str, ...] = ()) -> Tuple[Dict[str, Any], Dict[str, Any], Dict[str, Any]]:
    """On one fresh twin: a build, then `repeat` no-op re-runs (the median wall is reported).

    Returns the build's and the median no-op's measurements and the no-op's callback document (for the floor)."""
    with Twin(world, workdir / f"twin-{label}", serve_args) as twin:
        twin.clear_calls()
        wall, doc = run_playbook(f"{label}-build", inventory, SITE, twin.env, workdir)
        build = measure(f"{label} build", wall, doc, twin.calls())
        runs = []
        for attempt in range(repeat):
            twin.clear_calls()
            wall, doc = run_playbook(f"{label}-noop-{attempt + 1}", inventory, SITE, twin.env, workdir)
            runs.append((measure(f"{label} no-op", wall, doc, twin.calls()), doc))
    walls = [m["wall"] for m, _ in runs]
    noop, noop_doc = min(runs, key=lambda run: abs(run[0]["wall"] - statistics.median(walls)))
    noop["walls"] = [round(w, 2) for w in walls]
    return build, noop, noop_doc


# --- N + N VPCs: world and inventory from the walkthrough's own files ----------------------------------
def _aws_cidr(index: int) -> ipaddress.IPv4Network:
    return list(ipaddress.ip_network("172.16.0.0/12").subnets(new_prefix=20))[index]


def _ali_cidr(index: int) -> ipaddress.IPv4Network:
    return list(ipaddress.ip_network("10.0.0.0/8").subnets(new_prefix=16))[index]


def _named(names: List[str], prefix: str, count: int) -> List[str]:
    """The walkthrough's own names first (bridges and defaults refer to them), then generated ones."""
    return [names[i] if i < len(names) else f"{prefix}-{i:02d}" for i in range(count)]


def generate_world(seed: Dict[str, Any], n: int) -> Tuple[Dict[str, Any], Dict[str, Dict[str, Any]]]:
    """N AWS VPCs in the seed's first AWS region (one subnet, one host each) and N Alibaba VPCs spread over the
    seed's Alibaba regions (vSwitches in the zones of the seed's VPC of that region, one host each).

    Returns the world and, per VPC name, what the inventory needs: cloud, region, cidr, host ip, seed cidr."""
    world = copy.deepcopy(seed)
    world["name"] = f"bench-{n}x{n}"
    facts: Dict[str, Dict[str, Any]] = {}

    aws_region, aws_spec = next(iter(world["aws"]["regions"].items()))
    seed_vpcs = aws_spec["vpcs"]
    vpcs = []
    for index, name in enumerate(_named([v["name"] for v in seed_vpcs], "bench-aws", n)):
        template = copy.deepcopy(seed_vpcs[min(index, len(seed_vpcs) - 1)])
        cidr = _aws_cidr(index)
        subnet_cidr = next(cidr.subnets(new_prefix=24))
        subnet = dict(template["subnets"][0], name=f"{name}-subnet-1", cidr=str(subnet_cidr))
        host_ip = str(subnet_cidr[10])
        host = dict(template["hosts"][0], name=f"{name}-host", ip=host_ip, subnet=subnet["name"])
        vpcs.append(dict(template, name=name, cidr=str(cidr), subnets=[subnet], hosts=[host]))
        facts[name] = {"cloud": "aws", "region": aws_region, "cidr": str(cidr), "ip": host_ip,
                       "seed_cidr": template["cidr"] if index < len(seed_vpcs) else None}
    world["aws"]["regions"] = {aws_region: dict(aws_spec, vpcs=vpcs)}

    account = world["alicloud"]["accounts"][0]
    seed_regions = account["regions"]
    by_region = {region: spec["vpcs"] for region, spec in seed_regions.items()}
    regions = list(by_region)
    seed_names = [v["name"] for region in regions for v in by_region[region]]
    seed_region_of = {v["name"]: region for region in regions for v in by_region[region]}
    new_regions: Dict[str, List[Dict[str, Any]]] = {region: [] for region in regions}
    for index, name in enumerate(_named(seed_names, "bench-ali", n)):
        region = seed_region_of.get(name, regions[index % len(regions)])
        seed_vpc = next((v for v in by_region[region] if v["name"] == name), by_region[region][0])
        template = copy.deepcopy(seed_vpc)
        cidr = _ali_cidr(index)
        blocks = cidr.subnets(new_prefix=24)
        # The seed VPC's own vSwitches (zones, flags) for a seed name; two zones for the others.
        zones_seen, vswitch_templates = set(), []
        for vsw in template["vswitches"]:
            if name in seed_region_of or vsw["zone"] not in zones_seen:
                zones_seen.add(vsw["zone"])
                vswitch_templates.append(vsw)
        if name not in seed_region_of:
            vswitch_templates = vswitch_templates[:2]
        vswitches = [dict(vsw, name=f"{name}-vsw-{k + 1}", cidr=str(next(blocks)))
                     for k, vsw in enumerate(vswitch_templates)]
        host_ip = str(ipaddress.ip_network(vswitches[0]["cidr"])[17])
        host = dict(template["hosts"][0], name=f"{name}-host", ip=host_ip, vswitch=vswitches[0]["name"])
        new_regions[region].append(dict(template, name=name, cidr=str(cidr), vswitches=vswitches, hosts=[host]))
        facts[name] = {"cloud": "alicloud", "region": region, "cidr": str(cidr), "ip": host_ip,
                       "seed_cidr": seed_vpc["cidr"] if name in seed_region_of else None}
    account["regions"] = {region: dict(seed_regions[region], vpcs=vpcs_) for region, vpcs_ in new_regions.items()}
    return world, facts


def _is_hub_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(h, dict) and isinstance(h.get("vpcs"), list)
                                                            for h in value)


def _replace_strings(value: Any, mapping: Dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _replace_strings(v, mapping) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_strings(v, mapping) for v in value]
    return mapping.get(value, value) if isinstance(value, str) else value


def generate_topology(topology: Dict[str, Any], facts: Dict[str, Dict[str, Any]],
                      seed_world: Dict[str, Any]) -> Dict[str, Any]:
    """The walkthrough's topology vars with every hub's VPC list and the probe list replaced.

    Keys are not hard-coded: a hub list is any list of dicts with a ``vpcs`` list; each hub's cloud is the cloud
    its own VPCs are in; new VPC entries are copies of the hub's first entry with name (and cidr / region where
    the entry has them) replaced. A probe list is any list whose items are the seed world's host IPs. Every
    other mention of a seed VPC's CIDR is rewritten to the CIDR its VPC has now."""
    seed_ips = {h["ip"] for region in seed_world["aws"]["regions"].values() for v in region["vpcs"]
                for h in v.get("hosts", [])}
    seed_ips |= {h["ip"] for account in seed_world["alicloud"]["accounts"] for region in account["regions"].values()
                 for v in region["vpcs"] for h in v.get("hosts", [])}
    out = copy.deepcopy(topology)
    clouds_done = set()
    for key, value in topology.items():
        if _is_hub_list(value):
            for hub in out[key]:
                cloud = next((facts[v["name"]]["cloud"] for v in hub["vpcs"] if v.get("name") in facts), None)
                if cloud is None or cloud in clouds_done:
                    continue  # a hub of unknown VPCs, or a second hub of a cloud: left as it is
                clouds_done.add(cloud)
                template = hub["vpcs"][0]
                entries = []
                for name, fact in facts.items():
                    if fact["cloud"] != cloud:
                        continue
                    entry = {k: v for k, v in copy.deepcopy(template).items() if k != "id"}
                    entry["name"] = name
                    if "cidr" in template:
                        entry["cidr"] = fact["cidr"]
                    if "region" in template:
                        entry["region"] = fact["region"]
                    entries.append(entry)
                hub["vpcs"] = entries
        elif isinstance(value, list) and value and all(
                (p if isinstance(p, str) else (p or {}).get("ip")) in seed_ips for p in value):
            template = value[0]
            out[key] = [fact["ip"] if isinstance(template, str) else dict(template, ip=fact["ip"])
                        for fact in facts.values()]
    cidr_moves = {f["seed_cidr"]: f["cidr"] for f in facts.values() if f["seed_cidr"]}
    return {k: (_replace_strings(v, cidr_moves) if not _is_hub_list(v) else v) for k, v in out.items()}


def generate(n: int, workdir: Path) -> Tuple[Path, Path]:
    """World file and inventory directory for N AWS + N Alibaba VPCs."""
    seed_world = yaml.safe_load(SEED_WORLD.read_text())
    world, facts = generate_world(seed_world, n)
    world_path = workdir / f"world-{n}x{n}.yml"
    world_path.write_text(yaml.safe_dump(world, sort_keys=False))
    inventory = workdir / f"inventory-{n}x{n}"
    if inventory.exists():
        shutil.rmtree(inventory)
    shutil.copytree(SEED_INVENTORY, inventory)
    for path in sorted((inventory / "group_vars").rglob("*.y*ml")):
        data = yaml.safe_load(path.read_text()) or {}
        if isinstance(data, dict) and any(_is_hub_list(v) for v in data.values()):
            path.write_text(f"# Generated by scripts/bench.py from {path.relative_to(inventory)} of "
                            f"inventories/seed-tgw-cen: {n} AWS + {n} Alibaba VPCs.\n"
                            + yaml.safe_dump(generate_topology(data, facts, seed_world), sort_keys=False))
    return world_path, inventory


# --- the floor: Ansible's own cost for the same task mix --------------------------------------------------
def _floor_task(result: Dict[str, Any], index: int) -> Dict[str, Any]:
    name = f"floor {index} ({result['kind']}{', skipped' if result['status'] == 'skipped' else ''})"
    if result["kind"] == "module":
        task: Dict[str, Any] = {"name": name, "ansible.builtin.ping": None}
    else:
        task = {"name": name, "ansible.builtin.debug": {"msg": "floor"}}
    if result["status"] == "skipped":
        task["when"] = False
    elif result["loop"]:
        total = result["items_run"] + result["items_skipped"]
        task["loop"] = "{{ range(%d) | list }}" % total
        if result["items_skipped"]:
            task["when"] = "item < %d" % result["items_run"]
    return task


def floor_playbook(document: Dict[str, Any], workdir: Path) -> Tuple[Path, int]:
    """A playbook with the same plays (hosts, strategy), and per host the same task results in the same order.

    Each play includes one task file per host (the include is itself one controller-side result, standing in for
    one of the host's controller-side results). Returns the playbook and how many results it has beyond the
    original (0 unless a host had a play without any controller-side result)."""
    floor_dir = workdir / "floor"
    if floor_dir.exists():
        shutil.rmtree(floor_dir)
    floor_dir.mkdir()
    plays, extra = [], 0
    for index, play in enumerate(document["plays"]):
        results = sorted((r for r in document["results"] if r["play"] == index), key=lambda r: r["start"])
        hosts = sorted({r["host"] for r in results})
        if not hosts:
            continue
        for host in hosts:
            mine = [r for r in results if r["host"] == host]
            stand_in = next((r for r in mine if r["kind"] == "controller" and r["status"] != "skipped"), None)
            if stand_in is None:
                extra += 1
            else:
                mine.remove(stand_in)
            tasks = [_floor_task(r, k) for k, r in enumerate(mine)] or [{"ansible.builtin.meta": "noop"}]
            (floor_dir / f"play{index}-{host}.yml").write_text(yaml.safe_dump(tasks, sort_keys=False))
        plays.append({"name": f"floor of: {play['name']}", "hosts": hosts,
                      "gather_facts": False, "strategy": play["strategy"] or "linear",
                      "tasks": [{"name": "this host's results", "ansible.builtin.include_tasks":
                                 f"play{index}-{{{{ inventory_hostname }}}}.yml"}]})
    playbook = floor_dir / "floor.yml"
    playbook.write_text(yaml.safe_dump(plays, sort_keys=False))
    return playbook, extra


# --- the critical path ------------------------------------------------------------------------------------
# What must wait for what, across both clouds. Each node: the API actions that show it was built (cloud:Action),
# the twin delay key it waits out (None: ready when the call returns), how many async steps ("calls": one per call
# of its actions, for changes the cloud serialises on one resource), and the nodes it waits for. A node whose
# actions the run never called lasts 0 s and is left out of the printed path, so the one table covers the
# walkthrough's VPN-gateway / Basic-CEN design and the transit-router design alike.
DEPENDENCIES: List[Tuple[str, Tuple[str, ...], Optional[str], Any, Tuple[str, ...]]] = [
    # AWS hub
    ("aws TGW available", ("aws:CreateTransitGateway",), "TransitGateway", 1, ()),
    ("aws VPC attachments available", ("aws:CreateTransitGatewayVpcAttachment",), "TransitGatewayAttachment", 1,
     ("aws TGW available",)),
    ("aws subnet routes to the TGW", ("aws:CreateRoute", "aws:ReplaceRoute"), None, 1,
     ("aws VPC attachments available",)),
    # Alibaba hub: CEN -> transit routers -> attachments -> route tables, VPC routes after the attachments
    ("ali CEN active", ("alicloud:CreateCen",), "Cen", 1, ()),
    ("ali Basic CEN VPCs attached", ("alicloud:AttachCenChildInstance",), "CenChildInstance", 1, ("ali CEN active",)),
    ("ali transit routers active", ("alicloud:CreateTransitRouter",), "TransitRouter", 1, ("ali CEN active",)),
    ("ali TR route tables active", ("alicloud:CreateTransitRouterRouteTable",), "TransitRouterRouteTable", 1,
     ("ali transit routers active",)),
    ("ali TR VPC attachments attached", ("alicloud:CreateTransitRouterVpcAttachment",), "TransitRouterVpcAttachment",
     1, ("ali transit routers active",)),
    ("ali TR inter-region connection attached", ("alicloud:CreateTransitRouterPeerAttachment",),
     "TransitRouterPeerAttachment", 1, ("ali transit routers active",)),
    # Alibaba end of the bridge: a VPN gateway (walkthrough) or an IPsec connection bound to the transit router
    ("ali VPN gateway created (IPs known)", ("alicloud:CreateVpnGateway",), None, 1, ()),
    ("ali VPN gateway active", ("alicloud:CreateVpnGateway",), "VpnGateway", 1,
     ("ali VPN gateway created (IPs known)",)),
    ("ali VPN attachment created (IPs known)", ("alicloud:CreateVpnAttachment",), None, 1, ()),
    ("ali TR VPN attachment attached", ("alicloud:CreateTransitRouterVpnAttachment",), "TransitRouterVpnAttachment",
     1, ("ali transit routers active", "ali VPN attachment created (IPs known)")),
    # AWS end of the bridge: customer gateways for the Alibaba IPs, then the VPN connections
    ("aws customer gateways", ("aws:CreateCustomerGateway",), None, 1,
     ("ali VPN gateway created (IPs known)", "ali VPN attachment created (IPs known)")),
    ("aws VPN connections created (tunnel IPs known)", ("aws:CreateVpnConnection",), None, 1,
     ("aws customer gateways", "aws TGW available")),
    ("aws VPN connections available", ("aws:CreateVpnConnection",), "VpnConnection", 1,
     ("aws VPN connections created (tunnel IPs known)",)),
    # A TGW VPN attachment is pending on its own and reads as its VPN connection until that is available.
    ("aws TGW VPN attachments settled", ("aws:CreateVpnConnection",), "TransitGatewayAttachment", 1,
     ("aws VPN connections created (tunnel IPs known)",)),
    ("aws TGW VPN attachments available", ("aws:CreateVpnConnection",), None, 1,
     ("aws TGW VPN attachments settled", "aws VPN connections available")),
    # Alibaba tunnels toward the AWS tunnel IPs
    ("ali customer gateways (AWS tunnel IPs)", ("alicloud:CreateCustomerGateway",), None, 1,
     ("aws VPN connections created (tunnel IPs known)",)),
    ("ali IPsec connections on the gateway", ("alicloud:CreateVpnConnection", "alicloud:ModifyVpnConnectionAttribute"),
     "VpnGateway.updating", "calls", ("ali VPN gateway active", "ali customer gateways (AWS tunnel IPs)")),
    ("ali TR-attached tunnels re-pointed", ("alicloud:ModifyVpnAttachmentAttribute",), None, 1,
     ("ali VPN attachment created (IPs known)", "ali customer gateways (AWS tunnel IPs)")),
    ("ali VPN route entries", ("alicloud:CreateVpnRouteEntry", "alicloud:PublishVpnRouteEntry"),
     "VpnGateway.updating", "calls", ("ali IPsec connections on the gateway",)),
    ("tunnels up", (), None, 1, ("aws VPN connections available", "ali IPsec connections on the gateway",
                                 "ali TR-attached tunnels re-pointed")),
    # routes across the bridge and inside the Alibaba hub
    ("aws TGW routes to the VPN", ("aws:CreateTransitGatewayRoute",), None, 1, ("aws TGW VPN attachments available",)),
    ("ali TR associations active", ("alicloud:AssociateTransitRouterAttachmentWithRouteTable",),
     "TransitRouterRouteTableAssociation", 1,
     ("ali TR route tables active", "ali TR VPC attachments attached", "ali TR inter-region connection attached",
      "ali TR VPN attachment attached")),
    ("ali TR propagations active", ("alicloud:EnableTransitRouterRouteTablePropagation",),
     "TransitRouterRouteTablePropagation", 1,
     ("ali TR route tables active", "ali TR VPC attachments attached", "ali TR inter-region connection attached",
      "ali TR VPN attachment attached")),
    ("ali TR static routes active", ("alicloud:CreateTransitRouterRouteEntry",), "TransitRouterRouteEntry", 1,
     ("ali TR VPN attachment attached", "ali TR associations active")),
    ("ali VPC routes available", ("alicloud:CreateRouteEntry",), "RouteEntry", 1,
     ("ali TR VPC attachments attached", "ali Basic CEN VPCs attached", "ali VPN gateway active")),
    ("ali routes published to the Basic CEN", ("alicloud:PublishRouteEntries",), "CenPublishedRoute", 1,
     ("ali VPN route entries", "ali Basic CEN VPCs attached", "ali VPC routes available")),
    ("verified", (), None, 1, ("tunnels up", "aws subnet routes to the TGW", "aws TGW routes to the VPN",
                               "ali TR propagations active", "ali TR static routes active", "ali VPC routes available",
                               "ali routes published to the Basic CEN")),
]


# Nodes that exist only beside another resource: an IPsec change keeps a VPN *gateway* busy; a connection bound to
# a transit router (same actions, no gateway) does not.
REQUIRES = {
    "ali IPsec connections on the gateway": ("alicloud:CreateVpnGateway",),
    "ali VPN route entries": ("alicloud:CreateVpnGateway",),
}


def critical_path(delays: Dict[str, float], calls: List[Dict[str, Any]],
                  nodes: Optional[Dict[str, Dict[str, Any]]] = None) -> Tuple[float, List[Tuple[str, float]]]:
    """Longest path through DEPENDENCIES with the twin's delays: (seconds, [(node, its seconds), ...]).

    ``nodes``, when given, receives every node's start, duration and finish (and whether the run built it)."""
    from cloudtwin.faults import delay_of  # the twin's own lookup ("Kind.state", then "Kind")

    made = Counter(f"{c['cloud']}:{c['action']}" for c in calls if c.get("mutating"))
    finish: Dict[str, Tuple[float, List[Tuple[str, float]]]] = {}
    for name, actions, key, steps, needs in DEPENDENCIES:  # listed in dependency order
        present = (not actions or any(made[a] for a in actions)) and all(made[a] for a in REQUIRES.get(name, ()))
        count = sum(made[a] for a in actions) if steps == "calls" else steps
        kind, _, state = (key or "").partition(".")
        seconds = delay_of(delays, kind, state or None) * count if key and present else 0.0
        start, path = max((finish[n] for n in needs), key=lambda f: f[0], default=(0.0, []))
        shown = path + [(name, seconds)] if actions and present else path
        finish[name] = (start + seconds, shown)
        if nodes is not None:
            nodes[name] = {"built": bool(actions) and present, "delay": key, "steps": count if present else 0,
                           "start": round(start, 2), "seconds": round(seconds, 2), "finish": round(start + seconds, 2)}
    return finish["verified"]


def latency_build(workdir: Path, scale: float) -> Dict[str, Any]:
    with Twin(SEED_WORLD, workdir / "twin-latency", ("--latency-profile", "realistic",
                                                     "--latency-scale", str(scale))) as twin:
        delays = twin.control("/faults")["effective_delays"]
        twin.clear_calls()
        # The role's poll interval is a real-world time too (15 s against VPN connections that take minutes):
        # scaled like the cloud's delays, or a 21 s wait is polled at 15 and 30 s.
        poll = max(1, round(ROLE_POLL_INTERVAL * scale))
        wall, doc = run_playbook("latency-build", SEED_INVENTORY, SITE, twin.env, workdir,
                                 extra_vars={"vpn_bridge_poll_interval": poll})
        calls = twin.calls()
    row = measure(f"latency build (x{scale:g})", wall, doc, calls)
    nodes: Dict[str, Dict[str, Any]] = {}
    seconds, path = critical_path(delays, calls, nodes)
    row.update(critical_path=seconds, path=[(n, round(s, 2)) for n, s in path], nodes=nodes, delays=delays,
               ratio=wall / seconds if seconds else None)
    return row


# --- output ------------------------------------------------------------------------------------------------
COLUMNS = ("wall s", "task results", "module inv.", "API calls", "mutating", "ratio")


def table(rows: List[Dict[str, Any]]) -> str:
    def cell(value: Any, fmt: str = "{}") -> str:
        return "-" if value is None else fmt.format(value)

    lines = [f"{'':34}" + "".join(f"{c:>14}" for c in COLUMNS)]
    for row in rows:
        lines.append(f"{row['label']:34}" + "".join(f"{v:>14}" for v in (
            cell(row["wall"], "{:.1f}"), cell(row.get("task_results")), cell(row.get("module_invocations")),
            cell(row.get("api_calls")), cell(row.get("mutating_calls")), cell(row.get("ratio"), "{:.2f}x"))))
    return "\n".join(lines)


def summary(report: Dict[str, Any]) -> str:
    rows = {r["key"]: r for r in report["rows"]}
    parts = []
    if "walk_noop" in rows and "floor" in rows:
        noop, floor = rows["walk_noop"], rows["floor"]
        parts.append(f"walkthrough no-op {noop['wall']:.1f} s = {noop['wall'] / floor['wall']:.2f}x the floor "
                     f"{floor['wall']:.1f} s ({noop['task_results']} results, {noop['module_invocations']} module "
                     "invocations)")
    if "scale_noop" in rows and "walk_noop" in rows:
        big, small = rows["scale_noop"], rows["walk_noop"]
        parts.append(f"{report['vpcs']}+{report['vpcs']} no-op {big['wall'] / small['wall']:.2f}x the 2+2; module "
                     f"invocations per no-op {small['module_invocations']} -> {big['module_invocations']}"
                     f" ({'flat' if big['module_invocations'] == small['module_invocations'] else 'grows'} in N)")
    elif "scale_noop" in rows:
        big = rows["scale_noop"]
        parts.append(f"{report['vpcs']}+{report['vpcs']} no-op {big['wall']:.1f} s, {big['module_invocations']} "
                     "module invocations")
    if "latency" in rows and rows["latency"].get("ratio"):
        lat = rows["latency"]
        parts.append(f"latency build {lat['wall']:.1f} s = {lat['ratio']:.2f}x the critical path "
                     f"{lat['critical_path']:.1f} s")
        if lat.get("added") is not None:
            parts.append(f"the delays added {lat['added']:.1f} s to the walkthrough build = "
                         f"{lat['added'] / lat['critical_path']:.2f}x the critical path")
    return "bench: " + ("; ".join(parts) if parts else "nothing measured")


def print_report(report: Dict[str, Any]) -> None:
    print(table(report["rows"]))
    print("ratio: walkthrough no-op / floor; N+N no-op / walkthrough no-op; latency build / critical path. "
          "Task results include skipped ones.")
    for row in report["rows"]:
        if row["key"] in ("walk_noop", "scale_noop"):
            per = ", ".join(f"{a.split('.')[-1]} {n}" for a, n in row["invocations_by_action"].items())
            print(f"\nmodule invocations per {row['label']} ({row['module_invocations']}): {per}")
            print(f"  walls of the no-op runs: {row['walls']}; per host: {row['host_wall']}")
            if row["mutating_calls"]:
                print(f"  mutating calls in a no-op run: {row['mutating_by_action']}")
        if row["key"] == "floor" and row.get("extra_results"):
            print(f"\nfloor: {row['extra_results']} result(s) more than the original (a host play with no "
                  "controller-side result to stand in for its include)")
        if row["key"] == "latency":
            print(f"\ncritical path {row['critical_path']:.1f} s (twin delays at scale {report['latency_scale']:g}):")
            for name, seconds in row["path"]:
                print(f"  {seconds:8.2f} s  {name}")
    if report.get("module_profile"):
        from bench_module import print_profile  # scripts/ is on sys.path when run as a script

        print()
        print_profile(report["module_profile"])
    print()
    print(summary(report))


# --- main --------------------------------------------------------------------------------------------------
def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vpcs", type=int, help=f"N for the N+N rows (default {DEFAULT_VPCS}, --quick {QUICK_VPCS})")
    parser.add_argument("--repeat", type=int, help="no-op re-runs per world, median reported (default 2, --quick 1)")
    parser.add_argument("--quick", action="store_true", help="small N, one no-op run each")
    parser.add_argument("--latency-scale", type=float, default=0.05, help="realistic profile scale (default 0.05)")
    parser.add_argument("--only", default="walkthrough,scale,floor,latency",
                        help="comma list of walkthrough, scale, floor, latency")
    parser.add_argument("--profile-module", action="store_true",
                        help="also time the phases of one no-op AWS and Alibaba module invocation (and under Mitogen)")
    parser.add_argument("--json", type=Path, help="save the report here")
    parser.add_argument("--keep", type=Path, help="keep logs, records and generated files in this directory")
    args = parser.parse_args(argv)
    vpcs = args.vpcs or (QUICK_VPCS if args.quick else DEFAULT_VPCS)
    repeat = args.repeat or (1 if args.quick else 2)
    only = {part.strip() for part in args.only.split(",") if part.strip()}
    sys.path.insert(0, str(ROOT / "emulator"))

    report: Dict[str, Any] = {"vpcs": vpcs, "repeat": repeat, "latency_scale": args.latency_scale, "rows": [],
                              "machine": {"cpus": os.cpu_count(), "load": os.getloadavg()}}

    def work(workdir: Path) -> None:
        if only & {"walkthrough", "floor"}:
            build, noop, noop_doc = build_and_noop("walkthrough", SEED_WORLD, SEED_INVENTORY, workdir, repeat)
            report["rows"] += [dict(build, key="walk_build"), dict(noop, key="walk_noop")]
            if "floor" in only:
                playbook, extra = floor_playbook(noop_doc, workdir)
                floor_runs = [run_playbook(f"floor-{k + 1}", SEED_INVENTORY, playbook, {}, workdir)
                              for k in range(repeat)]
                wall, doc = sorted(floor_runs, key=lambda run: run[0])[len(floor_runs) // 2]
                floor = measure("floor (ping/debug, same mix)", wall, doc, [])
                floor.update(key="floor", api_calls=None, mutating_calls=None, extra_results=extra)
                report["rows"][-1]["ratio"] = noop["wall"] / wall
                report["rows"].append(floor)
        if "scale" in only:
            world, inventory = generate(vpcs, workdir)
            build, noop, _ = build_and_noop(f"{vpcs}+{vpcs}", world, inventory, workdir, repeat)
            walk = next((r for r in report["rows"] if r["key"] == "walk_noop"), None)
            if walk:
                noop["ratio"] = noop["wall"] / walk["wall"]
            report["rows"] += [dict(build, key="scale_build"), dict(noop, key="scale_noop")]
        if "latency" in only:
            latency = dict(latency_build(workdir, args.latency_scale), key="latency")
            walk = next((r for r in report["rows"] if r["key"] == "walk_build"), None)
            if walk and latency.get("critical_path"):
                # What the cloud delays cost beyond the same build without them: equal to the critical path when
                # each wait blocks only what depends on it; more when a wait also holds up unrelated work.
                latency["added"] = latency["wall"] - walk["wall"]
            report["rows"].append(latency)
        if args.profile_module:
            from bench_module import profile_modules

            report["module_profile"] = profile_modules(workdir)

    failed = in_workdir(args.keep, "bench", work)
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    return 1 if failed else 0


def _interrupted(*_: Any) -> None:
    raise KeyboardInterrupt  # so the twins' context managers stop them and subprocess.run ends its child


def in_workdir(keep: Optional[Path], name: str, work: Callable[[Path], Any]) -> Optional[str]:
    """Run ``work(workdir)`` in ``keep`` or in a temporary directory removed afterwards.

    Returns None, or the error of a failed measurement (printed to stderr; what was measured before it stays)."""
    signal.signal(signal.SIGTERM, _interrupted)
    workdir = keep or Path(tempfile.mkdtemp(prefix=f"{name}-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        work(workdir)
    except BenchError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return str(exc)
    finally:
        if keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return None


if __name__ == "__main__":
    sys.exit(main())
