#!/usr/bin/env bash
# Compile frontend/src/main.css (Tailwind CSS v4 + DADS theme) into the
# committed, minified src/machikoba/web/static/machikoba/css/machikoba.css.
#
# Usage: scripts/build_css.sh [OUTPUT]
#   OUTPUT  where to write the CSS (default: the committed file above);
#           scripts/check_css.sh passes a temp file so both use one command.
#
# Installs frontend/node_modules with `npm ci` (from package-lock.json) when it
# is missing or was installed from a different package-lock.json.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
frontend="$repo_root/frontend"
default_out="$repo_root/src/machikoba/web/static/machikoba/css/machikoba.css"
out="${1:-$default_out}"
case "$out" in
  /*) ;;
  *) out="$PWD/$out" ;;
esac

for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "build_css.sh: $tool not found: install Node.js (with npm) to build the CSS" >&2
    exit 1
  fi
done

cd "$frontend"

# Fingerprint of the lock file the current node_modules was installed from.
lock_hash="$(node -e 'const c=require("crypto"),f=require("fs");process.stdout.write(c.createHash("sha256").update(f.readFileSync("package-lock.json")).digest("hex"))')"
stamp="node_modules/.machikoba-lock.sha256"
if [[ ! -x node_modules/.bin/tailwindcss || ! -f "$stamp" || "$(cat "$stamp")" != "$lock_hash" ]]; then
  echo "build_css.sh: installing frontend dependencies (npm ci)" >&2
  # --ignore-scripts: nothing here needs an install script (native parts come
  # as prebuilt npm packages), so none may fetch anything from elsewhere.
  npm ci --no-audit --no-fund --ignore-scripts >&2
  printf '%s' "$lock_hash" >"$stamp"
fi

mkdir -p "$(dirname "$out")"
node_modules/.bin/tailwindcss --input src/main.css --output "$out" --minify
