# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Site-to-Site VPN helpers shared by aws_vpn_connection and aws_vpn_connection_info.

Tunnel option validation with AWS's limits (before any call), the request shape of a
tunnel, and the snake_case view of a connection with its tunnels and telemetry (keys
masked unless asked for). Nothing here imports boto3; calls go through ``AwsModule``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

from ansible_collections.multicloud.transit.plugins.module_utils.common import SECRET_MASK, tags_to_dict

LIVE_STATES = ("pending", "available", "modifying")
GONE_STATES = ("deleting", "deleted")

INSIDE_POOL = ipaddress.ip_network(u"169.254.0.0/16")
RESERVED_INSIDE = [ipaddress.ip_network(u"169.254.%d.0/30" % i) for i in range(6)] + [
    ipaddress.ip_network(u"169.254.169.252/30")]
IKE_VERSIONS = ("ikev1", "ikev2")
ENCRYPTION = ("AES128", "AES256", "AES128-GCM-16", "AES256-GCM-16")
INTEGRITY = ("SHA1", "SHA2-256", "SHA2-384", "SHA2-512")
PHASE1_DH = (2,) + tuple(range(14, 25))
PHASE2_DH = (2, 5) + tuple(range(14, 25))
DPD_ACTIONS = ("clear", "none", "restart")
STARTUP_ACTIONS = ("add", "start")
PSK_RE = re.compile(r"^[A-Za-z0-9._]{8,64}$")

# option -> (request key of VpnTunnelOptionsSpecification, response key of TunnelOption, kind)
TUNNEL_FIELDS = (
    ("tunnel_inside_cidr", "TunnelInsideCidr", "TunnelInsideCidr", "str"),
    ("pre_shared_key", "PreSharedKey", "PreSharedKey", "str"),
    ("ike_versions", "IKEVersions", "IkeVersions", "list"),
    ("phase1_encryption_algorithms", "Phase1EncryptionAlgorithms", "Phase1EncryptionAlgorithms", "list"),
    ("phase1_integrity_algorithms", "Phase1IntegrityAlgorithms", "Phase1IntegrityAlgorithms", "list"),
    ("phase1_dh_group_numbers", "Phase1DHGroupNumbers", "Phase1DHGroupNumbers", "list"),
    ("phase1_lifetime_seconds", "Phase1LifetimeSeconds", "Phase1LifetimeSeconds", "int"),
    ("phase2_encryption_algorithms", "Phase2EncryptionAlgorithms", "Phase2EncryptionAlgorithms", "list"),
    ("phase2_integrity_algorithms", "Phase2IntegrityAlgorithms", "Phase2IntegrityAlgorithms", "list"),
    ("phase2_dh_group_numbers", "Phase2DHGroupNumbers", "Phase2DHGroupNumbers", "list"),
    ("phase2_lifetime_seconds", "Phase2LifetimeSeconds", "Phase2LifetimeSeconds", "int"),
    ("dpd_timeout_seconds", "DPDTimeoutSeconds", "DpdTimeoutSeconds", "int"),
    ("dpd_timeout_action", "DPDTimeoutAction", "DpdTimeoutAction", "str"),
    ("startup_action", "StartupAction", "StartupAction", "str"),
)
TUNNEL_OPTION_NAMES = tuple(f[0] for f in TUNNEL_FIELDS)


def tunnel_argument_spec():
    """Suboptions of the ``tunnels`` list option."""
    return dict(
        tunnel_inside_cidr=dict(type="str"),
        pre_shared_key=dict(type="str", no_log=True),
        ike_versions=dict(type="list", elements="str"),
        phase1_encryption_algorithms=dict(type="list", elements="str"),
        phase1_integrity_algorithms=dict(type="list", elements="str"),
        phase1_dh_group_numbers=dict(type="list", elements="int"),
        phase1_lifetime_seconds=dict(type="int"),
        phase2_encryption_algorithms=dict(type="list", elements="str"),
        phase2_integrity_algorithms=dict(type="list", elements="str"),
        phase2_dh_group_numbers=dict(type="list", elements="int"),
        phase2_lifetime_seconds=dict(type="int"),
        dpd_timeout_seconds=dict(type="int"),
        dpd_timeout_action=dict(type="str"),
        startup_action=dict(type="str"),
    )


def _where(index, option):
    return "tunnels[%d].%s (tunnel %d)" % (index, option, index + 1)


def _check_values(values, allowed, where, normalize):
    out = []
    if not values:
        return None, "%s: give at least one value (%s) or leave it unset for AWS's default (all of them)." % (
            where, ", ".join(str(a) for a in allowed))
    for value in values:
        norm = normalize(value)
        if norm not in allowed:
            return None, "%s: %r is not accepted by AWS; use one of %s." % (
                where, value, ", ".join(str(a) for a in allowed))
        if norm not in out:
            out.append(norm)
    return out, None


def _check_range(value, low, high, where, what):
    if not low <= value <= high:
        return "%s: %s must be between %d and %d seconds (AWS limit), got %d." % (where, what, low, high, value)
    return None


