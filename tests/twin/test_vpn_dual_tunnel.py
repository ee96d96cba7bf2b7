"""Dual-tunnel VPN gateways and IPsec-VPN connections (today's rules) through the official vpc SDK and boto3."""

from __future__ import annotations

import ipaddress
import json

from alibabacloud_vpc20160428 import models as m
from twinhelpers import (ALI_MATCHING_IKE, ALI_MATCHING_IPSEC, ali_vpc, api_error, aws_outside_ips, aws_telemetry,
                         aws_vpn, aws_vpn_description, seeded_vswitch, tunnel_notes)

REGION = "ap-northeast-1"
DOC_RANGES = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")]
PSK_MASTER, PSK_SLAVE = "Master.shared_key", "Slave.shared_key"


# Today's seed world gives the Tokyo VPC a vSwitch pair for a dual-tunnel VPN gateway (emulator/worlds):
# tokyo-vpn-vsw-1 (10.0.2.0/24, zone a) and tokyo-vpn-vsw-2 (10.0.3.0/24, zone c).
MASTER_ZONE, SLAVE_ZONE = "ap-northeast-1a", "ap-northeast-1c"


def _vsw(twin, name):
    return seeded_vswitch(twin, name).id


def _dual_gateway(twin):
    client, vpc = twin.vpc_client(), ali_vpc(twin.vpc_client())
    gw_id = client.create_vpn_gateway(m.CreateVpnGatewayRequest(
        region_id=REGION, vpc_id=vpc.vpc_id, v_switch_id=_vsw(twin, "tokyo-vpn-vsw-1"),
        disaster_recovery_vswitch_id=_vsw(twin, "tokyo-vpn-vsw-2"), bandwidth=10, name="tokyo-vpn",
        auto_pay=True)).body.vpn_gateway_id
    for _ in range(3):
        gw = client.describe_vpn_gateway(m.DescribeVpnGatewayRequest(region_id=REGION, vpn_gateway_id=gw_id)).body
    assert gw.status == "active"
    return gw


def _cgw(client, ip):
    return client.create_customer_gateway(m.CreateCustomerGatewayRequest(
        region_id=REGION, ip_address=ip)).body.customer_gateway_id


def _tunnel(cgw_id, role, psk=None, ike=ALI_MATCHING_IKE, ipsec=ALI_MATCHING_IPSEC, **extra):
    ike = dict(ike, **({"Psk": psk} if psk else {}))
    spec = dict({"CustomerGatewayId": cgw_id, "Role": role, "TunnelIkeConfig": ike,
                 "TunnelIpsecConfig": dict(ipsec)}, **extra)
    return m.CreateVpnConnectionRequestTunnelOptionsSpecification().from_map(spec)


def _connect(client, gw, tunnels, **kwargs):
    return client.create_vpn_connection(m.CreateVpnConnectionRequest(
        region_id=REGION, vpn_gateway_id=gw.vpn_gateway_id, name="to-aws", local_subnet="0.0.0.0/0",
        remote_subnet="0.0.0.0/0", effect_immediately=True, tunnel_options_specification=tunnels,
        **kwargs)).body.vpn_connection_id


def _describe(client, vco_id):
    return client.describe_vpn_connection(m.DescribeVpnConnectionRequest(
        region_id=REGION, vpn_connection_id=vco_id)).body


def _by_role(vco):
    return {t.role: t for t in vco.tunnel_options_specification.tunnel_options}


