# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The VPN bridge between an AWS Transit Gateway and Alibaba Cloud, as pure functions.

One rule, one place: which Alibaba tunnel meets which AWS VPN connection and tunnel (``pairs``), which AWS
tunnels are idle by design (``idle_tunnels``), the names of everything a bridge creates, the module inputs
the vpn_bridge role passes (through plugins/filter/bridge.py), the tunnels' status rows and the verdict.
The reachability engine may use ``pairs`` / ``idle_tunnels`` too. No SDK, no I/O.

Why the pairing is what it is: AWS accepts IKE for a VPN connection only from that connection's customer
gateway IP, and an Alibaba dual-tunnel connection has two source IPs (tunnel 1 / master, tunnel 2 / slave).

- ``transit_router`` (default): one IPsec connection attached to the transit router, tunnel IPs a1, a2
  <-> two AWS VPN connections ``<bridge>-1`` (customer gateway a1) and ``<bridge>-2`` (customer gateway a2);
  Alibaba tunnel k <-> tunnel 1 of ``<bridge>-k``. Tunnel 2 of each AWS connection has no possible peer
  (both Alibaba IPs are taken) and stays idle.
- ``vpn_gateway``: a dual-tunnel VPN gateway (g1, g2) <-> ``<bridge>-1`` (customer gateway g1) and
  ``<bridge>-2`` (g2); connection ``<bridge>-a``: master(g1) -> VPN-1/T1, slave(g2) -> VPN-2/T1; connection
  ``<bridge>-b``: master(g1) -> VPN-1/T2, slave(g2) -> VPN-2/T2. Every AWS tunnel is used.

Tunnel numbers (``pairs(mode)[i]["number"]``, 1-based) order the pre-shared keys: ``psks[i]`` is the key of
pair ``i + 1`` on both clouds, and ``psk_from_seed(seed, bridge, number)`` derives it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import ipaddress

from ansible_collections.multicloud.transit.plugins.module_utils import ipsec

TRANSIT_ROUTER = "transit_router"
VPN_GATEWAY = "vpn_gateway"
MODES = (TRANSIT_ROUTER, VPN_GATEWAY)
AWS_VPNS_PER_BRIDGE = 2
PLACEHOLDER_IP = "192.0.2.1"  # RFC 5737 TEST-NET-1: never an AWS tunnel outside IP
ALI_UP = "ipsec_sa_established"
AWS_UP = "UP"
IDLE_REASON = ("idle by design: AWS takes IKE for a VPN connection only from its customer gateway IP, and both "
               "Alibaba tunnel IPs are already the peers of tunnel 1 of the two connections")

# (alicloud connection index, alicloud tunnel index (1 master, 2 slave), aws vpn number, aws tunnel number)
_PAIRS = {
    TRANSIT_ROUTER: ((0, 1, 1, 1), (0, 2, 2, 1)),
    VPN_GATEWAY: ((0, 1, 1, 1), (0, 2, 2, 1), (1, 1, 1, 2), (1, 2, 2, 2)),
}
_IDLE = {TRANSIT_ROUTER: ((1, 2), (2, 2)), VPN_GATEWAY: ()}
_ROLES = {1: "master", 2: "slave"}

# Defaults of a bridge dict (the transit_plan's `bridges` entries carry every key; direct role users may not).
DEFAULTS = {
    "mode": TRANSIT_ROUTER, "aws_hub": None, "alicloud_hub": None, "aws_host": None, "alicloud_host": None,
    "alicloud_vpc": None, "tunnels": None, "psk_source": None, "ike": {}, "tunnel_inside_cidrs": [],
    "placeholder_ip": PLACEHOLDER_IP, "tags": {},
    "gateway": {"bandwidth": 10, "instance_charge_type": None, "period": None},
}
REQUIRED = ("name", "aws_region", "alicloud_region", "tgw", "cen", "aws_prefixes", "alicloud_prefixes")