def check_inside_cidr(value, where):
    """An error sentence for a tunnel inside CIDR AWS would refuse, else None."""
    try:
        net = ipaddress.ip_network(u"%s" % value, strict=True)
    except ValueError:
        return "%s: %r is not a CIDR block; give a /30 in 169.254.0.0/16 such as 169.254.10.0/30." % (where, value)
    if net.version != 4 or net.prefixlen != 30 or not net.subnet_of(INSIDE_POOL):
        return "%s: %s must be a /30 inside 169.254.0.0/16, such as 169.254.10.0/30." % (where, value)
    if net in RESERVED_INSIDE:
        return ("%s: %s is reserved by AWS (169.254.0.0/30 to 169.254.5.0/30 and 169.254.169.252/30 cannot be used); "
                "choose another /30 in 169.254.0.0/16, such as 169.254.10.0/30." % (where, value))
    return None


def check_psk(value, where):
    """An error sentence for a pre-shared key AWS would refuse, else None (never echoes the key)."""
    if not PSK_RE.match(value or ""):
        return ("%s: the pre-shared key must be 8 to 64 characters of letters, digits, periods (.) and "
                "underscores (_) (it has %d characters); change it or leave it unset to let AWS generate one."
                % (where, len(value or "")))
    if value.startswith("0"):
        return "%s: the pre-shared key must not start with zero (0); change its first character." % where
    return None


def validate_tunnels(tunnels):
    """``(normalized tunnels, errors)``; each tunnel keeps only the options given (normalized)."""
    errors = []
    out = []
    tunnels = tunnels or []
    if len(tunnels) > 2:
        errors.append("tunnels: a VPN connection has two tunnels; give at most 2 items (got %d)." % len(tunnels))
        return [], errors
    for index, tunnel in enumerate(tunnels):
        tunnel = dict((k, v) for k, v in (tunnel or {}).items() if v is not None)
        norm = {}
        if "tunnel_inside_cidr" in tunnel:
            err = check_inside_cidr(tunnel["tunnel_inside_cidr"], _where(index, "tunnel_inside_cidr"))
            if err:
                errors.append(err)
            else:
                norm["tunnel_inside_cidr"] = str(ipaddress.ip_network(u"%s" % tunnel["tunnel_inside_cidr"]))
        if "pre_shared_key" in tunnel:
            err = check_psk(tunnel["pre_shared_key"], _where(index, "pre_shared_key"))
            if err:
                errors.append(err)
            else:
                norm["pre_shared_key"] = tunnel["pre_shared_key"]
        lists = (
            ("ike_versions", IKE_VERSIONS, lambda v: str(v).strip().lower()),
            ("phase1_encryption_algorithms", ENCRYPTION, lambda v: str(v).strip().upper()),
            ("phase2_encryption_algorithms", ENCRYPTION, lambda v: str(v).strip().upper()),
            ("phase1_integrity_algorithms", INTEGRITY, lambda v: str(v).strip().upper()),
            ("phase2_integrity_algorithms", INTEGRITY, lambda v: str(v).strip().upper()),
            ("phase1_dh_group_numbers", PHASE1_DH, int),
            ("phase2_dh_group_numbers", PHASE2_DH, int),
        )
        for option, allowed, normalize in lists:
            if option in tunnel:
                values, err = _check_values(tunnel[option], allowed, _where(index, option), normalize)
                if err:
                    errors.append(err)
                else:
                    norm[option] = values
        for option, low, high, what in (("phase1_lifetime_seconds", 900, 28800, "the phase 1 (IKE) lifetime"),
                                        ("phase2_lifetime_seconds", 900, 3600, "the phase 2 (IPsec) lifetime")):
            if option in tunnel:
                err = _check_range(tunnel[option], low, high, _where(index, option), what)
                if err:
                    errors.append(err)
                else:
                    norm[option] = tunnel[option]
        p1 = norm.get("phase1_lifetime_seconds")
        p2 = norm.get("phase2_lifetime_seconds")
        if p1 is not None and p2 is not None and p2 >= p1:
            errors.append("%s: the phase 2 lifetime (%d) must be less than the phase 1 lifetime (%d)." % (
                _where(index, "phase2_lifetime_seconds"), p2, p1))
        if "dpd_timeout_seconds" in tunnel:
            if tunnel["dpd_timeout_seconds"] < 30:
                errors.append("%s: AWS needs at least 30 seconds, got %d." % (
                    _where(index, "dpd_timeout_seconds"), tunnel["dpd_timeout_seconds"]))
            else:
                norm["dpd_timeout_seconds"] = tunnel["dpd_timeout_seconds"]
        for option, allowed in (("dpd_timeout_action", DPD_ACTIONS), ("startup_action", STARTUP_ACTIONS)):
            if option in tunnel:
                value = str(tunnel[option]).strip().lower()
                if value not in allowed:
                    errors.append("%s: %r is not accepted by AWS; use one of %s." % (
                        _where(index, option), tunnel[option], ", ".join(allowed)))
                else:
                    norm[option] = value
        out.append(norm)
    cidrs = [t.get("tunnel_inside_cidr") for t in out if t.get("tunnel_inside_cidr")]
    if len(cidrs) == 2 and cidrs[0] == cidrs[1]:
        errors.append("tunnels[1].tunnel_inside_cidr (tunnel 2): %s is also tunnel 1's; the two tunnels need "
                      "different /30 blocks." % cidrs[1])
    return out, errors


