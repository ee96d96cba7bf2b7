"""VPCs, vSwitches, route tables and route entries (product Vpc, 2016-04-28).

Route entry rules follow the CreateRouteEntry reference: a destination may contain a
vSwitch CIDR but may not equal or sit inside one; 100.64.0.0/10 is reserved; one entry
per destination per table; the next hop must live in the same VPC.

Other kinds add to what a route table shows (CEN-learned routes, published VPN routes) through
``register_learned_routes``, to what a next hop may be through ``NEXT_HOP_RULES`` and to what keeps a
VPC or a vSwitch from being deleted through ``register_dependants``, so this module never imports them.
"""

from __future__ import annotations

import ipaddress
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

from .base import (REGION_NONE, REGION_OPTIONAL, REGIONS, ApiError, Request, Resource, State, action,
                   invalid_parameter, page_by_number, page_by_token)

RESERVED = ipaddress.ip_network("100.64.0.0/10")

# route table -> extra entries (e.g. learned from CEN). Each provider:
# (state, route_table_resource) -> list of RouteEntry dicts in DescribeRouteEntryList shape.
LEARNED_ROUTE_PROVIDERS: List[Callable[[State, Resource], List[Dict[str, Any]]]] = []


def register_learned_routes(provider: Callable[[State, Resource], List[Dict[str, Any]]]) -> None:
    LEARNED_ROUTE_PROVIDERS.append(provider)


# What keeps a VPC or a vSwitch from being deleted: kind ("Vpc" | "VSwitch") -> [(error code, finder)], a finder
# (state, the VPC or vSwitch) -> ids of what depends on it. DeleteVpc: "release or migrate all resources in the
# VPC ... cloud product instances, router interfaces, HaVips"; DeleteVSwitch likewise (both references).
Dependants = Callable[[State, Resource], List[str]]
DEPENDANT_RULES: Dict[str, List[Tuple[str, Dependants]]] = {"Vpc": [], "VSwitch": []}


def register_dependants(kind: str, code: str, finder: Dependants) -> None:
    """Refuse DeleteVpc / DeleteVSwitch (``kind``) with ``code`` while ``finder`` names dependants."""
    DEPENDANT_RULES[kind].append((code, finder))


def refuse_while_dependants(state: State, res: Resource) -> None:
    for code, finder in DEPENDANT_RULES[res.kind]:
        ids = finder(state, res)
        if ids:
            raise ApiError(code, f"Specified object has dependent resources ({', '.join(sorted(ids))}); "
                                 f"{res.id} cannot be deleted while they exist.")


def owned_by_vpc_router(res: Resource, vpc: Resource) -> bool:
    """The resource belongs to the VPC (its ``VpcId``) or to its vRouter (its ``RouterId``)."""
    return res.get("VpcId") == vpc.id or res.get("RouterId") == vpc["VRouterId"]


def in_vpc(kind: str) -> Dependants:
    """A finder: the ``kind`` resources of the VPC (``owned_by_vpc_router``), for ``register_dependants``."""
    def finder(state: State, vpc: Resource) -> List[str]:
        return [r.id for r in state.all(kind, include_invisible=True) if owned_by_vpc_router(r, vpc)]
    return finder


def shared_next_hop(belongs: Callable[[Resource, Resource], bool]) -> Callable[[Resource, Resource], bool]:
    """Mark a ``belongs`` rule whose next hop may be owned by another account (a VPC peering
    connection is the requester's, yet the accepter routes to it too)."""
    belongs.shared = True  # type: ignore[attr-defined]
    return belongs


# NextHopType -> (resource kind, error code when missing, "belongs to this VPC?"). ``belongs``
# may raise an ApiError of its own (e.g. a next hop in the wrong state).
NEXT_HOP_RULES: Dict[str, tuple] = {
    "Instance": ("Instance", "InvalidInstanceId.NotFound", owned_by_vpc_router),
    "VpnGateway": ("VpnGateway", "InvalidVpnGatewayInstanceId.NotFound", owned_by_vpc_router),
    "RouterInterface": ("RouterInterface", "InvalidRouterInterfaceId.NotFound", owned_by_vpc_router),
}


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def parse_cidr(name: str, value: str) -> ipaddress.IPv4Network:
    try:
        if "/" not in value:
            value += "/32"
        return ipaddress.ip_network(value, strict=True)
    except ValueError:
        raise ApiError(f"InvalidCidrBlock.Malformed",
                       f"The specified {name} {value!r} is not a valid CIDR block.")


