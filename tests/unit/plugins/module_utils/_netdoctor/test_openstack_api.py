# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Connection options and error descriptions of the Networking API modules (openstacksdk, keystoneauth1)."""

from __future__ import annotations

import socket

import pytest
from conftest import read_fixture
from lab_pages import PAGE1, PAGE2, read_json, serve_lab_pages

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import openstack_api
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.networks import normalize_network

openstack = pytest.importorskip("openstack", reason="openstacksdk is a controller requirement (requirements.txt)")
requests = pytest.importorskip("requests")
ks = pytest.importorskip("keystoneauth1.exceptions")

NOAUTH = {"auth_type": "none", "auth": {"endpoint": "http://ctl.example:9696"}}


def params(**given) -> dict:
    base = {name: spec.get("default") for name, spec in openstack_api.CONNECTION_ARGUMENT_SPEC.items()}
    base.update(given)
    return base


def test_cloud_name_with_options():
    kwargs = openstack_api.connection_kwargs(params(cloud="prod", region_name="RegionTwo", validate_certs=False))
    assert kwargs == {"cloud": "prod", "region_name": "RegionTwo", "verify": False, "api_timeout": 30, "interface": "public"}


def test_auth_dict_is_the_auth_of_an_entry():
    auth = {"auth_url": "https://keystone.example:5000/v3", "username": "admin", "password": "secret", "project_name": "admin"}
    kwargs = openstack_api.connection_kwargs(params(auth=auth, auth_type="password"))
    assert kwargs["auth"] == auth and kwargs["auth_type"] == "password" and "cloud" not in kwargs


@pytest.mark.parametrize("option", ["cloud", "auth"])
def test_a_whole_entry_in_cloud_or_auth(option):
    kwargs = openstack_api.connection_kwargs(params(**{option: dict(NOAUTH)}))
    assert kwargs == dict(NOAUTH, api_timeout=30)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"cloud": dict(NOAUTH), "region_name": "RegionOne"}, "leave region_name unset"),
        ({"cloud": dict(NOAUTH), "auth": {"username": "x"}}, "leave auth unset"),
        ({"cloud": "prod", "auth": dict(NOAUTH)}, "either cloud or a whole cloud entry"),
        ({"cloud": ["prod"]}, "cloud must be the name of a clouds.yaml entry or a dict"),
    ],
)
def test_conflicting_connection_options(given, message):
    with pytest.raises(openstack_api.APIError, match=message):
        openstack_api.connection_kwargs(params(**given))


def _refused_put():
    """openstacksdk's exception for the API's real answer to an MTU above the type's maximum."""
    response = requests.Response()
    response.status_code = 400
    response._content = read_fixture("neutron-api/put-network-mtu-too-big-400.json").encode()  # pylint: disable=protected-access
    response.headers["Content-Type"] = "application/json"
    response.url = "http://ctl.example:9696/v2.0/networks/0b1c"
    response.request = requests.Request("PUT", response.url).prepare()
    try:
        openstack.exceptions.raise_from_response(response)
    except openstack.exceptions.HttpException as exc:
        return exc
    raise AssertionError("a 400 answer must raise")


def test_refused_update_names_the_api_message():
    text = openstack_api.describe_error(_refused_put(), "updating network web (0b1c) to MTU 1500")
    assert text == (
        "updating network web (0b1c) to MTU 1500: the API refused it (HTTP 400): Invalid input for operation: Requested MTU is too big, maximum is 1450."
    )


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (ks.http.Unauthorized(message="The request you have made requires authentication.", http_status=401), "the credentials were refused (HTTP 401)"),
        (ks.EndpointNotFound("public endpoint for network service in RegionTwo region not found"), "the catalogue has no Networking API endpoint"),
        (ks.MissingRequiredOptions([]), "the authentication parameters are incomplete"),
        (openstack.exceptions.ConfigException("Cloud nope was not found."), "the cloud configuration is not usable: Cloud nope was not found."),
        (openstack.exceptions.HttpException(message="Forbidden", http_status=403), "not allowed (HTTP 403"),
        (ValueError("odd"), "ValueError: odd"),
    ],
)
def test_describe_error(exc, expected):
    assert expected in openstack_api.describe_error(exc, "listing the networks")


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_endpoint_is_said_so():
    """A real connection attempt to a loopback port nobody listens on."""
    conn = openstack_api.connect(params(auth={"auth_type": "none", "auth": {"endpoint": f"http://127.0.0.1:{_closed_port()}"}}, api_timeout=5))
    with pytest.raises(openstack_api.APIError, match=r"^listing the networks: the API cannot be reached .*version discovery document at http://127.0.0.1:"):
        openstack_api.list_networks(conn, 100)


