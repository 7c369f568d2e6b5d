#!/usr/bin/env bash
# Installs what the project needs on a Debian machine that has Node and npm: Deno (from
# npm, pinned) and the Debian packages the grader, the portal and the test suite use; with
# --tests, also the packages only the test suite uses. Idempotent: it installs only what is
# missing, so a second run takes a fraction of a second.
set -euo pipefail

DENO_VERSION=2.9.6
# bubblewrap: the grader's sandbox; postgresql: the store's tests start a throwaway server;
# chromium: the portal's browser tests (driven by playwright-core; never a downloaded browser).
APT_PACKAGES=(bubblewrap postgresql chromium)
# mesa-vulkan-drivers: lavapipe, a software Vulkan adapter on which the reference core's
# WebGPU tests run (see the test task in deno.json). Only with --tests: on a machine with a
# Vulkan driver, looking for a GPU makes libwayland print an error line where no
# XDG_RUNTIME_DIR is set, and the grader and the portal do not need one.
if [ "${1:-}" = "--tests" ]; then
  APT_PACKAGES+=(mesa-vulkan-drivers)
elif [ $# -gt 0 ]; then
  echo "Usage: bash scripts/install.sh [--tests]" >&2
  exit 2
fi

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! deno --version 2>/dev/null | grep -q "^deno ${DENO_VERSION} "; then
  echo "Installing Deno ${DENO_VERSION} from npm…" >&2
  npm install --global --no-fund --no-audit --loglevel=error "deno@${DENO_VERSION}" >&2
  hash -r
fi

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing ${missing[*]} with apt…" >&2
  export DEBIAN_FRONTEND=noninteractive
  sudo_if_needed apt-get update -qq >&2
  sudo_if_needed apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
