# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only callback: counts the multicloud.transit module invocations of a run, per host and module.

A loop counts one invocation per item that ran (skipped items and skipped tasks count none). The counts are
written as JSON to the file named by TRANSIT_MODULE_CALLS_FILE when the run ends (tests/playbookhelpers.py).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = """
name: transit_module_calls
type: aggregate
short_description: Count multicloud.transit module invocations per host (tests only)
description:
  - "Writes {host: {module: count}} to the file in the environment variable TRANSIT_MODULE_CALLS_FILE."
requirements:
  - enabled in ANSIBLE_CALLBACKS_ENABLED
"""

import json
import os

from ansible.plugins.callback import CallbackBase

PREFIX = "multicloud.transit."


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "transit_module_calls"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super(CallbackModule, self).__init__()
        self.counts = {}

    def _count(self, result):
        action = result._task.action
        if not action.startswith(PREFIX):
            return
        host = self.counts.setdefault(result._host.get_name(), {})
        name = action[len(PREFIX):]
        host[name] = host.get(name, 0) + 1

    def _task_result(self, result, ignore_errors=False):  # v2_runner_on_failed passes ignore_errors
        if "results" not in result._result:  # a loop's items are counted one by one
            self._count(result)

    v2_runner_on_ok = v2_runner_on_failed = v2_runner_on_unreachable = _task_result
    v2_runner_item_on_ok = v2_runner_item_on_failed = _count

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get("TRANSIT_MODULE_CALLS_FILE")
        if path:
            with open(path, "w") as handle:
                json.dump(self.counts, handle, indent=1, sort_keys=True)
