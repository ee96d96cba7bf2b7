# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reachability: the snapshot, indexed by id, and the labels used in every sentence.

``SnapshotIndex`` is read-only after construction except for ``remember`` (every prefix seen
anywhere becomes an address-class boundary) and the ``vpc_id`` it fills in on router
interfaces known only by their router. A new resource kind is indexed by a method called from
``__init__`` (keep dicts keyed by id; the steps and table builders read them).

Snapshot format (every list may be empty or missing; unknown keys are ignored)::

    {
      "aws": {
        "vpcs": [{"id": "vpc-1", "name": "vpc-a", "account": "1234", "region": "us-east-1",
                  "cidrs": ["172.16.0.0/16"],
                  "subnets": [{"id": "subnet-1", "cidr": "172.16.0.0/24", "route_table_id": "rtb-1"}],
                  "route_tables": [{"id": "rtb-1", "routes": [
                      {"destination": "172.16.0.0/16", "target_type": "local", "target_id": "local",
                       "state": "active"},
                      # target_type: local | transit_gateway | gateway | nat_gateway | vpc_peering | ...
                      {"destination": "10.0.0.0/8", "target_type": "transit_gateway", "target_id": "tgw-1",
                       "state": "active"}]}]}],           # state "blackhole": the target is gone
        "transit_gateways": [{"id": "tgw-1", "name": "hub", "region": "us-east-1", "state": "available",
            "route_tables": [{"id": "tgw-rtb-1", "name": "main",
                "associations": ["tgw-attach-1"],      # attachments whose traffic uses this table
                "propagations": ["tgw-attach-1"],      # VPC attachments whose CIDRs are propagated
                "routes": [{"destination": "10.0.0.0/8", "type": "static",   # static | propagated
                            "state": "active",                                 # active | blackhole
                            "attachment_id": "tgw-attach-3"}]}]}],
        "tgw_attachments": [{"id": "tgw-attach-1", "tgw_id": "tgw-1", "type": "vpc",   # vpc | vpn | peering
                             "resource_id": "vpc-1", "state": "available"}],
        "vpn_connections": [{"id": "vpn-1", "name": "to-tokyo", "state": "available", "tgw_id": "tgw-1",
            "attachment_id": "tgw-attach-3", "customer_gateway_id": "cgw-1",
            "local_cidr": "0.0.0.0/0",    # LocalIpv4NetworkCidr: the customer (Alibaba) side
            "remote_cidr": "0.0.0.0/0",   # RemoteIpv4NetworkCidr: the AWS side
            "tunnels": [{"outside_ip": "203.0.113.10", "status": "UP",    # UP | DOWN | None (unknown)
                         "status_message": "", "inside_cidr": "169.254.10.0/30",
                         "psk_hash": "...",   # keyed hash of the PSK (never the PSK itself), or None
                         "ike_versions": ["ikev2"],            # empty: AWS defaults (ikev1, ikev2)
                         "phase1": {"encryption": ["AES256"], "integrity": ["SHA2-256"],
                                    "dh_groups": [14], "lifetime": 28800},   # empty lists: AWS defaults
                         "phase2": {"encryption": [...], "integrity": [...], "dh_groups": [...],
                                    "lifetime": 3600}}]}],
        "customer_gateways": [{"id": "cgw-1", "ip": "198.51.100.7", "state": "available"}],
      },
      "alicloud": {
        "vpcs": [{"id": "vpc-t", "name": "tokyo-vpc", "account": "5123", "region": "ap-northeast-1",
                  "cidrs": ["10.0.0.0/8"], "router_id": "vrt-1",
                  "vswitches": [{"id": "vsw-1", "cidr": "10.0.0.0/24", "route_table_id": "vtb-1"}],
                  "route_tables": [{"id": "vtb-1", "type": "System", "routes": [
                      {"destination": "172.16.0.0/12", "type": "Custom",     # System | Custom | CEN | ...
                       # next_hop_type: VpnGateway | RouterInterface | Attachment (a transit router connection;
                       # type CEN when the router synchronised it) | VpcPeer | ...
                       "next_hop_type": "VpnGateway", "next_hop_id": "vpn-g1", "status": "Available"}]}]}],
        "cens": [{"id": "cen-1", "name": "cen", "status": "Active",
                  "attachments": [{"instance_id": "vpc-t", "instance_type": "VPC", "region": "ap-northeast-1",
                                   "owner": "5123", "status": "Attached"}],
                  "published_routes": [{"vpc_id": "vpc-t", "route_table_id": "vtb-1",
                                        "destination": "172.16.0.0/12", "next_hop_type": "VpnGateway",
                                        "next_hop_id": "vpn-g1",
                                        "publish_status": "Published"}]}],   # Published | NonPublished
        "vpn_gateways": [{"id": "vpn-g1", "name": "gw", "vpc_id": "vpc-t", "region": "ap-northeast-1",
                          "public_ip": "198.51.100.7", "status": "active",
                          "secondary_ip": "198.51.100.8",     # DisasterRecoveryInternetIp: dual-tunnel slaves
                          # destination routing (DescribeVpnRouteEntries); read for gateways with a connection
                          # whose selectors are both 0.0.0.0/0
                          "route_entries": [{"destination": "172.16.0.0/16", "next_hop": "vco-1",
                                             "weight": 100, "state": "normal"}]}],   # 100 active, 0 standby
        "customer_gateways": [{"id": "cgw-a1", "ip": "203.0.113.10"}],
        "ipsec_connections": [{"id": "vco-1", "name": "to-aws", "vpn_gateway_id": "vpn-g1",
            "customer_gateway_id": "cgw-a1", "status": "ipsec_sa_established", "state": "active",
            "local_subnets": ["0.0.0.0/0"], "remote_subnets": ["172.16.0.0/12"],   # both 0.0.0.0/0: destination routing
            "ike": {"version": "ikev2", "encryption": "aes256", "integrity": "sha256",
                    "dh_group": "group14", "lifetime": 28800, "psk_hash": "...",
                    "mode": "main", "local_id": None, "remote_id": None},   # ids: None = the public IPs
            "ipsec": {"encryption": "aes256", "integrity": "sha256", "dh_group": "group14",
                      "lifetime": 3600},
            "attach_type": "VPNGW",             # VPNGW (on a VPN gateway) | CEN (attached to a transit router)
            "ip": None,                         # a single-tunnel TR-attached connection's own IP
            # dual tunnel (TunnelOptionsSpecification): each tunnel is its own IKE peer; the connection's
            # customer_gateway_id / ike / ipsec are then unused
            "tunnels": [{"id": "tun-1", "index": 1, "role": "master",       # master | slave
                         "ip": "198.51.100.7",                               # the tunnel's own source IP
                         "customer_gateway_id": "cgw-a1", "status": "ipsec_sa_established",
                         "ike": {...}, "ipsec": {...}}]}],
        "router_interfaces": [{"id": "ri-1", "name": "a-to-b", "status": "Active", "role": "InitiatingSide",
            "router_id": "vrt-1", "vpc_id": "vpc-t", "region": "ap-northeast-1", "account": "5111",
            "opposite_interface_id": "ri-2", "opposite_owner": "5222"}],
        "transit_routers": [{"id": "tr-t", "cen_id": "cen-1", "name": "tokyo", "region": "ap-northeast-1",
            "account": "5123", "status": "Active",
            "route_tables": [{"id": "vtb-tr-t", "type": "System",         # System | Custom
                "associations": ["tr-attach-t"],   # attachments that forward by this table (Active)
                "propagations": ["tr-attach-t"],   # attachments whose routes it learns (Active)
                "routes": [{"destination": "192.168.0.0/24", "type": "Propagated",   # Static | Propagated
                            "status": "Active", "next_hop_type": "Attachment",        # Attachment | BlackHole
                            "next_hop_id": "tr-attach-peer"}]}]}],                     # the Active routes
        "tr_attachments": [
            {"id": "tr-attach-t", "kind": "vpc", "tr_id": "tr-t", "status": "Attached",   # vpc | peer | vpn
             "region": "ap-northeast-1", "vpc_id": "vpc-t", "auto_publish": False},
            {"id": "tr-attach-peer", "kind": "peer", "tr_id": "tr-t", "status": "Attached",
             "peer_tr_id": "tr-b", "peer_region": "cn-beijing", "bandwidth_type": "BandwidthPackage",
             "bandwidth": 0, "bandwidth_package_id": None},   # no package, no DataTransfer: 1 Kbps test bandwidth
            {"id": "tr-attach-vpn", "kind": "vpn", "tr_id": "tr-t", "status": "Attached", "vpn_id": "vco-2"}],
        "vpc_peer_connections": [{"id": "pcc-1", "name": "a-b", "status": "Activated",   # Accepting | Activated | ...
            "vpc_id": "vpc-ta", "account": "5111", "region": "ap-northeast-1",           # the requester
            "accepting_vpc_id": "vpc-sb", "accepting_account": "5222", "accepting_region": "us-west-1"}],
      },
      "probes": [{"name": "tokyo", "ip": "10.0.0.17"},
                 {"name": "dup", "ip": "10.0.0.5", "vpc": "vpc-t"}],  # vpc (id or name) only if ambiguous
    }
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.multicloud.transit.plugins.module_utils.reachability_tables import contains, net