class BridgeError(ValueError):
    """A bridge input a cloud would refuse; ``problems`` lists why, one sentence each (never a key)."""

    def __init__(self, problems):
        super(BridgeError, self).__init__("; ".join(problems))
        self.problems = problems


# --- the pairing ------------------------------------------------------------------------------------------------
def _mode(mode):
    if mode not in MODES:
        raise BridgeError(["mode: %r is not a bridge mode; use %s" % (mode, " or ".join(MODES))])
    return mode


def pairs(mode):
    """The used tunnels of a bridge in ``mode``, in key order: one dict per tunnel.

    ``number`` (1-based, orders the keys), ``alicloud_connection`` (0 = the attachment or ``<bridge>-a``,
    1 = ``<bridge>-b``), ``alicloud_tunnel`` (1 master, 2 slave), ``alicloud_role``, ``aws_vpn`` (1, 2) and
    ``aws_tunnel`` (1, 2).
    """
    return [{"number": number, "alicloud_connection": conn, "alicloud_tunnel": tunnel,
             "alicloud_role": _ROLES[tunnel], "aws_vpn": vpn, "aws_tunnel": aws_tunnel}
            for number, (conn, tunnel, vpn, aws_tunnel) in enumerate(_PAIRS[_mode(mode)], start=1)]


def idle_tunnels(mode):
    """``[(aws vpn number, aws tunnel number)]`` that have no possible peer in ``mode`` (never warned about)."""
    return list(_IDLE[_mode(mode)])


def tunnel_count(mode):
    """How many tunnels carry traffic (and take a pre-shared key): 2 (transit_router) or 4 (vpn_gateway)."""
    return len(_PAIRS[_mode(mode)])


def aws_vpn_names(name):
    """Names (Name tags) of the bridge's AWS VPN connections and of their customer gateways."""
    return ["%s-%d" % (name, number) for number in range(1, AWS_VPNS_PER_BRIDGE + 1)]


def alicloud_connection_names(name, mode):
    """Names of the bridge's Alibaba IPsec connections: the TR attachment, or connections A and B."""
    return [name] if _mode(mode) == TRANSIT_ROUTER else ["%s-a" % name, "%s-b" % name]


def alicloud_customer_gateway_name(name, aws_vpn, aws_tunnel):
    """Name of the Alibaba customer gateway standing for tunnel ``aws_tunnel`` of AWS VPN ``aws_vpn``."""
    return "%s-aws-%d-%d" % (name, aws_vpn, aws_tunnel)


def placeholder_name(name):
    return "%s-placeholder" % name


# --- the bridge dict -----------------------------------------------------------------------------------------------
def _cidr_problem(value):
    try:
        ipaddress.ip_network(u"%s" % value, strict=True)
        return None
    except ValueError:
        return "%r is not a CIDR block (network address / prefix length, such as 172.16.0.0/16)" % (value,)


