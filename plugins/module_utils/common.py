# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cloud-neutral helpers shared by every module: backoff, waiting, reconciling, diffs.

Nothing here imports a cloud SDK; aws.py and alicloud.py build on these.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import random
import time
import uuid

from ansible.module_utils.basic import AnsibleFallbackNotFound
from ansible.module_utils.common.validation import check_type_bool, check_type_int, check_type_path

SECRET_MASK = "********"


class WaitTimeout(Exception):
    """A resource did not reach the wanted state in time."""

    def __init__(self, what, wanted, last_state, timeout):
        self.what = what
        self.wanted = wanted
        self.last_state = last_state
        self.timeout = timeout
        super(WaitTimeout, self).__init__(
            "Timed out after %ss waiting for %s to become %s; its last state was %r. "
            "Raise wait_timeout if the cloud is just slow, or look at the resource in the console."
            % (timeout, what, wanted, last_state)
        )


def backoff_delays(retries=8, delay=0.5, max_delay=20.0, rng=None):
    """Full-jitter exponential backoff: random(0, min(max, delay * 2**n)) per attempt."""
    rng = rng or random.Random()
    for attempt in range(retries):
        yield rng.uniform(0, min(max_delay, delay * (2 ** attempt))) + delay / 10.0


def retry_call(func, is_retryable, retries=8, delay=0.5, max_delay=20.0, sleep=None):
    """Call ``func()``; on an exception ``is_retryable(exc)`` accepts, back off and retry.

    The last exception is re-raised once retries are exhausted, so callers still get the
    cloud's own error code and request id.
    """
    delays = backoff_delays(retries, delay, max_delay)
    while True:
        try:
            return func()
        except Exception as exc:  # pylint: disable=broad-except
            if not is_retryable(exc):
                raise
            try:
                pause = next(delays)
            except StopIteration:
                raise exc
            (sleep or time.sleep)(pause)


def wait_until(fetch, ready, what, wanted, timeout=600, delay=2.0, max_delay=15.0,
               failed=None, sleep=time.sleep, clock=time.time):
    """Poll ``fetch()`` until ``ready(result)``; return the last result.

    ``failed(result)`` may return a message to stop waiting early (a terminal bad state).
    ``wanted`` and the last observed result name the resource in the timeout error.
    """
    deadline = clock() + timeout
    # Start fast and back off geometrically: short transitions (a route entry, a twin with
    # no delays) cost a fraction of a second; long ones (a VPN gateway) are polled every
    # ``max_delay`` seconds.
    pause = min(delay, 0.2)
    while True:
        result = fetch()
        if ready(result):
            return result
        if failed is not None:
            reason = failed(result)
            if reason:
                raise WaitTimeout(what, wanted, reason, 0)
        if clock() >= deadline:
            raise WaitTimeout(what, wanted, result, timeout)
        sleep(min(pause, max(0.0, deadline - clock())))
        pause = min(max_delay, pause * 2)


def option_unset(value):
    """A connection option given as ``null`` or ``""`` means "not set here"."""
    return value is None or value == ""


def fill_fallbacks(module, argument_spec, params):
    """Give every option of ``argument_spec`` that is unset in ``params`` its ``fallback``.

    ansible-core applies a ``fallback`` only to an option missing from the task; roles and
    inventories pass ``null`` (``default(none)``), which used to hide the environment. This
    applies the same fallback to ``None`` and ``""``, converts the value to the option's
    type and masks ``no_log`` values, so an explicit null behaves exactly like an absent
    option. ``params`` is changed in place and returned.
    """
    for name, spec in argument_spec.items():
        if not option_unset(params.get(name)):
            continue
        strategy, args = (tuple(spec.get("fallback") or (None,)) + ((),))[:2]
        if strategy is None:
            continue
        try:
            value = strategy(*args)
        except AnsibleFallbackNotFound:
            params[name] = None
            continue
        if value in (None, ""):
            # An empty variable is unset (AWX injects "" for an empty credential field); masking ""
            # would also garble every string of the module's output.
            params[name] = None
            continue
        kind = spec.get("type", "str")
        checker = {"int": check_type_int, "bool": check_type_bool, "path": check_type_path}.get(kind)
        try:
            params[name] = checker(value) if checker else value
        except (TypeError, ValueError):
            module.fail_json(msg="%s: the value %r from the environment is not a valid %s." % (
                name, SECRET_MASK if spec.get("no_log") else value, kind))
        if spec.get("no_log") and isinstance(getattr(module, "no_log_values", None), set):
            module.no_log_values.add(value)
    return params


def rule_budget(rules, code="", status=None, texts=()):
    """The backoff budget of the first rule of a retry table that matches; 0 when none does.

    A table holds ``(kind, value, seconds)`` rows; kinds: ``code`` (exact), ``prefix``,
    ``suffix``, ``status`` (an HTTP status at or above ``value``), and ``network`` /
    ``exception`` (``value`` is one of ``texts``' substrings: an error text or class names).
    """
    code = code or ""
    for kind, value, budget in rules:
        if ((kind == "code" and code == value) or (kind == "prefix" and code.startswith(value))
                or (kind == "suffix" and code.endswith(value))
                or (kind == "status" and status is not None and int(status) >= value)
                or (kind in ("network", "exception") and any(value in text for text in texts))):
            return budget
    return 0


