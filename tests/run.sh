#!/usr/bin/env bash
# The project's test command (README and CI): installs what the tests need, then runs them all.
set -euo pipefail
cd "$(dirname "$0")/.."

python -m pip install --quiet --disable-pip-version-check -e ".[test]"

# The browser tests drive Debian's chromium through Playwright (Playwright's own browser
# download cannot work offline, so it is never used).
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    fi
fi

mkdir -p test-artifacts
exec python -m pytest "$@"
