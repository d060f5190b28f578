# loadgate's everyday commands. `make test` is what CI runs (.ci/run).
GO          ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
FUZZTIME    ?= 10s
# Minimizing a new input of a large seed (a result file) can take the fuzzer's
# default 60 s, during which it runs nothing new.
FUZZMINIMIZE ?= 2s
BENCHTIME   ?= 5s

.PHONY: build test test-stress test-deps lint run serve fuzz bench

build:
	$(GO) build -o bin/loadgate ./cmd/loadgate

lint:
	$(GO) mod tidy -diff
	$(GO) vet ./...
	@unformatted=$$(gofmt -l .); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) run $(STATICCHECK) ./...

test: lint test-deps
	$(GO) test -race ./...

# The suite three times under -race beside two CPU burners: a busy CI machine.
test-stress: test-deps
	scripts/test-stress

# chromium and xmllint, for the HTML and JUnit report tests
test-deps:
	scripts/test-deps

run:
	$(GO) run ./cmd/loadgate smoke

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
