# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the Alibaba VPN modules share: IKE / IPsec options, dual tunnels, views and waits.

Used by alicloud_ipsec_connection (connections on a VPN gateway), alicloud_vpn_attachment
(connections attached to a transit router), alicloud_vpn_route_entry, alicloud_vpn_gateway,
alicloud_customer_gateway and alicloud_vpn_info. Every IPsec rule (algorithms, key syntax,
lifetimes, what AWS accepts) comes from ipsec.py; this file only shapes options and API values.

A dual-tunnel connection (CreateVpnConnection / CreateVpnAttachment ``TunnelOptionsSpecification``)
is handled here as a list of two tunnel options, each ``{customer_gateway_id, pre_shared_key,
ike_config, ipsec_config, enable_dpd, enable_nat_traversal}``. The pre-shared key of every tunnel
is sent on every modify (the one given, else the current one): a modify whose IKE settings carry no
key makes the cloud generate a random one (ModifyVpnConnectionAttribute /
ModifyVpnAttachmentAttribute, TunnelIkeConfig.Psk), and the tunnel drops.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import ipaddress

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.multicloud.transit.plugins.module_utils import ipsec
from ansible_collections.multicloud.transit.plugins.module_utils.alicloud import dig
from ansible_collections.multicloud.transit.plugins.module_utils.common import WaitTimeout, snake_dict, wait_until

ESTABLISHED = "ipsec_sa_established"
CONNECTION_NOT_FOUND = ("InvalidVpnConnectionInstanceId.NotFound",)
SECRET_KEYS = ("pre_shared_key", "psk", "Psk", "auth_key", "AuthKey")
IDENTITY_KEYS = ("local_id", "remote_id")
_FLAGS = (("enable_dpd", "EnableDpd"), ("enable_nat_traversal", "EnableNatTraversal"))
_SECTIONS = (("ike_config", "TunnelIkeConfig", ipsec.ALI_IKE_CONFIG_KEYS),
             ("ipsec_config", "TunnelIpsecConfig", ipsec.ALI_IPSEC_CONFIG_KEYS))

# --- VPN gateway rules (CreateVpnGateway) ---------------------------------------------------------
# Bandwidth, Mbit/s, of a public VPN gateway per site ("<props=china>" / "<props=intl>" in the model).
GATEWAY_BANDWIDTHS = {"china": (5, 10, 20, 50, 100, 200, 500, 1000), "international": (10, 100, 200, 500, 1000)}
# InstanceChargeType per site: PREPAY (required, with Period) on the China site, POSTPAY on the international one.
SITE_OF_CHARGE_TYPE = {"PREPAY": "china", "POSTPAY": "international"}
GATEWAY_PERIODS = tuple(range(1, 10)) + (12, 24, 36)   # CreateVpnGateway.Period, months

# --- VPN route entries (CreateVpnRouteEntry, "Manage destination-based routes") -------------------
ROUTE_WEIGHTS = (100, 0)                                # Weight: 100 active, 0 standby
ROUTE_RESERVED = ipaddress.ip_network(u"100.64.0.0/10")  # "Do not add ... 100.64.0.0/10" (nor inside or around it)
ROUTE_DESCRIPTION_MAX = 100                             # Description: 1-100 characters, not http(s)://


# --- option specs ---------------------------------------------------------------------------------------
def ike_config_options():
    """The ``ike_config`` suboptions (IkeConfig / TunnelIkeConfig without the key)."""
    return dict(
        version=dict(type="str", choices=list(ipsec.ALI_IKE_VERSIONS)),
        mode=dict(type="str", choices=list(ipsec.ALI_IKE_MODES)),
        enc_alg=dict(type="str", choices=list(ipsec.ALI_ENCRYPTION)),
        auth_alg=dict(type="str", choices=list(ipsec.ALI_INTEGRITY)),
        pfs=dict(type="str", choices=list(ipsec.ALI_IKE_PFS)),
        lifetime=dict(type="int"),
        local_id=dict(type="str"),
        remote_id=dict(type="str"),
    )


def ipsec_config_options():
    """The ``ipsec_config`` suboptions (IpsecConfig / TunnelIpsecConfig)."""
    return dict(
        enc_alg=dict(type="str", choices=list(ipsec.ALI_ENCRYPTION)),
        auth_alg=dict(type="str", choices=list(ipsec.ALI_INTEGRITY)),
        pfs=dict(type="str", choices=list(ipsec.ALI_IPSEC_PFS)),
        lifetime=dict(type="int"),
    )


