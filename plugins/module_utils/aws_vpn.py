# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Site-to-Site VPN helpers shared by aws_vpn_connection and aws_vpn_connection_info.

Tunnel option validation with AWS's limits (the rules live in ipsec.py) before any call, the
request shape of a tunnel, and the snake_case view of a connection with its tunnels and telemetry (keys
masked unless asked for). Nothing here imports boto3; calls go through ``AwsModule``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.multicloud.transit.plugins.module_utils import ipsec
from ansible_collections.multicloud.transit.plugins.module_utils.common import SECRET_MASK, tags_to_dict

LIVE_STATES = ("pending", "available", "modifying")
GONE_STATES = ("deleting", "deleted")

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


def validate_tunnels(tunnels):
    """``(normalized tunnels, errors)``; each tunnel keeps only the options given (normalized)."""
    tunnels = tunnels or []
    if len(tunnels) > ipsec.AWS_TUNNELS_PER_CONNECTION:
        return [], ["tunnels: a VPN connection has %d tunnels; give at most %d items (got %d)."
                    % (ipsec.AWS_TUNNELS_PER_CONNECTION, ipsec.AWS_TUNNELS_PER_CONNECTION, len(tunnels))]
    errors, out = [], []
    for index, tunnel in enumerate(tunnels):
        norm, problems = ipsec.validate_aws_tunnel(tunnel)
        errors.extend("%s: %s." % (_where(index, option), problem) for option, problem in problems)
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
