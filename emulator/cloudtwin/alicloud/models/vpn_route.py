"""VPN gateway route entries: destination routing (product Vpc, 2016-04-28).

A connection whose LocalSubnet and RemoteSubnet are both 0.0.0.0/0 is in destination-routing mode
(CreateVpnConnection: "the destination routing mode is used"): its tunnel may be up, but the gateway
sends it traffic only for the VPN route entries that name it (``NextHop``). Rules from the
CreateVpnRouteEntry / DeleteVpnRouteEntry / ModifyVpnRouteEntryWeight / PublishVpnRouteEntry references
and "Manage destination-based routes":

- RouteDest is a CIDR block, not 0.0.0.0/0, not 100.64.0.0/10 nor inside or around it;
- NextHop is an IPsec-VPN connection of the same VPN gateway; Weight 100 (active) or 0 (standby);
- active/standby routes share a destination, with different next hops and different weights, so a
  destination has at most one active and one standby route;
- ModifyVpnRouteEntryWeight needs the other route of an active/standby pair deleted first;
- PublishVpc / PublishVpnRouteEntry put the route into the VPC's system route table with the VPN
  gateway as next hop (``State`` published / normal), as a custom route: the table holds one route per
  destination, so a published destination refuses a custom route with the same destination and the other
  way round (``RouterEntryConflict.Duplicated``, ``vpc.custom_entry_at``);
- matching: longest prefix; of an active/standby pair the active one unless its connection is down
  and the standby's up (both down: the active one).

Route changes are asynchronous: the gateway shows ``updating`` (``VpnGateway.Configuring`` meanwhile).
``vpn_route_for`` and ``carries_traffic_to`` answer the data-plane questions for the twin and tests.
"""

from __future__ import annotations

import hashlib
import ipaddress
from typing import Any, Dict, List, Optional

from .base import ApiError, Request, Resource, State, action, invalid_parameter, missing_parameter, page_by_number
from .vpc import custom_entry_at, duplicated_route, register_learned_routes, system_table
from .vpn import busy_while, dry_run, get_vpn_gateway, now_ms, require_idle, tunnels
from .vpn_gateway import is_dual_tunnel
from .vpn_ipsec import ESTABLISHED

KIND = "VpnRouteEntry"
WEIGHTS = (0, 100)
ACTIVE_WEIGHT = 100
RESERVED = ipaddress.ip_network("100.64.0.0/10")
ANY = ipaddress.ip_network("0.0.0.0/0")
OVERLAY_MODES = ("Ipsec",)


# --- data-plane helpers (pure) -------------------------------------------------------------------------

def connection_is_up(vco: Optional[Resource]) -> bool:
    """A connection carries traffic when it (or one of its tunnels) has its IPsec SA established."""
    if vco is None or vco.deleted:
        return False
    if tunnels(vco):
        return any(t.get("Status") == ESTABLISHED for t in tunnels(vco))
    return vco.get("Status") == ESTABLISHED


def routing_mode(vco: Resource) -> str:
    """``destination`` (both selectors 0.0.0.0/0: VPN route entries decide) or ``protected`` (selectors)."""
    both_any = all(s.strip() == "0.0.0.0/0" for s in (vco.get("LocalSubnet", ""), vco.get("RemoteSubnet", "")))
    return "destination" if both_any else "protected"


def routes_of(state: State, gateway_id: str) -> List[Resource]:
    return [r for r in state.all(KIND, include_invisible=True) if r["VpnInstanceId"] == gateway_id]


def routes_via(state: State, vco_id: str) -> List[Resource]:
    return [r for r in state.all(KIND, include_invisible=True) if r["NextHop"] == vco_id]


def vpn_route_for(state: State, gateway_id: str, dest_ip: str) -> Optional[Resource]:
    """The connection a VPN gateway's destination routes send ``dest_ip`` to, or None.

    Longest prefix first; of an active/standby pair the active route unless its connection is down and
    the standby's is up. The connection returned may be down (the active route wins when both are):
    check ``connection_is_up`` to know whether traffic gets through.
    """
    ip = ipaddress.ip_address(dest_ip)
    matching = [r for r in routes_of(state, gateway_id) if ip in ipaddress.ip_network(r["RouteDest"])]
    if not matching:
        return None
    longest = max(ipaddress.ip_network(r["RouteDest"]).prefixlen for r in matching)
    best = sorted((r for r in matching if ipaddress.ip_network(r["RouteDest"]).prefixlen == longest),
                  key=lambda r: -r["Weight"])
    active = state.find("VpnConnection", best[0]["NextHop"])
    if not connection_is_up(active):
        for standby in best[1:]:
            candidate = state.find("VpnConnection", standby["NextHop"])
            if connection_is_up(candidate):
                return candidate
    return active


