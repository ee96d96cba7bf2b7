"""plugins/filter/bridge.py and module_utils/bridge.py: the VPN bridge's pairing, module inputs, status and verdict."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.multicloud.transit.plugins.filter.bridge import FilterModule
from ansible_collections.multicloud.transit.plugins.module_utils import bridge, ipsec

ROOT = Path(__file__).resolve().parents[2]
FILTERS = FilterModule().filters()
KEYS = ["first.key_1", "second.key_2", "third.key_3", "fourth.key_4"]


def plan_bridge(**extra):
    """A bridge as the topology plan gives it (transit_plan.bridges entry)."""
    entry = {"name": "tgw-tokyo", "aws_hub": "seed-tgw", "alicloud_hub": "seed-cen", "aws_host": "aws_main",
             "alicloud_host": "alicloud_main", "aws_region": "us-east-1", "alicloud_region": "ap-northeast-1",
             "tgw": "seed-tgw", "cen": "seed-cen", "aws_prefixes": ["172.16.0.0/16", "172.17.0.0/16"],
             "alicloud_prefixes": ["10.0.0.0/8", "192.168.0.0/16"]}
    entry.update(extra)
    return FILTERS["bridge_defaults"](entry)


def aws_vpns(name="tgw-tokyo", status=("UP", "DOWN", "UP", "DOWN"), psks=None):
    """Two AWS VPN connections as aws_vpn_connection_info returns them (tunnel outside IPs 203.0.113.1x)."""
    out = []
    for vpn in (1, 2):
        tunnels = []
        for tunnel in (1, 2):
            index = (vpn - 1) * 2 + tunnel - 1
            item = {"outside_ip_address": "203.0.113.%d%d" % (vpn, tunnel), "status": status[index],
                    "status_message": "" if status[index] == "UP" else "IPSEC IS DOWN: phase 1 failed: keys differ"}
            if psks:
                item["pre_shared_key"] = psks[index]
            tunnels.append(item)
        out.append({"name": "%s-%d" % (name, vpn), "vpn_connection_id": "vpn-%d" % vpn, "state": "available",
                    "transit_gateway_attachment_id": "tgw-attach-vpn%d" % vpn, "tunnels": tunnels})
    return out


def ali_tunnel(index, cgw, status="ipsec_sa_established"):
    return {"tunnel_index": index, "role": "master" if index == 1 else "slave", "gateway_ip": "198.51.100.%d" % index,
            "customer_gateway_id": cgw, "status": status}


def ali_info(mode="transit_router", statuses=("ipsec_sa_established",) * 4, cgw_ips=None):
    """An alicloud_vpn_info result with the bridge's connections, pointed at the AWS tunnels as designed."""
    pairs = bridge.pairs(mode)
    ips = cgw_ips or ["203.0.113.%d%d" % (p["aws_vpn"], p["aws_tunnel"]) for p in pairs]
    cgws = [{"customer_gateway_id": "cgw-%d" % n, "ip_address": ip} for n, ip in enumerate(ips)]
    conns = [{"name": name, "vpn_connection_id": "vco-%s" % name, "tunnels": []}
             for name in bridge.alicloud_connection_names("tgw-tokyo", mode)]
    for n, pair in enumerate(pairs):
        conns[pair["alicloud_connection"]]["tunnels"].append(ali_tunnel(pair["alicloud_tunnel"], "cgw-%d" % n,
                                                                        statuses[n]))
    kind = "vpn_attachments" if mode == "transit_router" else "ipsec_connections"
    return {kind: conns, "customer_gateways": cgws}


def test_every_filter_has_its_doc_file_and_ansible_doc_renders_them():
    from playbookhelpers import filter_docs  # tests/playbookhelpers.py (wave 3, h13)

    assert sorted(FILTERS) == ["bridge_alicloud_customer_gateways", "bridge_alicloud_tunnels",
                               "bridge_aws_customer_gateways", "bridge_aws_vpn_connections", "bridge_cleanup",
                               "bridge_defaults", "bridge_hubs_built", "bridge_keys", "bridge_psks",
                               "bridge_references", "bridge_routes", "bridge_settled_tunnels", "bridge_tunnels",
                               "bridge_verdict"]
    for name in FILTERS:
        assert (ROOT / "plugins" / "filter" / ("%s.yml" % name)).exists(), name
    filter_docs(["multicloud.transit.%s" % name for name in sorted(FILTERS)])