def _bridge(twin):
    """A dual-tunnel gateway whose two tunnels each meet tunnel 1 of an AWS VPN connection."""
    client, ec2 = twin.vpc_client(), twin.ec2()
    gw = _dual_gateway(twin)
    tgw = ec2.create_transit_gateway(Description="hub")["TransitGateway"]["TransitGatewayId"]
    vpn_master = aws_vpn(ec2, gw.internet_ip, (PSK_MASTER, "Unused.key_1"), tgw=tgw)
    vpn_slave = aws_vpn(ec2, gw.disaster_recovery_internet_ip, (PSK_SLAVE, "Unused.key_2"), tgw=tgw)
    tunnels = [_tunnel(_cgw(client, aws_outside_ips(ec2, vpn_master)[0]), "master", PSK_MASTER),
               _tunnel(_cgw(client, aws_outside_ips(ec2, vpn_slave)[0]), "slave", PSK_SLAVE)]
    return client, ec2, gw, vpn_master, vpn_slave, _connect(client, gw, tunnels)


def test_dual_tunnel_gateway_needs_two_vswitches_in_two_zones(today_twin):
    client = today_twin.vpc_client()
    vpc = ali_vpc(client)
    first = _vsw(today_twin, "tokyo-vpn-vsw-1")

    def create(**kwargs):
        return client.create_vpn_gateway(m.CreateVpnGatewayRequest(region_id=REGION, vpc_id=vpc.vpc_id,
                                                                   bandwidth=10, **kwargs))

    # What the cloud answers without the second vSwitch (terraform-provider-alicloud issue #6804).
    assert api_error(lambda: create(v_switch_id=first)).code == "InvalidVSwitchId.NotFound"
    assert api_error(lambda: create()).code == "InvalidVSwitchId.NotFound"
    same_zone = _vsw(today_twin, "tokyo-vsw-1")  # zone a, like tokyo-vpn-vsw-1
    err = api_error(lambda: create(v_switch_id=first, disaster_recovery_vswitch_id=same_zone))
    assert err.code == "InvalidParameter.DisasterRecoveryVSwitchId" and MASTER_ZONE in err.message
    # A zone without dual-tunnel support: a vSwitch the world does not have (10.0.4.0/24 is free).
    unsupported = client.create_vswitch(m.CreateVSwitchRequest(
        region_id=REGION, vpc_id=vpc.vpc_id, zone_id="ap-northeast-1d", cidr_block="10.0.4.0/24",
        v_switch_name="tokyo-vsw-d")).body.v_switch_id
    err = api_error(lambda: create(v_switch_id=first, disaster_recovery_vswitch_id=unsupported))
    assert err.code == "InvalidVSwitchId.ZoneNotSupported"
    other_zone = _vsw(today_twin, "tokyo-vpn-vsw-2")
    # Billing and sizes of the international site (the world declares no site).
    err = api_error(lambda: create(v_switch_id=first, disaster_recovery_vswitch_id=other_zone,
                                   instance_charge_type="PREPAY", period=1))
    assert err.code == "InvalidParameter.InstanceChargeType"
    err = api_error(lambda: client.create_vpn_gateway(m.CreateVpnGatewayRequest(
        region_id=REGION, vpc_id=vpc.vpc_id, v_switch_id=first, disaster_recovery_vswitch_id=other_zone, bandwidth=5)))
    assert err.code == "InvalidSpec.NotFound"

    gw_id = create(v_switch_id=first, disaster_recovery_vswitch_id=other_zone, instance_charge_type="POSTPAY",
                   name="tokyo-vpn").body.vpn_gateway_id
    gw = client.describe_vpn_gateways(m.DescribeVpnGatewaysRequest(
        region_id=REGION, vpn_gateway_id=gw_id)).body.vpn_gateways.vpn_gateway[0]
    assert (gw.v_switch_id, gw.disaster_recovery_vswitch_id) == (first, other_zone)
    ips = [ipaddress.ip_address(gw.internet_ip), ipaddress.ip_address(gw.disaster_recovery_internet_ip)]
    assert ips[0] != ips[1] and all(any(ip in net for net in DOC_RANGES) for ip in ips)
    assert gw.charge_type == "POSTPAY" and gw.gateway_type == "Traditional"