def carries_traffic_to(state: State, vco: Resource, dest_ip: str, source_ip: Optional[str] = None) -> bool:
    """Whether traffic toward ``dest_ip`` leaves through ``vco`` (and its tunnel is up).

    Destination-routing mode on a VPN gateway: the gateway's VPN route entries must choose ``vco``.
    Protected-data-flow mode: ``dest_ip`` must be inside RemoteSubnet (and ``source_ip``, when given,
    inside LocalSubnet). A TR-attached connection in destination-routing mode takes what the transit
    router's route tables send it, which its owner (the transit router model) decides: True when up.
    """
    if not connection_is_up(vco):
        return False
    if routing_mode(vco) == "protected":
        def inside(ip: str, cidrs: str) -> bool:
            return any(ipaddress.ip_address(ip) in ipaddress.ip_network(c.strip()) for c in cidrs.split(","))
        return inside(dest_ip, vco["RemoteSubnet"]) and (source_ip is None or inside(source_ip, vco["LocalSubnet"]))
    if not vco.get("VpnGatewayId"):
        return True
    chosen = vpn_route_for(state, vco["VpnGatewayId"], dest_ip)
    return chosen is not None and chosen.id == vco.id


# --- views ------------------------------------------------------------------------------------------------

def _next_hop_tunnel(state: State, vco_id: str) -> str:
    """The tunnel traffic takes: the master unless it is down and the slave up."""
    vco = state.find("VpnConnection", vco_id)
    items = sorted(tunnels(vco) if vco is not None else [], key=lambda t: t["Role"] != "master")
    up = [t for t in items if t.get("Status") == ESTABLISHED]
    return (up or items or [{"TunnelId": ""}])[0]["TunnelId"]


def route_view(state: State, route: Resource, dual: bool) -> Dict[str, Any]:
    """A route as DescribeVpnRouteEntries lists it (its model has no Description nor OverlayMode)."""
    out = {k: route[k] for k in ("VpnInstanceId", "RouteDest", "NextHop", "Weight", "CreateTime", "State")}
    out.update({"RouteEntryType": "Custom", "Source": "", "AsPath": "", "Community": ""})
    if dual:
        out["NextHopTunnelId"] = _next_hop_tunnel(state, route["NextHop"])
    return out


# --- request helpers ---------------------------------------------------------------------------------------

def _route_dest(value: str) -> str:
    try:
        net = ipaddress.ip_network(value, strict=True)
    except ValueError:
        raise ApiError("IllegalParam.RouteDest", f"The specified RouteDest ({value}) is not a CIDR block.")
    if net == ANY:
        # "You cannot add a destination-based route whose destination CIDR block is 0.0.0.0/0."
        raise ApiError("IllegalParam.RouteDest", "A destination-based route cannot have the destination 0.0.0.0/0.")
    if net.version == 4 and net.overlaps(RESERVED):
        # "Do not add a destination-based route whose destination CIDR block is 100.64.0.0/10, a subnet of
        # 100.64.0.0/10, or a CIDR block that contains 100.64.0.0/10."
        raise ApiError("IllegalParam.RouteDest",  # undocumented: the docs warn that negotiation then fails
                       f"The destination {net} overlaps 100.64.0.0/10, which VPN Gateway reserves.")
    return str(net)


def _weight(req: Request, name: str = "Weight") -> int:
    weight = req.int(name)
    if weight is None:
        raise missing_parameter(name)
    if weight not in WEIGHTS:
        raise invalid_parameter(name, weight)
    return weight


def _overlay(req: Request) -> str:
    mode = req.get("OverlayMode", "Ipsec")
    if mode not in OVERLAY_MODES:
        raise invalid_parameter("OverlayMode", mode)
    return mode


def _publish(req: Request, name: str = "PublishVpc") -> bool:
    if req.get(name) is None:
        raise missing_parameter(name)
    return bool(req.bool(name))


