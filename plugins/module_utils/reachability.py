# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cross-cloud reachability: a pure engine over a normalised snapshot of both clouds.

No SDK, no I/O: ``reachability_snapshot.py`` reads the clouds into a plain dict (its format:
reachability_index.py), ``analyse(snapshot)`` traces every ordered probe pair hop by hop and
``reachability_report.py`` renders the result. This file is the public entry point; the engine
lives along its seams (docs/reachability.md has the picture, the cause codes and how to extend it):

- reachability_index.py     the snapshot indexed by id, labels;
- reachability_tables.py    address arithmetic, longest-prefix-match tables, one per routing domain;
- reachability_tunnels.py   AWS tunnel <-> Alibaba IPsec pairing, checked with the rules in ipsec.py;
- reachability_trace.py     the memoised tracer, pairs both ways;
- reachability_steps.py     what each routing-domain kind and each next-hop kind does;
- reachability_hints.py     what to change when a hop has nowhere to go;
- reachability_topology.py  connected components, overlapping CIDRs, the topology picture;
- reachability_causes.py    the cause codes beside every failure and warning sentence.

Rules the engine applies (documented so results can be argued with):

- A probe starts in the route table of the subnet / vSwitch holding its IP.
- Every route table is longest-prefix-matched. AWS: ``local`` delivers inside the VPC,
  ``transit_gateway`` enters the TGW through the VPC's attachment and the TGW route table
  associated with that attachment. TGW routes lead to a VPC attachment (delivered if the
  VPC holds the address), a VPN attachment (its VPN connection's tunnels) or a peering
  attachment (the peer TGW's table associated with it). Propagated routes are derived from
  propagations of VPC attachments when the snapshot does not list them.
- A VPN connection carries traffic over a tunnel whose Alibaba end (an IPsec connection
  whose customer gateway IP is the tunnel's outside IP, on a VPN gateway whose public IP is
  the AWS customer gateway's IP) passes every check: outside IPs, PSK (hash equality), IKE
  version and main mode, identities, a common phase-1 and phase-2 proposal with lifetimes
  AWS accepts, Alibaba selectors inside the AWS connection's networks (one SA pair per
  tunnel with IKEv1), and no side reporting the tunnel down. Selectors also filter which addresses may use it.
- Alibaba route tables hold their vSwitch CIDRs (system, delivered locally), custom entries
  (next hop VpnGateway -> IPsec; RouterInterface -> the opposite interface's VPC; VpcPeer -> the
  peer VPC over an Activated peering connection; Attachment -> the transit router table associated
  with that VPC connection), the routes a transit router synchronised into the VPC (type CEN, next
  hop Attachment) and, in a VPC attached to a Basic CEN, the routes CEN learned from the other
  attached VPCs: their vSwitch CIDRs and their custom entries whose publish status is Published.
  An own entry wins over a learned one of the same prefix. Basic CEN entries listed in a route
  table are not trusted on their own: the CEN attachments and publish states decide.
- An Enterprise transit router forwards what arrives on a connection by the route table associated
  with that connection (none: dropped), longest prefix over the table's Active routes (static and
  learned, as the cloud lists them): a VPC connection leads into the VPC's system route table, an
  inter-region connection to the far router's table associated with it, a VPN attachment out
  through its IPsec connection's tunnels.
- A VPN gateway sends by the IPsec connection whose selectors hold the destination; with none
  and a connection in destination routing (both selectors 0.0.0.0/0) by its VPN route entries:
  longest prefix, the active (weight 100) entry unless its connection is down and the standby's
  (weight 0) works. A connection sends by its first working tunnel, master first; each tunnel of a
  dual-tunnel or TR-attached connection pairs with the AWS tunnel whose outside IP is its customer
  gateway (and whose VPN's customer gateway is the tunnel's own IP).
- A pair is reachable when the request reaches the destination VPC and the reply reaches
  the source VPC. Paths through different transit pieces each way are flagged asymmetric.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.multicloud.transit.plugins.module_utils import reachability_causes as causes
from ansible_collections.multicloud.transit.plugins.module_utils.reachability_index import SnapshotIndex
from ansible_collections.multicloud.transit.plugins.module_utils.reachability_steps import STEPS
from ansible_collections.multicloud.transit.plugins.module_utils.reachability_tables import (
    RoutingTables,
    Table,
    contains,
    ip_int,
    net,
)
from ansible_collections.multicloud.transit.plugins.module_utils.reachability_topology import (
    link_warnings,
    overlaps,
    topology,
)
from ansible_collections.multicloud.transit.plugins.module_utils.reachability_trace import MAX_HOPS, Trace, Tracer, hop
from ansible_collections.multicloud.transit.plugins.module_utils.reachability_tunnels import TunnelPairing

# The public names (modules, scripts and tests use these; the rest is reached through the files above).
__all__ = ["analyse", "Engine", "CAUSES", "MAX_HOPS", "Table", "Trace", "contains", "hop", "ip_int", "net"]

CAUSES = causes.CAUSES


class Engine(object):
    """Build once from a snapshot; ``trace`` / ``trace_pair`` reuse every precomputed table.

    ``steps`` replaces the per-kind steps (reachability_steps.STEPS), ``table_builders`` the
    table builders (reachability_tables.TABLE_BUILDERS): how an extension is tried out.
    """

    def __init__(self, snapshot, steps=None, table_builders=None):
        self.index = SnapshotIndex(snapshot)
        self.tunnels = TunnelPairing(self.index)
        self.routing = RoutingTables(self.index, table_builders)
        self.tracer = Tracer(self.index, self.routing, self.tunnels, STEPS if steps is None else steps)
        self.ipsec_checks = self.tunnels.checks
        self.warnings = self.tunnels.warnings + link_warnings(self.index)
        self.blackholes = self.routing.blackholes
        self.trace = self.tracer.trace
        self.trace_pair = self.tracer.trace_pair
        self.locate = self.tracer.locate
        self.dclass = self.tracer.dclass


def analyse(snapshot, required=None, probes=None, with_hops=True):
    """Trace every ordered probe pair; return the report dict (JSON-serialisable).

    ``required``: None / "all" (every pair) or a list of [from, to] probe names that must be
    reachable. ``with_hops=False`` leaves the hop lists out (large benches).
    """
    engine = Engine(snapshot)
    index = engine.index
    probes = list(probes if probes is not None else (snapshot or {}).get("probes") or [])
    located, unplaced = [], []
    for p in probes:
        where, why = engine.locate(p)
        if where is None:
            unplaced.append({"probe": p["name"], "ip": p["ip"], "code": causes.PROBE_UNPLACED, "reason": why})
            continue
        ip_value = ip_int(p["ip"])
        located.append((p, where, ip_value, None))
    # Probes in the same route table whose addresses fall in the same prefixes route alike:
    # trace once per group pair, then expand to the probes.
    groups, order = {}, []
    for p, where, ip_value, dummy in located:
        key = (where, engine.dclass(ip_value))
        if key not in groups:
            groups[key] = (where, ip_value, key[1], [])
            order.append(key)
        groups[key][3].append((p, p["name"], p["ip"]))
    names = [p["name"] for p in probes]
    pairs, broken, blamed = [], [], set()
    required_set = _required(required, names)
    every_pair = required_set is None
    trace_pair, add_pair = engine.trace_pair, pairs.append
    warned = {}   # element (a connection, an IPsec connection) -> codes of the warnings about it
    for warning in engine.warnings:
        warned.setdefault(warning["element"], set()).add(warning["code"])
    for skey in order:
        s_where, s_ip, s_cls, s_probes = groups[skey]
        for dkey in order:
            d_where, d_ip, d_cls, d_probes = groups[dkey]
            reachable, fwd, ret, cause, code, asym = trace_pair((None, s_where, s_ip, s_cls),
                                                                (None, d_where, d_ip, d_cls))
            broken_hop = None
            if not reachable:
                info = fwd["broken"] if not fwd["reachable"] else ret["broken"]
                if info and info.get("element"):
                    blamed.add(info["element"])
                if with_hops:
                    broken_hop = info if not fwd["reachable"] else dict(info, direction="return")
            for sp, s_name, s_addr in s_probes:
                for dp, d_name, d_addr in d_probes:
                    if sp is dp:
                        continue
                    item = {"from": s_name, "to": d_name, "src_ip": s_addr, "dst_ip": d_addr, "reachable": reachable,
                            "asymmetric": asym, "cause": cause, "cause_code": code,
                            "required": every_pair or (s_name, d_name) in required_set}
                    if with_hops:
                        item["hops"] = fwd["trace"].hops
                        item["return_hops"] = ret["trace"].hops
                        item["broken_hop"] = broken_hop
                    add_pair(item)
                    if not reachable:
                        broken.append(item)
    if warned:
        _mark_warnings(engine, groups, order, pairs, warned)
    for u in unplaced:
        for other in names:
            if other == u["probe"]:
                continue
            for a, b in ((u["probe"], other), (other, u["probe"])):
                item = {"from": a, "to": b, "reachable": False, "asymmetric": False,
                        "cause_code": causes.PROBE_UNPLACED,
                        "cause": "probe %s cannot be placed: %s" % (u["probe"], u["reason"]),
                        "required": (a, b) in required_set if required_set is not None else True}
                pairs.append(item)
                broken.append(item)
    return {
        "probes": probes,
        "unplaced": unplaced,
        "pairs": pairs,
        "pair_count": len(pairs),
        "reachable_count": sum(1 for p in pairs if p["reachable"]),
        "broken": [dict((k, b[k]) for k in ("from", "to", "cause", "cause_code", "required")) for b in broken],
        "broken_required": [dict((k, b[k]) for k in ("from", "to", "cause", "cause_code"))
                            for b in broken if b["required"]],
        "asymmetric": [{"from": p["from"], "to": p["to"], "code": causes.ASYMMETRIC_PATH}
                       for p in pairs if p.get("asymmetric")],
        "ipsec_checks": engine.ipsec_checks,
        "tunnels": engine.tunnels.tunnels,
        "warnings": engine.warnings,
        "overlaps": overlaps(index, engine.ipsec_checks),
        "blackholes": engine.blackholes,
        "topology": topology(index, engine.ipsec_checks, blamed),
    }


def _mark_warnings(engine, groups, order, pairs, warned):
    """``warnings`` (codes) on the pairs whose path, either way, crosses a piece a warning is about.

    A second pass over the memoised paths, only when there are warnings: one more key in every pair's dict
    would cost the large benches even without any.
    """
    by_names = dict(((p["from"], p["to"]), p) for p in pairs)
    for skey in order:
        s_where, s_ip, s_cls, s_probes = groups[skey]
        for dkey in order:
            d_where, d_ip, d_cls, d_probes = groups[dkey]
            dummy, fwd, ret, dummy_cause, dummy_code, dummy_asym = engine.trace_pair(
                (None, s_where, s_ip, s_cls), (None, d_where, d_ip, d_cls))
            crossed = [warned[e] for e in fwd["via"] | ret["via"] if e in warned]
            if not crossed:
                continue
            codes = sorted(set().union(*crossed))
            for sp, s_name, dummy_s in s_probes:
                for dp, d_name, dummy_d in d_probes:
                    if sp is not dp:
                        by_names[(s_name, d_name)]["warnings"] = codes


def _required(required, names):
    if required is None or required == "all" or required == ["all"]:
        return None
    out = set()
    for pair in required:
        if len(pair) != 2:
            raise ValueError("each required entry must be [from, to], got %r" % (pair,))
        for n in pair:
            if n not in names:
                raise ValueError("required pair names unknown probe %r (probes: %s)" % (n, ", ".join(names)))
        out.add((pair[0], pair[1]))
    return out
