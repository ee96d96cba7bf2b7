# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cause codes: the machine-readable reason beside every failure and warning sentence.

The one place they are defined (docs/reachability.md lists them; a unit test keeps the two in
step). A code is stable: automation may match on it; the sentence beside it may be reworded.
``CAUSES[code]`` is the one-line meaning; ``WARNINGS`` are the codes that do not break a pair;
``NOTES`` mark what is fine by design (the tunnel list shows them, nothing warns about them).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

CAUSES = {}
WARNINGS = set()
NOTES = set()


def _define(code, meaning, warning=False, note=False):
    CAUSES[code] = meaning
    if warning:
        WARNINGS.add(code)
    if note:
        NOTES.add(code)
    return code


# --- routes ---------------------------------------------------------------------------------------
NO_ROUTE = _define("no_route", "a VPC route table has no route to the destination")
TGW_NO_ROUTE = _define("tgw_no_route", "a Transit Gateway route table has no route to the destination")
CEN_NO_ROUTE = _define("cen_no_route", "no VPC attached to the CEN holds or publishes the destination")
CEN_ROUTE_NOT_PUBLISHED = _define(
    "cen_route_not_published", "a CEN member VPC routes the destination, but that route entry is not published to CEN")
CEN_NOT_ATTACHED = _define("cen_not_attached",
                           "the VPC is not attached to a CEN and has no route entry toward the destination VPC")
BLACKHOLE = _define("blackhole", "a route drops the traffic: a blackhole route, or its target no longer exists")
NEXT_HOP_MISSING = _define("next_hop_missing", "a route points at a VPN gateway, router interface, transit router "
                                               "connection, VPC peering or IPsec connection that does not exist")
UNSUPPORTED_TARGET = _define("unsupported_target",
                             "a route leads to a target the engine does not follow (internet gateway, NAT, ...)")
NOT_READ = _define("not_read", "a piece on the path (TGW, VPC, route table, interface) is not in the snapshot read")
NO_SUBNET = _define("no_subnet", "the destination VPC has no subnet or vSwitch holding the address")
WRONG_ATTACHMENT = _define("wrong_attachment", "a TGW route sends the address to a VPC whose CIDRs do not hold it")
TGW_ATTACHMENT_MISSING = _define("tgw_attachment_missing",
                                 "the VPC or VPN is not attached to the Transit Gateway (or its attachment is down)")
TGW_ASSOCIATION_MISSING = _define("tgw_association_missing", "a TGW attachment is associated with no TGW route table")
ATTACHMENT_NOT_AVAILABLE = _define("attachment_not_available", "a TGW or transit router route points at an "
                                                               "attachment that is gone or not available / attached")
LOOP = _define("loop", "a routing domain is reached twice on the way: a routing loop")
TOO_MANY_HOPS = _define("too_many_hops", "more routing domains on the way than the engine follows (MAX_HOPS)")
OVERLAPPING_CIDRS = _define("overlapping_cidrs",
                            "connected VPCs overlap: the traffic is delivered to another VPC than the one meant")
UNKNOWN_DOMAIN = _define("unknown_domain", "a routing domain kind with no step registered (a bug in an extension)")
PROBE_UNPLACED = _define("probe_unplaced",
                         "no subnet holds the probe address, several VPCs do, or its route table was not read")

# --- Enterprise transit routers and VPC peering connections ----------------------------------------
TR_NO_ROUTE = _define("tr_no_route", "a transit router route table has no route to the destination")
TR_BLACKHOLE = _define("tr_blackhole", "a transit router route table drops the destination (a blackhole route)")
TR_NOT_ASSOCIATED = _define("tr_not_associated",
                            "a transit router connection is associated with no route table of its router")
INTER_REGION_MISSING = _define("inter_region_missing", "the destination is behind a transit router of another "
                                                       "region, and no inter-region connection joins the two")
PEERING_NOT_ACCEPTED = _define("peering_not_accepted",
                               "a VPC peering connection is not Activated (not accepted yet, rejected or expired)")
