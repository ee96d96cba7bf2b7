"""What the VPN Gateway kinds of product Vpc (2016-04-28) share: lookups, IPs, regions, hooks, tags.

The family is split by resource (one file each):

- ``vpn_gateway``          VPN gateways (single- or dual-tunnel), DescribeVpnGatewayAvailableZones;
- ``vpn_customer_gateway`` customer gateways;
- ``vpn_ipsec``            IKE / IPsec / BGP / health-check rules and the per-tunnel model, shared by
- ``vpn_connection``       IPsec-VPN connections on a VPN gateway (single- or dual-tunnel), and
- ``vpn_attachment``       IPsec-VPN connections attached to a transit router (CreateVpnAttachment);
- ``vpn_route``            VPN gateway route entries (destination routing) and what they publish.

Tunnel negotiation is decided by whoever knows the other end: hooks registered with
``register_tunnel_hook`` (the cross-cloud check in ``cloudtwin.crosscloud``) run before every
request that reads or changes IPsec state (``evaluate_tunnels``). None of these modules knows
AWS or HTTP.

Gateway ``Status``: init -> provisioning -> active; ``updating`` while a connection or route is
created, changed or deleted (mutations on the gateway then answer ``VpnGateway.Configuring``).
"""

from __future__ import annotations

import ipaddress
import json
import re
import time
from typing import Any, Callable, Dict, List, Optional

from .base import ApiError, Request, Resource, State, action, missing_parameter

# Documentation ranges only: Alibaba-side public IPs never leave them (.254 downwards; the AWS
# twin hands out tunnel outside IPs from .10 upwards in the same ranges).
PUBLIC_POOLS = ("198.51.100.0/24", "203.0.113.0/24")

# Zones where IPsec-VPN connections run in dual-tunnel mode. Source: VPN Gateway docs,
# "[Upgrade notice] IPsec-VPN connections support the dual-tunnel mode" (Limits: supported regions
# and zones), which also says new VPN gateways there take dual-tunnel connections only. Zone letters
# per region; the page's table ends at "US (Virginia)" whose zones the excerpt cut off (a, b assumed).
DUAL_TUNNEL_ZONES: Dict[str, str] = {
    "cn-hangzhou": "kjihg", "cn-shanghai": "klmnbdefg", "cn-nanjing": "a", "cn-shenzhen": "aedf",
    "cn-heyuan": "ab", "cn-guangzhou": "ab", "cn-qingdao": "bc", "cn-beijing": "fehgacjilk",
    "cn-zhangjiakou": "abc", "cn-huhehaote": "ab", "cn-wulanchabu": "abc", "cn-chengdu": "ab",
    "cn-hongkong": "bcd", "ap-southeast-1": "abc", "ap-southeast-7": "a", "ap-northeast-1": "abc",
    "ap-northeast-2": "a", "ap-southeast-6": "a", "ap-southeast-5": "abc", "ap-southeast-3": "ab",
    "eu-west-1": "ab", "eu-central-1": "abc", "us-west-1": "ab", "us-east-1": "ab",
}

NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]{1,99}$")

# (state) -> None; run before IPsec state is read or after it changes.
TUNNEL_HOOKS: List[Callable[[State], None]] = []


def register_tunnel_hook(hook: Callable[[State], None]) -> None:
    if hook not in TUNNEL_HOOKS:
        TUNNEL_HOOKS.append(hook)


def evaluate_tunnels(state: State) -> None:
    for hook in list(TUNNEL_HOOKS):
        hook(state)


# --- regions, zones and sites ---------------------------------------------------------------

def zone_id(region: str, letter: str) -> str:
    """Alibaba zone ids: ``ap-northeast-1a`` after a digit, ``cn-beijing-a`` otherwise."""
    return f"{region}{letter}" if region[-1].isdigit() else f"{region}-{letter}"


def dual_tunnel_zones(region: str) -> List[str]:
    return [zone_id(region, letter) for letter in DUAL_TUNNEL_ZONES.get(region, "")]


def dual_tunnel_region(state: State, region: str) -> bool:
    """Whether a VPN gateway or TR-attached connection created now in ``region`` is dual-tunnel."""
    return region in DUAL_TUNNEL_ZONES and not state.legacy("single_tunnel_vpn_gateways")


def account_site(state: State, uid: str) -> str:
    """``china`` or ``international`` (default): the site an account was opened on (a world file's ``site``)."""
    account = state.account_by_uid(uid)
    return account.site if account is not None else "international"


