"""IPsec-VPN connections on a VPN gateway (product Vpc, 2016-04-28), single- or dual-tunnel.

The gateway decides the mode (``vpn_gateway.is_dual_tunnel``). CreateVpnConnection reference: on a
dual-tunnel gateway a connection takes ``TunnelOptionsSpecification`` (two tunnels, a master from the
gateway's ``InternetIp`` and a slave from its ``DisasterRecoveryInternetIp``) and the single-tunnel
parameters (top-level ``CustomerGatewayId``, ``IkeConfig``, ``IpsecConfig``, ``BgpConfig``,
``HealthCheckConfig``, ``EnableDpd``, ``EnableNatTraversal``, ``RemoteCaCertificate``) are refused; on a
single-tunnel gateway it is the other way round. ModifyVpnConnectionAttribute follows the same split,
and sending IKE settings without a pre-shared key makes the cloud generate a new 16-character key.

Negotiation ``Status`` (per tunnel and per connection) is decided by the tunnel hooks (``vpn``).
Connections attached to a transit router are the same kind (``VpnConnection``, ``AttachType: CEN``);
they are created and changed through ``vpn_attachment``.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from .base import ApiError, Request, Resource, action, invalid_parameter, page_by_number
from .vpn import (busy_while, check_name, connections_of, customer_gateway_ids, dry_run, evaluate_tunnels,
                  get_customer_gateway, get_vpn_connection, get_vpn_gateway, ids_param, json_param, nested_list,
                  now_ms, require_idle, tags_param, tunnels)
from .vpn_gateway import gateway_zone, is_dual_tunnel
from .vpn_ipsec import (HEALTH_DEFAULTS, IKE_DEFAULTS, INITIAL_STATUS, IPSEC_DEFAULTS, ROLES, SINGLE_BGP_DEFAULTS,
                        bgp_config, build_tunnel, check_two_tunnels, check_unique_tunnel_cidrs, find_tunnel,
                        health_check, ike_config, ipsec_config, modify_tunnel, roles_of, subnets, tunnel_changed,
                        tunnel_view)
from .vpn_route import routes_via

SINGLE_TUNNEL_PARAMS = ("CustomerGatewayId", "IkeConfig", "IpsecConfig", "BgpConfig", "HealthCheckConfig",
                        "EnableDpd", "EnableNatTraversal", "RemoteCaCertificate")
ATTACH_TYPE = "VPNGW"  # DescribeVpnConnection.AttachType: attached to a VPN gateway


# --- views ------------------------------------------------------------------------------------------

# What each response model holds (the SDK's <Action>ResponseBody, nested sections included): a view shows
# these keys of the stored connection and nothing else. Keys another kind sets (TransitRouterId,
# AttachInstanceId, State of a transit router binding) are among them.
_COMMON_KEYS = ("VpnConnectionId", "VpnGatewayId", "CustomerGatewayId", "Name", "LocalSubnet", "RemoteSubnet",
                "CreateTime", "EffectImmediately", "EnableDpd", "EnableNatTraversal", "EnableTunnelsBgp", "IkeConfig",
                "IpsecConfig", "VpnBgpConfig", "VcoHealthCheck", "ResourceGroupId")
_DESCRIBED_KEYS = _COMMON_KEYS + ("AttachInstanceId", "AttachType", "CrossAccountAuthorized", "InternetIp",
                                  "NetworkType", "RemoteCaCertificate", "Spec", "State", "Status", "TransitRouterId",
                                  "TransitRouterName", "TunnelBandwidth")
_HEALTH = ("Dip", "Enable", "Interval", "Policy", "Retry", "Sip", "Status")
_BGP = ("AuthKey", "EnableBgp", "LocalAsn", "LocalBgpIp", "PeerAsn", "PeerBgpIp", "Status", "TunnelCidr")
VIEWS = {  # style -> (top-level keys, tags key, VcoHealthCheck keys, VpnBgpConfig keys, tunnel style)
    "describe": (_DESCRIBED_KEYS + ("ZoneNo",), "Tags", _HEALTH, _BGP, "describe"),  # DescribeVpnConnection
    "list": (_DESCRIBED_KEYS, "Tag", _HEALTH, tuple(k for k in _BGP if k != "EnableBgp"), "describe"),
    "modify": (_COMMON_KEYS + ("Description",), None, ("Dip", "Enable", "Interval", "Retry", "Sip"),
               tuple(k for k in _BGP if k != "AuthKey"), "modify"),  # ModifyVpnConnectionAttribute
    "attachment": (_COMMON_KEYS + ("Description", "AttachInstanceId", "AttachType", "NetworkType", "Spec", "Status"),
                   None, _HEALTH[:-1], tuple(k for k in _BGP if k != "AuthKey"), "attachment"),
}


def connection_view(vco: Resource, style: str = "list") -> Dict[str, Any]:
    """A connection as a response model shows it: ``describe`` (DescribeVpnConnection), ``list``
    (DescribeVpnConnections items), ``modify`` (ModifyVpnConnectionAttribute), ``attachment``
    (ModifyVpnAttachmentAttribute)."""
    keys, tags_key, health, bgp, tunnel_style = VIEWS[style]
    out = {k: vco.attrs[k] for k in keys if k in vco.attrs}
    if "Description" in keys:
        out.setdefault("Description", "")  # connections on a VPN gateway keep none
    for section, wanted in (("VcoHealthCheck", health), ("VpnBgpConfig", bgp)):
        if isinstance(out.get(section), dict):
            out[section] = {k: v for k, v in out[section].items() if k in wanted}
    for section in ("IkeConfig", "IpsecConfig"):
        if isinstance(out.get(section), dict):
            out[section] = dict(out[section])
    if tags_key:
        out[tags_key] = {"Tag": [dict(t) for t in (vco.get("Tags") or {}).get("Tag", [])]}
    if tunnels(vco):
        out["TunnelOptionsSpecification"] = {"TunnelOptions": [tunnel_view(t, tunnel_style) for t in tunnels(vco)]}
    return out


def _source_pairs(vco: Mapping[str, Any], gw: Resource) -> set:
    """(Alibaba IP, customer gateway) of each tunnel (of a connection or its attributes): a pair serves one
    connection of a gateway."""
    if tunnels(vco):
        return {(t["InternetIp"], t["CustomerGatewayId"]) for t in tunnels(vco)}
    return {(gw["InternetIp"], vco["CustomerGatewayId"])}


def _check_pairs_free(gw: Resource, pairs: set, others: List[Resource]) -> None:
    for other in others:
        taken = pairs & _source_pairs(other, gw)
        if taken:
            ip, cgw_id = sorted(taken)[0]
            raise ApiError("VpnConnection.CustomerGatewayAlreadyUsed",
                           f"The VPN gateway {gw.id} already has connection {other.id} from {ip} to customer "
                           f"gateway {cgw_id}.")


# --- single tunnel ----------------------------------------------------------------------------------

def single_tunnel_attrs(req: Request, source_ip: str, ike_defaults: Dict[str, Any] = IKE_DEFAULTS,
                        ipsec_defaults: Dict[str, Any] = IPSEC_DEFAULTS) -> Dict[str, Any]:
    """The single-tunnel part of a create request (the tunnel leaves from ``source_ip``)."""
    cgw = get_customer_gateway(req, req.require("CustomerGatewayId"))
    return {
        "CustomerGatewayId": cgw.id,
        "IkeConfig": ike_config(json_param(req, "IkeConfig"), ike_defaults, source_ip, cgw["IpAddress"]),
        "IpsecConfig": ipsec_config(json_param(req, "IpsecConfig"), ipsec_defaults),
        "VpnBgpConfig": bgp_config(json_param(req, "BgpConfig"), SINGLE_BGP_DEFAULTS, cgw),
        "VcoHealthCheck": health_check(json_param(req, "HealthCheckConfig"), HEALTH_DEFAULTS),
        "EnableDpd": req.bool("EnableDpd", True), "EnableNatTraversal": req.bool("EnableNatTraversal", True),
        "EnableTunnelsBgp": False, "RemoteCaCertificate": req.get("RemoteCaCertificate", ""),
    }


def single_tunnel_changes(req: Request, vco: Resource, source_ip: str) -> Dict[str, Any]:
    """The single-tunnel part of a modify request; ``CustomerGatewayId`` only where the API takes it."""
    old_cgw = req.state.find("CustomerGateway", vco["CustomerGatewayId"])
    cgw = get_customer_gateway(req, req.get("CustomerGatewayId") or vco["CustomerGatewayId"])
    changes: Dict[str, Any] = {}
    ike = dict(vco["IkeConfig"])
    if cgw.id != vco["CustomerGatewayId"]:
        changes["CustomerGatewayId"] = cgw.id
        if old_cgw is not None and ike.get("RemoteId") == old_cgw["IpAddress"]:
            ike["RemoteId"] = cgw["IpAddress"]  # the default identity follows the customer gateway
            changes["IkeConfig"] = ike
    if req.get("IkeConfig") is not None:
        # No Psk in IkeConfig: the cloud generates a new random 16-character key (ModifyVpnConnectionAttribute).
        changes["IkeConfig"] = ike_config(json_param(req, "IkeConfig"), ike, source_ip, cgw["IpAddress"])
    if req.get("IpsecConfig") is not None:
        changes["IpsecConfig"] = ipsec_config(json_param(req, "IpsecConfig"), vco["IpsecConfig"])
    if req.get("BgpConfig") is not None:
        changes["VpnBgpConfig"] = bgp_config(json_param(req, "BgpConfig"), vco["VpnBgpConfig"], cgw)
    if req.get("HealthCheckConfig") is not None:
        changes["VcoHealthCheck"] = health_check(json_param(req, "HealthCheckConfig"), vco["VcoHealthCheck"])
    for key in ("EnableDpd", "EnableNatTraversal"):
        if req.get(key) is not None:
            changes[key] = req.bool(key)
    if req.get("RemoteCaCertificate") is not None:
        changes["RemoteCaCertificate"] = req.get("RemoteCaCertificate")
    return changes


# --- dual tunnel --------------------------------------------------------------------------------------

def refuse_single_tunnel_params(req: Request, what: str) -> None:
    given = [p for p in SINGLE_TUNNEL_PARAMS if req.get(p) is not None]
    if given:
        raise ApiError("OperationUnsupported.SingleTunnelParameter",  # undocumented
                       f"{', '.join(given)} {'is' if len(given) == 1 else 'are'} single-tunnel parameters; {what} "
                       "is dual-tunnel: set them per tunnel in TunnelOptionsSpecification.N.*.")


def _gateway_placement(req: Request, gw: Resource) -> Callable[[str], Tuple[str, str]]:
    """Role -> (tunnel IP, zone): the master tunnel uses the gateway's first IP, the slave its second."""
    def place(role: str) -> Tuple[str, str]:
        slave = role == "slave"
        return (gw["DisasterRecoveryInternetIp"] if slave else gw["InternetIp"],
                gateway_zone(req.state, gw, disaster_recovery=slave))
    return place


