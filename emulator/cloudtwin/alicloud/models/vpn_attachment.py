"""IPsec-VPN connections attached to a transit router (product Vpc, 2016-04-28): the counterpart of a TGW VPN.

CreateVpnAttachment makes an IPsec-VPN connection with no VPN gateway (kind ``VpnConnection``,
``AttachType: CEN``, ``VpnGatewayId: ""``). "IPsec-VPN connections attached to a transit router have been
upgraded to dual-tunnel mode. You can no longer create single-tunnel IPsec-VPN connections": in regions
with dual-tunnel support (``vpn.DUAL_TUNNEL_ZONES``) it takes ``TunnelOptionsSpecification`` (two tunnels,
``TunnelIndex`` 1 and 2) and each tunnel gets its own public IP; elsewhere (and under the world's legacy
rule ``single_tunnel_vpn_gateways``) the single-tunnel form with one IP. Tunnel defaults differ from
CreateVpnConnection: IKEv2 and sha1 (CreateVpnAttachment request model).

Contract with the transit router model (CreateTransitRouterVpnAttachment, another file): it sets
``TransitRouterId``, ``TransitRouterName``, ``AttachInstanceId`` (the CEN) and the binding ``State`` on
the connection (and may set each tunnel's ``ZoneNo``); DescribeVpnConnection(s) return them, and
DeleteVpnAttachment is refused while ``TransitRouterId`` is set.
"""

from __future__ import annotations

import json
from typing import Any, Dict

from .base import ApiError, Request, Resource, action, invalid_parameter, page_by_number
from .vpn import (allocate_public_ips, check_name, dry_run, dual_tunnel_region, evaluate_tunnels, get_vpn_connection,
                  nested_list, now_ms, tags_param, tunnels)
from .vpn_connection import (apply_changes, connection_view, modify_changes, refuse_attach_type,
                             refuse_single_tunnel_params, single_tunnel_attrs)
from .vpn_ipsec import (ATTACHMENT_IKE_DEFAULTS, ATTACHMENT_IPSEC_DEFAULTS, INITIAL_STATUS, build_tunnel,
                        check_two_tunnels, check_unique_tunnel_cidrs, subnets, tunnel_view)

ATTACH_TYPE = "CEN"
NETWORK_TYPES = ("public",)  # "private" rides on Express Connect / CEN paths the twin does not model
TUNNEL_BANDWIDTHS = ("Standard", "Large")  # DescribeVpnAttachments.TunnelBandwidth: 1 Gbit/s, 3 Gbit/s
SUCCESS = {"Code": "200", "Message": "successful", "Success": True}


def is_bound(vco: Resource) -> bool:
    """Bound to a transit router (the transit router model sets ``TransitRouterId``)."""
    return bool(vco.get("TransitRouterId"))


def _tunnel_indexes(specs: list) -> list:
    indexes = []
    for position, spec in enumerate(specs, start=1):
        raw = spec.get("TunnelIndex")
        index = position if raw in (None, "") else raw
        if str(index) not in ("1", "2"):
            raise invalid_parameter(f"TunnelOptionsSpecification.{position}.TunnelIndex", raw)
        indexes.append(int(index))
    if sorted(indexes) != [1, 2]:
        raise invalid_parameter("TunnelOptionsSpecification.N.TunnelIndex", ",".join(map(str, indexes)))
    return indexes


def _dual_tunnel_attrs(req: Request, specs: list) -> Dict[str, Any]:
    if not specs:
        raise ApiError("OperationUnsupported.SingleTunnel",  # undocumented
                       f"IPsec-VPN connections attached to a transit router are dual-tunnel in {req.region}: give "
                       "two tunnels in TunnelOptionsSpecification (CustomerGatewayId, TunnelIndex, TunnelIkeConfig, "
                       "TunnelIpsecConfig) instead of CustomerGatewayId / IkeConfig / IpsecConfig.")
    refuse_single_tunnel_params(req, f"an IPsec-VPN connection attached to a transit router in {req.region}")
    check_two_tunnels(specs)
    bgp = req.bool("EnableTunnelsBgp", False)
    ips = allocate_public_ips(req.state, 2)
    new = []
    for spec, index in sorted(zip(specs, _tunnel_indexes(specs)), key=lambda pair: pair[1]):
        # Each tunnel has its own IP; tunnel 1 is shown as master, tunnel 2 as slave (both carry traffic, ECMP).
        new.append(build_tunnel(req, spec, index, "master" if index == 1 else "slave", ips[index - 1], "",
                                ATTACHMENT_IKE_DEFAULTS, ATTACHMENT_IPSEC_DEFAULTS, bgp))
    check_unique_tunnel_cidrs(new, [])
    return {"CustomerGatewayId": "", "EnableTunnelsBgp": bgp, "InternetIp": "",
            "TunnelOptionsSpecification": {"TunnelOptions": new}}