# --- small request helpers ---------------------------------------------------------------------

def now_ms() -> int:
    return int(time.time() * 1000)


def ids_param(value: Optional[str]) -> Optional[List[str]]:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def illegal(name: str, value: Any, why: str = "") -> ApiError:
    return ApiError(f"IllegalParam.{name}", f"The specified {name} ({value}) is invalid.{' ' + why if why else ''}")


def truthy(value: Any) -> bool:
    """Booleans arrive as ``True``/``False`` (SDK) or ``true``/``false`` (JSON strings)."""
    return value is True or str(value).lower() == "true"


def json_param(req: Request, name: str) -> Dict[str, Any]:
    raw = req.get(name)
    if raw is None:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        raise illegal(name, "not JSON", f"{name} must be a JSON object string.")
    if not isinstance(value, dict):
        raise illegal(name, raw, f"{name} must be a JSON object string.")
    return value


def nested_list(req: Request, name: str) -> List[Dict[str, Any]]:
    """``Name.1.A.B=v`` (a flattened list of objects, as the SDK sends form bodies) -> [{"A": {"B": v}}]."""
    out = []
    for item in req.list(name):
        if not isinstance(item, dict):
            raise illegal(name, item, f"{name}.N takes sub-fields, e.g. {name}.1.CustomerGatewayId.")
        nested: Dict[str, Any] = {}
        for dotted, value in item.items():
            node = nested
            *parents, leaf = dotted.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = value
        out.append(nested)
    return out


def tags_param(req: Request) -> List[Dict[str, str]]:
    return [{"Key": t.get("Key"), "Value": t.get("Value", "")} for t in req.list("Tags") + req.list("Tag")
            if isinstance(t, dict) and t.get("Key")]


def dry_run(req: Request) -> None:
    """``DryRun=true``: the checks passed, nothing is created (the API's documented answer)."""
    if truthy(req.get("DryRun")):
        raise ApiError("DryRunOperation", "Request validation has been passed with DryRun flag set.")


def check_name(name: Optional[str], strict: bool = False) -> None:
    """Connection names: 1-100 characters, not starting with http(s)://; gateway names follow NAME_RE."""
    if name is None:
        return
    if (strict and not NAME_RE.match(name)) or len(name) > 100 or name.startswith(("http://", "https://")):
        raise ApiError("InvalidName", f"The specified Name ({name}) is invalid: "
                       + ("2-100 characters, starting with a letter; letters, digits, '_', '-' and '.'."
                          if strict else "1-100 characters, not starting with http:// or https://."))


# --- lookups -------------------------------------------------------------------------------

def _owned(req: Request, res: Optional[Resource]) -> bool:
    return res is not None and res.owner == req.account.uid and res.region == req.region


def get_vpn_gateway(req: Request, gw_id: str) -> Resource:
    gw = req.state.find("VpnGateway", gw_id)
    if not _owned(req, gw):
        raise ApiError("InvalidVpnGatewayInstanceId.NotFound",
                       f"The specified vpn gateway instance id ({gw_id}) does not exist.", 404)
    return gw


def get_customer_gateway(req: Request, cgw_id: str) -> Resource:
    cgw = req.state.find("CustomerGateway", cgw_id)
    if not _owned(req, cgw):
        raise ApiError("InvalidCustomerGatewayInstanceId.NotFound",
                       f"The specified customer gateway instance id ({cgw_id}) does not exist.", 404)
    return cgw


def get_vpn_connection(req: Request, vco_id: str) -> Resource:
    vco = req.state.find("VpnConnection", vco_id)
    if not _owned(req, vco):
        raise ApiError("InvalidVpnConnectionInstanceId.NotFound",
                       f"The specified vpn connection instance id ({vco_id}) does not exist.", 404)
    return vco


def tunnels(vco: Any) -> List[Dict[str, Any]]:
    """The tunnels of a dual-tunnel or TR-attached connection (stored dicts, not copies); [] for single.

    ``vco`` is the ``VpnConnection`` resource (or its attributes).
    """
    return list(((vco.get("TunnelOptionsSpecification") or {}).get("TunnelOptions")) or [])


def customer_gateway_ids(vco: Resource) -> List[str]:
    if tunnels(vco):
        return [t["CustomerGatewayId"] for t in tunnels(vco)]
    return [vco["CustomerGatewayId"]] if vco.get("CustomerGatewayId") else []


