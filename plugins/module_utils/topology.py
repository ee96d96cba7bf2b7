# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The topology rules: the schema of every topology key, the pre-flight checks, and the plan.

``plan(topology, hosts)`` takes the topology keys of an inventory (``transit_aws_hubs``,
``transit_alicloud_hubs``, ``transit_vpn_bridges``, ``vpc_peerings``, ``transit_probes``; described in
docs/topology.md) and the inventory's host names, and returns the normalized plan (every default filled in,
hubs and bridges resolved to hosts and regions) that every later play reads; or raises ``TopologyError``
listing EVERY problem, each with its field path and the fix. The plan never holds a secret: ``psks`` and
``psk_seed`` stay in the topology variables (``bridge_secrets`` reads them for ``no_log`` tasks).

IPsec rules (PSK syntax, tunnel inside CIDRs, proposals) come from ipsec.py; nothing here is a copy of them.
Pure: no SDK, no I/O (plugins/filter/topology.py wraps it for playbooks, roles use the same schemas).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import ipaddress

from ansible_collections.multicloud.transit.plugins.module_utils import ipsec
from ansible_collections.multicloud.transit.plugins.module_utils.regions import region_problem
from ansible_collections.multicloud.transit.plugins.module_utils.topology_schema import (
    join_path, nearest, normalize_options, opt, spec_defaults)

# The regions of each cloud are in regions.py: the modules check them too.
CLOUD_WORDS = {"aws": "AWS", "alicloud": "Alibaba Cloud"}

# aws_tgw amazon_side_asn: 64512-65534 or 4200000000-4294967294 (CreateTransitGateway AmazonSideAsn).
AWS_ASN_RANGES = ((64512, 65534), (4200000000, 4294967294))
GEOGRAPHIC_REGIONS = ["China", "Asia-Pacific", "Europe", "North-America", "Australia", "Middle-East"]
BRIDGE_TUNNELS = {"transit_router": 2, "vpn_gateway": 4}  # IPsec tunnels in use per bridge mode
CANONICAL_PROPOSAL = {"ike_version": ipsec.canonical_ike_version, "encryption": ipsec.canonical_encryption,
                      "integrity": ipsec.canonical_integrity, "dh_group": ipsec.canonical_dh_group}
PLACEHOLDER_IP = "192.0.2.1"  # TEST-NET-1: the bridge's first Alibaba customer gateway, replaced in the same run

TOPOLOGY_KEYS = ("transit_aws_hubs", "transit_alicloud_hubs", "transit_vpn_bridges", "vpc_peerings",
                 "transit_probes")


class TopologyError(ValueError):
    """A topology the pre-flight refuses; ``problems`` lists every reason, one sentence each."""

    def __init__(self, problems):
        self.problems = list(problems)
        super(TopologyError, self).__init__(
            "The topology has %d problem%s (nothing was changed):\n- %s" % (
                len(self.problems), "" if len(self.problems) == 1 else "s", "\n- ".join(self.problems)))


# --- schemas ----------------------------------------------------------------------------------------------
def _str_list(default=None):
    return opt("list", elements="str", default=default)


AWS_TGW_OPTIONS = dict((name, opt("bool")) for name in (
    "dns_support", "vpn_ecmp_support", "default_route_table_association", "default_route_table_propagation",
    "auto_accept_shared_attachments", "multicast_support"))
AWS_VPC = {
    "name": opt(), "id": opt(), "cidr": opt(),
    "subnets": _str_list([]), "route_table_ids": _str_list([]), "routes": opt("bool", default=True),
}
AWS_ROUTE_TABLE = {
    "name": opt(required=True),
    "associations": _str_list([]), "propagations": _str_list([]),
    "routes": opt("list", elements="dict", default=[], options={
        "cidr": opt(required=True), "target": opt(), "blackhole": opt("bool", default=False)}),
}
AWS_HUB = {
    "name": opt(required=True),
    "host": opt(required=True),
    "region": opt(required=True),
    "asn": opt("int", default=64512),
    "description": opt(),
    "options": opt("dict", default={}, options=AWS_TGW_OPTIONS),
    "tags": opt("dict", default={}),
    "vpcs": opt("list", elements="dict", required=True, options=AWS_VPC),
    "route_tables": opt("list", elements="dict", default=[], options=AWS_ROUTE_TABLE),
    "remote_cidrs": _str_list(),
}
ALICLOUD_ZONE_MAPPING = {"zone_id": opt(required=True), "vswitch_id": opt(), "vswitch_name": opt()}
ALICLOUD_VPC = {
    "name": opt(), "id": opt(), "region": opt(required=True), "cidr": opt(), "account_host": opt(),
    "zone_mappings": opt("list", elements="dict", options=ALICLOUD_ZONE_MAPPING),
}
BANDWIDTH_PACKAGE = {
    "bandwidth": opt("int", required=True),
    "geographic_region_a": opt(required=True, choices=GEOGRAPHIC_REGIONS),
    "geographic_region_b": opt(required=True, choices=GEOGRAPHIC_REGIONS),
    "name": opt(),
}
BASIC_BANDWIDTH_PACKAGE = dict(BANDWIDTH_PACKAGE, region_pairs=opt("list", elements="dict", default=[], options={
    "local_region": opt(required=True), "opposite_region": opt(required=True), "bandwidth": opt("int", required=True)}))
