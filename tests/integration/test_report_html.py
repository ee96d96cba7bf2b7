"""The HTML reachability report renders in headless Chromium with no network: matrix, SVG topology.

Skipped when ``chromium`` is not installed (``apt-get install -y chromium`` adds it).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from ansible_collections.multicloud.transit.plugins.module_utils import reachability as r
from ansible_collections.multicloud.transit.plugins.module_utils import reachability_report as rr

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)")


def _walkthrough1():
    path = Path(__file__).resolve().parent.parent / "unit" / "test_reachability_engine.py"
    spec = importlib.util.spec_from_file_location("reachability_engine_cases", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.walkthrough1()


def _chromium(tmp_path, *args):
    env = dict(os.environ, HOME=str(tmp_path))
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        env.pop(var, None)
    cmd = [CHROMIUM] + FLAGS + ["--user-data-dir=%s" % (tmp_path / "profile")] + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env, check=False)


def _png_size(path):
    with open(path, "rb") as handle:
        head = handle.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", head[16:24])


@pytest.fixture
def report_html(tmp_path):
    snap = _walkthrough1()
    snap["alicloud"]["cens"][0]["published_routes"][0]["publish_status"] = "NonPublished"
    report = r.analyse(snap)
    files = rr.write_reports(report, str(tmp_path / "report"))
    html = Path(files["html"]).read_text(encoding="utf-8")
    # self-contained: no external URL, no script
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html
    return Path(files["html"]), report


def test_dump_dom_holds_the_matrix_and_the_topology(tmp_path, report_html):
    html, report = report_html
    done = _chromium(tmp_path, "--dump-dom", html.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert '<table class="matrix">' in dom and "<svg" in dom
    matrix = dom[dom.index('<table class="matrix">'):]
    matrix = matrix[:matrix.index("</table>")]
    assert matrix.count('<td class="bad"') == 4 and matrix.count('<td class="ok"') == 8
    for name in ("virginia-a", "virginia-b", "tokyo", "beijing", "TGW", "CEN"):
        assert name in dom
    assert "is not published to CEN cen-1" in dom
    assert report["reachable_count"] == 8


def test_screenshot_is_not_blank(tmp_path, report_html):
    html, _ = report_html
    shot = tmp_path / "shot.png"
    done = _chromium(tmp_path, "--window-size=1200,1400", "--screenshot=%s" % shot, html.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.exists()
    assert _png_size(shot) == (1200, 1400)
    # a blank page of that size compresses to a few KB; text, tables and the SVG take far more
    assert shot.stat().st_size > 40000
