# Pilar's make targets. The two a newcomer needs: `make run` and `make test`.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c

CONTROLLER_GEN ?= go run sigs.k8s.io/controller-tools/cmd/controller-gen@v0.23.0
GO_TEST_FLAGS ?= -count=1 -timeout 30m

.PHONY: run test e2e browser check fmt vet generate generate-k8s verify-generated envtest bench fuzz

## run: the API server on its embedded default (SQLite per region, tenants/*.yaml).
run:
	go run ./apiserver

## test: every quality gate and every test, with the servers the tests start themselves
## (./... includes the end-to-end tests of `make e2e`).
test: check browser
	KUBEBUILDER_ASSETS="$$(hack/envtest-binaries.sh | tail -n 1)" PILAR_CHROMIUM="$$(hack/chromium.sh | tail -n 1)" \
		PILAR_AXE="$$(hack/axe.sh | tail -n 1)" go test $(GO_TEST_FLAGS) ./...

## e2e: the end-to-end tests only: the programs built and run as a person or a cluster
## runs them (a real kube-apiserver and PostgreSQL for the cluster mode), used over HTTP.
e2e: browser
	KUBEBUILDER_ASSETS="$$(hack/envtest-binaries.sh | tail -n 1)" PILAR_CHROMIUM="$$(hack/chromium.sh | tail -n 1)" \
		PILAR_AXE="$$(hack/axe.sh | tail -n 1)" go test $(GO_TEST_FLAGS) ./e2e/...

## browser: Debian's Chromium (apt-get, when missing) and axe-core (npm, into
## ~/.cache/pilar) for the browser tests, which write their screenshots to screenshots/.
browser:
	hack/chromium.sh
	hack/axe.sh

## check: formatting, vet and generated files up to date.
check: fmt vet verify-generated

fmt:
	@out="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"; \
	if [ -n "$$out" ]; then echo "gofmt: these files need formatting:"; echo "$$out"; exit 1; fi

vet:
	go vet ./...

## generate: deepcopy functions, the CRD and the operator's RBAC from the Go code, and the OpenAPI document from routes.
generate: generate-k8s
	go test ./apiserver/web -run OpenAPIDocument -update

generate-k8s:
	$(CONTROLLER_GEN) object paths=./operator/api/...
	$(CONTROLLER_GEN) crd paths=./operator/api/... output:crd:artifacts:config=config/crd/bases
	$(CONTROLLER_GEN) rbac:roleName=pilar-operator paths=./operator/... output:rbac:artifacts:config=config/rbac
	cp config/crd/bases/*.yaml charts/pilar/crds/

## verify-generated: fails when the generated files differ from what `make generate` writes.
verify-generated:
	hack/verify-generated.sh

## envtest: build (once, cached) the kube-apiserver and etcd the operator tests run against.
envtest:
	hack/envtest-binaries.sh

## bench: the benchmark suite (bench/), which writes BENCHMARKS.md and benchmarks.json: one API server
## serving all 514 regions against a bare baseline, its footprint, the operator onboarding and
## resyncing them, and the Go benchmarks of enforcement, authorization and the audit log.
## BENCH_QUICK=1 make bench: the 15 largest regions and short runs, under two minutes.
bench:
	KUBEBUILDER_ASSETS="$$(hack/envtest-binaries.sh | tail -n 1)" go run ./bench/cmd/pilarbench

## fuzz: a short run of every fuzz target.
fuzz:
	go test ./operator/api/v1alpha1 -run '^$$' -fuzz FuzzParseAreasCSV -fuzztime 30s
	go test ./apiserver/tenancy -run '^$$' -fuzz FuzzParseManifest -fuzztime 30s
	go test ./policies -run '^$$' -fuzz FuzzParseOverrides -fuzztime 30s
	go test ./policies -run '^$$' -fuzz FuzzParseSet -fuzztime 30s
