#!/usr/bin/env bash
# Create .venv at the repository root and install the project with its test tools.
# Idempotent: re-running after a change to pyproject.toml reinstalls, otherwise it is a no-op.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
stamp=".venv/.remedy-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".[dev]"
    echo "$want" > "$stamp"
fi

# The browser tests (tests/browser) drive Debian's Chromium with Playwright (no browser
# download); Korean labels in their screenshots need a CJK font. Best effort only: where
# apt-get is missing, not root (and no password-less sudo) or failing, setup still
# succeeds and those tests skip with the reason. REMEDY_SETUP_APT=0 skips this step.
korean_font() { command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=ko 2>/dev/null)" ]; }
if [ "${REMEDY_SETUP_APT:-1}" != 0 ] && { [ ! -x /usr/bin/chromium ] || ! korean_font; }; then
    as_root=""
    if [ "$(id -u)" != 0 ]; then
        as_root="sudo -n"
        $as_root true 2>/dev/null || as_root="unavailable"
    fi
    if [ "$as_root" != unavailable ] && command -v apt-get >/dev/null 2>&1; then
        if ! { $as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
                && $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
                    --no-install-recommends chromium fonts-noto-cjk; } >/dev/null 2>&1; then
            echo "setup: apt-get could not install chromium fonts-noto-cjk;" \
                "the browser tests will skip" >&2
        fi
    else
        echo "setup: no apt-get as root to install chromium fonts-noto-cjk;" \
            "the browser tests will skip" >&2
    fi
fi
