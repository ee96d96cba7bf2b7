# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render a reachability report (``reachability.analyse``) as JSON, a terminal matrix and HTML.

The HTML page is self-contained: inline CSS and an inline SVG topology, no script, no
external URL, so it opens in a browser with no network.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

try:
    from html import escape as _escape
except ImportError:  # pragma: no cover
    from cgi import escape as _escape  # pylint: disable=deprecated-module

OK_MARK = u"\u2713"
BAD_MARK = u"\u2717"
SELF_MARK = u"\u00b7"
MATRIX_LIMIT = 60   # probes: beyond this the matrix becomes a summary
PICTURE_LIMIT = 40  # VPCs per cloud drawn; the rest are counted


def esc(value):
    return _escape(u"%s" % (value,), quote=True)


def to_json(report, indent=2):
    return json.dumps(report, indent=indent, sort_keys=True, default=list)


def _index(report):
    return dict(((p["from"], p["to"]), p) for p in report.get("pairs") or [])


def _names(report):
    return [p["name"] for p in report.get("probes") or []]


def cause_text(pair):
    """'[code]: sentence' of a broken pair, as the matrix and the module's failure message print it."""
    return u"[%s]: %s" % (pair.get("cause_code"), pair.get("cause"))


def matrix_text(report):
    """The walkthrough's ping table: rows = from, columns = to, a check or a cross per pair."""
    names = _names(report)
    total = report.get("pair_count", 0)
    head = u"reachable: %d of %d pairs" % (report.get("reachable_count", 0), total)
    if not names:
        return head + u"\n(no probes)\n"
    if len(names) > MATRIX_LIMIT:
        lines = [head, u"(%d probes: matrix omitted, broken pairs below)" % len(names)]
        for b in (report.get("broken") or [])[:50]:
            lines.append(u"  %s -> %s %s" % (b["from"], b["to"], cause_text(b)))
        return u"\n".join(lines) + u"\n"
    pairs = _index(report)
    width = max(len(n) for n in names)
    col = max(3, max(len(n) for n in names))
    lines = [u"from \\ to".ljust(width) + u" | " + u" ".join(n.center(col) for n in names)]
    lines.append(u"-" * len(lines[0]))
    for src in names:
        cells = []
        for dst in names:
            if src == dst:
                mark = SELF_MARK
            else:
                pair = pairs.get((src, dst))
                mark = OK_MARK if pair and pair["reachable"] else BAD_MARK
                if pair and pair["reachable"] and pair.get("asymmetric"):
                    mark = OK_MARK + u"~"
                if pair and pair["reachable"] and pair.get("warnings"):
                    mark += u"!"
            cells.append(mark.center(col))
        lines.append(src.ljust(width) + u" | " + u" ".join(cells))
    lines.append(u"")
    legend = [text for key, text in (("asymmetric", u"~ = asymmetric path"), ("warnings", u"! = warning on the path"))
              if report.get(key)]
    lines.append(head + (u"  (%s)" % u", ".join(legend) if legend else u""))
    for b in report.get("broken") or []:
        lines.append(u"%s %s -> %s %s" % (BAD_MARK, b["from"], b["to"], cause_text(b)))
    for o in report.get("overlaps") or []:
        lines.append(u"! overlap [%s]: %s" % (o.get("code"), o["message"]))
    for c in report.get("ipsec_checks") or []:
        if not c["ok"]:
            where = c.get("where") or c.get("alicloud_ipsec_connection_id")
            lines.append(u"! IPsec %s [%s]: %s" % (where, ", ".join(c.get("problem_codes") or []), "; ".join(c["problems"])))
    for h in report.get("blackholes") or []:
        lines.append(u"! blackhole [%s]: %s" % (h.get("code"), h["reason"]))
    for w in report.get("warnings") or []:
        lines.append(u"! warning [%s]: %s" % (w["code"], w["message"]))
    for line in tunnel_lines(report):
        lines.append(u"  " + line)
    return u"\n".join(lines) + u"\n"