# --- lookups shared with other kinds --------------------------------------------------

def get_vpc(req: Request, vpc_id: str, owner: Optional[str] = None) -> Resource:
    vpc = req.state.find("Vpc", vpc_id)
    if vpc is None or vpc.owner != (owner or req.account.uid) or not req.state.visible(vpc):
        raise ApiError("InvalidVpcId.NotFound", f"Specified VPC ({vpc_id}) does not exist.", 404)
    return vpc


def get_vswitch(req: Request, vsw_id: str) -> Resource:
    vsw = req.state.find("VSwitch", vsw_id)
    if vsw is None or vsw.owner != req.account.uid:
        raise ApiError("InvalidVSwitchId.NotFound", f"Specified vSwitch ({vsw_id}) does not exist.", 404)
    return vsw


def get_route_table(req: Request, table_id: str) -> Resource:
    table = req.state.find("RouteTable", table_id)
    if table is None or table.owner != req.account.uid:
        raise ApiError("InvalidRouteTableId.NotFound", f"Specified route table ({table_id}) does not exist.", 404)
    return table


def vpc_of_router(state: State, router_id: str) -> Optional[Resource]:
    return next((v for v in state.all("Vpc", include_invisible=True) if v["VRouterId"] == router_id), None)


def system_table(state: State, vpc: Resource) -> Resource:
    return state.find("RouteTable", vpc["RouteTableId"])


def vswitches_of(state: State, vpc_id: str) -> List[Resource]:
    return [v for v in state.all("VSwitch", include_invisible=True) if v["VpcId"] == vpc_id]


# --- creation helpers used by the world loader and the API ------------------------------

def create_vpc(state: State, owner: str, region: str, cidr: str, name: str = "",
               description: str = "", vpc_id: Optional[str] = None,
               tags: Optional[Dict[str, str]] = None) -> Resource:
    vpc_id = vpc_id or state.new_id("vpc")
    router_id = state.new_id("vrt")
    table_id = state.new_id("vtb")
    vpc = state.add("Vpc", vpc_id, owner, region, {
        "VpcId": vpc_id, "RegionId": region, "Status": "Available", "VpcName": name,
        "CidrBlock": cidr, "VRouterId": router_id, "RouteTableId": table_id,
        "Description": description, "CreationTime": now_iso(), "IsDefault": False,
        "OwnerId": int(owner), "Tags": {"Tag": [{"Key": k, "Value": v} for k, v in (tags or {}).items()]},
    })
    state.add("RouteTable", table_id, owner, region, {
        "RouteTableId": table_id, "RouteTableType": "System", "RouterType": "VRouter",
        "RouterId": router_id, "VpcId": vpc_id, "RouteTableName": "", "Description": "",
        "CreationTime": now_iso(), "Status": "Available", "OwnerId": int(owner),
    })
    return vpc


def create_vswitch(state: State, vpc: Resource, cidr: str, zone: str, name: str = "",
                   vsw_id: Optional[str] = None) -> Resource:
    vsw_id = vsw_id or state.new_id("vsw")
    return state.add("VSwitch", vsw_id, vpc.owner, vpc.region, {
        "VSwitchId": vsw_id, "VpcId": vpc.id, "Status": "Available", "CidrBlock": cidr,
        "ZoneId": zone, "VSwitchName": name, "CreationTime": now_iso(), "IsDefault": False,
        "AvailableIpAddressCount": max(0, ipaddress.ip_network(cidr).num_addresses - 4),
        "RouteTable": {"RouteTableId": vpc["RouteTableId"], "RouteTableType": "System"},
        "OwnerId": int(vpc.owner),
    })