INTER_REGION = {
    "bandwidth_type": opt(default="DataTransfer", choices=["DataTransfer", "BandwidthPackage"]),
    "bandwidth": opt("int", default=10),
    "bandwidth_package": opt("dict", options=BANDWIDTH_PACKAGE),
}
ALICLOUD_HUB = {
    "name": opt(required=True),
    "host": opt(required=True),
    "description": opt(),
    "tags": opt("dict", default={}),
    "edition": opt(default="enterprise", choices=["enterprise", "basic"]),
    "vpcs": opt("list", elements="dict", required=True, options=ALICLOUD_VPC),
    "inter_region": opt("dict", default={}, options=INTER_REGION),
    "bandwidth_package": opt("dict", options=BASIC_BANDWIDTH_PACKAGE),
    "purge_attachments": opt("bool", default=False),
}
IKE = {
    "ike_version": opt(choices=["ikev1", "ikev2"]), "encryption": opt(), "integrity": opt(),
    "dh_group": opt("raw"), "phase1_lifetime": opt("int"), "phase2_lifetime": opt("int"),
}
BRIDGE = {
    "name": opt(required=True),
    "aws_hub": opt(required=True),
    "alicloud_hub": opt(required=True),
    "mode": opt(default="transit_router", choices=list(BRIDGE_TUNNELS)),
    "alicloud_region": opt(),
    "alicloud_vpc": opt(),
    "aws_prefixes": _str_list(),
    "alicloud_prefixes": _str_list(),
    "psks": _str_list(),
    "psk_seed": opt(),
    "tunnel_inside_cidrs": _str_list([]),
    "ike": opt("dict", default={}, options=IKE),
    "tags": opt("dict", default={}),
    "gateway_bandwidth": opt("int", default=10),
    "instance_charge_type": opt(choices=["PREPAY", "POSTPAY"]),
    "period": opt("int"),
    "placeholder_ip": opt(default=PLACEHOLDER_IP),
    "routing": opt(default="static", choices=["static", "bgp"]),
}
_PEERING_SIDE = {"account": opt(required=True), "region": opt(required=True), "vpc": opt(required=True),
                 "routes": _str_list([])}
# One vpc_peerings entry is the vpc_peering role's input: the filter passes that role's argument spec; this
# schema (the design's: today's keys plus `method`) is used only when the role cannot be read.
PEERING = {
    "name": opt(required=True),
    "method": opt(default="vpc_peer", choices=["vpc_peer", "router_interface"]),
    "state": opt(default="present", choices=["present", "absent"]),
    "spec": opt(), "description": opt(),
    "instance_charge_type": opt(choices=["PrePaid", "PostPaid"]),
    "period": opt("int"), "pricing_cycle": opt(choices=["Month", "Year"]),
    "initiator": opt("dict", required=True, options=_PEERING_SIDE),
    "acceptor": opt("dict", required=True, options=_PEERING_SIDE),
}

# Keys the plan computes, which a role user may also give by hand (the roles' documented defaults).
AWS_HUB_ROLE = dict(AWS_HUB, remote_cidrs=_str_list([]),
                    vpcs=opt("list", elements="dict", required=True, options=dict(AWS_VPC, key=opt())))
ALICLOUD_HUB_ROLE = dict(
    ALICLOUD_HUB, regions=_str_list([]), remote_cidrs=_str_list([]), account_hosts=_str_list([]),
    vpcs=opt("list", elements="dict", required=True,
             options=dict(ALICLOUD_VPC, key=opt(), remote_routes=opt("bool", default=True))))
HUB_SCHEMAS = {"aws": AWS_HUB, "alicloud": ALICLOUD_HUB}
HUB_ROLE_SCHEMAS = {"aws": AWS_HUB_ROLE, "alicloud": ALICLOUD_HUB_ROLE}
HUB_KEYS = {"aws": "transit_aws_hubs", "alicloud": "transit_alicloud_hubs"}
# Variables of an inventory that are not topology keys, though they look like one.
OTHER_VARIABLES = ("transit_plan", "transit_built", "transit_vpcs_found")


# --- small rules -------------------------------------------------------------------------------------------
def cidr_problem(value):
    """Why ``value`` is not an IPv4 CIDR block (with the fix), or None."""
    try:
        net = ipaddress.ip_network(u"%s" % value, strict=False)
    except ValueError:
        return "%r is not a CIDR block; write it like 10.0.0.0/8" % (value,)
    if net.version != 4:
        return "%s is not IPv4; only IPv4 networks are routed between the clouds" % value
    if str(net) != str(value).strip():
        return "%s has host bits set; the network is %s" % (value, net)
    return None


def network(value):
    return ipaddress.ip_network(u"%s" % value, strict=False)


def unique(values):
    out = []
    for value in values:
        if value not in out:
            out.append(value)
    return out


def vpc_key(vpc):
    """How a declared VPC is named in facts and messages: its name, else its id."""
    return vpc.get("name") or vpc.get("id")


