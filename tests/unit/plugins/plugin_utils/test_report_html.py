# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""report.html: the matrix logic, and the page as headless Chromium renders it (DOM and screenshot)."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser

import pytest

from ansible_collections.netdoctor.openstack.plugins.plugin_utils import _judge, _report_html


def probe(source, target, path, expected, network="tunnel", **extra):
    """One pmtu_probe result as verify.yml's pmtu_collect tags it (the module's RETURN keys)."""
    result = {
        "target": f"10.0.0.{ord(target[-1]) - 96}",
        "path_mtu": path,
        "expected_mtu": expected,
        "deficit": None if path is None or expected is None else max(expected - path, 0),
        "blackhole": False,
        "icmp_mtu": None,
        "reachable": path is not None,
        "probes": 12,
        "elapsed": 0.05,
        "network": network,
        "source_host": source,
        "target_host": target,
    }
    result.update(extra)
    return result


def lab_report():
    """The demo's shape: a hidden hop 2 bytes short between a and b, a VXLAN-sized deficit to c, a dead d."""
    results = {
        "a": [probe("a", "b", 1498, 1500, blackhole=True), probe("a", "c", 1450, 1500), probe("a", "d", None, 1500)],
        "b": [probe("b", "a", 1500, 1500), probe("b", "c", 1500, 1500), probe("b", "a", 1500, 1500, network="management")],
        "c": [probe("c", "a", 1500, 1500)],
    }
    facts = {"schema": 1, "interfaces": {}, "gather_subset": ["links"]}
    inputs = {name: {"status": "ok", "facts": facts, "pmtu_results": res} for name, res in results.items()}
    return _judge.build_report(inputs, "0.1.0", "2026-12-01T00:00:00Z")


def test_report_keeps_probes_with_their_ends():
    report = lab_report()
    assert len(report["probes"]) == 7
    first = report["probes"][0]
    assert (first["source_host"], first["target_host"], first["path_mtu"], first["expected_mtu"]) == ("a", "b", 1498, 1500)
    assert set(first) <= set(_judge.PROBE_KEYS)
    assert "probes" not in _judge.build_report({"x": {"status": "ok", "facts": {"interfaces": {}}}})


@pytest.mark.parametrize(
    ("result", "state"),
    [
        (probe("a", "b", 1500, 1500), "ok"),
        (probe("a", "b", 9000, 1500), "ok"),
        (probe("a", "b", 1450, 1500), "explained"),  # VXLAN over IPv4: 50 bytes
        (probe("a", "b", 1496, 1500), "explained"),  # an 802.1Q tag: 4 bytes
        (probe("a", "b", 1498, 1500), "short"),  # the USB driver's 2-byte trailer
        (probe("a", "b", 1498, 1500, blackhole=True), "blackhole"),
        (probe("a", "b", None, 1500), "unreachable"),
    ],
)
def test_cell_state(result, state):
    assert _report_html.cell_state(result) == state


def test_matrices_per_network_keep_the_worst_result():
    tables = _report_html.matrices(lab_report())
    assert list(tables) == ["management", "tunnel"]
    tunnel = tables["tunnel"]
    assert tunnel["hosts"] == ["a", "b", "c", "d"]
    assert tunnel["cells"][("a", "b")]["blackhole"] is True
    assert ("d", "a") not in tunnel["cells"]
    twice = lab_report()
    twice["probes"].append(probe("a", "b", 1500, 1500))  # the other family of the same pair, clean
    assert _report_html.cell_state(_report_html.matrices(twice)["tunnel"]["cells"][("a", "b")]) == "blackhole"


def test_page_escapes_what_it_shows():
    report = lab_report()
    report["hosts"]["a"]["findings"] = [_judge.finding("MTU_TUNNEL_UNDERLAY", "a", "vx<1>", "mtu 1500 & <script>x</script>")]
    page = _report_html.html(report)
    assert "<script>" not in page
    assert "&lt;script&gt;" in page and "vx&lt;1&gt;" in page


def test_page_without_probes_or_findings_says_so():
    page = _report_html.html(_judge.build_report({}))
    assert "No findings" in page and "No path-MTU probes" in page


class _MatrixReader(HTMLParser):
    """The matrix cells and finding rows of a DOM dump."""

    def __init__(self):
        super().__init__()
        self.cells, self.findings, self.network = {}, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-network" in attrs:
            self.network = attrs["data-network"]
        elif tag == "td" and "data-state" in attrs:
            self.cells[(self.network, attrs["data-source"], attrs["data-target"])] = attrs
        elif tag == "tr" and "data-code" in attrs:
            self.findings.append(attrs["data-code"])


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("no Chromium on this machine (Debian package chromium; make setup installs it)")
    return None


def _chromium_run(tmp_path, *args):
    argv = [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        *args,
    ]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, check=True)


def _png_pixels(data: bytes):
    """(width, height, rows of RGB(A) tuples) of an 8-bit RGB/RGBA PNG, decoded with the standard library."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, header = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    width, height, depth, colour = header[:4]
    assert depth == 8 and colour in (2, 6)
    channels = 3 if colour == 2 else 4
    raw, stride, rows, prev = zlib.decompress(b"".join(chunks)), width * channels, [], bytearray(width * channels)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = prev[i], prev[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        rows.append([tuple(line[x * channels : x * channels + 3]) for x in range(width)])
        prev = line
    return width, height, rows


def test_chromium_renders_the_matrix(tmp_path):
    report = lab_report()
    report["hosts"]["a"]["findings"] = _judge.check_pmtu([p for p in report["probes"] if p["source_host"] == "a"], "a")
    page = tmp_path / "report.html"
    page.write_text(_report_html.html(report), encoding="utf-8")

    dom = _chromium_run(tmp_path, "--dump-dom", page.as_uri()).stdout
    reader = _MatrixReader()
    reader.feed(dom)
    cells = reader.cells
    assert len(cells) == 7  # 6 probed pairs on the tunnel network, 1 on management
    ab = cells[("tunnel", "a", "b")]
    assert (ab["data-path-mtu"], ab["data-expected-mtu"], ab["data-deficit"], ab["data-state"]) == ("1498", "1500", "2", "blackhole")
    assert cells[("tunnel", "a", "c")]["data-state"] == "explained"
    assert cells[("tunnel", "a", "d")]["data-state"] == "unreachable"
    assert cells[("tunnel", "b", "c")]["data-state"] == "ok"
    assert cells[("management", "b", "a")]["data-deficit"] == "0"
    assert {"PMTU_BLACKHOLE", "PMTU_BELOW_EXPECTED", "PMTU_DEFICIT_UNEXPLAINED"} <= set(reader.findings)

    shot = tmp_path / "report.png"
    _chromium_run(tmp_path, f"--screenshot={shot}", "--window-size=1200,900", page.as_uri())
    width, height, rows = _png_pixels(shot.read_bytes())
    assert (width, height) == (1200, 900)
    seen = {pixel for row in rows for pixel in row}

    def rgb(state):
        value = _report_html.CELL_STATES[state][0].lstrip("#")
        return tuple(int(value[i : i + 2], 16) for i in (0, 2, 4))

    for state in ("ok", "explained", "blackhole", "unreachable"):
        assert rgb(state) in seen, f"no {state} cell painted in the screenshot"
