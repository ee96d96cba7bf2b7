# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reachability: the tracer. From a routing domain toward an address, one memoised path.

Addresses that fall in the same set of snapshot prefixes (their *class*) route alike, so a
path is traced once per (domain, class) and shared by every probe pair behind it. Routes that
always lead to the same next table (a subnet route to a TGW, a CEN-learned route) are recorded
as *transitions* and followed without running the step again.

What happens inside a domain is the step of its kind: ``steps[kind](tracer, domain, label,
route, dst_ip, cls, stack)`` returns a ``Trace`` (reachability_steps.STEPS). A step either
ends the path (``tracer.delivered`` / ``fail``) or moves on with ``tracer.follow(hops, ...,
next_domain, ...)``. Every failure carries a cause code (reachability_causes).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.multicloud.transit.plugins.module_utils import reachability_causes as causes
from ansible_collections.multicloud.transit.plugins.module_utils.reachability_tables import MASKS, contains, ip_int, net

MAX_HOPS = 32


class Hop(dict):
    """One step of a path: ``domain``, ``kind``, ``route`` ({destination, target}), ``note``."""


def hop(domain, destination, target, note="", kind=""):
    return Hop(domain=domain, kind=kind, route={"destination": destination, "target": target}, note=note)


class Trace(object):
    """A path from a routing domain to a destination class (shared by every probe behind it).

    Hops are a chain (own ``head`` hops, then the memoised ``tail`` trace) so sharing a
    suffix costs nothing; ``hops`` materialises the list once, when a report needs it.
    """

    __slots__ = ("ok", "head", "tail", "length", "broken", "constraints", "end_vpc", "via", "_hops")

    def __init__(self, ok, head, broken=None, constraints=(), end_vpc=None, via=(), tail=None):
        self.ok = ok
        self.head = head
        self.tail = tail
        self.length = len(head) + (tail.length if tail is not None else 0)
        self.broken = broken            # {"hop": i, "domain": label, "code": cause, "reason": sentence, "element": id}
        self.constraints = constraints  # ((label, (cidrs...), element), ...) the SOURCE must satisfy
        self.end_vpc = end_vpc
        self.via = via                  # transit pieces crossed (for asymmetry)
        self._hops = None

    @property
    def hops(self):
        if self._hops is None:
            self._hops = tuple(self.head) + (self.tail.hops if self.tail is not None else ())
        return self._hops


def fail(hops, domain, code, reason, element=None, constraints=(), via=()):
    """A path that stops after ``hops``, in ``domain``, for ``code`` (a reachability_causes code)."""
    return Trace(False, tuple(hops), {"hop": len(hops), "domain": domain, "code": code, "reason": reason,
                                      "element": element}, tuple(constraints), None, tuple(via))


def prepend(hops, constraints, via, rest):
    """``hops`` followed by the memoised trace ``rest``."""
    broken = None
    if rest.broken is not None:
        broken = dict(rest.broken, hop=rest.broken["hop"] + len(hops))
    return Trace(rest.ok, hops, broken, (tuple(constraints) + rest.constraints) if constraints else rest.constraints,
                 rest.end_vpc, (tuple(via) + rest.via) if via else rest.via, tail=rest)


