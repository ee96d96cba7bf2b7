"""VPN gateways (product Vpc, 2016-04-28): single- or dual-tunnel, per the region and the world's rules.

Today's rules (CreateVpnGateway request model; "[Upgrade notice] IPsec-VPN connections support the
dual-tunnel mode"): in a region with dual-tunnel zones (``vpn.DUAL_TUNNEL_ZONES``) a new gateway needs
``VSwitchId`` and ``DisasterRecoveryVSwitchId`` in two different supported zones (the same zone, or the
same vSwitch, only where the region has a single supported zone), gets two IPsec IPs (``InternetIp``
for the master tunnels, ``DisasterRecoveryInternetIp`` for the slave tunnels) and takes dual-tunnel
IPsec-VPN connections only. The world's legacy rule ``single_tunnel_vpn_gateways`` brings back 2018:
one IP, single-tunnel connections, in every region.

Billing and sizes per site (CreateVpnGateway): the China site takes ``InstanceChargeType=PREPAY``
(required, with ``Period``), the international site ``POSTPAY``; public gateways offer 5, 10, 20, 50,
100, 200, 500, 1000 Mbit/s (China) or 10, 100, 200, 500, 1000 (international); private gateways 200
or 1000. An account's site comes from the world (``vpn.account_site``; international by default).
"""

from __future__ import annotations

import ipaddress
import time
from typing import Any, Dict, List, Optional

from .base import ApiError, Request, Resource, State, action, invalid_parameter, missing_parameter, page_by_number
from .vpc import get_vpc, in_vpc, register_dependants, vswitches_of
from .vpn import (account_site, allocate_public_ips, check_name, connections_of, dual_tunnel_region,
                  dual_tunnel_zones, get_vpn_gateway, ids_param, now_ms, require_idle)

# CreateVpnGateway.Bandwidth, per site and network type.
BANDWIDTHS = {
    ("china", "public"): (5, 10, 20, 50, 100, 200, 500, 1000),
    ("international", "public"): (10, 100, 200, 500, 1000),
    ("china", "private"): (200, 1000),
    ("international", "private"): (200, 1000),
}
SPECS = ("5M", "10M", "20M", "50M", "100M", "200M", "500M", "1000M")  # DescribeVpnGatewayAvailableZones.Spec
SSL_CONNECTIONS = (5, 10, 20, 50, 100, 200, 500, 1000)
PERIODS = tuple(range(1, 10)) + (12, 24, 36)  # CreateVpnGateway.Period, months
CHARGE_TYPE_BY_SITE = {"china": "PREPAY", "international": "POSTPAY"}
NETWORK_TYPES = ("public", "private")
# "The specified vswitchId is not found." is what the cloud answers when a dual-tunnel region gets no
# second vSwitch (terraform-provider-alicloud issue #6804).
VSWITCH_NOT_FOUND = "The specified vswitchId is not found."


def is_dual_tunnel(gw: Resource) -> bool:
    """Whether the gateway takes dual-tunnel IPsec-VPN connections only."""
    return bool(gw.get("_DualTunnel"))


def gateway_view(gw: Resource) -> Dict[str, Any]:
    return {k: v for k, v in gw.attrs.items() if not k.startswith("_")}


def _vswitch(req: Request, vpc: Resource, vsw_id: str, param: str) -> Resource:
    vsw = next((s for s in vswitches_of(req.state, vpc.id) if s.id == vsw_id and s.owner == req.account.uid), None)
    if vsw is None:
        raise ApiError("InvalidVSwitchId.NotFound",
                       f"{VSWITCH_NOT_FOUND} ({param} {vsw_id} is not a vSwitch of VPC {vpc.id})", 404)
    return vsw


