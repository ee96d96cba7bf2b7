"""No secret in the output of a `-vvv --diff` walkthrough or in its reports; a wrong AWS secret is refused.

Issue 14, parts 4 and 5. The secrets: the bridge's user-chosen pre-shared keys (``psks``), a ``psk_seed`` and
every key derived from it (``bridge.keys``, what roles/vpn_bridge uses), and the AWS and Alibaba secret keys of
the inventory, given as ``transit_aws_connection`` / ``transit_alicloud_connection`` host vars (the documented
place for vault values) while the environment holds none, so every module and template really handles them.

- ``site.yml --check --diff -vvv`` on an empty twin with a ``psk_seed``: both hosts report changes, nothing
  changes (no mutating call, no TGW, no CEN), the bridge says its TGW does not exist yet, no secret shown.
- ``site.yml --diff -vvv`` builds inventories/seed-tgw-cen with chosen ``psks`` (one build for the module):
  the tunnels carry them, 12/12 pairs are reachable, and neither stdout/stderr, the log (ANSIBLE_LOG_PATH) nor
  report.json / .txt / .html hold any secret.
- ``site.yml --check --diff -vvv`` on that build with a ``psk_seed`` instead: the key change is shown as a
  change, and neither the old keys, the seed nor the new keys appear.
- A wrong AWS secret: the module fails with a message naming the credentials, no traceback in the message.

The twin's own request log is not scanned: the twin legitimately receives keys. A wrong secret refused by
the twin's AWS side through boto3 is proven by tests/twin/test_twin_foundation.py
(test_aws_side_checks_signatures_with_the_world_key).
"""

from __future__ import annotations

import json

import pytest
from ansible_collections.multicloud.transit.plugins.module_utils import bridge as bridge_utils

from conftest import _fresh
from playbookhelpers import ROOT, flat, play
from twinhelpers import run_module

pytestmark = [pytest.mark.slow]