def normalize(bridge, psks=None, seed=None):
    """``bridge`` with every default filled; raises BridgeError naming each missing or wrong field.

    ``psks`` / ``seed``, when given, are checked as ``keys`` checks them; the result never holds them.

    Pre-flight (the topology plan) checks the same and more across the whole topology; this is what the
    role itself needs when a user passes the dict by hand.
    """
    if not isinstance(bridge, dict):
        raise BridgeError(["vpn_bridge must be a dictionary (a transit_plan.bridges entry)"])
    out = copy.deepcopy(DEFAULTS)
    for key, value in bridge.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key].update(dict((k, v) for k, v in value.items() if v is not None))
        elif value is not None:
            out[key] = copy.deepcopy(value)
    problems = ["vpn_bridge.%s is required" % key for key in REQUIRED if out.get(key) in (None, "", [])]
    if out["mode"] not in MODES:
        problems.append("vpn_bridge.mode: %r is not a bridge mode; use %s" % (out["mode"], " or ".join(MODES)))
    elif out["mode"] == VPN_GATEWAY and not out.get("alicloud_vpc"):
        problems.append("vpn_bridge.alicloud_vpc is required in vpn_gateway mode (the VPC of the VPN gateway)")
    for key in ("aws_prefixes", "alicloud_prefixes"):
        for position, cidr in enumerate(out.get(key) or []):
            problem = _cidr_problem(cidr)
            if problem:
                problems.append("vpn_bridge.%s[%d]: %s" % (key, position, problem))
    problems.extend("vpn_bridge.ike: %s" % p for p in ipsec.proposal_problems(out["ike"]))
    if out["gateway"].get("instance_charge_type") not in (None, "PREPAY", "POSTPAY"):
        problems.append("vpn_bridge.gateway.instance_charge_type: %r is not PREPAY or POSTPAY"
                        % (out["gateway"]["instance_charge_type"],))
    if out["mode"] in MODES:
        count = tunnel_count(out["mode"])
        out["tunnels"] = count
        cidrs = out.get("tunnel_inside_cidrs") or []
        if len(cidrs) not in (0, count):
            problems.append("vpn_bridge.tunnel_inside_cidrs: give none or %d (one per used tunnel in %s mode)"
                            % (count, out["mode"]))
        for position, cidr in enumerate(cidrs):
            problems.extend("vpn_bridge.tunnel_inside_cidrs[%d]: %s" % (position, p)
                            for p in ipsec.inside_cidr_problems(cidr))
    for secret in ("psks", "psk_seed"):
        out.pop(secret, None)
    if not problems and (psks or seed):
        try:
            keys(out, psks, seed)
        except BridgeError as exc:
            problems.extend(exc.problems)
    if problems:
        raise BridgeError(problems)
    return out


def _split(value, prefix):
    """An id (``prefix``-...) or a name -> ``(id or None, name or None)``."""
    value = value or None
    if value and str(value).startswith(prefix):
        return value, None
    return None, value


def references(bridge):
    """Lookup keys and names of the bridge: what the role's tasks need besides the module inputs.

    ``tgw_ids`` / ``tgw_names``, ``cen_id`` / ``cen_name``, ``vpc_id`` / ``vpc_name`` (``tgw``, ``cen`` and
    ``alicloud_vpc`` may each be an id or a name), ``aws_vpn_names``, ``alicloud_connection_names``,
    ``alicloud_customer_gateway_names`` (the AWS tunnels' stand-ins, pair order), ``placeholder_name``.
    """
    tgw_id, tgw_name = _split(bridge.get("tgw"), "tgw-")
    cen_id, cen_name = _split(bridge.get("cen"), "cen-")
    vpc_id, vpc_name = _split(bridge.get("alicloud_vpc"), "vpc-")
    name, mode = bridge["name"], _mode(bridge.get("mode") or TRANSIT_ROUTER)
    return {"tgw_ids": [tgw_id] if tgw_id else [], "tgw_names": [tgw_name] if tgw_name else [],
            "cen_id": cen_id, "cen_name": cen_name, "vpc_id": vpc_id, "vpc_name": vpc_name,
            "aws_vpn_names": aws_vpn_names(name), "alicloud_connection_names": alicloud_connection_names(name, mode),
            "alicloud_customer_gateway_names": [alicloud_customer_gateway_name(name, p["aws_vpn"], p["aws_tunnel"])
                                                for p in pairs(mode)],
            "placeholder_name": placeholder_name(name)}


