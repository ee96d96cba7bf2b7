"""Tunnels between the twin's two clouds come up only when both ends agree (cloudtwin.crosscloud)."""

from __future__ import annotations

import json

from alibabacloud_vpc20160428 import models as m
from twinhelpers import ALI_MATCHING_IKE as MATCHING_IKE
from twinhelpers import ALI_MATCHING_IPSEC as MATCHING_IPSEC
from twinhelpers import AWS_PINNED_TUNNEL as PINNED
from twinhelpers import aws_outside_ips, aws_telemetry, aws_vpn, aws_vpn_description, tunnel_notes

REGION = "ap-northeast-1"
PSKS = ("Tunnel1.shared_key", "Tunnel2.shared_key")


def _alibaba_gateway(client):
    vpc = client.describe_vpcs(m.DescribeVpcsRequest(region_id=REGION, vpc_name="tokyo-vpc")).body.vpcs.vpc[0]
    gw_id = client.create_vpn_gateway(m.CreateVpnGatewayRequest(
        region_id=REGION, vpc_id=vpc.vpc_id, v_switch_id=vpc.v_switch_ids.v_switch_id[0], bandwidth=10,
        name="tokyo-vpn")).body.vpn_gateway_id
    gw = None
    for _ in range(3):
        gw = client.describe_vpn_gateways(m.DescribeVpnGatewaysRequest(
            region_id=REGION, vpn_gateway_id=gw_id)).body.vpn_gateways.vpn_gateway[0]
    assert gw.status == "active"
    return gw


def _build(twin, ike=None, ipsec=None):
    client = twin.vpc_client()
    ec2 = twin.ec2()
    gw = _alibaba_gateway(client)
    vpn_id = aws_vpn(ec2, gw.internet_ip, PSKS)
    tunnels = aws_vpn_description(ec2, vpn_id)["Options"]["TunnelOptions"]
    vcos = []
    for index, tunnel in enumerate(tunnels):
        cgw_id = client.create_customer_gateway(m.CreateCustomerGatewayRequest(
            region_id=REGION, ip_address=tunnel["OutsideIpAddress"], name=f"aws-tunnel-{index + 1}")).body
        request = m.CreateVpnConnectionRequest(
            region_id=REGION, vpn_gateway_id=gw.vpn_gateway_id, customer_gateway_id=cgw_id.customer_gateway_id,
            name=f"to-aws-{index + 1}", local_subnet="0.0.0.0/0", remote_subnet="172.16.0.0/12",
            effect_immediately=True)
        if ike is not False:
            request.ike_config = json.dumps(dict(ike or MATCHING_IKE, Psk=PSKS[index]))
        if ipsec is not False:
            request.ipsec_config = json.dumps(ipsec or MATCHING_IPSEC)
        vcos.append(client.create_vpn_connection(request).body.vpn_connection_id)
    return client, ec2, gw, vpn_id, vcos


def _alibaba_status(client, vco_id):
    return client.describe_vpn_connections(m.DescribeVpnConnectionsRequest(
        region_id=REGION, vpn_connection_id=vco_id)).body.vpn_connections.vpn_connection[0].status


def test_matching_ends_come_up_on_both_sides(twin):
    client, ec2, _gw, vpn_id, vcos = _build(twin)
    assert [_alibaba_status(client, v) for v in vcos] == ["ipsec_sa_established"] * 2
    assert [s for s, _ in aws_telemetry(ec2, vpn_id)] == ["UP", "UP"]
    assert any("is up" in n for n in tunnel_notes(twin))


def test_changed_psk_on_one_side_drops_the_tunnel_with_a_reason(twin):
    client, ec2, gw, vpn_id, vcos = _build(twin)
    assert _alibaba_status(client, vcos[0]) == "ipsec_sa_established"
    client.modify_vpn_connection_attribute(m.ModifyVpnConnectionAttributeRequest(
        region_id=REGION, vpn_connection_id=vcos[0], ike_config=json.dumps({"Psk": "Another.key_123"})))
    assert _alibaba_status(client, vcos[0]) == "ike_sa_not_established"
    assert _alibaba_status(client, vcos[1]) == "ipsec_sa_established"
    telemetry = aws_telemetry(ec2, vpn_id)
    assert telemetry[0][0] == "DOWN" and "pre-shared keys differ" in telemetry[0][1]
    assert telemetry[1][0] == "UP"
    reason = [n for n in tunnel_notes(twin) if "pre-shared keys differ" in n]
    assert reason and vcos[0] in reason[-1] and vpn_id in reason[-1] and gw.vpn_gateway_id in reason[-1]
    dump = json.dumps(twin.twin.backend.state.dump()["events"])
    assert "Another.key_123" not in dump and PSKS[0] not in dump

    # Put the key back on the AWS side instead: it comes up again.
    outside = aws_outside_ips(ec2, vpn_id)[0]
    ec2.modify_vpn_tunnel_options(VpnConnectionId=vpn_id, VpnTunnelOutsideIpAddress=outside,
                                  TunnelOptions={"PreSharedKey": "Another.key_123"})
    assert _alibaba_status(client, vcos[0]) == "ipsec_sa_established"
    assert aws_telemetry(ec2, vpn_id)[0][0] == "UP"


