"""IKE / IPsec / BGP / health-check rules and the tunnel model shared by IPsec-VPN connections.

Used by ``vpn_connection`` (connections on a VPN gateway) and ``vpn_attachment`` (connections
attached to a transit router). Rules come from the SDK request models of CreateVpnConnection,
ModifyVpnConnectionAttribute, CreateVpnAttachment and ModifyVpnAttachmentAttribute:

- single tunnel: ``IkeConfig`` / ``IpsecConfig`` / ``BgpConfig`` / ``HealthCheckConfig`` are JSON strings;
- dual tunnel: ``TunnelOptionsSpecification.N.*`` (form body), per tunnel ``CustomerGatewayId``,
  ``Role`` (master/slave) or ``TunnelIndex`` (1/2), ``EnableDpd``, ``EnableNatTraversal``,
  ``TunnelIkeConfig.*``, ``TunnelIpsecConfig.*``, ``TunnelBgpConfig.*``, ``RemoteCaCertificate``;
- a missing pre-shared key is generated: a random 16-character string ("If you do not specify a
  pre-shared key, the system randomly generates a 16-character string"), on create and on every
  modify that sends IKE settings without a key.

A tunnel is stored on its connection (``attrs["TunnelOptionsSpecification"]["TunnelOptions"]``)
with typed values; ``tunnel_view`` renders it in the shape (and value types) of each response model.
"""

from __future__ import annotations

import ipaddress
import secrets
import string
from typing import Any, Dict, List, Optional

from .base import ApiError, Request, Resource, State, missing_parameter
from .vpn import get_customer_gateway, illegal, truthy, tunnels

IKE_VERSIONS = ("ikev1", "ikev2")
IKE_MODES = ("main", "aggressive")
ENC_ALGS = ("aes", "aes192", "aes256", "des", "3des")
AUTH_ALGS = ("md5", "sha1", "sha256", "sha384", "sha512")
IKE_PFS = ("group1", "group2", "group5", "group14")
IPSEC_PFS = ("disabled",) + IKE_PFS
ROLES = ("master", "slave")
# CreateVpnConnection (IkeConfig / TunnelIkeConfig): IKEv1, main, aes, md5, group2, 86400 s.
IKE_DEFAULTS = {"IkeVersion": "ikev1", "IkeMode": "main", "IkeEncAlg": "aes", "IkeAuthAlg": "md5",
                "IkePfs": "group2", "IkeLifetime": 86400}
IPSEC_DEFAULTS = {"IpsecEncAlg": "aes", "IpsecAuthAlg": "md5", "IpsecPfs": "group2", "IpsecLifetime": 86400}
# CreateVpnAttachment (TunnelIkeConfig / TunnelIpsecConfig): IKEv2 and sha1 by default.
ATTACHMENT_IKE_DEFAULTS = dict(IKE_DEFAULTS, IkeVersion="ikev2", IkeAuthAlg="sha1")
ATTACHMENT_IPSEC_DEFAULTS = dict(IPSEC_DEFAULTS, IpsecAuthAlg="sha1")
PSK_CHARS = set(string.ascii_letters + string.digits + "~!`@#$%^&*()_-+={}[]|;:\",.<>/?\\")
PSK_LENGTH = 16
# BgpConfig.TunnelCidr / TunnelBgpConfig.TunnelCidr: a /30 in 169.254.0.0/16, not these.
RESERVED_TUNNEL_CIDRS = {f"169.254.{i}.0/30" for i in range(7)} | {"169.254.169.252/30"}
LINK_LOCAL = ipaddress.IPv4Network("169.254.0.0/16")
DEFAULT_LOCAL_ASN = 45104
INITIAL_STATUS = "ike_sa_not_established"
ESTABLISHED = "ipsec_sa_established"


def generate_psk() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(PSK_LENGTH))


def subnets(name: str, value: str) -> str:
    nets = []
    for part in value.split(","):
        part = part.strip()
        try:
            nets.append(str(ipaddress.IPv4Network(part, strict=True)))
        except ValueError:
            raise illegal(name, part, f"{name} is a comma-separated list of IPv4 CIDR blocks.")
    if not nets:
        raise illegal(name, value)
    return ",".join(nets)


def _choice(section: str, key: str, value: Any, allowed: tuple) -> str:
    text = str(value).lower()
    if text not in allowed:
        raise illegal(f"{section}.{key}", value, f"Valid values: {', '.join(allowed)}.")
    return text


