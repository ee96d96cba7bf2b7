"""multicloud.transit.alicloud_cen_bandwidth against the twin."""

from __future__ import annotations

from unittest import mock

from ansible.module_utils import basic

from twinhelpers import ok, run_module

REGION = {"alicloud_region": "ap-northeast-1"}


def walkthrough_cen(handle):
    tokyo = next(v for v in handle.ali_resources("Vpc") if v["VpcName"] == "tokyo-vpc")
    beijing = next(v for v in handle.ali_resources("Vpc") if v["VpcName"] == "beijing-vpc")
    return ok("alicloud_cen", dict(REGION, name="transit-cen", attachments=[
        {"instance_id": tokyo.id, "region_id": "ap-northeast-1"},
        {"instance_id": beijing.id, "region_id": "cn-beijing"}]))["cen"]["cen_id"]


def run_warned(name, args, **kwargs):
    """run the module and also return what it passed to AnsibleModule.warn."""
    with mock.patch.object(basic.AnsibleModule, "warn", autospec=True) as warn:
        result = run_module(name, args, **kwargs)
    return result, [c.args[1] for c in warn.call_args_list]


def test_package_limits_idempotence_update_and_delete(twin):
    cen_id = walkthrough_cen(twin)
    base = dict(REGION, name="tokyo-beijing", bandwidth=10, geographic_region_a="China",
                geographic_region_b="Asia-Pacific", cen_id=cen_id)

    # a package without limits: the cross-region pair still has only the test bandwidth -> warning
    result, warnings = run_warned("alicloud_cen_bandwidth", base, diff=True)
    assert not result.get("failed"), result.get("msg")
    assert result["changed"] and result["bandwidth_package"]["status"] == "InUse"
    assert result["bandwidth_package"]["cen_ids"] == [cen_id]
    assert result["test_bandwidth_pairs"] == [["ap-northeast-1", "cn-beijing"]]
    assert len(warnings) == 1 and "1 Kbps test bandwidth" in warnings[0] and "cn-beijing" in warnings[0]
    assert result["diff"]["before"] == {} and result["diff"]["after"]["bandwidth"] == 10

    args = dict(base, region_limits=[{"local_region_id": "ap-northeast-1", "opposite_region_id": "cn-beijing",
                                      "bandwidth_limit": 8}])
    twin.clear_calls()
    planned, _ = run_warned("alicloud_cen_bandwidth", args, check_mode=True)
    assert planned["changed"] and planned["test_bandwidth_pairs"] == [] and twin.mutating_calls() == []
    limited, warnings = run_warned("alicloud_cen_bandwidth", args)
    assert limited["changed"] and warnings == [] and limited["test_bandwidth_pairs"] == []
    assert limited["region_limits"] == [{"local_region_id": "ap-northeast-1", "opposite_region_id": "cn-beijing",
                                         "bandwidth_limit": 8}]

    twin.clear_calls()
    again = ok("alicloud_cen_bandwidth", args)
    assert not again["changed"] and twin.mutating_calls() == []

    bigger = dict(args, bandwidth=20, description="more",
                  region_limits=[dict(args["region_limits"][0], bandwidth_limit=15)])
    updated = ok("alicloud_cen_bandwidth", bigger, diff=True)
    assert updated["changed"] and updated["bandwidth_package"]["bandwidth"] == 20
    assert updated["region_limits"][0]["bandwidth_limit"] == 15
    assert updated["diff"]["before"]["region_limits"][0]["bandwidth_limit"] == 8

    purged, warnings = run_warned("alicloud_cen_bandwidth", dict(bigger, region_limits=[], purge_region_limits=True))
    assert purged["changed"] and purged["region_limits"] == [] and len(warnings) == 1

    gone = ok("alicloud_cen_bandwidth", dict(REGION, name="tokyo-beijing", state="absent"))
    assert gone["changed"] and gone["bandwidth_package"] == {}
    assert twin.ali_resources("CenBandwidthPackage") == []
    twin.clear_calls()
    assert not ok("alicloud_cen_bandwidth", dict(REGION, name="tokyo-beijing", state="absent"))["changed"]
    assert twin.mutating_calls() == []
    # the CEN can go now: nothing associated any more
    ok("alicloud_cen", dict(REGION, name="transit-cen", state="absent"))


def test_absent_removes_limits_then_unassociates(twin):
    cen_id = walkthrough_cen(twin)
    ok("alicloud_cen_bandwidth", dict(REGION, name="bw", bandwidth=5, geographic_region_a="China",
                                      geographic_region_b="Asia-Pacific", cen_id=cen_id, region_limits=[
                                          {"local_region_id": "cn-beijing", "opposite_region_id": "ap-northeast-1",
                                           "bandwidth_limit": 5}]))
    result = ok("alicloud_cen_bandwidth", dict(REGION, name="bw", cen_id=cen_id, state="absent"))
    assert result["changed"] and result["test_bandwidth_pairs"] == [["ap-northeast-1", "cn-beijing"]]
    assert twin.ali_resources("CenBandwidthLimit") == [] and twin.ali_resources("CenBandwidthPackage") == []


def test_validation_errors_name_the_field(twin):
    cen_id = walkthrough_cen(twin)
    twin.clear_calls()
    base = dict(REGION, name="bw", bandwidth=5, geographic_region_a="China", geographic_region_b="Asia-Pacific",
                cen_id=cen_id)
    limit = {"local_region_id": "ap-northeast-1", "opposite_region_id": "cn-beijing", "bandwidth_limit": 6}
    result = run_module("alicloud_cen_bandwidth", dict(base, region_limits=[limit]))
    assert result["failed"] and "region_limits[0].bandwidth_limit" in result["msg"]
    result = run_module("alicloud_cen_bandwidth", dict(base, geographic_region_a="Mars"))
    assert result["failed"] and "geographic_region_a" in result["msg"]
    result = run_module("alicloud_cen_bandwidth", dict(REGION, name="bw", region_limits=[dict(limit, bandwidth_limit=1)]))
    assert result["failed"] and "cen_id" in result["msg"]
    result = run_module("alicloud_cen_bandwidth", dict(REGION, name="bw", bandwidth=5))
    assert result["failed"] and "geographic_region_a" in result["msg"]
    assert twin.mutating_calls() == []
    # a limit for a region with no attached VPC: the cloud's own error, code and request id
    result = run_module("alicloud_cen_bandwidth", dict(base, region_limits=[dict(limit, opposite_region_id="us-west-1",
                                                                                 bandwidth_limit=1)]))
    assert result["failed"] and result["error_code"] in ("ParameterIllegal.RegionId", "InvalidOperation.BwpNotExist")
    assert result["request_id"]
