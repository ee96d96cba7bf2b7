# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""VPC peering filters: what roles/vpc_peering needs beyond a task list.

Checks of a peering before any cloud call (``vpc_peerings_problems``, ``vpc_peering_problems``) and
after reading both VPCs (``vpc_peering_vpc_problems``), the lookup options for a VPC given by ID or
name (``vpc_peering_lookup``), the route items of one side (``vpc_peering_routes``), the routes that
still use a peering (``vpc_peering_routes_via``) and the connection between two VPCs
(``vpc_peering_connection``). The CIDR overlap rule is module_utils/vpc_peer.py's, the one the
alicloud_vpc_peer_connection module applies. Each filter is documented in the YAML file of its name
beside this one (ansible-doc -t filter).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text

from ansible_collections.multicloud.transit.plugins.module_utils.vpc_peer import ACTIVE, DEAD_ENDS, overlapping

METHODS = ("vpc_peer", "router_interface")
SIDES = ("initiator", "acceptor")
# Options that only one method takes, and what the other method uses instead.
METHOD_ONLY = {
    "router_interface": ("spec", "instance_charge_type", "period", "pricing_cycle"),
    "vpc_peer": ("bandwidth", "link_type", "tags"),
}
INSTEAD = {
    "router_interface": "a VPC peering connection takes bandwidth (Mbit/s) and link_type instead",
    "vpc_peer": "router interfaces take spec and instance_charge_type instead",
}
# Interfaces are named <name>-initiator / <name>-acceptor; a VPC peering connection takes 2-128 characters.
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9._-]{1,99}$")
UID = re.compile(r"^[0-9]+$")
LIVE = ("Creating", "Accepting", "Updating", "Activated")


def _text(value):
    return to_text(value if value is not None else "").strip()


def _mapping(value, what):
    if not isinstance(value, Mapping):
        raise AnsibleFilterError("%s must be a dictionary, got %s" % (what, type(value).__name__))
    return value


def _method(peering):
    return peering.get("method") or "vpc_peer"


def _cidr_problem(value):
    try:
        ipaddress.ip_network(_text(value), strict=True)
    except ValueError as exc:
        return "%s (for example 192.168.0.0/16)" % exc
    return None


def vpc_peerings_problems(peerings, hosts):
    """Problems of the whole ``vpc_peerings`` list: its shape, names, and hosts the inventory lacks."""
    if peerings is None:
        return []
    if not isinstance(peerings, list):
        return ["vpc_peerings must be a list of peerings, not %s." % type(peerings).__name__]
    hosts = list(hosts or [])
    problems, seen = [], {}
    for index, peering in enumerate(peerings):
        where = "vpc_peerings[%d]" % index
        if not isinstance(peering, dict):
            problems.append("%s must be a dictionary with name, initiator and acceptor." % where)
            continue
        name = _text(peering.get("name"))
        if name:
            where = "vpc_peerings[%s]" % name
            if name in seen:
                problems.append("%s: the name is used twice (also vpc_peerings[%d]); each peering needs its own."
                                % (where, seen[name]))
            seen.setdefault(name, index)
        else:
            problems.append("%s: name is missing." % where)
        for side in SIDES:
            spec = peering.get(side)
            if not isinstance(spec, dict):
                problems.append("%s.%s is missing: give account, region, vpc and routes." % (where, side))
                continue
            account = _text(spec.get("account"))
            if account not in hosts:
                problems.append("%s.%s.account %s is not an inventory host (known: %s); the peering would never run."
                                % (where, side, account or "(missing)", ", ".join(hosts) or "none"))
    return problems


def _account(hostvars, host):
    """What a side's account host declares: ``{known, access_key, secret_key_set, uid, ...}`` (never printed)."""
    host = _text(host)
    if not host or host not in hostvars:
        return {"known": False}
    hv = hostvars[host]
    return {"known": True, "access_key": _text(hv.get("alicloud_access_key")),
            "secret_key_set": bool(_text(hv.get("alicloud_secret_key"))), "uid": _text(hv.get("alicloud_account_uid")),
            "security_token": _text(hv.get("alicloud_security_token")), "endpoint": _text(hv.get("alicloud_endpoint"))}


