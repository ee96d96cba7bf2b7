#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: alicloud_transit_router_route_table
short_description: Manage Alibaba Cloud transit router route tables, associations, route learning and static routes
version_added: 0.2.0
description:
  - Reconciles route tables of Enterprise Edition transit routers in one call, for routers in any region, each
    router's system (default) table or custom tables found by name (created when missing).
  - For each table, its associations (associated forwarding, the table a connection forwards by; one per
    connection and router, so an association listed here moves the connection from the table it had),
    its propagations (route learning, the connections whose routes the table learns) and its static routes
    (toward a connection of the router, or blackhole).
  - Only what is listed is managed; the C(purge_*) options remove the associations, propagations and static routes
    a listed table has beyond its list. Learned routes are the cloud's own and are only returned.
  - Validates every table, connection and next hop before any change; waits until associations, route learning,
    routes and new tables are C(Active) and removed ones are gone.
author:
  - Multicloud Transit Maintainers (@multicloud-transit)
options:
  route_tables:
    description: The route tables.
    type: list
    elements: dict
    required: true
    suboptions:
      transit_router_id:
        description: The transit router (see M(multicloud.transit.alicloud_transit_router)).
        type: str
        required: true
      system:
        description: The router's system (default) table. Give this or O(route_tables[].name).
        type: bool
        default: false
      name:
        description:
          - Name of a custom route table of the router, created when missing (1 to 128 characters, not starting with
            C(http://) or C(https://)).
        type: str
      description:
        description: Description of a custom table.
        type: str
      tags:
        description: Tags given to a custom table when it is created.
        type: dict
      associations:
        description:
          - Connections (transit router attachment IDs of VPC, VPN or inter-region connections) that forward by
            this table.
          - A connection associated with another table of the router is moved here.
          - Not given, associations are not managed.
        type: list
        elements: str
      propagations:
        description:
          - Connections whose routes this table learns (route learning). Not given, propagations are not managed.
        type: list
        elements: str
      routes:
        description: Static routes of the table. Not given, static routes are not managed.
        type: list
        elements: dict
        suboptions:
          destination_cidr_block:
            description: Destination CIDR block; one static route per destination and table.
            type: str
            required: true
          next_hop:
            description: ID of a connection (transit router attachment) of this router to send the traffic to.
            type: str
          blackhole:
            description: Drop the traffic instead (no O(route_tables[].routes[].next_hop)).
            type: bool
            default: false
          name:
            description: Name of the route.
            type: str
          description:
            description: Description of the route.
            type: str
  purge_associations:
    description: Dissociate connections a listed table forwards for beyond its O(route_tables[].associations).
    type: bool
    default: false
  purge_propagations:
    description: Stop route learning from connections beyond a listed table's O(route_tables[].propagations).
    type: bool
    default: false
  purge_routes:
    description: Delete static routes a listed table has beyond its O(route_tables[].routes).
    type: bool
    default: false
  state:
    description:
      - C(present) reconciles the tables. C(absent) deletes the listed custom tables, with their associations,
        route learning and static routes first; a system table goes only with its router.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description: Wait until changes are C(Active), or gone after a removal.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 600
notes:
  - To route between regions, associate the inter-region connection with a table at each end and enable route
    learning from it there; each router learns the routes of the table the other associates with the connection.
extends_documentation_fragment:
  - multicloud.transit.alicloud
"""

EXAMPLES = r"""
- name: Both system tables forward and learn for the VPCs and the inter-region connection
  multicloud.transit.alicloud_transit_router_route_table:
    alicloud_region: ap-northeast-1
    route_tables:
      - transit_router_id: "{{ tokyo_tr_id }}"
        system: true
        associations: ["{{ tokyo_vpc_attachment_id }}", "{{ peer_attachment_id }}"]
        propagations: ["{{ tokyo_vpc_attachment_id }}", "{{ peer_attachment_id }}"]
      - transit_router_id: "{{ beijing_tr_id }}"
        system: true
        associations: ["{{ beijing_vpc_attachment_id }}", "{{ peer_attachment_id }}"]
        propagations: ["{{ beijing_vpc_attachment_id }}", "{{ peer_attachment_id }}"]

- name: Static routes toward the VPN, and a blackhole
  multicloud.transit.alicloud_transit_router_route_table:
    alicloud_region: ap-northeast-1
    route_tables:
      - transit_router_id: "{{ tokyo_tr_id }}"
        system: true
        routes:
          - {destination_cidr_block: 172.16.0.0/12, next_hop: "{{ vpn_attachment_id }}", name: to-aws}
          - {destination_cidr_block: 10.99.0.0/16, blackhole: true}
    purge_routes: true

- name: A custom table for the VPN connection
  multicloud.transit.alicloud_transit_router_route_table:
    alicloud_region: ap-northeast-1
    route_tables:
      - transit_router_id: "{{ tokyo_tr_id }}"
        name: vpn-table
        associations: ["{{ vpn_attachment_id }}"]
        propagations: ["{{ tokyo_vpc_attachment_id }}"]
"""

RETURN = r"""
route_tables:
  description:
    - The tables O(route_tables) lists, after the run, in its order (none with O(state=absent)).
    - In check mode a table still to be created has a null C(transit_router_route_table_id).
  returned: always
  type: list
  elements: dict
  contains:
    transit_router_route_table_id:
      description: Route table ID.
      type: str
      sample: vtb-6ehgc262hr170qgyc****
    transit_router_id:
      description: Its router.
      type: str
      sample: tr-6wehrmv6uihhwszrk8nm3
    region_id:
      description: Region of the router.
      type: str
      sample: ap-northeast-1
    type:
      description: System or Custom.
      type: str
      sample: System
    status:
      description: Creating, Active or Deleting.
      type: str
      sample: Active
    name:
      description: Its name.
      type: str
      sample: vpn-table
    description:
      description: Its description.
      type: str
      sample: ""
    tags:
      description: Its tags.
      type: dict
      sample: {}
    associations:
      description: Connections that forward by this table.
      type: list
      elements: str
      sample: ["tr-attach-nls9fzkfat8934****"]
    propagations:
      description: Connections whose routes the table learns.
      type: list
      elements: str
      sample: ["tr-attach-nls9fzkfat8934****"]
    routes:
      description:
        - The routes the table holds, static and learned (C(type) C(Static) or C(Propagated)), by destination. In
          check mode the learned routes are the ones before the run.
      type: list
      elements: dict
      sample: [{"destination_cidr_block": "192.168.0.0/24", "type": "Propagated", "status": "Active",
                "next_hop": "tr-attach-r6g0m3epjehw57****", "next_hop_type": "Attachment", "blackhole": false,
                "next_hop_resource_type": "TR", "next_hop_resource_id": "tr-2ze4i71c6be454e2l****",
                "transit_router_route_entry_id": null, "name": "", "description": ""}]
"""

import ipaddress

from ansible_collections.multicloud.transit.plugins.module_utils.alicloud import AlicloudModule, tags_param
from ansible_collections.multicloud.transit.plugins.module_utils.transit_router import (
    describe_route_table,
    finish,
    get_transit_router,
    lifecycle_options,
    list_attachments,
    live,
    route_table_view,
    route_tables,
    table_associations,
    table_propagations,
    table_routes,
    wait_for,
)

TABLE_STATUS = "TransitRouterRouteTableStatus"
ENTRY_ID = "TransitRouterRouteEntryId"
ENTRY_STATUS = "TransitRouterRouteEntryStatus"
DEST = "TransitRouterRouteEntryDestinationCidrBlock"
BLACKHOLE = "BlackHole"


def table_label(item):
    return "%s/%s" % (item["transit_router_id"], "system" if item["system"] else item["name"])


def validate(mod):
    p = mod.params
    seen = {}
    for i, item in enumerate(p["route_tables"]):
        field = "route_tables[%d]" % i
        if item["system"] == bool(item.get("name")):
            mod.fail("%s needs either system=true (the router's system table) or the name of a custom table." % field)
        if item["system"] and p["state"] == "absent":
            mod.fail("%s: the system route table goes only with its transit router (alicloud_transit_router "
                     "state=absent); to empty it, give empty lists with purge_associations, purge_propagations and "
                     "purge_routes." % field)
        if item["system"] and (item.get("description") is not None or item.get("tags")):
            mod.fail("%s: description and tags are for custom tables; the system table keeps its own." % field)
        label = table_label(item)
        if label in seen:
            mod.fail("%s is the same table as route_tables[%d] (%s)." % (field, seen[label], label))
        seen[label] = i
        for key in ("associations", "propagations"):
            for j, att in enumerate(item.get(key) or []):
                if not att.startswith("tr-attach-"):
                    mod.fail("%s.%s[%d] %r is not a transit router connection ID (tr-attach-...)."
                             % (field, key, j, att))
        dests = {}
        for j, route in enumerate(item.get("routes") or []):
            where = "%s.routes[%d]" % (field, j)
            try:
                dest = str(ipaddress.ip_network(route["destination_cidr_block"], strict=True))
            except ValueError as exc:
                mod.fail("%s.destination_cidr_block %r is not a CIDR block (%s)."
                         % (where, route["destination_cidr_block"], exc))
            if route["blackhole"] and route.get("next_hop"):
                mod.fail("%s (%s): a blackhole route drops the traffic and takes no next_hop; give one of them." % (
                    where, dest))
            if not route["blackhole"] and not route.get("next_hop"):
                mod.fail("%s (%s) needs next_hop (a connection ID of the router) or blackhole=true." % (where, dest))
            if dest in dests:
                mod.fail("%s: destination %s is already listed in routes[%d]; one static route per destination."
                         % (where, dest, dests[dest]))
            dests[dest] = j
    owners = {}
    for i, item in enumerate(p["route_tables"]):
        for att in item.get("associations") or []:
            key = (item["transit_router_id"], att)
            if key in owners:
                mod.fail("route_tables[%d].associations: connection %s is also listed in route_tables[%d]; a "
                         "connection forwards by one route table of a router." % (i, att, owners[key]))
            owners[key] = i


def desired_routes(item):
    """{destination: (next hop type, next hop id, name, description)} of an item's routes."""
    out = {}
    for route in item.get("routes") or []:
        dest = str(ipaddress.ip_network(route["destination_cidr_block"]))
        hop = (BLACKHOLE, None) if route["blackhole"] else ("Attachment", route["next_hop"])
        out[dest] = hop + (route.get("name"), route.get("description"))
    return out


class Table:
    """What the module knows of one listed table: the table, its bindings and static routes, and the plan."""

    def __init__(self, field, item, tr):
        self.field, self.item, self.tr = field, item, tr
        self.region = tr["RegionId"]
        self.table = None
        self.associations, self.propagations, self.statics, self.entries = set(), set(), {}, []
        self.moved_away = set()  # connections another listed table of the router takes over
        self.plan = {"dissociate": [], "move_from": [], "associate": [], "disable": [], "enable": [],
                     "delete_routes": [], "create_routes": [], "update_routes": [], "update_table": {}}

    @property
    def table_id(self):
        return self.table.get("TransitRouterRouteTableId") if self.table else None

    def changed(self):
        return self.table is None or any(self.plan.values())

    def diff_view(self, associations=None, propagations=None, statics=None):
        statics = self.statics if statics is None else statics
        return {"transit_router_route_table_id": self.table_id,
                "associations": sorted(self.associations if associations is None else associations),
                "propagations": sorted(self.propagations if propagations is None else propagations),
                "routes": dict((d, "blackhole" if s[0] == BLACKHOLE else s[1]) for d, s in statics.items())}


class RouteTables:
    def __init__(self, mod):
        self.mod = mod
        self.p = mod.params
        self.changed = False
        self.routers = {}
        self.connections = {}  # router id -> {attachment id: attachment}
        self.tables_of = {}  # router id -> its live tables

    # --- reads -----------------------------------------------------------------------------------
    def router(self, field, tr_id):
        """The router (None with state=absent when it is gone: its tables went with it)."""
        if tr_id not in self.routers:
            tr = get_transit_router(self.mod, tr_id)
            if tr is None and self.p["state"] == "absent":
                return None
            if tr is None:
                self.mod.fail("%s.transit_router_id: transit router %s was not found in this account; create it with "
                              "multicloud.transit.alicloud_transit_router first." % (field, tr_id))
            self.routers[tr_id] = tr
            atts = list_attachments(self.mod, "vpc", tr["RegionId"], TransitRouterId=tr_id) + list_attachments(
                self.mod, "vpn", tr["RegionId"], TransitRouterId=tr_id) + [
                a for a in list_attachments(self.mod, "peer", CenId=tr["CenId"])
                if tr_id in (a.get("TransitRouterId"), a.get("PeerTransitRouterId"))]
            self.connections[tr_id] = dict((a["TransitRouterAttachmentId"], a) for a in live(atts))
            self.tables_of[tr_id] = live(route_tables(self.mod, tr), TABLE_STATUS)
        return self.routers[tr_id]

    def find_table(self, entry):
        tables = self.tables_of[entry.tr["TransitRouterId"]]
        if entry.item["system"]:
            return next(t for t in tables if t.get("TransitRouterRouteTableType") == "System")
        named = [t for t in tables if t.get("TransitRouterRouteTableType") != "System"
                 and t.get("TransitRouterRouteTableName") == entry.item["name"]]
        if len(named) > 1:
            self.mod.fail("%s.name: transit router %s has several route tables named %s (%s); rename all but one."
                          % (entry.field, entry.tr["TransitRouterId"], entry.item["name"],
                             ", ".join(t["TransitRouterRouteTableId"] for t in named)))
        return named[0] if named else None

    def load(self, entry):
        entry.table = self.find_table(entry)
        if entry.table is None:
            return
        table_id = entry.table_id
        entry.associations = set(a["TransitRouterAttachmentId"]
                                 for a in live(table_associations(self.mod, entry.region, table_id)))
        entry.propagations = set(a["TransitRouterAttachmentId"]
                                 for a in live(table_propagations(self.mod, entry.region, table_id)))
        entry.entries = [e for e in table_routes(self.mod, entry.region, table_id, status="All")
                         if e.get(ENTRY_STATUS) != "Deleting"]
        entry.statics = dict((e[DEST], (e.get("TransitRouterRouteEntryNextHopType"),
                                        e.get("TransitRouterRouteEntryNextHopId") or None,
                                        e.get("TransitRouterRouteEntryName") or "",
                                        e.get("TransitRouterRouteEntryDescription") or "", e.get(ENTRY_ID)))
                             for e in entry.entries if e.get("TransitRouterRouteEntryType") == "Static")

    def association_elsewhere(self, entry, att_id):
        """The other table of the router the connection forwards by, if any."""
        for table in self.tables_of[entry.tr["TransitRouterId"]]:
            if table.get("TransitRouterRouteTableId") == entry.table_id:
                continue
            found = live(table_associations(self.mod, entry.region, table["TransitRouterRouteTableId"], att_id))
            if found:
                return table["TransitRouterRouteTableId"]
        return None

    # --- planning --------------------------------------------------------------------------------
    def check_connection(self, entry, where, att_id):
        conns = self.connections[entry.tr["TransitRouterId"]]
        if att_id not in conns:
            self.mod.fail("%s %s is not a connection of transit router %s (%s); its connections: %s. Connect it first "
                          "(alicloud_transit_router_vpc_attachment / _peer_attachment, alicloud_vpn_attachment)." % (
                              where, att_id, entry.tr["TransitRouterId"], entry.region,
                              ", ".join(sorted(conns)) or "none"))

    def plan(self, entry):
        item, plan, p = entry.item, entry.plan, self.p
        for key in ("associations", "propagations"):
            for j, att_id in enumerate(item.get(key) or []):
                self.check_connection(entry, "%s.%s[%d]" % (entry.field, key, j), att_id)
        for j, route in enumerate(item.get("routes") or []):
            if route.get("next_hop"):
                self.check_connection(entry, "%s.routes[%d].next_hop" % (entry.field, j), route["next_hop"])
        if item.get("associations") is not None:
            want = set(item["associations"])
            for att_id in sorted(want - entry.associations):
                other = self.association_elsewhere(entry, att_id)
                if other:
                    plan["move_from"].append((att_id, other))
                plan["associate"].append(att_id)
            if p["purge_associations"]:
                plan["dissociate"] = sorted(entry.associations - want)
        if item.get("propagations") is not None:
            want = set(item["propagations"])
            plan["enable"] = sorted(want - entry.propagations)
            if p["purge_propagations"]:
                plan["disable"] = sorted(entry.propagations - want)
        if item.get("routes") is not None:
            want = desired_routes(item)
            for dest, (hop_type, hop_id, name, description) in sorted(want.items()):
                have = entry.statics.get(dest)
                if have is None or have[:2] != (hop_type, hop_id):
                    if have is not None:
                        plan["delete_routes"].append(dest)
                    plan["create_routes"].append(dest)
                elif (name is not None and name != have[2]) or (description is not None and description != have[3]):
                    plan["update_routes"].append(dest)
            if p["purge_routes"]:
                plan["delete_routes"].extend(sorted(d for d in entry.statics if d not in want))
        if entry.table is not None and not item["system"] and item.get("description") is not None \
                and item["description"] != (entry.table.get("TransitRouterRouteTableDescription") or ""):
            plan["update_table"] = {"TransitRouterRouteTableDescription": item["description"]}

    def planned(self, entry):
        """(associations, propagations, statics) once the plan has run."""
        plan = entry.plan
        associations = (entry.associations - set(plan["dissociate"]) - entry.moved_away) | set(plan["associate"])
        propagations = (entry.propagations - set(plan["disable"])) | set(plan["enable"])
        statics = dict((d, s) for d, s in entry.statics.items() if d not in plan["delete_routes"])
        want = desired_routes(entry.item)
        for dest in plan["create_routes"] + plan["update_routes"]:
            hop_type, hop_id, name, description = want[dest]
            old = entry.statics.get(dest) or (None, None, "", "", None)
            statics[dest] = (hop_type, hop_id, old[2] if name is None else name,
                             old[3] if description is None else description, None)
        return associations, propagations, statics

    # --- changes ---------------------------------------------------------------------------------
    def binding_call(self, action, entry, att_id, table_id=None):
        params = {"TransitRouterAttachmentId": att_id, "TransitRouterRouteTableId": table_id or entry.table_id}
        if action.startswith(("Associate", "Enable")):  # creates a relation: one ClientToken across retries
            self.mod.create("cbn", action, params, region=entry.region)
        else:
            self.mod.call("cbn", action, params, region=entry.region)

    def wait_bindings(self, entry, table_id, kind, ids, gone=False):
        lister = table_associations if kind == "associations" else table_propagations
        wait_for(self.mod, lambda: lister(self.mod, entry.region, table_id), ids,
                 "%s of route table %s:" % (kind, table_id), ready=("Active",), gone=gone)

    def wait_routes(self, entry, ids, gone=False):
        wait_for(self.mod, lambda: table_routes(self.mod, entry.region, entry.table_id, static_only=True, status="All"),
                 ids, "static routes of %s:" % entry.table_id, ready=("Active",), gone=gone, id_key=ENTRY_ID,
                 status_key=ENTRY_STATUS)

    def create_table(self, entry):
        item = entry.item
        params = {"TransitRouterId": entry.tr["TransitRouterId"], "TransitRouterRouteTableName": item["name"],
                  "TransitRouterRouteTableDescription": item.get("description")}
        if item.get("tags"):
            params["Tag"] = tags_param(item["tags"])
        table_id = self.mod.create("cbn", "CreateTransitRouterRouteTable", params,
                                   region=entry.region)["TransitRouterRouteTableId"]

        # waits even with wait=false: nothing can be bound to a table that is not Active yet
        def fetch():
            return route_tables(self.mod, entry.tr)

        self.mod.wait(fetch, lambda tables: any(t.get("TransitRouterRouteTableId") == table_id
                                                and t.get(TABLE_STATUS) == "Active" for t in tables),
                      "route table %s" % table_id, "Active")
        entry.table = {"TransitRouterRouteTableId": table_id}

    def removals(self, entry):
        """Dissociations, disabled learning and deleted routes: what must be gone before the additions."""
        plan = entry.plan
        for att_id in plan["dissociate"]:
            self.binding_call("DissociateTransitRouterAttachmentFromRouteTable", entry, att_id)
        for att_id, other in plan["move_from"]:
            self.binding_call("DissociateTransitRouterAttachmentFromRouteTable", entry, att_id, other)
        for att_id in plan["disable"]:
            self.binding_call("DisableTransitRouterRouteTablePropagation", entry, att_id)
        route_ids = [entry.statics[d][4] for d in plan["delete_routes"]]
        for route_id in route_ids:
            self.mod.call("cbn", "DeleteTransitRouterRouteEntry", {"TransitRouterRouteEntryId": route_id},
                          region=entry.region, ignore_codes=("InvalidTransitRouterRouteEntryId.NotFound",))
        # an association moves only once the old one is gone; a route is replaced once the old one is gone
        for att_id, other in plan["move_from"]:
            self.wait_bindings(entry, other, "associations", [att_id], gone=True)
        if route_ids:
            self.wait_routes(entry, route_ids, gone=True)
        if not self.p["wait"]:
            return
        self.wait_bindings(entry, entry.table_id, "associations", plan["dissociate"], gone=True)
        self.wait_bindings(entry, entry.table_id, "propagations", plan["disable"], gone=True)

    def additions(self, entry):
        plan, want = entry.plan, desired_routes(entry.item)
        for att_id in plan["associate"]:
            self.binding_call("AssociateTransitRouterAttachmentWithRouteTable", entry, att_id)
        for att_id in plan["enable"]:
            self.binding_call("EnableTransitRouterRouteTablePropagation", entry, att_id)
        created = []
        for dest in plan["create_routes"]:
            hop_type, hop_id, name, description = want[dest]
            created.append(self.mod.create("cbn", "CreateTransitRouterRouteEntry", {
                "TransitRouterRouteTableId": entry.table_id, "TransitRouterRouteEntryDestinationCidrBlock": dest,
                "TransitRouterRouteEntryNextHopType": hop_type, "TransitRouterRouteEntryNextHopId": hop_id,
                "TransitRouterRouteEntryName": name, "TransitRouterRouteEntryDescription": description},
                region=entry.region).get(ENTRY_ID))
        for dest in plan["update_routes"]:
            dummy, dummy_id, name, description = want[dest]
            self.mod.call("cbn", "UpdateTransitRouterRouteEntry", {
                ENTRY_ID: entry.statics[dest][4], "TransitRouterRouteEntryName": name,
                "TransitRouterRouteEntryDescription": description}, region=entry.region)
        if plan["update_table"]:
            self.mod.call("cbn", "UpdateTransitRouterRouteTable",
                          dict(plan["update_table"], TransitRouterRouteTableId=entry.table_id), region=entry.region)
        self.wait_bindings(entry, entry.table_id, "associations", plan["associate"])
        self.wait_bindings(entry, entry.table_id, "propagations", plan["enable"])
        self.wait_routes(entry, created)

    def delete_table(self, entry):
        """state=absent: everything bound to a custom table, then the table."""
        region, table_id = entry.region, entry.table_id
        for att_id in sorted(entry.associations):
            self.binding_call("DissociateTransitRouterAttachmentFromRouteTable", entry, att_id)
        for att_id in sorted(entry.propagations):
            self.binding_call("DisableTransitRouterRouteTablePropagation", entry, att_id)
        route_ids = [s[4] for s in entry.statics.values()]
        for route_id in route_ids:
            self.mod.call("cbn", "DeleteTransitRouterRouteEntry", {"TransitRouterRouteEntryId": route_id},
                          region=region, ignore_codes=("InvalidTransitRouterRouteEntryId.NotFound",))
        # the table can go only once nothing is bound to it: these waits do not depend on wait
        wait_for(self.mod, lambda: table_associations(self.mod, region, table_id), sorted(entry.associations),
                 "associations of %s:" % table_id, gone=True)
        wait_for(self.mod, lambda: table_propagations(self.mod, region, table_id), sorted(entry.propagations),
                 "propagations of %s:" % table_id, gone=True)
        self.wait_routes(entry, route_ids, gone=True)
        self.mod.call("cbn", "DeleteTransitRouterRouteTable", {"TransitRouterRouteTableId": table_id}, region=region,
                      ignore_codes=("InvalidTransitRouterRouteTableId.NotFound",))
        wait_for(self.mod, lambda: route_tables(self.mod, entry.tr), [table_id], "route table", gone=True,
                 id_key="TransitRouterRouteTableId", status_key=TABLE_STATUS)

    # --- the run -----------------------------------------------------------------------------------
    def run(self):
        entries = []
        for i, item in enumerate(self.p["route_tables"]):
            field = "route_tables[%d]" % i
            tr = self.router(field, item["transit_router_id"])
            if tr is None:
                continue
            entry = Table(field, item, tr)
            self.load(entry)
            entries.append(entry)
        before = dict((table_label(e.item), e.diff_view()) for e in entries if e.table is not None)
        if self.p["state"] == "absent":
            doomed = [e for e in entries if e.table is not None]
            self.changed = bool(doomed)
            if not self.mod.check_mode:
                for entry in doomed:
                    self.delete_table(entry)
            return before, {}, []
        for entry in entries:
            self.plan(entry)
        moves = set((att_id, other) for e in entries for att_id, other in e.plan["move_from"])
        for entry in entries:  # a connection another listed table takes over is dissociated once, by the move
            entry.moved_away = set(att_id for att_id, other in moves if other == entry.table_id)
            entry.plan["dissociate"] = [a for a in entry.plan["dissociate"] if a not in entry.moved_away]
        self.changed = any(e.changed() for e in entries)
        after = dict((table_label(e.item), e.diff_view(*self.planned(e))) for e in entries)
        if self.mod.check_mode:
            return before, after, [self.planned_view(e) for e in entries]
        for entry in entries:
            if entry.table is None:
                self.create_table(entry)
        for entry in entries:
            self.removals(entry)
        for entry in entries:
            self.additions(entry)
        if self.changed:
            for entry in entries:
                self.tables_of[entry.tr["TransitRouterId"]] = live(route_tables(self.mod, entry.tr), TABLE_STATUS)
        views = []
        for entry in entries:
            table = next(t for t in self.tables_of[entry.tr["TransitRouterId"]]
                         if t["TransitRouterRouteTableId"] == entry.table_id)
            views.append(describe_route_table(self.mod, table))
        return before, after, views

    def planned_view(self, entry):
        associations, propagations, statics = self.planned(entry)
        table = entry.table or {"TransitRouterRouteTableId": None, "TransitRouterId": entry.tr["TransitRouterId"],
                                "RegionId": entry.region, "TransitRouterRouteTableType": "Custom",
                                "TransitRouterRouteTableStatus": "Active",
                                "TransitRouterRouteTableName": entry.item["name"],
                                "TransitRouterRouteTableDescription": entry.item.get("description") or "",
                                "Tags": tags_param(entry.item.get("tags"))}
        if entry.table is not None and entry.plan["update_table"]:
            table = dict(table, **entry.plan["update_table"])
        learned = [e for e in entry.entries if e.get("TransitRouterRouteEntryType") != "Static"]
        statics_as_entries = [{DEST: dest, "TransitRouterRouteEntryType": "Static", ENTRY_STATUS: "Active",
                               "TransitRouterRouteEntryNextHopType": s[0], "TransitRouterRouteEntryNextHopId": s[1],
                               "TransitRouterRouteEntryName": s[2], "TransitRouterRouteEntryDescription": s[3],
                               ENTRY_ID: s[4]} for dest, s in statics.items()]
        view = route_table_view(table, [], [], learned + statics_as_entries)
        view.update(associations=sorted(associations), propagations=sorted(propagations))
        return view


def main():
    mod = AlicloudModule(
        argument_spec=lifecycle_options(
            route_tables=dict(type="list", elements="dict", required=True, options=dict(
                transit_router_id=dict(type="str", required=True),
                system=dict(type="bool", default=False),
                name=dict(type="str"),
                description=dict(type="str"),
                tags=dict(type="dict"),
                associations=dict(type="list", elements="str"),
                propagations=dict(type="list", elements="str"),
                routes=dict(type="list", elements="dict", options=dict(
                    destination_cidr_block=dict(type="str", required=True),
                    next_hop=dict(type="str"),
                    blackhole=dict(type="bool", default=False),
                    name=dict(type="str"),
                    description=dict(type="str"),
                )),
            )),
            purge_associations=dict(type="bool", default=False),
            purge_propagations=dict(type="bool", default=False),
            purge_routes=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    validate(mod)
    manager = RouteTables(mod)
    before, after, views = manager.run()
    finish(mod, manager.changed, before, after, route_tables=views)


if __name__ == "__main__":
    main()
