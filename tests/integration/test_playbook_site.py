"""site.yml and playbooks/destroy.yml on today's twin, run by ansible-playbook itself, for both bridge modes.

inventories/seed-tgw-cen (transit_router mode; check mode on an empty twin is tests/integration/test_secrets.py's):
site.yml builds the Enterprise transit-router hub and the TR-attached dual-tunnel bridge (two TGW VPN
attachments, AWS tunnel 2s idle by design), 12/12 probe pairs reachable; a second run changes nothing and makes
no mutating call; destroy.yml leaves only the world. inventories/seed-tgw-cen-vpn-gateway (vpn_gateway mode):
build (dual-tunnel VPN gateway, four tunnels, VPN route entries), reachable, re-run changed=0, destroy.

Then, on each shared build, what a user's console change breaks (through boto3 / the official Alibaba SDK), one
thing after another and nothing restored: verify.yml fails naming every broken pair with its cause code (the Tokyo
VPC connection's route-table association, then the inter-region connection; VPC B's VPN route entries), or passes
with a warning naming the one tunnel of four whose key differs; one site.yml re-run per build heals it all.

One end-to-end run per step and inventory: a module-scoped fixture builds once and the tests that only read share
it; the re-run and the destroy come last, in file order. Needs h13's pre-flight, hub roles and playbooks, and h12's
reachability engine for today's clouds (see the report of wave 3).
"""

from __future__ import annotations

import re

import pytest
from cloudtwin.alicloud.models import vpn as ali_vpn

from conftest import _fresh
from playbookhelpers import ROOT, flat, play
from twinhelpers import cbn_call, seeded_vpc, vpc_call

pytestmark = [pytest.mark.slow]

TR_INVENTORY = ROOT / "inventories" / "seed-tgw-cen"
VG_INVENTORY = ROOT / "inventories" / "seed-tgw-cen-vpn-gateway"
PAIRS_REACHABLE = "12 of 12 pairs reachable"
ALIBABA_KINDS = ("Cen", "TransitRouter", "TransitRouterVpcAttachment", "TransitRouterPeerAttachment",
                 "TransitRouterVpnAttachment", "TransitRouterRouteEntry", "VpnGateway", "VpnConnection",
                 "CustomerGateway", "VpnRouteEntry", "RouteEntry")


def live(items, key="State"):
    return [i for i in items if i.get(key) not in ("deleted", "deleting", "failed")]


def aws_snapshot(handle):
    ec2 = handle.ec2()
    return {
        "tgws": live(ec2.describe_transit_gateways()["TransitGateways"]),
        "attachments": live(ec2.describe_transit_gateway_attachments()["TransitGatewayAttachments"]),
        "vpns": live(ec2.describe_vpn_connections()["VpnConnections"]),
        "cgws": live(ec2.describe_customer_gateways()["CustomerGateways"]),
        "subnet_routes": sorted((t["RouteTableId"], r["DestinationCidrBlock"])
                                for t in ec2.describe_route_tables()["RouteTables"] for r in t["Routes"]
                                if r.get("TransitGatewayId")),
    }


def ali_snapshot(handle):
    return dict((kind, sorted(r.id for r in handle.ali_resources(kind) if not r.deleted)) for kind in ALIBABA_KINDS)


def vpns_by_name(aws):
    return dict((next(t["Value"] for t in v.get("Tags", []) if t["Key"] == "Name"), v) for v in aws["vpns"])


def tgw_static_routes(handle, tgw_id):
    """(destination, attachment) of the static routes of the TGW's default route table."""
    ec2 = handle.ec2()
    table = ec2.describe_transit_gateways(TransitGatewayIds=[tgw_id])["TransitGateways"][0]["Options"][
        "AssociationDefaultRouteTableId"]
    routes = ec2.search_transit_gateway_routes(TransitGatewayRouteTableId=table,
                                               Filters=[{"Name": "type", "Values": ["static"]}])["Routes"]
    return sorted((r["DestinationCidrBlock"], r["TransitGatewayAttachments"][0]["TransitGatewayAttachmentId"])
                  for r in routes)


def aws_keys(handle):
    """Every pre-shared key of the AWS tunnels (AWS generated them: the inventories give none)."""
    keys = [t.get("PreSharedKey") for v in aws_snapshot(handle)["vpns"] for t in v["Options"]["TunnelOptions"]]
    return [k for k in keys if k]