def hubs_from_built(bridge, aws_built=None, alicloud_built=None):
    """The bridge's TGW, CEN and transit router from the hub roles' ``transit_built`` facts, as the lookups see them.

    ``aws_built`` / ``alicloud_built``: ``transit_built`` of the AWS and Alibaba hosts (docs/topology.md). Returns
    ``{tgw, cen, router}``; a part the facts do not hold (hub not built in this run, or only checked) is ``{}``, and
    the role reads it from the cloud instead. ``router``: ``transit_router_id``, ``type`` (Enterprise | Basic),
    ``vpc_attachments`` (``vpc_id``, ``transit_router_attachment_id``).
    """
    aws_hub = ((aws_built or {}).get("aws_hubs") or {}).get(bridge.get("aws_hub")) or {}
    ali_hub = ((alicloud_built or {}).get("alicloud_hubs") or {}).get(bridge.get("alicloud_hub")) or {}
    tgw = {"transit_gateway_id": aws_hub["tgw_id"]} if aws_hub.get("tgw_id") else {}
    cen = {"cen_id": ali_hub["cen_id"]} if ali_hub.get("cen_id") else {}
    region = (ali_hub.get("transit_routers") or {}).get(bridge.get("alicloud_region")) or {}
    router = {}
    if cen and region.get("transit_router_id"):
        attachment_ids = ali_hub.get("vpc_attachment_ids") or {}
        router = {"transit_router_id": region["transit_router_id"],
                  "system_route_table_id": region.get("system_route_table_id"),
                  "type": "Basic" if ali_hub.get("edition") == "basic" else "Enterprise",
                  "vpc_attachments": [{"vpc_id": v.get("vpc_id"), "transit_router_attachment_id": attachment_ids[v["key"]]}
                                      for v in ali_hub.get("vpcs") or [] if attachment_ids.get(v.get("key"))]}
    return {"tgw": tgw, "cen": cen, "router": router}


# --- pre-shared keys -------------------------------------------------------------------------------------------------
def keys(bridge, psks=None, seed=None, aws_vpns=None):
    """The pre-shared keys of the used tunnels, in pair order, or ``[]`` when none are known yet.

    Precedence: ``psks`` (given, checked against both clouds) > ``seed`` (``ipsec.psk_from_seed``) > the keys
    AWS generated, read back from ``aws_vpns`` (aws_vpn_connection(_info) results with ``return_secrets``).
    Errors never echo a key.
    """
    mode, name = _mode(bridge.get("mode") or TRANSIT_ROUTER), bridge["name"]
    count = tunnel_count(mode)
    if psks:
        psks = list(psks)
        problems = []
        if len(psks) != count:
            problems.append("psks: give %d keys in %s mode (one per used tunnel), got %d" % (count, mode, len(psks)))
        for position, psk in enumerate(psks):
            problems.extend("psks[%d]: %s" % (position, p) for p in ipsec.psk_problems(psk))
        if problems:
            raise BridgeError(problems)
        return psks
    if seed:
        return [ipsec.psk_from_seed(seed, name, pair["number"]) for pair in pairs(mode)]
    vpns = _by_name(aws_vpns or [], aws_vpn_names(name))
    found = []
    for pair in pairs(mode):
        tunnel = _tunnel(vpns[pair["aws_vpn"] - 1], pair["aws_tunnel"])
        psk = tunnel.get("pre_shared_key")
        if not psk or psk == "********" or not ipsec.valid_psk(psk):
            return []
        found.append(psk)
    return found


def psks_of(bridges, name):
    """``keys`` of the bridge ``name`` of a ``transit_vpn_bridges`` list (its ``psks`` / ``psk_seed``)."""
    for bridge in bridges or []:
        if isinstance(bridge, dict) and bridge.get("name") == name:
            entry = dict(bridge, mode=bridge.get("mode") or TRANSIT_ROUTER)
            return keys(entry, entry.get("psks"), entry.get("psk_seed"))
    raise BridgeError(["transit_vpn_bridges has no bridge named %r" % (name,)])


# --- module inputs ---------------------------------------------------------------------------------------------------
def _by_name(items, names):
    """``items`` (dicts with ``name``) in the order of ``names``; ``{}`` for a name none of them has."""
    named = dict((i.get("name"), i) for i in items or [] if isinstance(i, dict))
    return [named.get(n) or {} for n in names]


def _tunnel(vpn, number):
    tunnels = (vpn or {}).get("tunnels") or []
    return tunnels[number - 1] if len(tunnels) >= number else {}


