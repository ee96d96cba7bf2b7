"""The twin's data plane: does a packet from host A reach address B? Decided from both clouds' state.

The collection's ``reachability`` engine answers that question from API reads; this module answers it
independently, from the twin's own state (moto's models in-process for AWS, ``twin.backend.state`` with the
Alibaba models' pure helpers), so a test can hold the two answers against each other. It imports nothing from
the collection (``plugins/``).

``trace(twin, src_ip, dst_ip)`` follows one packet: ``src_ip`` is a host of the twin's world (an AWS instance
in a subnet or an Alibaba ECS instance in a vSwitch; failing that, the one subnet or vSwitch holding the
address), ``dst_ip`` any address. The packet is delivered when it lands in the subnet / vSwitch holding
``dst_ip`` (no instance need exist there). Each step is a longest-prefix match on the table the real cloud
would use:

- AWS: the subnet's route table (explicit association, else the VPC's main table): ``local`` delivers inside
  the VPC; a Transit Gateway target goes to the TGW route table associated with the source VPC's attachment
  (static, propagated and blackhole routes, as the tgw extension keeps them). A VPC attachment delivers into
  its VPC by the VPC's local route only (simplification: the twin does not route onward by the route table of
  the attachment's subnets). A VPN attachment sends the packet through an UP tunnel of the VPN connection
  (crosscloud's verdict) to the Alibaba tunnel it is paired with.
- Alibaba: the vSwitch's route table (the VPC's system table unless the vSwitch has another): system routes
  (vSwitch CIDRs) deliver; custom and learned entries (CEN Basic, transit-router route synchronisation,
  published VPN routes) lead to their next hop. A VPN gateway picks the connection whose protected data flows
  cover (src, dst) (policy-based routes come first, "Manage destination-based routes"), else its VPN route
  entries (destination routing, ``vpn_route.vpn_route_for``); the connection leaves through an up tunnel to the
  paired AWS tunnel, whose VPN attachment forwards by its associated TGW route table. A transit-router
  attachment forwards by its associated route table (``transit_router_routes``); an inter-region connection
  continues on the far router by the table associated with that connection there. A router interface needs an
  Active pair, a VPC peering connection must be Activated.
- Into Alibaba from AWS: a VPN gateway's connection forwards into the gateway's VPC (its system route table);
  a connection attached to a transit router forwards by the table associated with its VPN attachment. From a
  transit router, CEN or a peering the packet enters a VPC by the VPC's system route table (a transit router
  sends traffic into a VPC through its ENIs' vSwitches, all on that table in the twin), so a VPC can be a
  transit hop (Beijing -> Tokyo VPC -> VPN gateway, as in the 2018 walkthrough).
- IPsec traffic selectors: a connection in protected-data-flow mode carries only traffic whose source is in
  its LocalSubnet and destination in its RemoteSubnet (and the reverse inbound); AWS's
  Local/RemoteIpv4NetworkCidr likewise.
- Drops: no route, blackhole routes, no association, no tunnel up, selectors, inactive peerings, hops the twin
  does not model (instances as next hops, internet gateways, TGW peering), a routing loop (the packet comes back
  to a table it passed: forwarding depends on the destination only, so it would circle until its TTL runs out)
  and more than ``TTL`` (32) lookups. An inter-region CEN / transit-router path on the 1 Kbps test bandwidth
  still delivers (it carries ping) but the trace says so in ``notes``.

Return traffic is a separate trace (``trace(twin, dst, src)``). Exposed as ``Twin.trace(src, dst)`` and the
control endpoint ``GET /_twin/trace?src=IP&dst=IP`` (loopback clients only, like every ``/_twin`` endpoint).

The answer: ``{"src", "dst", "delivered", "hops": [{"where", "table", "route", "next"}...], "dropped_at",
"cause", "reason", "notes", "source", "delivered_to"}``; ``dropped_at`` is the id of the table or resource
that dropped the packet, ``cause`` a short code (``CAUSES``), ``reason`` a sentence; the three are None on
delivery. Pre-shared keys never appear (tunnel reasons come from crosscloud's notes, which omit them).
"""

from __future__ import annotations

import ipaddress
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from . import crosscloud
from .alicloud.models import vpc as ali_vpc
from .alicloud.models.base import Resource, State
from .alicloud.models.cen_bandwidth import inter_region_bandwidth
from .alicloud.models.router_interface import paired_interface
from .alicloud.models.transit_router import PEER_ATTACHMENT, VPC_ATTACHMENT, VPN_ATTACHMENT, attachment_of
from .alicloud.models.transit_router_attachments import peer_bandwidth
from .alicloud.models.transit_router_routes import associated_table, route_table_entries
from .alicloud.models.vpc_peer import is_active, peer_vpc_of
from .alicloud.models.vpn import connections_of
from .alicloud.models.vpn_ipsec import ESTABLISHED
from .alicloud.models.vpn_route import connection_is_up, routes_of, routing_mode, vpn_route_for

