# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    """How the Networking API modules reach the cloud (openstacksdk), as openstack.cloud's modules do."""

    DOCUMENTATION = r"""
options:
  cloud:
    description:
      - The name of a cloud in C(clouds.yaml) (openstacksdk searches C(OS_CLIENT_CONFIG_FILE), C(./clouds.yaml),
        C(~/.config/openstack/clouds.yaml) and C(/etc/openstack/clouds.yaml)), or a dict holding a whole cloud entry
        of C(clouds.yaml) (then the other connection options must be left unset).
      - Without O(cloud) and O(auth), openstacksdk reads the C(OS_*) environment variables.
    type: raw
  auth:
    description:
      - The authentication parameters (C(auth_url), C(username), C(password), C(project_name), C(user_domain_name),
        C(project_domain_name), or C(endpoint) with O(auth_type=none)...), as in a C(clouds.yaml) entry's C(auth).
      - A dict with an C(auth) key of its own is taken as a whole cloud entry, as a dict O(cloud) is.
      - Never logged.
    type: dict
  auth_type:
    description: The keystoneauth plugin, for example V(password), V(v3applicationcredential) or V(none) (no Keystone).
    type: str
  region_name:
    description: The region whose Networking API endpoint is used.
    type: str
  interface:
    description: Which endpoint of the catalogue to use.
    type: str
    choices: [admin, internal, public]
    default: public
    aliases: [endpoint_type]
  validate_certs:
    description: Verify the API's TLS certificate (openstacksdk's default when unset).
    type: bool
    aliases: [verify]
  ca_cert:
    description: A CA bundle to verify the API's certificate with.
    type: path
    aliases: [cacert]
  client_cert:
    description: A client certificate for TLS client authentication.
    type: path
    aliases: [cert]
  client_key:
    description: The key of O(client_cert).
    type: path
    aliases: [key]
  api_timeout:
    description: Seconds an API request may take.
    type: int
    default: 30
requirements:
  - openstacksdk >= 1.0 on the host that runs the module (usually the controller, with C(delegate_to=localhost))
notes:
  - Run these modules where the API is reachable and openstacksdk is installed, usually on the controller
    (C(delegate_to=localhost), C(run_once=true)); C(requirements.txt) of the collection lists openstacksdk.
"""
