#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu): it
# installs the sandbox (bubblewrap) and a Python of its own with the kit's pinned dependencies.
# The root of Gradescope's tree is /autograder, or $RNNKIT_GRADESCOPE_ROOT.
set -euo pipefail
ROOT="${RNNKIT_GRADESCOPE_ROOT:-/autograder}"
KIT="$ROOT/source/kit"
export DEBIAN_FRONTEND=noninteractive

apt-get update -qq
apt-get install -y -qq bubblewrap python3 python3-venv
PYTHON=python3
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    # rnnkit needs Python 3.11 or newer; Ubuntu 22.04 packages it beside its own 3.10.
    apt-get install -y -qq python3.11 python3.11-venv
    PYTHON=python3.11
fi
"$PYTHON" -m venv "$ROOT/venv"
"$ROOT/venv/bin/pip" install --quiet --disable-pip-version-check -r "$KIT/requirements.lock"

# Say in the build log whether student code will be sandboxed here.
PYTHONPATH="$KIT/autograder" "$ROOT/venv/bin/python" -P -m rnnkit.cli isolation ||
    echo "rnnkit: no sandbox on this image: every submission will get a result saying so" \
         "(unless the zip was made with --insecure)"