# --- the pairing -------------------------------------------------------------------------------------------------
def test_transit_router_pairing_alibaba_tunnel_k_meets_tunnel_1_of_aws_vpn_k():
    pairs = bridge.pairs("transit_router")
    assert [(p["alicloud_connection"], p["alicloud_tunnel"], p["aws_vpn"], p["aws_tunnel"]) for p in pairs] == \
        [(0, 1, 1, 1), (0, 2, 2, 1)]
    assert bridge.idle_tunnels("transit_router") == [(1, 2), (2, 2)]
    assert bridge.tunnel_count("transit_router") == 2


def test_vpn_gateway_pairing_two_connections_over_all_four_aws_tunnels():
    pairs = bridge.pairs("vpn_gateway")
    assert [(p["alicloud_connection"], p["alicloud_role"], p["aws_vpn"], p["aws_tunnel"]) for p in pairs] == \
        [(0, "master", 1, 1), (0, "slave", 2, 1), (1, "master", 1, 2), (1, "slave", 2, 2)]
    assert bridge.idle_tunnels("vpn_gateway") == [] and bridge.tunnel_count("vpn_gateway") == 4


@pytest.mark.parametrize("mode", bridge.MODES)
def test_pairing_respects_aws_taking_ike_only_from_its_customer_gateway(mode):
    pairs = bridge.pairs(mode)
    aws_ends = [(p["aws_vpn"], p["aws_tunnel"]) for p in pairs]
    # every AWS tunnel is used once or idle by design, never both; every Alibaba tunnel is used once
    assert sorted(aws_ends + bridge.idle_tunnels(mode)) == [(1, 1), (1, 2), (2, 1), (2, 2)]
    assert len(set((p["alicloud_connection"], p["alicloud_tunnel"]) for p in pairs)) == len(pairs)
    # an AWS connection's tunnels all meet one Alibaba source IP (master -> VPN-1, slave -> VPN-2)
    for vpn in (1, 2):
        assert set(p["alicloud_role"] for p in pairs if p["aws_vpn"] == vpn) == {"master" if vpn == 1 else "slave"}
    assert [p["number"] for p in pairs] == list(range(1, len(pairs) + 1))


def test_unknown_mode_is_refused():
    with pytest.raises(bridge.BridgeError, match="mode: 'bgp'"):
        bridge.pairs("bgp")


# --- the bridge dict ---------------------------------------------------------------------------------------------
def test_defaults_are_filled_and_secrets_dropped():
    entry = plan_bridge(psks=list(KEYS[:2]), psk_seed="s3cret-seed", ike={"integrity": "sha1"})
    assert entry["mode"] == "transit_router" and entry["tunnels"] == 2 and entry["placeholder_ip"] == "192.0.2.1"
    assert entry["ike"] == {"integrity": "sha1"} and entry["tags"] == {} and entry["gateway"]["bandwidth"] == 10
    assert "psks" not in entry and "psk_seed" not in entry
    assert plan_bridge(mode="vpn_gateway", alicloud_vpc="tokyo-vpc", gateway={"bandwidth": 100})["gateway"] == \
        {"bandwidth": 100, "instance_charge_type": None, "period": None}
    assert plan_bridge(mode="vpn_gateway", alicloud_vpc="tokyo-vpc")["tunnels"] == 4