def _alicloud_tunnel(connection, index):
    for tunnel in (connection or {}).get("tunnels") or []:
        if str(tunnel.get("tunnel_index")) == str(index) or tunnel.get("role") == _ROLES[index]:
            return tunnel
    return {}


def aws_customer_gateways(bridge, gateway_ips):
    """aws_customer_gateway ``customer_gateways``: the two Alibaba source IPs, as ``<bridge>-1`` / ``-2``."""
    ips = [ip for ip in gateway_ips or [] if ip]
    if len(ips) != AWS_VPNS_PER_BRIDGE or ips[0] == ips[1]:
        raise BridgeError(["the Alibaba side of bridge %s has no two distinct public IPs yet (got %s)"
                           % (bridge["name"], ", ".join(ips) or "none")])
    return [{"name": name, "ip_address": ip} for name, ip in zip(aws_vpn_names(bridge["name"]), ips)]


def aws_vpn_connections(bridge, customer_gateway_ids, psks=None):
    """The two AWS VPN connections: ``[{name, customer_gateway_id, tunnels}]`` on the bridge's proposal.

    A used tunnel gets its key (when known) and inside CIDR (when given); an idle tunnel gets the proposal only
    (AWS generates its key).
    """
    mode = _mode(bridge["mode"])
    proposal = ipsec.proposal(bridge.get("ike") or {})["aws"]
    cidrs = list(bridge.get("tunnel_inside_cidrs") or [])
    psks = list(psks or [])
    tunnels = [[dict(proposal) for _tunnel in range(ipsec.AWS_TUNNELS_PER_CONNECTION)]
               for _vpn in range(AWS_VPNS_PER_BRIDGE)]
    for position, pair in enumerate(pairs(mode)):
        tunnel = tunnels[pair["aws_vpn"] - 1][pair["aws_tunnel"] - 1]
        if psks:
            tunnel["pre_shared_key"] = psks[position]
        if cidrs:
            tunnel["tunnel_inside_cidr"] = cidrs[position]
    return [{"name": name, "customer_gateway_id": cgw, "tunnels": pair_tunnels}
            for name, cgw, pair_tunnels in zip(aws_vpn_names(bridge["name"]), customer_gateway_ids, tunnels)]


def aws_outside_ips(bridge, aws_vpns):
    """Outside IPs of the used AWS tunnels, in pair order (None where not known yet)."""
    vpns = _by_name(aws_vpns, aws_vpn_names(bridge["name"]))
    return [_tunnel(vpns[p["aws_vpn"] - 1], p["aws_tunnel"]).get("outside_ip_address") for p in pairs(bridge["mode"])]


def alicloud_customer_gateways(bridge, aws_vpns):
    """alicloud_customer_gateway ``customer_gateways``: one per used AWS tunnel, in pair order."""
    ips = aws_outside_ips(bridge, aws_vpns)
    if not all(ips):
        raise BridgeError(["the AWS VPN connections of bridge %s have no tunnel outside IPs yet" % bridge["name"]])
    return [{"name": alicloud_customer_gateway_name(bridge["name"], p["aws_vpn"], p["aws_tunnel"]), "ip_address": ip,
             "description": "AWS VPN %s-%d tunnel %d (multicloud.transit bridge %s)"
                            % (bridge["name"], p["aws_vpn"], p["aws_tunnel"], bridge["name"])}
            for p, ip in zip(pairs(bridge["mode"]), ips)]