def test_a_gateway_keeps_its_vpc_and_both_vswitches(today_twin):
    client = today_twin.vpc_client()
    gw = _dual_gateway(today_twin)
    for vsw in ("tokyo-vpn-vsw-1", "tokyo-vpn-vsw-2"):
        err = api_error(lambda: client.delete_vswitch(m.DeleteVSwitchRequest(region_id=REGION,
                                                                              v_switch_id=_vsw(today_twin, vsw))))
        assert err.code == "DependencyViolation" and gw.vpn_gateway_id in err.message
    err = api_error(lambda: client.delete_vpc(m.DeleteVpcRequest(region_id=REGION, vpc_id=gw.vpc_id)))
    assert err.code == "DependencyViolation" and gw.vpn_gateway_id in err.message
    client.delete_vpn_gateway(m.DeleteVpnGatewayRequest(region_id=REGION, vpn_gateway_id=gw.vpn_gateway_id))
    client.describe_vpn_gateways(m.DescribeVpnGatewaysRequest(region_id=REGION))  # deleting -> gone
    client.delete_vswitch(m.DeleteVSwitchRequest(region_id=REGION, v_switch_id=_vsw(today_twin, "tokyo-vpn-vsw-2")))


def test_available_zones_of_a_dual_tunnel_region(today_twin):
    body = today_twin.vpc_client().describe_vpn_gateway_available_zones(
        m.DescribeVpnGatewayAvailableZonesRequest(region_id=REGION, spec="10M")).body
    assert [z.zone_id for z in body.available_zone_id_list] == ["ap-northeast-1a", "ap-northeast-1b",
                                                                "ap-northeast-1c"]
    err = api_error(lambda: today_twin.vpc_client().describe_vpn_gateway_available_zones(
        m.DescribeVpnGatewayAvailableZonesRequest(region_id=REGION, spec="7M")))
    assert err.code == "InvalidParameter.Spec"


def test_single_tunnel_connection_refused_on_a_new_gateway(today_twin):
    client = today_twin.vpc_client()
    gw = _dual_gateway(today_twin)
    cgw_id = _cgw(client, "192.0.2.10")
    err = api_error(lambda: client.create_vpn_connection(m.CreateVpnConnectionRequest(
        region_id=REGION, vpn_gateway_id=gw.vpn_gateway_id, customer_gateway_id=cgw_id, local_subnet="0.0.0.0/0",
        remote_subnet="172.16.0.0/12", ike_config=json.dumps(ALI_MATCHING_IKE))))
    assert err.code == "OperationUnsupported.SingleTunnel" and "dual-tunnel" in err.message
    # Top-level single-tunnel parameters beside the tunnels are refused too.
    err = api_error(lambda: _connect(client, gw, [_tunnel(cgw_id, "master"), _tunnel(cgw_id, "slave")],
                                     ike_config=json.dumps(ALI_MATCHING_IKE)))
    assert err.code == "OperationUnsupported.SingleTunnelParameter" and "IkeConfig" in err.message
    assert today_twin.ali_resources("VpnConnection") == []


def test_single_tunnel_connection_accepted_on_the_legacy_world(twin):
    client = twin.vpc_client()
    vpc = ali_vpc(client)
    gw_id = client.create_vpn_gateway(m.CreateVpnGatewayRequest(
        region_id=REGION, vpc_id=vpc.vpc_id, v_switch_id=vpc.v_switch_ids.v_switch_id[0],
        bandwidth=10)).body.vpn_gateway_id
    client.describe_vpn_gateways(m.DescribeVpnGatewaysRequest(region_id=REGION))
    gw = client.describe_vpn_gateway(m.DescribeVpnGatewayRequest(region_id=REGION, vpn_gateway_id=gw_id)).body
    assert gw.status == "active" and not gw.disaster_recovery_internet_ip
    vco_id = client.create_vpn_connection(m.CreateVpnConnectionRequest(
        region_id=REGION, vpn_gateway_id=gw_id, customer_gateway_id=_cgw(client, "192.0.2.10"),
        local_subnet="0.0.0.0/0", remote_subnet="172.16.0.0/12")).body.vpn_connection_id
    vco = _describe(client, vco_id)
    assert vco.tunnel_options_specification is None and vco.ike_config.ike_version == "ikev1"
    err = api_error(lambda: _connect(client, gw, [_tunnel(vco.customer_gateway_id, "master"),
                                                  _tunnel(vco.customer_gateway_id, "slave")]))
    assert err.code == "OperationUnsupported.TunnelOptions"


