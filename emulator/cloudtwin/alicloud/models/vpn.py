"""VPN gateways, customer gateways and IPsec-VPN connections (product Vpc, 2016-04-28).

Single-tunnel IPsec-VPN as the CreateVpnConnection reference describes it: IkeConfig,
IpsecConfig, BgpConfig and HealthCheckConfig arrive as JSON strings; defaults are IKEv1,
main mode, aes / md5 / group2, lifetimes 86400 s; a missing Psk is generated (and, as
in the cloud, returned by DescribeVpnConnections).

A connection's negotiation ``Status`` is decided by whoever knows the other end: hooks
registered with ``register_tunnel_hook`` (the cross-cloud check in
``cloudtwin.crosscloud``) run before every request that reads or changes IPsec state.
This module knows nothing of AWS or HTTP.

Gateway ``Status``: init -> provisioning -> active; ``updating`` while a connection is
created, changed or deleted (mutations on the gateway then answer
``VpnGateway.Configuring``, as the cloud does).
"""

from __future__ import annotations

import ipaddress
import json
import re
import secrets
import string
import time
from typing import Any, Callable, Dict, List, Optional

from .base import ApiError, Request, Resource, State, action
from .vpc import get_vpc

# Documentation ranges only: VPN gateway public IPs never leave them (.254 downwards).
PUBLIC_POOLS = ("198.51.100.0/24", "203.0.113.0/24")

BANDWIDTHS = (5, 10, 20, 50, 100, 200, 500, 1000)
SSL_CONNECTIONS = (5, 10, 20, 50, 100, 200, 500, 1000)
IKE_VERSIONS = ("ikev1", "ikev2")
IKE_MODES = ("main", "aggressive")
ENC_ALGS = ("aes", "aes192", "aes256", "des", "3des")
AUTH_ALGS = ("md5", "sha1", "sha256", "sha384", "sha512")
IKE_PFS = ("group1", "group2", "group5", "group14")
IPSEC_PFS = ("disabled",) + IKE_PFS
IKE_DEFAULTS = {"IkeVersion": "ikev1", "IkeMode": "main", "IkeEncAlg": "aes", "IkeAuthAlg": "md5",
                "IkePfs": "group2", "IkeLifetime": 86400}
IPSEC_DEFAULTS = {"IpsecEncAlg": "aes", "IpsecAuthAlg": "md5", "IpsecPfs": "group2", "IpsecLifetime": 86400}
PSK_CHARS = set(string.ascii_letters + string.digits + "~!`@#$%^&*()_-+={}[]|;:\",.<>/?\\")
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]{1,99}$")
RESERVED_TUNNEL_CIDRS = {f"169.254.{i}.0/30" for i in range(7)} | {"169.254.169.252/30"}

# (state) -> None; run before IPsec state is read or after it changes.
TUNNEL_HOOKS: List[Callable[[State], None]] = []


def register_tunnel_hook(hook: Callable[[State], None]) -> None:
    if hook not in TUNNEL_HOOKS:
        TUNNEL_HOOKS.append(hook)


def evaluate_tunnels(state: State) -> None:
    for hook in list(TUNNEL_HOOKS):
        hook(state)


def _now_ms() -> int:
    return int(time.time() * 1000)


def _ids(value: Optional[str]) -> Optional[List[str]]:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def _page(req: Request, items: List[Any]) -> tuple:
    number = req.int("PageNumber", 1) or 1
    size = min(req.int("PageSize", 10) or 10, 100)
    return items[(number - 1) * size: number * size], number, size


def _illegal(name: str, value: Any, why: str = "") -> ApiError:
    return ApiError(f"IllegalParam.{name}", f"The specified {name} ({value}) is invalid.{' ' + why if why else ''}")


def _json_param(req: Request, name: str) -> Dict[str, Any]:
    raw = req.get(name)
    if raw is None:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        raise _illegal(name, "not JSON", f"{name} must be a JSON object string.")
    if not isinstance(value, dict):
        raise _illegal(name, raw, f"{name} must be a JSON object string.")
    return value


