#!/usr/bin/env bash
# Installs axe-core from the npm registry into a cache directory, once, and
# prints the path of its axe.min.js. The browser tests inject that file into
# every page they check (PILAR_AXE points them at it).
set -euo pipefail

version="${AXE_VERSION:-4.10.3}"
dir="${XDG_CACHE_HOME:-$HOME/.cache}/pilar/axe-core-$version"
js="$dir/node_modules/axe-core/axe.min.js"
if [[ ! -s "$js" ]]; then
	if ! command -v npm >/dev/null 2>&1; then
		echo "hack/axe.sh: npm is missing; install it (apt-get install npm)" >&2
		exit 1
	fi
	echo "hack/axe.sh: installing axe-core $version into $dir" >&2
	mkdir -p "$dir"
	npm install --silent --no-audit --no-fund --prefix "$dir" "axe-core@$version" >&2
fi
echo "$js"