def _lifetime(section: str, key: str, value: Any) -> int:
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        raise illegal(f"{section}.{key}", value, "A lifetime is a number of seconds.")
    if not 0 <= seconds <= 86400:
        raise illegal(f"{section}.{key}", value, "Valid values: 0 to 86400.")
    return seconds


def _psk(section: str, value: Any) -> str:
    psk = str(value)
    if not 1 <= len(psk) <= 100 or any(ch not in PSK_CHARS for ch in psk):
        # Never echo the key itself.
        raise illegal(f"{section}.Psk", "hidden", "The pre-shared key is 1-100 characters: letters, digits and "
                                                  "~!`@#$%^&*()_-+={}[]|;:\",.<>/? (no spaces).")
    return psk


def _identity(section: str, key: str, value: Any) -> str:
    text = str(value)
    if len(text) > 100 or " " in text:
        raise illegal(f"{section}.{key}", value, "At most 100 characters, no spaces.")
    return text


# key -> checker(section, key, value) of IkeConfig / TunnelIkeConfig and IpsecConfig / TunnelIpsecConfig.
IKE_FIELDS = {
    "IkeVersion": lambda s, k, v: _choice(s, k, v, IKE_VERSIONS),
    "IkeMode": lambda s, k, v: _choice(s, k, v, IKE_MODES),
    "IkeEncAlg": lambda s, k, v: _choice(s, k, v, ENC_ALGS), "IkeAuthAlg": lambda s, k, v: _choice(s, k, v, AUTH_ALGS),
    "IkePfs": lambda s, k, v: _choice(s, k, v, IKE_PFS), "IkeLifetime": _lifetime,
    "LocalId": _identity, "RemoteId": _identity, "Psk": lambda s, k, v: _psk(s, v),
}
IPSEC_FIELDS = {
    "IpsecEncAlg": lambda s, k, v: _choice(s, k, v, ENC_ALGS),
    "IpsecAuthAlg": lambda s, k, v: _choice(s, k, v, AUTH_ALGS),
    "IpsecPfs": lambda s, k, v: _choice(s, k, v, IPSEC_PFS), "IpsecLifetime": _lifetime,
}


def _merge(section: str, given: Dict[str, Any], base: Dict[str, Any], fields: Dict[str, Any]) -> Dict[str, Any]:
    cfg = dict(base)
    for key, value in given.items():
        if value is None or value == "":
            continue
        if key not in fields:
            raise illegal(section, key, "Unknown key.")
        cfg[key] = fields[key](section, key, value)
    return cfg


def ike_config(given: Dict[str, Any], base: Dict[str, Any], local_ip: str, remote_ip: str,
               section: str = "IkeConfig") -> Dict[str, Any]:
    """Merge ``given`` into ``base``; a ``given`` without ``Psk`` gets a newly generated key."""
    cfg = _merge(section, given, base, IKE_FIELDS)
    if not cfg.get("LocalId"):
        cfg["LocalId"] = local_ip
    if not cfg.get("RemoteId"):
        cfg["RemoteId"] = remote_ip
    if given.get("Psk") in (None, "") or not cfg.get("Psk"):
        # ModifyVpnConnectionAttribute: "If you do not specify a pre-shared key, the system generates a
        # random 16-character string as the pre-shared key" (also on create).
        cfg["Psk"] = generate_psk()
    return cfg


def ipsec_config(given: Dict[str, Any], base: Dict[str, Any], section: str = "IpsecConfig") -> Dict[str, Any]:
    return _merge(section, given, base, IPSEC_FIELDS)


def tunnel_cidr(section: str, value: Any) -> str:
    try:
        net = ipaddress.IPv4Network(str(value), strict=True)
    except ValueError:
        raise illegal(f"{section}.TunnelCidr", value)
    if net.prefixlen != 30 or not net.subnet_of(LINK_LOCAL) or str(net) in RESERVED_TUNNEL_CIDRS:
        raise illegal(f"{section}.TunnelCidr", value,
                      "A /30 inside 169.254.0.0/16, not 169.254.0.0/30-169.254.6.0/30 nor 169.254.169.252/30.")
    return str(net)


def _local_asn(section: str, value: Any) -> int:
    try:
        asn = int(value)
    except (TypeError, ValueError):
        raise illegal(f"{section}.LocalAsn", value)
    if not 1 <= asn <= 4294967295:
        raise illegal(f"{section}.LocalAsn", value, "Valid values: 1 to 4294967295.")
    return asn