def vpc_peering_account(hostvars, host):
    """Module connection options for the account of inventory host ``host`` (its AccessKey pair, optional STS
    token and endpoint), for ``module_defaults`` or the ``accepter`` option. A secret: use it in no_log tasks or
    module options that are no_log."""
    account = _account(_mapping(hostvars, "hostvars"), host)
    if not account["known"]:
        raise AnsibleFilterError("vpc_peering_account: %s is not an inventory host" % _text(host))
    hv = hostvars[_text(host)]
    out = {"alicloud_access_key": account["access_key"], "alicloud_secret_key": _text(hv.get("alicloud_secret_key"))}
    for option in ("security_token", "endpoint"):
        if account[option]:
            out["alicloud_" + option] = account[option]
    return out


def vpc_peering_problems(peering, hostvars):
    """Problems of one peering that need no cloud call (an empty list when there are none).

    ``hostvars``: the inventory's hostvars; each side's ``account`` names the host whose vars hold that
    account's credentials and UID (read here, never printed).
    """
    peering = _mapping(peering, "vpc_peering")
    hostvars = hostvars if hostvars is not None else {}
    accounts = dict((side, _account(hostvars, (peering.get(side) or {}).get("account"))) for side in SIDES)
    method = _method(peering)
    name = _text(peering.get("name"))
    problems = []
    if not NAME.match(name):
        problems.append("vpc_peering.name %r must be 2-100 letters, digits, '.', '_' or '-', starting with a letter."
                        % name)
    if method not in METHODS:
        problems.append("vpc_peering.method %r must be vpc_peer (a VPC peering connection, for new peerings) or "
                        "router_interface (Express Connect router interfaces)." % method)
    else:
        other = METHODS[1 - METHODS.index(method)]
        for option in METHOD_ONLY[other]:
            if peering.get(option) not in (None, "", {}):
                problems.append("vpc_peering.%s applies to method %s only; with method %s leave it out (%s)."
                                % (option, other, method, INSTEAD[other]))
    bandwidth = peering.get("bandwidth")
    if bandwidth not in (None, "") and (not _text(bandwidth).isdigit() or int(bandwidth) < 1):
        problems.append("vpc_peering.bandwidth must be a whole number of Mbit/s, at least 1 (not %s)." % bandwidth)
    for side in SIDES:
        spec = peering.get(side) or {}
        account = accounts.get(side) or {}
        host = _text(spec.get("account"))
        if not account.get("known"):
            problems.append("vpc_peering.%s.account %s is not an inventory host: name the host whose hostvars hold "
                            "that account's credentials." % (side, host or "(missing)"))
            continue
        if not _text(account.get("access_key")) or not account.get("secret_key_set"):
            problems.append("vpc_peering.%s.account %s: its hostvars need alicloud_access_key and alicloud_secret_key "
                            "(that account's AccessKey pair, from a vault)." % (side, host))
        uid = _text(account.get("uid"))
        if uid and not UID.match(uid):
            problems.append("vpc_peering.%s.account %s: alicloud_account_uid %r must be the account ID (digits)."
                            % (side, host, uid))
        elif not uid and method == "router_interface":
            problems.append("vpc_peering.%s.account %s: its hostvars need alicloud_account_uid (the account ID, "
                            "digits): each router interface names the other side's owner." % (side, host))
        for route in spec.get("routes") or []:
            problem = _cidr_problem(route)
            if problem:
                problems.append("vpc_peering.%s.routes: %r is not a CIDR block: %s." % (side, route, problem))
    init, acc = accounts.get("initiator") or {}, accounts.get("acceptor") or {}
    init_host, acc_host = _text((peering.get("initiator") or {}).get("account")), \
        _text((peering.get("acceptor") or {}).get("account"))
    if init.get("known") and acc.get("known") and init_host != acc_host and _text(init.get("access_key")) and \
            _text(init.get("access_key")) == _text(acc.get("access_key")):
        problems.append("vpc_peering.acceptor.account %s has the same AccessKey as vpc_peering.initiator.account %s, "
                        "so the acceptor's steps would run in the initiator's account, and a request accepted by the "
                        "account that made it is refused by the cloud. Give %s the AccessKey pair of the account that "
                        "owns %s; for a peering inside one account name the same host on both sides."
                        % (acc_host, init_host, acc_host, _text((peering.get("acceptor") or {}).get("vpc"))))
    return problems


