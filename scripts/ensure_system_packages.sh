#!/usr/bin/env bash
# The test suite needs two Debian packages: Chromium for the browser tests
# (/usr/bin/chromium, with a Japanese font for screenshots) and gettext for the
# translation-completeness check. Install them when missing and we may (root or
# sudo); otherwise say so. In CI a missing package fails.
set -euo pipefail
# npm rebuilds the CSS for the check that the committed CSS is current.
if [ -x /usr/bin/chromium ] && command -v xgettext >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  exit 0
fi
packages=(chromium fonts-ipafont-gothic gettext)
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
if [ "$(id -u)" = "0" ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
fi
missing=0
if [ ! -x /usr/bin/chromium ]; then
  echo "Chromium is not installed (apt-get install chromium): browser tests will be skipped." >&2
  missing=1
fi
if ! command -v xgettext >/dev/null 2>&1; then
  echo "gettext is not installed (apt-get install gettext): untranslated strings are not detected." >&2
  missing=1
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "npm is not installed (apt-get install nodejs npm): the compiled-CSS check is skipped." >&2
  missing=1
fi
if [ "$missing" = 1 ] && [ "${CI:-}" = "true" ]; then
  exit 1
fi
exit 0