def _tags(req: Request) -> List[Dict[str, str]]:
    return [{"Key": t.get("Key"), "Value": t.get("Value", "")} for t in req.list("Tags") + req.list("Tag")
            if t.get("Key")]


# --- lookups ----------------------------------------------------------------------------

def get_vpn_gateway(req: Request, gw_id: str) -> Resource:
    gw = req.state.find("VpnGateway", gw_id)
    if gw is None or gw.owner != req.account.uid or gw.region != req.region:
        raise ApiError("InvalidVpnGatewayInstanceId.NotFound",
                       f"The specified vpn gateway instance id ({gw_id}) does not exist.", 404)
    return gw


def get_customer_gateway(req: Request, cgw_id: str) -> Resource:
    cgw = req.state.find("CustomerGateway", cgw_id)
    if cgw is None or cgw.owner != req.account.uid or cgw.region != req.region:
        raise ApiError("InvalidCustomerGatewayInstanceId.NotFound",
                       f"The specified customer gateway instance id ({cgw_id}) does not exist.", 404)
    return cgw


def get_vpn_connection(req: Request, vco_id: str) -> Resource:
    vco = req.state.find("VpnConnection", vco_id)
    if vco is None or vco.owner != req.account.uid or vco.region != req.region:
        raise ApiError("InvalidVpnConnectionInstanceId.NotFound",
                       f"The specified vpn connection instance id ({vco_id}) does not exist.", 404)
    return vco


def connections_of(state: State, **match: str) -> List[Resource]:
    return [c for c in state.all("VpnConnection", include_invisible=True)
            if all(c.get(k) == v for k, v in match.items())]


def _require_idle(gw: Resource) -> None:
    if gw["Status"] != "active":
        raise ApiError("VpnGateway.Configuring", "The specified service is configuring.")


def _busy_while(state: State, gw: Resource) -> None:
    """The gateway shows ``updating`` while it applies a connection change."""
    gw["Status"] = "updating"
    state.schedule(gw, "Status", "active")


def _allocate_ip(state: State) -> str:
    used = {g.get("InternetIp") for g in state.all("VpnGateway", include_invisible=True)}
    for pool in PUBLIC_POOLS:
        # From the top of each range down: the AWS twin hands out tunnel outside IPs from .10 up.
        for host in reversed(list(ipaddress.ip_network(pool).hosts())[99:]):
            if str(host) not in used:
                return str(host)
    raise ApiError("QuotaExceeded.PublicIp", "No public IP address is left for a VPN gateway.")


# --- VPN gateways ------------------------------------------------------------------------

def gateway_view(gw: Resource) -> Dict[str, Any]:
    return dict(gw.attrs)


