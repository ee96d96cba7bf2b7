# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cross-cloud reachability: a pure engine over a normalised snapshot of both clouds.

No SDK, no I/O: ``reachability_snapshot.py`` reads the clouds into the plain dict below,
``analyse(snapshot)`` traces every ordered probe pair hop by hop and
``reachability_report.py`` renders the result.

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
                       "next_hop_type": "VpnGateway", "next_hop_id": "vpn-g1", "status": "Available"}]}]}],
        "cens": [{"id": "cen-1", "name": "cen", "status": "Active",
                  "attachments": [{"instance_id": "vpc-t", "instance_type": "VPC", "region": "ap-northeast-1",
                                   "owner": "5123", "status": "Attached"}],
                  "published_routes": [{"vpc_id": "vpc-t", "route_table_id": "vtb-1",
                                        "destination": "172.16.0.0/12", "next_hop_type": "VpnGateway",
                                        "next_hop_id": "vpn-g1",
                                        "publish_status": "Published"}]}],   # Published | NonPublished
        "vpn_gateways": [{"id": "vpn-g1", "name": "gw", "vpc_id": "vpc-t", "region": "ap-northeast-1",
                          "public_ip": "198.51.100.7", "status": "active"}],
        "customer_gateways": [{"id": "cgw-a1", "ip": "203.0.113.10"}],
        "ipsec_connections": [{"id": "vco-1", "name": "to-aws", "vpn_gateway_id": "vpn-g1",
            "customer_gateway_id": "cgw-a1", "status": "ipsec_sa_established", "state": "active",
            "local_subnets": ["0.0.0.0/0"], "remote_subnets": ["172.16.0.0/12"],
            "ike": {"version": "ikev2", "encryption": "aes256", "integrity": "sha256",
                    "dh_group": "group14", "lifetime": 28800, "psk_hash": "...",
                    "mode": "main", "local_id": None, "remote_id": None},   # ids: None = the public IPs
            "ipsec": {"encryption": "aes256", "integrity": "sha256", "dh_group": "group14",
                      "lifetime": 3600}}],
        "router_interfaces": [{"id": "ri-1", "name": "a-to-b", "status": "Active", "role": "InitiatingSide",
            "router_id": "vrt-1", "vpc_id": "vpc-t", "region": "ap-northeast-1", "account": "5111",
            "opposite_interface_id": "ri-2", "opposite_owner": "5222"}],
      },
      "probes": [{"name": "tokyo", "ip": "10.0.0.17"},
                 {"name": "dup", "ip": "10.0.0.5", "vpc": "vpc-t"}],  # vpc (id or name) only if ambiguous
    }

Rules the engine applies (documented so results can be argued with):