class SnapshotIndex(object):
    """Dicts by id of everything in the snapshot, plus the lookups the tracer needs."""

    def __init__(self, snapshot):
        self.snapshot = snapshot or {}
        self.aws = self.snapshot.get("aws") or {}
        self.ali = self.snapshot.get("alicloud") or {}
        self.prefixes = set([net("0.0.0.0/0")])   # every (len, value) used anywhere: address classes
        self.subnet_index = []                    # (cidr, vpc key, start domain) of every subnet / vSwitch
        self._dest_names = {}
        self._index_aws()
        self._index_alicloud()

    def remember(self, cidr):
        self.prefixes.add(net(cidr))

    def _index_aws(self):
        aws = self.aws
        self.aws_vpcs = {}
        self.aws_rtb_vpc = {}
        for vpc in aws.get("vpcs") or []:
            key = ("aws", vpc["id"])
            self.aws_vpcs[vpc["id"]] = vpc
            for cidr in vpc.get("cidrs") or []:
                self.remember(cidr)
            for table in vpc.get("route_tables") or []:
                self.aws_rtb_vpc[table["id"]] = vpc["id"]
            for sub in vpc.get("subnets") or []:
                self.remember(sub["cidr"])
                self.subnet_index.append((sub["cidr"], key, ("aws-rtb", sub.get("route_table_id"))))
        self.tgws = dict((t["id"], t) for t in aws.get("transit_gateways") or [])
        self.attachments = dict((a["id"], a) for a in aws.get("tgw_attachments") or [])
        self.vpc_attachment = {}   # (tgw, vpc) -> attachment
        for att in self.attachments.values():
            if att.get("type") == "vpc":
                self.vpc_attachment[(att["tgw_id"], att.get("resource_id"))] = att
        self.association = {}      # (tgw, attachment) -> tgw route table id
        self.rtb_tgw = {}
        for tgw in self.tgws.values():
            for table in tgw.get("route_tables") or []:
                self.rtb_tgw[table["id"]] = tgw["id"]
                for att_id in table.get("associations") or []:
                    self.association[(tgw["id"], att_id)] = table["id"]
        self.vpns = dict((v["id"], v) for v in aws.get("vpn_connections") or [])
        self.vpn_by_attachment = {}
        for vpn in self.vpns.values():
            if vpn.get("attachment_id"):
                self.vpn_by_attachment[vpn["attachment_id"]] = vpn
            for cidr in (vpn.get("local_cidr"), vpn.get("remote_cidr")):
                if cidr:
                    self.remember(cidr)
        for att in self.attachments.values():
            if att.get("type") == "vpn" and att["id"] not in self.vpn_by_attachment:
                vpn = self.vpns.get(att.get("resource_id"))
                if vpn:
                    self.vpn_by_attachment[att["id"]] = vpn
        self.aws_cgws = dict((c["id"], c) for c in aws.get("customer_gateways") or [])

    def _index_alicloud(self):
        ali = self.ali
        self.ali_vpcs = {}
        self.ali_rtb_vpc = {}
        self.ali_router_vpc = {}
        for vpc in ali.get("vpcs") or []:
            key = ("ali", vpc["id"])
            self.ali_vpcs[vpc["id"]] = vpc
            if vpc.get("router_id"):
                self.ali_router_vpc[vpc["router_id"]] = vpc["id"]
            for cidr in vpc.get("cidrs") or []:
                self.remember(cidr)
            system = self.system_table_id(vpc)
            for table in vpc.get("route_tables") or []:
                self.ali_rtb_vpc[table["id"]] = vpc["id"]
            for vsw in vpc.get("vswitches") or []:
                self.remember(vsw["cidr"])
                self.subnet_index.append((vsw["cidr"], key, ("ali-rtb", vsw.get("route_table_id") or system)))
        self.cens = dict((c["id"], c) for c in ali.get("cens") or [])
        self.vpc_cens = {}
        for cen in self.cens.values():
            for att in cen.get("attachments") or []:
                if att.get("status", "Attached") == "Attached" and att.get("instance_type", "VPC") == "VPC":
                    self.vpc_cens.setdefault(att["instance_id"], []).append(cen["id"])
        self.vpn_gws = dict((g["id"], g) for g in ali.get("vpn_gateways") or [])
        self.ali_cgws = dict((c["id"], c) for c in ali.get("customer_gateways") or [])
        self.ipsecs = dict((c["id"], c) for c in ali.get("ipsec_connections") or [])
        self.ipsec_by_gw = {}      # VPN gateway id -> its IPsec connections, by id
        for conn in sorted(self.ipsecs.values(), key=lambda c: c["id"]):
            self.ipsec_by_gw.setdefault(conn.get("vpn_gateway_id"), []).append(conn)
            for cidr in (conn.get("local_subnets") or []) + (conn.get("remote_subnets") or []):
                self.remember(cidr)
        self.ris = dict((r["id"], r) for r in ali.get("router_interfaces") or [])
        for ri in self.ris.values():
            if not ri.get("vpc_id") and ri.get("router_id") in self.ali_router_vpc:
                ri["vpc_id"] = self.ali_router_vpc[ri["router_id"]]
        self._index_transit_routers()
        self.vpc_peers = dict((c["id"], c) for c in ali.get("vpc_peer_connections") or [])
        self.vpc_peers_of = {}     # vpc id -> [peering connections with it at one end]
        for conn in sorted(self.vpc_peers.values(), key=lambda c: c["id"]):
            for vpc_id in (conn.get("vpc_id"), conn.get("accepting_vpc_id")):
                self.vpc_peers_of.setdefault(vpc_id, []).append(conn)

    def _index_transit_routers(self):
        ali = self.ali
        self.transit_routers = dict((tr["id"], tr) for tr in ali.get("transit_routers") or [])
        self.tr_tables = {}        # table id -> table
        self.tr_table_router = {}  # table id -> transit router id
        self.tr_association = {}   # (transit router id, attachment id) -> table id (each end of a peer has its own)
        for tr in self.transit_routers.values():
            for table in tr.get("route_tables") or []:
                self.tr_tables[table["id"]] = table
                self.tr_table_router[table["id"]] = tr["id"]
                for att_id in table.get("associations") or []:
                    self.tr_association[(tr["id"], att_id)] = table["id"]
        self.tr_attachments = dict((a["id"], a) for a in ali.get("tr_attachments") or [])
        self.vpc_tr_attachments = {}   # vpc id -> [its transit router VPC connections]
        self.tr_vpn_attachment = {}    # IPsec connection id -> its transit router VPN attachment
        for att in sorted(self.tr_attachments.values(), key=lambda a: a["id"]):
            if att.get("kind") == "vpc":
                self.vpc_tr_attachments.setdefault(att.get("vpc_id"), []).append(att)
            elif att.get("kind") == "vpn":
                self.tr_vpn_attachment[att.get("vpn_id")] = att

    @staticmethod
    def system_table_id(vpc):
        for table in vpc.get("route_tables") or []:
            if str(table.get("type", "System")).lower() == "system":
                return table["id"]
        return None

    # --- lookups and labels -------------------------------------------------------------------------
    def tr_label(self, tr_id):
        tr = self.transit_routers.get(tr_id) or {}
        name = tr.get("name")
        where = tr.get("region") or ""
        return ("transit router %s (%s, %s)" % (name, tr_id, where)) if name else "transit router %s (%s)" % (
            tr_id, where)

    def peer_end(self, att, tr_id):
        """The transit router at the other end of an inter-region connection, seen from ``tr_id``."""
        return att.get("peer_tr_id") if att.get("tr_id") == tr_id else att.get("tr_id")

    def vpc(self, key):
        """The VPC dict of a VPC key ``("aws" | "ali", id)`` ({} when unknown)."""
        return (self.aws_vpcs if key[0] == "aws" else self.ali_vpcs).get(key[1]) or {}

    def vpc_label(self, key):
        vpc = self.vpc(key)
        name = vpc.get("name")
        where = vpc.get("region") or ""
        cloud_name = "AWS" if key[0] == "aws" else "Alibaba"
        if name:
            return "%s VPC %s (%s, %s)" % (cloud_name, name, key[1], where)
        return "%s VPC %s (%s)" % (cloud_name, key[1], where)

    def vpc_short(self, key):
        return self.vpc(key).get("name") or key[1]

    def describe_destination(self, dst_ip):
        """'172.17.0.0/16' (the VPC CIDR holding the address) or the address itself."""
        if dst_ip in self._dest_names:
            return self._dest_names[dst_ip]
        best = None
        for vpc in list(self.aws_vpcs.values()) + list(self.ali_vpcs.values()):
            for cidr in vpc.get("cidrs") or []:
                if contains(cidr, dst_ip) and (best is None or net(cidr)[0] > net(best)[0]):
                    best = cidr
        self._dest_names[dst_ip] = best or str(ipaddress.ip_address(dst_ip))
        return self._dest_names[dst_ip]