def tunnel_request(tunnel):
    """Normalized tunnel options -> the API's VpnTunnelOptionsSpecification (only what is given)."""
    out = {}
    for option, request_key, dummy, kind in TUNNEL_FIELDS:
        value = tunnel.get(option)
        if value is None:
            continue
        out[request_key] = [{"Value": v} for v in value] if kind == "list" else value
    return out


def current_tunnel_options(item):
    """A DescribeVpnConnections TunnelOptions item -> option name -> value (lists of plain values)."""
    out = {}
    for option, dummy, response_key, kind in TUNNEL_FIELDS:
        value = item.get(response_key)
        if kind == "list":
            value = [v.get("Value") for v in (value or [])]
        out[option] = value
    return out


def same_value(option, wanted, have):
    if isinstance(wanted, list):
        return sorted(str(v) for v in wanted) == sorted(str(v) for v in (have or []))
    return wanted == have


def tunnel_changes(wanted, item):
    """Options of ``wanted`` (normalized) that differ from the TunnelOptions ``item``."""
    have = current_tunnel_options(item or {})
    return dict((k, v) for k, v in wanted.items() if not same_value(k, v, have.get(k)))


def inside_addresses(cidr):
    """``(aws_side, customer_side)``: the first and second usable addresses of the /30."""
    if not cidr:
        return None, None
    net = ipaddress.ip_network(u"%s" % cidr)
    return str(net.network_address + 1), str(net.network_address + 2)


def tunnel_view(item, telemetry, return_secrets=False):
    """One tunnel: outside/inside addresses, options, telemetry; the key masked unless asked for."""
    out = {"outside_ip_address": item.get("OutsideIpAddress")}
    out.update(current_tunnel_options(item))
    aws_side, customer_side = inside_addresses(item.get("TunnelInsideCidr"))
    out["inside_aws_address"] = aws_side
    out["inside_customer_address"] = customer_side
    if out.get("pre_shared_key") and not return_secrets:
        out["pre_shared_key"] = SECRET_MASK
    tele = telemetry or {}
    out["status"] = tele.get("Status")
    out["status_message"] = tele.get("StatusMessage")
    last = tele.get("LastStatusChange")
    out["last_status_change"] = last.isoformat() if hasattr(last, "isoformat") else last
    out["accepted_route_count"] = tele.get("AcceptedRouteCount")
    return out


def vpn_view(vpn, attachment_id=None, return_secrets=False):
    """A VPN connection as the modules return it (no CustomerGatewayConfiguration)."""
    if not vpn:
        return {}
    options = vpn.get("Options") or {}
    telemetry = dict((t.get("OutsideIpAddress"), t) for t in vpn.get("VgwTelemetry") or [])
    tags = tags_to_dict(vpn.get("Tags"))
    return {
        "vpn_connection_id": vpn.get("VpnConnectionId"),
        "name": tags.get("Name"),
        "state": vpn.get("State"),
        "type": vpn.get("Type"),
        "category": vpn.get("Category"),
        "transit_gateway_id": vpn.get("TransitGatewayId"),
        "customer_gateway_id": vpn.get("CustomerGatewayId"),
        "transit_gateway_attachment_id": attachment_id,
        "static_routes_only": options.get("StaticRoutesOnly"),
        "tunnel_inside_ip_version": options.get("TunnelInsideIpVersion"),
        "local_ipv4_network_cidr": options.get("LocalIpv4NetworkCidr"),
        "remote_ipv4_network_cidr": options.get("RemoteIpv4NetworkCidr"),
        "routes": [dict(destination_cidr_block=r.get("DestinationCidrBlock"), source=r.get("Source"),
                        state=r.get("State")) for r in vpn.get("Routes") or []],
        "tags": tags,
        "tunnels": [tunnel_view(item, telemetry.get(item.get("OutsideIpAddress")), return_secrets)
                    for item in options.get("TunnelOptions") or []],
    }


def describe_vpns(mod, vpn_ids=None, filters=None):
    """DescribeVpnConnections (not paginated by AWS) -> list."""
    kwargs = {"Filters": filters or []}
    if vpn_ids:
        kwargs["Filters"] = kwargs["Filters"] + [{"Name": "vpn-connection-id", "Values": list(vpn_ids)}]
    return mod.call("describe_vpn_connections", **kwargs).get("VpnConnections", [])


def vpn_attachment_id(mod, vpn_id):
    """The Transit Gateway attachment (type vpn) of a VPN connection, or None."""
    items = mod.paginate("describe_transit_gateway_attachments", "TransitGatewayAttachments",
                         Filters=[{"Name": "resource-id", "Values": [vpn_id]},
                                  {"Name": "resource-type", "Values": ["vpn"]}])
    live = [a for a in items if a.get("State") not in GONE_STATES]
    chosen = (live or items or [None])[0]
    return chosen.get("TransitGatewayAttachmentId") if chosen else None