def tunnel_options(with_role=False):
    """The suboptions of one item of ``tunnels`` (a TunnelOptionsSpecification entry)."""
    spec = dict(
        customer_gateway_id=dict(type="str", required=True),
        pre_shared_key=dict(type="str", no_log=True),
        ike_config=dict(type="dict", options=ike_config_options()),
        ipsec_config=dict(type="dict", options=ipsec_config_options()),
        enable_dpd=dict(type="bool"),
        enable_nat_traversal=dict(type="bool"),
    )
    if with_role:
        spec["role"] = dict(type="str", choices=list(ipsec.ALI_TUNNEL_ROLES))
    return spec


# --- validation (before any call) ---------------------------------------------------------------------------
def cidrs(mod, field, values):
    """IPv4 CIDR blocks as the API writes them; a wrong one fails the module naming ``field``."""
    out = []
    for value in values or []:
        try:
            out.append(str(ipaddress.IPv4Network(to_text(value).strip(), strict=True)))
        except ValueError as exc:
            mod.fail("%s: %r is not an IPv4 CIDR block (%s); write it like 10.0.0.0/8." % (field, value, exc))
    return out


def settings_problems(where, psk, ike_config, ipsec_config):
    """What Alibaba Cloud would refuse in one tunnel's key, lifetimes and identities (``where``: option prefix)."""
    problems = []
    problem = ipsec.alicloud_psk_problem(psk) if psk is not None else None
    if problem:
        problems.append("%spre_shared_key: %s" % (where, problem))
    for section, values in (("ike_config", ike_config), ("ipsec_config", ipsec_config)):
        value = (values or {}).get("lifetime")
        problem = ipsec.alicloud_lifetime_problem(value) if value is not None else None
        if problem:
            problems.append("%s%s.lifetime %s" % (where, section, problem))
    for key in IDENTITY_KEYS:
        value = (ike_config or {}).get(key)
        problem = ipsec.alicloud_identity_problem(value) if value is not None else None
        if problem:
            problems.append("%sike_config.%s %s" % (where, key, problem))
    return problems


def effective_configs(ike_config, ipsec_config, base_ike, base_ipsec):
    """(IkeConfig, IpsecConfig) in API keys: ``base_*`` (defaults, or the current values) with the options given."""
    ike = dict((k, v) for k, v in (base_ike or {}).items() if k != "Psk" and v not in (None, ""))
    ips = dict((k, v) for k, v in (base_ipsec or {}).items() if v not in (None, ""))
    api_ike, api_ipsec = ipsec.alicloud_api_configs(ike_config, ipsec_config)
    ike.update(api_ike)
    ips.update(api_ipsec)
    return ike, ips


def aws_problems(where, ike, ipsec_values, local, remote, psk):
    """What AWS would not accept, each prefixed with ``where``; ``ike`` / ``ipsec_values``: effective API values."""
    return ["%s%s" % (where, p) for p in ipsec.aws_incompatibilities(ike, ipsec_values, local, remote, psk)]


def check_tunnels(mod, tunnels, local, remote, aws_compatible, defaults, current=None, match=None):
    """Validate a ``tunnels`` option (two items) before any call; fail naming each field and its fix.

    ``defaults``: (IKE, IPsec) API defaults of the create call; ``current``: the connection's tunnels,
    ``match(position, current)`` finds the current tunnel of an item, so unset values are checked as
    they will be.
    """
    problems = []
    if len(tunnels or []) != ipsec.ALI_TUNNELS_PER_CONNECTION:
        mod.fail("tunnels: a dual-tunnel IPsec-VPN connection has exactly %d tunnels, got %d; give one item per "
                 "tunnel (customer_gateway_id, pre_shared_key, ike_config, ipsec_config)."
                 % (ipsec.ALI_TUNNELS_PER_CONNECTION, len(tunnels or [])))
    for position, tunnel in enumerate(tunnels):
        where = "tunnels[%d]." % position
        problems.extend(settings_problems(where, tunnel.get("pre_shared_key"), tunnel.get("ike_config"),
                                          tunnel.get("ipsec_config")))
        if aws_compatible:
            have = match(position, current) if current else None
            base_ike = dict(defaults[0], **((have or {}).get("TunnelIkeConfig") or {}))
            base_ipsec = dict(defaults[1], **((have or {}).get("TunnelIpsecConfig") or {}))
            ike, ips = effective_configs(tunnel.get("ike_config"), tunnel.get("ipsec_config"), base_ike, base_ipsec)
            psk = tunnel.get("pre_shared_key")
            if psk is None and have:
                psk = (have.get("TunnelIkeConfig") or {}).get("Psk")
            found = aws_problems(where, ike, ips, local, remote, psk)
            if found:
                problems.append("aws_compatible=true: AWS would not accept " + "; ".join(found)
                                + ". Unset values take Alibaba's defaults (%s): set them."
                                % describe_defaults(defaults[0]))
    if problems:
        mod.fail("; ".join(problems) + ".")


