"""Latency profiles: the clouds' own provisioning times per resource kind, scaled, in both clouds of the twin.

``realistic`` must slow exactly the kinds it names, each by its figure x ``latency_scale``; explicit ``delays``
win; ``VpnGateway.updating`` is the gateway's busy time after an IPsec change, not its creation time. Set by
``Faults`` arguments, ``CLOUDTWIN_LATENCY_*``, ``cloudtwin serve --latency-*`` and ``POST /_twin/faults``.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
from pathlib import Path

import pytest

from cloudtwin import cli
from cloudtwin.faults import LATENCY_PROFILES, Faults, delay_of
from twinhelpers import cbn_call, seeded_vpc, seeded_vswitch, vpc_call

EMULATOR = Path(__file__).resolve().parents[2] / "emulator" / "cloudtwin"
REALISTIC = LATENCY_PROFILES["realistic"]
SCALE = 0.01  # TransitGateway 2.4 s, VpnGateway 1.8 s, VpnGateway.updating 0.3 s, Cen 0.3 s


def _scaled(scale):
    return {kind: figure.seconds * scale for kind, figure in REALISTIC.items()}


def test_realistic_profile_slows_exactly_its_kinds_scaled():
    faults = Faults(latency_profile="realistic", latency_scale=0.05)
    assert faults.delays == _scaled(0.05)
    assert faults.delays["VpnConnection"] == pytest.approx(21.0)
    assert delay_of(faults.delays, "CustomerGateway") == 0.0  # named nowhere: instant
    assert delay_of(faults.delays, "VpnGateway", "updating") == pytest.approx(1.5)
    assert delay_of(faults.delays, "VpnGateway", "init") == pytest.approx(9.0)  # no refinement: the kind's own
    faults.update({"latency_profile": None})
    assert faults.delays == {}
    assert all(figure.source for figure in REALISTIC.values())


def test_explicit_delays_win_unscaled_and_the_settings_round_trip():
    faults = Faults(latency_profile="realistic", latency_scale=0.5, delays={"Cen": 2, "Twin.Only": 1})
    assert faults.delays["Cen"] == 2 and faults.delays["Twin.Only"] == 1
    assert faults.delays["TransitRouter"] == pytest.approx(30.0)
    report = faults.to_dict()
    assert report["delays"] == {"Cen": 2, "Twin.Only": 1}
    assert report["latency_profile"] == "realistic" and report["latency_scale"] == 0.5
    assert report["effective_delays"] == faults.delays
    copy = Faults()
    copy.update(report)  # what /_twin/faults answers can be posted back
    assert copy.delays == faults.delays


def test_a_bad_profile_or_scale_is_refused_and_changes_nothing():
    faults = Faults(latency_profile="realistic", latency_scale=0.1)
    before = faults.to_dict()
    with pytest.raises(ValueError, match="unknown latency_profile 'fast'"):
        faults.update({"latency_profile": "fast", "latency_scale": 2})
    with pytest.raises(ValueError, match="latency_scale must not be negative"):
        faults.update({"latency_scale": -1})
    assert faults.to_dict() == before


def test_environment_and_serve_flags():
    faults = Faults.from_env({"CLOUDTWIN_LATENCY_PROFILE": "realistic", "CLOUDTWIN_LATENCY_SCALE": "0.05"})
    assert faults.delays == _scaled(0.05)
    args = cli._parser().parse_args(["serve", "--world", "w.yml", "--latency-profile", "realistic",
                                     "--latency-scale", "0.2", "--delay", "Cen=1"])
    flagged = cli._faults(args)
    assert flagged.delays == dict(_scaled(0.2), Cen=1.0)
    assert flagged.to_dict()["delays"] == {"Cen": 1.0}


def test_every_kind_the_profile_names_is_a_kind_of_the_twin():
    """A misspelt kind would slow nothing: each name (before a ``.state``) is a kind some cloud model uses."""
    source = "\n".join(p.read_text() for p in EMULATOR.rglob("*.py") if p.name != "faults.py")
    literals = set(re.findall(r'"([A-Z][A-Za-z]+)"', source))
    assert {kind.split(".")[0] for kind in REALISTIC} <= literals


@pytest.fixture
def latency(twin):
    """The seed twin with the realistic profile at SCALE, set through its control endpoint; off afterwards."""
    def post(settings):
        request = urllib.request.Request(twin.env["CLOUDTWIN_CONTROL_URL"] + "/faults", method="POST",
                                         data=json.dumps(settings).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    answer = post({"latency_profile": "realistic", "latency_scale": SCALE})
    try:
        yield twin, answer
    finally:
        twin.twin.faults.update({"latency_profile": None, "latency_scale": 1.0, "delays": {}})


def _due_after(state, resource_id, key, value):
    return next(t.due for t in state.pending if t.resource.id == resource_id and (t.key, t.value) == (key, value))


def test_the_control_endpoint_sets_the_profile_and_the_alibaba_side_waits_it_out(latency):
    twin, answer = latency
    assert answer["effective_delays"] == _scaled(SCALE)
    state = twin.twin.backend.state
    started = time.time()
    cen_id = cbn_call(twin, "CreateCen", Name="hub")["CenId"]
    returned = time.time()
    due = _due_after(state, cen_id, "Status", "Active")
    assert started + 30 * SCALE <= due <= returned + 30 * SCALE

    vpc, vsw = seeded_vpc(twin, "tokyo-vpc"), seeded_vswitch(twin, "tokyo-vsw-1")
    started = time.time()
    gw_id = vpc_call(twin, "CreateVpnGateway", VpcId=vpc.id, VSwitchId=vsw.id, Bandwidth=10)["VpnGatewayId"]
    returned = time.time()
    assert started + 180 * SCALE <= _due_after(state, gw_id, "Status", "active") <= returned + 180 * SCALE
    assert vpc_call(twin, "DescribeVpnGateway", VpnGatewayId=gw_id)["Status"] in ("init", "provisioning")
    time.sleep(max(0.0, returned + 180 * SCALE - time.time()) + 0.05)
    assert vpc_call(twin, "DescribeVpnGateway", VpnGatewayId=gw_id)["Status"] == "active"

    # An IPsec change keeps the gateway busy for VpnGateway.updating (30 s), not its creation time (180 s).
    cgw_id = vpc_call(twin, "CreateCustomerGateway", IpAddress="203.0.113.10")["CustomerGatewayId"]
    started = time.time()
    vpc_call(twin, "CreateVpnConnection", VpnGatewayId=gw_id, CustomerGatewayId=cgw_id, LocalSubnet="10.0.0.0/24",
             RemoteSubnet="172.16.0.0/16")
    returned = time.time()
    assert started + 30 * SCALE <= _due_after(state, gw_id, "Status", "active") <= returned + 30 * SCALE


def test_the_aws_side_waits_out_the_profile(latency):
    twin, _ = latency
    ec2 = twin.ec2()
    started = time.time()
    created = ec2.create_transit_gateway(Description="hub")["TransitGateway"]
    returned = time.time()
    # pending unless the call itself outlasted the delay (a loaded machine)
    assert created["State"] == "pending" or returned - started >= 240 * SCALE, created["State"]
    tgw_id = created["TransitGatewayId"]
    time.sleep(max(0.0, returned + 240 * SCALE - time.time()) + 0.05)
    assert ec2.describe_transit_gateways(TransitGatewayIds=[tgw_id])["TransitGateways"][0]["State"] == "available"
    assert time.time() - started >= 240 * SCALE

    twin.twin.faults.update({"latency_profile": None})  # off again: moto's immediate states
    tgw_id = ec2.create_transit_gateway(Description="hub2")["TransitGateway"]["TransitGatewayId"]
    assert ec2.describe_transit_gateways(TransitGatewayIds=[tgw_id])["TransitGateways"][0]["State"] == "available"