def test_defaults_name_every_problem_and_never_a_key():
    with pytest.raises(AnsibleFilterError) as err:
        FILTERS["bridge_defaults"]({"name": "b", "mode": "vpn_gateway", "aws_prefixes": ["172.16.0.1/16"],
                                    "ike": {"dh_group": 5}, "tunnel_inside_cidrs": ["169.254.10.0/30"]})
    text = str(err.value)
    for expected in ("bridge_defaults: ", "vpn_bridge.aws_region is required", "vpn_bridge.tgw is required",
                     "vpn_bridge.alicloud_prefixes is required", "alicloud_vpc is required in vpn_gateway mode",
                     "vpn_bridge.aws_prefixes[0]", "vpn_bridge.ike: dh_group", "tunnel_inside_cidrs: give none or 4"):
        assert expected in text, text
    with pytest.raises(AnsibleFilterError) as err:
        FILTERS["bridge_defaults"](dict(plan_bridge()), ["good.key_one", "bad key!"])
    assert "psks[1]" in str(err.value) and "bad key!" not in str(err.value)
    with pytest.raises(AnsibleFilterError, match="must be a dictionary"):
        FILTERS["bridge_defaults"]("tgw-tokyo")


# --- keys ----------------------------------------------------------------------------------------------------------
def test_keys_given_then_seed_then_read_back_from_aws():
    tr, vg = plan_bridge(), plan_bridge(mode="vpn_gateway", alicloud_vpc="tokyo-vpc")
    assert FILTERS["bridge_keys"](tr, KEYS[:2]) == KEYS[:2]
    # the seed derives one key per used tunnel, numbered in pair order (transit_router: the former role's keys)
    assert FILTERS["bridge_keys"](tr, [], "seed") == [ipsec.psk_from_seed("seed", "tgw-tokyo", n) for n in (1, 2)]
    assert len(FILTERS["bridge_keys"](vg, None, "seed")) == 4
    # generated: AWS's keys of the used tunnels, in pair order (VPN-1/T1, VPN-2/T1), not the idle tunnels'
    generated = ["Aws.generated_%d" % n for n in range(4)]
    assert FILTERS["bridge_keys"](tr, [], "", aws_vpns(psks=generated)) == [generated[0], generated[2]]
    assert FILTERS["bridge_keys"](vg, [], "", aws_vpns(psks=generated)) == [generated[0], generated[2], generated[1],
                                                                           generated[3]]
    assert FILTERS["bridge_keys"](tr, [], "", aws_vpns(psks=["********"] * 4)) == []
    assert FILTERS["bridge_keys"](tr) == []
    with pytest.raises(AnsibleFilterError) as err:
        FILTERS["bridge_keys"](vg, KEYS[:2])
    assert "give 4 keys in vpn_gateway mode" in str(err.value) and KEYS[0] not in str(err.value)


def test_bridge_psks_reads_the_topology_entry():
    topology = [{"name": "other", "psks": KEYS[:2]}, {"name": "tgw-tokyo", "psk_seed": "seed"},
                {"name": "gw", "mode": "vpn_gateway"}]
    assert FILTERS["bridge_psks"](topology, "other") == KEYS[:2]
    assert FILTERS["bridge_psks"](topology, "tgw-tokyo") == [ipsec.psk_from_seed("seed", "tgw-tokyo", n) for n in (1, 2)]
    assert FILTERS["bridge_psks"](topology, "gw") == []
    with pytest.raises(AnsibleFilterError, match="no bridge named 'nope'"):
        FILTERS["bridge_psks"](topology, "nope")


# --- module inputs -------------------------------------------------------------------------------------------------
def test_references_split_ids_from_names_and_name_every_resource():
    refs = FILTERS["bridge_references"](plan_bridge(tgw="tgw-0abc", cen="seed-cen"))
    assert (refs["tgw_ids"], refs["tgw_names"], refs["cen_id"], refs["cen_name"]) == (["tgw-0abc"], [], None, "seed-cen")
    assert refs["aws_vpn_names"] == ["tgw-tokyo-1", "tgw-tokyo-2"]
    assert refs["alicloud_connection_names"] == ["tgw-tokyo"] and refs["placeholder_name"] == "tgw-tokyo-placeholder"
    assert refs["alicloud_customer_gateway_names"] == ["tgw-tokyo-aws-1-1", "tgw-tokyo-aws-2-1"]
    refs = FILTERS["bridge_references"](plan_bridge(mode="vpn_gateway", alicloud_vpc="vpc-6we1", cen="cen-1"))
    assert refs["alicloud_connection_names"] == ["tgw-tokyo-a", "tgw-tokyo-b"] and refs["vpc_id"] == "vpc-6we1"
    assert refs["cen_id"] == "cen-1" and len(refs["alicloud_customer_gateway_names"]) == 4


