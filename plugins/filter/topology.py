# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Topology filters: the plan and pre-flight (module_utils/topology.py) and the lists the hub roles give to one
module call each (module_utils/topology_hubs.py), so that roles hold task lists, not Jinja programs.

Each filter is documented in the YAML file of its name beside this one (ansible-doc -t filter).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.errors import AnsibleFilterError

from ansible_collections.multicloud.transit.plugins.module_utils import topology
from ansible_collections.multicloud.transit.plugins.module_utils import topology_hubs as hubs

# The peering entries of the topology are the vpc_peering role's input: its argument spec is their schema.
PEERING_SPEC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "roles", "vpc_peering", "meta",
                            "argument_specs.yml")
SPEC_KEYS = ("type", "required", "default", "choices", "elements")
_peering_options = {}


def _spec(options):
    """An argument spec's options reduced to what the validator reads (descriptions dropped)."""
    out = {}
    for name, spec in (options or {}).items():
        out[name] = dict((k, spec[k]) for k in SPEC_KEYS if k in spec)
        if spec.get("options"):
            out[name]["options"] = _spec(spec["options"])
    return out


def peering_options(path=PEERING_SPEC):
    """The options of one ``vpc_peerings`` entry: the vpc_peering role's ``vpc_peering`` suboptions."""
    if path not in _peering_options:
        try:
            import yaml
            with open(path) as handle:
                spec = yaml.safe_load(handle)["argument_specs"]["main"]["options"]["vpc_peering"]["options"]
            _peering_options[path] = _spec(spec)
        except (IOError, OSError, KeyError, TypeError, ImportError):
            _peering_options[path] = None  # the role is not installed: the built-in schema
    return _peering_options[path]


def _call(name, func, *args):
    try:
        return func(*args)
    except (topology.TopologyError, hubs.VpcMatchError) as exc:
        raise AnsibleFilterError("%s: %s" % (name, exc))
    except (KeyError, TypeError, AttributeError) as exc:
        raise AnsibleFilterError("%s: unexpected input (%s: %s); pass what the documentation says"
                                 % (name, type(exc).__name__, exc))


def _dict(value, name, what):
    if not isinstance(value, dict):
        raise AnsibleFilterError("%s: %s must be a dictionary, got %s" % (name, what, type(value).__name__))
    return value


def _list(value, name, what):
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        raise AnsibleFilterError("%s: %s must be a list, got %s" % (name, what, type(value).__name__))
    return list(value)


def _cloud(cloud, name):
    if cloud not in topology.HUB_SCHEMAS:
        raise AnsibleFilterError("%s: cloud must be aws or alicloud, got %r" % (name, cloud))
    return cloud


# --- plan and pre-flight ------------------------------------------------------------------------------------
def topology_plan(value, hosts, variables=None):
    """The normalized plan, or an error listing every problem of the topology."""
    return _call("topology_plan", topology.plan, _dict(value, "topology_plan", "the topology"),
                 _list(hosts, "topology_plan", "hosts"), _list(variables, "topology_plan", "variables"),
                 peering_options())


def topology_hub(value, cloud):
    """One hub dict (a plan entry, or a role input given by hand) checked and completed."""
    return _call("topology_hub", topology.hub_input, _cloud(cloud, "topology_hub"), value)


def topology_items(plan, kind, host, reverse=False):
    """The plan entries of ``kind`` that ``host`` runs, in declaration order (reversed for teardown)."""
    if kind not in ("aws_hubs", "alicloud_hubs", "bridges", "peerings"):
        raise AnsibleFilterError("topology_items: kind must be aws_hubs, alicloud_hubs, bridges or peerings")
    return _call("topology_items", topology.plan_items, _dict(plan, "topology_items", "the plan"), kind, host,
                 bool(reverse))


def topology_vpc_reads(plan, host):
    """The read-only VPC reads ``host`` makes in the pre-flight, per cloud."""
    return _call("topology_vpc_reads", hubs.vpc_reads, _dict(plan, "topology_vpc_reads", "the plan"), host)


