#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang, ASan + UBSan, in build-fuzz/) and runs each for a
# bounded time from its seed corpus in tests/fuzz/corpus/<target>/. New interesting inputs go to a scratch
# corpus (build-fuzz/fuzz-runs/<target>/corpus, kept between runs so that a later run goes on from there),
# never into the repository unless --merge is given. Prints executions per second, coverage and the result
# of each target, and exits non-zero when any target found something (crash, sanitizer report, uncaught
# exception, timeout, leak, out-of-memory); the input that did it is in build-fuzz/fuzz-runs/<target>/.
#
#   scripts/fuzz.sh [--seconds N] [--jobs J] [--parallel P] [--merge] [--no-build] [TARGET...]
#
#   --seconds N    fuzzing time per target (default 60)
#   --jobs J       libFuzzer processes per target (default 1; J > 1 uses libFuzzer's -fork=J)
#   --parallel P   targets fuzzed at the same time (default 1)
#   --merge        afterwards, add the scratch corpus's new coverage to tests/fuzz/corpus/<target>/
#   --no-build     use the targets already built
#   TARGET         names as in tests/fuzz/fuzz_<name>.cpp (default: all); --list prints them
#
# Environment: EDGEBENCH_FUZZ_BUILD (build folder, default build-fuzz), CC/CXX (default clang/clang++).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${EDGEBENCH_FUZZ_BUILD:-$root/build-fuzz}
seconds=60
jobs=1
parallel=1
merge=0
do_build=1

all_targets() {
    local file
    for file in "$root"/tests/fuzz/fuzz_*.cpp; do
        file=${file##*/fuzz_}
        echo "${file%.cpp}"
    done
}

die() {
    echo "fuzz.sh: $*" >&2
    exit 2
}

targets=()
while [[ $# -gt 0 ]]; do
    case $1 in
        --seconds) seconds=${2:?}; shift 2 ;;
        --jobs) jobs=${2:?}; shift 2 ;;
        --parallel) parallel=${2:?}; shift 2 ;;
        --merge) merge=1; shift ;;
        --no-build) do_build=0; shift ;;
        --list) all_targets; exit 0 ;;
        -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) targets+=("$1"); shift ;;
    esac
done
[[ $seconds =~ ^[0-9]+$ && $seconds -gt 0 ]] || die "--seconds needs a positive whole number"
[[ $jobs =~ ^[0-9]+$ && $jobs -gt 0 ]] || die "--jobs needs a positive whole number"
[[ $parallel =~ ^[0-9]+$ && $parallel -gt 0 ]] || die "--parallel needs a positive whole number"
known=$(all_targets)
[[ ${#targets[@]} -gt 0 ]] || mapfile -t targets <<<"$known"
for target in "${targets[@]}"; do
    grep -qx -- "$target" <<<"$known" || die "unknown target '$target'; known: $(echo $known)"
done

if [[ $do_build == 1 ]]; then
    export CC=${CC:-clang} CXX=${CXX:-clang++}
    mkdir -p "$build"
    cmake -S "$root" -B "$build" -DEDGEBENCH_FUZZ=ON -DCMAKE_BUILD_TYPE=Fuzz \
          -DEDGEBENCH_BUILD_TESTS=OFF -DEDGEBENCH_BUILD_PYTHON=OFF -DEDGEBENCH_BUILD_BENCH=OFF \
          -DEDGEBENCH_BUILD_CLI=OFF >"$build/fuzz-configure.log" 2>&1 \
        || { cat "$build/fuzz-configure.log" >&2; die "configuring $build failed"; }
    cmake --build "$build" -j "${EDGEBENCH_FUZZ_BUILD_JOBS:-$(nproc)}" \
          --target "${targets[@]/#/fuzz_}" >"$build/fuzz-build.log" 2>&1 \
        || { tail -50 "$build/fuzz-build.log" >&2; die "building the fuzz targets failed (log: $build/fuzz-build.log)"; }
fi

# Longest input per target: images and HTTP requests need room for a picture; text formats stay small,
# which keeps the fuzzer on their structure.
max_len() {
    case $1 in
        image|http) echo 65536 ;;
        coco_dataset|coco_results|experiment|infer_json|csv) echo 8192 ;;
        *) echo 4096 ;;
    esac
}