@action("Vpc", "CreateVpnGateway", idempotent=True)
def create_vpn_gateway(req: Request) -> Dict[str, Any]:
    vpc = get_vpc(req, req.require("VpcId"))
    bandwidth = req.int("Bandwidth")
    if bandwidth is None:
        raise ApiError("MissingParameter",
                       'The input parameter "Bandwidth" that is mandatory for processing this request is not supplied.')
    if bandwidth not in BANDWIDTHS:
        raise ApiError("InvalidSpec.NotFound", f"The specified Bandwidth ({bandwidth}) is not a VPN gateway "
                                               f"specification; use one of {', '.join(map(str, BANDWIDTHS))}.")
    vsw_id = req.get("VSwitchId")
    vswitches = [s for s in req.state.all("VSwitch", owner=req.account.uid) if s["VpcId"] == vpc.id]
    if vsw_id:
        vsw = next((s for s in vswitches if s.id == vsw_id), None)
        if vsw is None:
            raise ApiError("InvalidVSwitchId.NotFound",
                           f"The specified vSwitch ({vsw_id}) does not exist in VPC {vpc.id}.", 404)
    elif vswitches:
        vsw_id = vswitches[0].id
    else:
        raise ApiError("InvalidVSwitchId.NotFound", f"VPC {vpc.id} has no vSwitch for the VPN gateway.", 404)
    name = req.get("Name")
    if name is not None and (not NAME_RE.match(name) or name.startswith(("http://", "https://"))):
        raise ApiError("InvalidName", f"The specified Name ({name}) is invalid: 2-100 characters, starting with a "
                                      "letter; letters, digits, '_', '-' and '.'.")
    enable_ssl = req.bool("EnableSsl", False)
    ssl_connections = req.int("SslConnections", 5 if enable_ssl else 0)
    if enable_ssl and ssl_connections not in SSL_CONNECTIONS:
        raise ApiError("InvalidParameter.SslConnections",
                       f"The specified SslConnections ({ssl_connections}) is invalid; use one of "
                       f"{', '.join(map(str, SSL_CONNECTIONS))}.")
    gw_id = req.state.new_id("vpn")
    gw = req.state.add("VpnGateway", gw_id, req.account.uid, req.region, {
        "VpnGatewayId": gw_id, "VpcId": vpc.id, "VSwitchId": vsw_id, "Name": name or gw_id,
        "Description": "", "Spec": f"{bandwidth}M", "Status": "init", "BusinessStatus": "Normal",
        "InternetIp": _allocate_ip(req.state), "IpsecVpn": "enable" if req.bool("EnableIpsec", True) else "disable",
        "SslVpn": "enable" if enable_ssl else "disable", "SslMaxConnections": ssl_connections if enable_ssl else 0,
        "ChargeType": "PostPaid", "CreateTime": _now_ms(), "EndTime": 0, "NetworkType": req.get("NetworkType", "public"),
        "VpnType": req.get("VpnType", "Normal"), "GatewayType": "Normal", "EnableBgp": False, "AutoPropagate": False,
        "DisasterRecoveryVSwitchId": req.get("DisasterRecoveryVSwitchId", ""), "DisasterRecoveryInternetIp": "",
        "SslVpnInternetIp": "", "ResourceGroupId": req.get("ResourceGroupId", "rg-default"), "Tag": "",
        "Tags": {"Tag": []}, "RegionId": req.region,
    })
    req.state.schedule(gw, "Status", "provisioning", steps=0.5)
    req.state.schedule(gw, "Status", "active", steps=1)
    req.state.note(kind="VpnGateway", id=gw_id, message=f"{gw_id}: VPN gateway created in {vpc.id} with public IP "
                                                        f"{gw['InternetIp']}")
    return {"VpnGatewayId": gw_id, "Name": gw["Name"], "OrderId": int(time.time())}


@action("Vpc", "DescribeVpnGateways")
def describe_vpn_gateways(req: Request) -> Dict[str, Any]:
    ids = _ids(req.get("VpnGatewayId"))
    vpc_id = req.get("VpcId")
    status = req.get("Status")
    business = req.get("BusinessStatus")
    tags = [(t.get("Key"), t.get("Value")) for t in req.list("Tag")]
    items = []
    for gw in req.state.all("VpnGateway", region=req.region, owner=req.account.uid):
        have = {(t["Key"], t["Value"]) for t in gw["Tags"]["Tag"]}
        if (ids is None or gw.id in ids) and (vpc_id is None or gw["VpcId"] == vpc_id) \
                and (status is None or gw["Status"] == status.lower()) \
                and (business is None or gw["BusinessStatus"] == business) \
                and all((k, v) in have or (v is None and any(h[0] == k for h in have)) for k, v in tags):
            items.append(gw)
    page, number, size = _page(req, items)
    return {"VpnGateways": {"VpnGateway": [gateway_view(g) for g in page]}, "TotalCount": len(items),
            "PageNumber": number, "PageSize": size}


@action("Vpc", "ModifyVpnGatewayAttribute")
def modify_vpn_gateway_attribute(req: Request) -> Dict[str, Any]:
    gw = get_vpn_gateway(req, req.require("VpnGatewayId"))
    _require_idle(gw)
    name = req.get("Name")
    if name is not None:
        if not NAME_RE.match(name):
            raise ApiError("InvalidName", f"The specified Name ({name}) is invalid.")
        gw["Name"] = name
    if req.get("Description") is not None:
        gw["Description"] = req.get("Description")
    if req.get("AutoPropagate") is not None:
        gw["AutoPropagate"] = req.bool("AutoPropagate")
    body = {k: gw.get(k) for k in ("VpnGatewayId", "VpcId", "VSwitchId", "InternetIp", "Name", "Description",
                                   "Spec", "Status", "BusinessStatus", "EnableBgp", "AutoPropagate",
                                   "ResourceGroupId", "CreateTime", "EndTime")}
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
    _require_idle(gw)
    gw["Status"] = "deleting"
    req.state.schedule(gw, "Status", "deleted", then=req.state.remove)
    return {}