def test_dual_tunnel_validation(today_twin):
    client = today_twin.vpc_client()
    gw = _dual_gateway(today_twin)
    cgw_id = _cgw(client, "192.0.2.10")
    err = api_error(lambda: _connect(client, gw, [_tunnel(cgw_id, "master")]))
    assert err.code == "IllegalParam.TunnelOptionsSpecification"
    err = api_error(lambda: _connect(client, gw, [_tunnel(cgw_id, "master"), _tunnel(cgw_id, "master")]))
    assert err.code == "IllegalParam.TunnelOptionsSpecification.N.Role"
    err = api_error(lambda: _connect(client, gw, [_tunnel("cgw-nope", "master"), _tunnel(cgw_id, "slave")]))
    assert err.code == "InvalidCustomerGatewayInstanceId.NotFound"
    rc4 = dict(ALI_MATCHING_IKE, IkeEncAlg="rc4")
    err = api_error(lambda: _connect(client, gw, [_tunnel(cgw_id, "master", ike=rc4), _tunnel(cgw_id, "slave")]))
    assert err.code == "IllegalParam.TunnelOptionsSpecification.1.TunnelIkeConfig.IkeEncAlg"
    reserved = {"TunnelBgpConfig": {"TunnelCidr": "169.254.6.0/30", "LocalAsn": 65530}}
    err = api_error(lambda: _connect(client, gw, [_tunnel(cgw_id, "master", **reserved), _tunnel(cgw_id, "slave")],
                                     enable_tunnels_bgp=True))
    assert err.code == "IllegalParam.TunnelOptionsSpecification.1.TunnelBgpConfig.TunnelCidr"
    same = {"TunnelBgpConfig": {"TunnelCidr": "169.254.20.0/30"}}
    err = api_error(lambda: _connect(client, gw, [_tunnel(cgw_id, "master", **same), _tunnel(cgw_id, "slave", **same)],
                                     enable_tunnels_bgp=True))
    assert err.code == "IllegalParam.TunnelOptionsSpecification.N.TunnelBgpConfig.TunnelCidr"
    err = api_error(lambda: _connect(client, gw, [_tunnel(cgw_id, "master"), _tunnel(cgw_id, "slave")],
                                     enable_tunnels_bgp=True))
    assert err.code == "MissingTunnelOptionsSpecification.1.TunnelBgpConfig.TunnelCidr"
    assert today_twin.ali_resources("VpnConnection") == []