def build(handle, inventory):
    """Reset the twin, remember the world, run site.yml once (--diff)."""
    before = {"aws": aws_snapshot(handle), "alicloud": ali_snapshot(handle)}
    run = play(handle.env, inventory, "site.yml", "--diff")
    return {"handle": handle, "inventory": inventory, "before": before, "run": run}


@pytest.fixture(scope="module")
def fresh_twin(today_seed_twin):
    with pytest.MonkeyPatch.context() as patch:
        yield lambda: _fresh(today_seed_twin, patch)


@pytest.fixture(scope="module")
def tr_site(fresh_twin):
    return build(fresh_twin(), TR_INVENTORY)


@pytest.fixture(scope="module")
def vg_site(fresh_twin):
    return build(fresh_twin(), VG_INVENTORY)


def second_run_changes_nothing(site):
    handle = site["handle"]
    keys = aws_keys(handle)
    handle.clear_calls()
    run = play(handle.env, site["inventory"], "site.yml", "--diff")
    assert run.changed() == {"aws_main": 0, "alicloud_main": 0}
    assert handle.mutating_calls() == []
    assert aws_keys(handle) == keys and not any(k in run.output for k in keys)
    assert PAIRS_REACHABLE in run.output
    return run


def destroy_leaves_only_the_world(site):
    handle = site["handle"]
    play(handle.env, site["inventory"], "playbooks/destroy.yml")
    assert aws_snapshot(handle) == site["before"]["aws"]
    assert ali_snapshot(handle) == site["before"]["alicloud"]


# --- breakages a user's console change could make, named by verify.yml, healed by one site.yml re-run ----------
PROBES = {"virginia-a": "172.16.0.132", "virginia-b": "172.17.0.111", "tokyo": "10.0.0.17", "beijing": "192.168.0.92"}


def pairs_between(xs, ys):
    """The ordered probe pairs (by IP) from each of xs to each of ys and back."""
    return sorted({(PROBES[x], PROBES[y]) for x in xs for y in ys} | {(PROBES[y], PROBES[x]) for x in xs for y in ys})


def broken_pairs(output):
    """{(from, to): cause code}: the lines "from -> to [code]: cause" under verify.yml's matrix."""
    return dict(((a, b), code) for a, b, code in re.findall(r"([\d.]+) -> ([\d.]+) \[(\w+)\]:", flat(output)))


def verify_fails(site):
    """verify.yml on the site's inventory: it must fail (rc 2); its output, whitespace flattened."""
    return play(site["handle"].env, site["inventory"], "playbooks/verify.yml", expect_rc=2).output


def heal(site, broken_key):
    """One site.yml re-run: it changes something (each bridge is built from its AWS host, the Alibaba side too),
    ends with every pair reachable and no tunnel down, and never shows the key a test broke a tunnel with."""
    run = play(site["handle"].env, site["inventory"], "site.yml")
    assert sum(run.changed().values()) > 0, run.changed()
    assert PAIRS_REACHABLE in run.output
    text = flat(run.output)
    assert "is down while its partner path carries traffic" not in text and "DOWN (" not in text
    assert broken_key not in run.output
    return run


def vpc_attachment(handle, vpc_name):
    vpc = seeded_vpc(handle, vpc_name)
    return next(a for a in handle.ali_resources("TransitRouterVpcAttachment") if a["VpcId"] == vpc.id and not a.deleted)