def retry_within(func, budget_of, delay=0.5, max_delay=20.0, sleep=None, rng=None):
    """Call ``func()``; while ``budget_of(exc)`` gives seconds of backoff left, back off and retry.

    ``budget_of(exc)`` returns the total seconds of backoff an error deserves (0 or ``None``:
    do not retry), so one table can give a slow-settling error a longer budget than
    throttling. Pauses are full-jitter exponential; the time counted is the time slept,
    which keeps tests with a fake ``sleep`` exact. The last error is re-raised.
    """
    rng = rng or random.Random()
    slept = 0.0
    attempt = 0
    while True:
        try:
            return func()
        except Exception as exc:  # pylint: disable=broad-except
            budget = budget_of(exc)
            if not budget:
                raise
            pause = rng.uniform(0, min(max_delay, delay * (2 ** attempt))) + delay / 10.0
            if slept + pause > budget:
                raise
            (sleep or time.sleep)(pause)
            slept += pause
            attempt += 1


class CloudModuleBase:
    """What AwsModule and AlicloudModule share: waiting and leaving the module.

    Subclasses set ``self.module`` (an AnsibleModule) and ``self.params``.
    """

    module = None
    params = None

    def wait(self, fetch, ready, what, wanted, failed=None):
        """``wait_until`` with the module's ``wait_timeout``; a timeout fails the module."""
        try:
            return wait_until(fetch, ready, what, wanted, timeout=self.params.get("wait_timeout") or 600,
                              failed=failed)
        except WaitTimeout as exc:
            self.module.fail_json(msg=str(exc), last_state=exc.last_state)

    def exit(self, **kwargs):
        self.module.exit_json(**kwargs)

    def fail(self, msg, **kwargs):
        self.module.fail_json(msg=msg, **kwargs)


def client_token():
    """A fresh idempotency token; reuse it for every retry of the same create."""
    return str(uuid.uuid4())


def changed_fields(desired, current):
    """Keys of ``desired`` (ignoring ``None``) whose value differs from ``current``."""
    out = {}
    for key, value in desired.items():
        if value is None:
            continue
        have = current.get(key) if current else None
        if isinstance(value, list) and isinstance(have, list):
            if sorted(map(repr, value)) != sorted(map(repr, have)):
                out[key] = value
        elif value != have:
            out[key] = value
    return out


def reconcile_list(desired, current, key, purge=False):
    """Compare two lists of dicts identified by ``key(item)``.

    Returns ``(to_add, to_update, to_remove)``: items to create, ``(desired, current)``
    pairs whose other fields differ, and current items absent from ``desired`` (only
    when ``purge``).
    """
    current_by_key = dict((key(item), item) for item in current)
    desired_by_key = dict((key(item), item) for item in desired)
    to_add, to_update = [], []
    for k, want in desired_by_key.items():
        have = current_by_key.get(k)
        if have is None:
            to_add.append(want)
        elif changed_fields(want, have):
            to_update.append((want, have))
    to_remove = [have for k, have in current_by_key.items() if k not in desired_by_key] if purge else []
    return to_add, to_update, to_remove


def mask_secrets(value, secret_keys):
    """A deep copy of ``value`` with every key in ``secret_keys`` replaced by a mask."""
    if isinstance(value, dict):
        return dict(
            (k, SECRET_MASK if k in secret_keys and v not in (None, "") else mask_secrets(v, secret_keys))
            for k, v in value.items()
        )
    if isinstance(value, list):
        return [mask_secrets(v, secret_keys) for v in value]
    return copy.deepcopy(value)


def make_diff(before, after, secret_keys=()):
    """The ``diff`` return value Ansible shows with ``--diff``; secrets masked."""
    return {
        "before": mask_secrets(before or {}, set(secret_keys)),
        "after": mask_secrets(after or {}, set(secret_keys)),
    }


def snake_dict(value):
    """PascalCase/camelCase API dicts -> snake_case, recursively (keys only).

    A ``Tags`` dict (tag name -> value) is user data and keeps its keys.
    """
    if isinstance(value, dict):
        return dict((to_snake(k), v if k in ("Tags", "tags") and isinstance(v, dict) and "Tag" not in v
                     else snake_dict(v)) for k, v in value.items())
    if isinstance(value, list):
        return [snake_dict(v) for v in value]
    return value


def to_snake(name):
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and (not name[i - 1].isupper() or (i + 1 < len(name) and name[i + 1].islower())):
            out.append("_")
        out.append(ch.lower())
    return "".join(out).replace("__", "_")


def tags_to_dict(tags, key="Key", value="Value"):
    return dict((t.get(key), t.get(value)) for t in (tags or []))