def test_dual_tunnel_connection_shape_and_defaults(today_twin):
    client = today_twin.vpc_client()
    gw = _dual_gateway(today_twin)
    cgw_id = _cgw(client, "192.0.2.10")
    vco_id = _connect(client, gw, [m.CreateVpnConnectionRequestTunnelOptionsSpecification(
        customer_gateway_id=cgw_id, role="slave"), m.CreateVpnConnectionRequestTunnelOptionsSpecification(
        customer_gateway_id=cgw_id, role="master", enable_dpd=False)])
    vco = _describe(client, vco_id)
    assert vco.ike_config is None and vco.customer_gateway_id == "" and vco.attach_type == "VPNGW"
    tunnels = _by_role(vco)
    master, slave = tunnels["master"], tunnels["slave"]
    assert (master.internet_ip, slave.internet_ip) == (gw.internet_ip, gw.disaster_recovery_internet_ip)
    assert (master.zone_no, slave.zone_no) == (MASTER_ZONE, SLAVE_ZONE)
    assert master.tunnel_id != slave.tunnel_id and {master.tunnel_index, slave.tunnel_index} == {1, 2}
    assert (master.enable_dpd, slave.enable_dpd, slave.enable_nat_traversal) == ("false", "true", "true")
    ike = slave.tunnel_ike_config
    assert (ike.ike_version, ike.ike_auth_alg, ike.ike_pfs, ike.ike_lifetime) == ("ikev1", "md5", "group2", "86400")
    assert ike.local_id == gw.disaster_recovery_internet_ip and ike.remote_id == "192.0.2.10"
    assert len(ike.psk) == 16 and ike.psk != master.tunnel_ike_config.psk
    assert slave.tunnel_ipsec_config.ipsec_lifetime == "86400"
    assert master.status == slave.status == vco.status == "ike_sa_not_established"  # nothing answers
    listed = client.describe_vpn_connections(m.DescribeVpnConnectionsRequest(
        region_id=REGION, customer_gateway_id=cgw_id)).body.vpn_connections.vpn_connection
    assert [c.vpn_connection_id for c in listed] == [vco_id]
    assert len(listed[0].tunnel_options_specification.tunnel_options) == 2
    # The customer gateway serves the connection: it cannot be deleted under it.
    err = api_error(lambda: client.delete_customer_gateway(m.DeleteCustomerGatewayRequest(
        region_id=REGION, customer_gateway_id=cgw_id)))
    assert err.code == "DependencyViolation.VpnConnection"


def test_dual_tunnel_connection_comes_up_tunnel_by_tunnel(today_twin):
    client, ec2, gw, vpn_master, vpn_slave, vco_id = _bridge(today_twin)
    vco = _describe(client, vco_id)
    tunnels = _by_role(vco)
    assert tunnels["master"].status == tunnels["slave"].status == vco.status == "ipsec_sa_established"
    assert aws_telemetry(ec2, vpn_master)[0][0] == "UP" and aws_telemetry(ec2, vpn_slave)[0][0] == "UP"
    assert aws_telemetry(ec2, vpn_master)[1] == ("DOWN", "no peer answered")
    notes = tunnel_notes(today_twin)
    assert any(f"{vco_id} tunnel" in n and "(slave" in n and "is up" in n and vpn_slave in n for n in notes)

    # Break the slave end on AWS: only the slave tunnel drops, and says why.
    slave_outside = aws_outside_ips(ec2, vpn_slave)[0]
    ec2.modify_vpn_tunnel_options(VpnConnectionId=vpn_slave, VpnTunnelOutsideIpAddress=slave_outside,
                                  TunnelOptions={"PreSharedKey": "Changed.key_99"})
    tunnels = _by_role(_describe(client, vco_id))
    assert tunnels["master"].status == "ipsec_sa_established"
    assert tunnels["slave"].status == "ike_sa_not_established"
    assert _describe(client, vco_id).status == "ipsec_sa_established"  # the master still carries traffic
    status, message = aws_telemetry(ec2, vpn_slave)[0]
    assert status == "DOWN" and "pre-shared keys differ" in message
    events = json.dumps(today_twin.twin.backend.state.dump()["events"])
    assert "Changed.key_99" not in events and PSK_SLAVE not in events and PSK_MASTER not in events


