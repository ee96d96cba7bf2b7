# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Transit Gateway lookups and views shared by the aws_tgw* and aws_vpc_route modules.

Everything goes through ``AwsModule`` (retries, errors); nothing here imports boto3.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.multicloud.transit.plugins.module_utils.common import snake_dict, tags_to_dict

# Attachment / TGW states that no longer count as "there".
GONE_STATES = ("deleted", "deleting", "failed", "failing", "rejected")


def enable_value(flag):
    """True/False/None -> "enable"/"disable"/None (the API's option values)."""
    if flag is None:
        return None
    return "enable" if flag else "disable"


def find_tgw(mod, tgw_id=None, name=None):
    """The live TGW with this id, else the one whose Name tag is ``name``; None if absent.

    Several live TGWs with the same Name fail the module: it cannot know which one is meant.
    """
    if tgw_id:
        found = mod.paginate("describe_transit_gateways", "TransitGateways", TransitGatewayIds=[tgw_id])
    else:
        found = mod.paginate("describe_transit_gateways", "TransitGateways",
                             Filters=[{"Name": "tag:Name", "Values": [name]}])
    found = [t for t in found if t.get("State") not in GONE_STATES]
    if len(found) > 1:
        mod.fail("Several Transit Gateways are named %r: %s. Give transit_gateway_id to choose one."
                 % (name, ", ".join(t["TransitGatewayId"] for t in found)))
    return found[0] if found else None


def get_tgw(mod, tgw_id):
    """A TGW by id that must exist; fails naming the id otherwise."""
    tgw = find_tgw(mod, tgw_id=tgw_id) if tgw_id.startswith("tgw-") else find_tgw(mod, name=tgw_id)
    if tgw is None:
        mod.fail("Transit Gateway %s was not found in this account and region; create it first (aws_tgw)." % tgw_id)
    return tgw


def tgw_attachments(mod, tgw_id, live_only=True):
    items = mod.paginate("describe_transit_gateway_attachments", "TransitGatewayAttachments",
                         Filters=[{"Name": "transit-gateway-id", "Values": [tgw_id]}])
    if live_only:
        items = [a for a in items if a.get("State") not in GONE_STATES]
    return items


def attachment_view(att):
    """One attachment as returned by the modules (snake_case, tags as a dict)."""
    out = snake_dict(dict((k, v) for k, v in att.items() if k not in ("Tags", "CreationTime")))
    out["tags"] = tags_to_dict(att.get("Tags"))
    out["name"] = out["tags"].get("Name")
    if att.get("CreationTime") is not None:
        out["creation_time"] = str(att["CreationTime"])
    return out


def route_view(route):
    """A TGW route flattened: cidr, type, state and its (first) target attachment."""
    targets = route.get("TransitGatewayAttachments") or []
    first = targets[0] if targets else {}
    return {
        "destination_cidr_block": route.get("DestinationCidrBlock") or route.get("PrefixListId"),
        "type": route.get("Type"),
        "state": route.get("State"),
        "blackhole": route.get("State") == "blackhole",
        "attachment_id": first.get("TransitGatewayAttachmentId"),
        "resource_id": first.get("ResourceId"),
        "resource_type": first.get("ResourceType"),
        "attachments": [snake_dict(t) for t in targets],
    }


def search_routes(mod, table_id):
    """Every active and blackhole route (static and propagated) of a TGW route table."""
    routes = mod.call("search_transit_gateway_routes", TransitGatewayRouteTableId=table_id,
                      Filters=[{"Name": "state", "Values": ["active", "blackhole"]}], MaxResults=1000)
    return [route_view(r) for r in routes.get("Routes", [])]


def table_associations(mod, table_id):
    items = mod.paginate("get_transit_gateway_route_table_associations", "Associations",
                         TransitGatewayRouteTableId=table_id)
    return [snake_dict(a) for a in items if a.get("State") in ("associating", "associated")]


def table_propagations(mod, table_id):
    items = mod.paginate("get_transit_gateway_route_table_propagations", "TransitGatewayRouteTablePropagations",
                         TransitGatewayRouteTableId=table_id)
    return [snake_dict(p) for p in items if p.get("State") in ("enabling", "enabled")]


def tag_changes(current, desired, purge):
    """``(to_set, to_remove)`` turning tag dict ``current`` into ``desired`` (None: leave tags alone)."""
    if desired is None:
        return {}, []
    to_set = dict((k, str(v)) for k, v in desired.items() if current.get(k) != str(v))
    to_remove = sorted(k for k in current if k not in desired and not k.startswith("aws:")) if purge else []
    return to_set, to_remove


def apply_tags(mod, resource_id, to_set, to_remove):
    if to_set:
        mod.call("create_tags", Resources=[resource_id], Tags=[{"Key": k, "Value": v} for k, v in sorted(to_set.items())])
    if to_remove:
        mod.call("delete_tags", Resources=[resource_id], Tags=[{"Key": k} for k in to_remove])


def desired_tags(params, name_key="name"):
    """``tags`` plus ``Name`` from the name option; None when neither is given."""
    tags = params.get("tags")
    name = params.get(name_key)
    if tags is None and not name:
        return None
    out = dict((k, str(v)) for k, v in (tags or {}).items())
    if name:
        out["Name"] = name
    return out
