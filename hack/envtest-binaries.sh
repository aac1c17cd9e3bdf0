#!/usr/bin/env bash
# Builds the kube-apiserver and etcd binaries that envtest
# (sigs.k8s.io/controller-runtime/pkg/envtest) needs, from Go modules only,
# and caches them.
#
# Nothing is downloaded except Go modules (through the normal Go module
# proxy / GOPROXY settings): no setup-envtest, no release tarballs.
#
# The Kubernetes version is derived from the k8s.io/client-go requirement in
# the repository's go.mod (k8s.io/client-go v0.X.Y -> Kubernetes v1.X.Y).
# The etcd server version is pinned below.
#
# Usage:
#   KUBEBUILDER_ASSETS=$(hack/envtest-binaries.sh | tail -1) go test ./...
#
# The last line of stdout is the directory holding kube-apiserver and etcd;
# all progress output goes to stderr.
#
# Environment:
#   PILAR_CACHE_DIR            cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/pilar)
#   PILAR_ENVTEST_K8S_VERSION  override the Kubernetes version (e.g. v1.37.2)
#   PILAR_ENVTEST_ETCD_VERSION override the etcd version (e.g. v3.7.3)
#   GO                         go command to use (default: go)
set -euo pipefail

# etcd server version. Kubernetes 1.37 is built and tested against etcd 3.7
# (build/dependencies.yaml and kubeadm's DefaultEtcdVersion say 3.7.0); we use
# the newest 3.7 patch release.
ETCD_VERSION_DEFAULT="v3.7.3"

GO="${GO:-go}"