def test_aws_customer_gateways_are_the_two_alibaba_ips():
    assert FILTERS["bridge_aws_customer_gateways"](plan_bridge(), ["198.51.100.1", "198.51.100.2"]) == [
        {"name": "tgw-tokyo-1", "ip_address": "198.51.100.1"}, {"name": "tgw-tokyo-2", "ip_address": "198.51.100.2"}]
    for ips in ([], ["198.51.100.1", None], ["198.51.100.1", "198.51.100.1"]):
        with pytest.raises(AnsibleFilterError, match="no two distinct public IPs"):
            FILTERS["bridge_aws_customer_gateways"](plan_bridge(), ips)


def test_aws_vpn_connections_key_the_used_tunnels_and_pin_the_proposal():
    pinned = ipsec.proposal()["aws"]
    tr = plan_bridge(tunnel_inside_cidrs=["169.254.10.0/30", "169.254.11.0/30"])
    vpns = FILTERS["bridge_aws_vpn_connections"](tr, ["cgw-1", "cgw-2"], KEYS[:2])
    assert [(v["name"], v["customer_gateway_id"]) for v in vpns] == [("tgw-tokyo-1", "cgw-1"), ("tgw-tokyo-2", "cgw-2")]
    assert [[t.get("pre_shared_key") for t in v["tunnels"]] for v in vpns] == [[KEYS[0], None], [KEYS[1], None]]
    assert [[t.get("tunnel_inside_cidr") for t in v["tunnels"]] for v in vpns] == [["169.254.10.0/30", None],
                                                                                   ["169.254.11.0/30", None]]
    assert all(dict((k, t[k]) for k in pinned) == pinned for v in vpns for t in v["tunnels"])
    vg = plan_bridge(mode="vpn_gateway", alicloud_vpc="tokyo-vpc", ike={"encryption": "aes128"})
    vpns = FILTERS["bridge_aws_vpn_connections"](vg, ["cgw-1", "cgw-2"], KEYS)
    assert [[t["pre_shared_key"] for t in v["tunnels"]] for v in vpns] == [[KEYS[0], KEYS[2]], [KEYS[1], KEYS[3]]]
    assert vpns[0]["tunnels"][0]["phase1_encryption_algorithms"] == ["AES128"]
    assert all("pre_shared_key" not in t for v in FILTERS["bridge_aws_vpn_connections"](vg, ["c1", "c2"]) for t in v["tunnels"])


def test_alicloud_customer_gateways_one_per_used_aws_tunnel():
    items = FILTERS["bridge_alicloud_customer_gateways"](plan_bridge(), aws_vpns())
    assert [(i["name"], i["ip_address"]) for i in items] == [("tgw-tokyo-aws-1-1", "203.0.113.11"),
                                                             ("tgw-tokyo-aws-2-1", "203.0.113.21")]
    vg = plan_bridge(mode="vpn_gateway", alicloud_vpc="tokyo-vpc")
    assert [i["ip_address"] for i in FILTERS["bridge_alicloud_customer_gateways"](vg, aws_vpns())] == [
        "203.0.113.11", "203.0.113.21", "203.0.113.12", "203.0.113.22"]
    with pytest.raises(AnsibleFilterError, match="no tunnel outside IPs yet"):
        FILTERS["bridge_alicloud_customer_gateways"](plan_bridge(), aws_vpns()[:1])


