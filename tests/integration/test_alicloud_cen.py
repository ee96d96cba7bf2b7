"""multicloud.transit.alicloud_cen and alicloud_cen_grant / alicloud_cen_info against the twin."""

from __future__ import annotations

from twinhelpers import ok, run_module

REGION = {"alicloud_region": "ap-northeast-1"}


def vpc_by_name(handle, name):
    return next(v for v in handle.ali_resources("Vpc") if v["VpcName"] == name)


def walkthrough_attachments(handle):
    tokyo, beijing = vpc_by_name(handle, "tokyo-vpc"), vpc_by_name(handle, "beijing-vpc")
    return tokyo, beijing, [{"instance_id": tokyo.id, "region_id": "ap-northeast-1"},
                            {"instance_id": beijing.id, "region_id": "cn-beijing"}]


def test_create_idempotent_update_and_delete(twin):
    tokyo, beijing, attachments = walkthrough_attachments(twin)
    args = dict(REGION, name="transit-cen", description="walkthrough", tags={"env": "demo"}, attachments=attachments)
    created = ok("alicloud_cen", args, diff=True)
    assert created["changed"]
    cen = created["cen"]
    assert cen["cen_id"].startswith("cen-") and cen["status"] == "Active" and cen["tags"] == {"env": "demo"}
    assert [(a["instance_id"], a["status"]) for a in cen["attachments"]] == sorted(
        [(tokyo.id, "Attached"), (beijing.id, "Attached")])
    assert created["diff"]["before"] == {} and created["diff"]["after"]["name"] == "transit-cen"

    twin.clear_calls()
    again = ok("alicloud_cen", args)
    assert not again["changed"] and twin.mutating_calls() == []
    assert again["cen"]["cen_id"] == cen["cen_id"]

    updated = ok("alicloud_cen", dict(REGION, cen_id=cen["cen_id"], name="transit-hub", protection_level="FULL",
                                      tags={"team": "net"},
                                      attachments=[attachments[0]], purge_attachments=True), diff=True)
    assert updated["changed"]
    assert (updated["cen"]["name"], updated["cen"]["protection_level"], updated["cen"]["tags"]) == \
        ("transit-hub", "FULL", {"team": "net"})
    assert [a["instance_id"] for a in updated["cen"]["attachments"]] == [tokyo.id]
    assert updated["diff"]["before"]["attachments"] != updated["diff"]["after"]["attachments"]

    info = ok("alicloud_cen_info", dict(REGION, names=["transit-hub"]))
    assert [c["cen_id"] for c in info["cens"]] == [cen["cen_id"]]
    assert [a["instance_id"] for a in info["cens"][0]["attachments"]] == [tokyo.id]

    gone = ok("alicloud_cen", dict(REGION, name="transit-hub", state="absent"))
    assert gone["changed"] and gone["cen"] == {}
    assert twin.ali_resources("Cen") == [] and twin.ali_resources("CenChildInstance") == []
    twin.clear_calls()
    assert not ok("alicloud_cen", dict(REGION, name="transit-hub", state="absent"))["changed"]
    assert twin.mutating_calls() == []


def test_check_mode_creates_nothing(twin):
    _, _, attachments = walkthrough_attachments(twin)
    result = ok("alicloud_cen", dict(REGION, name="transit-cen", attachments=attachments), check_mode=True)
    assert result["changed"] and result["cen"]["name"] == "transit-cen"
    assert len(result["cen"]["attachments"]) == 2
    assert twin.ali_resources("Cen") == [] and twin.mutating_calls() == []


def test_check_mode_on_existing_cen_reports_changes_only(twin):
    tokyo, _, attachments = walkthrough_attachments(twin)
    ok("alicloud_cen", dict(REGION, name="transit-cen", attachments=attachments[:1]))
    twin.clear_calls()
    result = ok("alicloud_cen", dict(REGION, name="transit-cen", attachments=attachments), check_mode=True)
    assert result["changed"] and twin.mutating_calls() == []
    result = ok("alicloud_cen", dict(REGION, name="transit-cen", attachments=attachments[:1]), check_mode=True)
    assert not result["changed"]


def test_validation_errors_name_the_field(twin):
    result = run_module("alicloud_cen", dict(REGION, name="x", attachments=[{"instance_id": "i-123",
                                                                            "region_id": "cn-beijing"}]))
    assert result["failed"] and "attachments[0].instance_id" in result["msg"]
    result = run_module("alicloud_cen", dict(REGION, name="x", attachments=[{"instance_id": "vpc-1"}]))
    assert result["failed"] and "region_id" in result["msg"]
    result = run_module("alicloud_cen", dict(REGION, name="x", protection_level="HIGH"))
    assert result["failed"] and "protection_level" in result["msg"]
    assert twin.mutating_calls() == []


def _uid(handle, name):
    return next(str(a["uid"]) for a in handle.twin.world.alicloud_accounts if a["name"] == name)


def test_cross_account_attachment_needs_the_grant_module(peering_twin):
    twin = peering_twin
    account_a = dict(twin.alicloud_account("account-a"), alicloud_region="ap-northeast-1")
    account_b = dict(twin.alicloud_account("account-b"), alicloud_region="us-west-1")
    vpc_b = vpc_by_name(twin, "svalley-vpc-b")
    cen = ok("alicloud_cen", dict(account_a, name="shared-cen"))["cen"]
    child = {"instance_id": vpc_b.id, "region_id": "us-west-1", "owner_id": _uid(twin, "account-b")}

    twin.clear_calls()
    refused = run_module("alicloud_cen", dict(account_a, cen_id=cen["cen_id"], attachments=[child]))
    assert refused["failed"] and refused["error_code"] == "Forbbiden.AttachChildInstanceAcrossUid"
    assert "Account %s must first run multicloud.transit.alicloud_cen_grant" % child["owner_id"] in refused["msg"]
    assert twin.mutating_calls() == []

    grant_args = dict(account_b, cen_id=cen["cen_id"], cen_owner_id=_uid(twin, "account-a"), vpc_id=vpc_b.id)
    granted = ok("alicloud_cen_grant", grant_args, check_mode=True)
    assert granted["changed"] and twin.mutating_calls() == []
    granted = ok("alicloud_cen_grant", grant_args, diff=True)
    assert granted["changed"] and granted["grant"]["cen_id"] == cen["cen_id"]
    assert granted["diff"]["before"] == {} and granted["diff"]["after"]["vpc_id"] == vpc_b.id
    twin.clear_calls()
    assert not ok("alicloud_cen_grant", grant_args)["changed"] and twin.mutating_calls() == []

    attached = ok("alicloud_cen", dict(account_a, cen_id=cen["cen_id"], attachments=[child]))
    assert [(a["instance_id"], a["owner_id"], a["status"]) for a in attached["cen"]["attachments"]] == \
        [(vpc_b.id, child["owner_id"], "Attached")]

    bad = run_module("alicloud_cen_grant", dict(grant_args, cen_owner_id="not-a-uid"))
    assert bad["failed"] and "cen_owner_id" in bad["msg"]
    ok("alicloud_cen", dict(account_a, cen_id=cen["cen_id"], state="absent"))
    revoked = ok("alicloud_cen_grant", dict(grant_args, state="absent"))
    assert revoked["changed"] and revoked["grant"] == {}
    assert not ok("alicloud_cen_grant", dict(grant_args, state="absent"))["changed"]
