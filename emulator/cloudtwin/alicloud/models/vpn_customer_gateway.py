"""Customer gateways (product Vpc, 2016-04-28): the on-premises (here: the other cloud's) end of IPsec-VPN.

One customer gateway per public IP per account and region; it cannot be deleted while a connection
(or a tunnel of a dual-tunnel / TR-attached connection) uses it.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Dict

from .base import ApiError, Request, action, page_by_number
from .vpn import check_name, connections_of, get_customer_gateway, ids_param, now_ms, tags_param

def _public_ip(value: str) -> str:
    try:
        ip = ipaddress.IPv4Address(value)
    except ValueError:
        raise ApiError("InvalidIpAddress.Malformed", f"The specified IpAddress ({value}) is not an IPv4 address.")
    if ip.is_loopback or ip.is_multicast or ip.is_unspecified or ip.is_link_local:
        raise ApiError("InvalidIpAddress.Malformed",
                       f"The specified IpAddress ({value}) cannot be the public address of a gateway device.")
    return str(ip)


@action("Vpc", "CreateCustomerGateway", idempotent=True)
def create_customer_gateway(req: Request) -> Dict[str, Any]:
    ip = _public_ip(req.require("IpAddress"))
    for other in req.state.all("CustomerGateway", region=req.region, owner=req.account.uid, include_invisible=True):
        if other["IpAddress"] == ip:
            raise ApiError("InvalidIpAddress.AlreadyExist",
                           f"A customer gateway with IpAddress {ip} already exists ({other.id}).")
    asn = req.get("Asn")
    if asn is not None:
        try:
            asn_value = int(asn)
        except ValueError:
            raise ApiError("InvalidAsn.Malformed", f"The specified Asn ({asn}) is not a number.")
        if not 1 <= asn_value <= 4294967295 or asn_value == 45104:
            raise ApiError("InvalidAsn.Malformed", f"The specified Asn ({asn}) must be 1-4294967295 and not 45104, "
                                                   "the ASN of the Alibaba Cloud side.")
        asn = asn_value
    name = req.get("Name")
    check_name(name)
    cgw_id = req.state.new_id("cgw")
    cgw = req.state.add("CustomerGateway", cgw_id, req.account.uid, req.region, {
        "CustomerGatewayId": cgw_id, "IpAddress": ip, "Asn": asn, "Name": name or cgw_id,
        "Description": req.get("Description", ""), "CreateTime": now_ms(), "AuthKey": req.get("AuthKey", ""),
        "ResourceGroupId": req.get("ResourceGroupId", "rg-default"), "Tags": {"Tag": tags_param(req)},
    })
    return {"CustomerGatewayId": cgw_id, "IpAddress": ip, "Name": cgw["Name"], "Description": cgw["Description"],
            "CreateTime": cgw["CreateTime"]}


@action("Vpc", "DescribeCustomerGateways")
def describe_customer_gateways(req: Request) -> Dict[str, Any]:
    ids = ids_param(req.get("CustomerGatewayId"))
    items = [c for c in req.state.all("CustomerGateway", region=req.region, owner=req.account.uid)
             if ids is None or c.id in ids]
    shown, number, size = page_by_number(req, items)
    return {"CustomerGateways": {"CustomerGateway": [{k: v for k, v in c.attrs.items() if v is not None}
                                                     for c in shown]},
            "TotalCount": len(items), "PageNumber": number, "PageSize": size}


@action("Vpc", "DescribeCustomerGateway")
def describe_customer_gateway(req: Request) -> Dict[str, Any]:
    cgw = get_customer_gateway(req, req.require("CustomerGatewayId"))
    return {k: v for k, v in cgw.attrs.items() if v is not None}


@action("Vpc", "ModifyCustomerGatewayAttribute")
def modify_customer_gateway_attribute(req: Request) -> Dict[str, Any]:
    cgw = get_customer_gateway(req, req.require("CustomerGatewayId"))
    for key in ("Name", "Description", "AuthKey"):
        if req.get(key) is not None:
            cgw[key] = req.get(key)
    return {k: v for k, v in cgw.attrs.items() if k in ("CustomerGatewayId", "IpAddress", "Name", "Description",
                                                        "CreateTime")}


@action("Vpc", "DeleteCustomerGateway")
def delete_customer_gateway(req: Request) -> Dict[str, Any]:
    cgw = get_customer_gateway(req, req.require("CustomerGatewayId"))
    if connections_of(req.state, CustomerGatewayId=cgw.id):
        raise ApiError("DependencyViolation.VpnConnection",
                       "There are vpn connections on specified customer gateway not deleted.")
    req.state.remove(cgw)
    return {}