def _dual_tunnel_vswitches(req: Request, vpc: Resource) -> tuple:
    """The two vSwitches of a dual-tunnel gateway, checked against the supported zones."""
    zones = dual_tunnel_zones(req.region)
    chosen = []
    for param in ("VSwitchId", "DisasterRecoveryVSwitchId"):
        vsw_id = req.get(param)
        if not vsw_id:
            # CreateVpnGateway: both are required where the region supports dual-tunnel connections.
            raise ApiError("InvalidVSwitchId.NotFound",
                           f"{VSWITCH_NOT_FOUND} ({param} is required in {req.region}: new VPN gateways there take "
                           "dual-tunnel IPsec-VPN connections; give two vSwitches in different zones.)", 404)
        vsw = _vswitch(req, vpc, vsw_id, param)
        if vsw["ZoneId"] not in zones:
            raise ApiError("InvalidVSwitchId.ZoneNotSupported",  # undocumented
                           f"The zone {vsw['ZoneId']} of {param} {vsw.id} does not support dual-tunnel IPsec-VPN "
                           f"connections; supported zones in {req.region}: {', '.join(zones)}.")
        chosen.append(vsw)
    if len(zones) > 1 and chosen[0]["ZoneId"] == chosen[1]["ZoneId"]:
        # "You must specify two vSwitches in different zones"; the same zone (or vSwitch) only where
        # the region has one supported zone.
        raise ApiError("InvalidParameter.DisasterRecoveryVSwitchId",  # undocumented
                       f"VSwitchId and DisasterRecoveryVSwitchId are both in {chosen[0]['ZoneId']}; {req.region} "
                       f"has several dual-tunnel zones ({', '.join(zones)}), so use vSwitches in two of them.")
    return chosen[0], chosen[1]


def _single_tunnel_vswitch(req: Request, vpc: Resource) -> str:
    vsw_id = req.get("VSwitchId")
    if vsw_id:
        return _vswitch(req, vpc, vsw_id, "VSwitchId").id
    # "If you do not specify a vSwitch, the system automatically selects a vSwitch from the VPC."
    vswitches = [s for s in vswitches_of(req.state, vpc.id) if s.owner == req.account.uid]
    if not vswitches:
        raise ApiError("InvalidVSwitchId.NotFound", f"VPC {vpc.id} has no vSwitch for the VPN gateway.", 404)
    return vswitches[0].id


def _private_ips(state: State, vswitches: List[Resource]) -> List[str]:
    """Private gateways take their IPsec addresses from their vSwitches (highest free host)."""
    used = {g.get(k) for g in state.all("VpnGateway", include_invisible=True)
            for k in ("InternetIp", "DisasterRecoveryInternetIp")}
    out = []
    for vsw in vswitches:
        for host in reversed(list(ipaddress.ip_network(vsw["CidrBlock"]).hosts())):
            if str(host) not in used and str(host) not in out:
                out.append(str(host))
                break
    return out


def _billing(req: Request, site: str) -> tuple:
    """(ChargeType, EndTime) for the account's site."""
    wanted = CHARGE_TYPE_BY_SITE[site]
    charge = req.get("InstanceChargeType")
    if charge is None:
        if site == "china":
            raise missing_parameter("InstanceChargeType")  # "required when you create a VPN gateway" (China site)
        charge = wanted
    if charge != wanted:
        raise invalid_parameter("InstanceChargeType", charge)
    if charge != "PREPAY":
        return charge, 0
    period = req.int("Period")
    if period is None:
        raise missing_parameter("Period")  # "required if InstanceChargeType is PREPAY"
    if period not in PERIODS:
        raise invalid_parameter("Period", period)
    return charge, now_ms() + period * 30 * 86400 * 1000