def tunnel_lines(report):
    """One line per tunnel: both ends, its status and, when it is not up, its code."""
    out = []
    for t in report.get("tunnels") or []:
        aws = u"AWS %s tunnel %s (%s)" % (t["aws_vpn_connection_id"], t["aws_tunnel"], t["aws_outside_ip"]) \
            if t.get("aws_vpn_connection_id") else u"no AWS tunnel"
        ali = u"Alibaba %s%s" % (t["alicloud_ipsec_connection_id"], u" tunnel %s" % t["alicloud_tunnel"]
                                 if t.get("alicloud_tunnel") is not None else u"") \
            if t.get("alicloud_ipsec_connection_id") else u"Alibaba %s" % t.get("alicloud_tunnel_ip")
        out.append(u"tunnel %s <-> %s: %s%s" % (aws, ali, t["status"], u" [%s]" % t["code"] if t.get("code") else u""))
    return out


# --- HTML ---------------------------------------------------------------------------------------------------

CSS = u"""
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:24px;color:#1d2430;background:#f7f8fa}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.summary{font-size:15px;margin-bottom:12px}.ok{color:#1b7f3b}.bad{color:#c62828}
table{border-collapse:collapse;background:#fff;box-shadow:0 1px 2px rgba(0,0,0,.08)}
th,td{border:1px solid #d9dde3;padding:5px 9px;font-size:13px;text-align:left;vertical-align:top}
table.matrix td{text-align:center;font-size:18px;font-weight:bold;min-width:44px}
table.matrix td.ok{background:#e6f4ea}table.matrix td.bad{background:#fdecea}table.matrix td.self{color:#aab}
th{background:#eef1f5}code{font-size:12px}
.svgbox{background:#fff;border:1px solid #d9dde3;display:inline-block}
.legend span{display:inline-block;margin-right:16px;font-size:13px}
.hops{font-size:12px;color:#445}
"""


def html_page(report, title="Cross-cloud reachability"):
    """One self-contained HTML page: summary, matrix, topology, causes, IPsec checks."""
    reach, total = report.get("reachable_count", 0), report.get("pair_count", 0)
    parts = [u"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s</title><style>%s</style></head><body>"
             % (esc(title), CSS)]
    parts.append(u"<h1>%s</h1>" % esc(title))
    cls = "ok" if reach == total and total else "bad"
    parts.append(u"<div class=\"summary\"><b class=\"%s\">%d of %d probe pairs reachable</b>%s</div>"
                 % (cls, reach, total, (u" &middot; %d broken" % (total - reach)) if total - reach else u""))
    parts.append(u"<h2>Matrix</h2>")
    parts.append(_html_matrix(report))
    parts.append(u"<h2>Topology</h2>")
    parts.append(u"<div class=\"legend\"><span class=\"ok\">&#9473; working link</span><span class=\"bad\">&#9473; broken "
                 u"link</span><span>&#9476; VPN tunnel (bridge)</span><span>&#8764; peering (router interface)</span></div>")
    parts.append(u"<div class=\"svgbox\">%s</div>" % topology_svg(report.get("topology") or {}))
    broken = report.get("broken") or []
    if broken:
        parts.append(u"<h2>Broken pairs and their causes</h2><table><tr><th>from</th><th>to</th><th>code</th>"
                     u"<th>cause</th></tr>")
        for b in broken[:500]:
            parts.append(u"<tr><td>%s</td><td>%s</td><td><code>%s</code></td><td>%s</td></tr>" % (
                esc(b["from"]), esc(b["to"]), esc(b.get("cause_code")), esc(b["cause"])))
        parts.append(u"</table>")
    checks = report.get("ipsec_checks") or []
    if checks:
        parts.append(u"<h2>IPsec ends checked against each other</h2><table><tr><th>AWS VPN / tunnel</th>"
                     u"<th>Alibaba IPsec connection</th><th>result</th><th>problems / warnings</th></tr>")
        for c in checks:
            parts.append(u"<tr><td>%s<br><code>%s</code></td><td>%s</td><td class=\"%s\">%s</td><td>%s</td></tr>" % (
                esc(c.get("aws_vpn_connection_id")), esc(c.get("tunnel_outside_ip")), esc(c.get("alicloud_ipsec_connection_id")),
                "ok" if c["ok"] else "bad", OK_MARK + u" agree" if c["ok"] else BAD_MARK + u" disagree",
                u"<br>".join(esc(p) for p in (c.get("problems") or []) + (c.get("warnings") or []))))
        parts.append(u"</table>")
    tunnels = report.get("tunnels") or []
    if tunnels:
        parts.append(u"<h2>Tunnels</h2><table><tr><th>AWS VPN / tunnel</th><th>Alibaba IPsec connection / tunnel</th>"
                     u"<th>status</th><th>why</th></tr>")
        for t in tunnels:
            fine = t["status"] in ("up", "idle_by_design")
            parts.append(u"<tr><td>%s %s<br><code>%s</code></td><td>%s %s<br><code>%s</code></td><td class=\"%s\">%s"
                         u"</td><td>%s</td></tr>" % (
                             esc(t.get("aws_vpn_connection_id") or u"-"), esc(t.get("aws_tunnel") or u""),
                             esc(t.get("aws_outside_ip") or u""), esc(t.get("alicloud_ipsec_connection_id") or u"-"),
                             esc(t.get("alicloud_tunnel") or u""), esc(t.get("alicloud_tunnel_ip") or u""),
                             "ok" if fine else "bad",
                             esc(t["status"] + (u" [%s]" % t["code"] if t.get("code") else u"")),
                             esc(t.get("reason") or u"")))
        parts.append(u"</table>")
    for key, heading, field in (("warnings", "Warnings", "message"),
                                ("overlaps", "Overlapping CIDRs among connected networks", "message"),
                                ("blackholes", "Routes that blackhole", "reason"),
                                ("unplaced", "Probes that could not be placed", "reason")):
        items = report.get(key) or []
        if items:
            parts.append(u"<h2>%s</h2><ul>%s</ul>" % (esc(heading), u"".join(u"<li>%s</li>" % esc(i[field]) for i in items)))
    parts.append(_html_paths(report))
    parts.append(u"</body></html>")
    return u"\n".join(parts)


