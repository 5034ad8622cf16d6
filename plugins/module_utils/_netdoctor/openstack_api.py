# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""openstacksdk for the Networking API modules: connection options, one connection, errors in plain words.

openstacksdk is imported when a connection is made, never at import time, so a missing library
is reported by the module with a clear message instead of an ImportError.
"""

from __future__ import annotations

import importlib
import sys
import time
from urllib.parse import parse_qs, urlsplit

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.networks import NetworkError, normalize_network

# Options of the openstack_api doc fragment (the same names and aliases as openstack.cloud's modules).
CONNECTION_ARGUMENT_SPEC = {
    "cloud": {"type": "raw"},
    "auth": {"type": "dict", "no_log": True},
    "auth_type": {"type": "str"},
    "region_name": {"type": "str"},
    "interface": {"type": "str", "choices": ["admin", "internal", "public"], "default": "public", "aliases": ["endpoint_type"]},
    "validate_certs": {"type": "bool", "aliases": ["verify"]},
    "ca_cert": {"type": "path", "aliases": ["cacert"]},
    "client_cert": {"type": "path", "aliases": ["cert"]},
    "client_key": {"type": "path", "no_log": False, "aliases": ["key"]},
    "api_timeout": {"type": "int", "default": 30},
}
_CLOUD_DICT_EXCLUSIVE = ("auth_type", "region_name", "validate_certs", "ca_cert", "client_cert", "client_key")

MISSING_SDK = (
    "the Python library openstacksdk is not installed for {python} on the host running this module "
    "(usually the controller): pip install 'openstacksdk>=1.0' (the collection's requirements.txt)"
)


class APIError(RuntimeError):
    """A Networking API call or connection that failed, described for a person."""


def import_sdk():
    """The ``openstack`` package, or None when it is not installed."""
    try:
        return importlib.import_module("openstack")
    except ImportError:
        return None


def connection_kwargs(params: dict) -> dict:
    """Keyword arguments for ``openstack.connect`` from the module's connection options."""
    cloud = params.get("cloud")
    auth = params.get("auth")
    if isinstance(auth, dict) and isinstance(auth.get("auth"), dict):
        if cloud is not None:
            raise APIError("give either cloud or a whole cloud entry in auth, not both")
        cloud, auth = dict(auth), None
    if isinstance(cloud, dict):
        given = [name for name in ("auth",) + _CLOUD_DICT_EXCLUSIVE if params.get(name) is not None and (name != "auth" or auth)]
        if given:
            raise APIError(f"a whole cloud entry was given; leave {', '.join(given)} unset (put them into the entry)")
        kwargs = dict(cloud)
        kwargs.setdefault("api_timeout", params.get("api_timeout"))
        return kwargs
    if cloud is not None and not isinstance(cloud, str):
        raise APIError(f"cloud must be the name of a clouds.yaml entry or a dict, got {type(cloud).__name__}")
    kwargs = {
        "cloud": cloud,
        "auth_type": params.get("auth_type"),
        "auth": auth,
        "region_name": params.get("region_name"),
        "verify": params.get("validate_certs"),
        "cacert": params.get("ca_cert"),
        "cert": params.get("client_cert"),
        "key": params.get("client_key"),
        "api_timeout": params.get("api_timeout"),
        "interface": params.get("interface"),
    }
    return {key: value for key, value in kwargs.items() if value is not None}


def describe_error(exc: BaseException, what: str) -> str:
    """``what`` failed, and why, in words: unreachable endpoint, refused credentials, the API's own message."""
    sdk = import_sdk()
    text = str(exc).strip() or type(exc).__name__
    try:
        ks = importlib.import_module("keystoneauth1.exceptions")
    except ImportError:  # openstacksdk depends on keystoneauth1: both are missing
        ks = None
    if ks is not None:
        if isinstance(exc, ks.http.Unauthorized):
            return f"{what}: the credentials were refused (HTTP 401): {text}"
        if isinstance(exc, (ks.connection.ConnectFailure, ks.connection.ConnectTimeout, ks.connection.UnknownConnectionError)):
            return f"{what}: the API cannot be reached: {text}"
        if isinstance(exc, ks.DiscoveryFailure):
            # keystoneauth's version discovery swallows the connection error: nothing answered, or not as an API
            return f"{what}: the API cannot be reached (or does not answer as an OpenStack API): {text}"
        if isinstance(exc, ks.EndpointNotFound):
            return f"{what}: the catalogue has no Networking API endpoint for this region and interface: {text}"
        if isinstance(exc, ks.MissingRequiredOptions):
            return f"{what}: the authentication parameters are incomplete: {text}"
        if isinstance(exc, ks.ClientException) and not isinstance(exc, ks.HttpError):
            return f"{what}: {text}"
    if sdk is not None:
        exceptions = sdk.exceptions
        if isinstance(exc, exceptions.HttpException):
            status = getattr(exc, "status_code", None)
            details = getattr(exc, "details", None) or text
            if status == 401:
                return f"{what}: the credentials were refused (HTTP 401): {details}"
            if status == 403:
                return f"{what}: not allowed (HTTP 403; updating a network's MTU needs the admin role or its owner): {details}"
            return f"{what}: the API refused it (HTTP {status}): {details}"
        if isinstance(exc, exceptions.ConfigException):
            return f"{what}: the cloud configuration is not usable: {text}"
        if isinstance(exc, exceptions.SDKException):
            return f"{what}: {text}"
    return f"{what}: {type(exc).__name__}: {text}"


