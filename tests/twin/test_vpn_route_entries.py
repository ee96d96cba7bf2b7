"""VPN gateway route entries (destination routing) through the vpc SDK, and the data-plane helpers on them."""

from __future__ import annotations

import json

from alibabacloud_vpc20160428 import models as m
from cloudtwin.alicloud.models.vpn_route import carries_traffic_to, routing_mode, vpn_route_for
from twinhelpers import (ALI_MATCHING_IKE, ALI_MATCHING_IPSEC, ali_vpc, api_error, aws_outside_ips, aws_vpn,
                         seeded_vswitch)

REGION = "ap-northeast-1"
AWS_HOST = "172.16.0.132"


def _settle(client):
    client.describe_vpn_gateways(m.DescribeVpnGatewaysRequest(region_id=REGION))


def _gateway(client):
    vpc = ali_vpc(client)
    gw_id = client.create_vpn_gateway(m.CreateVpnGatewayRequest(
        region_id=REGION, vpc_id=vpc.vpc_id, v_switch_id=vpc.v_switch_ids.v_switch_id[0],
        bandwidth=10)).body.vpn_gateway_id
    _settle(client)
    return client.describe_vpn_gateway(m.DescribeVpnGatewayRequest(region_id=REGION, vpn_gateway_id=gw_id)).body


def _connection(client, ec2, gw, tgw, psk, local="0.0.0.0/0", remote="0.0.0.0/0"):
    """A single-tunnel connection that comes up against tunnel 1 of its own AWS VPN connection."""
    vpn_id = aws_vpn(ec2, gw.internet_ip, (psk, "Unused.key_1"), tgw=tgw)
    cgw_id = client.create_customer_gateway(m.CreateCustomerGatewayRequest(
        region_id=REGION, ip_address=aws_outside_ips(ec2, vpn_id)[0])).body.customer_gateway_id
    vco_id = client.create_vpn_connection(m.CreateVpnConnectionRequest(
        region_id=REGION, vpn_gateway_id=gw.vpn_gateway_id, customer_gateway_id=cgw_id, local_subnet=local,
        remote_subnet=remote, ike_config=json.dumps(dict(ALI_MATCHING_IKE, Psk=psk)),
        ipsec_config=json.dumps(ALI_MATCHING_IPSEC))).body.vpn_connection_id
    _settle(client)
    return vco_id


def _route(client, gw_id, dest, next_hop, weight=100, publish=True, **kwargs):
    return client.create_vpn_route_entry(m.CreateVpnRouteEntryRequest(
        region_id=REGION, vpn_gateway_id=gw_id, route_dest=dest, next_hop=next_hop, weight=weight,
        publish_vpc=publish, **kwargs))


def _routes(client, gw_id):
    body = client.describe_vpn_route_entries(m.DescribeVpnRouteEntriesRequest(
        region_id=REGION, vpn_gateway_id=gw_id)).body
    return [(r.route_dest, r.next_hop, r.weight, r.state) for r in body.vpn_route_entries.vpn_route_entry]


def _vpc_routes(client):
    table = ali_vpc(client).router_table_ids.router_table_ids[0]
    entries = client.describe_route_entry_list(m.DescribeRouteEntryListRequest(
        region_id=REGION, route_table_id=table)).body.route_entrys.route_entry
    return {e.destination_cidr_block: (e.next_hops.next_hop[0].next_hop_type, e.next_hops.next_hop[0].next_hop_id)
            for e in entries if e.type == "Custom"}


def _vco(twin, vco_id):
    return twin.twin.backend.state.find("VpnConnection", vco_id)