def alicloud_tunnels(bridge, customer_gateway_ids, psks=None):
    """The ``tunnels`` option of each Alibaba connection, in connection order (one list per connection).

    ``customer_gateway_ids``: one per used tunnel in pair order (the placeholder's id twice at first).
    Unknown keys (``psks`` empty) are left out: the cloud keeps, or on creation generates, its own.
    """
    mode = _mode(bridge["mode"])
    proposal = ipsec.proposal(bridge.get("ike") or {})["alicloud"]
    ids, psks = list(customer_gateway_ids or []), list(psks or [])
    if len(ids) != tunnel_count(mode) or not all(ids):
        raise BridgeError(["bridge %s needs %d customer gateway ids for its Alibaba tunnels, got %d"
                           % (bridge["name"], tunnel_count(mode), len([i for i in ids if i]))])
    connections = [[None, None] for _name in alicloud_connection_names(bridge["name"], mode)]
    for position, pair in enumerate(pairs(mode)):
        tunnel = {"customer_gateway_id": ids[position], "ike_config": dict(proposal["ike_config"]),
                  "ipsec_config": dict(proposal["ipsec_config"])}
        if mode == VPN_GATEWAY:
            tunnel["role"] = pair["alicloud_role"]
        if psks:
            tunnel["pre_shared_key"] = psks[position]
        connections[pair["alicloud_connection"]][pair["alicloud_tunnel"] - 1] = tunnel
    return connections


def routes(bridge, kind, target, standby=None):
    """Route items toward the bridge, for one module's ``routes`` option.

    ``tgw``: aws_tgw_route_table routes, the Alibaba prefixes -> VPN connection ``target``;
    ``transit_router``: alicloud_transit_router_route_table routes, the AWS prefixes -> TR attachment ``target``;
    ``vpn_gateway``: alicloud_vpn_route_entry routes, the AWS prefixes -> connection ``target`` (weight 100)
    and ``standby`` (weight 0), published to the VPC.
    """
    if kind == "tgw":
        return [{"destination_cidr_block": cidr, "vpn_connection_id": target} for cidr in bridge["alicloud_prefixes"]]
    if kind == "transit_router":
        return [{"destination_cidr_block": cidr, "next_hop": target, "name": bridge["name"],
                 "description": "AWS via multicloud.transit bridge %s" % bridge["name"]}
                for cidr in bridge["aws_prefixes"]]
    if kind == "vpn_gateway":
        out = []
        for cidr in bridge["aws_prefixes"]:
            out.append({"route_dest": cidr, "next_hop": target, "weight": 100, "publish_vpc": True})
            if standby:
                out.append({"route_dest": cidr, "next_hop": standby, "weight": 0, "publish_vpc": True})
        return out
    raise BridgeError(["routes: kind %r is not tgw, transit_router or vpn_gateway" % (kind,)])


def cleanup(table, targets, destinations):
    """What a route table keeps once the bridge is gone: ``{routes, associations, found}``.

    ``table``: a TGW route table (aws_tgw_info) or a transit router route table (alicloud_transit_router_info).
    ``targets``: attachment / VPN connection ids of the bridge; ``destinations``: the prefixes it routes there.
    ``routes``: the table's other static routes as module items (for ``purge_routes``); ``associations``: its
    other associations (for ``purge_associations``); ``found``: whether anything of the bridge is still there.
    """
    targets = set(t for t in targets or [] if t)
    destinations = set(destinations or [])
    kept, found = [], False
    for route in (table or {}).get("routes") or []:
        if str(route.get("type", "")).lower() != "static":
            continue
        alibaba = "next_hop" in route
        hop = route.get("next_hop") if alibaba else route.get("attachment_id")
        if hop in targets and route.get("destination_cidr_block") in destinations:
            found = True
            continue
        item = {"destination_cidr_block": route["destination_cidr_block"]}
        if route.get("blackhole") or (not hop and route.get("state") == "blackhole"):
            item["blackhole"] = True
        else:
            item["next_hop" if alibaba else "attachment_id"] = hop
        kept.append(item)
    associations = []
    for item in (table or {}).get("associations") or []:
        att = item if isinstance(item, str) else (item.get("transit_gateway_attachment_id")
                                                  or item.get("transit_router_attachment_id"))
        if att in targets:
            found = True
        elif att:
            associations.append(att)
    return {"routes": kept, "associations": associations, "found": found}