def create_instance(state: State, vsw: Resource, private_ip: str, name: str = "",
                    instance_id: Optional[str] = None) -> Resource:
    instance_id = instance_id or state.new_id("i")
    vpc = state.find("Vpc", vsw["VpcId"])
    return state.add("Instance", instance_id, vsw.owner, vsw.region, {
        "InstanceId": instance_id, "InstanceName": name, "Status": "Running", "RegionId": vsw.region,
        "ZoneId": vsw["ZoneId"], "VpcId": vsw["VpcId"], "RouterId": vpc["VRouterId"],
        "VpcAttributes": {"VpcId": vsw["VpcId"], "VSwitchId": vsw.id,
                          "PrivateIpAddress": {"IpAddress": [private_ip]}},
    })


# --- VPC ---------------------------------------------------------------------------------

def _ids(value: Optional[str]) -> Optional[List[str]]:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


@action("Vpc", "DescribeRegions", region=REGION_NONE)
def describe_regions(req: Request) -> Dict[str, Any]:
    return {"Regions": {"Region": [{"RegionId": r, "LocalName": r, "RegionEndpoint": "vpc.aliyuncs.com"}
                                   for r in REGIONS]}}


def vpc_view(state: State, vpc: Resource) -> Dict[str, Any]:
    """A VPC as DescribeVpcs and DescribeVpcAttribute show it (fields both SDK models share)."""
    item = {k: v for k, v in vpc.attrs.items() if k != "RouteTableId"}
    item["VSwitchIds"] = {"VSwitchId": [s.id for s in vswitches_of(state, vpc.id)]}
    item["UserCidrs"] = {"UserCidr": []}
    item["SecondaryCidrBlocks"] = {"SecondaryCidrBlock": []}
    return item


@action("Vpc", "DescribeVpcs")
def describe_vpcs(req: Request) -> Dict[str, Any]:
    ids = _ids(req.get("VpcId"))
    name = req.get("VpcName")
    vpcs = [v for v in req.state.all("Vpc", region=req.region, owner=req.account.uid)
            if (ids is None or v.id in ids) and (name is None or v["VpcName"] == name)]
    page, number, size = page_by_number(req, vpcs)
    out = []
    for vpc in page:
        item = vpc_view(req.state, vpc)
        item["RouterTableIds"] = {"RouterTableIds": [vpc["RouteTableId"]]}
        out.append(item)
    return {"Vpcs": {"Vpc": out}, "TotalCount": len(vpcs), "PageNumber": number, "PageSize": size}


@action("Vpc", "DescribeVpcAttribute")
def describe_vpc_attribute(req: Request) -> Dict[str, Any]:
    vpc = get_vpc(req, req.require("VpcId"))
    if vpc.region != req.region:  # a VPC is found only in its own region
        raise ApiError("InvalidVpcId.NotFound", f"Specified VPC ({vpc.id}) does not exist.", 404)
    return dict(vpc_view(req.state, vpc), ClassicLinkEnabled=False, EnabledIpv6=False, SupportIpv4Gateway=False,
                ResourceGroupId="", Ipv6CidrBlock="", DhcpOptionsSetId="", DhcpOptionsSetStatus="",
                AssociatedCens={"AssociatedCen": []}, CloudResources={"CloudResourceSetType": []})


@action("Vpc", "CreateVpc", idempotent=True)
def create_vpc_action(req: Request) -> Dict[str, Any]:
    cidr = req.get("CidrBlock", "172.16.0.0/12")
    parse_cidr("CidrBlock", cidr)
    vpc = create_vpc(req.state, req.account.uid, req.region, cidr, req.get("VpcName", ""),
                     req.get("Description", ""))
    vpc["Status"] = "Pending"
    req.state.schedule(vpc, "Status", "Available")
    return {"VpcId": vpc.id, "VRouterId": vpc["VRouterId"], "RouteTableId": vpc["RouteTableId"],
            "ResourceGroupId": ""}


