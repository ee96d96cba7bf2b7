# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small validator for nested topology data, written in the argument-spec words Ansible uses.

A spec is a dict of option name -> ``{type, required, default, choices, elements, options}``, exactly the
shape of a role's ``meta/argument_specs.yml`` options, so a role can document the same spec it is checked
against (tests/unit/test_filter_topology.py compares them). ``normalize`` returns the value with every
default filled in and collects every problem, each naming its field path (``transit_aws_hubs[0].vpcs[1].cidr``)
and the fix, instead of stopping at the first one. No SDK, no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import difflib

TRUE_WORDS = ("true", "yes", "on", "1")
FALSE_WORDS = ("false", "no", "off", "0")
TYPE_WORDS = {"str": "a string", "int": "an integer", "bool": "true or false", "list": "a list",
              "dict": "a dictionary (mapping)", "raw": "a value"}


def opt(type="str", required=False, default=None, choices=None, elements=None, options=None):
    """One option of a spec, in argument-spec words (keys left out when unset)."""
    spec = {"type": type}
    for key, value in (("required", required or None), ("default", default), ("choices", choices),
                       ("elements", elements), ("options", options)):
        if value is not None:
            spec[key] = value
    return spec


def nearest(word, candidates, cutoff=0.6):
    """The candidate closest to ``word`` (difflib), or None."""
    found = difflib.get_close_matches(str(word), [str(c) for c in candidates], n=1, cutoff=cutoff)
    return found[0] if found else None


def unknown_key_problem(path, key, valid):
    """``path.key`` is not a valid key: name the nearest valid one, else list them."""
    close = nearest(key, valid)
    where = join_path(path, key)
    if close:
        return "%s: unknown key; did you mean `%s`?" % (where, close)
    return "%s: unknown key; valid keys here: %s" % (where, ", ".join(sorted(valid)))


def join_path(path, key):
    return "%s.%s" % (path, key) if path else str(key)


def _kind(value):
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "a dictionary"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, int):
        return "an integer"
    if value is None:
        return "null"
    return "a string"


def _convert(value, kind, path, problems):
    """``value`` as ``kind``, or None with a problem."""
    if kind == "raw":
        return value
    if kind == "str":
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
    elif kind == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value.strip())
    elif kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in TRUE_WORDS + FALSE_WORDS:
            return value.strip().lower() in TRUE_WORDS
    elif kind == "list":
        if isinstance(value, (list, tuple)):
            return list(value)
    elif kind == "dict":
        if isinstance(value, dict):
            return value
    problems.append("%s: must be %s, got %s" % (path, TYPE_WORDS.get(kind, kind), _kind(value)))
    return None


def _choice(value, choices, path, problems):
    if value in choices:
        return value
    folded = [c for c in choices if str(c).lower() == str(value).lower()]
    if folded:
        problems.append("%s: %r is spelt %r" % (path, value, folded[0]))
    else:
        close = nearest(value, choices)
        problems.append("%s: %r is not one of %s%s" % (path, value, ", ".join(str(c) for c in choices),
                                                       "; did you mean %r?" % close if close else ""))
    return value


def normalize(value, spec, path, problems):
    """``value`` checked against one option ``spec``; defaults filled in, problems appended."""
    kind = spec.get("type", "str")
    if value is None:
        if spec.get("required"):
            problems.append("%s: is required" % path)
            return None
        value = copy.deepcopy(spec.get("default"))
        if value is None:
            return None
    value = _convert(value, kind, path, problems)
    if value is None:
        return None
    if kind == "list":
        element = dict(type=spec.get("elements", "raw"))
        if spec.get("options"):
            element["options"] = spec["options"]
        if spec.get("choices"):
            element["choices"] = spec["choices"]
        return [normalize_item(item, element, "%s[%d]" % (path, index), problems)
                for index, item in enumerate(value)]
    if kind == "dict" and spec.get("options") is not None:
        return normalize_options(value, spec["options"], path, problems)
    if spec.get("choices"):
        return _choice(value, spec["choices"], path, problems)
    return value


def normalize_item(item, spec, path, problems):
    """One element of a list (a null element is an error, not a default)."""
    if item is None:
        problems.append("%s: must be %s, got null" % (path, TYPE_WORDS.get(spec.get("type"), "a value")))
        return None
    return normalize(item, spec, path, problems)


def normalize_options(value, options, path, problems):
    """A dict checked key by key: unknown keys refused (nearest valid key named), defaults filled in."""
    out = {}
    for key in value:
        if key not in options:
            problems.append(unknown_key_problem(path, key, options))
    for key, spec in options.items():
        out[key] = normalize(value.get(key), spec, join_path(path, key), problems)
    return out


def spec_defaults(options):
    """The defaults a spec documents, nested: ``{key: default}`` (dict options recurse)."""
    out = {}
    for key, spec in options.items():
        if spec.get("type") == "dict" and spec.get("options") is not None and "default" in spec:
            out[key] = spec_defaults(spec["options"])
        elif "default" in spec:
            out[key] = copy.deepcopy(spec["default"])
    return out