def test_no_common_phase1_proposal_stays_down(twin):
    client, ec2, _gw, vpn_id, vcos = _build(twin, ike=dict(MATCHING_IKE, IkeEncAlg="aes192"))
    assert [_alibaba_status(client, v) for v in vcos] == ["ike_sa_not_established"] * 2
    telemetry = aws_telemetry(ec2, vpn_id)
    assert [s for s, _ in telemetry] == ["DOWN", "DOWN"]
    assert "no common phase 1 proposal" in telemetry[0][1] and "aes192" in telemetry[0][1]


def test_phase2_only_failure_reports_ipsec_sa_not_established(twin):
    client, ec2, _gw, vpn_id, vcos = _build(twin, ipsec=dict(MATCHING_IPSEC, IpsecLifetime=86400))
    assert _alibaba_status(client, vcos[0]) == "ipsec_sa_not_established"
    assert "IpsecLifetime 86400" in aws_telemetry(ec2, vpn_id)[0][1]


def test_alibaba_defaults_against_pinned_aws_stay_down(twin):
    client, ec2, _gw, vpn_id, vcos = _build(twin, ike={"IkeVersion": "ikev1"}, ipsec=False)
    assert [_alibaba_status(client, v) for v in vcos] == ["ike_sa_not_established"] * 2
    telemetry = aws_telemetry(ec2, vpn_id)
    assert [s for s, _ in telemetry] == ["DOWN", "DOWN"]
    assert "ikev1" in telemetry[0][1]


def test_aws_customer_gateway_must_be_the_alibaba_gateway_ip(twin):
    client = twin.vpc_client()
    ec2 = twin.ec2()
    gw = _alibaba_gateway(client)
    vpn_id = aws_vpn(ec2, "192.0.2.200", PSKS)  # not the Alibaba VPN gateway
    outside = aws_outside_ips(ec2, vpn_id)[0]
    cgw_id = client.create_customer_gateway(m.CreateCustomerGatewayRequest(
        region_id=REGION, ip_address=outside)).body.customer_gateway_id
    vco_id = client.create_vpn_connection(m.CreateVpnConnectionRequest(
        region_id=REGION, vpn_gateway_id=gw.vpn_gateway_id, customer_gateway_id=cgw_id, local_subnet="0.0.0.0/0",
        remote_subnet="172.16.0.0/12", ike_config=json.dumps(dict(MATCHING_IKE, Psk=PSKS[0])),
        ipsec_config=json.dumps(MATCHING_IPSEC))).body.vpn_connection_id
    assert _alibaba_status(client, vco_id) == "ike_sa_not_established"
    assert any("192.0.2.200" in n and gw.internet_ip in n for n in tunnel_notes(twin))


def test_deleting_the_alibaba_side_takes_the_aws_tunnel_down(twin):
    client, ec2, _gw, vpn_id, vcos = _build(twin)
    assert [s for s, _ in aws_telemetry(ec2, vpn_id)] == ["UP", "UP"]
    client.delete_vpn_connection(m.DeleteVpnConnectionRequest(region_id=REGION, vpn_connection_id=vcos[1]))
    assert [s for s, _ in aws_telemetry(ec2, vpn_id)] == ["UP", "DOWN"]