def region_pairs(regions):
    """Every pair of regions once, in declaration order (one inter-region connection each)."""
    return [(a, b) for index, a in enumerate(regions) for b in regions[index + 1:]]


# --- the plan ---------------------------------------------------------------------------------------------
class _Planner(object):
    """Collects problems while normalizing each key, then cross-checks them; ``run`` returns the plan."""

    def __init__(self, topology, hosts, variables, peering_options):
        self.topology = topology if isinstance(topology, dict) else {}
        self.hosts = list(hosts or [])
        self.variables = list(variables or [])
        self.peering_options = peering_options or PEERING
        self.problems = []
        if not isinstance(topology, dict):
            self.problems.append("the topology must be a dictionary of the keys %s" % ", ".join(TOPOLOGY_KEYS))

    def add(self, path, message):
        self.problems.append("%s: %s" % (path, message) if path else message)

    # --- key by key --------------------------------------------------------------------------------------
    def entries(self, key, options):
        """``[(path, normalized entry)]`` of one list-valued topology key."""
        value = self.topology.get(key)
        if value is None:
            return []
        if not isinstance(value, (list, tuple)):
            self.add(key, "must be a list (one entry per item), got %s" % type(value).__name__)
            return []
        out = []
        for index, item in enumerate(value):
            path = "%s[%d]" % (key, index)
            if not isinstance(item, dict):
                self.add(path, "must be a dictionary, got %s" % type(item).__name__)
                continue
            out.append((path, normalize_options(item, options, path, self.problems)))
        self.unique_names(out)
        return out

    def unique_names(self, entries):
        seen = {}
        for path, entry in entries:
            name = entry.get("name")
            if name in seen:
                self.add(join_path(path, "name"), "%r is already the name of %s; names must be unique"
                         % (name, seen[name]))
            elif name is not None:
                seen[name] = path

    def check_host(self, path, host):
        if host is not None and host not in self.hosts:
            close = nearest(host, self.hosts)
            self.add(path, "%r is not an inventory host%s (hosts: %s)" % (
                host, "; did you mean %r?" % close if close else "", ", ".join(self.hosts) or "none"))

    def check_region(self, cloud, path, region):
        problem = region is not None and region_problem(cloud, region)
        if problem:
            self.add(path, problem)

    def check_cidrs(self, path, values):
        for index, value in enumerate(values or []):
            self.check_cidr("%s[%d]" % (path, index), value)

    def check_cidr(self, path, value):
        problem = value is not None and cidr_problem(value)
        if problem:
            self.add(path, problem)
            return False
        return value is not None

    def check_bandwidth(self, path, value, what="Mbit/s"):
        if value is not None and value < 1:
            self.add(path, "must be at least 1 (%s), got %s" % (what, value))

    def top_level(self):
        """A topology variable with a typo would be ignored silently: name the key it was meant to be."""
        for key in self.topology:
            if key not in TOPOLOGY_KEYS:
                self.add(None, "%s: unknown topology key; %s" % (key, _meant(key)))
        for name in self.variables:
            if name in TOPOLOGY_KEYS or name in OTHER_VARIABLES:
                continue
            close = nearest(name, TOPOLOGY_KEYS, cutoff=0.85)
            if close:
                self.add(None, "%s: unknown variable, so it would be ignored; did you mean `%s`?" % (name, close))

    def vpcs_of(self, cloud, path, hub):
        vpcs = hub.get("vpcs") or []
        if hub.get("vpcs") is not None and not vpcs:
            self.add(join_path(path, "vpcs"), "needs at least one VPC")
        keys = {}
        for index, vpc in enumerate(vpcs):
            if vpc is None:
                continue
            where = "%s.vpcs[%d]" % (path, index)
            if not vpc.get("name") and not vpc.get("id"):
                self.add(where, "needs `name` (its %s) or `id`" % ("Name tag" if cloud == "aws" else "name"))
                continue
            key = vpc_key(vpc)
            if key in keys:
                self.add(where, "%r is declared twice in this hub (also %s); each VPC once" % (key, keys[key]))
            keys[key] = where
            self.check_cidr(join_path(where, "cidr"), vpc.get("cidr"))
        return [vpc for vpc in vpcs if vpc is not None and (vpc.get("name") or vpc.get("id"))]

    def aws_hub(self, path, hub):
        self.check_host(join_path(path, "host"), hub["host"])
        self.check_region("aws", join_path(path, "region"), hub["region"])
        asn = hub.get("asn")
        if asn is not None and not any(low <= asn <= high for low, high in AWS_ASN_RANGES):
            self.add(join_path(path, "asn"), "%s is outside the private ASN ranges AWS takes (64512-65534, "
                                             "4200000000-4294967294)" % asn)
        vpcs = self.vpcs_of("aws", path, hub)
        self.check_cidrs(join_path(path, "remote_cidrs"), hub.get("remote_cidrs"))
        keys = [vpc_key(v) for v in vpcs]
        for index, table in enumerate(hub.get("route_tables") or []):
            where = "%s.route_tables[%d]" % (path, index)
            for field in ("associations", "propagations"):
                for position, ref in enumerate(table.get(field) or []):
                    self.check_attachment_ref("%s.%s[%d]" % (where, field, position), ref, keys)
            for position, route in enumerate(table.get("routes") or []):
                here = "%s.routes[%d]" % (where, position)
                self.check_cidr(join_path(here, "cidr"), route.get("cidr"))
                if bool(route.get("target")) == bool(route.get("blackhole")):
                    self.add(here, "give exactly one of `target` (a VPC of the hub or an attachment id) and "
                                   "`blackhole: true`")
                elif route.get("target"):
                    self.check_attachment_ref(join_path(here, "target"), route["target"], keys)

    def check_attachment_ref(self, path, ref, keys):
        if ref not in keys and not str(ref).startswith("tgw-attach-"):
            close = nearest(ref, keys)
            self.add(path, "%r is neither a VPC of this hub (%s) nor an attachment id (tgw-attach-...)%s"
                     % (ref, ", ".join(keys), "; did you mean %r?" % close if close else ""))

    def alicloud_hub(self, path, hub):
        self.check_host(join_path(path, "host"), hub["host"])
        vpcs = self.vpcs_of("alicloud", path, hub)
        for index, vpc in enumerate(hub.get("vpcs") or []):
            if vpc is None:
                continue
            where = "%s.vpcs[%d]" % (path, index)
            self.check_region("alicloud", join_path(where, "region"), vpc.get("region"))
            self.check_host(join_path(where, "account_host"), vpc.get("account_host"))
            for position, mapping in enumerate(vpc.get("zone_mappings") or []):
                self.zone_mapping("%s.zone_mappings[%d]" % (where, position), mapping, vpc.get("region"))
        regions = unique(v["region"] for v in vpcs if v.get("region"))
        inter, basic_package = hub.get("inter_region") or {}, hub.get("bandwidth_package")
        if hub.get("edition") == "basic":
            if dict((k, v) for k, v in inter.items() if v is not None) != spec_defaults(INTER_REGION):
                self.add(join_path(path, "inter_region"), "is for edition enterprise (inter-region connections); a "
                                                          "basic CEN takes `bandwidth_package` with region_pairs")
            if basic_package:
                self.bandwidth_package(join_path(path, "bandwidth_package"), basic_package, regions)
        else:
            if basic_package:
                self.add(join_path(path, "bandwidth_package"),
                         "is for edition basic (region-pair limits); an enterprise hub takes "
                         "inter_region.bandwidth_type: BandwidthPackage with inter_region.bandwidth_package")
            self.inter_region(join_path(path, "inter_region"), inter)

    def zone_mapping(self, path, mapping, region):
        if bool(mapping.get("vswitch_id")) == bool(mapping.get("vswitch_name")):
            self.add(path, "give exactly one of `vswitch_id` and `vswitch_name` (a vSwitch of the VPC in that zone)")
        zone = mapping.get("zone_id")
        if zone and region and not (zone.startswith(region) and len(zone) > len(region)):
            self.add(join_path(path, "zone_id"), "%r is not a zone of %s (zones are named like %s-a)"
                     % (zone, region, region))

    def inter_region(self, path, inter):
        self.check_bandwidth(join_path(path, "bandwidth"), inter.get("bandwidth"))
        package = inter.get("bandwidth_package")
        if inter.get("bandwidth_type") == "BandwidthPackage":
            if not package:
                self.add(join_path(path, "bandwidth_package"), "is required with bandwidth_type BandwidthPackage "
                                                               "(bandwidth, geographic_region_a, geographic_region_b)")
            else:
                self.check_bandwidth(join_path(path, "bandwidth_package.bandwidth"), package.get("bandwidth"))
                if package.get("bandwidth") and inter.get("bandwidth") and inter["bandwidth"] > package["bandwidth"]:
                    self.add(join_path(path, "bandwidth"), "%s Mbit/s is more than the package's %s Mbit/s" % (
                        inter["bandwidth"], package["bandwidth"]))
        elif package:
            self.add(join_path(path, "bandwidth_package"), "is only used with bandwidth_type BandwidthPackage; "
                                                           "DataTransfer is billed by the traffic")

    def bandwidth_package(self, path, package, regions):
        self.check_bandwidth(join_path(path, "bandwidth"), package.get("bandwidth"))
        total = 0
        for index, pair in enumerate(package.get("region_pairs") or []):
            where = "%s.region_pairs[%d]" % (path, index)
            for field in ("local_region", "opposite_region"):
                if pair.get(field) and pair[field] not in regions:
                    self.add(join_path(where, field), "%r is not a region of this hub's VPCs (%s)"
                             % (pair[field], ", ".join(regions)))
            self.check_bandwidth(join_path(where, "bandwidth"), pair.get("bandwidth"))
            total += pair.get("bandwidth") or 0
        if package.get("bandwidth") and total > package["bandwidth"]:
            self.add(join_path(path, "region_pairs"), "the limits add up to %d Mbit/s, more than the package's %d"
                     % (total, package["bandwidth"]))

    def bridge(self, path, bridge, aws_hubs, ali_hubs):
        for field, hubs in (("aws_hub", aws_hubs), ("alicloud_hub", ali_hubs)):
            name = bridge.get(field)
            if name is not None and name not in hubs:
                close = nearest(name, hubs)
                self.add(join_path(path, field), "%r is not a hub of %s (%s)%s" % (
                    name, "transit_aws_hubs" if field == "aws_hub" else "transit_alicloud_hubs",
                    ", ".join(hubs) or "none declared", "; did you mean %r?" % close if close else ""))
        mode = bridge.get("mode")
        if bridge.get("routing") == "bgp":
            self.add(join_path(path, "routing"), "bgp is not supported yet; use static (the default): the bridge "
                                                 "routes aws_prefixes and alicloud_prefixes statically")
        ali = ali_hubs.get(bridge.get("alicloud_hub"))
        if ali is not None:
            keys = dict((ref, v) for v in ali.get("vpcs") or [] if v for ref in (v.get("name"), v.get("id")) if ref)
            vpc = bridge.get("alicloud_vpc")
            if vpc is not None and vpc not in keys:
                self.add(join_path(path, "alicloud_vpc"), "%r is not a VPC of Alibaba hub %s (%s)" % (
                    vpc, ali["name"], ", ".join(sorted(keys))))
            if mode == "vpn_gateway" and vpc is None:
                self.add(join_path(path, "alicloud_vpc"), "is required in mode vpn_gateway: the VPC that holds the "
                                                          "VPN gateway (a VPC of hub %s)" % ali["name"])
            regions = unique(v["region"] for v in ali.get("vpcs") or [] if v and v.get("region"))
            region = bridge.get("alicloud_region")
            self.check_region("alicloud", join_path(path, "alicloud_region"), region)
            if mode == "transit_router" and region and region not in regions and not region_problem("alicloud", region):
                self.add(join_path(path, "alicloud_region"), "%s has no transit router of hub %s (its regions: %s)"
                         % (region, ali["name"], ", ".join(regions)))
            if mode == "vpn_gateway" and region and vpc in keys and keys[vpc].get("region") != region:
                self.add(join_path(path, "alicloud_region"), "%s is not the region of VPC %s (%s); leave it out"
                         % (region, vpc, keys[vpc].get("region")))
        self.check_cidrs(join_path(path, "aws_prefixes"), bridge.get("aws_prefixes"))
        self.check_cidrs(join_path(path, "alicloud_prefixes"), bridge.get("alicloud_prefixes"))
        self.secrets(path, bridge)
        self.ike(join_path(path, "ike"), bridge.get("ike") or {})
        self.check_bandwidth(join_path(path, "gateway_bandwidth"), bridge.get("gateway_bandwidth"))
        if bridge.get("period") is not None:
            if bridge.get("instance_charge_type") != "PREPAY":
                self.add(join_path(path, "period"), "is for instance_charge_type PREPAY (a subscription) only")
            self.check_bandwidth(join_path(path, "period"), bridge["period"], "months")
        if mode != "vpn_gateway":
            for field in ("instance_charge_type", "period"):
                if bridge.get(field) is not None:
                    self.add(join_path(path, field), "is for mode vpn_gateway (the VPN gateway's billing); a "
                                                     "transit_router bridge has no VPN gateway")
        try:
            address = ipaddress.ip_address(u"%s" % bridge.get("placeholder_ip"))
            if address.version != 4:
                raise ValueError
        except ValueError:
            self.add(join_path(path, "placeholder_ip"), "%r is not an IPv4 address (default %s)"
                     % (bridge.get("placeholder_ip"), PLACEHOLDER_IP))

    def secrets(self, path, bridge):
        """PSK count and syntax, tunnel inside CIDRs; a key is never echoed."""
        tunnels = BRIDGE_TUNNELS.get(bridge.get("mode"), 2)
        psks = bridge.get("psks")
        if psks is not None:
            if len(psks) != tunnels:
                self.add(join_path(path, "psks"), "mode %s uses %d tunnels: give %d keys (got %d), or leave psks "
                                                  "out" % (bridge.get("mode"), tunnels, tunnels, len(psks)))
            for index, key in enumerate(psks):
                for problem in ipsec.psk_problems(key):
                    self.add("%s.psks[%d]" % (path, index), problem + " (both clouds must accept it)")
        if bridge.get("psk_seed") is not None and not str(bridge["psk_seed"]).strip():
            self.add(join_path(path, "psk_seed"), "is empty; give a secret (a vault variable) or leave it out")
        cidrs = bridge.get("tunnel_inside_cidrs") or []
        if cidrs and len(cidrs) != tunnels:
            self.add(join_path(path, "tunnel_inside_cidrs"), "mode %s uses %d tunnels: give %d /30s (got %d), or "
                                                             "leave them out" % (bridge["mode"], tunnels, tunnels,
                                                                                 len(cidrs)))
        for index, cidr in enumerate(cidrs):
            for problem in ipsec.inside_cidr_problems(cidr):
                self.add("%s.tunnel_inside_cidrs[%d]" % (path, index), problem)

    def ike(self, path, ike):
        given = dict((k, v) for k, v in ike.items() if v is not None)
        for problem in ipsec.proposal_problems(given):
            field, sep, rest = problem.partition(": ")
            if sep and field in IKE:
                self.add(join_path(path, field), rest)
            else:
                self.add(path, problem)

    def peering(self, path, peering, vpc_cidrs):
        for field, side in sorted(peering.items()):
            if not isinstance(side, dict) or "account" not in side:
                continue
            where = join_path(path, field)
            self.check_host(join_path(where, "account"), side.get("account"))
            self.check_region("alicloud", join_path(where, "region"), side.get("region"))
            self.check_cidrs(join_path(where, "routes"), side.get("routes"))
            own = side.get("cidr")
            if own is not None and not self.check_cidr(join_path(where, "cidr"), own):
                own = None
            own = own or vpc_cidrs.get((side.get("region"), side.get("vpc")))
            if own is None:
                continue
            for index, route in enumerate(side.get("routes") or []):
                if not cidr_problem(route) and network(route).overlaps(network(own)):
                    self.add("%s.routes[%d]" % (where, index), "%s overlaps this side's own VPC %s (%s): route the "
                             "other side's CIDR instead" % (route, side.get("vpc"), own))

    def probes(self):
        value = self.topology.get("transit_probes")
        if value is None:
            return []
        if not isinstance(value, (list, tuple)):
            self.add("transit_probes", "must be a list of IP addresses (or {name, ip})")
            return []
        for index, probe in enumerate(value):
            where = "transit_probes[%d]" % index
            if isinstance(probe, dict):
                for key in probe:
                    if key not in ("name", "ip"):
                        self.add(join_path(where, key), "unknown key; %s" % _meant(key, ("name", "ip")))
                address, where = probe.get("ip"), join_path(where, "ip")
            else:
                address = probe
            try:
                ipaddress.ip_address(u"%s" % address)
            except ValueError:
                self.add(where, "%r is not an IP address" % (address,))
        return list(value)

    def probes_inside(self, probes, cidrs, peerings):
        """Every probe is in a network the topology declares (a hub VPC, or one a peering routes toward): a probe
        anywhere else could never be reached, and verify would find it out only after the build."""
        for _path, peering in peerings:
            for side in peering.values():
                if isinstance(side, dict):
                    cidrs = cidrs + [c for c in (side.get("routes") or []) + [side.get("cidr")] if c]
        known = [network(c) for c in cidrs if not cidr_problem(c)]
        for index, probe in enumerate(probes if known else []):
            address = probe.get("ip") if isinstance(probe, dict) else probe
            try:
                address = ipaddress.ip_address(u"%s" % address)
            except ValueError:
                continue  # said by probes()
            if not any(address in net for net in known):
                self.add("transit_probes[%d]" % index, "%s is in none of the networks the topology declares (%s): "
                         "correct the address, or declare the VPC it is in" % (
                             address, ", ".join(unique(str(n) for n in known))))

    def overlaps(self, networks):
        """Every pair of distinct VPCs with overlapping CIDRs (the same VPC in two hubs is one VPC)."""
        for index, (path, identity, cidr) in enumerate(networks):
            for other_path, other_identity, other in networks[index + 1:]:
                if identity != other_identity and network(cidr).overlaps(network(other)):
                    self.add(path, "%s overlaps %s (%s): routes cannot tell the two VPCs apart; give every VPC a "
                                   "CIDR block of its own" % (cidr, other_path, other))

    def networks(self, aws, ali):
        """``(networks, alicloud_cidrs)``: every declared VPC CIDR with the VPC's identity (the same VPC in two hubs
        is one VPC), and the Alibaba VPC CIDRs by (region, name or id) for the peering checks. A VPC the other
        cloud routes toward must declare its CIDR."""
        networks, vpc_cidrs = [], {}
        for cloud, hubs, other in (("aws", aws, ali), ("alicloud", ali, aws)):
            for path, hub in hubs:
                for index, vpc in enumerate(hub.get("vpcs") or []):
                    if not vpc or not (vpc.get("name") or vpc.get("id")):
                        continue
                    where = "%s.vpcs[%d].cidr" % (path, index)
                    if vpc.get("cidr") is None and other:
                        self.add(where, "is required: the %s side routes toward this VPC and cannot read %s's API "
                                        "with its own credentials; add the VPC's CIDR block" % (
                                            CLOUD_WORDS["alicloud" if cloud == "aws" else "aws"], CLOUD_WORDS[cloud]))
                    if vpc.get("cidr") is None or cidr_problem(vpc["cidr"]):
                        continue
                    region = hub.get("region") if cloud == "aws" else vpc.get("region")
                    owner = vpc.get("account_host") or hub.get("host")
                    networks.append((where, (cloud, owner, region, vpc_key(vpc)), vpc["cidr"]))
                    if cloud == "alicloud":
                        for ref in (vpc.get("name"), vpc.get("id")):
                            vpc_cidrs[(region, ref)] = vpc["cidr"]
        return networks, vpc_cidrs

    # --- all together ----------------------------------------------------------------------------------
    def run(self):
        self.top_level()
        aws = self.entries("transit_aws_hubs", AWS_HUB)
        ali = self.entries("transit_alicloud_hubs", ALICLOUD_HUB)
        bridges = self.entries("transit_vpn_bridges", BRIDGE)
        peerings = self.entries("vpc_peerings", self.peering_options)
        probes = self.probes()
        for path, hub in aws:
            self.aws_hub(path, hub)
        for path, hub in ali:
            self.alicloud_hub(path, hub)
        networks, vpc_cidrs = self.networks(aws, ali)
        aws_by_name = dict((h["name"], h) for _where, h in aws if h.get("name"))
        ali_by_name = dict((h["name"], h) for _where, h in ali if h.get("name"))
        for path, bridge in bridges:
            self.bridge(path, bridge, aws_by_name, ali_by_name)
        self.inside_cidrs_unique(bridges)
        for path, peering in peerings:
            self.peering(path, peering, vpc_cidrs)
        self.overlaps(networks)
        self.probes_inside(probes, [cidr for _where, _identity, cidr in networks], peerings)
        if self.problems:
            raise TopologyError(self.problems)
        return self.result(aws, ali, bridges, peerings, probes)

    def inside_cidrs_unique(self, bridges):
        seen = {}
        for path, bridge in bridges:
            for index, cidr in enumerate(bridge.get("tunnel_inside_cidrs") or []):
                where = "%s.tunnel_inside_cidrs[%d]" % (path, index)
                if cidr in seen:
                    self.add(where, "%s is already used by %s; every tunnel needs its own /30" % (cidr, seen[cidr]))
                seen.setdefault(cidr, where)

    # --- the plan itself ---------------------------------------------------------------------------------
    def result(self, aws, ali, bridges, peerings, probes):
        aws_hubs = [complete_hub("aws", hub) for _where, hub in aws]
        ali_hubs = [complete_hub("alicloud", hub) for _where, hub in ali]
        aws_cidrs = unique(v["cidr"] for h in aws_hubs for v in h["vpcs"] if v.get("cidr"))
        ali_cidrs = unique(v["cidr"] for h in ali_hubs for v in h["vpcs"] if v.get("cidr"))
        for hub in aws_hubs:
            if hub["remote_cidrs"] is None:
                own = [v["cidr"] for v in hub["vpcs"] if v.get("cidr")]
                hub["remote_cidrs"] = unique(ali_cidrs + [c for c in aws_cidrs if c not in own])
        for hub in ali_hubs:
            hub["remote_cidrs"] = list(aws_cidrs)
        aws_by_name = dict((h["name"], h) for h in aws_hubs)
        ali_by_name = dict((h["name"], h) for h in ali_hubs)
        plan_bridges = [plan_bridge(bridge, aws_by_name[bridge["aws_hub"]], ali_by_name[bridge["alicloud_hub"]])
                        for _where, bridge in bridges]
        hosts = {}
        for hub in aws_hubs:
            _cloud_of(hosts, hub["host"], "aws")
        for hub in ali_hubs:
            for host in hub["account_hosts"]:
                _cloud_of(hosts, host, "alicloud")
        for _where, peering in peerings:
            for side in peering.values():
                if isinstance(side, dict) and side.get("account"):
                    _cloud_of(hosts, side["account"], "alicloud")
        return {
            "hosts": hosts,
            "aws_hubs": dict((h["name"], h) for h in aws_hubs),
            "alicloud_hubs": dict((h["name"], h) for h in ali_hubs),
            "bridges": dict((b["name"], b) for b in plan_bridges),
            "peerings": dict((p["name"], p) for _where, p in peerings),
            "probes": probes,
            "order": {"aws_hubs": [h["name"] for h in aws_hubs], "alicloud_hubs": [h["name"] for h in ali_hubs],
                      "bridges": [b["name"] for b in plan_bridges], "peerings": [p["name"] for _where, p in peerings]},
        }


