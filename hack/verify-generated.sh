#!/usr/bin/env bash
# Regenerates the deepcopy functions, CRDs and the operator's RBAC into a scratch copy of the tree
# and fails, showing the difference, when they differ from the committed ones.
# (The OpenAPI document has its own drift test in apiserver/web.)
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
tar --exclude=./data --exclude=./.git -cf - . | tar -xf - -C "$scratch"
make -s -C "$scratch" generate-k8s >/dev/null
status=0
for path in config/crd config/rbac charts/pilar/crds operator/api; do
	if ! diff -ru "$path" "$scratch/$path"; then
		status=1
	fi
done
if [ "$status" -ne 0 ]; then
	echo "generated files are out of date: run 'make generate' and commit the result" >&2
fi
exit "$status"
