#!/usr/bin/env bash
# Installs the build tree into a private prefix, builds examples/cpp against it with find_package(edgebench)
# and runs the example. Fails if any header, the library or the package config is missing from the install.
set -euo pipefail
build_dir=$1
example_dir=$2
cmake=${CMAKE_COMMAND:-cmake}
prefix="$build_dir/test-install/prefix"
example_build="$build_dir/test-install/example"
rm -rf "$prefix" "$example_build"
"$cmake" --install "$build_dir" --prefix "$prefix" > /dev/null
"$cmake" -S "$example_dir" -B "$example_build" -DCMAKE_PREFIX_PATH="$prefix" \
         -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-Release}" > /dev/null
"$cmake" --build "$example_build" -j 2 > /dev/null
output=$("$example_build/edgebench_example" "$build_dir/test-install/synthetic")
echo "$output"
# The built-in model must come from the installed package, not from the source tree.
case "$output" in
  *"builtin detector ($prefix/"*) ;;
  *) echo "the built-in model was not found in the install prefix $prefix" >&2; exit 1 ;;
esac
# ... and the TorchScript plugin that ran it must be the installed one, beside the installed library.
library=$(find "$prefix" -name 'libedgebench.so.*' -type f | head -1)
if [[ ! -f "$(dirname "$library")/libedgebench_torch.so" ]]; then
  echo "libedgebench_torch.so is not installed beside $library" >&2
  exit 1
fi
