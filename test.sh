#!/usr/bin/env bash
# Runs every test of the solution on a fresh machine: installs the Node peers the interop tests
# drive (npm ci from the committed lock file), Debian's Chromium, redis-server and nginx for the
# browser, Redis cluster and load-balancer tests, builds
# with warnings as errors, runs each test project, and ends with one line "N passed, N failed"
# (totals over all test runs).
# Exit status is non-zero when anything failed or did not build.
set -uo pipefail
cd "$(dirname "$0")"
root=$(pwd)
results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

fail() { echo "$1" >&2; echo "0 passed, 1 failed"; exit 1; }

command -v dotnet >/dev/null || fail "dotnet (the .NET 10 SDK) is required."
command -v node >/dev/null || fail "node (Node.js 20) is required: the interop tests drive the official npm clients."
command -v npm >/dev/null || fail "npm is required."

# Debian packages the tests start themselves: Chromium (the chat sample's browser test),
# redis-server (the Redis cluster tests, on a free loopback port in a temporary directory) and
# nginx (the load-balancer test, in the foreground with its own configuration in a temporary directory);
# clang and zlib for the native AOT publish of the chat sample (TypedSocketIo.Aot.Tests).
apt_install() { # package, file it provides, what needs it
  [[ -e "$2" ]] && return 0
  echo "==> apt-get install $1 ($3)"
  if [[ $(id -u) -eq 0 ]]; then
    sudo=()
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
  else
    fail "$2 is required by $3: install Debian's $1 package (apt-get install $1) as root, or run ./test.sh as root or with sudo."
  fi
  command -v apt-get >/dev/null || fail "$2 is required by $3 and apt-get is not available to install it."
  if [[ -z ${apt_updated:-} ]]; then
    "${sudo[@]}" apt-get update -qq || fail "apt-get update failed."
    apt_updated=1
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null \
    || fail "apt-get install $1 failed."
  [[ -e "$2" ]] || fail "apt-get installed $1, but $2 is missing."
}
apt_install chromium /usr/bin/chromium "the browser tests"
apt_install redis-server /usr/bin/redis-server "the Redis cluster tests"
apt_install nginx-light /usr/sbin/nginx "the load-balancer test"
apt_install clang /usr/bin/clang "the native AOT test"
apt_install zlib1g-dev /usr/include/zlib.h "the native AOT test"

echo "==> npm ci (tests/node)"
(cd tests/node && npm ci --no-audit --no-fund --loglevel=error) || fail "npm ci failed in tests/node."

echo "==> dotnet build (warnings are errors)"
dotnet build TypedSocketIo.sln -c Release -warnaserror -nologo -v:minimal || fail "The build failed."

passed=0
failed=0
for project in tests/*/*.csproj; do
  name=$(basename "$project" .csproj)
  # Only test projects run; others under tests/ (shared contracts, fixtures) are built above.
  grep -q '<IsTestProject>true</IsTestProject>' "$project" || continue
  echo "==> dotnet test $name"
  dotnet test "$project" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
    --results-directory "$results" -- RunConfiguration.TreatNoTestsAsError=true
  status=$?
  trx="$results/$name.trx"
  if [[ -f "$trx" ]]; then
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
    p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
    f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
    e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters")
    t=$(sed -n 's/.* timeout="\([0-9]*\)".*/\1/p' <<<"$counters")
    a=$(sed -n 's/.* aborted="\([0-9]*\)".*/\1/p' <<<"$counters")
    passed=$((passed + ${p:-0}))
    run_failed=$(( ${f:-0} + ${e:-0} + ${t:-0} + ${a:-0} ))
    # A crashed or empty run that reported no failure still failed.
    if [[ $status -ne 0 && $run_failed -eq 0 ]]; then run_failed=1; fi
    failed=$((failed + run_failed))
  else
    echo "No test results for $name (exit $status)." >&2
    failed=$((failed + 1))
  fi
done

# Name what failed just above the totals, so the last lines of a long log say which tests to look at.
for trx in "$results"/*.trx; do
  [[ -f "$trx" ]] || continue
  grep -o '<UnitTestResult [^>]*outcome="\(Failed\|Error\|Timeout\|Aborted\)"[^>]*>' "$trx" \
    | sed -n 's/.* testName="\([^"]*\)".*/FAILED \1/p' | sed 's/&quot;/"/g; s/&amp;/\&/g; s/&lt;/</g; s/&gt;/>/g'
done

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