def describe_defaults(ike):
    """'IKEv2, aes/sha1/group2, 86400 s' for the error messages."""
    return "%s, %s/%s/%s, %s s" % (ike["IkeVersion"].upper().replace("IKEV", "IKEv"), ike["IkeEncAlg"],
                                   ike["IkeAuthAlg"], ike["IkePfs"], ike["IkeLifetime"])


def refuse_single_tunnel_options(mod, params, names, what):
    """Fail before any call when single-tunnel options are set for a dual-tunnel connection."""
    given = [name for name in names if params.get(name) is not None]
    if given:
        mod.fail("%s takes dual-tunnel IPsec-VPN connections only: %s %s single-tunnel option%s. Use tunnels "
                 "instead: two items, each with customer_gateway_id, pre_shared_key, ike_config, ipsec_config, "
                 "enable_dpd and enable_nat_traversal."
                 % (what, ", ".join(given), "is a" if len(given) == 1 else "are", "" if len(given) == 1 else "s"))


# --- tunnels: current, desired, API parameters ----------------------------------------------------------------
def api_bool(value):
    """``True`` / ``"true"`` -> True (DescribeVpnConnection(s) return tunnel flags as strings)."""
    return value is True or str(value).lower() == "true"


def _typed(key, value):
    if key.endswith("lifetime") and value not in (None, ""):
        try:
            return int(value)
        except (TypeError, ValueError):
            return value
    return None if value == "" else value


def connection_tunnels(vco):
    """The tunnels of a connection as DescribeVpnConnections returns them, tunnel 1 (master) first."""
    items = dig(vco or {}, "TunnelOptionsSpecification.TunnelOptions") or []
    return sorted(items, key=lambda t: (int(t.get("TunnelIndex") or 0) or (1 if t.get("Role") == "master" else 2),
                                        t.get("Role") != "master"))


def managed_tunnel(tunnel):
    """One API tunnel as the module's tunnel options (the key included: diffs mask it)."""
    if not tunnel:
        return {}
    out = {"customer_gateway_id": tunnel.get("CustomerGatewayId"),
           "pre_shared_key": (tunnel.get("TunnelIkeConfig") or {}).get("Psk")}
    for option, section, keys in _SECTIONS:
        values = tunnel.get(section) or {}
        out[option] = dict((key, _typed(key, values.get(api))) for key, api in keys.items())
    for option, api in _FLAGS:
        out[option] = api_bool(tunnel.get(api)) if tunnel.get(api) not in (None, "") else None
    return out


def desired_tunnel(want, base):
    """``base`` (a managed tunnel, or {}) with the options of ``want`` that are set."""
    out = copy.deepcopy(base or {})
    for key in ("customer_gateway_id", "pre_shared_key") + tuple(option for option, api in _FLAGS):
        if want.get(key) is not None:
            out[key] = want[key]
    for option, section, keys in _SECTIONS:
        merged = dict(out.get(option) or {})
        merged.update(dict((k, v) for k, v in (want.get(option) or {}).items() if v is not None))
        out[option] = merged
    return out


def _comparable(tunnel):
    return dict((k, dict((ik, None if iv is None else str(iv)) for ik, iv in v.items()) if isinstance(v, dict)
                 else v) for k, v in tunnel.items())


def tunnel_changed(want, have):
    """Whether the options of ``want`` differ from the API tunnel ``have``."""
    before = managed_tunnel(have)
    return _comparable(desired_tunnel(want, before)) != _comparable(before)


def tunnel_param(want, have=None, **extra):
    """One TunnelOptionsSpecification item for a create (``have`` None) or a modify.

    A create sends the options given (the cloud's defaults apply to the rest); a modify sends the
    current settings with the options given over them, and always the pre-shared key (given, else the
    current one). Identities (local_id / remote_id) are sent only when given: their defaults follow the
    tunnel's and the customer gateway's IPs.
    """
    desired = desired_tunnel(want, managed_tunnel(have) if have else {})
    item = {"CustomerGatewayId": desired.get("customer_gateway_id")}
    for option, section, keys in _SECTIONS:
        given = want.get(option) or {}
        values = {}
        for key, api in keys.items():
            value = desired[option].get(key)
            if value is None or (key in IDENTITY_KEYS and given.get(key) is None):
                continue
            values[api] = value
        item[section] = values
    if desired.get("pre_shared_key"):
        item["TunnelIkeConfig"]["Psk"] = desired["pre_shared_key"]
    for option, api in _FLAGS:
        if desired.get(option) is not None:
            item[api] = desired[option]
    item.update(extra)
    return item