@action("Vpc", "DeleteVpc", region=REGION_OPTIONAL)
def delete_vpc(req: Request) -> Dict[str, Any]:
    vpc = get_vpc(req, req.require("VpcId"))
    refuse_while_dependants(req.state, vpc)
    if vswitches_of(req.state, vpc.id):
        raise ApiError("DependencyViolation.VSwitch", "Specified VPC still has vSwitches.")
    for entry in _entries(req.state, vpc["RouteTableId"]):
        req.state.remove(entry)
    req.state.remove(system_table(req.state, vpc))
    req.state.remove(vpc)
    return {}


# --- vSwitch -------------------------------------------------------------------------------

@action("Vpc", "DescribeVSwitches", region=REGION_OPTIONAL)
def describe_vswitches(req: Request) -> Dict[str, Any]:
    ids = _ids(req.get("VSwitchId"))
    vpc_id = req.get("VpcId")
    zone = req.get("ZoneId")
    items = [s for s in req.state.all("VSwitch", region=req.region, owner=req.account.uid)
             if (ids is None or s.id in ids) and (vpc_id is None or s["VpcId"] == vpc_id)
             and (zone is None or s["ZoneId"] == zone)]
    page, number, size = page_by_number(req, items)
    return {"VSwitches": {"VSwitch": [dict(s.attrs) for s in page]}, "TotalCount": len(items),
            "PageNumber": number, "PageSize": size}


@action("Vpc", "DescribeVSwitchAttributes", region=REGION_OPTIONAL)
def describe_vswitch_attributes(req: Request) -> Dict[str, Any]:
    vsw = get_vswitch(req, req.require("VSwitchId"))
    return dict(vsw.attrs, Description=vsw.get("Description", ""), EnabledIpv6=False, Ipv6CidrBlock="",
                NetworkAclId="", ResourceGroupId="", ShareType="Sharing",
                Tags={"Tag": list(vsw.get("Tags", {}).get("Tag", []))})


@action("Vpc", "CreateVSwitch", idempotent=True, region=REGION_OPTIONAL)
def create_vswitch_action(req: Request) -> Dict[str, Any]:
    vpc = get_vpc(req, req.require("VpcId"))
    cidr = req.require("CidrBlock")
    zone = req.require("ZoneId")
    net = parse_cidr("CidrBlock", cidr)
    if not net.subnet_of(ipaddress.ip_network(vpc["CidrBlock"])):
        raise ApiError("InvalidCidrBlock.Malformed",
                       f"Specified CIDR block {cidr} is not within the VPC CIDR block {vpc['CidrBlock']}.")
    for other in vswitches_of(req.state, vpc.id):
        if net.overlaps(ipaddress.ip_network(other["CidrBlock"])):
            raise ApiError("InvalidCidrBlock.Overlapped",
                           f"Specified CIDR block {cidr} overlaps vSwitch {other.id} ({other['CidrBlock']}).")
    vsw = create_vswitch(req.state, vpc, cidr, zone, req.get("VSwitchName", ""))
    vsw["Status"] = "Pending"
    req.state.schedule(vsw, "Status", "Available")
    return {"VSwitchId": vsw.id}


@action("Vpc", "DeleteVSwitch", region=REGION_OPTIONAL)
def delete_vswitch(req: Request) -> Dict[str, Any]:
    vsw = get_vswitch(req, req.require("VSwitchId"))
    if any(i["VpcAttributes"]["VSwitchId"] == vsw.id for i in req.state.all("Instance", include_invisible=True)):
        raise ApiError("DependencyViolation.Instance", "Specified vSwitch still has instances.")
    refuse_while_dependants(req.state, vsw)
    req.state.remove(vsw)
    return {}


# --- route tables and entries -----------------------------------------------------------------

def _entries(state: State, table_id: str) -> List[Resource]:
    return [e for e in state.all("RouteEntry", include_invisible=True) if e["RouteTableId"] == table_id]