@action("Vpc", "CreateVpnGateway", idempotent=True)
def create_vpn_gateway(req: Request) -> Dict[str, Any]:
    vpc = get_vpc(req, req.require("VpcId"))
    site = account_site(req.state, req.account.uid)
    network_type = req.get("NetworkType", "public")
    if network_type not in NETWORK_TYPES:
        raise invalid_parameter("NetworkType", network_type)
    bandwidth = req.int("Bandwidth")
    if bandwidth is None:
        raise missing_parameter("Bandwidth")
    allowed = BANDWIDTHS[(site, network_type)]
    if bandwidth not in allowed:
        raise ApiError("InvalidSpec.NotFound", f"The specified Bandwidth ({bandwidth}) is not a {network_type} VPN "
                                               f"gateway specification on the {site} site; use one of "
                                               f"{', '.join(map(str, allowed))}.")
    dual = dual_tunnel_region(req.state, req.region)
    if dual:
        master, disaster = _dual_tunnel_vswitches(req, vpc)
        vsw_id, dr_vsw_id = master.id, disaster.id
    else:
        vsw_id, dr_vsw_id = _single_tunnel_vswitch(req, vpc), req.get("DisasterRecoveryVSwitchId", "")
    name = req.get("Name")
    check_name(name, strict=True)
    enable_ssl = req.bool("EnableSsl", False)
    ssl_connections = req.int("SslConnections", 5 if enable_ssl else 0)
    if enable_ssl and ssl_connections not in SSL_CONNECTIONS:
        raise ApiError("InvalidParameter.SslConnections",
                       f"The specified SslConnections ({ssl_connections}) is invalid; use one of "
                       f"{', '.join(map(str, SSL_CONNECTIONS))}.")
    charge_type, end_time = _billing(req, site)
    # Dual-tunnel gateways: the IPsec IPs cannot serve SSL-VPN, which gets a third address.
    ssl_ip_needed = dual and enable_ssl and network_type == "public"
    if network_type == "private":
        vswitches = [req.state.find("VSwitch", vsw_id)] + ([req.state.find("VSwitch", dr_vsw_id)] if dual else [])
        ips = _private_ips(req.state, vswitches)
    else:
        ips = allocate_public_ips(req.state, (2 if dual else 1) + (1 if ssl_ip_needed else 0))
    ssl_ip = ips[2] if ssl_ip_needed else ""
    gw_id = req.state.new_id("vpn")
    gw = req.state.add("VpnGateway", gw_id, req.account.uid, req.region, {
        "VpnGatewayId": gw_id, "VpcId": vpc.id, "VSwitchId": vsw_id, "Name": name or gw_id,
        "Description": "", "Spec": f"{bandwidth}M", "Status": "init", "BusinessStatus": "Normal",
        "InternetIp": ips[0], "IpsecVpn": "enable" if req.bool("EnableIpsec", True) else "disable",
        "SslVpn": "enable" if enable_ssl else "disable", "SslMaxConnections": ssl_connections if enable_ssl else 0,
        "ChargeType": charge_type, "CreateTime": now_ms(), "EndTime": end_time, "NetworkType": network_type,
        "VpnType": req.get("VpnType", "Normal"), "GatewayType": "Traditional", "EnableBgp": False,
        "AutoPropagate": False, "DisasterRecoveryVSwitchId": dr_vsw_id,
        "DisasterRecoveryInternetIp": ips[1] if dual else "", "SslVpnInternetIp": ssl_ip,
        "ResourceGroupId": req.get("ResourceGroupId", "rg-default"), "Tag": "", "Tags": {"Tag": []},
        "_DualTunnel": dual,  # the region is the resource's own (DescribeVpnGateway(s) items carry no RegionId)
    })
    req.state.schedule(gw, "Status", "provisioning", steps=0.5)
    req.state.schedule(gw, "Status", "active", steps=1)
    mode = f"dual-tunnel, IPs {ips[0]} and {ips[1]}" if dual else f"single-tunnel, IP {ips[0]}"
    req.state.note(kind="VpnGateway", id=gw_id, message=f"{gw_id}: VPN gateway created in {vpc.id} ({mode})")
    return {"VpnGatewayId": gw_id, "Name": gw["Name"], "OrderId": int(time.time())}


def _matches(req: Request, gw: Resource) -> bool:
    ids = ids_param(req.get("VpnGatewayId"))
    status, business = req.get("Status"), req.get("BusinessStatus")
    have = {(t["Key"], t["Value"]) for t in gw["Tags"]["Tag"]}
    wanted = [(t.get("Key"), t.get("Value")) for t in req.list("Tag")]
    return (ids is None or gw.id in ids) and req.get("VpcId") in (None, gw["VpcId"]) \
        and (status is None or gw["Status"] == status.lower()) and business in (None, gw["BusinessStatus"]) \
        and all((k, v) in have or (v is None and any(h[0] == k for h in have)) for k, v in wanted)


@action("Vpc", "DescribeVpnGateways")
def describe_vpn_gateways(req: Request) -> Dict[str, Any]:
    items = [g for g in req.state.all("VpnGateway", region=req.region, owner=req.account.uid) if _matches(req, g)]
    shown, number, size = page_by_number(req, items)
    return {"VpnGateways": {"VpnGateway": [gateway_view(g) for g in shown]}, "TotalCount": len(items),
            "PageNumber": number, "PageSize": size}


