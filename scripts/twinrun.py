"""A twin in its own process, for scripts that run playbooks against it (bench.py, chaos.py).

`cloudtwin serve --background` on a world, stopped again on exit; its env file read into a dict; its control
endpoints (/_twin/calls, /_twin/faults, /_twin/state) called as JSON.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Tuple

ROOT = Path(__file__).resolve().parent.parent


class TwinError(RuntimeError):
    pass


def read_env_file(path: Path) -> Dict[str, str]:
    """``export KEY='value'`` lines (what `cloudtwin serve` writes) -> dict."""
    env = {}
    for line in path.read_text().splitlines():
        if line.startswith("export "):
            key, _, value = line[len("export "):].partition("=")
            env[key] = shlex.split(value)[0] if value else ""
    return env


def twin_process_env() -> Dict[str, str]:
    """This checkout's emulator first on the path; no proxy for loopback."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "emulator")] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH")
                                                                   else []))
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    return env


class Twin:
    """`cloudtwin serve --background` on a world; a context manager that stops it again."""

    def __init__(self, world: Path, state_dir: Path, serve_args: Tuple[str, ...] = ()):
        self.world, self.state_dir, self.serve_args = world, state_dir, serve_args
        self.env: Dict[str, str] = {}

    def _cloudtwin(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "cloudtwin", *args], env=twin_process_env(), cwd=str(ROOT),
                              capture_output=True, text=True, timeout=180, check=False)

    def __enter__(self) -> "Twin":
        started = self._cloudtwin("serve", "--world", str(self.world), "--state-dir", str(self.state_dir),
                                  "--background", *self.serve_args)
        if started.returncode != 0:
            raise TwinError(f"the twin did not start: {started.stderr.strip()} (log: {self.state_dir}/twin.log)")
        self.env = read_env_file(self.state_dir / "env")
        return self

    def __exit__(self, *exc: Any) -> None:
        self._cloudtwin("stop", "--state-dir", str(self.state_dir))

    def control(self, path: str, method: str = "GET", body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.env["CLOUDTWIN_CONTROL_URL"] + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def calls(self) -> List[Dict[str, Any]]:
        return self.control("/calls")

    def clear_calls(self) -> None:
        self.control("/calls", "DELETE")

    def set_faults(self, settings: Dict[str, Any]) -> Dict[str, Any]:
        """``Faults.update`` keys (throttle_rate, error_rate, consistency_delay, seed, ...) -> the new settings."""
        return self.control("/faults", "POST", settings)

    def state(self) -> Dict[str, Any]:
        """The Alibaba side's resources (``State.dump()``) plus the fault settings."""
        return self.control("/state")
