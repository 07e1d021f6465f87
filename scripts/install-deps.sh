#!/usr/bin/env bash
# Install whatever Fab needs that this Debian/Ubuntu machine lacks, from Debian's packages.
# Used by `make demo`, `make test` and .ci/run, so that every entry point installs the same set.
# Runs apt-get only when a package is missing; uses sudo when not root.
set -euo pipefail

packages=(
  build-essential pkg-config meson ninja-build re2c bison
  llvm-19-dev clang-19 libclang-rt-19-dev
  check libxxhash-dev librandom123-dev
  python3
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
