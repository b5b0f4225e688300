#!/usr/bin/env bash
# Installs the Debian 12 packages sloe needs to build, test and run its demo.
# Only what is missing is installed; run as root (or with sudo available).
#   scripts/install-deps.sh          build + run dependencies
#   scripts/install-deps.sh --test   also the real peers the test suite runs against
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libgtest-dev libgmock-dev
  prometheus-cpp-dev libcpp-httplib-dev libyaml-cpp-dev libspdlog-dev libhowardhinnant-date-dev
  libsqlite3-dev nlohmann-json3-dev libcli11-dev libcurl4-openssl-dev libssl-dev libmstch-dev
  ca-certificates openssl curl
)
if [[ "${1:-}" == "--test" ]]; then
  # Real peers: promtool checks our /metrics exposition; amtool judges our routing decisions.
  # xmllint checks that exported postmortem HTML is well-formed.
  packages+=(prometheus prometheus-alertmanager libxml2-utils)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
