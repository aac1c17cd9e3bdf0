#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests when it is missing, and
# prints the path of its binary. Needs root (CI runs as root) or a Chromium
# already on the PATH; PILAR_CHROMIUM names another binary.
set -euo pipefail

find_chromium() {
	for c in "${PILAR_CHROMIUM:-}" chromium chromium-browser google-chrome; do
		if [[ -n "$c" ]] && command -v "$c" >/dev/null 2>&1; then
			command -v "$c"
			return 0
		fi
	done
	return 1
}

if bin="$(find_chromium)"; then
	echo "$bin"
	exit 0
fi
if [[ "$(id -u)" != 0 ]]; then
	echo "hack/chromium.sh: Chromium is missing; install it (apt-get install chromium) or run this as root" >&2
	exit 1
fi
echo "hack/chromium.sh: installing Debian's chromium" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2
find_chromium
