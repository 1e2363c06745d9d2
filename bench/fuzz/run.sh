#!/usr/bin/env bash
# Long fuzz run: the fuzz tests of tests/TypedSocketIo.Tests (Engine.IO and Socket.IO decoders) and
# tests/TypedSocketIo.Server.Tests (a real server fed mutated frames and handshake queries), each for a
# time budget instead of CI's small case count, from a fresh base seed (printed, so a run reproduces).
#
#   bench/fuzz/run.sh                      every fuzz test, 60 s each, a new seed
#   bench/fuzz/run.sh -s 600               10 minutes per test
#   bench/fuzz/run.sh --seed 12345         the same cases as an earlier run
#   bench/fuzz/run.sh --only decoders      decoders only (or: server)
#   bench/fuzz/run.sh --replay 987654321 --filter Payloads
#                                          one failing case again (its case seed is in the failure)
#
# Exit status is non-zero when a property failed; each failure lists its case seed and input.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=60
seed=$(( ($(date +%s) ^ $$) % 2147483647 ))
only=all
filter=
replay=
build=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    -s|--seconds) seconds=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --filter) filter=$2; shift 2 ;;
    --replay) replay=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "Unknown option $1 (see --help)." >&2; exit 2 ;;
  esac
done

decoders=tests/TypedSocketIo.Tests/TypedSocketIo.Tests.csproj
server=tests/TypedSocketIo.Server.Tests/TypedSocketIo.Server.Tests.csproj
projects=()
[[ $only == all || $only == decoders ]] && projects+=("$decoders|FullyQualifiedName~TypedSocketIo.Tests.Fuzz.")
[[ $only == all || $only == server ]] && projects+=("$server|FullyQualifiedName~ServerFuzzTests")
[[ ${#projects[@]} -gt 0 ]] || { echo "--only takes decoders, server or all." >&2; exit 2; }

export TYPEDSOCKETIO_FUZZ_SECONDS=$seconds
export TYPEDSOCKETIO_FUZZ_SEED=$seed
if [[ -n $replay ]]; then
  export TYPEDSOCKETIO_FUZZ_REPLAY=$replay
  echo "==> replaying case seed $replay"
else
  echo "==> base seed $seed, $seconds s per fuzz test (TYPEDSOCKETIO_FUZZ_SEED=$seed reproduces this run)"
fi

status=0
for entry in "${projects[@]}"; do
  project=${entry%%|*}
  test_filter=${entry#*|}
  [[ -n $filter ]] && test_filter="$test_filter&FullyQualifiedName~$filter"
  if [[ $build -eq 1 ]]; then
    dotnet build "$project" -c Release -nologo -v:minimal
  fi
  echo "==> $(basename "$project" .csproj)"
  # Detailed verbosity prints each test's summary (cases run, seed) as well as the failures.
  dotnet test "$project" -c Release --no-build --nologo --filter "$test_filter" \
    --logger "console;verbosity=detailed" || status=1
done

[[ $status -eq 0 ]] && echo "==> no failure (base seed $seed)" || echo "==> failures above (base seed $seed)" >&2
exit $status
