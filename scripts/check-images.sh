#!/usr/bin/env bash
# No Docker engine runs in CI, so this replays what each Dockerfile's build stage does: its COPY instructions into an
# empty directory (so a file the build needs but does not copy fails here too), then its RUN dotnet restore/publish
# lines exactly, with /app mapped to a temporary directory; then checks that the ENTRYPOINT's dll was published.
# The blog sample's image is checked the same way. Lints the Dockerfiles with dockerfile-utils (npm) when npm is available; hadolint is not on the reachable registries.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0

lint() {
  if ! command -v npm >/dev/null; then
    echo "images: lint skipped (npm not found)"
    return
  fi
  local tools="$root/artifacts/tools/dockerfile-utils"
  if [ ! -x "$tools/node_modules/.bin/dockerfile-utils" ]; then
    npm install --silent --no-audit --no-fund --prefix "$tools" dockerfile-utils@0.16.3 >/dev/null
  fi
  "$tools/node_modules/.bin/dockerfile-utils" lint "$1"
}

# Replays the stage named "build" of $1 in $2 (the stand-in for the image's filesystem root).
replay() {
  local dockerfile=$1 fsroot=$2 workdir=/ in_build=0 line
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in
      FROM*" AS build"*|FROM*" as build"*) in_build=1; continue ;;
      FROM*) in_build=0; continue ;;
    esac
    [ "$in_build" -eq 1 ] || continue
    read -r -a words <<<"$line"
    case "${words[0]:-}" in
      WORKDIR) workdir=${words[1]}; mkdir -p "$fsroot$workdir" ;;
      COPY)
        local dest=${words[-1]} n=$((${#words[@]} - 1)) i
        [[ "$dest" = /* ]] || dest="$workdir/$dest"
        mkdir -p "$fsroot$dest"
        for ((i = 1; i < n; i++)); do
          local src=${words[$i]}
          if [ -d "$src" ]; then cp -r "$src/." "$fsroot$dest/"; else cp "$src" "$fsroot$dest/"; fi
        done ;;
      RUN)
        local command=${line#RUN }
        [[ "$command" = "dotnet "* ]] || { echo "images: $dockerfile: build stage runs something other than dotnet: $command" >&2; return 1; }
        command=${command//" -o /app"/" -o $fsroot/app"}
        echo "images: $dockerfile: $command"
        (cd "$fsroot$workdir" && eval "$command -nologo -v quiet") ;;
    esac
  done <"$dockerfile"
}

for dockerfile in Dockerfile.control Dockerfile.proxy samples/blog/app/Dockerfile; do
  lint "$dockerfile" || { echo "images: $dockerfile: lint failed" >&2; failed=$((failed + 1)); }
  fsroot="$work/$(echo "$dockerfile" | tr '/.' '__')"
  mkdir -p "$fsroot"
  if ! replay "$dockerfile" "$fsroot"; then
    echo "images: $dockerfile: publish failed" >&2
    failed=$((failed + 1))
    continue
  fi
  entry=$(grep '^ENTRYPOINT' "$dockerfile" | grep -o '"/app/[^"]*"' | sort -u | tr -d '"')
  for dll in $entry; do
    if [ -f "$fsroot$dll" ]; then
      echo "images: $dockerfile: published $dll"
    else
      echo "images: $dockerfile: $dll missing from the published output" >&2
      failed=$((failed + 1))
    fi
  done
done

if [ "$failed" -gt 0 ]; then
  echo "images: $failed problem(s)" >&2
  exit 1
fi
echo "images: every Dockerfile's publish steps succeed"