log() { printf 'envtest-binaries: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

command -v "$GO" >/dev/null 2>&1 || die "'$GO' not found in PATH; install Go (see go.mod for the required version)"

# --- versions ---------------------------------------------------------------

k8s_version="${PILAR_ENVTEST_K8S_VERSION:-}"
if [[ -z "$k8s_version" ]]; then
	[[ -f "$repo_root/go.mod" ]] || die "no go.mod in $repo_root"
	# Handles both the block form ("\tk8s.io/client-go v0.37.2 // indirect")
	# and the single-line form ("require k8s.io/client-go v0.37.2").
	client_go_version="$(awk '
		$1 == "k8s.io/client-go" { print $2; exit }
		$1 == "require" && $2 == "k8s.io/client-go" { print $3; exit }
	' "$repo_root/go.mod")"
	[[ -n "$client_go_version" ]] || die "k8s.io/client-go is not required in $repo_root/go.mod; set PILAR_ENVTEST_K8S_VERSION"
	if [[ "$client_go_version" =~ ^v0\.([0-9]+)\.([0-9]+)$ ]]; then
		k8s_version="v1.${BASH_REMATCH[1]}.${BASH_REMATCH[2]}"
	else
		die "cannot map k8s.io/client-go $client_go_version to a Kubernetes release; set PILAR_ENVTEST_K8S_VERSION"
	fi
fi
[[ "$k8s_version" =~ ^v1\.([0-9]+)\.([0-9]+)$ ]] || die "unsupported Kubernetes version '$k8s_version' (want v1.X.Y)"
k8s_minor="${BASH_REMATCH[1]}"
k8s_patch="${BASH_REMATCH[2]}"
staging_version="v0.${k8s_minor}.${k8s_patch}"

etcd_version="${PILAR_ENVTEST_ETCD_VERSION:-$ETCD_VERSION_DEFAULT}"
[[ "$etcd_version" =~ ^v3\.[0-9]+\.[0-9]+$ ]] || die "unsupported etcd version '$etcd_version' (want v3.X.Y)"

cache_root="${PILAR_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pilar}"
out_dir="$cache_root/envtest/k8s-${k8s_version}-etcd-${etcd_version}"

# --- cache check ------------------------------------------------------------

binaries_ok() {
	local apiserver_out etcd_out
	[[ -x "$out_dir/kube-apiserver" && -x "$out_dir/etcd" ]] || return 1
	apiserver_out="$("$out_dir/kube-apiserver" --version 2>/dev/null)" || return 1
	etcd_out="$("$out_dir/etcd" --version 2>/dev/null)" || return 1
	[[ "$apiserver_out" == *"$k8s_version"* ]] || return 1
	[[ "$etcd_out" == *"${etcd_version#v}"* ]] || return 1
}

if binaries_ok; then
	log "using cached binaries (Kubernetes $k8s_version, etcd $etcd_version)"
	printf '%s\n' "$out_dir"
	exit 0
fi

mkdir -p "$out_dir"

# Serialise concurrent invocations (e.g. several test binaries started by
# `go test ./...` at once): only one builds, the others wait and reuse.
locked=0
if command -v flock >/dev/null 2>&1; then
	exec 9>"$out_dir/.lock"
	if ! flock -n 9; then
		log "another build holds $out_dir/.lock; waiting for it"
		flock 9
	fi
	locked=1
else
	log "warning: flock not found; concurrent builds are not serialised (results are still installed atomically)"
fi

# Another invocation may have finished the build while we waited.
if binaries_ok; then
	log "using cached binaries (Kubernetes $k8s_version, etcd $etcd_version)"
	printf '%s\n' "$out_dir"
	exit 0
fi

# Holding the lock, leftovers of an interrupted build are ours to remove.
if [[ "$locked" == 1 ]]; then
	rm -f "$out_dir"/.kube-apiserver.tmp.* "$out_dir"/.etcd.tmp.*
fi

work_dir="$(mktemp -d "${TMPDIR:-/tmp}/pilar-envtest.XXXXXX")"
tmp_apiserver="$out_dir/.kube-apiserver.tmp.$$"
tmp_etcd="$out_dir/.etcd.tmp.$$"
cleanup() {
	# Module cache files are read-only; make them removable first (in case
	# GOMODCACHE ever ends up inside work_dir).
	chmod -R u+w "$work_dir" 2>/dev/null || true
	rm -rf "$work_dir"
	rm -f "$tmp_apiserver" "$tmp_etcd"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Build environment for the throwaway modules: static binaries for the host,
# module mode, no workspace, go.mod/go.sum updated on the fly.
go_env=(
	env -u GOOS -u GOARCH
	GO111MODULE=on
	GOWORK=off
	GOFLAGS=-mod=mod
	CGO_ENABLED=0
)

# --- kube-apiserver ---------------------------------------------------------

build_kube_apiserver() {
	local mod_dir="$work_dir/kube-apiserver"
	mkdir -p "$mod_dir"
	cd "$mod_dir"

	log "fetching k8s.io/kubernetes@$k8s_version"
	local dl_json gomod_file info_file
	dl_json="$("${go_env[@]}" "$GO" mod download -json "k8s.io/kubernetes@$k8s_version")" ||
		die "go mod download k8s.io/kubernetes@$k8s_version failed"
	gomod_file="$(sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p' <<<"$dl_json")"
	info_file="$(sed -n 's/^[[:space:]]*"Info": "\(.*\)",\{0,1\}$/\1/p' <<<"$dl_json")"
	[[ -f "$gomod_file" ]] || die "could not locate go.mod of k8s.io/kubernetes@$k8s_version"

	"${go_env[@]}" "$GO" mod init pilar.local/envtest-kube-apiserver >/dev/null 2>&1
	"${go_env[@]}" "$GO" mod edit -require="k8s.io/kubernetes@$k8s_version"

	# k8s.io/kubernetes requires its staging modules (k8s.io/api, ...) at
	# v0.0.0 and replaces them with ./staging/src/... directories, which are
	# not part of its module zip. Replace each with its published version.
	local staging_modules
	staging_modules="$(awk '
		$1 == "require" { $1 = ""; $0 = substr($0, 2) }
		$1 ~ /^k8s\.io\// && $2 == "v0.0.0" { print $1 }
	' "$gomod_file" | sort -u)"
	[[ -n "$staging_modules" ]] || die "found no k8s.io/* v0.0.0 requirements in $gomod_file"
	local edits=() m
	while IFS= read -r m; do
		edits+=("-replace=$m=$m@$staging_version")
	done <<<"$staging_modules"
	"${go_env[@]}" "$GO" mod edit "${edits[@]}"
	log "replacing $(wc -l <<<"$staging_modules") staging modules with $staging_version"

	local build_date=""
	if [[ -f "$info_file" ]]; then
		build_date="$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$info_file")"
	fi
	[[ -n "$build_date" ]] || build_date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"

	local ldflags="-s -w" pkg
	for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
		ldflags+=" -X $pkg.gitVersion=$k8s_version"
		ldflags+=" -X $pkg.gitMajor=1"
		ldflags+=" -X $pkg.gitMinor=$k8s_minor"
		ldflags+=" -X $pkg.gitTreeState=clean"
		ldflags+=" -X $pkg.buildDate=$build_date"
	done

	log "building kube-apiserver $k8s_version (a cold build takes several minutes)"
	"${go_env[@]}" "$GO" build -trimpath -ldflags "$ldflags" -o "$tmp_apiserver" \
		k8s.io/kubernetes/cmd/kube-apiserver ||
		die "building kube-apiserver $k8s_version failed (see the go errors above)"
	"$tmp_apiserver" --version >&2 || die "built kube-apiserver does not run"
	mv -f "$tmp_apiserver" "$out_dir/kube-apiserver"
}

# --- etcd -------------------------------------------------------------------

build_etcd() {
	local mod_dir="$work_dir/etcd"
	mkdir -p "$mod_dir"
	cd "$mod_dir"

	"${go_env[@]}" "$GO" mod init pilar.local/envtest-etcd >/dev/null 2>&1
	cat >main.go <<'EOF'
// Command etcd is a build of the upstream etcd server.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
EOF
	"${go_env[@]}" "$GO" mod edit -require="go.etcd.io/etcd/server/v3@$etcd_version"

	log "building etcd $etcd_version"
	"${go_env[@]}" "$GO" build -trimpath -ldflags "-s -w" -o "$tmp_etcd" . ||
		die "building etcd $etcd_version failed (see the go errors above)"
	"$tmp_etcd" --version >&2 || die "built etcd does not run"
	mv -f "$tmp_etcd" "$out_dir/etcd"
}

start=$SECONDS
if ! { [[ -x "$out_dir/kube-apiserver" ]] && "$out_dir/kube-apiserver" --version 2>/dev/null | grep -qF "$k8s_version"; }; then
	(build_kube_apiserver)
fi
if ! { [[ -x "$out_dir/etcd" ]] && "$out_dir/etcd" --version 2>/dev/null | grep -qF "${etcd_version#v}"; }; then
	(build_etcd)
fi

binaries_ok || die "binaries in $out_dir do not work after building"
log "built binaries in $((SECONDS - start))s into $out_dir"
printf '%s\n' "$out_dir"