def topology_hub_vpc_reads(hub, cloud):
    """The VPC reads of one hub (a role reading its VPCs itself)."""
    return _call("topology_hub_vpc_reads", hubs.hub_vpc_reads, _cloud(cloud, "topology_hub_vpc_reads"),
                 [_dict(hub, "topology_hub_vpc_reads", "the hub")])


def topology_found_vpcs(result, host=None, region=None):
    """The VPCs of a registered *_vpc_info result (or loop), marked with the host that read them and the region."""
    return _call("topology_found_vpcs", hubs.found_vpcs, result, host, region)


def topology_vpc_problems(found, plan, host):
    """Why the VPCs ``host`` owns in the plan do not match what it found (empty when they all do).

    ``found``: ``{"aws": [...], "alicloud": [...]}``, each list from ``topology_found_vpcs``.
    """
    plan = _dict(plan, "topology_vpc_problems", "the plan")
    found = _dict(found, "topology_vpc_problems", "the found VPCs")
    problems = []
    for cloud, kind in (("aws", "aws_hubs"), ("alicloud", "alicloud_hubs")):
        for name in plan["order"][kind]:
            problems.extend(_call("topology_vpc_problems", hubs.match_vpcs, cloud, plan[kind][name],
                                  _list(found.get(cloud), "topology_vpc_problems", "found." + cloud), host)[1])
    return problems


def topology_hub_vpcs(found, hub, cloud):
    """The hub's declared VPCs resolved against the found ones (ids, CIDRs, subnets, route tables, zones)."""
    return _call("topology_hub_vpcs", hubs.hub_vpcs, _cloud(cloud, "topology_hub_vpcs"),
                 _dict(hub, "topology_hub_vpcs", "the hub"), _list(found, "topology_hub_vpcs", "the found VPCs"))


def hub_attachment_ids(vpcs, attachments):
    """``{vpc key: attachment id}`` from a VPC attachment module's list result."""
    return _call("hub_attachment_ids", hubs.attachment_ids, _list(vpcs, "hub_attachment_ids", "vpcs"),
                 _list(attachments, "hub_attachment_ids", "attachments"))


# --- AWS hub ------------------------------------------------------------------------------------------------
def aws_hub_vpc_attachments(vpcs, hub):
    vpc_list = _list(vpcs, "aws_hub_vpc_attachments", "vpcs")
    return _call("aws_hub_vpc_attachments", hubs.aws_vpc_attachments, hub, vpc_list)


def aws_hub_subnet_routes(vpcs, hub, tgw_id, state="present"):
    vpcs = _list(vpcs, "aws_hub_subnet_routes", "vpcs")
    if state == "absent":
        return _call("aws_hub_subnet_routes", hubs.aws_subnet_routes_toward, vpcs, tgw_id)
    return _call("aws_hub_subnet_routes", hubs.aws_subnet_routes, hub, vpcs, tgw_id)


def aws_hub_route_tables(hub, ids):
    return _call("aws_hub_route_tables", hubs.aws_route_tables, hub, _dict(ids or {}, "aws_hub_route_tables",
                                                                           "the attachment ids"))


def aws_hub_built(vpcs, hub, tgw, attachments=None):
    return _call("aws_hub_built", hubs.aws_built, hub, _list(vpcs, "aws_hub_built", "vpcs"), tgw,
                 _list(attachments, "aws_hub_built", "attachments"))


# --- Alibaba hub --------------------------------------------------------------------------------------------
def alicloud_hub_transit_routers(hub):
    return _call("alicloud_hub_transit_routers", hubs.alicloud_transit_routers, hub)


def alicloud_hub_vpc_attachments(vpcs, hub):
    return _call("alicloud_hub_vpc_attachments", hubs.alicloud_vpc_attachments, hub,
                 _list(vpcs, "alicloud_hub_vpc_attachments", "vpcs"))


def alicloud_hub_peer_attachments(hub, bandwidth_package_id=None):
    return _call("alicloud_hub_peer_attachments", hubs.alicloud_peer_attachments, hub, bandwidth_package_id)