# --- status ----------------------------------------------------------------------------------------------------------
def tunnel_rows(bridge, aws_vpns, alicloud_connections, customer_gateways=None):
    """One row per AWS tunnel of the bridge (used ones in pair order, then the idle ones).

    ``aws_vpns``: aws_vpn_connection_info ``vpn_connections``; ``alicloud_connections``: alicloud_vpn_info
    ``vpn_attachments`` (transit_router mode) or ``ipsec_connections`` (vpn_gateway mode); ``customer_gateways``:
    alicloud_vpn_info ``customer_gateways`` (to check each Alibaba tunnel points at its AWS tunnel).
    Row: number (None when idle), used, status (up | down | idle), reason, aws_vpn, aws_vpn_id, aws_tunnel,
    aws_outside_ip, aws_status, aws_message, alicloud_connection, alicloud_connection_id, alicloud_tunnel,
    alicloud_role, alicloud_gateway_ip, alicloud_status. Never a key.
    ``aws_vpns`` or ``alicloud_connections`` None: that cloud is not judged (waiting on the other one).
    """
    name, mode = bridge["name"], _mode(bridge["mode"])
    vpn_names, conn_names = aws_vpn_names(name), alicloud_connection_names(name, mode)
    vpns, conns = _by_name(aws_vpns, vpn_names), _by_name(alicloud_connections, conn_names)
    cgw_ips = dict((c.get("customer_gateway_id"), c.get("ip_address")) for c in customer_gateways or [])
    rows = []
    for pair in pairs(mode):
        vpn, conn = vpns[pair["aws_vpn"] - 1], conns[pair["alicloud_connection"]]
        aws, ali = _tunnel(vpn, pair["aws_tunnel"]), _alicloud_tunnel(conn, pair["alicloud_tunnel"])
        row = _aws_row(vpn_names[pair["aws_vpn"] - 1], vpn, pair["aws_tunnel"], aws)
        row.update(number=pair["number"], used=True, alicloud_connection=conn_names[pair["alicloud_connection"]],
                   alicloud_connection_id=conn.get("vpn_connection_id"), alicloud_tunnel=pair["alicloud_tunnel"],
                   alicloud_role=pair["alicloud_role"], alicloud_gateway_ip=ali.get("gateway_ip"),
                   alicloud_status=ali.get("status"))
        problems = []
        if aws_vpns is not None and not vpn:
            problems.append("AWS VPN connection %s does not exist" % row["aws_vpn"])
        elif aws_vpns is not None and row["aws_status"] != AWS_UP:
            problems.append("AWS says %s%s" % (row["aws_status"] or "no status",
                                               ": " + row["aws_message"] if row["aws_message"] else ""))
        if alicloud_connections is not None and not conn:
            problems.append("Alibaba IPsec connection %s does not exist" % row["alicloud_connection"])
        elif alicloud_connections is not None and row["alicloud_status"] != ALI_UP:
            problems.append("Alibaba says %s" % (row["alicloud_status"] or "no status"))
        peer_ip = cgw_ips.get(ali.get("customer_gateway_id"))
        if peer_ip and row["aws_outside_ip"] and peer_ip != row["aws_outside_ip"]:
            problems.append("the Alibaba tunnel points at %s, not at this AWS tunnel's outside IP %s; re-run the "
                            "bridge" % (peer_ip, row["aws_outside_ip"]))
        row.update(status="down" if problems else "up", reason="; ".join(problems))
        rows.append(row)
    for vpn_number, aws_tunnel in idle_tunnels(mode):
        vpn = vpns[vpn_number - 1]
        row = _aws_row(vpn_names[vpn_number - 1], vpn, aws_tunnel, _tunnel(vpn, aws_tunnel))
        row.update(number=None, used=False, status="idle", reason=IDLE_REASON, alicloud_connection=None,
                   alicloud_connection_id=None, alicloud_tunnel=None, alicloud_role=None, alicloud_gateway_ip=None,
                   alicloud_status=None)
        rows.append(row)
    return rows