def test_route_entries_lifecycle_refusals_and_selection(twin):
    client, ec2 = twin.vpc_client(), twin.ec2()
    state = twin.twin.backend.state
    gw = _gateway(client)
    tgw = ec2.create_transit_gateway(Description="hub")["TransitGateway"]["TransitGatewayId"]
    active = _connection(client, ec2, gw, tgw, "Active.shared_key")
    standby = _connection(client, ec2, gw, tgw, "Standby.shared_key")
    assert routing_mode(_vco(twin, active)) == "destination"
    # Destination routing: the tunnel is up, but without a route entry no traffic takes it.
    assert _vco(twin, active)["Status"] == "ipsec_sa_established"
    assert vpn_route_for(state, gw.vpn_gateway_id, AWS_HOST) is None
    assert not carries_traffic_to(state, _vco(twin, active), AWS_HOST)

    body = _route(client, gw.vpn_gateway_id, "172.16.0.0/12", active, description="to AWS").body
    assert (body.route_dest, body.next_hop, body.weight, body.state, body.vpn_instance_id) == \
        ("172.16.0.0/12", active, 100, "published", gw.vpn_gateway_id)
    _settle(client)
    # Published: the VPC's system route table sends the destination to the VPN gateway.
    assert _vpc_routes(client)["172.16.0.0/12"] == ("VpnGateway", gw.vpn_gateway_id)
    assert vpn_route_for(state, gw.vpn_gateway_id, AWS_HOST).id == active
    assert carries_traffic_to(state, _vco(twin, active), AWS_HOST)
    assert not carries_traffic_to(state, _vco(twin, active), "192.168.0.92")

    gw_id = gw.vpn_gateway_id
    refusals = [
        (lambda: _route(client, gw_id, "172.16.0.0/12", standby), "VpnRouteEntry.WeightConflict"),
        (lambda: _route(client, gw_id, "172.16.0.0/12", active, weight=0), "VpnRouteEntry.AlreadyExists"),
        (lambda: _route(client, gw_id, "0.0.0.0/0", active), "IllegalParam.RouteDest"),
        (lambda: _route(client, gw_id, "100.64.1.0/24", active), "IllegalParam.RouteDest"),
        (lambda: _route(client, gw_id, "172.16.0.1/12", active), "IllegalParam.RouteDest"),
        (lambda: _route(client, gw_id, "172.18.0.0/16", "vco-nope"), "InvalidNextHop.NotFound"),
        (lambda: _route(client, gw_id, "172.18.0.0/16", active, weight=50), "InvalidParameter.Weight"),
        (lambda: _route(client, gw_id, "172.18.0.0/16", active, overlay_mode="Gre"), "InvalidParameter.OverlayMode"),
        (lambda: client.create_vpn_route_entry(m.CreateVpnRouteEntryRequest(
            region_id=REGION, vpn_gateway_id=gw_id, route_dest="172.18.0.0/16", next_hop=active, weight=100)),
         "MissingPublishVpc"),
        (lambda: _route(client, "vpn-nope", "172.18.0.0/16", active), "InvalidVpnGatewayInstanceId.NotFound"),
        (lambda: _route(client, gw_id, "172.18.0.0/16", active, dry_run=True), "DryRunOperation"),
    ]
    for call, code in refusals:
        assert api_error(call).code == code
    _route(client, gw_id, "172.16.0.0/12", standby, weight=0, publish=False)
    _settle(client)
    assert _routes(client, gw_id) == [("172.16.0.0/12", active, 100, "published"),
                                      ("172.16.0.0/12", standby, 0, "normal")]

    # Both up: the active route wins. The active connection down, the standby up: the standby takes over.
    assert vpn_route_for(state, gw_id, AWS_HOST).id == active
    client.modify_vpn_connection_attribute(m.ModifyVpnConnectionAttributeRequest(
        region_id=REGION, vpn_connection_id=active, ike_config=json.dumps({"Psk": "Wrong.shared_key"})))
    _settle(client)
    assert _vco(twin, active)["Status"] == "ike_sa_not_established"
    assert vpn_route_for(state, gw_id, AWS_HOST).id == standby
    assert carries_traffic_to(state, _vco(twin, standby), AWS_HOST)
    assert not carries_traffic_to(state, _vco(twin, active), AWS_HOST)
    # A longer prefix wins over the pair.
    _route(client, gw_id, "172.16.0.0/24", active, publish=False)
    _settle(client)
    assert vpn_route_for(state, gw_id, AWS_HOST).id == active  # chosen although down: nothing gets through
    assert not carries_traffic_to(state, _vco(twin, active), AWS_HOST)
    assert vpn_route_for(state, gw_id, "172.17.0.111").id == standby

    # Weights of an active/standby pair change only after the partner is gone.
    def reweigh(next_hop, weight, new_weight):
        return client.modify_vpn_route_entry_weight(m.ModifyVpnRouteEntryWeightRequest(
            region_id=REGION, vpn_gateway_id=gw_id, route_dest="172.16.0.0/12", next_hop=next_hop, weight=weight,
            new_weight=new_weight))

    assert api_error(lambda: reweigh(active, 100, 0)).code == "VpnRouteEntry.ActiveStandbyExists"
    assert api_error(lambda: reweigh(active, 0, 100)).code == "VpnRouteEntry.NotFound"

    def delete(dest, next_hop, weight):
        return client.delete_vpn_route_entry(m.DeleteVpnRouteEntryRequest(
            region_id=REGION, vpn_gateway_id=gw_id, route_dest=dest, next_hop=next_hop, weight=weight))

    assert api_error(lambda: delete("172.16.0.0/12", standby, 100)).code == "VpnRouteEntry.NotFound"
    delete("172.16.0.0/12", standby, 0)
    _settle(client)
    reweigh(active, 100, 0)
    _settle(client)
    assert ("172.16.0.0/12", active, 0, "published") in _routes(client, gw_id)

    # Withdraw, publish again, and the policy-based kind the twin does not keep.
    def publish(value, route_type="dbr"):
        return client.publish_vpn_route_entry(m.PublishVpnRouteEntryRequest(
            region_id=REGION, vpn_gateway_id=gw_id, route_dest="172.16.0.0/12", next_hop=active,
            route_type=route_type, publish_vpc=value))

    publish(False)
    _settle(client)
    assert "172.16.0.0/12" not in _vpc_routes(client)
    publish(True)
    _settle(client)
    assert _vpc_routes(client)["172.16.0.0/12"] == ("VpnGateway", gw_id)
    assert api_error(lambda: publish(True, "pbr")).code == "VpnRouteEntry.NotFound"

    # A connection that is a next hop cannot go; without its routes it can.
    err = api_error(lambda: client.delete_vpn_connection(m.DeleteVpnConnectionRequest(
        region_id=REGION, vpn_connection_id=active)))
    assert err.code == "DependencyViolation.VpnRouteEntry"
    delete("172.16.0.0/12", active, 0)
    _settle(client)
    delete("172.16.0.0/24", active, 100)
    _settle(client)
    assert _routes(client, gw_id) == [] and "172.16.0.0/12" not in _vpc_routes(client)
    client.delete_vpn_connection(m.DeleteVpnConnectionRequest(region_id=REGION, vpn_connection_id=active))