def _find_route(req: Request, gw: Resource, dest: str, next_hop: str, weight: Optional[int] = None) -> Resource:
    for route in routes_of(req.state, gw.id):
        if route["RouteDest"] == dest and route["NextHop"] == next_hop and weight in (None, route["Weight"]):
            return route
    raise ApiError("VpnRouteEntry.NotFound",  # undocumented
                   f"The VPN gateway {gw.id} has no destination route {dest} via {next_hop}"
                   + (f" with weight {weight}." if weight is not None else "."), 404)


def _next_hop(req: Request, gw: Resource) -> Resource:
    vco_id = req.require("NextHop")
    vco = req.state.find("VpnConnection", vco_id)
    if vco is None or vco.owner != req.account.uid or vco.get("VpnGatewayId") != gw.id:
        raise ApiError("InvalidNextHop.NotFound",  # undocumented
                       f"The next hop {vco_id} is not an IPsec-VPN connection of the VPN gateway {gw.id}.", 404)
    return vco


def _refuse_taken_vpc_destination(req: Request, gw: Resource, dest: str) -> None:
    """Publishing puts ``dest`` into the VPC's system route table, which holds one route per destination."""
    vpc = req.state.find("Vpc", gw["VpcId"])
    table = system_table(req.state, vpc) if vpc is not None else None
    taken = custom_entry_at(req.state, table, dest, except_next_hop=gw.id) if table is not None else None
    if taken is not None:
        raise duplicated_route(taken)  # the VPC route table's own code (CreateRouteEntry); undocumented for this call


def _route_id(gw_id: str, dest: str, next_hop: str) -> str:
    return "vre-" + hashlib.sha1(f"{gw_id}|{dest}|{next_hop}".encode()).hexdigest()[:20]


# --- actions ----------------------------------------------------------------------------------------------------

@action("Vpc", "CreateVpnRouteEntry", idempotent=True)
def create_vpn_route_entry(req: Request) -> Dict[str, Any]:
    gw = get_vpn_gateway(req, req.require("VpnGatewayId"))
    dest = _route_dest(req.require("RouteDest"))
    vco = _next_hop(req, gw)
    weight = _weight(req)
    publish = _publish(req)
    overlay = _overlay(req)
    description = req.get("Description", "")
    if len(description) > 100 or description.startswith(("http://", "https://")):
        raise invalid_parameter("Description", description)
    same_dest = [r for r in routes_of(req.state, gw.id) if r["RouteDest"] == dest]
    for other in same_dest:
        if other["NextHop"] == vco.id:
            raise ApiError("VpnRouteEntry.AlreadyExists",  # undocumented
                           f"The VPN gateway {gw.id} already has the destination route {dest} via {vco.id}.")
        if other["Weight"] == weight:
            # "the active and standby destination routes must have the same destination CIDR block, different
            # next hops, and different weights" (CreateVpnRouteEntry.Weight).
            raise ApiError("VpnRouteEntry.WeightConflict",  # undocumented
                           f"{dest} already has a route with weight {weight} via {other['NextHop']}; an active "
                           "(100) and a standby (0) route need different weights.")
    if publish:
        _refuse_taken_vpc_destination(req, gw, dest)
    dry_run(req)
    require_idle(gw)
    route = req.state.add(KIND, _route_id(gw.id, dest, vco.id), req.account.uid, req.region, {
        "VpnInstanceId": gw.id, "RouteDest": dest, "NextHop": vco.id, "Weight": weight, "OverlayMode": overlay,
        "Description": description, "CreateTime": now_ms(), "State": "published" if publish else "normal",
    })
    busy_while(req.state, gw)
    body = {k: route[k] for k in ("RouteDest", "NextHop", "Weight", "OverlayMode", "Description", "CreateTime",
                                  "State")}
    body["VpnInstanceId"] = gw.id
    return body


@action("Vpc", "DescribeVpnRouteEntries")
def describe_vpn_route_entries(req: Request) -> Dict[str, Any]:
    gw = get_vpn_gateway(req, req.require("VpnGatewayId"))
    kind = req.get("RouteEntryType", "custom")
    if kind not in ("custom", "bgp"):
        raise invalid_parameter("RouteEntryType", kind)
    items = sorted(routes_of(req.state, gw.id), key=lambda r: (r["RouteDest"], -r["Weight"])) if kind == "custom" \
        else []  # the twin has no BGP routes
    shown, number, size = page_by_number(req, items)
    dual = is_dual_tunnel(gw)
    body = {"VpnRouteEntries": {"VpnRouteEntry": [route_view(req.state, r, dual) for r in shown]},
            "TotalCount": len(items), "PageNumber": number, "PageSize": size}
    if dual:
        body["VpnRouteCounts"] = {"VpnRouteCount": [{"RouteCount": len(items), "RouteEntryType": kind,
                                                     "Source": ""}]}
    return body


