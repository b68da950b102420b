#!/usr/bin/env bash
# The tests (the README's test command): installs what the browser test needs when it is
# missing (Debian's chromium and chromium-driver) and the Python readers the export test reads
# with (from PyPI, into target/export-readers), then runs every test of the workspace.
# Extra arguments go to `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    echo "== installing chromium and chromium-driver for the console's browser test"
    as_root=()
    [ "$(id -u)" -eq 0 ] || as_root=(sudo)
    "${as_root[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# Independent readers of the exports (pysdmx, jsonschema, libhxl), in a virtual environment of
# their own under target/, for tests/tests/exports.rs.
readers=target/export-readers
if [ ! -x "$readers/bin/python" ] || ! cmp -s tests/python/requirements.txt "$readers/requirements.txt"; then
    echo "== installing the export readers of tests/python/requirements.txt in $readers"
    python3 -m venv "$readers"
    "$readers/bin/pip" install --quiet --disable-pip-version-check -r tests/python/requirements.txt
    cp tests/python/requirements.txt "$readers/requirements.txt"
fi
export MIDWA_PYTHON="$PWD/$readers/bin/python"

exec cargo test --workspace --locked "$@"