def vpc_peering_lookup(vpc):
    """``alicloud_vpc_info`` options for a VPC given by ID (``vpc-...``) or by name."""
    value = _text(vpc)
    if not value:
        raise AnsibleFilterError("vpc_peering_lookup: the VPC (an ID vpc-... or a name) is empty")
    if value.startswith("vpc-"):
        return {"vpc_ids": [value], "names": []}
    return {"vpc_ids": [], "names": [value]}


def _vpc_cidrs(vpc):
    """IPv4 blocks of an alicloud_vpc_info item: the primary block and the secondary ones."""
    secondary = vpc.get("secondary_cidr_blocks") or {}
    if isinstance(secondary, dict):
        secondary = secondary.get("secondary_cidr_block") or []
    return [b for b in [vpc.get("cidr_block")] + list(secondary) if b]


def _vpc_label(vpc, cidr):
    """``name (vpc-..., cidr)``, or ``vpc-... (cidr)`` for a VPC without a name."""
    name, vpc_id = _text(vpc.get("vpc_name")), _text(vpc.get("vpc_id"))
    return "%s (%s, %s)" % (name, vpc_id, cidr) if name else "%s (%s)" % (vpc_id, cidr)


def vpc_peering_vpc_problems(peering, found, hostvars=None):
    """Problems once both VPCs are read: missing or ambiguous VPCs, owners, overlapping CIDR blocks.

    ``found``: ``{initiator|acceptor: [alicloud_vpc_info vpcs items]}``, each side read with its own
    account's credentials; ``hostvars`` gives each side's declared ``alicloud_account_uid``.
    """
    peering = _mapping(peering, "vpc_peering")
    found = _mapping(found or {}, "found")
    hostvars = hostvars if hostvars is not None else {}
    accounts = dict((side, _account(hostvars, (peering.get(side) or {}).get("account"))) for side in SIDES)
    problems, vpcs = [], {}
    for side in SIDES:
        spec = peering.get(side) or {}
        matches = found.get(side) or []
        where = "vpc_peering.%s.vpc %s" % (side, _text(spec.get("vpc")))
        if not matches:
            problems.append("%s was not found in %s with the credentials of %s: check vpc and region, and that "
                            "%s.account names the inventory host of the account that owns this VPC."
                            % (where, _text(spec.get("region")), _text(spec.get("account")), side))
            continue
        if len(matches) > 1:
            problems.append("%s matched %d VPCs in %s (%s): give the VPC ID instead of the name."
                            % (where, len(matches), _text(spec.get("region")),
                               ", ".join(_text(v.get("vpc_id")) for v in matches)))
            continue
        vpc = vpcs[side] = matches[0]
        declared = _text((accounts.get(side) or {}).get("uid"))
        owner = _text(vpc.get("owner_id"))
        if declared and owner and declared != owner:
            problems.append("%s belongs to account %s, but the hostvars of %s declare alicloud_account_uid %s: set "
                            "alicloud_account_uid to %s or give %s that account's credentials."
                            % (where, owner, _text(spec.get("account")), declared, owner, _text(spec.get("account"))))
        own = _vpc_cidrs(vpc)
        for route in spec.get("routes") or []:
            clash = _cidr_problem(route) is None and overlapping([_text(route)], own)
            if clash:
                problems.append("vpc_peering.%s.routes: %s overlaps the side's own VPC %s; a side routes the other "
                                "side's CIDR blocks into the peering." % (side, clash[0], _vpc_label(vpc, clash[1])))
    if len(vpcs) == 2 and _method(peering) == "vpc_peer":
        init, acc = vpcs["initiator"], vpcs["acceptor"]
        clash = overlapping(_vpc_cidrs(init), _vpc_cidrs(acc))
        if clash:
            problems.append("vpc_peering %s: %s and %s have overlapping CIDR blocks; a VPC peering connection "
                            "joins VPCs whose CIDR blocks do not overlap (VPC peering connections overview). Peer a "
                            "VPC with another address range, or re-address one of them."
                            % (_text(peering.get("name")), _vpc_label(init, clash[0]), _vpc_label(acc, clash[1])))
        same_region = _text((peering.get("initiator") or {}).get("region")) == \
            _text((peering.get("acceptor") or {}).get("region"))
        for option in ("bandwidth", "link_type"):
            if same_region and peering.get(option) not in (None, ""):
                problems.append("vpc_peering.%s applies to an inter-region connection only; both VPCs are in %s. "
                                "Leave it out." % (option, _text(peering["initiator"].get("region"))))
    return problems