@action("Vpc", "CreateVpnAttachment", idempotent=True)
def create_vpn_attachment(req: Request) -> Dict[str, Any]:
    network_type = req.get("NetworkType", "public")
    if network_type not in NETWORK_TYPES:
        raise invalid_parameter("NetworkType", network_type)
    bandwidth = req.get("TunnelBandwidth", "Standard")
    if bandwidth not in TUNNEL_BANDWIDTHS:
        raise invalid_parameter("TunnelBandwidth", bandwidth)
    local = subnets("LocalSubnet", req.require("LocalSubnet"))
    remote = subnets("RemoteSubnet", req.require("RemoteSubnet"))
    name = req.get("Name")
    check_name(name)
    specs = nested_list(req, "TunnelOptionsSpecification")
    if dual_tunnel_region(req.state, req.region):
        mode = _dual_tunnel_attrs(req, specs)
    elif specs:
        raise ApiError("OperationUnsupported.TunnelOptions",
                       f"IPsec-VPN connections attached to a transit router in {req.region} are single-tunnel.")
    else:
        source_ip = allocate_public_ips(req.state, 1)[0]
        mode = dict(single_tunnel_attrs(req, source_ip), InternetIp=source_ip)
    dry_run(req)
    vco_id = req.state.new_id("vco")
    vco = req.state.add("VpnConnection", vco_id, req.account.uid, req.region, dict({
        "VpnConnectionId": vco_id, "VpnGatewayId": "", "AttachType": ATTACH_TYPE, "NetworkType": network_type,
        "Name": name or vco_id, "Description": "", "LocalSubnet": local, "RemoteSubnet": remote,
        "EffectImmediately": req.bool("EffectImmediately", False), "AutoConfigRoute": req.bool("AutoConfigRoute", True),
        "Status": INITIAL_STATUS, "State": "active", "CreateTime": now_ms(), "Spec": "", "TunnelBandwidth": bandwidth,
        "ZoneNo": "", "ResourceGroupId": req.get("ResourceGroupId", "rg-default"),
        "Tags": {"Tag": tags_param(req)}, "CrossAccountAuthorized": False,
    }, **mode))
    evaluate_tunnels(req.state)
    return dict(SUCCESS, VpnConnectionId=vco_id, Name=vco["Name"], CreateTime=vco["CreateTime"])


def _attachment_item(vco: Resource) -> Dict[str, Any]:
    bgp = vco.get("EnableTunnelsBgp") or (vco.get("VpnBgpConfig") or {}).get("EnableBgp") == "true"
    return {"AttachType": ATTACH_TYPE, "CrossAccountAuthorized": vco.get("CrossAccountAuthorized", False),
            "Description": vco.get("Description", ""), "InstanceId": vco.id, "Name": vco["Name"],
            "Tag": json.dumps({"BGPSupport": "true" if bgp or tunnels(vco) else "false"}),
            "Tags": [dict(t) for t in (vco.get("Tags") or {}).get("Tag", [])],
            "TransitRouterId": vco.get("TransitRouterId", ""), "TransitRouterName": vco.get("TransitRouterName", ""),
            "TunnelBandwidth": vco.get("TunnelBandwidth", "Standard")}


@action("Vpc", "DescribeVpnAttachments")
def describe_vpn_attachments(req: Request) -> Dict[str, Any]:
    attach_type = req.get("AttachType", ATTACH_TYPE)
    if attach_type != ATTACH_TYPE:
        raise invalid_parameter("AttachType", attach_type)  # "The value can only be CEN"
    wanted = req.get("VpnConnectionId")
    items = [c for c in req.state.all("VpnConnection", region=req.region, owner=req.account.uid)
             if c.get("AttachType") == ATTACH_TYPE and wanted in (None, c.id)]
    shown, number, size = page_by_number(req, items)
    return {"VpnAttachments": [_attachment_item(c) for c in shown], "TotalCount": len(items), "PageNumber": number,
            "PageSize": size}


@action("Vpc", "ModifyVpnAttachmentAttribute")
def modify_vpn_attachment_attribute(req: Request) -> Dict[str, Any]:
    vco = get_vpn_connection(req, req.require("VpnConnectionId"))
    refuse_attach_type(vco, ATTACH_TYPE, "ModifyVpnConnectionAttribute")
    if req.get("NetworkType") not in (None, vco["NetworkType"]):
        raise invalid_parameter("NetworkType", req.get("NetworkType"))
    changes = modify_changes(req, vco, vco["InternetIp"], None, [])
    apply_changes(req, vco, changes)
    evaluate_tunnels(req.state)
    body = connection_view(vco, "attachment")
    if tunnels(vco):  # ModifyVpnAttachmentAttributeResponseBody: a plain list of tunnels
        body["TunnelOptionsSpecification"] = [tunnel_view(t, "attachment") for t in tunnels(vco)]
    return body


@action("Vpc", "DeleteVpnAttachment")
def delete_vpn_attachment(req: Request) -> Dict[str, Any]:
    vco = get_vpn_connection(req, req.require("VpnConnectionId"))
    refuse_attach_type(vco, ATTACH_TYPE, "DeleteVpnConnection")
    if is_bound(vco):
        raise ApiError("DependencyViolation.TransitRouterVpnAttachment",  # undocumented
                       f"The IPsec-VPN connection {vco.id} is bound to the transit router {vco['TransitRouterId']}; "
                       "delete the transit router VPN attachment first (DeleteTransitRouterVpnAttachment).")
    req.state.remove(vco)
    evaluate_tunnels(req.state)
    return dict(SUCCESS)
