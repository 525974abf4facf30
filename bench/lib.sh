# Shared by run-dataplane.sh and run-controlplane.sh: tool installation, Release builds, process-group cleanup.

# Installs the Debian packages that provide the given commands ("cmd:package" pairs) when a command is missing.
bench_require() {
  local missing=()
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing from Debian: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Builds Release; a project that does not build yet (the mesh under construction) is reported, not fatal.
bench_build() {
  for project in "$@"; do
    echo "building $project (Release)"
    if ! dotnet build -c Release --nologo -v quiet "$project" >"$BENCH_BUILD_LOG" 2>&1; then
      echo "warning: $project does not build; see $BENCH_BUILD_LOG" >&2
      tail -5 "$BENCH_BUILD_LOG" >&2
    fi
  done
}

# Runs a command in its own process group and kills the whole group when this script exits, even on failure or ^C.
bench_run_group() {
  setsid "$@" &
  BENCH_PGID=$!
  trap 'kill -TERM -- -"$BENCH_PGID" 2>/dev/null || true; sleep 1; kill -KILL -- -"$BENCH_PGID" 2>/dev/null || true' EXIT
  trap 'exit 130' INT TERM
  local status=0
  wait "$BENCH_PGID" || status=$?
  bench_scrub_paths
  return "$status"
}

# Results record the command lines they ran; keep them relative to the repository, so they name no machine's folders.
bench_scrub_paths() {
  sed -i "s#$(pwd)/##g" bench/results/*.json bench/results/*.md 2>/dev/null || true
}
