#!/usr/bin/env bash
# Installs, from Debian's apt only, everything edgebench needs to build, test and run.
# Idempotent: packages already present are skipped, so a second run costs a few seconds.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake pkg-config git ca-certificates
  # C++ libraries
  libtorch-dev libopencv-dev opencv-data pybind11-dev libcurl4-openssl-dev
  nlohmann-json3-dev libcpp-httplib-dev libyaml-cpp-dev libjpeg62-turbo-dev
  # dataset downloads: digests (libcrypto) and zip archives
  libssl-dev libzip-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # fuzzing and sanitizers (clang's libFuzzer runtime)
  clang libclang-rt-14-dev
  # network namespaces for the netns launch backend
  iproute2
  # Python side, for /usr/bin/python3
  python3 python3-dev python3-venv python3-pip python3-setuptools python3-wheel
  python3-numpy python3-pandas python3-matplotlib python3-pytest python3-nbclient
  python3-nbformat python3-ipykernel python3-yaml python3-pil
  python3-torch python3-torchvision python3-pybind11
  # the original study's Flask stack, rebuilt as the yardstick of bench/serving_bench.py --original
  python3-flask python3-requests
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages (${missing[*]}); run as root or install them with apt-get" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
