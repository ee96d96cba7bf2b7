"""The Alibaba VPN kinds of the twin through the official vpc SDK: states, validation, errors."""

from __future__ import annotations

import ipaddress
import json

from alibabacloud_vpc20160428 import models as m
from twinhelpers import api_error

REGION = "ap-northeast-1"


def _tokyo(client):
    vpc = client.describe_vpcs(m.DescribeVpcsRequest(region_id=REGION, vpc_name="tokyo-vpc")).body.vpcs.vpc[0]
    return vpc.vpc_id, vpc.v_switch_ids.v_switch_id[0], vpc.router_table_ids.router_table_ids[0]


def _gateway(client, **kwargs):
    vpc_id, vsw_id, _ = _tokyo(client)
    body = client.create_vpn_gateway(m.CreateVpnGatewayRequest(
        region_id=REGION, vpc_id=vpc_id, v_switch_id=vsw_id, bandwidth=10, name="tokyo-vpn",
        auto_pay=True, **kwargs)).body
    return body.vpn_gateway_id


def _describe_gw(client, gw_id):
    gws = client.describe_vpn_gateways(m.DescribeVpnGatewaysRequest(region_id=REGION, vpn_gateway_id=gw_id))
    return gws.body.vpn_gateways.vpn_gateway[0]


def test_vpn_gateway_lifecycle_and_public_ip(twin):
    client = twin.vpc_client()
    gw_id = _gateway(client)
    first = _describe_gw(client, gw_id)
    assert first.status in ("provisioning", "active")
    gw = _describe_gw(client, gw_id)
    assert gw.status == "active" and gw.business_status == "Normal"
    assert gw.spec == "10M" and gw.ipsec_vpn == "enable" and gw.ssl_vpn == "disable"
    ip = ipaddress.ip_address(gw.internet_ip)
    assert any(ip in ipaddress.ip_network(n) for n in ("198.51.100.0/24", "203.0.113.0/24"))
    vpc_id, vsw_id, _ = _tokyo(client)
    assert gw.vpc_id == vpc_id and gw.v_switch_id == vsw_id

    client.modify_vpn_gateway_attribute(m.ModifyVpnGatewayAttributeRequest(
        region_id=REGION, vpn_gateway_id=gw_id, name="renamed", description="d"))
    assert _describe_gw(client, gw_id).name == "renamed"

    client.tag_resources(m.TagResourcesRequest(region_id=REGION, resource_type="VPNGATEWAY", resource_id=[gw_id],
                                               tag=[m.TagResourcesRequestTag(key="env", value="demo")]))
    assert [(t.key, t.value) for t in _describe_gw(client, gw_id).tags.tag] == [("env", "demo")]

    client.delete_vpn_gateway(m.DeleteVpnGatewayRequest(region_id=REGION, vpn_gateway_id=gw_id))
    client.describe_vpn_gateways(m.DescribeVpnGatewaysRequest(region_id=REGION))  # settles the deletion
    body = client.describe_vpn_gateways(m.DescribeVpnGatewaysRequest(region_id=REGION)).body
    assert body.total_count == 0


def test_vpn_gateway_validation(twin):
    client = twin.vpc_client()
    vpc_id, vsw_id, _ = _tokyo(client)
    err = api_error(lambda: client.create_vpn_gateway(m.CreateVpnGatewayRequest(
        region_id=REGION, vpc_id=vpc_id, v_switch_id=vsw_id, bandwidth=7)))
    assert err.code == "InvalidSpec.NotFound"
    err = api_error(lambda: client.create_vpn_gateway(m.CreateVpnGatewayRequest(
        region_id=REGION, vpc_id="vpc-nope", bandwidth=10)))
    assert err.code == "InvalidVpcId.NotFound"
    err = api_error(lambda: client.create_vpn_gateway(m.CreateVpnGatewayRequest(
        region_id=REGION, vpc_id=vpc_id, v_switch_id="vsw-nope", bandwidth=10)))
    assert err.code == "InvalidVSwitchId.NotFound"
    err = api_error(lambda: client.create_vpn_gateway(m.CreateVpnGatewayRequest(
        region_id=REGION, vpc_id=vpc_id, bandwidth=10, enable_ssl=True, ssl_connections=3)))
    assert err.code == "InvalidParameter.SslConnections"