def _dual_tunnel_attrs(req: Request, gw: Resource, specs: List[Dict[str, Any]]) -> Dict[str, Any]:
    if not specs:
        raise ApiError("OperationUnsupported.SingleTunnel",  # undocumented
                       f"The VPN gateway {gw.id} takes dual-tunnel IPsec-VPN connections only: give two tunnels in "
                       "TunnelOptionsSpecification (CustomerGatewayId, Role, TunnelIkeConfig, TunnelIpsecConfig) "
                       "instead of CustomerGatewayId / IkeConfig / IpsecConfig.")
    refuse_single_tunnel_params(req, f"the VPN gateway {gw.id}")
    check_two_tunnels(specs)
    bgp = req.bool("EnableTunnelsBgp", False)
    place = _gateway_placement(req, gw)
    new = [build_tunnel(req, spec, index, role, *place(role), IKE_DEFAULTS, IPSEC_DEFAULTS, bgp)
           for index, (spec, role) in enumerate(zip(specs, roles_of(specs)), start=1)]
    check_unique_tunnel_cidrs(new, connections_of(req.state, VpnGatewayId=gw.id))
    return {"CustomerGatewayId": "", "EnableTunnelsBgp": bgp, "TunnelOptionsSpecification": {"TunnelOptions": new}}