def _route_tables(vpc):
    tables = list(vpc.get("route_table_ids") or [])
    if not tables and vpc.get("route_table_id"):
        tables = [vpc["route_table_id"]]
    return tables


def vpc_peering_routes(destinations, vpc, next_hop_type, next_hop_id):
    """``alicloud_route_entry`` items: each destination in every route table of ``vpc``, via the next hop."""
    vpc = _mapping(vpc, "vpc_peering_routes: the VPC")
    if isinstance(destinations, str) or not isinstance(destinations, list):
        raise AnsibleFilterError("vpc_peering_routes: the destinations must be a list of CIDR blocks")
    tables = _route_tables(vpc)
    if destinations and not tables:
        raise AnsibleFilterError("vpc_peering_routes: VPC %s has no route table" % _text(vpc.get("vpc_id")))
    return [{"route_table_id": table, "region": vpc.get("region_id"), "destination_cidr_block": _text(cidr),
             "next_hop_type": next_hop_type, "next_hop_id": next_hop_id}
            for table in tables for cidr in destinations]


def vpc_peering_routes_via(vpc, next_hop_type, next_hop_id):
    """The custom entries of ``vpc`` (read with include_routes) whose next hop is this peering, as
    ``alicloud_route_entry`` items for ``state=absent``."""
    vpc = _mapping(vpc, "vpc_peering_routes_via: the VPC")
    if not next_hop_id:
        return []
    out = []
    for entry in vpc.get("route_entries") or []:
        hops = (entry.get("next_hops") or {}).get("next_hop") or []
        if entry.get("type") not in (None, "Custom"):
            continue
        if any(h.get("next_hop_type") == next_hop_type and h.get("next_hop_id") == next_hop_id for h in hops):
            item = {"route_table_id": entry.get("route_table_id"), "region": vpc.get("region_id"),
                    "destination_cidr_block": entry.get("destination_cidr_block")}
            if item not in out:
                out.append(item)
    return out


def vpc_peering_connection(connections, vpc_id, other_vpc_id):
    """The connection (alicloud_vpc_peer_connection_info item) between two VPCs, in either direction, or ``{}``;
    an Activated one first, then one still live, then a rejected or expired request."""
    if not isinstance(connections, list):
        raise AnsibleFilterError("vpc_peering_connection: the connections must be a list")
    wanted = set([vpc_id, other_vpc_id])
    found = [c for c in connections
             if isinstance(c, Mapping) and set([c.get("vpc_id"), c.get("accepting_vpc_id")]) == wanted]
    found.sort(key=lambda c: (c.get("status") != ACTIVE, c.get("status") not in LIVE, c.get("status") not in DEAD_ENDS))
    return found[0] if found else {}


class FilterModule(object):
    """multicloud.transit VPC peering filters."""

    def filters(self):
        return {
            "vpc_peerings_problems": vpc_peerings_problems,
            "vpc_peering_problems": vpc_peering_problems,
            "vpc_peering_account": vpc_peering_account,
            "vpc_peering_lookup": vpc_peering_lookup,
            "vpc_peering_vpc_problems": vpc_peering_vpc_problems,
            "vpc_peering_routes": vpc_peering_routes,
            "vpc_peering_routes_via": vpc_peering_routes_via,
            "vpc_peering_connection": vpc_peering_connection,
        }
