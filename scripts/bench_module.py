#!/usr/bin/env python3
"""Where one no-op module invocation spends its time, for an AWS and an Alibaba module, and under Mitogen.

usage: scripts/bench_module.py [--runs 5] [--json FILE]      (also: scripts/bench.py --profile-module)

On a fresh twin of the walkthrough world, for `aws_tgw` and `alicloud_cen` (state present on a hub that exists,
so the call changes nothing):
- the task as Ansible runs it (ansible-playbook, our callback's duration per task result), median of --runs;
- the AnsiballZ payload Ansible wrote (ANSIBLE_KEEP_REMOTE_FILES) run by hand: python start + AnsiballZ + module;
- the module file run directly with a JSON args file (what AnsiballZ hands it), under a driver that stamps each
  phase: python start (`python -c pass`), `ansible.module_utils.basic`, the SDK imports (boto3 / the Alibaba
  SDK packages), the module and its module_utils, client creation, the API calls, and the module's own work
  (what main() spends outside client creation and API calls); `python -X importtime` names the heaviest SDK
  imports;
- the same task under Mitogen for Ansible (strategy mitogen_free from the installed ansible_mitogen), which keeps
  one interpreter per host with its imported SDKs alive across tasks, against strategy free, --runs invocations
  each in one generated playbook.
Prints a breakdown; no assertion.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import (BIN, ROOT, SEED_INVENTORY, SEED_WORLD, BenchError, Twin, ansible_env,  # noqa: E402
                   in_workdir, run_playbook)

COLLECTION = ROOT / ".collections"
# cloud -> (inventory host, module, args, SDK modules it imports)
MODULES = {
    "aws": ("aws_main", "aws_tgw", {"name": "bench-profile-tgw", "amazon_side_asn": 64600},
            ("boto3", "botocore.config")),
    "alicloud": ("alicloud_main", "alicloud_cen", {"name": "bench-profile-cen", "alicloud_region": "ap-northeast-1"},
                 ("alibabacloud_tea_openapi.client", "alibabacloud_credentials.client",
                  "alibabacloud_cbn20170912.client", "alibabacloud_cbn20170912.models", "darabonba.runtime")),
}

# Runs inside the module's own interpreter: stamps each phase, patches client creation and API calls of both SDKs.
DRIVER = r'''
import importlib, importlib.util, io, json, sys, time
T0 = time.perf_counter()
stamps = {}
def stamp(name, since):
    now = time.perf_counter(); stamps[name] = now - since; return now
t = time.perf_counter()
import ansible.module_utils.basic
t = stamp("import ansible.module_utils.basic", t)
for name in SDK:
    importlib.import_module(name)
t = stamp("import SDK", t)
spec = importlib.util.spec_from_file_location("bench_module_under_test", MODULE_PATH)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
t = stamp("import module + module_utils", t)
spent = {"client creation": 0.0, "API calls": 0.0}
counts = {"client creation": 0, "API calls": 0}
def timed(owner, attr, phase):
    original = getattr(owner, attr)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[phase] += time.perf_counter() - start; counts[phase] += 1
    setattr(owner, attr, wrapper)
if "boto3" in SDK:
    import botocore.client, botocore.session
    timed(botocore.session.Session, "create_client", "client creation")
    timed(botocore.client.BaseClient, "_make_api_call", "API calls")
else:
    import alibabacloud_credentials.client as credentials
    import alibabacloud_tea_openapi.client as openapi
    timed(credentials.Client, "__init__", "client creation")
    timed(openapi.Client, "__init__", "client creation")
    timed(openapi.Client, "call_api", "API calls")
sys.argv = [MODULE_PATH, ARGS_FILE]
out, real_stdout = io.StringIO(), sys.stdout
sys.stdout = out
start = time.perf_counter()
try:
    module.main()
except SystemExit:
    pass
finally:
    sys.stdout = real_stdout
main_total = time.perf_counter() - start
result = json.loads(out.getvalue().strip().splitlines()[-1])
stamps["client creation"] = spent["client creation"]
stamps["API calls"] = spent["API calls"]
stamps["module's own work"] = main_total - spent["client creation"] - spent["API calls"]
print(json.dumps({"stamps": stamps, "counts": counts, "in_process": time.perf_counter() - T0,
                  "changed": result.get("changed"), "failed": result.get("failed", False),
                  "msg": result.get("msg")}))
'''


def module_env(twin_env: Dict[str, str]) -> Dict[str, str]:
    env = ansible_env(twin_env, Path(os.devnull))
    env["PYTHONPATH"] = os.pathsep.join([str(COLLECTION), env.get("PYTHONPATH", "")])
    return env


def _wall(cmd: List[str], env: Dict[str, str], **kwargs: Any) -> Tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False, cwd=str(ROOT), **kwargs)
    return time.perf_counter() - started, proc


def _task_playbook(path: Path, cloud: str, runs: int, strategy: str) -> Path:
    host, module, args, _ = MODULES[cloud]
    play = {"name": f"{runs} x {module} ({strategy})", "hosts": host, "gather_facts": False, "strategy": strategy,
            "tasks": [{"name": f"{module} #{k + 1}", f"multicloud.transit.{module}": args} for k in range(runs)]}
    path.write_text(yaml.safe_dump([play], sort_keys=False))
    return path


def _durations(document: Dict[str, Any]) -> List[float]:
    return [r["end"] - r["start"] for r in document["results"]]


def _importtime(stderr: str, sdk: Tuple[str, ...], top: int = 6) -> List[Tuple[str, float]]:
    """The heaviest top-level SDK packages by cumulative import time (python -X importtime), seconds."""
    roots = {name.split(".")[0] for name in sdk}
    best: Dict[str, float] = {}
    for line in stderr.splitlines():
        match = re.match(r"import time:\s+\d+\s+\|\s+(\d+)\s+\|(\s*)(\S+)", line)
        if match and match.group(3).split(".")[0] in roots | {"botocore", "Tea", "alibabacloud_tea_util"}:
            name = match.group(3)
            best[name] = max(best.get(name, 0.0), int(match.group(1)) / 1e6)
    return sorted(best.items(), key=lambda item: -item[1])[:top]


def _keep_remote_payload(log_text: str, module: str) -> Optional[Path]:
    found = re.findall(r"(/\S+/AnsiballZ_%s\.py)" % re.escape(module), log_text)
    return Path(found[-1]) if found else None


def profile_cloud(cloud: str, twin: Twin, workdir: Path, runs: int) -> Dict[str, Any]:
    host, module, args, sdk = MODULES[cloud]
    env = module_env(twin.env)
    python = sys.executable
    out: Dict[str, Any] = {"module": module, "host": host}

    # Ansible's own run (the first call creates the hub; every later one is the no-op measured).
    playbook = _task_playbook(workdir / f"profile-{cloud}.yml", cloud, runs + 1, "ansible.builtin.free")
    _, doc = run_playbook(f"profile-{cloud}", SEED_INVENTORY, playbook, twin.env, workdir)
    out["task"] = statistics.median(_durations(doc)[1:])
    out["task_changed"] = [r["changed"] for r in doc["results"]]

    # The AnsiballZ payload, kept and run by hand.
    keep_env = dict(ansible_env(twin.env, workdir / "keep.json"), ANSIBLE_KEEP_REMOTE_FILES="1")
    one = _task_playbook(workdir / f"profile-{cloud}-one.yml", cloud, 1, "ansible.builtin.free")
    proc = subprocess.run([str(BIN / "ansible-playbook"), "-vvv", "-i", str(SEED_INVENTORY), str(one)],
                          env=keep_env, capture_output=True, text=True, check=False, cwd=str(ROOT))
    payload = _keep_remote_payload(proc.stdout, module)
    if payload and payload.exists():
        walls = [_wall([python, str(payload)], env)[0] for _ in range(runs)]
        out["ansiballz"] = statistics.median(walls)
        shutil.rmtree(payload.parent, ignore_errors=True)

    # python start, then the module file directly under the phase driver.
    out["python start"] = statistics.median(_wall([python, "-c", "pass"], env)[0] for _ in range(runs))
    args_file = workdir / f"args-{cloud}.json"
    args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
    driver = workdir / f"driver-{cloud}.py"
    module_path = ROOT / "plugins" / "modules" / f"{module}.py"
    driver.write_text(f"SDK = {sdk!r}\nMODULE_PATH = {str(module_path)!r}\nARGS_FILE = {str(args_file)!r}\n"
                      + DRIVER)
    samples = []
    for _ in range(runs):
        wall, proc = _wall([python, str(driver)], env)
        if proc.returncode != 0:
            raise BenchError(f"{module} under the driver failed: {proc.stderr[-2000:]}")
        sample = json.loads(proc.stdout.strip().splitlines()[-1])
        sample["wall"] = wall
        samples.append(sample)
    phases = list(samples[0]["stamps"])
    out["direct"] = statistics.median(s["wall"] for s in samples)
    out["phases"] = {p: statistics.median(s["stamps"][p] for s in samples) for p in phases}
    out["counts"] = samples[0]["counts"]
    out["direct_changed"] = samples[0]["changed"]
    _, proc = _wall([python, "-X", "importtime", str(driver)], env)
    out["heaviest_imports"] = _importtime(proc.stderr, sdk)

    # The same task, `runs` times in one play: strategy free against Mitogen's mitogen_free.
    out["strategies"] = {}
    for strategy, extra in (("ansible.builtin.free", {}), ("mitogen_free", mitogen_env())):
        if extra is None:
            out["strategies"][strategy] = {"error": "ansible_mitogen is not installed"}
            continue
        playbook = _task_playbook(workdir / f"mitogen-{cloud}-{strategy}.yml", cloud, runs, strategy)
        try:
            wall, doc = run_playbook(f"strategy-{cloud}-{strategy}", SEED_INVENTORY, playbook, twin.env, workdir,
                                     extra_env=extra)
        except BenchError as exc:
            out["strategies"][strategy] = {"error": str(exc)}
            continue
        durations = _durations(doc)
        out["strategies"][strategy] = {"wall": wall, "first": durations[0],
                                       "later": statistics.median(durations[1:]) if len(durations) > 1 else None}
    return out


def mitogen_env() -> Optional[Dict[str, str]]:
    try:
        import ansible_mitogen
    except ImportError:
        return None
    return {"ANSIBLE_STRATEGY_PLUGINS": str(Path(ansible_mitogen.__file__).parent / "plugins" / "strategy")}


def profile_modules(workdir: Path, runs: int = 5) -> Dict[str, Any]:
    with Twin(SEED_WORLD, workdir / "twin-profile") as twin:
        return {cloud: profile_cloud(cloud, twin, workdir, runs) for cloud in MODULES}


def print_profile(profile: Dict[str, Any]) -> None:
    print("one no-op module invocation, seconds (medians):")
    for cloud, out in profile.items():
        phases = out["phases"]
        known = out["python start"] + sum(phases.values())
        print(f"  {out['module']} ({cloud}; changed: {out['direct_changed']}):")
        print(f"    {out['task']:6.2f}  as an Ansible task (ansible-playbook, free strategy)")
        if "ansiballz" in out:
            print(f"    {out['task'] - out['ansiballz']:6.2f}    controller side (task minus the AnsiballZ run)")
            print(f"    {out['ansiballz']:6.2f}    AnsiballZ payload run by hand")
            print(f"    {out['ansiballz'] - out['direct']:6.2f}      AnsiballZ wrapper (payload minus the module "
                  "run directly)")
        print(f"    {out['direct']:6.2f}    module file run directly with a JSON args file:")
        print(f"    {out['python start']:6.2f}      python start")
        for phase, seconds in phases.items():
            count = out["counts"].get(phase)
            print(f"    {seconds:6.2f}      {phase}" + (f" ({count})" if count is not None else ""))
        print(f"    {out['direct'] - known:6.2f}      interpreter exit and the rest")
        heavy = ", ".join(f"{name} {seconds:.2f}" for name, seconds in out["heaviest_imports"])
        print(f"    heaviest imports (cumulative): {heavy}")
        for strategy, row in out["strategies"].items():
            if "error" in row:
                print(f"    {strategy}: {row['error']}")
            else:
                later = "-" if row["later"] is None else f"{row['later']:.2f}"
                print(f"    {strategy:22} first {row['first']:.2f}, later {later} per invocation, "
                      f"play wall {row['wall']:.1f}")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", type=Path, help="keep logs and generated files in this directory")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "emulator"))
    profile: Dict[str, Any] = {}
    failed = in_workdir(args.keep, "bench_module", lambda workdir: profile.update(profile_modules(workdir, args.runs)))
    if profile:
        print_profile(profile)
    if args.json:
        args.json.write_text(json.dumps(profile, indent=1))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