def apply_tunnel_specs(req: Request, vco: Resource, specs: List[Dict[str, Any]], bgp: Optional[bool],
                       place: Optional[Callable[[str], Tuple[str, str]]], others: List[Resource]
                       ) -> List[Dict[str, Any]]:
    """The connection's tunnels after the modify items ``specs`` (validated; changed tunnels renegotiate)."""
    current = {t["TunnelId"]: t for t in tunnels(vco)}
    updated = dict(current)
    named = set()
    for index, spec in enumerate(specs, start=1):
        tunnel = find_tunnel(vco, spec, index)
        named.add(tunnel["TunnelId"])
        updated[tunnel["TunnelId"]] = modify_tunnel(req, updated[tunnel["TunnelId"]], spec, index, bgp)
    if bgp is not None:  # EnableTunnelsBgp applies to the tunnels no item names, too
        for tid in set(updated) - named:
            updated[tid] = modify_tunnel(req, updated[tid], {}, updated[tid]["TunnelIndex"], bgp)
    result = [dict(updated[t["TunnelId"]]) for t in tunnels(vco)]  # copies: nothing is stored before it is valid
    if sorted(t["Role"] for t in result) != sorted(ROLES):
        raise ApiError("IllegalParam.TunnelOptionsSpecification.N.Role", "One tunnel is the master tunnel, the "
                                                                         "other the slave tunnel.")
    for tunnel in result:
        if place is not None:
            old_ip = tunnel["InternetIp"]
            tunnel["InternetIp"], tunnel["ZoneNo"] = place(tunnel["Role"])
            if tunnel["TunnelIkeConfig"].get("LocalId") == old_ip:  # the default identity follows the IP
                tunnel["TunnelIkeConfig"] = dict(tunnel["TunnelIkeConfig"], LocalId=tunnel["InternetIp"])
        if tunnel_changed(current[tunnel["TunnelId"]], tunnel):
            tunnel["Status"] = INITIAL_STATUS  # a changed tunnel renegotiates
    check_unique_tunnel_cidrs(result, others)
    return result