def test_alicloud_tunnels_paired_keyed_and_on_the_proposal():
    pinned = ipsec.proposal()["alicloud"]
    (attachment,) = FILTERS["bridge_alicloud_tunnels"](plan_bridge(), ["cgw-a", "cgw-b"], KEYS[:2])
    assert [(t["customer_gateway_id"], t["pre_shared_key"]) for t in attachment] == [("cgw-a", KEYS[0]),
                                                                                     ("cgw-b", KEYS[1])]
    assert all(t["ike_config"] == pinned["ike_config"] and t["ipsec_config"] == pinned["ipsec_config"]
               for t in attachment)
    assert "role" not in attachment[0]
    placeholder = FILTERS["bridge_alicloud_tunnels"](plan_bridge(), ["cgw-p"] * 2)[0]
    assert [t["customer_gateway_id"] for t in placeholder] == ["cgw-p"] * 2 and "pre_shared_key" not in placeholder[0]
    vg = plan_bridge(mode="vpn_gateway", alicloud_vpc="tokyo-vpc")
    conn_a, conn_b = FILTERS["bridge_alicloud_tunnels"](vg, ["c11", "c21", "c12", "c22"], KEYS)
    assert [(t["role"], t["customer_gateway_id"], t["pre_shared_key"]) for t in conn_a] == [
        ("master", "c11", KEYS[0]), ("slave", "c21", KEYS[1])]
    assert [(t["role"], t["customer_gateway_id"], t["pre_shared_key"]) for t in conn_b] == [
        ("master", "c12", KEYS[2]), ("slave", "c22", KEYS[3])]
    with pytest.raises(AnsibleFilterError, match="needs 4 customer gateway ids"):
        FILTERS["bridge_alicloud_tunnels"](vg, ["c11", None, "c12", "c22"], KEYS)


def test_routes_for_each_module():
    tr = plan_bridge()
    assert FILTERS["bridge_routes"](tr, "tgw", "vpn-1") == [
        {"destination_cidr_block": "10.0.0.0/8", "vpn_connection_id": "vpn-1"},
        {"destination_cidr_block": "192.168.0.0/16", "vpn_connection_id": "vpn-1"}]
    routes = FILTERS["bridge_routes"](tr, "transit_router", "tr-attach-1")
    assert [(r["destination_cidr_block"], r["next_hop"]) for r in routes] == [("172.16.0.0/16", "tr-attach-1"),
                                                                            ("172.17.0.0/16", "tr-attach-1")]
    entries = FILTERS["bridge_routes"](tr, "vpn_gateway", "vco-a", "vco-b")
    assert [(r["route_dest"], r["next_hop"], r["weight"], r["publish_vpc"]) for r in entries] == [
        ("172.16.0.0/16", "vco-a", 100, True), ("172.16.0.0/16", "vco-b", 0, True),
        ("172.17.0.0/16", "vco-a", 100, True), ("172.17.0.0/16", "vco-b", 0, True)]
    assert len(FILTERS["bridge_routes"](tr, "vpn_gateway", "vco-a")) == 2
    with pytest.raises(AnsibleFilterError, match="kind 'vpc'"):
        FILTERS["bridge_routes"](tr, "vpc", "x")


def test_cleanup_keeps_what_is_not_the_bridges():
    tgw_table = {"routes": [
        {"destination_cidr_block": "10.0.0.0/8", "type": "static", "attachment_id": "tgw-attach-vpn1"},
        {"destination_cidr_block": "192.168.0.0/16", "type": "static", "attachment_id": "tgw-attach-vpn1"},
        {"destination_cidr_block": "172.16.0.0/16", "type": "propagated", "attachment_id": "tgw-attach-a"},
        {"destination_cidr_block": "10.9.0.0/16", "type": "static", "attachment_id": "tgw-attach-vpn1"},
        {"destination_cidr_block": "0.0.0.0/0", "type": "static", "state": "blackhole"}]}
    kept = FILTERS["bridge_cleanup"](tgw_table, ["tgw-attach-vpn1", "tgw-attach-vpn2"], ["10.0.0.0/8", "192.168.0.0/16"])
    assert kept == {"found": True, "associations": [], "routes": [
        {"destination_cidr_block": "10.9.0.0/16", "attachment_id": "tgw-attach-vpn1"},
        {"destination_cidr_block": "0.0.0.0/0", "blackhole": True}]}
    tr_table = {"associations": ["tr-attach-vpc", "tr-attach-vpn"], "routes": [
        {"destination_cidr_block": "172.16.0.0/16", "type": "Static", "next_hop": "tr-attach-vpn", "blackhole": False},
        {"destination_cidr_block": "10.0.0.0/24", "type": "Propagated", "next_hop": "tr-attach-vpc"}]}
    assert FILTERS["bridge_cleanup"](tr_table, ["tr-attach-vpn"], ["172.16.0.0/16"]) == {
        "found": True, "associations": ["tr-attach-vpc"], "routes": []}
    assert FILTERS["bridge_cleanup"]({}, ["tr-attach-vpn"], [])["found"] is False