def _meant(key, valid=TOPOLOGY_KEYS):
    close = nearest(key, valid)
    return "did you mean `%s`?" % close if close else "valid keys: %s" % ", ".join(valid)


def _cloud_of(hosts, host, cloud):
    clouds = hosts.setdefault(host, {"clouds": []})["clouds"]
    if cloud not in clouds:
        clouds.append(cloud)


def complete_hub(cloud, hub):
    """A normalized hub with what the plan computes: descriptions, VPC keys, regions, account hosts."""
    hub = copy.deepcopy(hub)
    if not hub.get("description"):
        hub["description"] = "multicloud.transit hub %s" % hub["name"]
    for vpc in hub["vpcs"]:
        vpc.setdefault("key", None)
        vpc["key"] = vpc["key"] or vpc_key(vpc)
    if cloud == "alicloud":
        for vpc in hub["vpcs"]:
            if vpc.get("account_host") == hub["host"]:
                vpc["account_host"] = None
            vpc.setdefault("remote_routes", True)
        hub["regions"] = hub.get("regions") or unique(v["region"] for v in hub["vpcs"])
        hub.setdefault("remote_cidrs", [])
        hub["account_hosts"] = unique([hub["host"]] + [v["account_host"] for v in hub["vpcs"] if v["account_host"]])
    return hub