def test_customer_gateway_rules(twin):
    client = twin.vpc_client()
    cgw = client.create_customer_gateway(m.CreateCustomerGatewayRequest(
        region_id=REGION, ip_address="203.0.113.10", name="aws-t1", asn="65000")).body
    assert cgw.ip_address == "203.0.113.10"
    err = api_error(lambda: client.create_customer_gateway(m.CreateCustomerGatewayRequest(
        region_id=REGION, ip_address="203.0.113.10")))
    assert err.code == "InvalidIpAddress.AlreadyExist"
    err = api_error(lambda: client.create_customer_gateway(m.CreateCustomerGatewayRequest(
        region_id=REGION, ip_address="not-an-ip")))
    assert err.code == "InvalidIpAddress.Malformed"
    listed = client.describe_customer_gateways(m.DescribeCustomerGatewaysRequest(region_id=REGION)).body
    item = listed.customer_gateways.customer_gateway[0]
    assert (item.customer_gateway_id, item.asn, item.name) == (cgw.customer_gateway_id, 65000, "aws-t1")
    err = api_error(lambda: client.delete_customer_gateway(m.DeleteCustomerGatewayRequest(
        region_id=REGION, customer_gateway_id="cgw-nope")))
    assert err.code == "InvalidCustomerGatewayInstanceId.NotFound"


def _connection(client, gw_id, cgw_id, **kwargs):
    return client.create_vpn_connection(m.CreateVpnConnectionRequest(
        region_id=REGION, vpn_gateway_id=gw_id, customer_gateway_id=cgw_id, name="to-aws",
        local_subnet="0.0.0.0/0", remote_subnet="172.16.0.0/12", **kwargs)).body.vpn_connection_id


def test_ipsec_connection_defaults_states_and_refusals(twin):
    client = twin.vpc_client()
    gw_id = _gateway(client)
    _describe_gw(client, gw_id)
    cgw_id = client.create_customer_gateway(m.CreateCustomerGatewayRequest(
        region_id=REGION, ip_address="192.0.2.10")).body.customer_gateway_id
    vco_id = _connection(client, gw_id, cgw_id)
    conns = client.describe_vpn_connections(m.DescribeVpnConnectionsRequest(region_id=REGION)).body
    vco = conns.vpn_connections.vpn_connection[0]
    assert vco.vpn_connection_id == vco_id and vco.state == "active"
    # Nothing answers at 192.0.2.10: phase 1 never completes.
    assert vco.status == "ike_sa_not_established"
    ike, ipsec = vco.ike_config, vco.ipsec_config
    assert (ike.ike_version, ike.ike_mode, ike.ike_enc_alg, ike.ike_auth_alg, ike.ike_pfs, ike.ike_lifetime) == \
        ("ikev1", "main", "aes", "md5", "group2", 86400)
    assert (ipsec.ipsec_enc_alg, ipsec.ipsec_auth_alg, ipsec.ipsec_pfs, ipsec.ipsec_lifetime) == \
        ("aes", "md5", "group2", 86400)
    assert ike.psk and len(ike.psk) >= 8  # generated
    assert ike.local_id == _describe_gw(client, gw_id).internet_ip and ike.remote_id == "192.0.2.10"
    assert vco.enable_dpd is True and vco.enable_nat_traversal is True and vco.effect_immediately is False
    assert vco.local_subnet == "0.0.0.0/0" and vco.remote_subnet == "172.16.0.0/12"
    events = twin.twin.backend.state.dump()["events"]
    assert any(e.get("vpn_connection_id") == vco_id and "no AWS VPN tunnel" in e["message"] for e in events)

    # The gateway is busy right after a connection change, then active again.
    client.modify_vpn_connection_attribute(m.ModifyVpnConnectionAttributeRequest(
        region_id=REGION, vpn_connection_id=vco_id, ike_config=json.dumps({"IkeVersion": "ikev2", "Psk": "s3cret.key"}),
        ipsec_config=json.dumps({"IpsecLifetime": 3600})))
    vco = client.describe_vpn_connections(m.DescribeVpnConnectionsRequest(
        region_id=REGION, vpn_connection_id=vco_id)).body.vpn_connections.vpn_connection[0]
    assert vco.ike_config.ike_version == "ikev2" and vco.ike_config.psk == "s3cret.key"
    assert vco.ike_config.ike_auth_alg == "md5" and vco.ipsec_config.ipsec_lifetime == 3600

    # Dependencies: the gateway and the customer gateway are refused while in use.
    _, _, table_id = _tokyo(client)
    client.create_route_entry(m.CreateRouteEntryRequest(
        region_id=REGION, route_table_id=table_id, destination_cidr_block="172.16.0.0/12",
        next_hop_type="VpnGateway", next_hop_id=gw_id))
    err = api_error(lambda: client.delete_vpn_gateway(m.DeleteVpnGatewayRequest(region_id=REGION, vpn_gateway_id=gw_id)))
    assert err.code == "VpnDependencyViolation.VpnConnection"
    err = api_error(lambda: client.delete_customer_gateway(m.DeleteCustomerGatewayRequest(
        region_id=REGION, customer_gateway_id=cgw_id)))
    assert err.code == "DependencyViolation.VpnConnection"
    client.delete_vpn_connection(m.DeleteVpnConnectionRequest(region_id=REGION, vpn_connection_id=vco_id))
    err = api_error(lambda: client.delete_vpn_gateway(m.DeleteVpnGatewayRequest(region_id=REGION, vpn_gateway_id=gw_id)))
    assert err.code == "DependencyViolation.RouteEntry"
    client.delete_customer_gateway(m.DeleteCustomerGatewayRequest(region_id=REGION, customer_gateway_id=cgw_id))
    body = client.describe_vpn_connections(m.DescribeVpnConnectionsRequest(region_id=REGION)).body
    assert body.total_count == 0
    assert client.describe_customer_gateways(m.DescribeCustomerGatewaysRequest(region_id=REGION)).body.total_count == 0