def test_master_tunnel_must_meet_the_aws_vpn_of_the_gateway_ip(today_twin):
    client, ec2 = today_twin.vpc_client(), today_twin.ec2()
    gw = _dual_gateway(today_twin)
    # The AWS VPN names the disaster-recovery IP, but the Alibaba master tunnel (first IP) points at it.
    vpn_id = aws_vpn(ec2, gw.disaster_recovery_internet_ip, (PSK_MASTER, "Unused.key_1"))
    cgw_id = _cgw(client, aws_outside_ips(ec2, vpn_id)[0])
    vco_id = _connect(client, gw, [_tunnel(cgw_id, "master", PSK_MASTER), _tunnel(_cgw(client, "192.0.2.10"),
                                                                                 "slave", PSK_SLAVE)])
    tunnels = _by_role(_describe(client, vco_id))
    assert tunnels["master"].status == "ike_sa_not_established"
    assert any(gw.internet_ip in n and gw.disaster_recovery_internet_ip in n for n in tunnel_notes(today_twin))


def test_modify_tunnel_without_psk_regenerates_it_and_drops_that_tunnel(today_twin):
    client, ec2, _gw, vpn_master, vpn_slave, vco_id = _bridge(today_twin)
    slave = _by_role(_describe(client, vco_id))["slave"]
    body = client.modify_vpn_connection_attribute(m.ModifyVpnConnectionAttributeRequest(
        region_id=REGION, vpn_connection_id=vco_id,
        tunnel_options_specification=[m.ModifyVpnConnectionAttributeRequestTunnelOptionsSpecification().from_map(
            {"TunnelId": slave.tunnel_id, "TunnelIkeConfig": {"IkeLifetime": 14400}})])).body
    modified = {t.tunnel_id: t for t in body.tunnel_options_specification.tunnel_options}
    assert modified[slave.tunnel_id].tunnel_ike_config.ike_lifetime == 14400
    tunnels = _by_role(_describe(client, vco_id))
    new_psk = tunnels["slave"].tunnel_ike_config.psk
    assert len(new_psk) == 16 and new_psk != PSK_SLAVE
    assert tunnels["slave"].tunnel_ike_config.ike_version == "ikev2"  # the rest of the IKE settings stays
    assert tunnels["slave"].status == "ike_sa_not_established" and tunnels["master"].status == "ipsec_sa_established"
    assert "pre-shared keys differ" in aws_telemetry(ec2, vpn_slave)[0][1]
    assert new_psk not in json.dumps(today_twin.twin.backend.state.dump()["events"])

    # Sending the key with the change keeps it: the tunnel comes back.
    client.modify_vpn_connection_attribute(m.ModifyVpnConnectionAttributeRequest(
        region_id=REGION, vpn_connection_id=vco_id,
        tunnel_options_specification=[m.ModifyVpnConnectionAttributeRequestTunnelOptionsSpecification().from_map(
            {"TunnelId": slave.tunnel_id, "TunnelIkeConfig": {"Psk": PSK_SLAVE}})]))
    assert _by_role(_describe(client, vco_id))["slave"].status == "ipsec_sa_established"
    assert aws_telemetry(ec2, vpn_slave)[0][0] == "UP"
    # A modify that leaves IKE alone keeps the key too.
    client.modify_vpn_connection_attribute(m.ModifyVpnConnectionAttributeRequest(
        region_id=REGION, vpn_connection_id=vco_id, name="renamed"))
    assert _by_role(_describe(client, vco_id))["master"].tunnel_ike_config.psk == PSK_MASTER

    err = api_error(lambda: client.modify_vpn_connection_attribute(m.ModifyVpnConnectionAttributeRequest(
        region_id=REGION, vpn_connection_id=vco_id, ike_config=json.dumps({"Psk": "x.y.z.1234"}))))
    assert err.code == "OperationUnsupported.SingleTunnelParameter"
    err = api_error(lambda: client.modify_vpn_connection_attribute(m.ModifyVpnConnectionAttributeRequest(
        region_id=REGION, vpn_connection_id=vco_id,
        tunnel_options_specification=[m.ModifyVpnConnectionAttributeRequestTunnelOptionsSpecification(
            tunnel_id="tun-nope")])))
    assert err.code == "InvalidTunnelId.NotFound"


