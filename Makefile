# The two commands of the README, and the steps they are made of. Every target installs what it needs
# (Debian packages through scripts/install-deps.sh) and is safe to run again.

PYTHON      := /usr/bin/python3
BUILD       := build
BUILD_ASAN  := build-asan
BUILD_FUZZ  := build-fuzz
# Seconds per fuzz target in `make test` (a smoke run from the seed corpus; long runs: tests/fuzz/README.md).
FUZZ_SECONDS ?= 15
VENV        := .venv
JOBS        ?= $(shell nproc)
CMAKE_FLAGS := -DPython_EXECUTABLE=$(PYTHON) -DCMAKE_BUILD_TYPE=Release

.PHONY: all deps build build-asan venv test test-cpp test-asan test-python test-fuzz demo bench stubs clean

all: build

deps:
	./scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS)

# AddressSanitizer + UBSan build of the library and the C++ tests (no Python extension, no benchmarks).
build-asan: deps
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Sanitize -DEDGEBENCH_SANITIZE=ON \
	      -DEDGEBENCH_BUILD_PYTHON=OFF -DEDGEBENCH_BUILD_BENCH=OFF
	cmake --build $(BUILD_ASAN) -j $(JOBS)

# A virtual environment that sees Debian's python3 packages, with edgebench installed the way users do.
venv: build
	test -x $(VENV)/bin/python || $(PYTHON) -m venv --system-site-packages $(VENV)
	EDGEBENCH_BUILD_DIR=$(CURDIR)/$(BUILD) $(VENV)/bin/pip install --no-build-isolation --no-index \
	      --disable-pip-version-check -q .

test-cpp: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# intercept_tls_get_addr=0: with it, GCC 12's LeakSanitizer crashes at exit ("Tracer caught signal 11") while
# scanning the dynamic TLS of libtorch, which the TorchScript plugin brings in with dlopen.
test-asan: build-asan
	cd $(BUILD_ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:intercept_tls_get_addr=0 UBSAN_OPTIONS=print_stacktrace=1 \
	      ctest --output-on-failure -j $(JOBS)

test-python: venv
	cd tests/python && EDGEBENCH_CLI=$(CURDIR)/$(BUILD)/src/cli/edgebench \
	      EDGEBENCH_EDGE_BIN=$(CURDIR)/$(BUILD)/src/apps/edgebench-edge EDGEBENCH_CLOUD_BIN=$(CURDIR)/$(BUILD)/src/apps/edgebench-cloud \
	      EDGEBENCH_WORKLOAD_BIN=$(CURDIR)/$(BUILD)/src/apps/edgebench-workload ../../$(VENV)/bin/python -m pytest -q

# libFuzzer targets (clang, ASan + UBSan, own build folder) for every parser of outside input, each run
# briefly from its seed corpus in tests/fuzz/corpus/, two at a time; fails on any finding.
test-fuzz: deps
	EDGEBENCH_FUZZ_BUILD=$(CURDIR)/$(BUILD_FUZZ) EDGEBENCH_FUZZ_BUILD_JOBS=$(JOBS) \
	      ./scripts/fuzz.sh --seconds $(FUZZ_SECONDS) --parallel 2

test: test-cpp test-python test-asan test-fuzz

# Rewrite the type stubs python/edgebench/_core.pyi from the built extension (after changing a binding).
stubs: venv
	$(VENV)/bin/python scripts/make_stubs.py

demo: build
	./scripts/demo.sh $(BUILD)

bench: build venv
	$(VENV)/bin/python bench/preprocess_vs_pil.py
	$(VENV)/bin/python bench/evaluator_vs_pycocotools.py
	$(PYTHON) bench/serving_bench.py --build $(BUILD) --original

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ) $(VENV) out