def _aws_row(vpn_name, vpn, number, tunnel):
    return {"aws_vpn": vpn_name, "aws_vpn_id": (vpn or {}).get("vpn_connection_id"), "aws_tunnel": number,
            "aws_outside_ip": tunnel.get("outside_ip_address"), "aws_status": tunnel.get("status"),
            "aws_message": tunnel.get("status_message") or ""}


def _line(bridge, row):
    aws = "AWS %s (%s) tunnel %d %s" % (
        row["aws_vpn"], row["aws_vpn_id"] or "missing", row["aws_tunnel"], row["aws_outside_ip"] or "-")
    if not row["used"]:
        return "%s tunnel -: %s: %s" % (bridge["name"], aws, row["reason"])
    ali = "Alibaba %s (%s) tunnel %d/%s %s" % (
        row["alicloud_connection"], row["alicloud_connection_id"] or "missing", row["alicloud_tunnel"],
        row["alicloud_role"], row["alicloud_gateway_ip"] or "-")
    tail = "UP" if row["status"] == "up" else "DOWN (%s)" % row["reason"]
    return "%s tunnel %d: %s <-> %s: %s" % (bridge["name"], row["number"], ali, aws, tail)


def settled_rows(bridge, aws_vpns, alicloud_connections, customer_gateways, changed):
    """The tunnel rows from what the bridge flow's reconcilers returned, when they already prove the state.

    ``aws_vpns`` / ``alicloud_connections`` / ``customer_gateways``: as for :func:`tunnel_rows`, from the
    reconcilers' results; ``changed``: whether any of them changed something in this run. Unchanged, with every
    used tunnel up as they read it, a second read of both clouds would say the same: return those rows. After a
    change (tunnels may still be negotiating), or with a tunnel down (worth a fresh read, or a wait), return
    ``[]``: the flow reads both clouds again.
    """
    if changed:
        return []
    rows = tunnel_rows(bridge, aws_vpns, alicloud_connections, customer_gateways)
    return rows if verdict(bridge, rows)["state"] == "up" else []


def verdict(bridge, rows):
    """What the rows mean for the bridge.

    ``state``: ``up`` (every used tunnel up), ``degraded`` (some up: traffic flows, the others are warned
    about), ``down`` (no working path). ``lines``: one per tunnel. ``warnings`` / ``failure``: sentences
    naming each down tunnel and its reason. ``aws_vpn_id``: where the TGW routes for the Alibaba prefixes go -
    the first AWS VPN connection (``<bridge>-1`` first) with a used tunnel up, else the first that exists.
    """
    used = [r for r in rows if r["used"]]
    up = [r for r in used if r["status"] == "up"]
    down = [r for r in used if r["status"] != "up"]
    state = "up" if not down else ("degraded" if up else "down")
    lines = [_line(bridge, r) for r in rows]
    downs = ["tunnel %d (Alibaba %s tunnel %d <-> AWS %s tunnel %d): %s"
             % (r["number"], r["alicloud_connection"], r["alicloud_tunnel"], r["aws_vpn"], r["aws_tunnel"], r["reason"])
             for r in down]
    warnings = ["bridge %s: %s is down while its partner path carries traffic" % (bridge["name"], d)
                for d in downs] if state == "degraded" else []
    failure = ("bridge %s has no working path: %s" % (bridge["name"], "; ".join(downs))) if state == "down" else ""
    candidates = [r["aws_vpn_id"] for r in sorted(up, key=lambda r: r["aws_vpn"])] + [r["aws_vpn_id"] for r in used]
    preferred = next((v for v in candidates if v), None)
    return {"state": state, "lines": lines, "warnings": warnings, "failure": failure,
            "up": [r["number"] for r in up], "down": [r["number"] for r in down],
            "aws_vpn_id": preferred}