def _local_bgp_ip(section: str, value: Any, cidr: Optional[str]) -> str:
    try:
        ip = ipaddress.IPv4Address(str(value))
    except ValueError:
        raise illegal(f"{section}.LocalBgpIp", value)
    if cidr and ip not in ipaddress.IPv4Network(cidr):
        raise illegal(f"{section}.LocalBgpIp", value, "It must be inside TunnelCidr.")
    return str(ip)


def bgp_config(given: Dict[str, Any], base: Dict[str, Any], cgw: Resource) -> Dict[str, Any]:
    """Single-tunnel ``BgpConfig`` (JSON string)."""
    cfg = dict(base)
    if not given:
        return cfg
    enable = truthy(given.get("EnableBgp", cfg.get("EnableBgp", "false")))
    cfg["EnableBgp"] = "true" if enable else "false"
    if "LocalAsn" in given:
        cfg["LocalAsn"] = _local_asn("BgpConfig", given["LocalAsn"])
    if "TunnelCidr" in given:
        cfg["TunnelCidr"] = tunnel_cidr("BgpConfig", given["TunnelCidr"])
    if "LocalBgpIp" in given:
        cfg["LocalBgpIp"] = _local_bgp_ip("BgpConfig", given["LocalBgpIp"], cfg.get("TunnelCidr"))
    if enable and not cgw.get("Asn"):
        raise ApiError("VpnConnection.CustomerGatewayAsnMissing",
                       f"BGP needs the customer gateway {cgw.id} to have an Asn; recreate it with one.")
    cfg["PeerAsn"] = cgw.get("Asn") or 0
    cfg["Status"] = "false" if not enable else cfg.get("Status", "init")
    return cfg


SINGLE_BGP_DEFAULTS = {"EnableBgp": "false", "Status": "false", "LocalAsn": DEFAULT_LOCAL_ASN, "TunnelCidr": "",
                       "LocalBgpIp": "", "PeerBgpIp": "", "AuthKey": ""}
HEALTH_DEFAULTS = {"Enable": "false", "Dip": "", "Sip": "", "Interval": 3, "Retry": 3, "Policy": "revoke_route",
                   "Status": ""}


def health_check(given: Dict[str, Any], base: Dict[str, Any]) -> Dict[str, Any]:
    cfg = dict(base)
    for key, value in given.items():
        key_cap = key[:1].upper() + key[1:]
        if key_cap == "Enable":
            cfg["Enable"] = "true" if truthy(value) else "false"
        elif key_cap in ("Interval", "Retry"):
            cfg[key_cap] = int(value)
        elif key_cap in ("Dip", "Sip", "Policy"):
            cfg[key_cap] = str(value)
        else:
            raise illegal("HealthCheckConfig", key, "Unknown key.")
    return cfg


# --- tunnels ------------------------------------------------------------------------------------

def _where(index: int) -> str:
    return f"TunnelOptionsSpecification.{index}"


def _bool_field(spec: Dict[str, Any], key: str, default: bool) -> bool:
    value = spec.get(key)
    return default if value in (None, "") else truthy(value)


def tunnel_bgp(spec: Dict[str, Any], base: Dict[str, Any], where: str, cgw: Resource, enabled: bool) -> Dict[str, Any]:
    section = f"{where}.TunnelBgpConfig"
    given = spec.get("TunnelBgpConfig") or {}
    cfg = dict(base)
    if "LocalAsn" in given:
        cfg["LocalAsn"] = _local_asn(section, given["LocalAsn"])
    if given.get("TunnelCidr"):
        cfg["TunnelCidr"] = tunnel_cidr(section, given["TunnelCidr"])
    if given.get("LocalBgpIp"):
        cfg["LocalBgpIp"] = _local_bgp_ip(section, given["LocalBgpIp"], cfg.get("TunnelCidr"))
    if enabled and not cfg.get("TunnelCidr"):
        # "This parameter is required when you enable BGP (EnableTunnelsBgp=true)" (CreateVpnAttachment).
        raise missing_parameter(f"{section}.TunnelCidr")
    cfg["PeerAsn"] = cgw.get("Asn") or ""
    cfg["BgpStatus"] = ("init" if enabled else "false")
    return cfg