TTL = 32
CAUSES = {
    "unknown_source": "no host, subnet or vSwitch of the twin has the source address",
    "ambiguous_source": "several subnets / vSwitches hold the source address",
    "no_route": "a route table has no route to the destination",
    "no_subnet": "the destination is inside a VPC CIDR but in no subnet / vSwitch",
    "blackhole": "a blackhole route",
    "no_attachment": "a VPC routes to a transit gateway / router it is not attached to",
    "attachment_not_ready": "an attachment that is not attached (yet, or any more)",
    "no_association": "an attachment associated with no route table",
    "tunnel_down": "no tunnel of the VPN connection is up",
    "selectors": "outside the IPsec traffic selectors",
    "no_vpn_route": "a destination-routing VPN gateway has no VPN route entry for the destination",
    "not_attached": "an IPsec connection attached to nothing that forwards",
    "gateway_unavailable": "a gateway that is not available",
    "interface_inactive": "a router interface pair that is not Active",
    "peering_inactive": "a VPC peering connection that is not Activated",
    "not_modeled": "a hop the twin's data plane does not model",
    "loop": "a routing loop",
    "ttl_exceeded": "more than TTL lookups",
}


class _Stop(Exception):
    """The end of a trace: delivered (``at`` None) or dropped at ``at``."""

    def __init__(self, at: Optional[str] = None, cause: Optional[str] = None, reason: Optional[str] = None,
                 delivered_to: Optional[Dict[str, Any]] = None):
        super().__init__(reason or "delivered")
        self.at, self.cause, self.reason, self.delivered_to = at, cause, reason, delivered_to


Step = Tuple[Callable[..., Any], tuple]


def _ip(value: str, what: str) -> ipaddress.IPv4Address:
    try:
        address = ipaddress.ip_address(str(value).strip())
    except ValueError:
        raise ValueError(f"{what} {value!r} is not an IP address") from None
    if address.version != 4:
        raise ValueError(f"{what} {value}: the twin's data plane is IPv4 only")
    return address


def _net(cidr: str) -> ipaddress.IPv4Network:
    return ipaddress.ip_network(cidr, strict=False)


def _longest(items: Iterable[Any], cidr_of: Callable[[Any], Optional[str]], ip: ipaddress.IPv4Address) -> Any:
    """The item whose CIDR is the longest prefix holding ``ip`` (the first of equals), or None."""
    best, best_len = None, -1
    for item in items:
        cidr = cidr_of(item)
        if not cidr:
            continue
        net = _net(cidr)
        if net.version == 4 and ip in net and net.prefixlen > best_len:
            best, best_len = item, net.prefixlen
    return best


def _inside(ip: ipaddress.IPv4Address, cidrs: str) -> bool:
    return any(ip in _net(c.strip()) for c in str(cidrs or "").split(",") if c.strip())


# --- AWS reads (moto's models in-process) -----------------------------------------------------------

def _ec2_backends() -> List[Any]:
    from moto.backends import get_backend

    return [backend for _account, _region, backend in get_backend("ec2").iter_backends()]


def _aws_instances(backend: Any) -> Iterable[Any]:
    for reservation in list(backend.reservations.values()):
        for instance in reservation.instances:
            if instance.state not in ("terminated", "shutting-down"):
                yield instance


def _aws_subnets(backend: Any, vpc_id: Optional[str] = None) -> List[Any]:
    return [s for by_zone in list(backend.subnets.values()) for s in list(by_zone.values())
            if vpc_id is None or s.vpc_id == vpc_id]


def _aws_subnet_holding(backend: Any, vpc_id: str, ip: ipaddress.IPv4Address) -> Optional[Any]:
    return next((s for s in _aws_subnets(backend, vpc_id) if ip in _net(s.cidr_block)), None)


def _aws_table_of_subnet(backend: Any, subnet: Any) -> Optional[Any]:
    """The subnet's explicitly associated route table, else its VPC's main table."""
    tables = [t for t in list(backend.route_tables.values()) if t.vpc_id == subnet.vpc_id]
    explicit = next((t for t in tables if any(a.get("SubnetId") == subnet.id for a in t.associations)), None)
    return explicit or next((t for t in tables if t.main_association_id is not None), None)


def _aws_attachment(backend: Any, resource_type: str, resource_id: str, tgw_id: Optional[str] = None) -> Optional[Any]:
    for att in list(backend.transit_gateway_attachments.values()):
        if att.resource_type == resource_type and att.resource_id == resource_id and att.state == "available" \
                and (tgw_id is None or att.transit_gateway_id == tgw_id):
            return att
    return None


def _aws_region(backend: Any) -> str:
    return backend.region_name


# --- Alibaba reads (the models' pure helpers) ---------------------------------------------------------