def plan_bridge(bridge, aws_hub, ali_hub):
    """One bridge of the plan: hubs resolved to hosts, regions and names; no secret."""
    mode = bridge["mode"]
    vpcs = dict((ref, v) for v in ali_hub["vpcs"] for ref in (v.get("name"), v.get("id")) if ref)
    vpc = vpcs.get(bridge.get("alicloud_vpc"))
    region = bridge.get("alicloud_region") or (vpc["region"] if vpc and mode == "vpn_gateway"
                                               else ali_hub["regions"][0])
    proposal = dict(ipsec.PINNED_PROPOSAL)
    proposal.update((k, v) for k, v in (bridge.get("ike") or {}).items() if v is not None)
    for kind, canonical in CANONICAL_PROPOSAL.items():
        proposal[kind] = canonical(proposal[kind])
    if mode == "vpn_gateway" and vpc is not None:
        vpc["remote_routes"] = False  # its VPN gateway publishes the AWS prefixes into the VPC itself
    return {
        "name": bridge["name"], "mode": mode,
        "aws_hub": aws_hub["name"], "alicloud_hub": ali_hub["name"],
        "aws_host": aws_hub["host"],
        "alicloud_host": (vpc.get("account_host") if vpc and mode == "vpn_gateway" else None) or ali_hub["host"],
        "aws_region": aws_hub["region"], "alicloud_region": region,
        "alicloud_vpc": vpc["key"] if vpc else None,
        "tgw": aws_hub["name"], "cen": ali_hub["name"],
        "aws_prefixes": bridge.get("aws_prefixes") or unique(v["cidr"] for v in aws_hub["vpcs"] if v.get("cidr")),
        "alicloud_prefixes": bridge.get("alicloud_prefixes") or unique(
            v["cidr"] for v in ali_hub["vpcs"] if v.get("cidr")),
        "tunnels": BRIDGE_TUNNELS[mode],
        "psk_source": "given" if bridge.get("psks") else ("seed" if bridge.get("psk_seed") else "generated"),
        "ike": proposal,
        "tunnel_inside_cidrs": list(bridge.get("tunnel_inside_cidrs") or []),
        "placeholder_ip": bridge["placeholder_ip"],
        "tags": dict(bridge.get("tags") or {}),
        "gateway": {"bandwidth": bridge["gateway_bandwidth"],
                    "instance_charge_type": bridge.get("instance_charge_type"), "period": bridge.get("period")},
    }