# --- transit_router mode (inventories/seed-tgw-cen) ---------------------------------------------------------------
def test_site_builds_the_transit_router_hub_and_the_dual_tunnel_bridge(tr_site):
    handle, run = tr_site["handle"], tr_site["run"]
    assert run.recap["aws_main"]["failed"] == 0 and run.recap["alicloud_main"]["failed"] == 0
    aws = aws_snapshot(handle)
    (tgw,) = aws["tgws"]
    kinds = sorted(a["ResourceType"] for a in aws["attachments"] if a["TransitGatewayId"] == tgw["TransitGatewayId"])
    assert kinds == ["vpc", "vpc", "vpn", "vpn"]
    vpns = vpns_by_name(aws)
    assert sorted(vpns) == ["tgw-tokyo-1", "tgw-tokyo-2"]
    # tunnel 1 of each AWS VPN connection meets one Alibaba tunnel; tunnel 2 is idle by design
    assert [[t["Status"] for t in vpns[n]["VgwTelemetry"]] for n in sorted(vpns)] == [["UP", "DOWN"], ["UP", "DOWN"]]
    for vpn in vpns.values():
        for tunnel in vpn["Options"]["TunnelOptions"]:
            assert [v["Value"] for v in tunnel["IkeVersions"]] == ["ikev2"]
            assert (tunnel["Phase1LifetimeSeconds"], tunnel["Phase2LifetimeSeconds"]) == (28800, 3600)
    vpn_1 = vpns["tgw-tokyo-1"]
    attachment_1 = next(a["TransitGatewayAttachmentId"] for a in aws["attachments"]
                        if a["ResourceType"] == "vpn" and a["ResourceId"] == vpn_1["VpnConnectionId"])
    assert tgw_static_routes(handle, tgw["TransitGatewayId"]) == [("10.0.0.0/8", attachment_1),
                                                                  ("192.168.0.0/16", attachment_1)]
    # Alibaba: the IPsec connection attached to the Tokyo transit router, both tunnels up, the placeholder gone
    state = handle.twin.backend.state
    (vco,) = [c for c in state.all("VpnConnection")]
    assert vco["AttachType"] == "CEN" and vco["State"] == "attached"
    assert [t["Status"] for t in ali_vpn.tunnels(vco)] == ["ipsec_sa_established"] * 2
    cgw_ips = sorted(c["IpAddress"] for c in state.all("CustomerGateway"))
    assert cgw_ips == sorted(t["Options"]["TunnelOptions"][0]["OutsideIpAddress"] for t in vpns.values())
    (vpn_attachment,) = state.all("TransitRouterVpnAttachment")
    routes = sorted((r["TransitRouterRouteEntryDestinationCidrBlock"], r["TransitRouterRouteEntryNextHopId"])
                    for r in state.all("TransitRouterRouteEntry"))
    assert routes == [("172.16.0.0/16", vpn_attachment.id), ("172.17.0.0/16", vpn_attachment.id)]
    # the tunnel lines: both used tunnels up, both AWS tunnel 2s idle by design, nothing warned about
    text = flat(run.output)
    assert "tgw-tokyo tunnel 1: Alibaba tgw-tokyo (" in text and "tgw-tokyo tunnel 2: Alibaba tgw-tokyo (" in text
    assert "AWS tgw-tokyo-1 (%s) tunnel 2" % vpn_1["VpnConnectionId"] in text and "idle by design" in text
    assert "is down while its partner path carries traffic" not in text and "DOWN (" not in text
    # no pre-shared key anywhere in the output, --diff included
    keys = aws_keys(handle)
    assert len(keys) == 4 and not any(k in run.output for k in keys)


def test_every_probe_pair_is_reachable(tr_site):
    assert PAIRS_REACHABLE in tr_site["run"].output


def test_second_run_changes_nothing(tr_site):
    run = second_run_changes_nothing(tr_site)
    # nothing changed and every tunnel was up as the bridge's reconcilers read it: no second read of either
    # cloud's tunnels (bridge_settled_tunnels), neither in the bridge flow nor in verify's status
    assert "aws_vpn_connection_info" not in run.module_calls["aws_main"]
    assert "alicloud_vpn_info" not in run.module_calls["aws_main"]


def test_verify_names_the_pairs_of_a_vpc_connection_left_without_its_route_table_association(tr_site):
    """The Tokyo VPC's transit router connection dissociated from its route table (as from the console): the
    replies toward Tokyo are dropped where they enter the router, so every pair with Tokyo fails."""
    handle = tr_site["handle"]
    attachment = vpc_attachment(handle, "tokyo-vpc").id
    (association,) = cbn_call(handle, "ListTransitRouterRouteTableAssociations",
                              TransitRouterAttachmentId=attachment)["TransitRouterAssociations"]
    cbn_call(handle, "DissociateTransitRouterAttachmentFromRouteTable", TransitRouterAttachmentId=attachment,
             TransitRouterRouteTableId=association["TransitRouterRouteTableId"])
    output = verify_fails(tr_site)
    assert broken_pairs(output) == dict.fromkeys(pairs_between(["tokyo"], ["virginia-a", "virginia-b", "beijing"]),
                                                 "tr_not_associated")
    assert attachment in flat(output)