def build_tunnel(req: Request, spec: Dict[str, Any], index: int, role: str, internet_ip: str, zone: str,
                 ike_defaults: Dict[str, Any], ipsec_defaults: Dict[str, Any], bgp: bool) -> Dict[str, Any]:
    """One tunnel of a create request, validated (typed values, generated PSK)."""
    where = _where(index)
    cgw_id = spec.get("CustomerGatewayId")
    if not cgw_id:
        raise missing_parameter(f"{where}.CustomerGatewayId")
    cgw = get_customer_gateway(req, cgw_id)
    return {
        "TunnelId": req.state.new_id("tun"), "TunnelIndex": index, "Role": role, "CustomerGatewayId": cgw.id,
        "EnableDpd": _bool_field(spec, "EnableDpd", True),
        "EnableNatTraversal": _bool_field(spec, "EnableNatTraversal", True),
        "InternetIp": internet_ip, "ZoneNo": zone, "RemoteCaCertificate": spec.get("RemoteCaCertificate", ""),
        "State": "active", "Status": INITIAL_STATUS,
        "TunnelIkeConfig": ike_config(spec.get("TunnelIkeConfig") or {}, ike_defaults, internet_ip, cgw["IpAddress"],
                                      f"{where}.TunnelIkeConfig"),
        "TunnelIpsecConfig": ipsec_config(spec.get("TunnelIpsecConfig") or {}, ipsec_defaults,
                                          f"{where}.TunnelIpsecConfig"),
        "TunnelBgpConfig": tunnel_bgp(spec, {"LocalAsn": DEFAULT_LOCAL_ASN, "TunnelCidr": "", "LocalBgpIp": "",
                                             "PeerBgpIp": ""}, where, cgw, bgp),
    }


def check_two_tunnels(specs: List[Dict[str, Any]]) -> None:
    if len(specs) != 2:
        # CreateVpnAttachment: "you must add two tunnels ... Only two tunnels can be added".
        raise illegal("TunnelOptionsSpecification", f"{len(specs)} tunnels",
                      "A dual-tunnel IPsec-VPN connection has exactly two tunnels.")


def roles_of(specs: List[Dict[str, Any]]) -> List[str]:
    """Role per tunnel spec: given (master/slave, one each) or, when absent, in order."""
    roles = []
    for index, spec in enumerate(specs, start=1):
        role = spec.get("Role")
        roles.append(_choice(_where(index), "Role", role, ROLES) if role else ROLES[index - 1])
    if sorted(roles) != sorted(ROLES):
        raise illegal("TunnelOptionsSpecification.N.Role", ",".join(roles),
                      "One tunnel is the master (active) tunnel, the other the slave (standby) tunnel.")
    return roles


def check_unique_tunnel_cidrs(new_tunnels: List[Dict[str, Any]], others: List[Resource]) -> None:
    """Tunnel CIDRs differ between the two tunnels and, on a VPN gateway, from its other connections'."""
    taken = {t["TunnelBgpConfig"].get("TunnelCidr") for o in others for t in tunnels(o)}
    taken |= {(o.get("VpnBgpConfig") or {}).get("TunnelCidr") for o in others}
    seen = set()
    for tunnel in new_tunnels:
        cidr = tunnel["TunnelBgpConfig"].get("TunnelCidr")
        if not cidr:
            continue
        if cidr in seen or cidr in taken:
            raise illegal("TunnelOptionsSpecification.N.TunnelBgpConfig.TunnelCidr", cidr,
                          "The BGP CIDR block of each tunnel must be unique within the VPN gateway instance "
                          "and the two tunnels of a connection must use different CIDR blocks.")
        seen.add(cidr)


def find_tunnel(vco: Resource, spec: Dict[str, Any], index: int) -> Dict[str, Any]:
    """The stored tunnel a modify item names, by ``TunnelId`` (or ``TunnelIndex`` for attachments)."""
    wanted_id, wanted_index = spec.get("TunnelId"), spec.get("TunnelIndex")
    for tunnel in tunnels(vco):
        if (wanted_id and tunnel["TunnelId"] == wanted_id) or \
                (not wanted_id and wanted_index not in (None, "") and str(tunnel["TunnelIndex"]) == str(wanted_index)):
            return tunnel
    if not wanted_id and wanted_index in (None, ""):
        raise missing_parameter(f"{_where(index)}.TunnelId")
    raise ApiError("InvalidTunnelId.NotFound",  # undocumented
                   f"The connection {vco.id} has no tunnel {wanted_id or wanted_index}.", 404)