INVENTORY = ROOT / "inventories" / "seed-tgw-cen"
BRIDGE = "tgw-tokyo"
CHOSEN_PSKS = ["Chosen.psk_h19_tunnel_one", "Chosen.psk_h19_tunnel_two"]  # valid on both clouds
PSK_SEED = "seed.of.the.h19.secret.test"
SECRET_ENV = ("AWS_SECRET_ACCESS_KEY", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY")
PAIRS_REACHABLE = "12 of 12 pairs reachable"


def derived_keys(seed):
    """The keys roles/vpn_bridge derives from ``seed`` for the bridge (transit_router mode: two tunnels)."""
    return bridge_utils.keys({"name": BRIDGE, "mode": bridge_utils.TRANSIT_ROUTER}, seed=seed)


def account_secrets(handle):
    """The secret keys of every account of the world: the AWS one and each Alibaba one."""
    return [handle.env["AWS_SECRET_ACCESS_KEY"]] + [a["access_key_secret"] for a in handle.twin.world.alicloud_accounts]


def topology_vars(handle, tmp_path, report_dir, **bridge_secrets):
    """An extra-vars file: the bridge with its secrets, the accounts' keys as connection host vars, the report dir."""
    env = handle.env
    main = handle.alicloud_account("main")
    data = {
        "transit_vpn_bridges": [dict({"name": BRIDGE, "aws_hub": "seed-tgw", "alicloud_hub": "seed-cen",
                                      "alicloud_region": "ap-northeast-1"}, **bridge_secrets)],
        "transit_aws_connection": {"access_key": env["AWS_ACCESS_KEY_ID"], "secret_key": env["AWS_SECRET_ACCESS_KEY"]},
        "transit_alicloud_connection": {"alicloud_access_key": main["alicloud_access_key"],
                                        "alicloud_secret_key": main["alicloud_secret_key"]},
        "transit_report_dir": str(report_dir),
    }
    path = tmp_path / "secrets.json"
    path.write_text(json.dumps(data))
    return "@%s" % path


def verbose_site(handle, tmp_path, *options, **bridge_secrets):
    """site.yml -vvv --diff (+ ``options``) with the secrets; returns the run and the directory of what it wrote.

    The twin's client env goes without any secret key (the modules must get them from the host vars); the run
    writes its log (ANSIBLE_LOG_PATH, as a user may set it) and its reports under ``tmp_path / "written"``.
    """
    written = tmp_path / "written"
    written.mkdir()
    env = dict((k, v) for k, v in handle.env.items() if k not in SECRET_ENV)
    env["ANSIBLE_LOG_PATH"] = str(written / "ansible.log")
    extra = topology_vars(handle, tmp_path, written / "reports", **bridge_secrets)
    return play(env, INVENTORY, "site.yml", "-vvv", "--diff", *options, "-e", extra), written


def assert_shows_no_secret(handle, run, written, secrets):
    """No secret in the run's stdout + stderr nor in any file it wrote, which at -vvv show the module arguments."""
    assert handle.env["AWS_ACCESS_KEY_ID"] in run.output  # -vvv: the modules' arguments are shown...
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in run.output  # ...their secret ones masked
    texts = {"output": run.output}
    texts.update((str(p), p.read_text(errors="replace")) for p in sorted(written.rglob("*")) if p.is_file())
    found = dict((secret, [where for where, text in texts.items() if secret in text]) for secret in secrets)
    assert dict((secret, places) for secret, places in found.items() if places) == {}


def tunnel_keys(handle):
    """AWS tunnel 1 key of tgw-tokyo-1 and -2 (the two used tunnels, pair order)."""
    vpns = {}
    for vpn in handle.ec2().describe_vpn_connections()["VpnConnections"]:
        if vpn["State"] not in ("deleted", "deleting"):
            vpns[next(t["Value"] for t in vpn.get("Tags", []) if t["Key"] == "Name")] = vpn
    return [vpns["%s-%d" % (BRIDGE, n)]["Options"]["TunnelOptions"][0]["PreSharedKey"] for n in (1, 2)]


@pytest.fixture(scope="module")
def secret_twin(today_seed_twin):
    """A fresh twin whose client env holds no secret key (the module keeps the patch for all its tests)."""
    with pytest.MonkeyPatch.context() as patch:
        def fresh():
            handle = _fresh(today_seed_twin, patch)
            for name in SECRET_ENV:
                patch.delenv(name, raising=False)
            return handle
        yield fresh


@pytest.fixture(scope="module")
def built(secret_twin, tmp_path_factory):
    """site.yml -vvv --diff with chosen psks and reports: one build for this module."""
    handle = secret_twin()
    run, written = verbose_site(handle, tmp_path_factory.mktemp("secrets-build"), psks=CHOSEN_PSKS)
    return {"handle": handle, "run": run, "written": written}


def test_check_diff_vvv_on_an_empty_twin_shows_no_secret(secret_twin, tmp_path):
    handle = secret_twin()
    handle.clear_calls()
    run, written = verbose_site(handle, tmp_path, "--check", psk_seed=PSK_SEED)
    assert run.recap["aws_main"]["failed"] == 0 and run.recap["alicloud_main"]["failed"] == 0
    assert run.recap["aws_main"]["changed"] > 0 and run.recap["alicloud_main"]["changed"] > 0
    assert handle.mutating_calls() == []
    assert handle.ec2().describe_transit_gateways()["TransitGateways"] == [] and handle.ali_resources("Cen") == []
    assert "Check mode, bridge tgw-tokyo: the Transit Gateway seed-tgw does not exist yet" in flat(run.output)
    assert "--- before" in run.output  # --diff did show something
    assert sorted(p.name for p in written.iterdir()) == ["ansible.log"]  # check mode writes no report
    assert_shows_no_secret(handle, run, written, account_secrets(handle) + [PSK_SEED] + derived_keys(PSK_SEED))


def test_build_at_vvv_diff_shows_no_secret_in_output_log_or_reports(built):
    handle, run, written = built["handle"], built["run"], built["written"]
    assert run.recap["aws_main"]["failed"] == 0 and run.recap["alicloud_main"]["failed"] == 0
    assert PAIRS_REACHABLE in run.output
    assert tunnel_keys(handle) == CHOSEN_PSKS  # the chosen keys went into the clouds
    assert sorted(p.name for p in (written / "reports").iterdir()) == ["report.html", "report.json", "report.txt"]
    assert_shows_no_secret(handle, run, written, account_secrets(handle) + CHOSEN_PSKS)


def test_moving_to_a_psk_seed_at_check_diff_vvv_shows_neither_old_nor_new_keys(built, tmp_path):
    """The key change as --check --diff shows it on the built network (the change itself is what site.yml's
    heal run in test_playbook_site does with AWS's keys; here what matters is what the diff prints)."""
    handle = built["handle"]
    handle.clear_calls()
    run, written = verbose_site(handle, tmp_path, "--check", psk_seed=PSK_SEED)
    assert run.recap["aws_main"]["changed"] > 0 and handle.mutating_calls() == []
    assert tunnel_keys(handle) == CHOSEN_PSKS  # check mode changed nothing
    assert_shows_no_secret(handle, run, written,
                           account_secrets(handle) + CHOSEN_PSKS + [PSK_SEED] + derived_keys(PSK_SEED))


def test_a_wrong_aws_secret_fails_naming_the_credentials(secret_twin):
    handle = secret_twin()
    env = handle.env
    result = run_module("aws_vpc_info", {"access_key": env["AWS_ACCESS_KEY_ID"], "secret_key": "Not.the_secret_h19",
                                         "endpoint_url": env["AWS_ENDPOINT_URL"], "region": "us-east-1"})
    assert result["failed"] and result["error_code"] == "AuthFailure"
    assert "Check the access key, secret key and region of this AWS account." in result["msg"]
    assert "Traceback" not in result["msg"] and "Not.the_secret_h19" not in json.dumps(result)