# Runs one target; writes its log and a one-line result to fuzz-runs/<target>/.
fuzz_one() {
    local target=$1
    local work=$build/fuzz-runs/$target
    local seeds=$root/tests/fuzz/corpus/$target
    mkdir -p "$work/corpus" "$work/artifacts" "$seeds"
    rm -f "$work/artifacts/"* "$work/result"
    local args=(-max_total_time="$seconds" -timeout=25 -rss_limit_mb=2560 -max_len="$(max_len "$target")"
                -print_final_stats=1 -artifact_prefix="$work/artifacts/")
    [[ -f $root/tests/fuzz/$target.dict ]] && args+=(-dict="$root/tests/fuzz/$target.dict")
    [[ $jobs -gt 1 ]] && args+=(-fork="$jobs" -ignore_crashes=0)
    local started=$SECONDS status=0
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
        "$build/tests/fuzz/fuzz_$target" "${args[@]}" "$work/corpus" "$seeds" >"$work/log" 2>&1 || status=$?
    local elapsed=$((SECONDS - started))
    if [[ $merge == 1 && $status == 0 ]]; then
        "$build/tests/fuzz/fuzz_$target" -merge=1 -max_len="$(max_len "$target")" "$seeds" "$work/corpus" \
            >"$work/merge.log" 2>&1 || true
    fi

    # libFuzzer's status lines: "#123 ... cov: 456 ft: 789 corp: 12/3456b ... exec/s: 100 ...".
    local last execs cov ft corp rate
    last=$(grep -E '^#[0-9]+.*cov: ' "$work/log" | tail -1 || true)
    execs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$work/log" | grep -oE '[0-9]+$' || true)
    [[ -n $execs ]] || execs=$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$last")
    rate=$(grep -oE 'stat::average_exec_per_sec: [0-9]+' "$work/log" | grep -oE '[0-9]+$' || true)
    [[ -n $rate || -z $execs || $elapsed == 0 ]] || rate=$((execs / elapsed))
    cov=$(grep -oE 'cov: [0-9]+' <<<"$last" | grep -oE '[0-9]+' || true)
    ft=$(grep -oE 'ft: [0-9]+' <<<"$last" | grep -oE '[0-9]+' || true)
    corp=$(grep -oE 'corp: [0-9]+' <<<"$last" | grep -oE '[0-9]+' || true)
    local result=ok
    if [[ $status != 0 ]]; then
        result="FAILED: $(grep -m1 -oE 'ERROR: [A-Za-z]+: [^ ]+|fuzz property violated: .*|exception other than .*|deadly signal|ERROR: libFuzzer: [a-z-]+' "$work/log" || echo "exit status $status")"
        local artifact
        for artifact in "$work/artifacts/"*; do
            [[ -e $artifact ]] && result+=" (input: ${artifact#$root/})"
        done
    fi
    printf '%-18s %6s %12s %8s %7s %7s %7s  %s\n' "$target" "$elapsed" "${execs:--}" "${rate:--}" "${corp:--}" \
        "${cov:--}" "${ft:--}" "$result" >"$work/result"
    echo "fuzz.sh: $target done: $result" >&2
}

echo "fuzz.sh: ${#targets[@]} target(s), ${seconds}s each, $jobs process(es) per target, $parallel at a time" >&2
running=0
for target in "${targets[@]}"; do
    if [[ $running -ge $parallel ]]; then
        wait -n || true
        running=$((running - 1))
    fi
    fuzz_one "$target" &
    running=$((running + 1))
done
wait

failed=0
printf '%-18s %6s %12s %8s %7s %7s %7s  %s\n' target seconds execs exec/s corpus cov ft result
for target in "${targets[@]}"; do
    line=$(cat "$build/fuzz-runs/$target/result" 2>/dev/null || echo "$target (no result)")
    echo "$line"
    [[ $line == *" ok" ]] || failed=1
done
if [[ $failed != 0 ]]; then
    echo "fuzz.sh: findings above; logs in $build/fuzz-runs/<target>/log" >&2
fi
exit $failed
