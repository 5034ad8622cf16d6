"""Offline stand-in for the get-pip bootstrap script ansible-test downloads.

ansible-test runs this file with pip's install arguments when it builds a sanity
virtual environment. The lab machines cannot reach the host get-pip lives on, so
bootstrap pip from the standard library (ensurepip) and install the requested pip
from the configured package index instead.
"""

import subprocess
import sys

# ensurepip switches pip's configuration off in the process that runs it, so it runs
# in a child process and the configured index settings still apply to the install below.
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"])
args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", *args]))
