# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Callback plugin of scripts/bench.py: every task result of a run, as JSON, for the benchmark."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: bench_json
type: aggregate
short_description: Record every task result (host, action, module or controller-side, status, duration) as JSON
description:
  - Used by C(scripts/bench.py) only, enabled through the environment for the benchmark's runs
    (C(ANSIBLE_CALLBACK_PLUGINS=scripts/bench_callback), C(ANSIBLE_CALLBACKS_ENABLED=bench_json)).
  - Writes one JSON document when the playbook ends - plays (name, strategy, hosts) and one record per task result
    (play index, host, task name, action, C(module) or C(controller), status, changed, loop items run and skipped,
    start and end time) - so the benchmark can count task results and module invocations and rebuild the same task
    mix as a no-op playbook.
  - Records no module arguments or results, so nothing secret is written.
requirements:
  - ansible-core 2.19
options:
  output:
    description: File to write the JSON document to.
    type: path
    required: true
    env:
      - name: BENCH_CALLBACK_FILE
"""

import json
import time

from ansible.plugins.callback import CallbackBase

# Actions that run no module: Ansible performs them in the controller process itself. Every other action
# executes a module (through AnsiballZ), possibly behind an action plugin.
CONTROLLER_ACTIONS = frozenset([
    "add_host", "assert", "debug", "fail", "group_by", "import_playbook", "import_role", "import_tasks",
    "include", "include_role", "include_tasks", "include_vars", "meta", "noop", "pause", "set_fact", "set_stats",
    "validate_argument_spec",
])


def action_kind(action):
    """C(controller) for the actions above (short or ansible.builtin / ansible.legacy names), else C(module)."""
    short = action.split(".")[-1] if action.startswith(("ansible.builtin.", "ansible.legacy.")) else action
    return "controller" if short in CONTROLLER_ACTIONS else "module"


class CallbackModule(CallbackBase):
    """Collect task results in memory; write them once, at the end of the playbook."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_json"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super(CallbackModule, self).__init__()
        self._plays = []
        self._results = []
        self._starts = {}
        self._items = {}
        self._started = time.time()

    # --- plays and tasks -----------------------------------------------------------------------------
    def v2_playbook_on_play_start(self, play):
        self._plays.append({"name": play.get_name(), "strategy": play.strategy,
                            "hosts": list(play.hosts) if isinstance(play.hosts, list) else [play.hosts],
                            "gather_facts": play.gather_facts})

    def v2_runner_on_start(self, host, task):
        self._starts[(host.get_name(), task._uuid)] = time.time()

    def _item(self, result, outcome):
        counts = self._items.setdefault((result._host.get_name(), result._task._uuid), {"run": 0, "skipped": 0})
        counts[outcome] += 1

    def v2_runner_item_on_ok(self, result):
        self._item(result, "run")

    def v2_runner_item_on_failed(self, result):
        self._item(result, "run")

    def v2_runner_item_on_skipped(self, result):
        self._item(result, "skipped")

    def _record(self, result, status):
        host, task = result._host.get_name(), result._task
        now = time.time()
        items = self._items.pop((host, task._uuid), None)
        action = task.action or ""
        self._results.append({
            "play": len(self._plays) - 1, "host": host, "task": task.get_name(), "action": action,
            "kind": action_kind(action), "status": status,
            "changed": bool(result._result.get("changed", False)) if isinstance(result._result, dict) else False,
            "loop": items is not None, "items_run": items["run"] if items else 0,
            "items_skipped": items["skipped"] if items else 0,
            "start": self._starts.pop((host, task._uuid), now), "end": now,
        })

    def v2_runner_on_ok(self, result):
        self._record(result, "changed" if result._result.get("changed", False) else "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "ignored" if ignore_errors else "failed")

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")

    # --- the end -------------------------------------------------------------------------------------
    def v2_playbook_on_stats(self, stats):
        document = {"started": self._started, "ended": time.time(), "plays": self._plays, "results": self._results}
        with open(self.get_option("output"), "w") as handle:
            json.dump(document, handle, indent=1)