def test_verify_names_the_pairs_cut_off_by_the_inter_region_connection_deleted(tr_site):
    """Then the Tokyo-Beijing connection deleted too (the association stays missing): Beijing loses AWS as well."""
    handle = tr_site["handle"]
    (peer,) = [a for a in handle.ali_resources("TransitRouterPeerAttachment") if not a.deleted]
    cbn_call(handle, "DeleteTransitRouterPeerAttachment", TransitRouterAttachmentId=peer.id, Force=True)
    broken = broken_pairs(verify_fails(tr_site))
    assert dict((p, broken.get(p)) for p in pairs_between(["beijing"], ["virginia-a", "virginia-b"])) == dict.fromkeys(
        pairs_between(["beijing"], ["virginia-a", "virginia-b"]), "inter_region_missing")
    # Tokyo's pairs stay broken; the Tokyo <-> Beijing pairs now miss both pieces, either code names one
    assert sorted(broken) == sorted(pairs_between(["tokyo", "beijing"], ["virginia-a", "virginia-b"]) +
                                    pairs_between(["tokyo"], ["beijing"]))
    assert set(broken[p] for p in pairs_between(["tokyo"], ["beijing"])) <= {"tr_not_associated",
                                                                            "inter_region_missing"}


def test_verify_warns_about_a_tunnel_down_beside_a_working_one_and_fails_without_a_path(tr_site):
    """verify.yml's tunnel part (probes left out: the tunnels alone are judged). Runs after the re-run test."""
    handle = tr_site["handle"]
    ec2 = handle.ec2()
    vpns = vpns_by_name(aws_snapshot(handle))

    def break_tunnel_1(name):
        vpn = vpns[name]
        ec2.modify_vpn_tunnel_options(VpnConnectionId=vpn["VpnConnectionId"],
                                      VpnTunnelOutsideIpAddress=vpn["Options"]["TunnelOptions"][0]["OutsideIpAddress"],
                                      TunnelOptions={"PreSharedKey": "Broken.key_for_the_test"})

    break_tunnel_1("tgw-tokyo-2")
    text = flat(play(handle.env, TR_INVENTORY, "playbooks/verify.yml", "-e", '{"transit_probes": []}').output)
    assert ("bridge tgw-tokyo: tunnel 2 (Alibaba tgw-tokyo tunnel 2 <-> AWS tgw-tokyo-2 tunnel 1): AWS says DOWN: "
            "IPSEC IS DOWN: phase 1 failed: pre-shared keys differ") in text
    assert "is down while its partner path carries traffic" in text and "Broken.key_for_the_test" not in text

    break_tunnel_1("tgw-tokyo-1")
    run = play(handle.env, TR_INVENTORY, "playbooks/verify.yml", "-e", '{"transit_probes": []}', expect_rc=2)
    text = flat(run.output)
    assert "bridge tgw-tokyo has no working path: tunnel 1 (Alibaba tgw-tokyo tunnel 1 <-> AWS tgw-tokyo-1" in text
    assert "tunnel 2 (Alibaba tgw-tokyo tunnel 2 <-> AWS tgw-tokyo-2 tunnel 1): AWS says DOWN" in text


def test_site_rerun_heals_the_association_the_inter_region_connection_and_the_keys(tr_site):
    """One site.yml run after the three tests above: the association and the inter-region connection made again,
    AWS's changed keys sent to the Alibaba tunnels; every pair reachable, both used tunnels up, no key shown."""
    heal(tr_site, "Broken.key_for_the_test")


def test_destroy_leaves_only_the_world(tr_site):
    destroy_leaves_only_the_world(tr_site)


# --- vpn_gateway mode (inventories/seed-tgw-cen-vpn-gateway) ------------------------------------------------------
def test_vpn_gateway_site_builds_four_tunnels_and_destination_routes(vg_site):
    handle, run = vg_site["handle"], vg_site["run"]
    assert run.recap["aws_main"]["failed"] == 0 and run.recap["alicloud_main"]["failed"] == 0
    vpns = vpns_by_name(aws_snapshot(handle))
    assert sorted(vpns) == ["tgw-tokyo-1", "tgw-tokyo-2"]
    assert [[t["Status"] for t in vpns[n]["VgwTelemetry"]] for n in sorted(vpns)] == [["UP", "UP"], ["UP", "UP"]]
    state = handle.twin.backend.state
    (gateway,) = state.all("VpnGateway")
    ips = {gateway["InternetIp"], gateway["DisasterRecoveryInternetIp"]}
    cgw_ips = {c["IpAddress"] for c in state.all("CustomerGateway")}
    assert len(cgw_ips) == 4 and not ips & cgw_ips
    connections = dict((c["Name"], c) for c in state.all("VpnConnection"))
    assert sorted(connections) == ["tgw-tokyo-a", "tgw-tokyo-b"]
    entries = sorted((e["RouteDest"], e["NextHop"], int(e["Weight"])) for e in state.all("VpnRouteEntry"))
    a, b = connections["tgw-tokyo-a"].id, connections["tgw-tokyo-b"].id
    assert entries == sorted([("172.16.0.0/16", a, 100), ("172.16.0.0/16", b, 0),
                              ("172.17.0.0/16", a, 100), ("172.17.0.0/16", b, 0)])
    assert "tgw-tokyo tunnel 4: Alibaba tgw-tokyo-b (" in flat(run.output) and "idle by design" not in run.output
    keys = aws_keys(handle)
    assert len(keys) == 4 and not any(k in run.output for k in keys)
    assert PAIRS_REACHABLE in run.output