def _system_entries(state: State, table: Resource) -> List[Dict[str, Any]]:
    vpc = state.find("Vpc", table["VpcId"])
    out = []
    for vsw in vswitches_of(state, vpc.id):
        out.append({"RouteEntryId": f"rte-sys-{vsw.id[4:]}", "RouteTableId": table.id,
                    "DestinationCidrBlock": vsw["CidrBlock"], "Type": "System", "Status": "Available",
                    "RouteEntryName": "", "Description": "", "IpVersion": "ipv4",
                    "NextHops": {"NextHop": [{"NextHopType": "local", "NextHopId": "", "Enabled": 1,
                                              "Weight": 0}]}})
    out.append({"RouteEntryId": f"rte-sys-{table.id[4:]}", "RouteTableId": table.id,
                "DestinationCidrBlock": str(RESERVED), "Type": "System", "Status": "Available",
                "RouteEntryName": "", "Description": "", "IpVersion": "ipv4",
                "NextHops": {"NextHop": [{"NextHopType": "service", "NextHopId": "", "Enabled": 1,
                                          "Weight": 0}]}})
    return out


def entry_view(entry: Resource) -> Dict[str, Any]:
    return {
        "RouteEntryId": entry.id, "RouteTableId": entry["RouteTableId"],
        "DestinationCidrBlock": entry["DestinationCidrBlock"], "Type": "Custom",
        "Status": entry["Status"], "RouteEntryName": entry.get("RouteEntryName", ""),
        "Description": entry.get("Description", ""), "IpVersion": "ipv4",
        "NextHops": {"NextHop": [{"NextHopType": entry["NextHopType"], "NextHopId": entry["NextHopId"],
                                  "Enabled": 1, "Weight": 0, "NextHopRegionId": entry.region}]},
    }


def route_table_entries(state: State, table: Resource) -> List[Dict[str, Any]]:
    """Everything a route table holds: system, custom and learned entries."""
    entries = _system_entries(state, table) + [entry_view(e) for e in _entries(state, table.id)
                                              if state.visible(e)]
    for provider in LEARNED_ROUTE_PROVIDERS:
        entries.extend(provider(state, table))
    return entries


@action("Vpc", "DescribeRouteTableList")
def describe_route_table_list(req: Request) -> Dict[str, Any]:
    vpc_id = req.get("VpcId")
    table_id = req.get("RouteTableId")
    router_id = req.get("RouterId")
    tables = [t for t in req.state.all("RouteTable", region=req.region, owner=req.account.uid)
              if (vpc_id is None or t["VpcId"] == vpc_id) and (table_id is None or t.id == table_id)
              and (router_id is None or t["RouterId"] == router_id)]
    page, number, size = page_by_number(req, tables)
    out = []
    for t in page:
        item = dict(t.attrs)
        item["VSwitchIds"] = {"VSwitchId": [s.id for s in vswitches_of(req.state, t["VpcId"])]}
        out.append(item)
    return {"RouterTableList": {"RouterTableListType": out}, "TotalCount": len(tables),
            "PageNumber": number, "PageSize": size}


def _older_entry_view(entry: Dict[str, Any]) -> Dict[str, Any]:
    """A route entry as DescribeRouteTables shows it: the first next hop also at the top."""
    hops = [{k: hop.get(k) for k in ("NextHopType", "NextHopId", "Enabled", "Weight")}
            for hop in entry["NextHops"]["NextHop"]]
    item = {k: entry.get(k) for k in ("RouteEntryId", "RouteEntryName", "RouteTableId", "DestinationCidrBlock",
                                      "Type", "Status", "Description")}
    return dict(item, InstanceId=hops[0]["NextHopId"], NextHopType=hops[0]["NextHopType"],
                NextHops={"NextHop": hops})


@action("Vpc", "DescribeRouteTables", region=REGION_OPTIONAL)
def describe_route_tables(req: Request) -> Dict[str, Any]:
    """The older route table call: tables with their entries inline (DescribeRouteTablesResponseBody)."""
    wanted = {"RouteTableId": req.get("RouteTableId"), "RouterId": req.get("VRouterId") or req.get("RouterId"),
              "RouteTableName": req.get("RouteTableName"), "RouteTableType": req.get("Type"),
              "RouterType": req.get("RouterType")}
    owner_region = req.region if req.get("RegionId") else None
    tables = [t for t in req.state.all("RouteTable", region=owner_region, owner=req.account.uid)
              if all(value is None or t.get(key) == value for key, value in wanted.items())]
    page, number, size = page_by_number(req, tables)
    out = []
    for t in page:
        entries = [_older_entry_view(e) for e in route_table_entries(req.state, t)]
        out.append({"RouteTableId": t.id, "RouteTableType": t["RouteTableType"], "VRouterId": t["RouterId"],
                    "CreationTime": t["CreationTime"], "Status": t["Status"], "ResourceGroupId": "",
                    "VSwitchIds": {"VSwitchId": [s.id for s in vswitches_of(req.state, t["VpcId"])]},
                    "RouteEntrys": {"RouteEntry": entries}})
    return {"RouteTables": {"RouteTable": out}, "TotalCount": len(tables), "PageNumber": number,
            "PageSize": size}


