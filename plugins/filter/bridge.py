# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""VPN bridge filters: the pairing and the module inputs of roles/vpn_bridge (module_utils/bridge.py).

Each filter is documented in the YAML file of its name beside this one (ansible-doc -t filter). No filter
echoes a pre-shared key in an error.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from functools import wraps

from ansible.errors import AnsibleFilterError

from ansible_collections.multicloud.transit.plugins.module_utils import bridge, ipsec


def _filter(name):
    """Run a bridge function as filter ``name``: its errors become AnsibleFilterError naming the filter."""
    def decorate(func):
        @wraps(func)
        def run(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            except (bridge.BridgeError, ipsec.ProposalError) as exc:
                raise AnsibleFilterError("%s: %s" % (name, exc))
            except (KeyError, TypeError, AttributeError) as exc:
                raise AnsibleFilterError("%s: malformed input (%s: %s); pass vpn_bridge through bridge_defaults "
                                         "first" % (name, type(exc).__name__, exc))
        return run
    return decorate


def bridge_tunnels(vpn_bridge, aws_vpns, alicloud=None):
    """One status row per AWS tunnel of the bridge, paired with its Alibaba tunnel (idle ones marked).

    ``aws_vpns``: aws_vpn_connection_info ``vpn_connections``; ``alicloud``: an alicloud_vpn_info result (its
    connections of the bridge's mode and its customer gateways). Either None: that cloud is not judged.
    """
    if alicloud is None:
        return bridge.tunnel_rows(vpn_bridge, aws_vpns, None)
    connections, customer_gateways = _alicloud_parts(vpn_bridge, alicloud)
    return bridge.tunnel_rows(vpn_bridge, aws_vpns, connections, customer_gateways)


def _alicloud_parts(vpn_bridge, alicloud):
    """(the bridge mode's connections, the customer gateways) of an alicloud_vpn_info-shaped dict."""
    if not isinstance(alicloud, dict):
        raise bridge.BridgeError(["alicloud must be an alicloud_vpn_info result (a dictionary)"])
    kind = "vpn_attachments" if vpn_bridge.get("mode") == bridge.TRANSIT_ROUTER else "ipsec_connections"
    return alicloud.get(kind) or [], alicloud.get("customer_gateways")


def bridge_settled_tunnels(vpn_bridge, aws_vpns, alicloud, changed):
    """The rows from the reconcilers' own results when nothing changed and every used tunnel is up, else []."""
    connections, customer_gateways = _alicloud_parts(vpn_bridge, alicloud)
    return bridge.settled_rows(vpn_bridge, aws_vpns, connections, customer_gateways, bool(changed))


def bridge_verdict(rows, vpn_bridge):
    """up / degraded / down, one line per tunnel, warnings or the failure, and the AWS VPN for the TGW routes."""
    return bridge.verdict(vpn_bridge, rows)


# filter name -> function; the arguments are the module_utils function's (documented in <name>.yml).
FILTERS = {
    "bridge_defaults": bridge.normalize,              # (vpn_bridge, psks, seed): every default, keys checked
    "bridge_psks": bridge.psks_of,                    # (transit_vpn_bridges, name): given or seed-derived keys
    "bridge_keys": bridge.keys,                       # (vpn_bridge, psks, seed, aws_vpns): the used tunnels' keys
    "bridge_references": bridge.references,           # (vpn_bridge): lookup keys and resource names
    "bridge_hubs_built": bridge.hubs_from_built,      # (vpn_bridge, aws transit_built, alicloud transit_built)
    "bridge_aws_customer_gateways": bridge.aws_customer_gateways,
    "bridge_aws_vpn_connections": bridge.aws_vpn_connections,
    "bridge_alicloud_customer_gateways": bridge.alicloud_customer_gateways,
    "bridge_alicloud_tunnels": bridge.alicloud_tunnels,
    "bridge_routes": bridge.routes,
    "bridge_cleanup": bridge.cleanup,
    "bridge_tunnels": bridge_tunnels,
    "bridge_settled_tunnels": bridge_settled_tunnels,
    "bridge_verdict": bridge_verdict,
}


class FilterModule(object):
    """multicloud.transit VPN bridge filters."""

    def filters(self):
        return dict((name, _filter(name)(func)) for name, func in FILTERS.items())