def test_vpn_gateway_second_run_changes_nothing(vg_site):
    second_run_changes_nothing(vg_site)


def test_vpn_gateway_verify_passes_with_a_warning_when_one_tunnel_of_four_has_another_key(vg_site):
    """Connection B's tunnel 2 takes another key on the Alibaba side only (ModifyVpnConnectionAttribute, as from the
    console): that tunnel goes down, the other three carry the traffic; verify passes, warning about that tunnel."""
    handle = vg_site["handle"]
    connection = next(c for c in handle.ali_resources("VpnConnection") if c["Name"] == "tgw-tokyo-b")
    tunnel = ali_vpn.tunnels(connection)[1]
    vpc_call(handle, "ModifyVpnConnectionAttribute", VpnConnectionId=connection.id, TunnelOptionsSpecification=[
        {"TunnelId": tunnel["TunnelId"], "TunnelIkeConfig": {"Psk": "Console.key_on_one_side"}}])
    run = play(handle.env, VG_INVENTORY, "playbooks/verify.yml")
    text = flat(run.output)
    assert PAIRS_REACHABLE in text and "Console.key_on_one_side" not in run.output
    assert ("bridge tgw-tokyo: tunnel 4 (Alibaba tgw-tokyo-b tunnel 2 <-> AWS tgw-tokyo-2 tunnel 2): AWS says DOWN: "
            "IPSEC IS DOWN: phase 1 failed: pre-shared keys differ") in text
    assert "is down while its partner path carries traffic" in text
    # the reachability part: every pair still reachable, the lost redundancy and its cause named with their codes
    assert "[WARNING]: [tunnel_redundancy_lost] %s tunnel 2" % connection.id in text
    assert "<-> Alibaba %s tunnel 2: down [psk_mismatch]" % connection.id in text


def test_vpn_gateway_verify_names_the_pairs_left_without_vpn_route_entries(vg_site):
    """Then VPC B's VPN route entries deleted (the active one and the standby): they were published to the Tokyo VPC,
    so its route to VPC B goes with them; every pair between VPC B and Alibaba fails, named by the missing entry.
    (The active entry alone is not a breakage: the standby carries the traffic, tests/integration/
    test_reachability_today.py.)"""
    handle = vg_site["handle"]
    (gateway,) = [g for g in handle.ali_resources("VpnGateway") if not g.deleted]
    for entry in [e for e in handle.ali_resources("VpnRouteEntry") if e["RouteDest"] == "172.17.0.0/16"]:
        vpc_call(handle, "DeleteVpnRouteEntry", VpnGatewayId=gateway.id, RouteDest=entry["RouteDest"],
                 NextHop=entry["NextHop"], Weight=int(entry["Weight"]))
    output = verify_fails(vg_site)
    assert broken_pairs(output) == dict.fromkeys(pairs_between(["virginia-b"], ["tokyo", "beijing"]),
                                                 "vpn_route_missing")
    assert ("has no route to 172.17.0.0/16: VPN gateway %s uses destination routing" % gateway.id in flat(output)
            and "CreateVpnRouteEntry RouteDest 172.17.0.0/16" in flat(output))


def test_vpn_gateway_site_rerun_heals_the_vpn_route_entries_and_the_key(vg_site):
    heal(vg_site, "Console.key_on_one_side")


def test_vpn_gateway_destroy_leaves_only_the_world(vg_site):
    destroy_leaves_only_the_world(vg_site)