@action("Vpc", "TagResources")
def tag_resources(req: Request) -> Dict[str, Any]:
    """Tags for the VPN kinds this module owns (ResourceType VPNGATEWAY and friends)."""
    kind = _tag_kind(req.require("ResourceType"))
    resources = [_tagged(req, kind, rid) for rid in req.list("ResourceId")]
    if not resources:
        raise ApiError("MissingParameter", 'The input parameter "ResourceId" is not supplied.')
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


# --- customer gateways ------------------------------------------------------------------------

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
    if name is not None and (len(name) > 100 or name.startswith(("http://", "https://"))):
        raise ApiError("InvalidName", f"The specified Name ({name}) is invalid.")
    cgw_id = req.state.new_id("cgw")
    cgw = req.state.add("CustomerGateway", cgw_id, req.account.uid, req.region, {
        "CustomerGatewayId": cgw_id, "IpAddress": ip, "Asn": asn, "Name": name or cgw_id,
        "Description": req.get("Description", ""), "CreateTime": _now_ms(), "AuthKey": req.get("AuthKey", ""),
        "ResourceGroupId": req.get("ResourceGroupId", "rg-default"), "Tags": {"Tag": _tags(req)},
    })
    return {"CustomerGatewayId": cgw_id, "IpAddress": ip, "Name": cgw["Name"], "Description": cgw["Description"],
            "CreateTime": cgw["CreateTime"]}


