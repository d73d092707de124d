#!/usr/bin/env bash
# Installs what the platform needs from Debian when it is missing and we are root; otherwise
# prints the exact command to run. Usage: debian-packages.sh base|run|test|ci
#   base: Python's venv module and npm (to build .venv and fetch the front-end assets)
#   run:  base + Chinese fonts          test: run + chromium          ci: test + PostgreSQL 15
set -uo pipefail
purpose=${1:-run}
python=${PYTHON:-python3}
need=()
"$python" -c 'import ensurepip, venv' >/dev/null 2>&1 || need+=(python3-venv)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ "$purpose" != base ]; then
  fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
fi
if [ "$purpose" = test ] || [ "$purpose" = ci ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
fi
if [ "$purpose" = ci ]; then
  [ -x /usr/lib/postgresql/15/bin/pg_ctl ] || need+=(postgresql-15)
fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
    && exit 0
  echo "Could not install ${need[*]}; continuing without them." >&2
else
  echo "Missing Debian packages: ${need[*]}. Install them with:" >&2
  echo "    sudo apt-get install -y ${need[*]}" >&2
  echo "Tests that need them are skipped with this reason." >&2
fi
exit 0