def test_aws_side_sees_the_alibaba_tunnels_only_where_it_points(today_twin):
    client, ec2, gw, vpn_master, _vpn_slave, vco_id = _bridge(today_twin)
    options = aws_vpn_description(ec2, vpn_master)["Options"]["TunnelOptions"]
    assert [o["OutsideIpAddress"] for o in options] == aws_outside_ips(ec2, vpn_master)
    client.delete_vpn_connection(m.DeleteVpnConnectionRequest(region_id=REGION, vpn_connection_id=vco_id))
    assert aws_telemetry(ec2, vpn_master)[0] == ("DOWN", "no peer answered")


def test_china_site_billing_and_sizes(today_twin):
    client = today_twin.vpc_client()
    state = today_twin.twin.backend.state
    # What a world file's ``site: china`` sets on the account (cloudtwin.world; tests/twin/test_twin_foundation.py
    # checks the loader); the twin is reset to its world before the next test.
    state.account_by_uid(today_twin.twin.world.alicloud_accounts[0]["uid"]).site = "china"
    vpc = ali_vpc(client)

    def create(**kwargs):
        return client.create_vpn_gateway(m.CreateVpnGatewayRequest(
            region_id=REGION, vpc_id=vpc.vpc_id, v_switch_id=_vsw(today_twin, "tokyo-vpn-vsw-1"),
            disaster_recovery_vswitch_id=_vsw(today_twin, "tokyo-vpn-vsw-2"), **kwargs))

    err = api_error(lambda: create(bandwidth=5))
    assert err.code == "MissingInstanceChargeType"
    assert api_error(lambda: create(bandwidth=5, instance_charge_type="POSTPAY")).code == \
        "InvalidParameter.InstanceChargeType"
    err = api_error(lambda: create(bandwidth=5, instance_charge_type="PREPAY"))
    assert err.code == "MissingPeriod"
    assert api_error(lambda: create(bandwidth=5, instance_charge_type="PREPAY", period=10)).code == \
        "InvalidParameter.Period"
    gw_id = create(bandwidth=5, instance_charge_type="PREPAY", period=1).body.vpn_gateway_id
    gw = client.describe_vpn_gateway(m.DescribeVpnGatewayRequest(region_id=REGION, vpn_gateway_id=gw_id)).body
    assert gw.charge_type == "PREPAY" and gw.spec == "5M" and gw.end_time > gw.create_time


def test_swapping_roles_moves_each_tunnel_to_the_other_gateway_ip(today_twin):
    client = today_twin.vpc_client()
    gw = _dual_gateway(today_twin)
    cgw_id = _cgw(client, "192.0.2.10")
    vco_id = _connect(client, gw, [_tunnel(cgw_id, "master", "Master.shared_key"), _tunnel(cgw_id, "slave")])
    before = _by_role(_describe(client, vco_id))
    swap = [m.ModifyVpnConnectionAttributeRequestTunnelOptionsSpecification(tunnel_id=before[role].tunnel_id,
                                                                             role=new_role)
            for role, new_role in (("master", "slave"), ("slave", "master"))]
    err = api_error(lambda: client.modify_vpn_connection_attribute(m.ModifyVpnConnectionAttributeRequest(
        region_id=REGION, vpn_connection_id=vco_id, tunnel_options_specification=swap[:1])))
    assert err.code == "IllegalParam.TunnelOptionsSpecification.N.Role"
    client.modify_vpn_connection_attribute(m.ModifyVpnConnectionAttributeRequest(
        region_id=REGION, vpn_connection_id=vco_id, tunnel_options_specification=swap))
    after = _by_role(_describe(client, vco_id))
    moved = after["slave"]
    assert moved.tunnel_id == before["master"].tunnel_id
    assert moved.internet_ip == gw.disaster_recovery_internet_ip == moved.tunnel_ike_config.local_id
    assert moved.zone_no == SLAVE_ZONE and moved.tunnel_ike_config.psk == "Master.shared_key"