PEERING_ROUTE_MISSING = _define("peering_route_missing", "an Activated VPC peering connection joins the two VPCs, "
                                                         "but one side has no route through it")

# --- VPN and IPsec ------------------------------------------------------------------------------------
VPN_NOT_AVAILABLE = _define("vpn_not_available", "the AWS VPN connection is not in state available")
NO_IPSEC_PEER = _define("no_ipsec_peer", "a tunnel or IPsec connection has no counterpart on the other cloud")
TUNNEL_DOWN = _define("tunnel_down", "both ends agree, but a cloud reports the tunnel down")
DESTINATION_NOT_IN_SELECTORS = _define("destination_not_in_selectors",
                                       "the VPN / IPsec traffic selectors on the path do not carry the destination")
SOURCE_NOT_IN_SELECTORS = _define("source_not_in_selectors",
                                  "the source address is outside a VPN / IPsec traffic selector on the path")
OUTSIDE_IP_MISMATCH = _define("outside_ip_mismatch",
                              "the customer gateway IPs do not cross-match the other end's public IP")
PSK_MISMATCH = _define("psk_mismatch", "the two ends of a tunnel use different pre-shared keys")
IKE_VERSION_MISMATCH = _define("ike_version_mismatch", "the Alibaba IKE version is not one the AWS tunnel allows")
IKE_MODE_MISMATCH = _define("ike_mode_mismatch", "Alibaba uses IKEv1 aggressive mode; AWS accepts main mode only")
IDENTITY_MISMATCH = _define("identity_mismatch",
                            "an IKE identity (LocalId / RemoteId) is not the public IP AWS expects")
PROPOSAL_MISMATCH = _define("proposal_mismatch",
                            "no common phase-1 or phase-2 proposal (encryption, integrity, DH group)")
LIFETIME_OUT_OF_RANGE = _define("lifetime_out_of_range", "an SA lifetime is outside what the other cloud accepts")
SELECTOR_MISMATCH = _define("selector_mismatch",
                            "Alibaba's traffic selectors are not inside the AWS connection's local / remote networks")
TOO_MANY_SA_PAIRS = _define("too_many_sa_pairs",
                            "IKEv1 with several subnets negotiates one SA pair each; AWS accepts one per tunnel")
VPN_ROUTE_MISSING = _define("vpn_route_missing", "a VPN gateway in destination routing mode has no VPN route "
                                                 "entry for the destination (the tunnel may be up)")
IPSEC_NOT_ATTACHED = _define("ipsec_not_attached", "an IPsec connection with no VPN gateway is not attached to a "
                                                   "transit router (or its VPN attachment is not attached)")
RI_NOT_ACTIVE = _define("ri_not_active", "an Express Connect router interface is not Active")
RI_NOT_PAIRED = _define("ri_not_paired",
                        "the opposite router interface is not Active or points at another interface")

# --- warnings (never break a pair) ------------------------------------------------------------------------
PSK_UNKNOWN = _define("psk_unknown", "one side's pre-shared key could not be read: its equality is unknown", True)
ASYMMETRIC_PATH = _define("asymmetric_path", "the reply crosses other transit pieces than the request", True)
ROUTES_TRUNCATED = _define("routes_truncated", "a TGW route table has more routes than were read", True)
TUNNEL_REDUNDANCY_LOST = _define("tunnel_redundancy_lost", "a tunnel of a dual-tunnel IPsec connection is down while "
                                                           "its partner carries the traffic: no redundancy left", True)
TEST_BANDWIDTH_ONLY = _define("test_bandwidth_only", "an inter-region connection has only the 1 Kbps test bandwidth: "
                                                     "ping works, real traffic needs bandwidth", True)

# --- notes (fine by design) ------------------------------------------------------------------------------
IDLE_BY_DESIGN = _define("idle_by_design", "an AWS tunnel no Alibaba tunnel can answer by design (tunnel 2 when the "
                                           "customer gateway is one TR-attached tunnel's IP): not a problem",
                         note=True)
