#!/usr/bin/env bash
# Lint .github/workflows with actionlint (https://github.com/rhysd/actionlint).
#
# actionlint is a Go program: it is built once from the Go module proxy into a cache folder outside the repository
# (${XDG_CACHE_HOME:-~/.cache}/trace-health/actionlint/<version>/) and reused afterwards (about 20 s the first time,
# nothing after). Set ACTIONLINT=/path/to/actionlint to use a binary you already have. If shellcheck is on PATH,
# actionlint also checks the shell scripts in `run:` steps; it is not required.
set -euo pipefail

VERSION="v1.7.12"
cd "$(dirname "$0")/.."

if [[ -n "${ACTIONLINT:-}" ]]; then
  bin="$ACTIONLINT"
else
  dir="${XDG_CACHE_HOME:-$HOME/.cache}/trace-health/actionlint/$VERSION"
  bin="$dir/actionlint"
  if [[ ! -x "$bin" ]]; then
    if ! command -v go >/dev/null 2>&1; then
      echo "actionlint.sh: Go is needed to install actionlint $VERSION (https://go.dev/dl/), or set ACTIONLINT to a binary" >&2
      exit 2
    fi
    echo "actionlint.sh: installing actionlint $VERSION into $dir (Go module proxy)" >&2
    mkdir -p "$dir"
    # Build into a temporary GOBIN and move into place, so an interrupted build never leaves a broken binary.
    tmp="$(mktemp -d "$dir/.install.XXXXXX")"
    trap 'rm -rf "$tmp"' EXIT
    GOBIN="$tmp" go install "github.com/rhysd/actionlint/cmd/actionlint@$VERSION"
    mv "$tmp/actionlint" "$bin"
  fi
fi

if ! command -v shellcheck >/dev/null 2>&1; then
  echo "actionlint.sh: shellcheck not found; run: steps are not shell-checked (optional)" >&2
fi

shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
if [[ ${#workflows[@]} -eq 0 ]]; then
  echo "actionlint.sh: no workflows in .github/workflows" >&2
  exit 0
fi
"$bin" -no-color "${workflows[@]}"
echo "actionlint.sh: ${#workflows[@]} workflows OK"
