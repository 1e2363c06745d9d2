#!/usr/bin/env bash
# Runs the msgpack decoder's fuzz tests longer than the test suite does.
#   tests/fuzz-msgpack.sh [iterations per test, default 1000000] [seed, default: the date]
set -euo pipefail
cd "$(dirname "$0")/.."
export MSGPACK_FUZZ_ITERATIONS="${1:-1000000}"
export MSGPACK_FUZZ_SEED="${2:-$(date +%Y%m%d)}"
echo "msgpack fuzz: $MSGPACK_FUZZ_ITERATIONS iterations per test, seed $MSGPACK_FUZZ_SEED"
dotnet build tests/TypedSocketIo.Tests/TypedSocketIo.Tests.csproj -c Release -nologo -v:minimal
dotnet test tests/TypedSocketIo.Tests/TypedSocketIo.Tests.csproj -c Release --no-build --filter "FullyQualifiedName~MsgPackFuzzTests"