# --- status and verdict ----------------------------------------------------------------------------------------------
def test_all_used_tunnels_up_idle_ones_said_so_not_warned():
    tr = plan_bridge()
    rows = FILTERS["bridge_tunnels"](tr, aws_vpns(), ali_info())
    assert [(r["number"], r["used"], r["status"]) for r in rows] == [(1, True, "up"), (2, True, "up"),
                                                                     (None, False, "idle"), (None, False, "idle")]
    assert [(r["aws_vpn"], r["aws_tunnel"]) for r in rows] == [("tgw-tokyo-1", 1), ("tgw-tokyo-2", 1),
                                                               ("tgw-tokyo-1", 2), ("tgw-tokyo-2", 2)]
    verdict = FILTERS["bridge_verdict"](rows, tr)
    assert verdict["state"] == "up" and verdict["warnings"] == [] and verdict["failure"] == ""
    assert verdict["aws_vpn_id"] == "vpn-1" and len(verdict["lines"]) == 4
    assert verdict["lines"][0].startswith("tgw-tokyo tunnel 1: Alibaba tgw-tokyo (vco-tgw-tokyo) tunnel 1/master")
    assert verdict["lines"][0].endswith("AWS tgw-tokyo-1 (vpn-1) tunnel 1 203.0.113.11: UP")
    assert "idle by design" in verdict["lines"][2] and "DOWN" not in verdict["lines"][2]


def test_one_tunnel_down_with_its_partner_up_is_degraded_and_moves_the_tgw_routes():
    tr = plan_bridge()
    rows = FILTERS["bridge_tunnels"](tr, aws_vpns(status=("DOWN", "DOWN", "UP", "DOWN")),
                                     ali_info(statuses=("ike_sa_not_established", "ipsec_sa_established")))
    verdict = FILTERS["bridge_verdict"](rows, tr)
    assert verdict["state"] == "degraded" and verdict["up"] == [2] and verdict["down"] == [1]
    assert verdict["aws_vpn_id"] == "vpn-2"  # the TGW routes go where the used tunnel is up
    (warning,) = verdict["warnings"]
    assert "tunnel 1 (Alibaba tgw-tokyo tunnel 1 <-> AWS tgw-tokyo-1 tunnel 1)" in warning
    assert "AWS says DOWN: IPSEC IS DOWN: phase 1 failed: keys differ" in warning
    assert "Alibaba says ike_sa_not_established" in warning and "partner path carries traffic" in warning


def test_no_working_path_fails_naming_every_tunnel_and_reason():
    vg = plan_bridge(mode="vpn_gateway", alicloud_vpc="tokyo-vpc")
    rows = FILTERS["bridge_tunnels"](vg, aws_vpns(status=("DOWN",) * 4), ali_info("vpn_gateway", ("ike_sa_not_established",) * 4))
    verdict = FILTERS["bridge_verdict"](rows, vg)
    assert verdict["state"] == "down" and verdict["warnings"] == [] and verdict["aws_vpn_id"] == "vpn-1"
    for number, conn, tunnel, vpn, aws_tunnel in ((1, "a", 1, 1, 1), (2, "a", 2, 2, 1), (3, "b", 1, 1, 2),
                                                  (4, "b", 2, 2, 2)):
        assert "tunnel %d (Alibaba tgw-tokyo-%s tunnel %d <-> AWS tgw-tokyo-%d tunnel %d)" % (
            number, conn, tunnel, vpn, aws_tunnel) in verdict["failure"]
    assert verdict["failure"].startswith("bridge tgw-tokyo has no working path: ")


