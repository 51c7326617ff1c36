#!/bin/sh
# deps.sh: install the Debian packages snd needs to build, test and run its demo.
# As root on Debian or Ubuntu it installs what is missing; otherwise it prints the
# apt-get line to run and fails if something is missing.
set -eu

# Build: a C compiler, make, pkg-config and the libraries libsnd links.
build="gcc make pkg-config libsndfile1-dev libsamplerate0-dev libfftw3-dev libhdf5-dev libpng-dev libopenblas-dev libasound2-dev"
# Tests, demo and examples: sound generators, man page lint, the shells whose completions we
# ship, clang with its sanitizer runtime for make fuzz, and GNU parallel for examples/scale.
tests="python3-h5py python3-numpy sox libsox-fmt-base espeak-ng mandoc man-db bash-completion zsh fish clang libclang-rt-14-dev parallel"

missing=
for p in $build $tests; do
    dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
if [ -z "$missing" ]; then
    echo "deps: everything is installed"
    exit 0
fi
line="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "deps: missing:$missing" >&2
    echo "deps: as root, run: apt-get update && $line" >&2
    exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