def test_route_changes_keep_the_gateway_busy(twin):
    client, ec2 = twin.vpc_client(), twin.ec2()
    gw = _gateway(client)
    tgw = ec2.create_transit_gateway(Description="hub")["TransitGateway"]["TransitGatewayId"]
    vco_id = _connection(client, ec2, gw, tgw, "Active.shared_key")
    twin.twin.faults.update({"delays": {"VpnGateway": 30}})
    _route(client, gw.vpn_gateway_id, "172.16.0.0/12", vco_id)
    err = api_error(lambda: _route(client, gw.vpn_gateway_id, "172.17.0.0/16", vco_id))
    assert err.code == "VpnGateway.Configuring"


def test_a_published_destination_is_a_custom_route_of_the_vpc(twin):
    """The VPC's system table holds one route per destination: a published VPN route and a custom route of the
    VPC exclude each other, whichever came first; an unpublished VPN route takes no place in the VPC."""
    client, ec2 = twin.vpc_client(), twin.ec2()
    gw = _gateway(client)
    tgw = ec2.create_transit_gateway(Description="hub")["TransitGateway"]["TransitGatewayId"]
    vco_id = _connection(client, ec2, gw, tgw, "Active.shared_key")
    table = ali_vpc(client).router_table_ids.router_table_ids[0]
    instance = next(i.id for i in twin.ali_resources("Instance") if i["InstanceName"] == "tokyo-host")

    def vpc_route(dest):
        return client.create_route_entry(m.CreateRouteEntryRequest(
            region_id=REGION, route_table_id=table, destination_cidr_block=dest, next_hop_type="Instance",
            next_hop_id=instance))

    _route(client, gw.vpn_gateway_id, "172.16.0.0/12", vco_id)
    _settle(client)
    err = api_error(lambda: vpc_route("172.16.0.0/12"))
    assert err.code == "RouterEntryConflict.Duplicated" and gw.vpn_gateway_id in err.message
    vpc_route("172.17.0.0/16")
    err = api_error(lambda: _route(client, gw.vpn_gateway_id, "172.17.0.0/16", vco_id))
    assert err.code == "RouterEntryConflict.Duplicated" and instance in err.message
    _route(client, gw.vpn_gateway_id, "172.17.0.0/16", vco_id, publish=False)  # kept on the gateway only
    _settle(client)
    err = api_error(lambda: client.publish_vpn_route_entry(m.PublishVpnRouteEntryRequest(
        region_id=REGION, vpn_gateway_id=gw.vpn_gateway_id, route_dest="172.17.0.0/16", next_hop=vco_id,
        route_type="dbr", publish_vpc=True)))
    assert err.code == "RouterEntryConflict.Duplicated"
    assert _vpc_routes(client) == {"172.16.0.0/12": ("VpnGateway", gw.vpn_gateway_id),
                                   "172.17.0.0/16": ("Instance", instance)}


