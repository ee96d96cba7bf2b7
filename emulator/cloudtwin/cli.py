"""``cloudtwin`` command: serve the twin, start it in the background, stop it.

    cloudtwin serve --world emulator/worlds/seed-tgw-cen.yml            # foreground
    cloudtwin serve --world ... --state-dir .twin --background          # for make/molecule
    source .twin/env                                                    # endpoints + keys
    cloudtwin stop --state-dir .twin
    cloudtwin serve --world ... --latency-profile realistic --latency-scale 0.05   # clouds' provisioning times
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from typing import Dict, List, Optional

from .faults import LATENCY_PROFILES, Faults
from .world import WorldError

ENV_FILE = "env"
PID_FILE = "pid"
STATE_FILE = "state.json"


def _env_lines(env: Dict[str, str]) -> str:
    return "".join(f"export {k}={shlex.quote(v)}\n" for k, v in sorted(env.items()))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cloudtwin", description="Local twin of AWS and Alibaba Cloud networking.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve both clouds on 127.0.0.1")
    serve.add_argument("--world", required=True, help="world file (emulator/worlds/*.yml)")
    serve.add_argument("--aws-port", type=int, default=0, help="AWS endpoint port (0: any free port)")
    serve.add_argument("--alicloud-port", type=int, default=0, help="Alibaba Cloud endpoint port (0: any free port)")
    serve.add_argument("--state-dir", help="write env, pid and (on stop) state.json here")
    serve.add_argument("--env-file", help="also write the client env vars to this file, for `source`")
    serve.add_argument("--background", action="store_true", help="start, wait until ready, print env, return")
    serve.add_argument("--throttle-rate", type=float, help="share of requests answered with throttling")
    serve.add_argument("--error-rate", type=float, help="share of requests answered with a 5xx")
    serve.add_argument("--latency-ms", type=float, help="added latency per request")
    serve.add_argument("--consistency-delay", type=float,
                       help="seconds a new resource stays invisible to reads, in both clouds (eventual consistency)")
    serve.add_argument("--delay", action="append", default=[], metavar="KIND=SECONDS",
                       help="seconds per async step for a resource kind (e.g. VpnGateway=2, VpnGateway.updating=1)")
    serve.add_argument("--latency-profile", choices=sorted(LATENCY_PROFILES),
                       help="provisioning times per resource kind as the clouds take them (see emulator/README.md)")
    serve.add_argument("--latency-scale", type=float,
                       help="multiply the latency profile's times by this (e.g. 0.05: 7 minutes become 21 s)")
    stop = sub.add_parser("stop", help="stop a background twin")
    stop.add_argument("--state-dir", required=True)
    return parser


def _faults(args: argparse.Namespace) -> Faults:
    faults = Faults.from_env()
    update = {}
    for key in ("throttle_rate", "error_rate", "latency_ms", "consistency_delay", "latency_profile", "latency_scale"):
        if getattr(args, key) is not None:
            update[key] = getattr(args, key)
    if args.delay:
        delays = dict(faults.explicit_delays)
        for item in args.delay:
            kind, _, seconds = item.partition("=")
            delays[kind] = float(seconds)
        update["delays"] = delays
    if update:
        faults.update(update)
    return faults


def serve(args: argparse.Namespace) -> int:
    from .server import Twin  # heavy imports (moto) only when serving

    try:
        faults = _faults(args)
    except ValueError as exc:  # a bad CLOUDTWIN_* value or flag
        print(f"cloudtwin: {exc}", file=sys.stderr)
        return 2
    try:
        twin = Twin.from_file(args.world, aws_port=args.aws_port, alicloud_port=args.alicloud_port,
                              faults=faults)
    except (OSError, WorldError) as exc:
        print(f"cloudtwin: cannot load world {args.world}: {exc}", file=sys.stderr)
        return 2
    twin.start()
    env_text = _env_lines(twin.env())
    if args.env_file:
        with open(args.env_file, "w", encoding="utf-8") as handle:
            handle.write(env_text)
    if args.state_dir:
        os.makedirs(args.state_dir, exist_ok=True)
        with open(os.path.join(args.state_dir, PID_FILE), "w", encoding="utf-8") as handle:
            handle.write(str(os.getpid()))
        tmp = os.path.join(args.state_dir, ENV_FILE + ".tmp")
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(env_text)
        os.replace(tmp, os.path.join(args.state_dir, ENV_FILE))  # readiness signal
    print(f"cloudtwin: world {twin.world.name}: AWS on {twin.aws_endpoint}, "
          f"Alibaba Cloud on {twin.alicloud_endpoint}", flush=True)
    print(env_text, end="", flush=True)

    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    done.wait()
    if args.state_dir:
        with open(os.path.join(args.state_dir, STATE_FILE), "w", encoding="utf-8") as handle:
            json.dump(twin.backend.state.dump(), handle, indent=1, default=str)
        for name in (ENV_FILE, PID_FILE):
            try:
                os.remove(os.path.join(args.state_dir, name))
            except FileNotFoundError:
                pass
    twin.stop()
    return 0


def serve_background(args: argparse.Namespace, argv: List[str]) -> int:
    if not args.state_dir:
        print("cloudtwin: --background needs --state-dir", file=sys.stderr)
        return 2
    os.makedirs(args.state_dir, exist_ok=True)
    env_path = os.path.join(args.state_dir, ENV_FILE)
    if os.path.exists(env_path):
        os.remove(env_path)
    log = open(os.path.join(args.state_dir, "twin.log"), "w", encoding="utf-8")
    child_argv = [a for a in argv if a != "--background"]
    proc = subprocess.Popen([sys.executable, "-m", "cloudtwin"] + child_argv, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        if os.path.exists(env_path):
            with open(env_path, encoding="utf-8") as handle:
                print(handle.read(), end="")
            return 0
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    print(f"cloudtwin: the twin did not start; see {log.name}", file=sys.stderr)
    proc.kill()
    return 1


def stop(args: argparse.Namespace) -> int:
    pid_path = os.path.join(args.state_dir, PID_FILE)
    try:
        with open(pid_path, encoding="utf-8") as handle:
            pid = int(handle.read().strip())
    except (OSError, ValueError):
        print(f"cloudtwin: no running twin recorded in {args.state_dir}")
        return 0
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        os.remove(pid_path)
        return 0
    for _ in range(100):
        if not os.path.exists(pid_path):
            return 0
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return serve_background(args, argv) if args.background else serve(args)
    return stop(args)


if __name__ == "__main__":
    sys.exit(main())