def plan(topology, hosts, variables=None, peering_options=None):
    """The normalized plan of ``topology`` for an inventory of ``hosts``, or TopologyError with every problem.

    ``variables``: names of every variable the hosts see (a misspelt topology key is named, not ignored);
    ``peering_options``: the vpc_peering role's spec of one peering (default ``PEERING``).
    """
    return _Planner(topology, hosts, variables, peering_options).run()


def hub_input(cloud, hub, where=None):
    """A role's hub dict checked and completed like a plan entry (TopologyError with every problem)."""
    problems = []
    where = where or "%s_hub" % cloud
    if not isinstance(hub, dict):
        raise TopologyError(["%s: must be a dictionary (one hub)" % where])
    normalized = normalize_options(hub, HUB_ROLE_SCHEMAS[cloud], where, problems)
    if problems:
        raise TopologyError(problems)
    hosts = [normalized["host"]] + [v.get("account_host") for v in normalized["vpcs"] or []
                                    if v and v.get("account_host")]
    planner = _Planner({}, hosts, [], None)
    (planner.aws_hub if cloud == "aws" else planner.alicloud_hub)(where, normalized)
    if planner.problems:
        raise TopologyError(planner.problems)
    return complete_hub(cloud, normalized)


def bridge_secrets(bridges, name):
    """``{psks, psk_seed}`` of bridge ``name`` from the raw topology list (for no_log tasks only)."""
    for bridge in bridges or []:
        if isinstance(bridge, dict) and bridge.get("name") == name:
            return {"psks": list(bridge.get("psks") or []), "psk_seed": bridge.get("psk_seed") or None}
    raise TopologyError(["transit_vpn_bridges: no bridge named %r" % (name,)])


def plan_items(plan_, kind, host, reverse=False):
    """The entries of ``kind`` (aws_hubs, alicloud_hubs, bridges, peerings) that ``host`` runs, in order.

    Hubs run on their ``host``, bridges on their ``aws_host``, peerings on the account of their first side.
    """
    entries = [plan_[kind][name] for name in plan_["order"][kind]]
    if kind in ("aws_hubs", "alicloud_hubs"):
        mine = [e for e in entries if e["host"] == host]
    elif kind == "bridges":
        mine = [e for e in entries if e["aws_host"] == host]
    else:
        mine = [e for e in entries if _first_side_account(e) == host]
    return list(reversed(mine)) if reverse else mine


def _first_side_account(peering):
    for key in ("initiator", "requester"):
        if isinstance(peering.get(key), dict):
            return peering[key].get("account")
    return next((side.get("account") for side in peering.values() if isinstance(side, dict) and "account" in side),
                None)