def test_protected_data_flow_connections_follow_their_selectors(twin):
    client, ec2 = twin.vpc_client(), twin.ec2()
    state = twin.twin.backend.state
    gw = _gateway(client)
    tgw = ec2.create_transit_gateway(Description="hub")["TransitGateway"]["TransitGatewayId"]
    vco_id = _connection(client, ec2, gw, tgw, "Active.shared_key", local="10.0.0.0/8", remote="172.16.0.0/12")
    vco = _vco(twin, vco_id)
    assert routing_mode(vco) == "protected" and vco["Status"] == "ipsec_sa_established"
    assert carries_traffic_to(state, vco, AWS_HOST, source_ip="10.0.0.17")
    assert not carries_traffic_to(state, vco, "192.168.0.92")
    assert not carries_traffic_to(state, vco, AWS_HOST, source_ip="192.168.0.92")


def test_dual_tunnel_gateway_routes_name_the_tunnel(today_twin):
    client = today_twin.vpc_client()
    vpc = ali_vpc(client)
    gw_id = client.create_vpn_gateway(m.CreateVpnGatewayRequest(  # the world's vSwitch pair for VPN gateways
        region_id=REGION, vpc_id=vpc.vpc_id, v_switch_id=seeded_vswitch(today_twin, "tokyo-vpn-vsw-1").id,
        disaster_recovery_vswitch_id=seeded_vswitch(today_twin, "tokyo-vpn-vsw-2").id,
        bandwidth=10)).body.vpn_gateway_id
    _settle(client)
    cgw_id = client.create_customer_gateway(m.CreateCustomerGatewayRequest(
        region_id=REGION, ip_address="192.0.2.10")).body.customer_gateway_id
    vco_id = client.create_vpn_connection(m.CreateVpnConnectionRequest(
        region_id=REGION, vpn_gateway_id=gw_id, local_subnet="0.0.0.0/0", remote_subnet="0.0.0.0/0",
        tunnel_options_specification=[m.CreateVpnConnectionRequestTunnelOptionsSpecification(
            customer_gateway_id=cgw_id, role=role) for role in ("master", "slave")])).body.vpn_connection_id
    _settle(client)
    _route(client, gw_id, "172.16.0.0/12", vco_id)
    _settle(client)
    body = client.describe_vpn_route_entries(m.DescribeVpnRouteEntriesRequest(
        region_id=REGION, vpn_gateway_id=gw_id)).body
    master = next(t for t in client.describe_vpn_connection(m.DescribeVpnConnectionRequest(
        region_id=REGION, vpn_connection_id=vco_id)).body.tunnel_options_specification.tunnel_options
        if t.role == "master")
    assert body.vpn_route_entries.vpn_route_entry[0].next_hop_tunnel_id == master.tunnel_id
    assert body.vpn_route_counts.vpn_route_count[0].route_count == 1
