#!/usr/bin/env bash
# The whole test suite: installs what the tests need, builds Release, runs every test project,
# and prints one closing line "tests: N passed, N failed, N skipped".
# Extra arguments go to `dotnet test` (for example: --filter "FullyQualifiedName~Proxy").
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"

dotnet build MeshNet.sln -c Release -nologo -clp:ErrorsOnly

status=0
# --blame-hang-timeout turns a hung test into a failure with a dump instead of a stuck CI run.
dotnet test MeshNet.sln -c Release --no-build -nologo \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" \
  --blame-hang-timeout 5m "$@" || status=$?

# The container images cannot be built here (no Docker engine): replay what each Dockerfile publishes. Skipped when
# a filter narrows the run to some tests.
images_failed=0
if [ "$#" -eq 0 ]; then
  bash scripts/check-images.sh || images_failed=1
  # The dashboard bundle is committed: it must be what ui/ builds to.
  bash scripts/build-ui.sh --check || images_failed=1
fi

passed=0 failed=0 skipped=0 total=0 aborted=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  t=$(get total); p=$(get passed); f=$(get failed); e=$(get error)
  total=$((total + ${t:-0})); passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${e:-0}))
  # A test host that crashed or hung leaves its run unsuccessful with its unfinished tests in no counter:
  # such a run counts as one failure.
  if ! grep -q '<ResultSummary outcome="Completed"' "$trx" && [ $((${f:-0} + ${e:-0})) -eq 0 ]; then
    aborted=$((aborted + 1))
    echo "tests: a test run did not complete: $trx" >&2
  fi
done
skipped=$((total - passed - failed))
# CI keeps only the tail of the output: name each failed test (and the first line of its message) down here.
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  # perl-base is part of every Debian install.
  perl -0777 -ne 'while (/<UnitTestResult ([^>]*?outcome="Failed"[^>]*)>(.*?)<\/UnitTestResult>/sg) {
      my ($attrs, $body) = ($1, $2);
      my ($name) = $attrs =~ /testName="([^"]*)"/; my ($took) = $attrs =~ /duration="([^"]*)"/;
      my ($message) = $body =~ /<Message>\s*([^\n<]{0,300})/;
      print "tests: FAILED $name ($took): ", ($message // ""), "\n"; }' "$trx"
done
failed=$((failed + aborted + images_failed))

if [ "$total" -eq 0 ]; then
  echo "tests: no test ran" >&2
  exit 1
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
if [ "$failed" -gt 0 ] && [ "$status" -eq 0 ]; then
  status=1
fi
exit "$status"