@action("Vpc", "DeleteVpnRouteEntry")
def delete_vpn_route_entry(req: Request) -> Dict[str, Any]:
    gw = get_vpn_gateway(req, req.require("VpnGatewayId"))
    route = _find_route(req, gw, _route_dest(req.require("RouteDest")), req.require("NextHop"), _weight(req))
    _overlay(req)
    require_idle(gw)
    req.state.remove(route)
    busy_while(req.state, gw)
    return {}


@action("Vpc", "ModifyVpnRouteEntryWeight")
def modify_vpn_route_entry_weight(req: Request) -> Dict[str, Any]:
    gw = get_vpn_gateway(req, req.require("VpnGatewayId"))
    route = _find_route(req, gw, _route_dest(req.require("RouteDest")), req.require("NextHop"), _weight(req))
    new_weight = _weight(req, "NewWeight")
    _overlay(req)
    partner = [r for r in routes_of(req.state, gw.id) if r["RouteDest"] == route["RouteDest"] and r.id != route.id]
    if partner and new_weight != route["Weight"]:
        # "if you need to modify the weight of the active destination-based route, you must first delete the
        # standby destination-based route" (and the other way round).
        raise ApiError("VpnRouteEntry.ActiveStandbyExists",  # undocumented
                       f"{route['RouteDest']} has an active/standby pair (also via {partner[0]['NextHop']}); delete "
                       "the other route first, change this weight, then add the other route back.")
    require_idle(gw)
    route["Weight"] = new_weight
    busy_while(req.state, gw)
    return {}


@action("Vpc", "PublishVpnRouteEntry")
def publish_vpn_route_entry(req: Request) -> Dict[str, Any]:
    gw = get_vpn_gateway(req, req.require("VpnGatewayId"))
    dest = _route_dest(req.require("RouteDest"))
    next_hop = req.require("NextHop")
    route_type = req.require("RouteType")
    if route_type not in ("dbr", "pbr"):
        raise invalid_parameter("RouteType", route_type)
    publish = _publish(req)
    if route_type == "pbr":
        # The twin keeps no policy-based routes, so there is none to publish.
        raise ApiError("VpnRouteEntry.NotFound", f"The VPN gateway {gw.id} has no policy-based route {dest} via "
                                                 f"{next_hop}.", 404)  # undocumented
    route = _find_route(req, gw, dest, next_hop)
    if publish:
        _refuse_taken_vpc_destination(req, gw, dest)
    require_idle(gw)
    route["State"] = "published" if publish else "normal"
    busy_while(req.state, gw)
    return {}


# --- what publishing puts into the VPC route table ---------------------------------------------------------------

def _published_routes(state: State, table: Resource) -> List[Dict[str, Any]]:
    vpc = state.find("Vpc", table["VpcId"])
    if vpc is None or table.id != vpc.get("RouteTableId"):
        return []  # "publishes the route only to the VPC system route table"
    out: Dict[str, Dict[str, Any]] = {}
    for gw in state.all("VpnGateway", include_invisible=True):
        if gw.get("VpcId") != vpc.id or gw.owner != vpc.owner:
            continue
        for route in routes_of(state, gw.id):
            if route["State"] != "published" or route["RouteDest"] in out:
                continue
            out[route["RouteDest"]] = {
                "RouteEntryId": "rte-vpn" + route.id[4:22], "RouteTableId": table.id,
                "DestinationCidrBlock": route["RouteDest"], "Type": "Custom", "Status": "Available",
                "RouteEntryName": "", "Description": route.get("Description", ""), "IpVersion": "ipv4",
                "NextHops": {"NextHop": [{"NextHopType": "VpnGateway", "NextHopId": gw.id, "Enabled": 1,
                                          "Weight": 0, "NextHopRegionId": gw.region}]},
            }
    return list(out.values())


register_learned_routes(_published_routes)