def modify_changes(req: Request, vco: Resource, source_ip: str, place: Optional[Callable[[str], Tuple[str, str]]],
                   others: List[Resource]) -> Dict[str, Any]:
    """What a ModifyVpnConnectionAttribute / ModifyVpnAttachmentAttribute request changes, validated."""
    changes = common_changes(req)
    specs = nested_list(req, "TunnelOptionsSpecification")
    if tunnels(vco):
        refuse_single_tunnel_params(req, f"the connection {vco.id}")
        bgp = req.bool("EnableTunnelsBgp") if req.get("EnableTunnelsBgp") is not None else None
        new = apply_tunnel_specs(req, vco, specs, bgp, place, others)
        if new != tunnels(vco):
            changes["TunnelOptionsSpecification"] = {"TunnelOptions": new}
        if bgp is not None:
            changes["EnableTunnelsBgp"] = bgp
    elif specs:
        raise ApiError("OperationUnsupported.TunnelOptions",
                       f"The connection {vco.id} is a single-tunnel IPsec-VPN connection.")
    else:
        changes.update(single_tunnel_changes(req, vco, source_ip))
    return changes


# --- actions --------------------------------------------------------------------------------------------

@action("Vpc", "CreateVpnConnection", idempotent=True)
def create_vpn_connection(req: Request) -> Dict[str, Any]:
    gw = get_vpn_gateway(req, req.require("VpnGatewayId"))
    specs = nested_list(req, "TunnelOptionsSpecification")
    if is_dual_tunnel(gw):
        mode = _dual_tunnel_attrs(req, gw, specs)
    elif specs:
        raise ApiError("OperationUnsupported.TunnelOptions",
                       f"The VPN gateway {gw.id} supports single-tunnel IPsec-VPN connections only.")
    else:
        mode = single_tunnel_attrs(req, gw["InternetIp"])
    local = subnets("LocalSubnet", req.require("LocalSubnet"))
    remote = subnets("RemoteSubnet", req.require("RemoteSubnet"))
    if gw["IpsecVpn"] != "enable":
        raise ApiError("VpnGateway.IpsecVpnDisabled", f"IPsec-VPN is not enabled on the VPN gateway {gw.id}.")
    _check_pairs_free(gw, _source_pairs(mode, gw), connections_of(req.state, VpnGatewayId=gw.id))
    name = req.get("Name")
    check_name(name)
    dry_run(req)
    require_idle(gw)
    vco_id = req.state.new_id("vco")
    vco = req.state.add("VpnConnection", vco_id, req.account.uid, req.region, dict({
        "VpnConnectionId": vco_id, "VpnGatewayId": gw.id, "Name": name or vco_id,
        "LocalSubnet": local, "RemoteSubnet": remote, "EffectImmediately": req.bool("EffectImmediately", False),
        "AutoConfigRoute": req.bool("AutoConfigRoute", True), "Status": INITIAL_STATUS, "State": "active",
        "CreateTime": now_ms(), "NetworkType": gw.get("NetworkType", "public"), "AttachType": ATTACH_TYPE,
        "Spec": gw.get("Spec", ""), "InternetIp": gw["InternetIp"], "ZoneNo": gateway_zone(req.state, gw),
        "ResourceGroupId": gw.get("ResourceGroupId", ""), "Tags": {"Tag": tags_param(req)},
        "CrossAccountAuthorized": False,
    }, **mode))
    busy_while(req.state, gw)
    evaluate_tunnels(req.state)
    return {"VpnConnectionId": vco_id, "Name": vco["Name"], "CreateTime": vco["CreateTime"]}