class Tracer(object):
    """Traces paths over ``routing`` (RoutingTables) with ``steps``; ``index`` and ``tunnels`` for the steps."""

    def __init__(self, index, routing, tunnels, steps):
        self.index = index
        self.routing = routing
        self.tunnels = tunnels
        self.steps = steps
        self.tables = routing.tables
        self.labels = routing.labels
        self.lengths = sorted(set(length for length, dummy in index.prefixes), reverse=True)
        self._memo = {}
        self._direction_memo = {}
        self._transitions = {}
        self._constraint_memo = {}

    def label(self, domain):
        return self.labels.get(domain, str(domain))

    # --- probes -------------------------------------------------------------------------------------
    def locate(self, probe):
        """((vpc key, start domain), None) of a probe, or (None, reason)."""
        index = self.index
        ip_value = ip_int(probe["ip"])
        wanted = probe.get("vpc")
        found = []
        for cidr, vkey, domain in index.subnet_index:
            if contains(cidr, ip_value):
                if wanted and wanted not in (vkey[1], index.vpc_short(vkey)):
                    continue
                found.append((net(cidr)[0], vkey, domain))
        if not found:
            return None, "no subnet or vSwitch in the snapshot holds %s" % probe["ip"]
        vkeys = set(f[1] for f in found)
        if len(vkeys) > 1:
            return None, "%s is inside several VPCs (%s): set the probe's vpc" % (
                probe["ip"], ", ".join(sorted(index.vpc_short(k) for k in vkeys)))
        found.sort(reverse=True)
        dummy, vkey, domain = found[0]
        if domain[1] is None or domain not in self.tables:
            return None, "the route table of %s's subnet in %s was not read" % (probe["ip"], index.vpc_short(vkey))
        return (vkey, domain), None

    def dclass(self, ip_value):
        """Every snapshot prefix holding the address: addresses with the same set route alike."""
        prefixes = self.index.prefixes
        out = []
        for length in self.lengths:
            candidate = (length, ip_value & MASKS[length])
            if candidate in prefixes:
                out.append(candidate)
        return tuple(out)

    # --- paths ----------------------------------------------------------------------------------------
    def trace(self, domain, dst_ip, dst_class=None, _stack=None):
        """The memoised path from a routing ``domain`` toward ``dst_ip``."""
        cls = dst_class if dst_class is not None else self.dclass(dst_ip)
        key = (domain, cls)
        found = self._memo.get(key)
        if found is not None:
            return found
        stack = _stack if _stack is not None else []
        table = self.tables.get(domain)
        route = table.lookup(dst_ip) if table is not None else None
        shared = self._transitions.get(id(route)) if route is not None else None
        if shared is not None and domain not in stack:
            # fast path: this route always leads to the same next table (TGW / CEN), whatever the address
            stack.append(domain)
            try:
                result = prepend(shared[0], (), shared[1], self.trace(shared[2], dst_ip, cls, stack))
            finally:
                stack.pop()
            self._memo[key] = result
            return result
        label = self.labels.get(domain) or str(domain)
        if domain in stack:
            return fail([], label, causes.LOOP, "routing loop: %s is reached again on the way to %s (%s)" % (
                label, self.index.describe_destination(dst_ip), " -> ".join(self.labels.get(d, d[1]) for d in stack)),
                element=domain[1])
        if len(stack) >= MAX_HOPS:
            return fail([], label, causes.TOO_MANY_HOPS, "more than %d routing domains on the way to %s"
                        % (MAX_HOPS, self.index.describe_destination(dst_ip)))
        stack.append(domain)
        try:
            step = self.steps.get(domain[0])
            if step is None:
                result = fail([], label, causes.UNKNOWN_DOMAIN, "unknown routing domain %s" % (domain,))
            else:
                result = step(self, domain, label, route, dst_ip, cls, stack)
        finally:
            stack.pop()
        self._memo[key] = result
        return result

    def follow(self, hops, constraints, via, domain, dst_ip, cls, stack):
        """``hops`` then the path from the next routing ``domain``."""
        if domain not in self.tables:
            return fail(hops, self.label(domain), causes.NOT_READ, "route table %s was not read" % domain[1],
                        element=domain[1], constraints=constraints, via=via)
        return prepend(hops, constraints, via, self.trace(domain, dst_ip, cls, stack))

    def transition(self, route, hops, via, domain):
        """Remember that ``route`` leads to ``domain`` through ``hops`` (no constraints), whatever the address."""
        self._transitions[id(route)] = (hops, via, domain)

    def delivered(self, hops, vkey, dst_ip, via=()):
        """The end of a path in VPC ``vkey``, if a subnet there holds the address."""
        vpc = self.index.vpc(vkey)
        subnets = vpc.get("subnets") if vkey[0] == "aws" else vpc.get("vswitches")
        if not any(contains(s["cidr"], dst_ip) for s in subnets or []):
            return fail(hops, self.index.vpc_label(vkey), causes.NO_SUBNET, "%s has no subnet holding %s" % (
                self.index.vpc_label(vkey), ipaddress.ip_address(dst_ip)), element=vkey[1], via=via)
        return Trace(True, tuple(hops), None, (), vkey, tuple(via))

    # --- pairs ------------------------------------------------------------------------------------------
    def _constraints_ok(self, constraints, src_ip, src_cls):
        for c in constraints:
            key = (c[1], src_cls)
            ok = self._constraint_memo.get(key)
            if ok is None:
                ok = any(contains(cidr, src_ip) for cidr in c[1])
                self._constraint_memo[key] = ok
            if not ok:
                return c
        return None

    def _direction(self, start, src_ip, src_cls, dst_ip, dst_cls, dst_vkey):
        key = (start, src_cls, dst_cls, dst_vkey)
        found = self._direction_memo.get(key)
        if found is None:
            found = self._direction_uncached(start, src_ip, src_cls, dst_ip, dst_cls, dst_vkey)
            self._direction_memo[key] = found
        return found

    def _direction_uncached(self, start, src_ip, src_cls, dst_ip, dst_cls, dst_vkey):
        index = self.index
        t = self.trace(start, dst_ip, dst_cls)
        out = {"reachable": t.ok, "trace": t, "via": frozenset(t.via)}
        if t.ok:
            bad = self._constraints_ok(t.constraints, src_ip, src_cls)
            if bad is not None:
                out["reachable"] = False
                out["broken"] = {"hop": t.length, "domain": bad[0], "element": bad[2],
                                 "code": causes.SOURCE_NOT_IN_SELECTORS,
                                 "reason": "source %s is outside the %s; add it to the traffic selectors"
                                           % (index.describe_destination(src_ip), bad[0])}
            elif t.end_vpc != dst_vkey:
                out["reachable"] = False
                out["broken"] = {"hop": t.length, "domain": index.vpc_label(t.end_vpc), "element": t.end_vpc[1],
                                 "code": causes.OVERLAPPING_CIDRS,
                                 "reason": "traffic for %s is delivered to %s instead of %s (overlapping CIDRs)"
                                           % (ipaddress.ip_address(dst_ip), index.vpc_label(t.end_vpc),
                                              index.vpc_label(dst_vkey))}
        else:
            out["broken"] = t.broken
        return out

    def trace_pair(self, src, dst):
        """Both directions between two located probes ``(probe, (vkey, domain), ip int, class)``.

        Returns ``(reachable, forward, reply, cause, code, asymmetric)``; cause and code are None when reachable.
        """
        (dummy, (s_vkey, s_dom), s_ip, s_cls), (dummy, (d_vkey, d_dom), d_ip, d_cls) = src, dst
        memo = self._direction_memo
        fwd = memo.get((s_dom, s_cls, d_cls, d_vkey))
        if fwd is None:
            fwd = self._direction(s_dom, s_ip, s_cls, d_ip, d_cls, d_vkey)
        ret = memo.get((d_dom, d_cls, s_cls, s_vkey))
        if ret is None:
            ret = self._direction(d_dom, d_ip, d_cls, s_ip, s_cls, s_vkey)
        reachable = fwd["reachable"] and ret["reachable"]
        cause = code = None
        if not fwd["reachable"]:
            cause, code = fwd["broken"]["reason"], fwd["broken"]["code"]
        elif not ret["reachable"]:
            cause, code = "the reply cannot return: " + ret["broken"]["reason"], ret["broken"]["code"]
        asymmetric = bool(reachable and fwd["via"] != ret["via"])
        return reachable, fwd, ret, cause, code, asymmetric