def _single(twin, aws_options, local, remote, ike):
    client = twin.vpc_client()
    ec2 = twin.ec2()
    gw = _alibaba_gateway(client)
    tunnel = aws_options.pop("TunnelOptions", None)
    vpn_id = aws_vpn(ec2, gw.internet_ip, PSKS, tunnel=tunnel[0] if tunnel else None, **aws_options)
    cgw_id = client.create_customer_gateway(m.CreateCustomerGatewayRequest(
        region_id=REGION, ip_address=aws_outside_ips(ec2, vpn_id)[0])).body.customer_gateway_id
    vco_id = client.create_vpn_connection(m.CreateVpnConnectionRequest(
        region_id=REGION, vpn_gateway_id=gw.vpn_gateway_id, customer_gateway_id=cgw_id, local_subnet=local,
        remote_subnet=remote, ike_config=json.dumps(dict(ike, Psk=PSKS[0])),
        ipsec_config=json.dumps(MATCHING_IPSEC))).body.vpn_connection_id
    return client, ec2, vpn_id, vco_id


def test_traffic_selectors_outside_the_aws_cidrs_fail_phase2(twin):
    client, ec2, vpn_id, vco_id = _single(twin, {"LocalIpv4NetworkCidr": "10.0.0.0/8",
                                                 "RemoteIpv4NetworkCidr": "172.16.0.0/12"},
                                          "0.0.0.0/0", "172.16.0.0/12", MATCHING_IKE)
    assert _alibaba_status(client, vco_id) == "ipsec_sa_not_established"
    assert "traffic selector 10.0.0.0/8" in aws_telemetry(ec2, vpn_id)[0][1]
    client.modify_vpn_connection_attribute(m.ModifyVpnConnectionAttributeRequest(
        region_id=REGION, vpn_connection_id=vco_id, local_subnet="10.0.0.0/8"))
    assert _alibaba_status(client, vco_id) == "ipsec_sa_established"


def test_ikev1_with_several_subnets_needs_several_sa_pairs_and_fails(twin):
    ikev1 = dict(MATCHING_IKE, IkeVersion="ikev1")
    client, ec2, vpn_id, vco_id = _single(twin, {"TunnelOptions": [dict(PINNED, IKEVersions=[{"Value": "ikev1"}])]},
                                          "10.0.0.0/8,192.168.0.0/16", "172.16.0.0/12", ikev1)
    assert _alibaba_status(client, vco_id) == "ipsec_sa_not_established"
    assert "one SA pair per tunnel" in aws_telemetry(ec2, vpn_id)[0][1]
    # The walkthrough's workaround: a single 0.0.0.0/0 local network.
    client.modify_vpn_connection_attribute(m.ModifyVpnConnectionAttributeRequest(
        region_id=REGION, vpn_connection_id=vco_id, local_subnet="0.0.0.0/0"))
    assert _alibaba_status(client, vco_id) == "ipsec_sa_established"


def test_ike_change_without_psk_regenerates_the_key_and_drops_the_tunnel(twin):
    # ModifyVpnConnectionAttribute: without a pre-shared key "the system generates a random 16-character string".
    client, ec2, gw, vpn_id, vcos = _build(twin)
    assert _alibaba_status(client, vcos[0]) == "ipsec_sa_established"
    client.modify_vpn_connection_attribute(m.ModifyVpnConnectionAttributeRequest(
        region_id=REGION, vpn_connection_id=vcos[0], ike_config=json.dumps({"IkeLifetime": 14400})))
    vco = client.describe_vpn_connection(m.DescribeVpnConnectionRequest(
        region_id=REGION, vpn_connection_id=vcos[0])).body
    assert vco.ike_config.ike_lifetime == 14400
    assert len(vco.ike_config.psk) == 16 and vco.ike_config.psk != PSKS[0]
    assert vco.status == "ike_sa_not_established"
    assert aws_telemetry(ec2, vpn_id)[0][0] == "DOWN" and "pre-shared keys differ" in aws_telemetry(ec2, vpn_id)[0][1]
    assert _alibaba_status(client, vcos[1]) == "ipsec_sa_established"
    assert vco.ike_config.psk not in json.dumps(twin.twin.backend.state.dump()["events"])


def test_only_the_twin_that_seeded_aws_pairs_with_it(twin, today_twin):
    """moto holds one AWS per process: the twin that seeded it last (here today_twin, set up second)
    owns it, so another twin's Alibaba connections never negotiate with its tunnels."""
    client, ec2, gw, vpn_id, vcos = _build(twin)
    assert [_alibaba_status(client, vco) for vco in vcos] == ["ike_sa_not_established"] * 2
    assert [status for status, _ in aws_telemetry(ec2, vpn_id)] == ["DOWN", "DOWN"]