def _matches(req: Request, vco: Resource) -> bool:
    ids = ids_param(req.get("VpnConnectionId"))
    cgw_id = req.get("CustomerGatewayId")
    return (ids is None or vco.id in ids) and req.get("VpnGatewayId") in (None, vco.get("VpnGatewayId")) \
        and (cgw_id is None or cgw_id in customer_gateway_ids(vco))


@action("Vpc", "DescribeVpnConnections")
def describe_vpn_connections(req: Request) -> Dict[str, Any]:
    evaluate_tunnels(req.state)
    items = [c for c in req.state.all("VpnConnection", region=req.region, owner=req.account.uid) if _matches(req, c)]
    shown, number, size = page_by_number(req, items)
    return {"VpnConnections": {"VpnConnection": [connection_view(c, "list") for c in shown]}, "TotalCount": len(items),
            "PageNumber": number, "PageSize": size}


@action("Vpc", "DescribeVpnConnection")
def describe_vpn_connection(req: Request) -> Dict[str, Any]:
    evaluate_tunnels(req.state)
    return connection_view(get_vpn_connection(req, req.require("VpnConnectionId")), "describe")


def common_changes(req: Request) -> Dict[str, Any]:
    """Fields every connection kind modifies the same way."""
    changes: Dict[str, Any] = {}
    for key in ("LocalSubnet", "RemoteSubnet"):
        if req.get(key) is not None:
            changes[key] = subnets(key, req.get(key))
    for key in ("EffectImmediately", "AutoConfigRoute"):
        if req.get(key) is not None:
            changes[key] = req.bool(key)
    if req.get("Name") is not None:
        check_name(req.get("Name"))
        changes["Name"] = req.get("Name")
    return changes


def apply_changes(req: Request, vco: Resource, changes: Dict[str, Any]) -> None:
    """Store ``changes``; anything but a rename renegotiates the connection."""
    vco.attrs.update(changes)
    if set(changes) - {"Name"}:
        vco["Status"] = INITIAL_STATUS


def refuse_attach_type(vco: Resource, wanted: str, use: str) -> None:
    if vco.get("AttachType") != wanted:
        raise ApiError("OperationUnsupported.AttachType",  # undocumented
                       f"The IPsec-VPN connection {vco.id} is attached to "
                       f"{'a transit router' if vco.get('AttachType') == 'CEN' else 'a VPN gateway'}; use {use}.")


@action("Vpc", "ModifyVpnConnectionAttribute")
def modify_vpn_connection_attribute(req: Request) -> Dict[str, Any]:
    vco = get_vpn_connection(req, req.require("VpnConnectionId"))
    refuse_attach_type(vco, ATTACH_TYPE, "ModifyVpnAttachmentAttribute")
    gw = req.state.find("VpnGateway", vco["VpnGatewayId"])
    if not tunnels(vco) and req.get("CustomerGatewayId") is not None:
        raise invalid_parameter("CustomerGatewayId", req.get("CustomerGatewayId"))  # not a modify parameter
    others = [c for c in connections_of(req.state, VpnGatewayId=gw.id) if c.id != vco.id]
    changes = modify_changes(req, vco, gw["InternetIp"], _gateway_placement(req, gw), others)
    require_idle(gw)
    apply_changes(req, vco, changes)
    if set(changes) - {"Name"}:
        busy_while(req.state, gw)
    evaluate_tunnels(req.state)
    return connection_view(vco, "modify")


@action("Vpc", "DeleteVpnConnection")
def delete_vpn_connection(req: Request) -> Dict[str, Any]:
    vco = get_vpn_connection(req, req.require("VpnConnectionId"))
    refuse_attach_type(vco, ATTACH_TYPE, "DeleteVpnAttachment")
    routes = routes_via(req.state, vco.id)
    if routes:
        raise ApiError("DependencyViolation.VpnRouteEntry",  # undocumented
                       f"The connection {vco.id} is the next hop of the VPN route entry {routes[0]['RouteDest']} of "
                       f"{routes[0]['VpnInstanceId']}; delete the VPN route entries first (DeleteVpnRouteEntry).")
    gw = req.state.find("VpnGateway", vco["VpnGatewayId"])
    if gw is not None:
        require_idle(gw)
        busy_while(req.state, gw)
    req.state.remove(vco)
    evaluate_tunnels(req.state)
    return {}