- A probe starts in the route table of the subnet / vSwitch holding its IP.
- Every route table is longest-prefix-matched. AWS: ``local`` delivers inside the VPC,
  ``transit_gateway`` enters the TGW through the VPC's attachment and the TGW route table
  associated with that attachment. TGW routes lead to a VPC attachment (delivered if the
  VPC holds the address), a VPN attachment (its VPN connection's tunnels) or a peering
  attachment (the peer TGW's table associated with it). Propagated routes are derived from
  propagations of VPC attachments when the snapshot does not list them.
- A VPN connection carries traffic over a tunnel whose Alibaba end (an IPsec connection
  whose customer gateway IP is the tunnel's outside IP, on a VPN gateway whose public IP is
  the AWS customer gateway's IP) passes every check: outside IPs, PSK (hash equality), IKE
  version and main mode, identities, a common phase-1 and phase-2 proposal with lifetimes
  AWS accepts, Alibaba selectors inside the AWS connection's networks (one SA pair per
  tunnel with IKEv1), and no side reporting the tunnel down. Selectors also filter which addresses may use it.
- Alibaba route tables hold their vSwitch CIDRs (system, delivered locally), custom entries
  (next hop VpnGateway -> IPsec; RouterInterface -> the opposite interface's VPC) and, in a
  VPC attached to a CEN, the routes CEN learned from the other attached VPCs: their vSwitch
  CIDRs and their custom entries whose publish status is Published. An own entry wins over
  a learned one of the same prefix. Learned entries listed in a route table are not trusted
  on their own: the CEN attachments and publish states decide.
- A pair is reachable when the request reaches the destination VPC and the reply reaches
  the source VPC. Paths through different transit pieces each way are flagged asymmetric.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

MAX_HOPS = 32

AWS_P1_ENC = ["aes128", "aes256", "aes128-gcm16", "aes256-gcm16"]
AWS_P1_INT = ["sha1", "sha256", "sha384", "sha512"]
AWS_P1_DH = [2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24]
AWS_P2_ENC = AWS_P1_ENC
AWS_P2_INT = AWS_P1_INT
AWS_P2_DH = [2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24]
AWS_IKE = ["ikev1", "ikev2"]
AWS_P1_MAX_LIFETIME = 28800
AWS_P2_MAX_LIFETIME = 3600

ALI_UP = ("ipsec_sa_established",)
ALI_DOWN = ("ike_sa_not_established", "ipsec_sa_not_established", "ike_sa_established")


# --- small helpers ----------------------------------------------------------------------------

_NET_CACHE = {}


def net(cidr):
    """'10.0.0.0/8' -> (prefix length, network int); cached. Host bits are cleared."""
    found = _NET_CACHE.get(cidr)
    if found is None:
        n = ipaddress.ip_network(cidr if "/" in cidr else cidr + "/32", strict=False)
        found = (n.prefixlen, int(n.network_address))
        _NET_CACHE[cidr] = found
    return found


MASKS = [0] + [((1 << 32) - 1) ^ ((1 << (32 - n)) - 1) for n in range(1, 33)]


def ip_int(ip):
    return int(ipaddress.ip_address(ip))


def contains(cidr, ip_value):
    length, value = net(cidr)
    return ip_value & MASKS[length] == value


def norm_enc(value):
    v = str(value or "").lower().replace("_", "-")
    return {"aes": "aes128", "aes-128": "aes128", "aes-256": "aes256", "aes-192": "aes192",
            "aes128-gcm-16": "aes128-gcm16", "aes256-gcm-16": "aes256-gcm16"}.get(v, v)


def norm_int(value):
    v = str(value or "").lower().replace("_", "-")
    return {"sha2-256": "sha256", "sha2-384": "sha384", "sha2-512": "sha512"}.get(v, v)


def norm_dh(value):
    v = str(value if value is not None else "").lower()
    if v in ("", "disabled", "none"):
        return 0
    return int(v.replace("group", "") or 0)


def norm_ike(value):
    v = str(value or "").lower().replace("-", "")
    return v if v.startswith("ikev") else ("ikev" + v if v else v)


def _get(dct, key, default=None):
    value = (dct or {}).get(key)
    return default if value is None else value


class Hop(dict):
    """One step of a path: ``domain``, ``route`` ({destination, target}), ``note``."""


def hop(domain, destination, target, note="", kind=""):
    return Hop(domain=domain, kind=kind, route={"destination": destination, "target": target}, note=note)


class Trace(object):
    """A path from a routing domain to a destination class (shared by every probe behind it).

    Hops are a chain (own ``head`` hops, then the memoised ``tail`` trace) so sharing a
    suffix costs nothing; ``hops`` materialises the list once, when a report needs it.
    """

    __slots__ = ("ok", "head", "tail", "length", "broken", "constraints", "end_vpc", "via", "_hops")

    def __init__(self, ok, head, broken=None, constraints=(), end_vpc=None, via=(), tail=None):
        self.ok = ok
        self.head = head
        self.tail = tail
        self.length = len(head) + (tail.length if tail is not None else 0)
        self.broken = broken            # {"hop": i, "domain": label, "reason": sentence, "element": id}
        self.constraints = constraints  # ((label, (cidrs...), element), ...) the SOURCE must satisfy
        self.end_vpc = end_vpc
        self.via = via                  # transit pieces crossed (for asymmetry)
        self._hops = None

    @property
    def hops(self):
        if self._hops is None:
            self._hops = tuple(self.head) + (self.tail.hops if self.tail is not None else ())
        return self._hops


def _fail(hops, domain, reason, element=None, constraints=(), via=()):
    return Trace(False, tuple(hops), {"hop": len(hops), "domain": domain, "reason": reason, "element": element},
                 tuple(constraints), None, tuple(via))


def _prepend(hops, constraints, via, rest):
    """``hops`` followed by the memoised trace ``rest``."""
    broken = None
    if rest.broken is not None:
        broken = dict(rest.broken, hop=rest.broken["hop"] + len(hops))
    return Trace(rest.ok, hops, broken, (tuple(constraints) + rest.constraints) if constraints else rest.constraints,
                 rest.end_vpc, (tuple(via) + rest.via) if via else rest.via, tail=rest)


class Table(object):
    """A longest-prefix-match table: routes bucketed by prefix length, lengths longest first."""

    __slots__ = ("by_len", "lengths")

    def __init__(self):
        self.by_len = {}
        self.lengths = []

    def add(self, cidr, route, replace=False):
        length, value = net(cidr)
        bucket = self.by_len.setdefault(length, {})
        if value in bucket and not replace:
            return False
        bucket[value] = route
        if length not in self.lengths:
            self.lengths.append(length)
            self.lengths.sort(reverse=True)
        return True

    def lookup(self, ip_value):
        for length in self.lengths:
            route = self.by_len[length].get(ip_value & MASKS[length])
            if route is not None:
                return route
        return None

    def routes(self):
        return [route for length in self.lengths for route in self.by_len[length].values()]


# --- the engine ---------------------------------------------------------------------------------------

class Engine(object):
    """Build once from a snapshot; ``trace_pair`` / ``analyse`` reuse every precomputed table."""

    def __init__(self, snapshot):
        self.snapshot = snapshot or {}
        aws = self.snapshot.get("aws") or {}
        ali = self.snapshot.get("alicloud") or {}
        self.aws = aws
        self.ali = ali
        self.prefixes = set([net("0.0.0.0/0")])   # every (len, value) used anywhere: address classes
        self._dest_names = {}
        self.blackholes = []
        self._memo = {}
        self._direction_memo = {}
        self._transitions = {}
        self._constraint_memo = {}
        self._index_aws()
        self._index_alicloud()
        self._pair_tunnels()
        self._build_tables()
        self.lengths = sorted(set(length for length, dummy in self.prefixes), reverse=True)

    # --- indexes ------------------------------------------------------------------------------
    def _remember(self, cidr):
        self.prefixes.add(net(cidr))

    def _index_aws(self):
        aws = self.aws
        self.aws_vpcs = {}
        self.aws_rtb_vpc = {}
        self.subnet_index = []   # (cidr, vpc key, route table domain)
        for vpc in aws.get("vpcs") or []:
            key = ("aws", vpc["id"])
            self.aws_vpcs[vpc["id"]] = vpc
            for cidr in vpc.get("cidrs") or []:
                self._remember(cidr)
            tables = dict((t["id"], t) for t in vpc.get("route_tables") or [])
            for t in tables:
                self.aws_rtb_vpc[t] = vpc["id"]
            for sub in vpc.get("subnets") or []:
                self._remember(sub["cidr"])
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
                    self._remember(cidr)
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
                self._remember(cidr)
            system = self._system_table_id(vpc)
            for table in vpc.get("route_tables") or []:
                self.ali_rtb_vpc[table["id"]] = vpc["id"]
            for vsw in vpc.get("vswitches") or []:
                self._remember(vsw["cidr"])
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
        self.ipsec_by_gw = {}
        for conn in self.ipsecs.values():
            self.ipsec_by_gw.setdefault(conn.get("vpn_gateway_id"), []).append(conn)
            for cidr in (conn.get("local_subnets") or []) + (conn.get("remote_subnets") or []):
                self._remember(cidr)
        self.ris = dict((r["id"], r) for r in ali.get("router_interfaces") or [])
        for ri in self.ris.values():
            if not ri.get("vpc_id") and ri.get("router_id") in self.ali_router_vpc:
                ri["vpc_id"] = self.ali_router_vpc[ri["router_id"]]

    @staticmethod
    def _system_table_id(vpc):
        for table in vpc.get("route_tables") or []:
            if str(table.get("type", "System")).lower() == "system":
                return table["id"]
        return None

    # --- labels ---------------------------------------------------------------------------------
    def vpc_label(self, key):
        cloud, vpc_id = key
        vpc = (self.aws_vpcs if cloud == "aws" else self.ali_vpcs).get(vpc_id) or {}
        name = vpc.get("name")
        where = vpc.get("region") or ""
        cloud_name = "AWS" if cloud == "aws" else "Alibaba"
        if name:
            return "%s VPC %s (%s, %s)" % (cloud_name, name, vpc_id, where)
        return "%s VPC %s (%s)" % (cloud_name, vpc_id, where)

    def vpc_short(self, key):
        cloud, vpc_id = key
        vpc = (self.aws_vpcs if cloud == "aws" else self.ali_vpcs).get(vpc_id) or {}
        return vpc.get("name") or vpc_id

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

    # --- IPsec pairing and checks -----------------------------------------------------------------
    def _pair_tunnels(self):
        """Match every AWS tunnel with the Alibaba IPsec connection on its other end and check both."""
        self.ipsec_checks = []
        self.tunnel_check = {}    # (vpn id, outside ip) -> check
        self.conn_check = {}      # ipsec connection id -> check
        gw_by_ip = {}
        for gw in self.vpn_gws.values():
            if gw.get("public_ip"):
                gw_by_ip.setdefault(gw["public_ip"], []).append(gw)
        conns_by_cgw_ip = {}
        for conn in self.ipsecs.values():
            cgw = self.ali_cgws.get(conn.get("customer_gateway_id")) or {}
            if cgw.get("ip"):
                conns_by_cgw_ip.setdefault(cgw["ip"], []).append(conn)
        seen_conns = set()
        for vpn in sorted(self.vpns.values(), key=lambda v: v["id"]):
            aws_cgw = self.aws_cgws.get(vpn.get("customer_gateway_id")) or {}
            for index, tunnel in enumerate(vpn.get("tunnels") or []):
                for conn in conns_by_cgw_ip.get(tunnel.get("outside_ip"), []):
                    seen_conns.add(conn["id"])
                    check = self._check_pair(vpn, index, tunnel, aws_cgw, conn)
                    self.ipsec_checks.append(check)
                    self.tunnel_check.setdefault((vpn["id"], tunnel.get("outside_ip")), check)
                    if conn["id"] not in self.conn_check or (check["ok"] and not self.conn_check[conn["id"]]["ok"]):
                        self.conn_check[conn["id"]] = check
        aws_cgw_ips = dict((c.get("ip"), c) for c in self.aws_cgws.values() if c.get("ip"))
        for conn in sorted(self.ipsecs.values(), key=lambda c: c["id"]):
            if conn["id"] in seen_conns:
                continue
            gw = self.vpn_gws.get(conn.get("vpn_gateway_id")) or {}
            cgw = self.ali_cgws.get(conn.get("customer_gateway_id")) or {}
            vpns = [v for v in self.vpns.values()
                    if (self.aws_cgws.get(v.get("customer_gateway_id")) or {}).get("ip") == gw.get("public_ip")]
            if not vpns and gw.get("public_ip") not in aws_cgw_ips:
                continue  # an IPsec connection to somewhere we did not read (on-premises)
            tunnel_ips = [t.get("outside_ip") for v in vpns for t in v.get("tunnels") or []]
            check = {
                "aws_vpn_connection_id": vpns[0]["id"] if vpns else None, "tunnel": None,
                "tunnel_outside_ip": None, "alicloud_ipsec_connection_id": conn["id"],
                "alicloud_vpn_gateway_id": gw.get("id"), "ok": False, "warnings": [],
                "checks": {"outside_ips": False},
                "problems": ["outside IPs do not cross-match: the Alibaba customer gateway of IPsec connection %s "
                             "is %s, but the tunnel outside IPs of %s are %s; set the customer gateway IP to a tunnel "
                             "outside IP" % (conn["id"], cgw.get("ip"), vpns[0]["id"] if vpns else "the AWS VPN",
                                             ", ".join(str(i) for i in tunnel_ips) or "unknown")],
            }
            self.ipsec_checks.append(check)
            self.conn_check[conn["id"]] = check

    def _check_pair(self, vpn, index, tunnel, aws_cgw, conn):
        gw = self.vpn_gws.get(conn.get("vpn_gateway_id")) or {}
        ike = conn.get("ike") or {}
        ipsec = conn.get("ipsec") or {}
        problems, warnings, checks = [], [], {}
        where = "tunnel %s of %s <-> IPsec connection %s" % (tunnel.get("outside_ip"), vpn["id"], conn["id"])
        # 1. outside IPs cross-match (the tunnel IP already matched the Alibaba customer gateway)
        checks["outside_ips"] = bool(gw.get("public_ip")) and gw.get("public_ip") == aws_cgw.get("ip")
        if not checks["outside_ips"]:
            problems.append("outside IPs do not cross-match: the AWS customer gateway %s has IP %s but the Alibaba VPN "
                            "gateway %s has public IP %s; point the AWS customer gateway at the VPN gateway's public IP"
                            % (aws_cgw.get("id"), aws_cgw.get("ip"), gw.get("id"), gw.get("public_ip")))
        # 2. PSK equality through hashes
        a_psk, b_psk = tunnel.get("psk_hash"), ike.get("psk_hash")
        if a_psk and b_psk:
            checks["psk"] = a_psk == b_psk
            if not checks["psk"]:
                problems.append("pre-shared keys differ between the AWS tunnel %s and Alibaba IPsec connection %s; set "
                                "the same PSK on both ends" % (tunnel.get("outside_ip"), conn["id"]))
        else:
            checks["psk"] = None
            warnings.append("PSK equality unknown (one side's PSK could not be read)")
        # 3. IKE version
        aws_ike = [norm_ike(v) for v in tunnel.get("ike_versions") or []] or AWS_IKE
        ali_ike = norm_ike(ike.get("version") or "ikev1")
        checks["ike_version"] = ali_ike in aws_ike
        if not checks["ike_version"]:
            problems.append("IKE versions differ: Alibaba uses %s, the AWS tunnel allows %s" % (ali_ike, ", ".join(aws_ike)))
        if ali_ike == "ikev1" and str(ike.get("mode") or "main").lower() == "aggressive":
            checks["ike_version"] = False
            problems.append("Alibaba uses IKEv1 aggressive mode; AWS accepts main mode only")
        # identities: AWS expects each side to identify itself by its public IP
        if ike.get("local_id") not in (None, "", gw.get("public_ip")):
            problems.append("IPsec connection %s identifies itself as %r; AWS expects the VPN gateway's public IP %s"
                            % (conn["id"], ike.get("local_id"), gw.get("public_ip")))
        if ike.get("remote_id") not in (None, "", tunnel.get("outside_ip")):
            problems.append("IPsec connection %s expects the peer identity %r; the AWS tunnel identifies itself as %s"
                            % (conn["id"], ike.get("remote_id"), tunnel.get("outside_ip")))
        # 4./5. proposals
        for phase, ali_cfg, defaults, max_life in (
                ("phase1", ike, (AWS_P1_ENC, AWS_P1_INT, AWS_P1_DH), AWS_P1_MAX_LIFETIME),
                ("phase2", ipsec, (AWS_P2_ENC, AWS_P2_INT, AWS_P2_DH), AWS_P2_MAX_LIFETIME)):
            aws_cfg = tunnel.get(phase) or {}
            enc = [norm_enc(v) for v in aws_cfg.get("encryption") or []] or defaults[0]
            integ = [norm_int(v) for v in aws_cfg.get("integrity") or []] or defaults[1]
            dh = [norm_dh(v) for v in aws_cfg.get("dh_groups") or []] or defaults[2]
            a_enc = norm_enc(ali_cfg.get("encryption") or "aes")
            a_int = norm_int(ali_cfg.get("integrity") or ("md5" if phase == "phase1" else "md5"))
            a_dh = norm_dh(ali_cfg.get("dh_group") if ali_cfg.get("dh_group") is not None else "group2")
            missing = []
            if a_enc not in enc:
                missing.append("encryption %s not in %s" % (a_enc, "/".join(enc)))
            if a_int not in integ:
                missing.append("integrity %s not in %s" % (a_int, "/".join(integ)))
            if a_dh not in dh:
                missing.append("DH group %s not in %s" % (a_dh or "disabled", "/".join(str(d) for d in dh)))
            checks[phase] = not missing
            if missing:
                problems.append("%s proposals do not overlap (Alibaba %s/%s/%s vs AWS): %s; pin a common proposal on "
                                "both ends" % (phase.replace("phase", "phase-"), a_enc, a_int,
                                               "group%s" % a_dh if a_dh else "no PFS", "; ".join(missing)))
            life = ali_cfg.get("lifetime")
            if life and int(life) > max_life:
                checks[phase] = False
                problems.append("Alibaba %s lifetime %ss is above the %ss AWS accepts; lower it"
                                % (phase.replace("phase", "phase-"), life, max_life))
        # 6. selectors: Alibaba local <-> AWS local_cidr (customer side), Alibaba remote <-> AWS remote_cidr
        aws_local = vpn.get("local_cidr") or "0.0.0.0/0"
        aws_remote = vpn.get("remote_cidr") or "0.0.0.0/0"
        ali_local = conn.get("local_subnets") or ["0.0.0.0/0"]
        ali_remote = conn.get("remote_subnets") or ["0.0.0.0/0"]
        outside = ([c for c in ali_local if not _within(c, aws_local)], [c for c in ali_remote if not _within(c, aws_remote)])
        checks["selectors"] = not outside[0] and not outside[1]
        if not checks["selectors"]:
            problems.append("traffic selectors disagree: Alibaba local %s / remote %s must sit inside AWS's customer-side "
                            "network %s / AWS-side network %s" % (",".join(ali_local), ",".join(ali_remote), aws_local, aws_remote))
        if ali_ike == "ikev1" and len(ali_local) * len(ali_remote) > 1:
            checks["selectors"] = False
            problems.append("IKEv1 with %d local x %d remote subnets negotiates one SA pair each; AWS accepts one per tunnel "
                            "(use IKEv2, or one CIDR per side such as 0.0.0.0/0)" % (len(ali_local), len(ali_remote)))
        # 7. what the clouds themselves report
        status = str(tunnel.get("status") or "").upper()
        ali_status = str(conn.get("status") or "")
        checks["aws_status"] = status or None
        checks["alicloud_status"] = ali_status or None
        if not problems:
            if status == "DOWN":
                detail = (": " + tunnel["status_message"]) if tunnel.get("status_message") else ""
                problems.append("AWS reports tunnel %s DOWN%s" % (tunnel.get("outside_ip"), detail))
            if ali_status in ALI_DOWN:
                problems.append("Alibaba reports IPsec connection %s %s" % (conn["id"], ali_status))
        return {"aws_vpn_connection_id": vpn["id"], "tunnel": index + 1, "tunnel_outside_ip": tunnel.get("outside_ip"),
                "alicloud_ipsec_connection_id": conn["id"], "alicloud_vpn_gateway_id": gw.get("id"),
                "where": where, "ok": not problems, "checks": checks, "problems": problems, "warnings": warnings}

    # --- route tables -------------------------------------------------------------------------------
    def _build_tables(self):
        self.tables = {}
        self.domain_label = {}
        # AWS subnet route tables
        for vpc in self.aws_vpcs.values():
            vkey = ("aws", vpc["id"])
            for rt in vpc.get("route_tables") or []:
                table = Table()
                for r in rt.get("routes") or []:
                    dest = r.get("destination")
                    if not dest or ":" in dest:
                        continue
                    self._remember(dest)
                    table.add(dest, ("aws", r))
                    if str(r.get("state", "active")).lower() == "blackhole":
                        self.blackholes.append({"cloud": "aws", "table": rt["id"], "vpc": vpc["id"], "destination": dest,
                                                "target": r.get("target_id"),
                                                "reason": "route %s -> %s in %s is a blackhole (its target is gone)"
                                                          % (dest, r.get("target_id"), rt["id"])})
                for cidr in vpc.get("cidrs") or []:
                    table.add(cidr, ("aws", {"destination": cidr, "target_type": "local", "target_id": "local",
                                             "state": "active"}))
                self.tables[("aws-rtb", rt["id"])] = table
                self.domain_label[("aws-rtb", rt["id"])] = "%s route table %s" % (self.vpc_label(vkey), rt["id"])
        # TGW route tables
        for tgw in self.tgws.values():
            for rt in tgw.get("route_tables") or []:
                table = Table()
                for r in rt.get("routes") or []:
                    dest = r.get("destination")
                    if not dest or ":" in dest:
                        continue
                    self._remember(dest)
                    table.add(dest, ("tgw", r))
                    att = self.attachments.get(r.get("attachment_id"))
                    blackhole = str(r.get("state", "active")).lower() == "blackhole" or r.get("type") == "blackhole"
                    if blackhole or (r.get("attachment_id") and (att is None or att.get("state", "available") != "available")):
                        self.blackholes.append({"cloud": "aws", "table": rt["id"], "tgw": tgw["id"], "destination": dest,
                                                "target": r.get("attachment_id"),
                                                "reason": "TGW route %s in %s %s" % (
                                                    dest, rt["id"], "is a blackhole route" if blackhole or not r.get("attachment_id")
                                                    else "points at attachment %s which is %s" % (
                                                        r.get("attachment_id"), (att or {}).get("state", "gone")))})
                for att_id in rt.get("propagations") or []:
                    att = self.attachments.get(att_id) or {}
                    vpc = self.aws_vpcs.get(att.get("resource_id")) if att.get("type") == "vpc" else None
                    for cidr in (vpc or {}).get("cidrs") or []:
                        table.add(cidr, ("tgw", {"destination": cidr, "type": "propagated", "state": "active",
                                                 "attachment_id": att_id, "derived": True}))
                key = ("tgw-rtb", rt["id"])
                self.tables[key] = table
                self.domain_label[key] = "TGW %s route table %s" % (tgw.get("name") or tgw["id"], rt["id"])
        # Alibaba route tables (own entries), then CEN
        for vpc in self.ali_vpcs.values():
            vkey = ("ali", vpc["id"])
            system = self._system_table_id(vpc)
            for rt in vpc.get("route_tables") or []:
                table = Table()
                for vsw in vpc.get("vswitches") or []:
                    table.add(vsw["cidr"], ("ali", {"destination": vsw["cidr"], "type": "System",
                                                    "next_hop_type": "local", "next_hop_id": vsw["id"]}))
                for r in rt.get("routes") or []:
                    dest = r.get("destination")
                    if not dest or ":" in dest or str(r.get("type", "Custom")) not in ("Custom", "System", "Static"):
                        continue
                    if r.get("next_hop_type") in ("local", "service", None, ""):
                        continue
                    self._remember(dest)
                    table.add(dest, ("ali", r), replace=True)
                    self._check_ali_next_hop(vpc, rt, r)
                self.tables[("ali-rtb", rt["id"])] = table
                self.domain_label[("ali-rtb", rt["id"])] = "%s route table %s" % (
                    self.vpc_label(vkey), rt["id"]) if rt["id"] != system else self.vpc_label(vkey)
        self._build_cen()

    def _check_ali_next_hop(self, vpc, rt, r):
        kind, hop_id = r.get("next_hop_type"), r.get("next_hop_id")
        missing = ((kind == "VpnGateway" and hop_id not in self.vpn_gws)
                   or (kind == "RouterInterface" and hop_id not in self.ris))
        if missing:
            self.blackholes.append({"cloud": "alicloud", "table": rt["id"], "vpc": vpc["id"], "destination": r["destination"],
                                    "target": hop_id, "reason": "route %s -> %s %s in %s points at a next hop that does "
                                    "not exist" % (r["destination"], kind, hop_id, rt["id"])})

    def _build_cen(self):
        self.cen_tables = {}
        self.cen_published = {}   # cen -> {(vpc, dest): status}
        for cen in self.cens.values():
            table = Table()
            status = {}
            for p in cen.get("published_routes") or []:
                status[(p.get("vpc_id"), p.get("destination"))] = p.get("publish_status") or "NonPublished"
            self.cen_published[cen["id"]] = status
            members = [a["instance_id"] for a in cen.get("attachments") or []
                       if a.get("status", "Attached") == "Attached" and a["instance_id"] in self.ali_vpcs]
            for vpc_id in sorted(members):
                vpc = self.ali_vpcs[vpc_id]
                for vsw in vpc.get("vswitches") or []:
                    table.add(vsw["cidr"], {"destination": vsw["cidr"], "origin": vpc_id, "kind": "vSwitch"})
                system = self._system_table_id(vpc)
                for rt in vpc.get("route_tables") or []:
                    if rt["id"] != system:
                        continue
                    for r in rt.get("routes") or []:
                        if r.get("type", "Custom") != "Custom":
                            continue
                        if status.get((vpc_id, r.get("destination"))) == "Published":
                            table.add(r["destination"], {"destination": r["destination"], "origin": vpc_id,
                                                         "kind": "%s %s" % (r.get("next_hop_type"), r.get("next_hop_id"))})
            self.cen_tables[cen["id"]] = table
            self.tables[("cen", cen["id"])] = table
            self.domain_label[("cen", cen["id"])] = "CEN %s" % (cen.get("name") or cen["id"])
        # learned routes: every CEN route not originating in the VPC, own entries win
        for vpc_id, cen_ids in self.vpc_cens.items():
            vpc = self.ali_vpcs.get(vpc_id)
            if not vpc:
                continue
            key = ("ali-rtb", self._system_table_id(vpc))
            own = self.tables.get(key)
            if own is None:
                continue
            for cen_id in cen_ids:
                for route in self.cen_tables.get(cen_id, Table()).routes():
                    if route["origin"] != vpc_id:
                        own.add(route["destination"], ("cen", cen_id, route))

    # --- probes ----------------------------------------------------------------------------------------
    def locate(self, probe):
        """(vpc key, start domain) of a probe, or (None, reason)."""
        ip_value = ip_int(probe["ip"])
        wanted = probe.get("vpc")
        found = []
        for cidr, vkey, domain in self.subnet_index:
            if contains(cidr, ip_value):
                if wanted and wanted not in (vkey[1], self.vpc_short(vkey)):
                    continue
                found.append((net(cidr)[0], vkey, domain))
        if not found:
            return None, "no subnet or vSwitch in the snapshot holds %s" % probe["ip"]
        vkeys = set(f[1] for f in found)
        if len(vkeys) > 1:
            return None, "%s is inside several VPCs (%s): set the probe's vpc" % (
                probe["ip"], ", ".join(sorted(self.vpc_short(k) for k in vkeys)))
        found.sort(reverse=True)
        dummy, vkey, domain = found[0]
        if domain[1] is None or domain not in self.tables:
            return None, "the route table of %s's subnet in %s was not read" % (probe["ip"], self.vpc_short(vkey))
        return (vkey, domain), None

    def dclass(self, ip_value):
        """Every snapshot prefix holding the address: addresses with the same set route alike."""
        out = []
        for length in self.lengths:
            candidate = (length, ip_value & MASKS[length])
            if candidate in self.prefixes:
                out.append(candidate)
        return tuple(out)

    # --- tracing --------------------------------------------------------------------------------------------
    def trace(self, domain, dst_ip, dst_class=None, _stack=None):
        """The memoised path from a route table ``domain`` toward ``dst_ip``."""
        cls = dst_class if dst_class is not None else self.dclass(dst_ip)
        key = (domain, cls)
        found = self._memo.get(key)
        if found is not None:
            return found
        stack = _stack if _stack is not None else []
        table = self.tables.get(domain)
        route = table.lookup(dst_ip) if table is not None else None
        shared = self._transitions.get(id(route)) if route is not None else None
        if shared is not None and domain not in stack:
            # fast path: this route always leads to the same next table (TGW / CEN), whatever the address
            stack.append(domain)
            try:
                result = _prepend(shared[0], (), shared[1], self.trace(shared[2], dst_ip, cls, stack))
            finally:
                stack.pop()
            self._memo[key] = result
            return result
        label = self.domain_label.get(domain, str(domain))
        if domain in stack:
            return _fail([], label, "routing loop: %s is reached again on the way to %s (%s)" % (
                label, self.describe_destination(dst_ip), " -> ".join(self.domain_label.get(d, d[1]) for d in stack)),
                element=domain[1])
        if len(stack) >= MAX_HOPS:
            return _fail([], label, "more than %d routing domains on the way to %s" % (MAX_HOPS, self.describe_destination(dst_ip)))
        stack.append(domain)
        try:
            result = self._step(domain, label, route, dst_ip, cls, stack)
        finally:
            stack.pop()
        self._memo[key] = result
        return result

    def _continue(self, hops, constraints, via, domain, dst_ip, cls, stack):
        if domain not in self.tables:
            return _fail(hops, self.domain_label.get(domain, str(domain)), "route table %s was not read" % domain[1],
                         element=domain[1], constraints=constraints, via=via)
        return _prepend(hops, constraints, via, self.trace(domain, dst_ip, cls, stack))

    def _step(self, domain, label, route, dst_ip, cls, stack):
        kind = domain[0]
        if kind == "aws-rtb":
            return self._step_aws_rtb(domain, label, route, dst_ip, cls, stack)
        if kind == "tgw-rtb":
            return self._step_tgw(domain, label, route, dst_ip, cls, stack)
        if kind == "ali-rtb":
            return self._step_ali(domain, label, route, dst_ip, cls, stack)
        if kind == "cen":
            return self._step_cen(domain, label, route, dst_ip, cls, stack)
        return _fail([], label, "unknown routing domain %s" % (domain,))

    def _delivered(self, hops, vkey, dst_ip, via=()):
        vpc = (self.aws_vpcs if vkey[0] == "aws" else self.ali_vpcs).get(vkey[1]) or {}
        subnets = vpc.get("subnets") if vkey[0] == "aws" else vpc.get("vswitches")
        if not any(contains(s["cidr"], dst_ip) for s in subnets or []):
            return _fail(hops, self.vpc_label(vkey), "%s has no subnet holding %s" % (
                self.vpc_label(vkey), ipaddress.ip_address(dst_ip)), element=vkey[1], via=via)
        return Trace(True, tuple(hops), None, (), vkey, tuple(via))  # delivered

    # AWS subnet route table
    def _step_aws_rtb(self, domain, label, route, dst_ip, cls, stack):
        vpc_id = self.aws_rtb_vpc.get(domain[1])
        vkey = ("aws", vpc_id)
        if route is None:
            return _fail([], label, self._aws_no_route(vpc_id, domain[1], dst_ip), element=vpc_id)
        r = route[1]
        dest, ttype, target = r.get("destination"), r.get("target_type"), r.get("target_id")
        if str(r.get("state", "active")).lower() == "blackhole":
            return _fail([hop(label, dest, target, "blackhole", "aws-rtb")], label,
                         "%s routes %s -> %s, a blackhole (the target no longer exists); point it at the Transit Gateway"
                         % (label, dest, target), element=domain[1])
        if ttype == "local":
            return self._delivered([hop(label, dest, "local", "delivered inside the VPC", "aws-rtb")], vkey, dst_ip)
        if ttype != "transit_gateway":
            return _fail([hop(label, dest, target, ttype, "aws-rtb")], label,
                         "%s sends %s to %s (%s), which leaves the networks this report can follow"
                         % (label, self.describe_destination(dst_ip), target, ttype), element=domain[1])
        tgw = self.tgws.get(target)
        hops = (hop(label, dest, target, "to Transit Gateway", "aws-rtb"),)
        if tgw is None:
            return _fail(hops, label, "%s routes %s to Transit Gateway %s, which was not found"
                         % (label, dest, target), element=target)
        att = self.vpc_attachment.get((target, vpc_id))
        if att is None or att.get("state", "available") != "available":
            return _fail(hops, label, "%s routes %s to %s, but the VPC is not attached to it%s; attach the VPC"
                         % (self.vpc_label(vkey), dest, target, "" if att is None else " (attachment %s is %s)"
                            % (att["id"], att.get("state"))), element=target)
        rtb = self.association.get((target, att["id"]))
        if rtb is None:
            return _fail(hops, "TGW %s" % target, "attachment %s of %s has no TGW route table association; associate it"
                         % (att["id"], self.vpc_short(vkey)), element=target)
        self._transitions[id(route)] = (hops, (target,), ("tgw-rtb", rtb))
        return self._continue(hops, (), (target,), ("tgw-rtb", rtb), dst_ip, cls, stack)

    def _aws_no_route(self, vpc_id, rtb_id, dst_ip):
        vkey = ("aws", vpc_id)
        dest = self.describe_destination(dst_ip)
        attached = sorted(t for (t, v) in self.vpc_attachment if v == vpc_id)
        hint = (" add %s -> %s (the Transit Gateway it is attached to)" % (dest, attached[0])) if attached else \
            " attach the VPC to a Transit Gateway and add a route %s -> it" % dest
        return "%s has no route to %s in route table %s:%s" % (self.vpc_label(vkey), dest, rtb_id, hint)

    # TGW route table
    def _step_tgw(self, domain, label, route, dst_ip, cls, stack):
        tgw_id = self.rtb_tgw.get(domain[1])
        if route is None:
            return _fail([], label, self._tgw_no_route(tgw_id, domain[1], dst_ip), element=domain[1])
        r = route[1]
        dest, att_id = r.get("destination"), r.get("attachment_id")
        note = r.get("type", "static") + (" (from propagation)" if r.get("derived") else "")
        hops = [hop(label, dest, att_id or "blackhole", note, "tgw-rtb")]
        if str(r.get("state", "active")).lower() == "blackhole" or r.get("type") == "blackhole" or not att_id:
            return _fail(hops, label, "%s drops traffic for %s: route %s is a blackhole; replace it with a route to an "
                         "attachment" % (label, self.describe_destination(dst_ip), dest), element=domain[1])
        att = self.attachments.get(att_id)
        if att is None or att.get("state", "available") != "available":
            return _fail(hops, label, "%s routes %s to attachment %s, which is %s" % (
                label, dest, att_id, "gone" if att is None else att.get("state")), element=att_id)
        if att["type"] == "vpc":
            vkey = ("aws", att.get("resource_id"))
            if vkey[1] not in self.aws_vpcs:
                return _fail(hops, label, "attachment %s leads to VPC %s, which was not read" % (att_id, vkey[1]),
                             element=att_id)
            if not any(contains(c, dst_ip) for c in self.aws_vpcs[vkey[1]].get("cidrs") or []):
                return _fail(hops, label, "%s sends %s to %s, whose CIDRs do not hold it" % (
                    label, self.describe_destination(dst_ip), self.vpc_label(vkey)), element=domain[1])
            cidr = next(c for c in self.aws_vpcs[vkey[1]].get("cidrs") or [] if contains(c, dst_ip))
            delivered = self._delivered([hop(self.vpc_label(vkey), cidr, "local", "delivered inside the VPC", "aws-vpc")],
                                        vkey, dst_ip)
            return _prepend(hops, (), (), delivered)
        if att["type"] == "peering":
            peer = att.get("peer_tgw_id") or att.get("resource_id")
            if peer == tgw_id:
                peer = att.get("tgw_id")
            rtb = self.association.get((peer, att_id))
            if rtb is None:
                return _fail(hops, label, "peering attachment %s has no route table association on %s" % (att_id, peer),
                             element=att_id)
            return self._continue(hops, (), (att_id,), ("tgw-rtb", rtb), dst_ip, cls, stack)
        if att["type"] == "vpn":
            vpn = self.vpn_by_attachment.get(att_id)
            if vpn is None:
                return _fail(hops, label, "VPN attachment %s has no VPN connection in the snapshot" % att_id, element=att_id)
            return self._aws_to_ali(hops, vpn, dst_ip, cls, stack)
        return _fail(hops, label, "attachment %s of type %s is not followed" % (att_id, att["type"]), element=att_id)

    def _tgw_no_route(self, tgw_id, rtb_id, dst_ip):
        dest = self.describe_destination(dst_ip)
        label = self.domain_label.get(("tgw-rtb", rtb_id), rtb_id)
        vpns = sorted(a["id"] for a in self.attachments.values() if a.get("tgw_id") == tgw_id and a.get("type") == "vpn")
        for (t, v), att in sorted(self.vpc_attachment.items()):
            vpc = self.aws_vpcs.get(v) or {}
            if t == tgw_id and any(contains(c, dst_ip) for c in vpc.get("cidrs") or []):
                return ("%s has no route to %s: propagate attachment %s (%s) into it or add a static route"
                        % (label, dest, att["id"], self.vpc_short(("aws", v))))
        if vpns:
            return "%s has no route to %s: add a static route %s -> %s (the VPN attachment)" % (label, dest, dest, vpns[0])
        return "%s has no route to %s: add a static route toward the attachment that leads there" % (label, dest)

    def _aws_to_ali(self, hops, vpn, dst_ip, cls, stack):
        """Leave AWS through a VPN connection's tunnel into the Alibaba VPN gateway's VPC."""
        label = "VPN connection %s" % (vpn.get("name") or vpn["id"])
        hops = list(hops)
        if vpn.get("state", "available") != "available":
            return _fail(hops, label, "%s is %s" % (label, vpn.get("state")), element=vpn["id"])
        local_cidr = vpn.get("local_cidr") or "0.0.0.0/0"
        if not contains(local_cidr, dst_ip):
            return _fail(hops, label, "%s only carries traffic to %s (its customer-side network), not %s"
                         % (label, local_cidr, self.describe_destination(dst_ip)), element=vpn["id"])
        checks = [self.tunnel_check.get((vpn["id"], t.get("outside_ip"))) for t in vpn.get("tunnels") or []]
        good = [c for c in checks if c and c["ok"]]
        usable = []
        for check in good:
            conn = self.ipsecs[check["alicloud_ipsec_connection_id"]]
            if any(contains(c, dst_ip) for c in conn.get("local_subnets") or ["0.0.0.0/0"]):
                usable.append((check, conn))
        if not usable:
            paired = [c for c in checks if c]
            if not paired:
                reason = ("%s has no tunnel whose other end is an Alibaba IPsec connection: create the IPsec connection "
                          "with a customer gateway at a tunnel outside IP (%s)"
                          % (label, ", ".join(str(t.get("outside_ip")) for t in vpn.get("tunnels") or [])))
            elif good:
                reason = ("%s: the IPsec connection on the other end does not carry %s (its local networks are %s)"
                          % (label, self.describe_destination(dst_ip),
                             ", ".join(self.ipsecs[good[0]["alicloud_ipsec_connection_id"]].get("local_subnets") or [])))
            else:
                reason = "%s has no working tunnel: %s: %s" % (label, paired[0]["where"], "; ".join(paired[0]["problems"]))
            return _fail(hops, label, reason, element=vpn["id"])
        check, conn = usable[0]
        gw = self.vpn_gws.get(conn.get("vpn_gateway_id")) or {}
        hops.append(hop(label, local_cidr, "tunnel %s" % check["tunnel_outside_ip"], "tunnel %d UP" % check["tunnel"], "vpn"))
        hops.append(hop("Alibaba IPsec connection %s" % (conn.get("name") or conn["id"]),
                        ",".join(conn.get("local_subnets") or []), gw.get("id"),
                        "on VPN gateway %s (%s)" % (gw.get("id"), gw.get("public_ip")), "ipsec"))
        constraints = [("AWS-side network %s of %s" % (vpn.get("remote_cidr") or "0.0.0.0/0", vpn["id"]),
                        (vpn.get("remote_cidr") or "0.0.0.0/0",), vpn["id"]),
                       ("remote networks %s of IPsec connection %s" % (",".join(conn.get("remote_subnets") or []), conn["id"]),
                        tuple(conn.get("remote_subnets") or ["0.0.0.0/0"]), conn["id"])]
        vpc = self.ali_vpcs.get(gw.get("vpc_id"))
        if vpc is None:
            return _fail(hops, "VPN gateway %s" % gw.get("id"), "the VPC %s of VPN gateway %s was not read"
                         % (gw.get("vpc_id"), gw.get("id")), element=gw.get("id"), constraints=constraints)
        via = (vpn["id"], "tunnel:" + str(check["tunnel_outside_ip"]), conn["id"])
        return self._continue(hops, constraints, via, ("ali-rtb", self._system_table_id(vpc)), dst_ip, cls, stack)

    # Alibaba route table
    def _step_ali(self, domain, label, route, dst_ip, cls, stack):
        vpc_id = self.ali_rtb_vpc.get(domain[1])
        vkey = ("ali", vpc_id)
        if route is None:
            return _fail([], label, self._ali_no_route(vpc_id, dst_ip), element=vpc_id)
        if route[0] == "cen":
            dummy, cen_id, learned = route
            hops = (hop(label, learned["destination"], cen_id, "learned from CEN (%s)" % self.vpc_short(("ali", learned["origin"])),
                        "ali-rtb"),)
            if ("cen", cen_id) in self.tables:
                self._transitions[id(route)] = (hops, (cen_id,), ("cen", cen_id))
            return self._continue(hops, (), (cen_id,), ("cen", cen_id), dst_ip, cls, stack)
        r = route[1]
        dest, kind, hop_id = r.get("destination"), r.get("next_hop_type"), r.get("next_hop_id")
        if kind == "local":
            return self._delivered([hop(label, dest, "local", "vSwitch %s" % hop_id, "ali-rtb")], vkey, dst_ip)
        hops = [hop(label, dest, "%s %s" % (kind, hop_id), r.get("type", "Custom"), "ali-rtb")]
        if kind == "VpnGateway":
            return self._ali_to_aws(hops, hop_id, dst_ip, cls, stack)
        if kind == "RouterInterface":
            return self._ali_peering(hops, hop_id, dst_ip, cls, stack)
        return _fail(hops, label, "%s sends %s to %s %s, which leaves the networks this report can follow"
                     % (label, self.describe_destination(dst_ip), kind, hop_id), element=vpc_id)

    def _ali_no_route(self, vpc_id, dst_ip):
        vkey = ("ali", vpc_id)
        dest = self.describe_destination(dst_ip)
        head = "%s has no route to %s" % (self.vpc_label(vkey), dest)
        for cen_id in self.vpc_cens.get(vpc_id, []):
            status = self.cen_published.get(cen_id, {})
            for att in self.cens[cen_id].get("attachments") or []:
                other = self.ali_vpcs.get(att["instance_id"])
                if other is None or other["id"] == vpc_id:
                    continue
                for rt in other.get("route_tables") or []:
                    for r in rt.get("routes") or []:
                        if r.get("type", "Custom") == "Custom" and r.get("destination") and ":" not in r["destination"] \
                                and contains(r["destination"], dst_ip) \
                                and status.get((other["id"], r["destination"])) != "Published":
                            return ("%s: the %s route %s -> %s is not published to CEN %s; publish it "
                                    "(PublishRouteEntries)" % (head, other.get("name") or other["id"], r["destination"],
                                                               r.get("next_hop_id"), cen_id))
        for ri in sorted(self.ris.values(), key=lambda x: x["id"]):
            opp = self.ris.get(ri.get("opposite_interface_id")) or {}
            other = self.ali_vpcs.get(opp.get("vpc_id")) or {}
            if ri.get("vpc_id") == vpc_id and any(contains(c, dst_ip) for c in other.get("cidrs") or []):
                return "%s: add a route entry %s -> router interface %s (the peering to %s)" % (
                    head, dest, ri["id"], other.get("name") or other.get("id"))
        gws = sorted(g["id"] for g in self.vpn_gws.values() if g.get("vpc_id") == vpc_id)
        if gws and not any(contains(c, dst_ip) for v in self.ali_vpcs.values() for c in v.get("cidrs") or []):
            return "%s: add a route entry %s -> VPN gateway %s" % (head, dest, gws[0])
        others = [v for v in self.ali_vpcs.values() if v["id"] != vpc_id and any(
            contains(c, dst_ip) for c in v.get("cidrs") or [])]
        if others and not self.vpc_cens.get(vpc_id):
            return "%s: it is not attached to a CEN and has no route entry toward %s" % (head, self.vpc_short(("ali", others[0]["id"])))
        if gws:
            return "%s: add a route entry %s -> VPN gateway %s" % (head, dest, gws[0])
        return "%s: add a route entry toward it (VPN gateway, router interface or CEN)" % head

    def _ali_to_aws(self, hops, gw_id, dst_ip, cls, stack):
        gw = self.vpn_gws.get(gw_id)
        label = "Alibaba VPN gateway %s" % gw_id
        if gw is None:
            return _fail(hops, label, "route points at VPN gateway %s, which does not exist" % gw_id, element=gw_id)
        label = "Alibaba VPN gateway %s (%s)" % (gw.get("name") or gw_id, gw.get("public_ip"))
        conns = [c for c in sorted(self.ipsec_by_gw.get(gw_id, []), key=lambda c: c["id"])
                 if any(contains(s, dst_ip) for s in c.get("remote_subnets") or ["0.0.0.0/0"])]
        if not conns:
            return _fail(hops, label, "%s has no IPsec connection whose remote networks hold %s; add it to the remote "
                         "networks" % (label, self.describe_destination(dst_ip)), element=gw_id)
        usable = [(c, self.conn_check.get(c["id"])) for c in conns]
        ok = [(c, ch) for c, ch in usable if ch and ch["ok"]]
        if not ok:
            conn, check = usable[0]
            if check is None:
                reason = ("IPsec connection %s leads to customer gateway %s, which is not a tunnel of any AWS VPN "
                          "connection read" % (conn["id"], (self.ali_cgws.get(conn.get("customer_gateway_id")) or {}).get("ip")))
                element = conn["id"]
            else:
                reason = "%s: %s" % (check["where"], "; ".join(check["problems"]))
                element = check.get("aws_vpn_connection_id") or conn["id"]
            return _fail(hops, label, "%s has no working IPsec tunnel toward %s: %s" % (
                label, self.describe_destination(dst_ip), reason), element=element)
        conn, check = ok[0]
        vpn = self.vpns[check["aws_vpn_connection_id"]]
        hops = list(hops)
        hops.append(hop(label, ",".join(conn.get("remote_subnets") or []), "IPsec %s" % conn["id"],
                        "policy: remote networks", "vpn-gateway"))
        hops.append(hop("Alibaba IPsec connection %s" % (conn.get("name") or conn["id"]), ",".join(conn.get("remote_subnets") or []),
                        "tunnel %s" % check["tunnel_outside_ip"], "IPsec SA up, peer %s" % vpn["id"], "ipsec"))
        remote = vpn.get("remote_cidr") or "0.0.0.0/0"
        if not contains(remote, dst_ip):
            return _fail(hops, "VPN connection %s" % vpn["id"], "VPN connection %s only accepts traffic to %s (its AWS-side "
                         "network)" % (vpn["id"], remote), element=vpn["id"])
        constraints = [("local networks %s of IPsec connection %s" % (",".join(conn.get("local_subnets") or []), conn["id"]),
                        tuple(conn.get("local_subnets") or ["0.0.0.0/0"]), conn["id"]),
                       ("customer-side network %s of %s" % (vpn.get("local_cidr") or "0.0.0.0/0", vpn["id"]),
                        (vpn.get("local_cidr") or "0.0.0.0/0",), vpn["id"])]
        att_id = vpn.get("attachment_id")
        att = self.attachments.get(att_id) or {}
        vlabel = "VPN connection %s" % (vpn.get("name") or vpn["id"])
        hops.append(hop(vlabel, remote, att_id or "?", "TGW VPN attachment", "vpn"))
        via = (conn["id"], "tunnel:" + str(check["tunnel_outside_ip"]), vpn["id"])
        if not att_id or att.get("state", "available") != "available":
            return _fail(hops, vlabel, "%s is not attached to a Transit Gateway (attachment %s)" % (vlabel, att_id or "missing"),
                         element=vpn["id"], constraints=constraints, via=via)
        rtb = self.association.get((att.get("tgw_id"), att_id))
        if rtb is None:
            return _fail(hops, vlabel, "VPN attachment %s has no TGW route table association; associate it with the TGW "
                         "route table" % att_id, element=att_id, constraints=constraints, via=via)
        return self._continue(hops, constraints, via + (att.get("tgw_id"),), ("tgw-rtb", rtb), dst_ip, cls, stack)

    def _ali_peering(self, hops, ri_id, dst_ip, cls, stack):
        ri = self.ris.get(ri_id)
        label = "router interface %s" % ri_id
        if ri is None:
            return _fail(hops, label, "route points at router interface %s, which does not exist" % ri_id, element=ri_id)
        opp = self.ris.get(ri.get("opposite_interface_id"))
        hops = list(hops)
        if ri.get("status") != "Active":
            return _fail(hops, label, "router interface %s is %s, not Active: connect it (ConnectRouterInterface from the "
                         "initiating side)" % (ri_id, ri.get("status")), element=ri_id)
        if opp is None:
            return _fail(hops, label, "the opposite interface %s of %s was not read (another account? add it to the "
                         "accounts read)" % (ri.get("opposite_interface_id"), ri_id), element=ri_id)
        if opp.get("status") != "Active" or opp.get("opposite_interface_id") != ri_id:
            return _fail(hops, label, "the opposite interface %s is %s and points at %s, not %s"
                         % (opp["id"], opp.get("status"), opp.get("opposite_interface_id"), ri_id), element=ri_id)
        vpc = self.ali_vpcs.get(opp.get("vpc_id"))
        if vpc is None:
            return _fail(hops, label, "the VPC behind %s was not read" % opp["id"], element=opp["id"])
        hops.append(hop("router interface %s" % (ri.get("name") or ri_id), "", opp["id"], "peering Active", "peering"))
        return self._continue(hops, (), ("peering:" + "|".join(sorted((ri_id, opp["id"]))),),
                              ("ali-rtb", self._system_table_id(vpc)), dst_ip, cls, stack)

    # CEN
    def _step_cen(self, domain, label, route, dst_ip, cls, stack):
        if route is None:
            return _fail([], label, "%s has no route to %s" % (label, self.describe_destination(dst_ip)), element=domain[1])
        origin = self.ali_vpcs[route["origin"]]
        hops = [hop(label, route["destination"], origin["id"], "published by %s (%s)" % (
            origin.get("name") or origin["id"], route["kind"]), "cen")]
        return self._continue(hops, (), (), ("ali-rtb", self._system_table_id(origin)), dst_ip, cls, stack)

    # --- pairs ------------------------------------------------------------------------------------------------
    def _constraints_ok(self, constraints, src_ip, src_cls):
        for c in constraints:
            key = (c[1], src_cls)
            ok = self._constraint_memo.get(key)
            if ok is None:
                ok = any(contains(cidr, src_ip) for cidr in c[1])
                self._constraint_memo[key] = ok
            if not ok:
                return c
        return None

    def _direction(self, start, src_ip, src_cls, dst_ip, dst_cls, dst_vkey):
        key = (start, src_cls, dst_cls, dst_vkey)
        found = self._direction_memo.get(key)
        if found is None:
            found = self._direction_memo[key] = self._direction_uncached(start, src_ip, src_cls, dst_ip, dst_cls, dst_vkey)
        return found

    def _direction_uncached(self, start, src_ip, src_cls, dst_ip, dst_cls, dst_vkey):
        t = self.trace(start, dst_ip, dst_cls)
        out = {"reachable": t.ok, "trace": t, "via": frozenset(t.via)}
        if t.ok:
            bad = self._constraints_ok(t.constraints, src_ip, src_cls)
            if bad is not None:
                out["reachable"] = False
                out["broken"] = {"hop": t.length, "domain": bad[0], "element": bad[2],
                                 "reason": "source %s is outside the %s; add it to the traffic selectors"
                                           % (self.describe_destination(src_ip), bad[0])}
            elif t.end_vpc != dst_vkey:
                out["reachable"] = False
                out["broken"] = {"hop": t.length, "domain": self.vpc_label(t.end_vpc), "element": t.end_vpc[1],
                                 "reason": "traffic for %s is delivered to %s instead of %s (overlapping CIDRs)"
                                           % (ipaddress.ip_address(dst_ip), self.vpc_label(t.end_vpc), self.vpc_label(dst_vkey))}
        else:
            out["broken"] = t.broken
        return out

    def trace_pair(self, src, dst):
        """Both directions between two located probes ``(probe, (vkey, domain), ip int, class)``."""
        (dummy, (s_vkey, s_dom), s_ip, s_cls), (dummy, (d_vkey, d_dom), d_ip, d_cls) = src, dst
        memo = self._direction_memo
        fwd = memo.get((s_dom, s_cls, d_cls, d_vkey))
        if fwd is None:
            fwd = self._direction(s_dom, s_ip, s_cls, d_ip, d_cls, d_vkey)
        ret = memo.get((d_dom, d_cls, s_cls, s_vkey))
        if ret is None:
            ret = self._direction(d_dom, d_ip, d_cls, s_ip, s_cls, s_vkey)
        reachable = fwd["reachable"] and ret["reachable"]
        cause = None
        if not fwd["reachable"]:
            cause = fwd["broken"]["reason"]
        elif not ret["reachable"]:
            cause = "the reply cannot return: " + ret["broken"]["reason"]
        asymmetric = bool(reachable and fwd["via"] != ret["via"])
        return reachable, fwd, ret, cause, asymmetric


def _within(inner, outer):
    li, vi = net(inner)
    lo, vo = net(outer)
    return li >= lo and vi & MASKS[lo] == vo


def _overlap(a, b):
    la, va = net(a)
    lb, vb = net(b)
    m = MASKS[min(la, lb)]
    return va & m == vb & m


# --- whole-snapshot analysis -------------------------------------------------------------------------------------

def analyse(snapshot, required=None, probes=None, with_hops=True):
    """Trace every ordered probe pair; return the report dict (JSON-serialisable).

    ``required``: None / "all" (every pair) or a list of [from, to] probe names that must be
    reachable. ``with_hops=False`` leaves the hop lists out (large benches).
    """
    engine = Engine(snapshot)
    probes = list(probes if probes is not None else (snapshot or {}).get("probes") or [])
    located, unplaced = [], []
    for p in probes:
        where, why = engine.locate(p)
        if where is None:
            unplaced.append({"probe": p["name"], "ip": p["ip"], "reason": why})
            continue
        ip_value = ip_int(p["ip"])
        located.append((p, where, ip_value, None))
    # Probes in the same route table whose addresses fall in the same prefixes route alike:
    # trace once per group pair, then expand to the probes.
    groups, order = {}, []
    for p, where, ip_value, dummy in located:
        key = (where, engine.dclass(ip_value))
        if key not in groups:
            groups[key] = (where, ip_value, key[1], [])
            order.append(key)
        groups[key][3].append(p)
    names = [p["name"] for p in probes]
    pairs, broken, blamed = [], [], set()
    required_set = _required(required, names)
    for skey in order:
        s_where, s_ip, s_cls, s_probes = groups[skey]
        for dkey in order:
            d_where, d_ip, d_cls, d_probes = groups[dkey]
            reachable, fwd, ret, cause, asym = engine.trace_pair((None, s_where, s_ip, s_cls), (None, d_where, d_ip, d_cls))
            info = None
            if not reachable:
                info = fwd.get("broken") if not fwd["reachable"] else ret.get("broken")
                if info and info.get("element"):
                    blamed.add(info["element"])
            broken_hop = None
            if with_hops and not reachable:
                broken_hop = fwd.get("broken") if not fwd["reachable"] else dict(ret["broken"], direction="return")
            for sp in s_probes:
                for dp in d_probes:
                    if sp is dp:
                        continue
                    item = {"from": sp["name"], "to": dp["name"], "src_ip": sp["ip"], "dst_ip": dp["ip"],
                            "reachable": reachable, "asymmetric": asym, "cause": cause,
                            "required": (sp["name"], dp["name"]) in required_set if required_set is not None else True}
                    if with_hops:
                        item["hops"] = fwd["trace"].hops
                        item["return_hops"] = ret["trace"].hops
                        item["broken_hop"] = broken_hop
                    pairs.append(item)
                    if not reachable:
                        broken.append(item)
    for u in unplaced:
        for other in names:
            if other == u["probe"]:
                continue
            for a, b in ((u["probe"], other), (other, u["probe"])):
                item = {"from": a, "to": b, "reachable": False, "asymmetric": False,
                        "cause": "probe %s cannot be placed: %s" % (u["probe"], u["reason"]),
                        "required": (a, b) in required_set if required_set is not None else True}
                pairs.append(item)
                broken.append(item)
    return {
        "probes": probes,
        "unplaced": unplaced,
        "pairs": pairs,
        "pair_count": len(pairs),
        "reachable_count": sum(1 for p in pairs if p["reachable"]),
        "broken": [dict((k, b[k]) for k in ("from", "to", "cause", "required")) for b in broken],
        "broken_required": [dict((k, b[k]) for k in ("from", "to", "cause")) for b in broken if b["required"]],
        "asymmetric": [{"from": p["from"], "to": p["to"]} for p in pairs if p.get("asymmetric")],
        "ipsec_checks": engine.ipsec_checks,
        "overlaps": overlaps(engine),
        "blackholes": engine.blackholes,
        "topology": topology(engine, blamed),
    }


def _required(required, names):
    if required is None or required == "all" or required == ["all"]:
        return None
    out = set()
    for pair in required:
        if len(pair) != 2:
            raise ValueError("each required entry must be [from, to], got %r" % (pair,))
        for n in pair:
            if n not in names:
                raise ValueError("required pair names unknown probe %r (probes: %s)" % (n, ", ".join(names)))
        out.add((pair[0], pair[1]))
    return out


def components(engine):
    """VPC keys grouped by what connects them (attachments, CEN, VPN bridges, peerings)."""
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a, b):
        parent[find(a)] = find(b)

    for vpc_id in engine.aws_vpcs:
        find(("aws", vpc_id))
    for vpc_id in engine.ali_vpcs:
        find(("ali", vpc_id))
    for att in engine.attachments.values():
        if att.get("type") == "vpc" and att.get("resource_id") in engine.aws_vpcs:
            union(("aws", att["resource_id"]), ("tgw", att["tgw_id"]))
        if att.get("type") == "peering":
            peer = att.get("peer_tgw_id") or att.get("resource_id")
            if peer:
                union(("tgw", att["tgw_id"]), ("tgw", peer))
    for vpc_id, cens in engine.vpc_cens.items():
        for cen in cens:
            union(("ali", vpc_id), ("cen", cen))
    for check in engine.ipsec_checks:
        vpn = engine.vpns.get(check.get("aws_vpn_connection_id")) or {}
        gw = engine.vpn_gws.get(check.get("alicloud_vpn_gateway_id")) or {}
        if vpn.get("tgw_id") and gw.get("vpc_id"):
            union(("tgw", vpn["tgw_id"]), ("ali", gw["vpc_id"]))
    for ri in engine.ris.values():
        opp = engine.ris.get(ri.get("opposite_interface_id"))
        if opp and ri.get("vpc_id") and opp.get("vpc_id"):
            union(("ali", ri["vpc_id"]), ("ali", opp["vpc_id"]))
    groups = {}
    for node in list(parent):
        if node[0] in ("aws", "ali"):
            groups.setdefault(find(node), []).append(node)
    return list(groups.values())


def overlaps(engine):
    """Overlapping CIDRs among VPCs that are connected to each other (sweep over intervals)."""
    out = []
    for group in components(engine):
        if len(group) < 2:
            continue
        intervals = []
        for vkey in group:
            vpc = (engine.aws_vpcs if vkey[0] == "aws" else engine.ali_vpcs)[vkey[1]]
            for cidr in vpc.get("cidrs") or []:
                length, value = net(cidr)
                intervals.append((value, value + (1 << (32 - length)) - 1, cidr, vkey))
        intervals.sort()
        active = []
        for start, end, cidr, vkey in intervals:
            active = [a for a in active if a[1] >= start]
            for a in active:
                if a[3] != vkey:
                    out.append({"a": engine.vpc_label(a[3]), "a_cidr": a[2], "b": engine.vpc_label(vkey), "b_cidr": cidr,
                                "message": "%s (%s) overlaps %s (%s): traffic between connected networks becomes "
                                           "ambiguous; renumber one or stop connecting them"
                                           % (engine.vpc_short(a[3]), a[2], engine.vpc_short(vkey), cidr)})
            active.append((start, end, cidr, vkey))
    return out


def topology(engine, blamed=()):
    """Nodes and links for the picture: clouds, hubs, VPCs, bridges (tunnels), peerings.

    A link is ``ok: false`` (drawn red) when its own state is bad or a broken pair blames a
    piece on it (``blamed``: element ids from the first broken hops).
    """
    blamed = set(blamed)
    nodes, links = [], []
    for vpc in engine.aws_vpcs.values():
        nodes.append({"id": vpc["id"], "kind": "vpc", "cloud": "aws", "label": vpc.get("name") or vpc["id"],
                      "detail": ",".join(vpc.get("cidrs") or []), "region": vpc.get("region")})
    for vpc in engine.ali_vpcs.values():
        nodes.append({"id": vpc["id"], "kind": "vpc", "cloud": "alicloud", "label": vpc.get("name") or vpc["id"],
                      "detail": ",".join(vpc.get("cidrs") or []), "region": vpc.get("region")})
    for tgw in engine.tgws.values():
        nodes.append({"id": tgw["id"], "kind": "hub", "cloud": "aws", "label": "TGW " + (tgw.get("name") or tgw["id"]),
                      "detail": tgw.get("region") or "", "region": tgw.get("region")})
    for cen in engine.cens.values():
        nodes.append({"id": cen["id"], "kind": "hub", "cloud": "alicloud", "label": "CEN " + (cen.get("name") or cen["id"]),
                      "detail": "global", "region": ""})
    for att in engine.attachments.values():
        if att.get("type") == "vpc" and att.get("resource_id") in engine.aws_vpcs:
            ok = att.get("state", "available") == "available" and (att["tgw_id"], att["id"]) in engine.association
            links.append({"a": att["resource_id"], "b": att["tgw_id"], "kind": "attachment", "label": att["id"],
                          "ok": ok and att["id"] not in blamed and att["tgw_id"] not in blamed})
        elif att.get("type") == "peering":
            peer = att.get("peer_tgw_id") or att.get("resource_id")
            links.append({"a": att["tgw_id"], "b": peer, "kind": "peering", "label": att["id"],
                          "ok": att.get("state", "available") == "available" and att["id"] not in blamed})
    for cen in engine.cens.values():
        for a in cen.get("attachments") or []:
            if a["instance_id"] in engine.ali_vpcs:
                links.append({"a": a["instance_id"], "b": cen["id"], "kind": "attachment", "label": a.get("status", ""),
                              "ok": a.get("status", "Attached") == "Attached" and a["instance_id"] not in blamed
                              and cen["id"] not in blamed})
    for check in engine.ipsec_checks:
        vpn = engine.vpns.get(check.get("aws_vpn_connection_id")) or {}
        gw = engine.vpn_gws.get(check.get("alicloud_vpn_gateway_id")) or {}
        if vpn.get("tgw_id") and gw.get("vpc_id"):
            links.append({"a": vpn["tgw_id"], "b": gw["vpc_id"], "kind": "bridge",
                          "label": "%s tunnel %s" % (vpn["id"], check.get("tunnel_outside_ip")),
                          "ok": check["ok"] and vpn["id"] not in blamed,
                          "problem": "; ".join(check["problems"])})
    seen = set()
    for ri in engine.ris.values():
        opp = engine.ris.get(ri.get("opposite_interface_id"))
        pair = tuple(sorted((ri["id"], ri.get("opposite_interface_id") or "?")))
        if pair in seen:
            continue
        seen.add(pair)
        if ri.get("vpc_id") and opp and opp.get("vpc_id"):
            ok = ri.get("status") == "Active" and opp.get("status") == "Active" \
                and opp.get("opposite_interface_id") == ri["id"] and not (set(pair) & blamed)
            links.append({"a": ri["vpc_id"], "b": opp["vpc_id"], "kind": "peering", "label": "%s <-> %s" % pair, "ok": ok})
    return {"nodes": nodes, "links": links}