def alicloud_hub_region_limits(hub):
    return _call("alicloud_hub_region_limits", hubs.alicloud_region_limits, hub)


def alicloud_hub_route_tables(routers, vpc_attachments, peer_attachments=None):
    return _call("alicloud_hub_route_tables", hubs.alicloud_route_tables,
                 _list(routers, "alicloud_hub_route_tables", "routers"),
                 _list(vpc_attachments, "alicloud_hub_route_tables", "vpc_attachments"),
                 _list(peer_attachments, "alicloud_hub_route_tables", "peer_attachments"))


def alicloud_hub_route_entries(vpcs, hub, attachments, state="present"):
    vpcs = _list(vpcs, "alicloud_hub_route_entries", "vpcs")
    attachments = _list(attachments, "alicloud_hub_route_entries", "attachments")
    if state == "absent":
        ids = [a.get("transit_router_attachment_id") if isinstance(a, dict) else a for a in attachments]
        return _call("alicloud_hub_route_entries", hubs.alicloud_route_entries_toward, vpcs, ids)
    return _call("alicloud_hub_route_entries", hubs.alicloud_route_entries, hub, vpcs, attachments)


def alicloud_hub_built(vpcs, hub, cen, routers=None, attachments=None, peers=None):
    return _call("alicloud_hub_built", hubs.alicloud_built, hub, _list(vpcs, "alicloud_hub_built", "vpcs"), cen,
                 _list(routers, "alicloud_hub_built", "routers"), _list(attachments, "alicloud_hub_built",
                                                                        "attachments"),
                 _list(peers, "alicloud_hub_built", "peers"))


CONNECTION_KEYS = ("alicloud_access_key", "alicloud_secret_key", "alicloud_security_token", "alicloud_endpoint")


def alicloud_connections(hostvars, hosts):
    """``{host: connection options}`` of Alibaba account hosts: each host's ``transit_alicloud_connection``,
    else its flat ``alicloud_*`` host vars (unset ones left out, so the modules read the environment)."""
    out = {}
    for host in _list(hosts, "alicloud_connections", "hosts"):
        if not host:
            continue
        try:
            values = hostvars[host]
        except KeyError:
            raise AnsibleFilterError("alicloud_connections: %r is not an inventory host" % (host,))
        conn = values.get("transit_alicloud_connection") if hasattr(values, "get") else None
        if not isinstance(conn, dict):
            conn = dict((key, values.get(key)) for key in CONNECTION_KEYS)
        out[host] = dict((k, v) for k, v in conn.items() if v not in (None, ""))
    return out


class FilterModule(object):
    """multicloud.transit topology filters."""

    def filters(self):
        return {
            "topology_plan": topology_plan,
            "topology_hub": topology_hub,
            "topology_items": topology_items,
            "topology_vpc_reads": topology_vpc_reads,
            "topology_hub_vpc_reads": topology_hub_vpc_reads,
            "topology_found_vpcs": topology_found_vpcs,
            "topology_vpc_problems": topology_vpc_problems,
            "topology_hub_vpcs": topology_hub_vpcs,
            "hub_attachment_ids": hub_attachment_ids,
            "aws_hub_vpc_attachments": aws_hub_vpc_attachments,
            "aws_hub_subnet_routes": aws_hub_subnet_routes,
            "aws_hub_route_tables": aws_hub_route_tables,
            "aws_hub_built": aws_hub_built,
            "alicloud_hub_transit_routers": alicloud_hub_transit_routers,
            "alicloud_hub_vpc_attachments": alicloud_hub_vpc_attachments,
            "alicloud_hub_peer_attachments": alicloud_hub_peer_attachments,
            "alicloud_hub_region_limits": alicloud_hub_region_limits,
            "alicloud_hub_route_tables": alicloud_hub_route_tables,
            "alicloud_hub_route_entries": alicloud_hub_route_entries,
            "alicloud_hub_built": alicloud_hub_built,
            "alicloud_connections": alicloud_connections,
        }