def test_unknown_cloud_is_said_so(tmp_path, monkeypatch):
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text("clouds:\n  lab:\n    auth_type: none\n    auth:\n      endpoint: http://127.0.0.1:9/\n", encoding="utf-8")
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))
    with pytest.raises(openstack_api.APIError, match="connecting to the cloud: the cloud configuration is not usable: .*no-such-cloud"):
        openstack_api.connect(params(cloud="no-such-cloud"))


# --- the paginated list: captured pages of the lab API, served again on loopback (tests/unit/lab_pages.py) ----


@pytest.fixture(name="lab_pages")
def _lab_pages():
    with serve_lab_pages() as served:
        yield served


def lab_connection(server):
    """A connection to the loopback server, as the lab's clouds.yaml makes it (Neutron without Keystone)."""
    return openstack_api.connect(params(auth={"auth_type": "none", "auth": {"endpoint": f"http://127.0.0.1:{server.server_address[1]}"}}, api_timeout=10))


def test_next_page_is_the_query_of_the_next_link():
    first = read_json(PAGE1)
    query = openstack_api.next_page(first, "networks")
    assert query["limit"] == ["2"] and query["fields"][: len(openstack_api.NETWORK_FIELDS)] == list(openstack_api.NETWORK_FIELDS)
    assert query["marker"] == [first["networks"][-1]["id"]]
    assert openstack_api.next_page(read_json(PAGE2), "networks") is None  # the last page links back only
    assert openstack_api.next_page(read_json("neutron-api/networks-list.json"), "networks") is None  # no limit: no links


def test_list_follows_the_pages_on_the_connections_endpoint(lab_pages):
    """Three networks in pages of two: two GETs to the connection's endpoint (the links name the lab's address)."""
    server, handler = lab_pages
    networks = openstack_api.list_networks(lab_connection(server), 2)
    expected = read_json(PAGE1)["networks"] + read_json(PAGE2)["networks"]
    assert [n["id"] for n in networks] == [n["id"] for n in expected]
    assert {n["mtu"] for n in networks} == {8950} and {n["network_type"] for n in networks} == {"vxlan"}
    lists = [query for path, query in handler.seen if path == "/v2.0/networks"]
    assert len(lists) == 2
    assert lists[0]["limit"] == ["2"] and lists[0]["fields"] == list(openstack_api.NETWORK_FIELDS) and "marker" not in lists[0]
    assert lists[1]["marker"] == [expected[1]["id"]]


@pytest.mark.parametrize("kind", ["ports", "subnets"])
def test_ports_and_subnets_are_the_apis_dicts(lab_pages, kind):
    """list_raw takes the same paginated GET as the networks: one request, the captured answer's dicts as they are."""
    server, handler = lab_pages
    assert openstack_api.list_raw(lab_connection(server), kind, 500) == read_json(f"neutron-api/{kind}-list.json")[kind]
    lists = [query for path, query in handler.seen if path == f"/v2.0/{kind}"]
    assert lists == [{"limit": ["500"]}]


def test_a_link_that_does_not_move_on_is_an_error(lab_pages):
    server, handler = lab_pages
    marker = read_json(PAGE1)["networks"][-1]["id"]
    handler.pages[marker] = read_fixture(PAGE1)  # the server answers the second page with the first again
    with pytest.raises(openstack_api.APIError, match="pagination loop"):
        openstack_api.list_networks(lab_connection(server), 2)


@pytest.mark.parametrize(
    ("selected", "whole"),
    [
        ("neutron-api/networks-fields-multi-segment.json", "neutron-api/networks-all-multi-segment.json"),
        (PAGE1, None),
    ],
)
def test_the_selected_fields_give_the_same_records(selected, whole):
    """normalize_network reads only NETWORK_FIELDS: the answer to fields= gives the records of the whole answer."""
    answer = read_json(selected)["networks"]
    assert all(set(net) <= set(openstack_api.NETWORK_FIELDS) for net in answer)
    if whole is not None:
        full = read_json(whole)["networks"]
        assert set(full[0]) - set(openstack_api.NETWORK_FIELDS)  # the whole answer has more (subnets, tags, ...)
        assert [normalize_network(n) for n in answer] == [normalize_network(n) for n in full]
        assert normalize_network(answer[0])["segments"][1] == {"network_type": "vxlan", "physical_network": None, "segmentation_id": 48469}
