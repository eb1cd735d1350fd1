# The two commands of the README, and the steps they are made of. Every target installs what it needs
# (Debian packages through scripts/install-deps.sh) and is safe to run again.

PYTHON      := /usr/bin/python3
BUILD       := build
BUILD_ASAN  := build-asan
VENV        := .venv
JOBS        ?= $(shell nproc)
CMAKE_FLAGS := -DPython_EXECUTABLE=$(PYTHON) -DCMAKE_BUILD_TYPE=Release

.PHONY: all deps build build-asan venv python test test-cpp test-asan test-python demo bench clean

all: build

deps:
	./scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS)

# AddressSanitizer + UBSan build of the library and the C++ tests (no Python extension, no benchmarks).
build-asan: deps
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DEDGEBENCH_SANITIZE=ON \
	      -DEDGEBENCH_BUILD_PYTHON=OFF -DEDGEBENCH_BUILD_BENCH=OFF
	cmake --build $(BUILD_ASAN) -j $(JOBS)

# A virtual environment that sees Debian's python3 packages, with edgebench installed the way users do.
venv: build
	test -x $(VENV)/bin/python || $(PYTHON) -m venv --system-site-packages $(VENV)
	EDGEBENCH_BUILD_DIR=$(CURDIR)/$(BUILD) $(VENV)/bin/pip install --no-build-isolation --no-index \
	      --disable-pip-version-check -q .

test-cpp: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: build-asan
	cd $(BUILD_ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	      ctest --output-on-failure -j $(JOBS)

test-python: venv
	cd tests/python && EDGEBENCH_CLI=$(CURDIR)/$(BUILD)/src/cli/edgebench ../../$(VENV)/bin/python -m pytest -q

test: test-cpp test-python test-asan

demo: build venv
	./scripts/demo.sh $(BUILD) $(VENV)

bench: build venv
	$(VENV)/bin/python bench/preprocess_vs_pil.py --cli $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(VENV) out