def _html_matrix(report):
    names = _names(report)
    if not names:
        return u"<p>No probes.</p>"
    if len(names) > MATRIX_LIMIT:
        return u"<p>%d probes: the matrix is left out; see the broken pairs below.</p>" % len(names)
    pairs = _index(report)
    rows = [u"<table class=\"matrix\"><tr><th>from \\ to</th>%s</tr>" % u"".join(u"<th>%s</th>" % esc(n) for n in names)]
    for src in names:
        cells = []
        for dst in names:
            if src == dst:
                cells.append(u"<td class=\"self\">%s</td>" % SELF_MARK)
                continue
            pair = pairs.get((src, dst)) or {}
            ok = pair.get("reachable")
            tip = u"reachable" if ok else (pair.get("cause") or u"not traced")
            if ok and pair.get("asymmetric"):
                tip = u"reachable, asymmetric path"
            if ok and pair.get("warnings"):
                tip += u" (warnings: %s)" % u", ".join(pair["warnings"])
            cells.append(u"<td class=\"%s\" title=\"%s\">%s</td>" % ("ok" if ok else "bad", esc(tip),
                                                                     OK_MARK if ok else BAD_MARK))
        rows.append(u"<tr><th>%s</th>%s</tr>" % (esc(src), u"".join(cells)))
    rows.append(u"</table>")
    return u"".join(rows)


def _html_paths(report):
    pairs = [p for p in report.get("pairs") or [] if p.get("hops") is not None]
    if not pairs or len(pairs) > 400:
        return u""
    out = [u"<h2>Paths, hop by hop</h2><table><tr><th>pair</th><th>request</th><th>reply</th></tr>"]
    for p in pairs:
        out.append(u"<tr><td class=\"%s\">%s %s &rarr; %s</td><td class=\"hops\">%s</td><td class=\"hops\">%s</td></tr>" % (
            "ok" if p["reachable"] else "bad", OK_MARK if p["reachable"] else BAD_MARK, esc(p["from"]), esc(p["to"]),
            _hop_list(p.get("hops"), p.get("broken_hop"), "request"),
            _hop_list(p.get("return_hops"), p.get("broken_hop"), "return")))
    out.append(u"</table>")
    return u"".join(out)