@action("Vpc", "DescribeRouteEntryList")
def describe_route_entry_list(req: Request) -> Dict[str, Any]:
    table = get_route_table(req, req.require("RouteTableId"))
    dest = req.get("DestinationCidrBlock")
    kind = req.get("RouteEntryType")
    next_hop = req.get("NextHopId")
    entry_id = req.get("RouteEntryId")
    entries = [e for e in route_table_entries(req.state, table)
               if (dest is None or e["DestinationCidrBlock"] == dest) and (kind is None or e["Type"] == kind)
               and (entry_id is None or e["RouteEntryId"] == entry_id)
               and (next_hop is None or any(h["NextHopId"] == next_hop for h in e["NextHops"]["NextHop"]))]
    # DescribeRouteEntryListRequest: MaxResult "Valid values: 1 to 100. Default value: 10", NextToken.
    page, next_token, _ = page_by_token(req, entries, "MaxResult", max_size=100, default_size=10)
    return {"RouteEntrys": {"RouteEntry": page}, "NextToken": next_token}


def validate_destination(state: State, table: Resource, dest: str) -> str:
    net = parse_cidr("DestinationCidrBlock", dest)
    if net == RESERVED or net.subnet_of(RESERVED):
        raise ApiError("InvalidDestinationCidrBlock.Reserved",
                       f"The destination CIDR block {net} is reserved (100.64.0.0/10) for cloud services.")
    for vsw in vswitches_of(state, table["VpcId"]):
        vnet = ipaddress.ip_network(vsw["CidrBlock"])
        if net == vnet or net.subnet_of(vnet):
            raise ApiError("InvalidDestinationCidrBlock.ContainedByVSwitch",
                           f"The destination CIDR block {net} equals or is inside vSwitch {vsw.id} "
                           f"({vnet}); route a wider block or another destination.")
    taken = custom_entry_at(state, table, str(net))
    if taken is not None:
        raise duplicated_route(taken)
    return str(net)


def custom_entry_at(state: State, table: Resource, dest: str, except_next_hop: Optional[str] = None
                    ) -> Optional[Dict[str, Any]]:
    """The custom route ``table`` holds for ``dest``, or None: its own entries and those other kinds publish into
    it as custom routes (a VPN gateway's destination routes, PublishVpnRouteEntry: "publishes the route to the VPC
    system route table"), one per destination (CreateRouteEntry). ``except_next_hop``: ignore what that next hop
    publishes (a VPN gateway republishing its own route)."""
    for entry in _entries(state, table.id):
        if entry["DestinationCidrBlock"] == dest:
            return entry_view(entry)
    for provider in LEARNED_ROUTE_PROVIDERS:
        for entry in provider(state, table):
            if entry["Type"] == "Custom" and entry["DestinationCidrBlock"] == dest and \
                    entry["NextHops"]["NextHop"][0]["NextHopId"] != except_next_hop:
                return entry
    return None


def duplicated_route(entry: Dict[str, Any]) -> ApiError:
    hop = entry["NextHops"]["NextHop"][0]
    return ApiError("RouterEntryConflict.Duplicated",
                    f"Specified route entry has already exist ({entry['DestinationCidrBlock']} in "
                    f"{entry['RouteTableId']}, next hop {hop['NextHopType']} {hop['NextHopId']}).")