def test_a_tunnel_pointed_elsewhere_or_missing_pieces_are_reasons():
    tr = plan_bridge()
    rows = FILTERS["bridge_tunnels"](tr, aws_vpns(), ali_info(cgw_ips=["192.0.2.1", "203.0.113.21"]))
    assert rows[0]["status"] == "down" and "points at 192.0.2.1, not at this AWS tunnel's outside IP" in rows[0]["reason"]
    rows = FILTERS["bridge_tunnels"](tr, aws_vpns()[1:], {"vpn_attachments": []})
    assert "AWS VPN connection tgw-tokyo-1 does not exist" in rows[0]["reason"]
    assert "Alibaba IPsec connection tgw-tokyo does not exist" in rows[0]["reason"]
    # one cloud alone (waiting on it): the other is not judged
    assert [r["status"] for r in FILTERS["bridge_tunnels"](tr, aws_vpns())][:2] == ["up", "up"]
    assert [r["status"] for r in FILTERS["bridge_tunnels"](tr, None, ali_info())][:2] == ["up", "up"]
    with pytest.raises(AnsibleFilterError, match="alicloud_vpn_info result"):
        FILTERS["bridge_tunnels"](tr, aws_vpns(), ["not", "a", "result"])


def test_rows_never_hold_a_key():
    rows = FILTERS["bridge_tunnels"](plan_bridge(), aws_vpns(psks=KEYS), ali_info())
    assert not any(key in json.dumps(rows) for key in KEYS)


def test_hubs_from_the_hub_roles_facts():
    aws_built = {"aws_hubs": {"seed-tgw": {"tgw_id": "tgw-1", "route_table_id": "tgw-rtb-1"}}}
    ali_built = {"alicloud_hubs": {"seed-cen": {
        "cen_id": "cen-1", "edition": "enterprise",
        "transit_routers": {"ap-northeast-1": {"transit_router_id": "tr-1", "system_route_table_id": "vtb-1"}},
        "vpc_attachment_ids": {"tokyo-vpc": "tr-attach-1"},
        "vpcs": [{"key": "tokyo-vpc", "vpc_id": "vpc-1"}, {"key": "beijing-vpc", "vpc_id": "vpc-2"}]}}}
    hubs = FILTERS["bridge_hubs_built"](plan_bridge(), aws_built, ali_built)
    assert hubs == {"tgw": {"transit_gateway_id": "tgw-1"}, "cen": {"cen_id": "cen-1"},
                    "router": {"transit_router_id": "tr-1", "system_route_table_id": "vtb-1", "type": "Enterprise",
                               "vpc_attachments": [{"vpc_id": "vpc-1", "transit_router_attachment_id": "tr-attach-1"}]}}
    # a hub only checked (ids null), another region, or no facts: read from the cloud instead
    checked = {"aws_hubs": {"seed-tgw": {"tgw_id": None}}}
    assert FILTERS["bridge_hubs_built"](plan_bridge(), checked, None) == {"tgw": {}, "cen": {}, "router": {}}
    assert FILTERS["bridge_hubs_built"](plan_bridge(alicloud_region="cn-beijing"), aws_built, ali_built)["router"] == {}
    assert FILTERS["bridge_hubs_built"](plan_bridge())["tgw"] == {}


def test_settled_tunnels_reuse_the_reconcilers_readings_only_when_unchanged_and_up():
    tr = plan_bridge()
    settled = FILTERS["bridge_settled_tunnels"](tr, aws_vpns(), ali_info(), False)
    assert settled == FILTERS["bridge_tunnels"](tr, aws_vpns(), ali_info())
    assert FILTERS["bridge_verdict"](settled, tr)["state"] == "up"
    # a change in this run: the tunnels may still be negotiating, read again
    assert FILTERS["bridge_settled_tunnels"](tr, aws_vpns(), ali_info(), True) == []
    # a used tunnel down (here the Alibaba one): a fresh read (or a wait) decides, not the earlier reading
    down = ali_info(statuses=("ike_sa_not_established", "ipsec_sa_established"))
    assert FILTERS["bridge_settled_tunnels"](tr, aws_vpns(), down, False) == []
    # an Alibaba tunnel pointed at another IP than its AWS tunnel's is not settled either
    moved = ali_info(cgw_ips=["203.0.113.99", "203.0.113.21"])
    assert FILTERS["bridge_settled_tunnels"](tr, aws_vpns(), moved, False) == []