def _hop_list(hops, broken=None, direction="request"):
    lines = [u"%d. %s: %s &rarr; %s%s" % (
        i + 1, esc(h["domain"]), esc(h["route"]["destination"]), esc(h["route"]["target"]),
        (u" <i>(%s)</i>" % esc(h["note"])) if h.get("note") else u"") for i, h in enumerate(hops or [])]
    if broken and broken.get("direction", "request") == direction:
        lines.append(u"<b class=\"bad\">%s %s</b>" % (BAD_MARK, esc(broken.get("reason"))))
    return u"<br>".join(lines)


def topology_svg(topo):
    """Inline SVG: AWS on the left, Alibaba on the right; hubs beside their VPCs; bridges across."""
    nodes = topo.get("nodes") or []
    links = topo.get("links") or []
    aws_vpcs = [n for n in nodes if n["cloud"] == "aws" and n["kind"] == "vpc"]
    ali_vpcs = [n for n in nodes if n["cloud"] == "alicloud" and n["kind"] == "vpc"]
    aws_hubs = [n for n in nodes if n["cloud"] == "aws" and n["kind"] == "hub"]
    ali_hubs = [n for n in nodes if n["cloud"] == "alicloud" and n["kind"] == "hub"]
    hidden = {"aws": max(0, len(aws_vpcs) - PICTURE_LIMIT), "alicloud": max(0, len(ali_vpcs) - PICTURE_LIMIT)}
    aws_vpcs, ali_vpcs = aws_vpcs[:PICTURE_LIMIT], ali_vpcs[:PICTURE_LIMIT]
    step = 74
    rows = max(len(aws_vpcs), len(ali_vpcs), len(aws_hubs), len(ali_hubs), 2)
    height = 110 + rows * step
    width = 1040
    pos = {}

    def column(items, x, top, span):
        if not items:
            return
        gap = span / float(len(items))
        for i, n in enumerate(items):
            pos[n["id"]] = (x, top + gap * (i + 0.5))

    body_top, span = 70, rows * step
    column(aws_vpcs, 130, body_top, span)
    column(aws_hubs, 390, body_top, span)
    column(ali_vpcs, 690, body_top, span)
    column(ali_hubs, 920, body_top, span)
    out = [u"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
           u"font-family=\"Helvetica,Arial,sans-serif\" role=\"img\" aria-label=\"topology\">" % (width, height, width, height)]
    out.append(u"<rect x=\"10\" y=\"10\" width=\"490\" height=\"%d\" rx=\"16\" fill=\"#fff7ec\" stroke=\"#f0a040\"/>" % (height - 20))
    out.append(u"<rect x=\"540\" y=\"10\" width=\"490\" height=\"%d\" rx=\"16\" fill=\"#eef4ff\" stroke=\"#4a78d0\"/>" % (height - 20))
    out.append(u"<text x=\"30\" y=\"42\" font-size=\"20\" font-weight=\"bold\" fill=\"#c46a00\">AWS</text>")
    out.append(u"<text x=\"560\" y=\"42\" font-size=\"20\" font-weight=\"bold\" fill=\"#2a56a8\">Alibaba Cloud</text>")
    for cloud, x in (("aws", 30), ("alicloud", 560)):
        if hidden[cloud]:
            out.append(u"<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#666\">... and %d more VPCs</text>"
                       % (x, height - 26, hidden[cloud]))
    bridges_drawn = {}  # two tunnels share one curve: stack their labels instead of overprinting
    for link in links:
        a, b = pos.get(link["a"]), pos.get(link["b"])
        if a is None or b is None:
            continue
        color = "#1b7f3b" if link.get("ok") else "#c62828"
        tip = esc(u"%s %s%s" % (link["kind"], link.get("label", ""), (": " + link["problem"]) if link.get("problem") else ""))
        if link["kind"] == "bridge":
            out.append(u"<path d=\"M%.0f %.0f C %.0f %.0f, %.0f %.0f, %.0f %.0f\" stroke=\"%s\" stroke-width=\"4\" "
                       u"stroke-dasharray=\"10 6\" fill=\"none\"><title>%s</title></path>"
                       % (a[0], a[1], a[0] + 120, a[1], b[0] - 120, b[1], b[0], b[1], color, tip))
            nth = bridges_drawn.get((link["a"], link["b"]), 0)
            bridges_drawn[(link["a"], link["b"])] = nth + 1
            mx, my = (a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0 - 8 - 14 * nth
            out.append(u"<text x=\"%.0f\" y=\"%.0f\" font-size=\"11\" text-anchor=\"middle\" fill=\"%s\">%s</text>"
                       % (mx, my, color, esc(u"VPN " + (link.get("label") or "").split(" tunnel ")[-1])))
        elif link["kind"] == "peering" and a[0] == b[0]:
            bend = a[0] - 110 if a[0] > 540 else a[0] + 110
            out.append(u"<path d=\"M%.0f %.0f Q %.0f %.0f %.0f %.0f\" stroke=\"%s\" stroke-width=\"3\" fill=\"none\">"
                       u"<title>%s</title></path>" % (a[0], a[1], bend, (a[1] + b[1]) / 2.0, b[0], b[1], color, tip))
        else:
            out.append(u"<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"%s\" stroke-width=\"3\"><title>%s</title>"
                       u"</line>" % (a[0], a[1], b[0], b[1], color, tip))
    for n in aws_vpcs + ali_vpcs:
        x, y = pos[n["id"]]
        out.append(u"<g><rect x=\"%.0f\" y=\"%.0f\" width=\"180\" height=\"46\" rx=\"8\" fill=\"#ffffff\" stroke=\"#55606e\"/>"
                   u"<text x=\"%.0f\" y=\"%.0f\" font-size=\"13\" font-weight=\"bold\" text-anchor=\"middle\">%s</text>"
                   u"<text x=\"%.0f\" y=\"%.0f\" font-size=\"11\" text-anchor=\"middle\" fill=\"#445\">%s</text>"
                   u"<title>%s</title></g>" % (
                       x - 90, y - 23, x, y - 4, esc(_short(n["label"], 24)), x, y + 13,
                       esc(_short(u"%s %s" % (n.get("detail") or "", n.get("region") or ""), 30)), esc(n["id"])))
    for n in aws_hubs + ali_hubs:
        x, y = pos[n["id"]]
        fill = "#f0a040" if n["cloud"] == "aws" else "#4a78d0"
        out.append(u"<g><circle cx=\"%.0f\" cy=\"%.0f\" r=\"34\" fill=\"%s\" stroke=\"#333\"/>"
                   u"<text x=\"%.0f\" y=\"%.0f\" font-size=\"12\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"#fff\">%s</text>"
                   u"<text x=\"%.0f\" y=\"%.0f\" font-size=\"10\" text-anchor=\"middle\" fill=\"#fff\">%s</text><title>%s</title></g>"
                   % (x, y, fill, x, y - 2, esc(n["label"].split(" ")[0]), x, y + 12,
                      esc(_short(n["label"].split(" ", 1)[-1], 12)), esc(n["id"])))
    out.append(u"</svg>")
    return u"".join(out)


def _short(text, limit):
    text = u"%s" % (text,)
    return text if len(text) <= limit else text[: limit - 1] + u"\u2026"


def write_reports(report, directory, title="Cross-cloud reachability"):
    """Write report.json, report.txt and report.html into ``directory``; return their paths."""
    if not os.path.isdir(directory):
        os.makedirs(directory)
    files = {}
    for name, text in (("report.json", to_json(report)), ("report.txt", matrix_text(report)),
                       ("report.html", html_page(report, title))):
        path = os.path.join(directory, name)
        with open(path, "wb") as handle:
            handle.write(text.encode("utf-8"))
        files[name.split(".")[1]] = path
    return files