def _vswitch_holding(state: State, vpc_id: str, ip: ipaddress.IPv4Address) -> Optional[Resource]:
    return next((v for v in ali_vpc.vswitches_of(state, vpc_id) if ip in _net(v["CidrBlock"])), None)


def _table_of_vswitch(state: State, vsw: Resource) -> Optional[Resource]:
    table_id = (vsw.get("RouteTable") or {}).get("RouteTableId")
    table = state.find("RouteTable", table_id) if table_id else None
    vpc = state.find("Vpc", vsw["VpcId"])
    return table or (ali_vpc.system_table(state, vpc) if vpc is not None else None)


def _end_is_up(end: crosscloud.AlibabaTunnel) -> bool:
    return (end.tunnel or end.vco).get("Status") == ESTABLISHED


def _tunnel_order(end: crosscloud.AlibabaTunnel) -> tuple:
    """Master (tunnel 1) first, then the slave: the tunnel a connection sends by while it is up."""
    if end.tunnel is None:
        return (0, 0)
    return (end.tunnel.get("Role") != "master", int(end.tunnel.get("TunnelIndex") or 0))


class _Trace:
    """One packet's walk. Each step method returns the next ``(method, args)`` or raises ``_Stop``."""

    def __init__(self, state: State, src: ipaddress.IPv4Address, dst: ipaddress.IPv4Address):
        self.state, self.src, self.dst = state, src, dst
        self.hops: List[Dict[str, Any]] = []
        self.notes: List[str] = []
        self.visited: List[str] = []
        self.source: Dict[str, Any] = {}
        self.alibaba_ends = crosscloud.alibaba_tunnels(state)

    # --- bookkeeping -------------------------------------------------------------------------------
    def hop(self, where: str, table: Optional[str], route: Optional[str], next_hop: str) -> None:
        self.hops.append({"where": where, "table": table, "route": route, "next": next_hop})

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def enter(self, table_id: str) -> None:
        """A lookup in ``table_id``: a routing loop or an exhausted TTL ends the trace here."""
        if table_id in self.visited:
            raise _Stop(table_id, "loop", f"routing loop: the packet to {self.dst} is back at {table_id} after "
                                          f"{len(self.visited)} lookups ({' -> '.join(self.visited)}); it would circle "
                                          f"until its TTL ({TTL}) runs out")
        if len(self.visited) >= TTL:
            raise _Stop(table_id, "ttl_exceeded", f"TTL exceeded: {TTL} lookups without reaching {self.dst}")
        self.visited.append(table_id)

    def run(self) -> Dict[str, Any]:
        try:
            step: Step = self.start()
            while True:
                method, args = step
                step = method(*args)
        except _Stop as stop:
            return {"src": str(self.src), "dst": str(self.dst), "delivered": stop.at is None, "hops": self.hops,
                    "dropped_at": stop.at, "cause": stop.cause, "reason": stop.reason, "notes": self.notes,
                    "source": self.source, "delivered_to": stop.delivered_to}

    # --- the source ------------------------------------------------------------------------------------
    def start(self) -> Step:
        candidates = self._hosts() or self._networks()
        if not candidates:
            raise _Stop(str(self.src), "unknown_source",
                        f"no host, subnet or vSwitch of the twin has the source address {self.src}")
        if len(candidates) > 1:
            raise _Stop(str(self.src), "ambiguous_source",
                        f"{self.src} is in several networks ({', '.join(c[0]['network'] for c in candidates)}); "
                        "trace from a host address")
        self.source, step = candidates[0]
        return step

    def _hosts(self) -> List[Tuple[Dict[str, Any], Step]]:
        out = []
        for backend in _ec2_backends():
            for instance in _aws_instances(backend):
                if instance.private_ip_address == str(self.src):
                    subnet = backend.get_subnet(instance.subnet_id)
                    out.append(self._aws_source(backend, subnet, instance.id))
        for instance in self.state.all("Instance", include_invisible=True):
            attrs = instance.get("VpcAttributes") or {}
            if str(self.src) in ((attrs.get("PrivateIpAddress") or {}).get("IpAddress") or []):
                vsw = self.state.find("VSwitch", attrs.get("VSwitchId") or "")
                if vsw is not None:
                    out.append(self._alibaba_source(vsw, instance.id))
        return out

    def _networks(self) -> List[Tuple[Dict[str, Any], Step]]:
        out = []
        for backend in _ec2_backends():
            for subnet in _aws_subnets(backend):
                if self.src in _net(subnet.cidr_block):
                    out.append(self._aws_source(backend, subnet, None))
        for vsw in self.state.all("VSwitch", include_invisible=True):
            if self.src in _net(vsw["CidrBlock"]):
                out.append(self._alibaba_source(vsw, None))
        return out

    def _aws_source(self, backend: Any, subnet: Any, host: Optional[str]) -> Tuple[Dict[str, Any], Step]:
        source = {"cloud": "aws", "account": backend.account_id, "region": _aws_region(backend),
                  "vpc": subnet.vpc_id, "network": subnet.id, "host": host}
        return source, (self.aws_subnet, (backend, subnet))

    def _alibaba_source(self, vsw: Resource, host: Optional[str]) -> Tuple[Dict[str, Any], Step]:
        source = {"cloud": "alibaba", "account": vsw.owner, "region": vsw.region, "vpc": vsw["VpcId"],
                  "network": vsw.id, "host": host}
        return source, (self.alibaba_vswitch, (vsw,))

    # --- AWS ---------------------------------------------------------------------------------------------
    def aws_subnet(self, backend: Any, subnet: Any) -> Step:
        table = _aws_table_of_subnet(backend, subnet)
        if table is None:
            raise _Stop(subnet.id, "no_route", f"subnet {subnet.id} of {subnet.vpc_id} has no route table")
        return self.aws_route_table, (backend, table)

    def aws_route_table(self, backend: Any, table: Any) -> Step:
        self.enter(table.id)
        where = f"AWS {table.vpc_id} ({_aws_region(backend)}) route table"
        best = _longest(table.routes, lambda r: r.destination_cidr_block, self.dst)
        if best is None:
            raise _Stop(table.id, "no_route", f"route table {table.id} of AWS {table.vpc_id} has no route to "
                                              f"{self.dst}")
        cidr = best.destination_cidr_block
        if best.local:
            return self._aws_deliver(backend, table.vpc_id, where, table.id, cidr, table.id)
        if best.transit_gateway is not None:
            tgw = best.transit_gateway
            self.hop(where, table.id, cidr, tgw.id)
            return self.aws_tgw_from_vpc, (backend, table.vpc_id, tgw)
        target = (best.gateway_id or best.nat_gateway_id or best.instance_id or best.network_interface_id
                  or best.vpc_peering_connection_id or best.carrier_gateway_id or "an unknown target")
        self.hop(where, table.id, cidr, target)
        raise _Stop(table.id, "not_modeled", f"{cidr} in {table.id} leads to {target}; the twin's data plane models "
                                             "local and transit gateway routes only")

    def _aws_deliver(self, backend: Any, vpc_id: str, where: str, table: Optional[str], cidr: str,
                     drop_at: str) -> Step:
        subnet = _aws_subnet_holding(backend, vpc_id, self.dst)
        if subnet is None:
            raise _Stop(drop_at, "no_subnet", f"{self.dst} is inside AWS {vpc_id} ({cidr}) but in none of its subnets")
        self.hop(where, table, cidr, f"local: {subnet.id}")
        raise _Stop(delivered_to={"cloud": "aws", "account": backend.account_id, "region": _aws_region(backend),
                                  "vpc": vpc_id, "network": subnet.id})

    def aws_tgw_from_vpc(self, backend: Any, vpc_id: str, tgw: Any) -> Step:
        if tgw.state != "available":
            raise _Stop(tgw.id, "gateway_unavailable", f"transit gateway {tgw.id} is {tgw.state}")
        att = _aws_attachment(backend, "vpc", vpc_id, tgw.id)
        if att is None:
            raise _Stop(tgw.id, "no_attachment", f"AWS {vpc_id} routes {self.dst} to {tgw.id} but has no available "
                                                 "attachment on it: the route is a blackhole")
        return self.aws_tgw_attachment, (backend, att)

    def aws_tgw_attachment(self, backend: Any, att: Any) -> Step:
        association = att.association
        if not association:
            raise _Stop(att.id, "no_association",
                        f"TGW attachment {att.id} ({att.resource_type} {att.resource_id}) is associated with no TGW "
                        f"route table: {att.transit_gateway_id} drops what arrives on it")
        return self.aws_tgw_table, (backend, att, association["TransitGatewayRouteTableId"])

    def aws_tgw_table(self, backend: Any, came_from: Any, table_id: str) -> Step:
        self.enter(table_id)
        where = f"AWS {came_from.transit_gateway_id} (from {came_from.id})"
        routes = backend.search_transit_gateway_routes(table_id, filters={})
        best = _longest(routes, lambda r: r.get("destinationCidrBlock"), self.dst)
        if best is None:
            raise _Stop(table_id, "no_route", f"TGW route table {table_id} has no route to {self.dst}")
        cidr = best["destinationCidrBlock"]
        targets = best.get("transitGatewayAttachments") or []
        if best.get("state") == "blackhole" or not targets:
            self.hop(where, table_id, cidr, "blackhole")
            raise _Stop(table_id, "blackhole", f"{cidr} in TGW route table {table_id} is a blackhole route"
                                               + (" (its attachment is gone)" if targets else ""))
        if len(targets) > 1:
            self.note(f"{cidr} in {table_id} has {len(targets)} equal-cost attachments; the trace follows the first")
        att_id = targets[0]["transitGatewayAttachmentId"]
        att = backend.transit_gateway_attachments.get(att_id)
        self.hop(where, table_id, cidr, att_id)
        if att is None or att.state != "available":
            raise _Stop(att_id, "attachment_not_ready", f"{cidr} in {table_id} leads to {att_id}, which is "
                                                        f"{att.state if att is not None else 'gone'}")
        if att.resource_type == "vpc":
            return self._aws_into_vpc(backend, att)
        if att.resource_type == "vpn":
            return self.aws_vpn_out, (backend.vpn_connections[att.resource_id],)
        raise _Stop(att.id, "not_modeled", f"{cidr} in {table_id} leads to {att.resource_type} attachment {att.id}; "
                                           "the twin's data plane does not model transit gateway peering")

    def _aws_into_vpc(self, backend: Any, att: Any) -> Step:
        """Into a VPC from its TGW attachment: by the VPC's local route only (the twin's simplification: it does
        not route onward by the route table of the attachment's subnets)."""
        vpc = backend.vpcs.get(att.resource_id)
        cidrs = [a.get("cidr_block") for a in vpc.get_cidr_block_association_set(ipv6=False)] if vpc else []
        cidr = next((c for c in cidrs if c and self.dst in _net(c)), None)
        if cidr is None:
            raise _Stop(att.id, "not_modeled", f"{self.dst} is outside AWS {att.resource_id}, which the TGW sends it "
                                               f"to over {att.id}; the twin delivers into a VPC from a TGW attachment "
                                               "by the VPC's local route only")
        return self._aws_deliver(backend, att.resource_id, f"AWS {att.resource_id} (from {att.id})", None, cidr, att.id)

    def _aws_selectors(self, vpn: Any, aws_ip: ipaddress.IPv4Address, customer_ip: ipaddress.IPv4Address) -> None:
        """AWS's traffic selectors: RemoteIpv4NetworkCidr is the AWS side, LocalIpv4NetworkCidr the customer's."""
        options = vpn.options or {}
        remote, local = options.get("RemoteIpv4NetworkCidr") or "0.0.0.0/0", options.get("LocalIpv4NetworkCidr") \
            or "0.0.0.0/0"
        if not (_inside(aws_ip, remote) and _inside(customer_ip, local)):
            raise _Stop(vpn.id, "selectors", f"AWS VPN {vpn.id} carries {remote} <-> {local} only; {self.src} -> "
                                             f"{self.dst} is outside its traffic selectors")

    def aws_vpn_out(self, vpn: Any) -> Step:
        from .aws.extensions import vpn as aws_vpn

        if vpn.state != "available":
            raise _Stop(vpn.id, "gateway_unavailable", f"AWS VPN {vpn.id} is {vpn.state}")
        self._aws_selectors(vpn, self.src, self.dst)
        customer_ip = aws_vpn.customer_gateway_ip(vpn)
        why = []
        for index, (telemetry, tunnel) in enumerate(zip(vpn.vgw_telemetry, aws_vpn.tunnel_options(vpn))):
            outside = tunnel["OutsideIpAddress"]
            end = next((e for e in self.alibaba_ends if e.cgw["IpAddress"] == outside and e.source_ip == customer_ip
                        and _end_is_up(e)), None)
            if telemetry["Status"] == "UP" and end is not None:
                self.hop(f"AWS VPN {vpn.id} tunnel {index + 1} ({outside})", None, None, end.label)
                return self.alibaba_ipsec_in, (end,)
            said = telemetry["StatusMessage"] if telemetry["Status"] != "UP" else "its peer is not in this twin"
            why.append(f"tunnel {index + 1} ({outside}) {telemetry['Status']}: {said}")
        raise _Stop(vpn.id, "tunnel_down", f"no tunnel of AWS VPN {vpn.id} is UP toward the twin's Alibaba side ("
                                           + "; ".join(why) + ")")

    def aws_vpn_in(self, vpn: Any) -> Step:
        self._aws_selectors(vpn, self.dst, self.src)
        att = _aws_attachment(vpn.ec2_backend, "vpn", vpn.id)
        if att is None:
            raise _Stop(vpn.id, "not_modeled", f"AWS VPN {vpn.id} has no available transit gateway attachment (a "
                                               "virtual private gateway is not modeled by the twin's data plane)")
        return self.aws_tgw_attachment, (vpn.ec2_backend, att)

    # --- Alibaba: VPC route tables ---------------------------------------------------------------------------
    def alibaba_vswitch(self, vsw: Resource) -> Step:
        vpc = self.state.find("Vpc", vsw["VpcId"])
        return self.alibaba_vpc(vpc, _table_of_vswitch(self.state, vsw))

    def alibaba_vpc(self, vpc: Optional[Resource], table: Optional[Resource] = None) -> Step:
        if vpc is None or vpc.deleted:
            raise _Stop("", "not_modeled", "the next VPC no longer exists")
        return self.alibaba_route_table, (vpc, table or ali_vpc.system_table(self.state, vpc))

    def alibaba_route_table(self, vpc: Resource, table: Resource) -> Step:
        self.enter(table.id)
        where = f"Alibaba {vpc.id} ({vpc.region}) route table"
        entries = [e for e in ali_vpc.route_table_entries(self.state, table) if e.get("Status") == "Available"]
        best = _longest(entries, lambda e: e["DestinationCidrBlock"], self.dst)
        if best is None:
            raise _Stop(table.id, "no_route", f"route table {table.id} of Alibaba {vpc.id} ({vpc.region}) has no "
                                              f"route to {self.dst}")
        cidr = best["DestinationCidrBlock"]
        next_hop = best["NextHops"]["NextHop"][0]
        hop_type, hop_id = next_hop["NextHopType"], next_hop.get("NextHopId") or ""
        if hop_type == "local":
            vsw = _vswitch_holding(self.state, vpc.id, self.dst)
            self.hop(where, table.id, cidr, f"local: {vsw.id}")
            raise _Stop(delivered_to={"cloud": "alibaba", "account": vpc.owner, "region": vpc.region, "vpc": vpc.id,
                                      "network": vsw.id})
        self.hop(where, table.id, cidr, f"{hop_type} {hop_id}".strip())
        if hop_type == "VpnGateway":
            return self.alibaba_vpn_gateway, (self.state.find("VpnGateway", hop_id), hop_id)
        if hop_type == "Attachment":
            return self.alibaba_vpc_attachment, (attachment_of(self.state, hop_id), hop_id, vpc)
        if hop_type == "RouterInterface":
            return self.alibaba_router_interface, (self.state.find("RouterInterface", hop_id), hop_id)
        if hop_type == "VpcPeer":
            return self.alibaba_vpc_peer, (self.state.find("VpcPeerConnection", hop_id), hop_id, vpc)
        if hop_type == "CEN":
            return self.alibaba_basic_cen, (hop_id, next_hop, vpc)
        raise _Stop(table.id, "not_modeled", f"{cidr} in {table.id} leads to {hop_type} {hop_id}; the twin's data "
                                             "plane does not forward through it")

    def alibaba_basic_cen(self, cen_id: str, next_hop: Dict[str, Any], vpc: Resource) -> Step:
        far = self.state.find("Vpc", (next_hop.get("NextHopRelatedInfo") or {}).get("InstanceId") or "")
        if far is None:
            raise _Stop(cen_id, "no_route", f"CEN {cen_id} learned the route from a VPC that is gone")
        self._bandwidth_note(inter_region_bandwidth(self.state, cen_id, vpc.region, far.region),
                             f"CEN {cen_id} between {vpc.region} and {far.region}",
                             "a bandwidth package and a region-pair bandwidth limit")
        return self.alibaba_vpc(far)

    def _bandwidth_note(self, bandwidth: Optional[Dict[str, Any]], what: str, remedy: str) -> None:
        if bandwidth and bandwidth.get("source") == "Test":
            self.note(f"{what} has only the 1 Kbps test bandwidth: enough for ping, not for real traffic (it needs "
                      f"{remedy})")

    # --- Alibaba: VPN gateways and IPsec connections ---------------------------------------------------------
    def _covers(self, vco: Resource, local_ip: ipaddress.IPv4Address, remote_ip: ipaddress.IPv4Address) -> bool:
        return _inside(local_ip, vco.get("LocalSubnet")) and _inside(remote_ip, vco.get("RemoteSubnet"))

    def alibaba_vpn_gateway(self, gw: Optional[Resource], gw_id: str) -> Step:
        if gw is None or gw.deleted or gw["Status"] not in ("active", "updating"):
            raise _Stop(gw_id, "gateway_unavailable", f"VPN gateway {gw_id} is "
                                                      f"{gw['Status'] if gw is not None else 'gone'}")
        self.enter(gw.id)
        where = f"Alibaba VPN gateway {gw.id} ({gw.region})"
        connections = connections_of(self.state, VpnGatewayId=gw.id)
        # Policy-based routes (protected data flows) take precedence over destination-based routes.
        flows = [c for c in connections if routing_mode(c) == "protected" and self._covers(c, self.src, self.dst)]
        if flows:
            chosen = next((c for c in flows if connection_is_up(c)), flows[0])
            self.hop(where, None, f"{chosen['LocalSubnet']} -> {chosen['RemoteSubnet']}", chosen.id)
            return self.alibaba_ipsec_out, (chosen,)
        if not any(routing_mode(c) == "destination" for c in connections):
            raise _Stop(gw.id, "selectors", f"no IPsec-VPN connection of VPN gateway {gw.id} protects {self.src} -> "
                                            f"{self.dst} (LocalSubnet / RemoteSubnet)")
        chosen = vpn_route_for(self.state, gw.id, str(self.dst))
        if chosen is None:
            raise _Stop(gw.id, "no_vpn_route", f"VPN gateway {gw.id} uses destination routing and has no VPN route "
                                               f"entry for {self.dst}: the tunnel may be up, the packet is dropped "
                                               "(CreateVpnRouteEntry)")
        route = _longest((r for r in routes_of(self.state, gw.id) if r["NextHop"] == chosen.id),
                         lambda r: r["RouteDest"], self.dst)
        self.hop(where, None, route["RouteDest"] if route else None, chosen.id)
        return self.alibaba_ipsec_out, (chosen,)

    def alibaba_ipsec_out(self, vco: Optional[Resource]) -> Step:
        if vco is None or vco.deleted:
            raise _Stop("", "not_attached", "the IPsec-VPN connection is gone")
        if routing_mode(vco) == "protected" and not self._covers(vco, self.src, self.dst):
            raise _Stop(vco.id, "selectors", f"IPsec-VPN connection {vco.id} protects {vco['LocalSubnet']} -> "
                                             f"{vco['RemoteSubnet']} only; {self.src} -> {self.dst} is outside")
        from .aws.extensions import vpn as aws_vpn

        ends = sorted((e for e in self.alibaba_ends if e.vco.id == vco.id), key=_tunnel_order)
        for end in ends:
            if not _end_is_up(end):
                continue
            for _account, _region, aws in aws_vpn.iter_vpn_connections():
                if aws_vpn.customer_gateway_ip(aws) != end.source_ip:
                    continue
                for index, (tunnel, telemetry) in enumerate(zip(aws_vpn.tunnel_options(aws), aws.vgw_telemetry)):
                    if tunnel["OutsideIpAddress"] == end.cgw["IpAddress"] and telemetry["Status"] == "UP":
                        self.hop(end.label, None, None, f"AWS VPN {aws.id} tunnel {index + 1} "
                                                        f"({tunnel['OutsideIpAddress']})")
                        return self.aws_vpn_in, (aws,)
        raise _Stop(vco.id, "tunnel_down", f"no tunnel of IPsec-VPN connection {vco.id} is up toward AWS ("
                                           + "; ".join(self._tunnel_reasons(vco, ends)) + ")")

    def _tunnel_reasons(self, vco: Resource, ends: Sequence[crosscloud.AlibabaTunnel]) -> List[str]:
        """Each tunnel's status and crosscloud's last word on it (which never holds a key)."""
        out = []
        for end in ends:
            tunnel_id = end.tunnel["TunnelId"] if end.tunnel else None
            said = [e["message"] for e in self.state.events if e.get("kind") == "tunnel"
                    and e.get("vpn_connection_id") == vco.id and e.get("tunnel_id") == tunnel_id]
            status = (end.tunnel or end.vco).get("Status")
            out.append(f"{end.label}: {status}" + (f" - {said[-1]}" if said and status != ESTABLISHED else ""))
        return out or [f"{vco.id} has no tunnel with a customer gateway"]

    def alibaba_ipsec_in(self, end: crosscloud.AlibabaTunnel) -> Step:
        vco = end.vco
        if routing_mode(vco) == "protected" and not self._covers(vco, self.dst, self.src):
            raise _Stop(vco.id, "selectors", f"IPsec-VPN connection {vco.id} accepts {vco['RemoteSubnet']} -> "
                                             f"{vco['LocalSubnet']} only; {self.src} -> {self.dst} is outside")
        if end.gateway is not None:
            vpc = self.state.find("Vpc", end.gateway.get("VpcId") or "")
            self.hop(f"Alibaba VPN gateway {end.gateway.id}", None, None, f"into {vpc.id if vpc else 'a gone VPC'}")
            return self.alibaba_vpc(vpc)
        att = next((a for a in self.state.all(VPN_ATTACHMENT, include_invisible=True)
                    if a.get("VpnId") == vco.id and a["Status"] in ("Attached", "Modifying")), None)
        if att is None:
            raise _Stop(vco.id, "not_attached", f"IPsec-VPN connection {vco.id} has no VPN gateway and is attached to "
                                                "no transit router: nothing forwards what it receives")
        self.hop(f"Alibaba IPsec {vco.id}", None, None, f"{att.id} on {att['TransitRouterId']}")
        return self.alibaba_tr_attachment, (att, att["TransitRouterId"])

    # --- Alibaba: transit routers -----------------------------------------------------------------------------
    def alibaba_vpc_attachment(self, att: Optional[Resource], att_id: str, vpc: Resource) -> Step:
        if att is None or att.kind != VPC_ATTACHMENT or att.get("VpcId") != vpc.id:
            raise _Stop(att_id, "no_attachment", f"{vpc.id} routes {self.dst} to {att_id}, which is not a transit "
                                                 "router attachment of that VPC")
        return self.alibaba_tr_attachment, (att, att["TransitRouterId"])

    def alibaba_tr_attachment(self, att: Resource, tr_id: str) -> Step:
        if att["Status"] not in ("Attached", "Modifying"):
            raise _Stop(att.id, "attachment_not_ready", f"transit router attachment {att.id} is {att['Status']}")
        table = associated_table(self.state, att.id, tr_id)
        if table is None:
            raise _Stop(att.id, "no_association", f"transit router attachment {att.id} is associated with no route "
                                                  f"table of {tr_id}: the router drops what arrives on it")
        return self.alibaba_tr_table, (table, att)

    def alibaba_tr_table(self, table: Resource, came_from: Resource) -> Step:
        self.enter(table.id)
        where = f"Alibaba transit router {table['TransitRouterId']} ({table.region}, from {came_from.id})"
        entries = [e for e in route_table_entries(self.state, table.id)
                   if e["TransitRouterRouteEntryStatus"] == "Active"]
        best = _longest(entries, lambda e: e["TransitRouterRouteEntryDestinationCidrBlock"], self.dst)
        if best is None:
            raise _Stop(table.id, "no_route", f"transit router route table {table.id} has no route to {self.dst}")
        cidr = best["TransitRouterRouteEntryDestinationCidrBlock"]
        if best["TransitRouterRouteEntryNextHopType"] != "Attachment":
            self.hop(where, table.id, cidr, "blackhole")
            raise _Stop(table.id, "blackhole", f"{cidr} in transit router route table {table.id} is a blackhole route")
        att_id = best["TransitRouterRouteEntryNextHopId"]
        att = attachment_of(self.state, att_id)
        self.hop(where, table.id, cidr, att_id)
        if att is None or att["Status"] not in ("Attached", "Modifying"):
            raise _Stop(att_id, "attachment_not_ready", f"{cidr} in {table.id} leads to {att_id}, which is "
                                                        f"{att['Status'] if att is not None else 'gone'}")
        if att.kind == VPC_ATTACHMENT:
            return self.alibaba_vpc(self.state.find("Vpc", att["VpcId"]))
        if att.kind == PEER_ATTACHMENT:
            here = table["TransitRouterId"]
            far = att["PeerTransitRouterId"] if att["TransitRouterId"] == here else att["TransitRouterId"]
            self._bandwidth_note(peer_bandwidth(self.state, att.id), f"inter-region connection {att.id}",
                                 "Bandwidth from a bandwidth package, or pay-by-data-transfer")
            return self.alibaba_tr_attachment, (att, far)
        if att.kind == VPN_ATTACHMENT:
            return self.alibaba_ipsec_out, (self.state.find("VpnConnection", att["VpnId"]),)
        raise _Stop(att_id, "not_modeled", f"{att_id} is a {att.kind}")

    # --- Alibaba: peerings -----------------------------------------------------------------------------------
    def alibaba_router_interface(self, ri: Optional[Resource], ri_id: str) -> Step:
        if ri is None or ri.deleted:
            raise _Stop(ri_id, "interface_inactive", f"router interface {ri_id} is gone")
        other = paired_interface(self.state, ri)
        if other is None:
            raise _Stop(ri.id, "interface_inactive", f"router interface {ri.id} has no opposite interface naming it "
                                                     "back (ModifyRouterInterfaceAttribute on both sides)")
        for side in (ri, other):
            if side["Status"] != "Active":
                raise _Stop(side.id, "interface_inactive", f"router interface {side.id} is {side['Status']}, not "
                                                           f"Active: the pair {ri.id} <-> {other.id} carries nothing")
        far = ali_vpc.vpc_of_router(self.state, other["RouterId"])
        self.hop(f"Alibaba router interface {ri.id}", None, None, f"{other.id} into {far.id if far else '?'}")
        return self.alibaba_vpc(far)

    def alibaba_vpc_peer(self, conn: Optional[Resource], conn_id: str, vpc: Resource) -> Step:
        if conn is None or not is_active(conn):
            status = conn["Status"] if conn is not None and not conn.deleted else "gone"
            raise _Stop(conn_id, "peering_inactive", f"VPC peering connection {conn_id} is {status}, not Activated")
        far = self.state.find("Vpc", peer_vpc_of(conn, vpc.id) or "")
        self.hop(f"Alibaba VPC peering {conn.id}", None, None, f"into {far.id if far else '?'}")
        return self.alibaba_vpc(far)


def trace(twin: Any, src_ip: str, dst_ip: str) -> Dict[str, Any]:
    """Follow one packet from host ``src_ip`` to ``dst_ip`` through both clouds of ``twin`` (see the module doc).

    Raises ValueError for an address that is not IPv4. Alibaba async states are settled and every tunnel is
    negotiated again first (what the next API read would do), so the trace sees what the APIs would show.
    """
    src, dst = _ip(src_ip, "src"), _ip(dst_ip, "dst")
    state = twin.backend.state
    with state.lock:  # the Alibaba lock first, then crosscloud's, as every Alibaba request takes them
        state.settle()
        crosscloud.evaluate([state])
        return _Trace(state, src, dst).run()
