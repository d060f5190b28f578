# loadgate's everyday commands. `make test` is what CI runs (.ci/run).
GO          ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
FUZZTIME    ?= 10s
# Minimizing a new input of a large seed (a result file) can take the fuzzer's
# default 60 s, during which it runs nothing new.
FUZZMINIMIZE ?= 2s
BENCHTIME   ?= 5s

.PHONY: build test test-stress test-deps lint run serve fuzz bench manifests e2e

build:
	$(GO) build -o bin/loadgate ./cmd/loadgate

lint:
	$(GO) mod tidy -diff
	$(GO) vet ./...
	@unformatted=$$(gofmt -l .); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) run $(STATICCHECK) ./...
	scripts/actionlint

test: lint test-deps
	$(GO) test -race ./...

# The Kubernetes manifests on a loopback control plane (e2e/, its own module;
# the first run builds etcd, kube-apiserver and kube-controller-manager, about
# 10 minutes on 2 cores).
e2e:
	e2e/run

# The suite three times under -race beside two CPU burners: a busy CI machine.
test-stress: test-deps
	scripts/test-stress

# chromium and xmllint, for the HTML and JUnit report tests
test-deps:
	scripts/test-deps

run:
	$(GO) run ./cmd/loadgate smoke

# The example manifests in deploy/kubernetes/, rendered from its login.yaml
# (cmd/loadgate's TestDeployManifestsCurrent checks that they are current).
KUBE_EXAMPLE = --shards 3 --image ghcr.io/loadgate/loadgate:latest --run-id example --deadline 30m
manifests:
	$(GO) run ./cmd/loadgate kubernetes job deploy/kubernetes/login.yaml $(KUBE_EXAMPLE) \
		--start-at 2026-12-01T09:00:00Z > deploy/kubernetes/job.yaml
	$(GO) run ./cmd/loadgate kubernetes gate $(KUBE_EXAMPLE) > deploy/kubernetes/gate.yaml

serve:
	$(GO) run ./cmd/loadgate serve

# Every native fuzz target of every package, FUZZTIME each.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "fuzz $$pkg $$target"; \
			$(GO) test $$pkg -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE); \
		done; \
	done

bench:
	BENCHTIME=$(BENCHTIME) bench/run
