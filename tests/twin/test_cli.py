"""`cloudtwin serve --background` / `stop`: what make demo and molecule rely on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _env_file(path: Path) -> dict:
    out = {}
    for line in path.read_text().splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        out[key] = value.strip("'")
    return out


def test_background_serve_writes_env_and_stop_dumps_state(tmp_path):
    state_dir = tmp_path / "twin"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "emulator"))
    started = subprocess.run(
        [sys.executable, "-m", "cloudtwin", "serve", "--world", str(ROOT / "emulator/worlds/cross-account-peering.yml"),
         "--state-dir", str(state_dir), "--background"], env=env, capture_output=True, text=True, timeout=90)
    assert started.returncode == 0, started.stderr
    client_env = _env_file(state_dir / "env")
    assert client_env["ALICLOUD_ENDPOINT"].startswith("http://127.0.0.1:")
    assert client_env["CLOUDTWIN_ALICLOUD_ACCOUNT_B_UID"] == "5222222222222222"
    try:
        with urllib.request.urlopen(client_env["CLOUDTWIN_CONTROL_URL"] + "/state", timeout=10) as resp:
            state = json.loads(resp.read())
        assert {a["name"] for a in state["accounts"]} == {"account-a", "account-b"}
    finally:
        stopped = subprocess.run([sys.executable, "-m", "cloudtwin", "stop", "--state-dir", str(state_dir)],
                                 env=env, capture_output=True, text=True, timeout=30)
    assert stopped.returncode == 0
    assert not (state_dir / "env").exists()
    dumped = json.loads((state_dir / "state.json").read_text())
    assert len(dumped["resources"]["Vpc"]) == 2


def test_bad_world_file_is_a_clear_error(tmp_path):
    world = tmp_path / "bad.yml"
    world.write_text("aws:\n  regions:\n    us-east-1:\n      vpcs:\n        - name: x\n          cidr: 10.0.0.0/16\n"
                     "          subnets: [{name: s, cidr: 10.1.0.0/24, az: us-east-1a}]\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "emulator"))
    result = subprocess.run([sys.executable, "-m", "cloudtwin", "serve", "--world", str(world)],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "subnet 10.1.0.0/24 outside 10.0.0.0/16" in result.stderr


def test_fault_flags_reach_the_settings_both_clouds_read():
    from cloudtwin.cli import _faults, _parser

    args = _parser().parse_args(["serve", "--world", "w.yml", "--consistency-delay", "2.5", "--throttle-rate", "0.1"])
    faults = _faults(args)
    assert (faults.consistency_delay, faults.throttle_rate) == (2.5, 0.1)
