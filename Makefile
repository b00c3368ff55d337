# tlsflow — the two commands a fresh machine needs:
#   make run    installs libpcap-dev when missing, builds, analyses the bundled Captures/
#   make test   installs libpcap-dev when missing, runs the whole test suite (what .ci/run calls)

SWIFT      ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
PREFIX     ?= /usr/local
CONFIG     ?= release
BIN         = .build/$(CONFIG)/tlsflow

.PHONY: run test build install deps check-captures bench fuzz hostile-bench format clean docs

deps:
	@if ! pkg-config --exists libpcap 2>/dev/null && [ ! -e /usr/include/pcap/pcap.h ]; then \
		echo "tlsflow: installing libpcap-dev (and pkg-config)"; \
		if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq libpcap-dev pkg-config; \
	fi

build: deps
	$(SWIFT) build -c $(CONFIG) --product tlsflow

# The bundled captures' clients trusted the test PKI in Captures/certs, so tlsflow judges them
# with the same root (and not the machine's bundle), as a user would with --ca-file.
CAPTURE_TRUST = --ca-file Captures/certs/trust-root.pem --no-system-roots

run: build
	$(BIN) $(CAPTURE_TRUST) Captures/
	$(BIN) check $(CAPTURE_TRUST) Captures/

# The unit and capture tests, then every fuzz target for CI_FUZZ_SECONDS (a bounded smoke run
# from the committed corpus; `make fuzz` runs longer). CI_FUZZ_SECONDS=0 skips fuzzing.
CI_FUZZ_SECONDS ?= 20
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	@if [ "$(CI_FUZZ_SECONDS)" -gt 0 ]; then SWIFT=$(SWIFT) FUZZ_SECONDS=$(CI_FUZZ_SECONDS) Fuzz/run.sh; fi

install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/tlsflow

# libFuzzer targets (Fuzz/, a separate package built with -sanitize=fuzzer,address), each run for
# FUZZ_SECONDS seconds from the seed corpus in Fuzz/corpus. See docs/fuzzing.md.
FUZZ_SECONDS ?= 30
fuzz: deps
	SWIFT=$(SWIFT) FUZZ_SECONDS=$(FUZZ_SECONDS) Fuzz/run.sh

# Peak memory on synthetic hostile captures (1M SYN-only connections, one 100 MB connection).
hostile-bench: deps
	$(SWIFT) build -c release --product tlsflow
	Scripts/hostile-bench.sh .build/release/tlsflow

format:
	$(SWIFT) format -i -r Sources Tests Package.swift

clean:
	rm -rf .build

# make bench [BENCH_SIZE=100M|1G] [BENCH_SKIP_TSHARK=1] [BENCH_REPEAT=3]: generates bench-data/bench-$(BENCH_SIZE).pcap
# when missing (needs root for the seed capture), then times tlsflow, ssldump, tshark and a
# libpcap read loop on it; results go to docs/performance.md.
BENCH_SIZE ?= 1G
BENCH_FILE  = bench-data/bench-$(BENCH_SIZE).pcap
BENCH_FLAGS = $(if $(BENCH_SKIP_TSHARK),--skip-tshark,) $(if $(BENCH_REPEAT),--repeat $(BENCH_REPEAT),)

$(BENCH_FILE):
	python3 bench/make-bench-capture.py --size $(BENCH_SIZE)

.build/pcap-floor: bench/pcap-floor.c
	@mkdir -p .build
	cc -O2 -o $@ $< -lpcap

bench: deps
	@command -v /usr/bin/time >/dev/null 2>&1 || [ -x /usr/bin/time ] || { \
		if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get install -y -qq time; }
	$(SWIFT) build -c release --product tlsflow
	$(MAKE) --no-print-directory $(BENCH_FILE) .build/pcap-floor
	python3 bench/run-bench.py $(BENCH_FILE) --tlsflow .build/release/tlsflow $(BENCH_FLAGS)