def connect(params: dict):
    """An openstacksdk Connection for the module's connection options (APIError when it cannot be made)."""
    sdk = import_sdk()
    if sdk is None:
        raise APIError(MISSING_SDK)
    kwargs = connection_kwargs(params)
    try:
        return sdk.connect(**kwargs)
    except Exception as exc:  # openstacksdk raises its own and keystoneauth's exceptions here
        raise APIError(describe_error(exc, "connecting to the cloud")) from None


# The attributes normalize_network reads: with ``fields=`` Neutron leaves the others out of its answer.
NETWORK_FIELDS = (
    "id",
    "name",
    "project_id",
    "tenant_id",
    "status",
    "admin_state_up",
    "shared",
    "router:external",
    "mtu",
    "provider:network_type",
    "provider:physical_network",
    "provider:segmentation_id",
    "segments",
)


def next_page(data: dict, key: str) -> dict | None:
    """The query of the page after ``data`` (a list answer with ``<key>_links``), None on the last page.

    Only the query of the API's ``next`` link is used (``{name: [values]}``, repeated ``fields`` kept):
    the request goes to the connection's own endpoint, not to the host name the server put into the link
    (behind a proxy or a TLS terminator that name is often one the client cannot reach).
    """
    for link in data.get(f"{key}_links") or []:
        if isinstance(link, dict) and link.get("rel") == "next" and link.get("href"):
            return parse_qs(urlsplit(link["href"]).query, keep_blank_values=True)
    return None


def list_pages(conn, key: str, query: dict) -> list:
    """Every item of ``GET /<key>`` with ``query``, following the API's next links: the API's dicts, in its order.

    One request per page (the raw JSON through the connection's session, no resource object per item).
    A failure is an APIError that says what was being listed and why.
    """
    try:
        return _pages(conn, key, query)
    except APIError:
        raise
    except Exception as exc:  # openstacksdk raises its own and keystoneauth's exceptions here
        raise APIError(describe_error(exc, f"listing the {key}")) from None


def _pages(conn, key: str, query: dict) -> list:
    sdk = import_sdk()
    items: list = []
    params = dict(query)
    markers = set()
    while True:
        response = conn.network.get(f"/{key}", params=params, headers={"Accept": "application/json"})
        sdk.exceptions.raise_from_response(response)
        data = response.json()
        page = data.get(key)
        if not isinstance(page, list):
            raise APIError(f"the API answered GET /{key} without a list of {key}")
        items.extend(page)
        params = next_page(data, key) if page else None
        if params is None:
            return items
        marker = tuple(params.get("marker") or ())
        if not marker or marker in markers:
            raise APIError(f"the API's next link of GET /{key} does not move on (marker {marker!r}): pagination loop")
        markers.add(marker)


def list_networks(conn, page_size: int, filters: dict | None = None) -> list:
    """Every network the credentials see, with provider attributes, as records: one paginated list."""
    query = dict(filters or {})
    query["limit"] = page_size
    query["fields"] = list(NETWORK_FIELDS)
    pages = list_pages(conn, "networks", query)
    try:
        return [normalize_network(net) for net in pages]
    except NetworkError as exc:  # an answer that is not a list of networks
        raise APIError(describe_error(exc, "listing the networks")) from None


def list_raw(conn, kind: str, page_size: int) -> list:
    """Every port or subnet (``kind``) the credentials see, as the API's dicts: one paginated list."""
    if kind not in ("ports", "subnets"):
        raise APIError(f"cannot list {kind!r}: only ports and subnets")
    return list_pages(conn, kind, {"limit": page_size})


# neutron_networks_info's options (its action plugin validates them too when it runs the list detached).
NETWORKS_INFO_ARGUMENT_SPEC = dict(
    CONNECTION_ARGUMENT_SPEC,
    filters={"type": "dict", "default": {}},
    page_size={"type": "int", "default": 1000},
    include={"type": "list", "elements": "str", "choices": ["ports", "subnets"], "default": []},
)


def networks_info(params: dict) -> dict:
    """neutron_networks_info's result for its validated options: the networks (and ``include``'s lists) with the
    time taken, or ``failed`` with the reason and what was listed before the failure."""
    if import_sdk() is None:
        return {"changed": False, "failed": True, "msg": MISSING_SDK.format(python=sys.executable)}
    if params["page_size"] < 1:
        return {"changed": False, "failed": True, "msg": f"page_size must be at least 1, got {params['page_size']}"}
    started = time.monotonic()
    result: dict = {"changed": False}
    try:
        conn = connect(params)
        result["networks"] = list_networks(conn, params["page_size"], params["filters"])
        for kind in params["include"]:
            result[kind] = list_raw(conn, kind, params["page_size"])
    except APIError as exc:
        return dict(result, failed=True, msg=str(exc))
    result["elapsed"] = round(time.monotonic() - started, 3)
    return result