def connections_of(state: State, **match: str) -> List[Resource]:
    """Connections whose attributes equal ``match``; ``CustomerGatewayId`` also matches any tunnel's."""
    cgw_id = match.pop("CustomerGatewayId", None)
    return [c for c in state.all("VpnConnection", include_invisible=True)
            if all(c.get(k) == v for k, v in match.items())
            and (cgw_id is None or cgw_id in customer_gateway_ids(c))]


def require_idle(gw: Resource) -> None:
    if gw["Status"] != "active":
        raise ApiError("VpnGateway.Configuring", "The specified service is configuring.")


def busy_while(state: State, gw: Resource) -> None:
    """The gateway shows ``updating`` while it applies a connection or route change."""
    gw["Status"] = "updating"
    state.schedule(gw, "Status", "active")


# --- public IPs ----------------------------------------------------------------------------------

def _used_public_ips(state: State) -> set:
    used = set()
    for gw in state.all("VpnGateway", include_invisible=True):
        used.update((gw.get("InternetIp"), gw.get("DisasterRecoveryInternetIp"), gw.get("SslVpnInternetIp")))
    for vco in state.all("VpnConnection", include_invisible=True):
        used.add(vco.get("InternetIp"))
        used.update(t.get("InternetIp") for t in tunnels(vco))
    return used


def allocate_public_ips(state: State, count: int) -> List[str]:
    """``count`` unused public IPs for VPN gateways and TR-attached tunnels."""
    used = _used_public_ips(state)
    out: List[str] = []
    for pool in PUBLIC_POOLS:
        for host in reversed(list(ipaddress.ip_network(pool).hosts())[99:]):
            if len(out) == count:
                return out
            if str(host) not in used:
                out.append(str(host))
    if len(out) == count:
        return out
    raise ApiError("QuotaExceeded.PublicIp", "No public IP address is left for a VPN gateway.")


# --- tags (VPN kinds and the VPC kinds that share TagResources) -----------------------------------

_TAG_KINDS = {"VPNGATEWAY": "VpnGateway", "CUSTOMERGATEWAY": "CustomerGateway", "VPNCONNECTION": "VpnConnection",
              "VPC": "Vpc", "VSWITCH": "VSwitch", "ROUTETABLE": "RouteTable"}


def _tag_kind(resource_type: str) -> str:
    kind = _TAG_KINDS.get(resource_type.upper())
    if kind is None:
        raise ApiError("InvalidParameter.ResourceType", f"The specified ResourceType ({resource_type}) is invalid.")
    return kind


def _tagged(req: Request, kind: str, rid: str) -> Resource:
    res = req.state.find(kind, rid)
    if res is None or res.owner != req.account.uid:
        raise ApiError("InvalidResourceId.NotFound", f"The specified resource ({rid}) does not exist.", 404)
    if not isinstance(res.get("Tags"), dict):
        res["Tags"] = {"Tag": []}
    return res


@action("Vpc", "TagResources")
def tag_resources(req: Request) -> Dict[str, Any]:
    """Tags for the VPN kinds (ResourceType VPNGATEWAY and friends) and VPC, VSWITCH, ROUTETABLE."""
    kind = _tag_kind(req.require("ResourceType"))
    resources = [_tagged(req, kind, rid) for rid in req.list("ResourceId")]
    if not resources:
        raise missing_parameter("ResourceId")
    new = [(t.get("Key"), t.get("Value", "")) for t in req.list("Tag") if t.get("Key")]
    for res in resources:
        tags = {t["Key"]: t["Value"] for t in res["Tags"]["Tag"]}
        tags.update(dict(new))
        if len(tags) > 20:
            raise ApiError("QuotaExceeded.TagNum", "A resource has at most 20 tags.")
        res["Tags"] = {"Tag": [{"Key": k, "Value": v} for k, v in tags.items()]}
    return {}


@action("Vpc", "UnTagResources")
def untag_resources(req: Request) -> Dict[str, Any]:
    kind = _tag_kind(req.require("ResourceType"))
    keys = set(req.list("TagKey"))
    remove_all = req.bool("All", False)
    for rid in req.list("ResourceId"):
        res = _tagged(req, kind, rid)
        res["Tags"] = {"Tag": [t for t in res["Tags"]["Tag"] if not remove_all and t["Key"] not in keys]}
    return {}
