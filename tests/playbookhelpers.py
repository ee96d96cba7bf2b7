"""Running ansible-playbook / ansible-doc from tests: one environment, the play recap, module invocation counts.

``play(env, inventory, *playbooks, *options)`` runs ansible-playbook on this checkout (its ansible.cfg and
collection), with the test callback ``transit_module_calls`` (tests/callback_plugins) switched on, and returns a
``Run``: ``output``, ``rc``, ``recap`` (``{host: {"ok": n, "changed": n, ...}}``) and ``module_calls``
(``{host: {module: invocations}}``, loops counted per item that ran).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def ansible_env(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    env = dict(os.environ, **(extra or {}))
    env.update(ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
               PYTHONWARNINGS="ignore")
    return env


def flat(output: str) -> str:
    """The output with every run of whitespace as one space (the YAML callback wraps long messages)."""
    return " ".join(output.split())


def recap(output: str) -> Dict[str, Dict[str, int]]:
    """PLAY RECAP -> {host: {"ok": n, "changed": n, ...}} (the last recap of the output)."""
    text = output.rsplit("PLAY RECAP", 1)[1]
    out = {}
    for host, fields in re.findall(r"^(\S+)\s+:\s+(.*)$", text, re.M):
        out[host] = dict((k, int(v)) for k, v in re.findall(r"(\w+)=(\d+)", fields))
    return out


@dataclass
class Run:
    output: str
    rc: int
    module_calls: Dict[str, Dict[str, int]] = field(default_factory=dict)

    @property
    def recap(self) -> Dict[str, Dict[str, int]]:
        return recap(self.output)

    def changed(self) -> Dict[str, int]:
        return dict((host, fields["changed"]) for host, fields in self.recap.items())


def play(env: Dict[str, str], inventory, *args: str, expect_rc: Optional[int] = 0, timeout: int = 1200) -> Run:
    """ansible-playbook -i inventory *args (playbook paths relative to the checkout); asserts the exit code."""
    with tempfile.TemporaryDirectory() as tmp:
        counts = Path(tmp) / "calls.json"
        run_env = ansible_env(env)
        run_env.update(ANSIBLE_CALLBACK_PLUGINS=str(ROOT / "tests" / "callback_plugins"),
                       ANSIBLE_CALLBACKS_ENABLED="transit_module_calls", TRANSIT_MODULE_CALLS_FILE=str(counts))
        proc = subprocess.run([str(BIN / "ansible-playbook"), "-i", str(inventory), *args], cwd=str(ROOT), env=run_env,
                              capture_output=True, text=True, timeout=timeout, check=False)
        output = proc.stdout + proc.stderr
        if expect_rc is not None:
            assert proc.returncode == expect_rc, output[-8000:]
        calls = json.loads(counts.read_text()) if counts.exists() else {}
    return Run(output, proc.returncode, calls)


def localhost_play(playbook: Path) -> Run:
    """A playbook on localhost (connection local), for filters and roles that need no inventory."""
    return play({}, "localhost,", "-c", "local", str(playbook))


def filter_docs(names: List[str]) -> Dict[str, dict]:
    """ansible-doc --json of the filters (FQCNs), after checking it renders them without warning."""
    proc = subprocess.run([str(BIN / "ansible-doc"), "-t", "filter", "--json"] + names, cwd=str(ROOT),
                          env=ansible_env(), capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0 and "[WARNING]" not in proc.stderr and "[ERROR]" not in proc.stderr, proc.stderr
    docs = json.loads(proc.stdout)
    assert sorted(docs) == sorted(names)
    for name in names:
        doc = docs[name]["doc"]
        assert doc["name"] == name.split(".")[-1] and doc["short_description"] and doc["description"]
        assert docs[name]["examples"] and docs[name]["return"]["_value"]["description"]
    return docs