def validate_next_hop(state: State, vpc: Resource, hop_type: str, hop_id: str) -> Resource:
    rule = NEXT_HOP_RULES.get(hop_type)
    if rule is None:
        raise invalid_parameter("NextHopType", hop_type, "InvalidNextHopType.NotSupported")
    kind, missing_code, belongs = rule
    hop = state.find(kind, hop_id)
    if hop is None or (hop.owner != vpc.owner and not getattr(belongs, "shared", False)):
        raise ApiError(missing_code, f"The next hop {hop_type} {hop_id} does not exist.", 404)
    if not belongs(hop, vpc):
        raise ApiError("InvalidNextHop.NotInVpc",
                       f"The next hop {hop_id} does not belong to VPC {vpc.id}; a next hop must be in the "
                       "same VPC as the route table.")
    return hop


@action("Vpc", "CreateRouteEntry", idempotent=True, region=REGION_OPTIONAL)
def create_route_entry(req: Request) -> Dict[str, Any]:
    table = get_route_table(req, req.require("RouteTableId"))
    vpc = get_vpc(req, table["VpcId"])
    dest = validate_destination(req.state, table, req.require("DestinationCidrBlock"))
    hop_type = req.get("NextHopType", "Instance")
    hop_id = req.require("NextHopId")
    validate_next_hop(req.state, vpc, hop_type, hop_id)
    if sum(1 for _ in _entries(req.state, table.id)) >= 200:
        raise ApiError("QuotaExceeded.RouteEntryNum", "A route table holds at most 200 custom route entries.")
    entry = req.state.add("RouteEntry", req.state.new_id("rte"), req.account.uid, table.region, {
        "RouteTableId": table.id, "DestinationCidrBlock": dest, "NextHopType": hop_type,
        "NextHopId": hop_id, "RouteEntryName": req.get("RouteEntryName", ""),
        "Description": req.get("Description", ""), "Status": "Pending",
    })
    req.state.schedule(entry, "Status", "Available")
    return {"RouteEntryId": entry.id}


def _find_entry(req: Request) -> Resource:
    entry_id = req.get("RouteEntryId")
    table_id = req.get("RouteTableId")
    dest = req.get("DestinationCidrBlock")
    for entry in req.state.all("RouteEntry", owner=req.account.uid, include_invisible=True):
        if entry_id and entry.id == entry_id:
            return entry
        if not entry_id and entry["RouteTableId"] == table_id and entry["DestinationCidrBlock"] == dest \
                and (req.get("NextHopId") is None or entry["NextHopId"] == req.get("NextHopId")):
            return entry
    raise ApiError("InvalidRouteEntry.NotFound", "Specified route entry does not exist.", 404)


@action("Vpc", "DeleteRouteEntry", region=REGION_OPTIONAL)
def delete_route_entry(req: Request) -> Dict[str, Any]:
    entry = _find_entry(req)
    if entry["Status"] != "Available":
        raise ApiError("IncorrectRouteEntryStatus", f"The route entry {entry.id} is {entry['Status']}; retry later.")
    entry["Status"] = "Deleting"
    req.state.schedule(entry, "Status", "Deleted", then=req.state.remove)
    return {}


@action("Vpc", "ModifyRouteEntry")
def modify_route_entry(req: Request) -> Dict[str, Any]:
    entry = _find_entry(req)
    if req.get("RouteEntryName") is not None:
        entry["RouteEntryName"] = req.get("RouteEntryName")
    if req.get("Description") is not None:
        entry["Description"] = req.get("Description")
    return {}


# --- ECS instances (read-only, seeded by the world file) ------------------------------------------

@action("Ecs", "DescribeInstances")
def describe_instances(req: Request) -> Dict[str, Any]:
    vpc_id = req.get("VpcId")
    items = [i for i in req.state.all("Instance", region=req.region, owner=req.account.uid)
             if vpc_id is None or i["VpcId"] == vpc_id]
    # DescribeInstances (ECS 2014-05-26): PageSize "Maximum value: 100".
    page, number, size = page_by_number(req, items, max_size=100)
    return {"Instances": {"Instance": [{k: v for k, v in i.attrs.items() if k != "RouterId"} for i in page]},
            "TotalCount": len(items), "PageNumber": number, "PageSize": size}