def tunnel_view(tunnel):
    """A tunnel as the modules return it: ids, role, its Alibaba IP (``gateway_ip``), status; no key."""
    ike = dict((k, v) for k, v in (tunnel.get("TunnelIkeConfig") or {}).items() if k != "Psk")
    index = tunnel.get("TunnelIndex")
    return {
        "tunnel_id": tunnel.get("TunnelId"), "role": tunnel.get("Role"),
        "tunnel_index": int(index) if str(index or "").isdigit() else None,
        "gateway_ip": tunnel.get("InternetIp"), "customer_gateway_id": tunnel.get("CustomerGatewayId"),
        "status": tunnel.get("Status"), "state": tunnel.get("State"), "zone_no": tunnel.get("ZoneNo"),
        "enable_dpd": api_bool(tunnel.get("EnableDpd")),
        "enable_nat_traversal": api_bool(tunnel.get("EnableNatTraversal")),
        "ike_config": snake_dict(ike), "ipsec_config": snake_dict(dict(tunnel.get("TunnelIpsecConfig") or {})),
        "bgp_config": snake_dict(dict(tunnel.get("TunnelBgpConfig") or {})),
    }


def connection_view(vco):
    """A connection in snake_case without any key; dual-tunnel connections get ``tunnels`` (``tunnel_view``)."""
    if not vco:
        return {}
    view = scrub(dict((k, v) for k, v in vco.items() if k != "TunnelOptionsSpecification"))
    view = snake_dict(view)
    tunnels = connection_tunnels(vco)
    if tunnels:
        view["tunnels"] = [tunnel_view(t) for t in tunnels]
    return view


def scrub(value):
    """``value`` without pre-shared keys and BGP authentication keys, at any depth."""
    if isinstance(value, dict):
        return dict((k, scrub(v)) for k, v in value.items() if k not in ("Psk", "AuthKey"))
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


# --- reading and waiting --------------------------------------------------------------------------------------
def describe_connections(mod, region=None, **params):
    return mod.paginate("vpc", "DescribeVpnConnections", params, "VpnConnections.VpnConnection", region=region)


def get_connection(mod, vco_id, region=None):
    """The connection ``vco_id`` (DescribeVpnConnections), or None when no read sees it (yet)."""
    found = describe_connections(mod, region=region, VpnConnectionId=vco_id)
    return next((c for c in found if c.get("VpnConnectionId") == vco_id), None)


def wait_visible(mod, fetch, what):
    """Wait until a read by the id a create returned sees the resource (eventual consistency)."""
    return mod.wait(fetch, lambda found: found is not None, what, "visible to reads")


def tunnel_statuses(vco):
    """Status of each tunnel (dual tunnel) or of the connection (single tunnel)."""
    tunnels = connection_tunnels(vco)
    return [t.get("Status") for t in tunnels] if tunnels else [(vco or {}).get("Status")]


def established(vco):
    """Every tunnel of the connection has its IPsec SA."""
    return vco is not None and all(status == ESTABLISHED for status in tunnel_statuses(vco))


def wait_established(mod, fetch, vco_id, changed):
    """Wait until every tunnel is ``ipsec_sa_established``; fail with each tunnel's status otherwise."""
    last = {}

    def poll():
        last["vco"] = fetch()
        return last["vco"]

    try:
        return wait_until(poll, established, "IPsec-VPN connection %s" % vco_id, ESTABLISHED,
                          timeout=mod.params["wait_timeout"])
    except WaitTimeout as exc:
        statuses = tunnel_statuses(last.get("vco"))
        shown = ", ".join("tunnel %d %s" % (n, s) for n, s in enumerate(statuses, start=1)) \
            if len(statuses) > 1 else statuses[0]
        mod.fail("IPsec-VPN connection %s did not reach %s within %ss: %s. Compare both ends of each tunnel: peer IP, "
                 "pre-shared key, IKE version, phase 1/2 proposals and lifetimes."
                 % (vco_id, ESTABLISHED, exc.timeout, shown), changed=changed, vpn_connection_id=vco_id,
                 status=(last.get("vco") or {}).get("Status"), tunnel_statuses=statuses)


def wait_gateway_idle(mod, gateway_id, region=None):
    """Wait while the VPN gateway applies a change (``updating``); a gateway that is gone counts as idle."""
    def fetch():
        body = mod.call("vpc", "DescribeVpnGateways", {"VpnGatewayId": gateway_id}, region=region) or {}
        gateways = dig(body, "VpnGateways.VpnGateway") or []
        return gateways[0]["Status"] if gateways else None

    return mod.wait(fetch, lambda status: status in (None, "active"), "VPN gateway %s" % gateway_id, "active")


def is_dual_tunnel_gateway(gateway):
    """DescribeVpnGateways returns DisasterRecoveryInternetIp "only for VPN gateway instances that support
    creating dual-tunnel IPsec-VPN connections"."""
    return bool((gateway or {}).get("DisasterRecoveryInternetIp"))