def test_gateway_busy_while_updating(twin):
    client = twin.vpc_client()
    twin.twin.faults.update({"delays": {"VpnGateway": 30}})
    vpc_id, vsw_id, _ = _tokyo(client)
    gw_id = client.create_vpn_gateway(m.CreateVpnGatewayRequest(
        region_id=REGION, vpc_id=vpc_id, v_switch_id=vsw_id, bandwidth=10)).body.vpn_gateway_id
    assert _describe_gw(client, gw_id).status == "init"
    cgw_id = client.create_customer_gateway(m.CreateCustomerGatewayRequest(
        region_id=REGION, ip_address="192.0.2.20")).body.customer_gateway_id
    err = api_error(lambda: _connection(client, gw_id, cgw_id))
    assert err.code == "VpnGateway.Configuring"


def test_ipsec_connection_validation(twin):
    client = twin.vpc_client()
    gw_id = _gateway(client)
    _describe_gw(client, gw_id)
    cgw_id = client.create_customer_gateway(m.CreateCustomerGatewayRequest(
        region_id=REGION, ip_address="192.0.2.30")).body.customer_gateway_id
    cases = [
        ({"ike_config": json.dumps({"IkeEncAlg": "blowfish"})}, "IllegalParam.IkeConfig.IkeEncAlg"),
        ({"ike_config": json.dumps({"IkeLifetime": 90000})}, "IllegalParam.IkeConfig.IkeLifetime"),
        ({"ike_config": json.dumps({"Psk": "has space"})}, "IllegalParam.IkeConfig.Psk"),
        ({"ipsec_config": json.dumps({"IpsecPfs": "group99"})}, "IllegalParam.IpsecConfig.IpsecPfs"),
        ({"ike_config": "{not json"}, "IllegalParam.IkeConfig"),
    ]
    for kwargs, code in cases:
        err = api_error(lambda: _connection(client, gw_id, cgw_id, **kwargs))
        assert err.code == code, (kwargs, err.code)
        assert "has space" not in err.message
    err = api_error(lambda: client.create_vpn_connection(m.CreateVpnConnectionRequest(
        region_id=REGION, vpn_gateway_id=gw_id, customer_gateway_id=cgw_id, local_subnet="10.0.0.0/33",
        remote_subnet="172.16.0.0/12")))
    assert err.code == "IllegalParam.LocalSubnet"
    err = api_error(lambda: _connection(client, "vpn-nope", cgw_id))
    assert err.code == "InvalidVpnGatewayInstanceId.NotFound"
    err = api_error(lambda: client.delete_vpn_connection(m.DeleteVpnConnectionRequest(
        region_id=REGION, vpn_connection_id="vco-nope")))
    assert err.code == "InvalidVpnConnectionInstanceId.NotFound"
    assert twin.ali_resources("VpnConnection") == []