@action("Vpc", "DescribeCustomerGateways")
def describe_customer_gateways(req: Request) -> Dict[str, Any]:
    ids = _ids(req.get("CustomerGatewayId"))
    items = [c for c in req.state.all("CustomerGateway", region=req.region, owner=req.account.uid)
             if ids is None or c.id in ids]
    page, number, size = _page(req, items)
    return {"CustomerGateways": {"CustomerGateway": [{k: v for k, v in c.attrs.items() if v is not None}
                                                     for c in page]},
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


# --- IPsec-VPN connections ------------------------------------------------------------------------

def _subnets(name: str, value: str) -> str:
    nets = []
    for part in value.split(","):
        part = part.strip()
        try:
            nets.append(str(ipaddress.IPv4Network(part, strict=True)))
        except ValueError:
            raise _illegal(name, part, f"{name} is a comma-separated list of IPv4 CIDR blocks.")
    if not nets:
        raise _illegal(name, value)
    return ",".join(nets)


def _choice(section: str, key: str, value: Any, allowed: tuple) -> str:
    text = str(value).lower()
    if text not in allowed:
        raise _illegal(f"{section}.{key}", value, f"Valid values: {', '.join(allowed)}.")
    return text


def _lifetime(section: str, key: str, value: Any) -> int:
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        raise _illegal(f"{section}.{key}", value, "A lifetime is a number of seconds.")
    if not 0 <= seconds <= 86400:
        raise _illegal(f"{section}.{key}", value, "Valid values: 0 to 86400.")
    return seconds


def _psk(value: Any) -> str:
    psk = str(value)
    if not 1 <= len(psk) <= 100 or any(ch not in PSK_CHARS for ch in psk):
        # Never echo the key itself.
        raise _illegal("IkeConfig.Psk", "hidden", "The pre-shared key is 1-100 characters: letters, digits and "
                                                  "~!`@#$%^&*()_-+={}[]|;:\",.<>/? (no spaces).")
    return psk


def _ike_config(given: Dict[str, Any], base: Dict[str, Any], gw: Resource, cgw: Resource) -> Dict[str, Any]:
    cfg = dict(base)
    for key, value in given.items():
        if value is None or value == "":
            continue
        if key == "IkeVersion":
            cfg[key] = _choice("IkeConfig", key, value, IKE_VERSIONS)
        elif key == "IkeMode":
            cfg[key] = _choice("IkeConfig", key, value, IKE_MODES)
        elif key == "IkeEncAlg":
            cfg[key] = _choice("IkeConfig", key, value, ENC_ALGS)
        elif key == "IkeAuthAlg":
            cfg[key] = _choice("IkeConfig", key, value, AUTH_ALGS)
        elif key == "IkePfs":
            cfg[key] = _choice("IkeConfig", key, value, IKE_PFS)
        elif key == "IkeLifetime":
            cfg[key] = _lifetime("IkeConfig", key, value)
        elif key in ("LocalId", "RemoteId"):
            text = str(value)
            if len(text) > 100 or " " in text:
                raise _illegal(f"IkeConfig.{key}", value, "At most 100 characters, no spaces.")
            cfg[key] = text
        elif key == "Psk":
            cfg[key] = _psk(value)
        else:
            raise _illegal("IkeConfig", key, "Unknown key.")
    cfg.setdefault("LocalId", gw["InternetIp"])
    cfg.setdefault("RemoteId", cgw["IpAddress"])
    if not cfg.get("Psk"):
        alphabet = string.ascii_letters + string.digits
        cfg["Psk"] = "".join(secrets.choice(alphabet) for _ in range(16))
    return cfg


def _ipsec_config(given: Dict[str, Any], base: Dict[str, Any]) -> Dict[str, Any]:
    cfg = dict(base)
    for key, value in given.items():
        if value is None or value == "":
            continue
        if key == "IpsecEncAlg":
            cfg[key] = _choice("IpsecConfig", key, value, ENC_ALGS)
        elif key == "IpsecAuthAlg":
            cfg[key] = _choice("IpsecConfig", key, value, AUTH_ALGS)
        elif key == "IpsecPfs":
            cfg[key] = _choice("IpsecConfig", key, value, IPSEC_PFS)
        elif key == "IpsecLifetime":
            cfg[key] = _lifetime("IpsecConfig", key, value)
        else:
            raise _illegal("IpsecConfig", key, "Unknown key.")
    return cfg


def _bgp_config(given: Dict[str, Any], base: Dict[str, Any], cgw: Resource) -> Dict[str, Any]:
    cfg = dict(base)
    if not given:
        return cfg
    enable = str(given.get("EnableBgp", cfg.get("EnableBgp", "false"))).lower() == "true"
    cfg["EnableBgp"] = "true" if enable else "false"
    if "LocalAsn" in given:
        try:
            cfg["LocalAsn"] = int(given["LocalAsn"])
        except (TypeError, ValueError):
            raise _illegal("BgpConfig.LocalAsn", given["LocalAsn"])
    if "TunnelCidr" in given:
        try:
            net = ipaddress.IPv4Network(str(given["TunnelCidr"]), strict=True)
        except ValueError:
            raise _illegal("BgpConfig.TunnelCidr", given["TunnelCidr"])
        if net.prefixlen != 30 or not net.subnet_of(ipaddress.IPv4Network("169.254.0.0/16")) \
                or str(net) in RESERVED_TUNNEL_CIDRS:
            raise _illegal("BgpConfig.TunnelCidr", given["TunnelCidr"],
                           "A /30 inside 169.254.0.0/16, not 169.254.0.0/30-169.254.6.0/30 nor 169.254.169.252/30.")
        cfg["TunnelCidr"] = str(net)
    if "LocalBgpIp" in given:
        cfg["LocalBgpIp"] = str(given["LocalBgpIp"])
        if cfg.get("TunnelCidr") and ipaddress.IPv4Address(cfg["LocalBgpIp"]) not in \
                ipaddress.IPv4Network(cfg["TunnelCidr"]):
            raise _illegal("BgpConfig.LocalBgpIp", cfg["LocalBgpIp"], "It must be inside TunnelCidr.")
    if enable and not cgw.get("Asn"):
        raise ApiError("VpnConnection.CustomerGatewayAsnMissing",
                       f"BGP needs the customer gateway {cgw.id} to have an Asn; recreate it with one.")
    cfg["PeerAsn"] = cgw.get("Asn") or 0
    cfg["Status"] = "false" if not enable else cfg.get("Status", "init")
    return cfg


def _health_check(given: Dict[str, Any], base: Dict[str, Any]) -> Dict[str, Any]:
    cfg = dict(base)
    for key, value in given.items():
        key_cap = key[:1].upper() + key[1:]
        if key_cap == "Enable":
            cfg["Enable"] = "true" if str(value).lower() == "true" else "false"
        elif key_cap in ("Interval", "Retry"):
            cfg[key_cap] = int(value)
        elif key_cap in ("Dip", "Sip", "Policy"):
            cfg[key_cap] = str(value)
        else:
            raise _illegal("HealthCheckConfig", key, "Unknown key.")
    return cfg


def connection_view(vco: Resource) -> Dict[str, Any]:
    out = {k: v for k, v in vco.attrs.items() if not k.startswith("_")}
    out["IkeConfig"] = dict(vco["IkeConfig"])
    out["IpsecConfig"] = dict(vco["IpsecConfig"])
    return out


@action("Vpc", "CreateVpnConnection", idempotent=True)
def create_vpn_connection(req: Request) -> Dict[str, Any]:
    gw = get_vpn_gateway(req, req.require("VpnGatewayId"))
    if req.list("TunnelOptionsSpecification"):
        raise ApiError("OperationUnsupported.TunnelOptions",
                       f"The VPN gateway {gw.id} supports single-tunnel IPsec-VPN connections only.")
    cgw = get_customer_gateway(req, req.require("CustomerGatewayId"))
    local = _subnets("LocalSubnet", req.require("LocalSubnet"))
    remote = _subnets("RemoteSubnet", req.require("RemoteSubnet"))
    if gw["IpsecVpn"] != "enable":
        raise ApiError("VpnGateway.IpsecVpnDisabled", f"IPsec-VPN is not enabled on the VPN gateway {gw.id}.")
    for other in connections_of(req.state, VpnGatewayId=gw.id):
        if other["CustomerGatewayId"] == cgw.id:
            raise ApiError("VpnConnection.CustomerGatewayAlreadyUsed",
                           f"The VPN gateway {gw.id} already has connection {other.id} to customer gateway {cgw.id}.")
    ike = _ike_config(_json_param(req, "IkeConfig"), IKE_DEFAULTS, gw, cgw)
    ipsec = _ipsec_config(_json_param(req, "IpsecConfig"), IPSEC_DEFAULTS)
    bgp = _bgp_config(_json_param(req, "BgpConfig"), {"EnableBgp": "false", "Status": "false", "LocalAsn": 45104,
                                                      "TunnelCidr": "", "LocalBgpIp": "", "PeerBgpIp": "",
                                                      "AuthKey": ""}, cgw)
    health = _health_check(_json_param(req, "HealthCheckConfig"), {"Enable": "false", "Dip": "", "Sip": "",
                                                                   "Interval": 3, "Retry": 3, "Policy": "revoke_route",
                                                                   "Status": ""})
    name = req.get("Name")
    if name is not None and (len(name) > 100 or name.startswith(("http://", "https://"))):
        raise ApiError("InvalidName", f"The specified Name ({name}) is invalid.")
    _require_idle(gw)
    vco_id = req.state.new_id("vco")
    vco = req.state.add("VpnConnection", vco_id, req.account.uid, req.region, {
        "VpnConnectionId": vco_id, "VpnGatewayId": gw.id, "CustomerGatewayId": cgw.id, "Name": name or vco_id,
        "LocalSubnet": local, "RemoteSubnet": remote, "EffectImmediately": req.bool("EffectImmediately", False),
        "EnableDpd": req.bool("EnableDpd", True), "EnableNatTraversal": req.bool("EnableNatTraversal", True),
        "EnableTunnelsBgp": False, "IkeConfig": ike, "IpsecConfig": ipsec, "VpnBgpConfig": bgp,
        "VcoHealthCheck": health, "Status": "ike_sa_not_established", "State": "active", "CreateTime": _now_ms(),
        "NetworkType": "public", "AttachType": "VPNGateway", "Spec": "", "InternetIp": "",
        "ResourceGroupId": gw.get("ResourceGroupId", ""), "Tag": {"Tag": _tags(req)},
        "CrossAccountAuthorized": False, "RemoteCaCertificate": "",
    })
    _busy_while(req.state, gw)
    evaluate_tunnels(req.state)
    return {"VpnConnectionId": vco_id, "Name": vco["Name"], "CreateTime": vco["CreateTime"]}


@action("Vpc", "DescribeVpnConnections")
def describe_vpn_connections(req: Request) -> Dict[str, Any]:
    evaluate_tunnels(req.state)
    ids = _ids(req.get("VpnConnectionId"))
    gw_id = req.get("VpnGatewayId")
    cgw_id = req.get("CustomerGatewayId")
    items = [c for c in req.state.all("VpnConnection", region=req.region, owner=req.account.uid)
             if (ids is None or c.id in ids) and (gw_id is None or c["VpnGatewayId"] == gw_id)
             and (cgw_id is None or c["CustomerGatewayId"] == cgw_id)]
    page, number, size = _page(req, items)
    return {"VpnConnections": {"VpnConnection": [connection_view(c) for c in page]}, "TotalCount": len(items),
            "PageNumber": number, "PageSize": size}


@action("Vpc", "DescribeVpnConnection")
def describe_vpn_connection(req: Request) -> Dict[str, Any]:
    evaluate_tunnels(req.state)
    return connection_view(get_vpn_connection(req, req.require("VpnConnectionId")))


@action("Vpc", "ModifyVpnConnectionAttribute")
def modify_vpn_connection_attribute(req: Request) -> Dict[str, Any]:
    vco = get_vpn_connection(req, req.require("VpnConnectionId"))
    gw = req.state.find("VpnGateway", vco["VpnGatewayId"])
    cgw = req.state.find("CustomerGateway", vco["CustomerGatewayId"])
    if req.list("TunnelOptionsSpecification"):
        raise ApiError("OperationUnsupported.TunnelOptions",
                       f"The connection {vco.id} is a single-tunnel IPsec-VPN connection.")
    changes: Dict[str, Any] = {}
    if req.get("LocalSubnet") is not None:
        changes["LocalSubnet"] = _subnets("LocalSubnet", req.get("LocalSubnet"))
    if req.get("RemoteSubnet") is not None:
        changes["RemoteSubnet"] = _subnets("RemoteSubnet", req.get("RemoteSubnet"))
    if req.get("IkeConfig") is not None:
        changes["IkeConfig"] = _ike_config(_json_param(req, "IkeConfig"), vco["IkeConfig"], gw, cgw)
    if req.get("IpsecConfig") is not None:
        changes["IpsecConfig"] = _ipsec_config(_json_param(req, "IpsecConfig"), vco["IpsecConfig"])
    if req.get("BgpConfig") is not None:
        changes["VpnBgpConfig"] = _bgp_config(_json_param(req, "BgpConfig"), vco["VpnBgpConfig"], cgw)
    if req.get("HealthCheckConfig") is not None:
        changes["VcoHealthCheck"] = _health_check(_json_param(req, "HealthCheckConfig"), vco["VcoHealthCheck"])
    for key in ("EffectImmediately", "EnableDpd", "EnableNatTraversal"):
        if req.get(key) is not None:
            changes[key] = req.bool(key)
    if req.get("Name") is not None:
        changes["Name"] = req.get("Name")
    _require_idle(gw)
    vco.attrs.update(changes)
    if set(changes) - {"Name"}:
        _busy_while(req.state, gw)
        vco["Status"] = "ike_sa_not_established"  # a changed connection renegotiates
    evaluate_tunnels(req.state)
    body = connection_view(vco)
    body["Description"] = ""
    return body


@action("Vpc", "DeleteVpnConnection")
def delete_vpn_connection(req: Request) -> Dict[str, Any]:
    vco = get_vpn_connection(req, req.require("VpnConnectionId"))
    gw = req.state.find("VpnGateway", vco["VpnGatewayId"])
    if gw is not None:
        _require_idle(gw)
        _busy_while(req.state, gw)
    req.state.remove(vco)
    evaluate_tunnels(req.state)
    return {}