def modify_tunnel(req: Request, tunnel: Dict[str, Any], spec: Dict[str, Any], index: int,
                  bgp: Optional[bool]) -> Dict[str, Any]:
    """A modified copy of ``tunnel``. A ``TunnelIkeConfig`` without ``Psk`` regenerates the key.

    ``bgp``: the connection's new EnableTunnelsBgp, None when unchanged.
    """
    where = _where(index)
    out = dict(tunnel)
    old_remote_ip = tunnel_remote_ip(req.state, tunnel)
    cgw = get_customer_gateway(req, spec.get("CustomerGatewayId") or tunnel["CustomerGatewayId"])
    out["CustomerGatewayId"] = cgw.id
    for key in ("EnableDpd", "EnableNatTraversal"):
        out[key] = _bool_field(spec, key, tunnel[key])
    if spec.get("RemoteCaCertificate") is not None:
        out["RemoteCaCertificate"] = spec["RemoteCaCertificate"]
    if spec.get("Role"):
        out["Role"] = _choice(where, "Role", spec["Role"], ROLES)
    ike = dict(tunnel["TunnelIkeConfig"])
    if ike.get("RemoteId") == old_remote_ip:
        ike["RemoteId"] = cgw["IpAddress"]  # the default identity follows the customer gateway
    if "TunnelIkeConfig" in spec:
        ike = ike_config(spec["TunnelIkeConfig"], ike, tunnel["InternetIp"], cgw["IpAddress"],
                         f"{where}.TunnelIkeConfig")
    out["TunnelIkeConfig"] = ike
    if "TunnelIpsecConfig" in spec:
        out["TunnelIpsecConfig"] = ipsec_config(spec["TunnelIpsecConfig"], tunnel["TunnelIpsecConfig"],
                                                f"{where}.TunnelIpsecConfig")
    if "TunnelBgpConfig" in spec or bgp is not None:
        enabled = bgp if bgp is not None else tunnel["TunnelBgpConfig"].get("BgpStatus") not in (None, "", "false")
        out["TunnelBgpConfig"] = tunnel_bgp(spec, tunnel["TunnelBgpConfig"], where, cgw, enabled)
    return out


def tunnel_remote_ip(state: State, tunnel: Dict[str, Any]) -> Optional[str]:
    cgw = state.find("CustomerGateway", tunnel["CustomerGatewayId"])
    return cgw["IpAddress"] if cgw is not None else None


def tunnel_changed(old: Dict[str, Any], new: Dict[str, Any]) -> bool:
    return any(old.get(k) != new.get(k) for k in set(old) | set(new) if k not in ("Status", "State"))


# --- views -----------------------------------------------------------------------------------------

def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _stringified(section: Dict[str, Any]) -> Dict[str, str]:
    return {k: _text(v) for k, v in section.items()}


def tunnel_view(tunnel: Dict[str, Any], style: str) -> Dict[str, Any]:
    """A stored tunnel as a response model shows it.

    ``describe``: DescribeVpnConnection(s) ``TunnelOptions`` items (EnableDpd, lifetimes, ASNs as strings);
    ``modify``: ModifyVpnConnectionAttribute (booleans and numbers, no Status / TunnelIndex);
    ``attachment``: ModifyVpnAttachmentAttribute (booleans and numbers, TunnelIndex, no Status).
    """
    bgp = dict(tunnel["TunnelBgpConfig"])
    if style == "describe":
        out = dict(tunnel)
        out["EnableDpd"], out["EnableNatTraversal"] = _text(tunnel["EnableDpd"]), _text(tunnel["EnableNatTraversal"])
        out["TunnelIkeConfig"] = _stringified(tunnel["TunnelIkeConfig"])
        out["TunnelIpsecConfig"] = _stringified(tunnel["TunnelIpsecConfig"])
        out["TunnelBgpConfig"] = _stringified(bgp)
        return out
    out = {k: v for k, v in tunnel.items() if k not in ("Status", "TunnelIndex", "TunnelBgpConfig")}
    bgp.pop("BgpStatus", None)
    out["TunnelBgpConfig"] = bgp
    out["TunnelIkeConfig"] = dict(tunnel["TunnelIkeConfig"])
    out["TunnelIpsecConfig"] = dict(tunnel["TunnelIpsecConfig"])
    if style == "attachment":
        out["TunnelIndex"] = tunnel["TunnelIndex"]
        out.pop("RemoteCaCertificate", None)
        out.pop("ZoneNo", None)
    return out


def aggregate_status(statuses: List[str]) -> str:
    """A dual-tunnel connection's ``Status``: established when a tunnel carries traffic, else the furthest
    negotiation step any tunnel reached.  # undocumented: the API reference lists the values only."""
    order = ("ike_sa_not_established", "ike_sa_established", "ipsec_sa_not_established", ESTABLISHED)
    return max(statuses, key=order.index) if statuses else INITIAL_STATUS