@action("Vpc", "DescribeVpnGateway")
def describe_vpn_gateway(req: Request) -> Dict[str, Any]:
    return gateway_view(get_vpn_gateway(req, req.require("VpnGatewayId")))


@action("Vpc", "ModifyVpnGatewayAttribute")
def modify_vpn_gateway_attribute(req: Request) -> Dict[str, Any]:
    gw = get_vpn_gateway(req, req.require("VpnGatewayId"))
    require_idle(gw)
    name = req.get("Name")
    if name is not None:
        check_name(name, strict=True)
        gw["Name"] = name
    if req.get("Description") is not None:
        gw["Description"] = req.get("Description")
    if req.get("AutoPropagate") is not None:
        gw["AutoPropagate"] = req.bool("AutoPropagate")
    body = {k: gw.get(k) for k in ("VpnGatewayId", "VpcId", "VSwitchId", "InternetIp", "Name", "Description",
                                   "Spec", "Status", "BusinessStatus", "EnableBgp", "AutoPropagate",
                                   "ResourceGroupId", "CreateTime", "EndTime", "DisasterRecoveryInternetIp",
                                   "DisasterRecoveryVSwitchId", "SslVpnInternetIp")}
    body["IntranetIp"] = ""
    return body


@action("Vpc", "DeleteVpnGateway")
def delete_vpn_gateway(req: Request) -> Dict[str, Any]:
    gw = get_vpn_gateway(req, req.require("VpnGatewayId"))
    if connections_of(req.state, VpnGatewayId=gw.id):
        raise ApiError("VpnDependencyViolation.VpnConnection",
                       "There are vpn connections on specified vpn gateway not deleted.")
    routes = [e for e in req.state.all("RouteEntry", include_invisible=True)
              if e.get("NextHopType") == "VpnGateway" and e.get("NextHopId") == gw.id]
    if routes:
        raise ApiError("DependencyViolation.RouteEntry",
                       f"The specified vpn gateway is the next hop of route entry {routes[0].id} "
                       f"({routes[0]['DestinationCidrBlock']}); delete the route entries first.")
    require_idle(gw)
    gw["Status"] = "deleting"
    req.state.schedule(gw, "Status", "deleted", then=req.state.remove)
    return {}


def _known_zones(state: State, region: str) -> List[str]:
    return sorted({s["ZoneId"] for s in state.all("VSwitch", region=region, include_invisible=True)})


@action("Vpc", "DescribeVpnGatewayAvailableZones")
def describe_vpn_gateway_available_zones(req: Request) -> Dict[str, Any]:
    """Zones where a VPN gateway (or a TR-attached connection) of ``Spec`` can be created."""
    spec = req.require("Spec")
    if spec not in SPECS:
        raise invalid_parameter("Spec", spec)
    gateway_type = req.get("GatewayType")
    if gateway_type not in (None, "Traditional", "Enhanced.SiteToSite"):
        raise invalid_parameter("GatewayType", gateway_type)
    # Dual-tunnel regions list their documented zones; elsewhere the twin knows the zones its vSwitches use.
    zones = dual_tunnel_zones(req.region) or _known_zones(req.state, req.region)
    return {"RegionId": req.region,
            "AvailableZoneIdList": [{"ZoneId": z, "ZoneName": z} for z in zones]}


def gateway_zone(state: State, gw: Resource, disaster_recovery: bool = False) -> str:
    vsw: Optional[Resource] = state.find("VSwitch", gw["DisasterRecoveryVSwitchId" if disaster_recovery
                                                     else "VSwitchId"] or "")
    return vsw["ZoneId"] if vsw is not None else ""


# A VPN gateway lives in its VPC and takes an address in its vSwitch(es) (DeleteVpc / DeleteVSwitch: "Specified
# object has dependent resources").
register_dependants("Vpc", "DependencyViolation", in_vpc("VpnGateway"))
register_dependants("VSwitch", "DependencyViolation", lambda state, vsw: [
    g.id for g in state.all("VpnGateway", include_invisible=True)
    if vsw.id in (g.get("VSwitchId"), g.get("DisasterRecoveryVSwitchId"))])
