"""module_utils/common.py: backoff, retries, waiting, reconciling and secret masking."""

from __future__ import annotations

import random

import pytest

from ansible_collections.multicloud.transit.plugins.module_utils import common


class Boom(Exception):
    pass


def test_backoff_is_jittered_and_capped():
    delays = list(common.backoff_delays(retries=10, delay=0.5, max_delay=4.0, rng=random.Random(1)))
    assert len(delays) == 10
    assert all(0.05 <= d <= 4.05 for d in delays)
    assert len(set(delays)) == 10  # jitter: no two waits alike


def test_retry_call_retries_only_retryable_errors():
    attempts = []
    slept = []

    def flaky():
        attempts.append(1)
        if len(attempts) < 3:
            raise Boom("busy")
        return "done"

    assert common.retry_call(flaky, lambda e: isinstance(e, Boom), sleep=slept.append) == "done"
    assert len(attempts) == 3 and len(slept) == 2

    with pytest.raises(ValueError):
        common.retry_call(lambda: (_ for _ in ()).throw(ValueError("bad input")), lambda e: isinstance(e, Boom),
                          sleep=slept.append)


def test_retry_call_gives_up_with_the_last_error():
    def always():
        raise Boom("still busy")

    with pytest.raises(Boom, match="still busy"):
        common.retry_call(always, lambda e: True, retries=3, sleep=lambda s: None)


def test_wait_until_returns_when_ready_and_times_out_with_last_state():
    states = iter(["init", "provisioning", "active"])
    clock = [0.0]
    result = common.wait_until(lambda: next(states), lambda s: s == "active", "vpn-1", "active",
                               timeout=60, sleep=lambda s: clock.__setitem__(0, clock[0] + s),
                               clock=lambda: clock[0])
    assert result == "active"

    with pytest.raises(common.WaitTimeout) as err:
        common.wait_until(lambda: "Attaching", lambda s: s == "Attached", "CEN child vpc-1", "Attached",
                          timeout=5, sleep=lambda s: clock.__setitem__(0, clock[0] + s), clock=lambda: clock[0])
    assert "CEN child vpc-1" in str(err.value) and "'Attaching'" in str(err.value)


def test_wait_until_stops_early_on_a_terminal_state():
    with pytest.raises(common.WaitTimeout, match="failed"):
        common.wait_until(lambda: "failed", lambda s: s == "available", "tgw-1", "available",
                          failed=lambda s: s if s == "failed" else None, sleep=lambda s: None)


def test_reconcile_list_adds_updates_and_purges_only_when_asked():
    current = [{"cidr": "10.0.0.0/8", "target": "a"}, {"cidr": "192.168.0.0/16", "target": "b"}]
    desired = [{"cidr": "10.0.0.0/8", "target": "c"}, {"cidr": "172.16.0.0/12", "target": "a"}]
    add, update, remove = common.reconcile_list(desired, current, key=lambda r: r["cidr"])
    assert add == [{"cidr": "172.16.0.0/12", "target": "a"}]
    assert update == [(desired[0], current[0])]
    assert remove == []
    _, _, remove = common.reconcile_list(desired, current, key=lambda r: r["cidr"], purge=True)
    assert remove == [current[1]]


def test_changed_fields_ignores_unset_and_list_order():
    assert common.changed_fields({"a": None, "b": [2, 1]}, {"a": 1, "b": [1, 2]}) == {}
    assert common.changed_fields({"a": 2}, {"a": 1}) == {"a": 2}


def test_make_diff_masks_secrets_everywhere():
    before = {"tunnels": [{"pre_shared_key": "s3cr3t.key_1", "inside": "169.254.10.0/30"}]}
    after = {"tunnels": [{"pre_shared_key": "n3w.key_2", "inside": "169.254.10.0/30"}]}
    diff = common.make_diff(before, after, secret_keys=["pre_shared_key"])
    text = repr(diff)
    assert "s3cr3t" not in text and "n3w" not in text
    assert diff["after"]["tunnels"][0]["pre_shared_key"] == common.SECRET_MASK


def test_snake_dict_keeps_tag_keys():
    out = common.snake_dict({"VpcId": "vpc-1", "VSwitchIds": {"VSwitchId": ["vsw-1"]}, "Tags": {"Name": "a"}})
    assert out == {"vpc_id": "vpc-1", "v_switch_ids": {"v_switch_id": ["vsw-1"]}, "tags": {"Name": "a"}}
