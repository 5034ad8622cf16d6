# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A loopback HTTP server that answers like the lab's neutron-server, from its captured answers (fixtures/neutron-api).

Used by the tests of the Networking API code (a pytest fixture each test module names: ``lab_pages``).
"""

from __future__ import annotations

import contextlib
import http.server
import json
import threading
import urllib.parse

from conftest import read_fixture

PAGE1 = "neutron-api/networks-fields-limit2-page1.json"
PAGE2 = "neutron-api/networks-fields-limit2-page2.json"


def read_json(relpath: str) -> dict:
    return json.loads(read_fixture(relpath))


LAB_ENDPOINT = "http://10.227.0.10:9696"  # where the pages were captured (the bench's lab server)


class _LabPages(http.server.BaseHTTPRequestHandler):
    """Answers like the lab's neutron-server: its version document and the captured pages by marker.

    The lab's address in the answers' links is replaced by this server's, except in the next links: the
    client must take only their query and send it to its own endpoint.
    """

    pages: dict = {}
    seen: list = []

    def do_GET(self):  # noqa: N802 - the name BaseHTTPRequestHandler calls
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        type(self).seen.append((url.path, query))
        if url.path in ("", "/"):
            body = read_fixture("neutron-api/versions.json")
        elif url.path in ("/v2.0/ports", "/v2.0/subnets"):
            body = read_fixture(f"neutron-api/{url.path.rsplit('/', 1)[1]}-list.json")
        elif url.path == "/v2.0/networks":
            marker = (query.get("marker") or [None])[0]
            body = self.pages.get(marker)
            if body is None:
                self.send_error(404)
                return
        else:
            self.send_error(404)
            return
        own = f"http://127.0.0.1:{self.server.server_address[1]}"
        if url.path in ("", "/"):
            body = body.replace(LAB_ENDPOINT, own)
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass


@contextlib.contextmanager
def serve_lab_pages():
    """(server, handler class) of a loopback server with the captured pages of three networks in pages of two."""
    first = read_json(PAGE1)
    marker = urllib.parse.parse_qs(urllib.parse.urlsplit(first["networks_links"][0]["href"]).query)["marker"][0]
    pages = {None: read_fixture(PAGE1), marker: read_fixture(PAGE2)}  # marker of the request (None: the first page)
    handler = type("Handler", (_LabPages,), {"pages": pages, "seen": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, handler
    finally:
        server.shutdown()
        server.server_close()
