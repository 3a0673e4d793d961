#!/usr/bin/env bash
# Verifies the local @pulumi/vsphere subset (sdks/vsphere) against the published SDK's sources.
#
#   scripts/verify-vsphere-sdk.sh <pulumi-vsphere checkout or git dir> [ref]
#
# <checkout> is a clone of https://github.com/pulumi/pulumi-vsphere (work tree or bare git dir).
# [ref] is the tag to compare with; default: v<version of sdks/vsphere/package.json>. With a work tree
# and ref "WORKTREE", its checked-out sdk/nodejs is used as is.
#
# Steps (all must pass):
#  1. API comparison (sdks/vsphere/verify/compare-api.js): every name, declared type, type token,
#     required argument and runtime property name of the local package is the published one.
#  2. sdks/vsphere/verify/exercise.ts, which uses every declared class, function and property,
#     type-checks against the local package AND against the published sdk/nodejs sources.
#  3. If the program imports @pulumi/vsphere: it type-checks with @pulumi/vsphere mapped to the
#     published sources, with no diagnostic that it does not also have with the local package.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SDK="$ROOT/sdks/vsphere"
NM="$ROOT/node_modules"
TSC="$NM/.bin/tsc"

[ $# -ge 1 ] || { echo "usage: $0 <pulumi-vsphere checkout or git dir> [ref]" >&2; exit 2; }
CHECKOUT="$(cd "$1" && pwd)"
VERSION="$(node -p "require('$SDK/package.json').version")"
REF="${2:-v$VERSION}"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/verify-vsphere-sdk.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# The published sources: exported from git at REF (never written into this repository).
if [ "$REF" = "WORKTREE" ]; then
    REAL="$CHECKOUT/sdk/nodejs"
else
    GITDIR="$(git -C "$CHECKOUT" rev-parse --git-dir 2>/dev/null || true)"
    [ -n "$GITDIR" ] || { echo "error: $CHECKOUT is not a git repository" >&2; exit 2; }
    git -C "$CHECKOUT" rev-parse -q --verify "$REF^{commit}" >/dev/null || { echo "error: no ref $REF in $CHECKOUT" >&2; exit 2; }
    mkdir -p "$WORK/real"
    git -C "$CHECKOUT" archive "$REF" sdk/nodejs | tar -x -C "$WORK/real"
    REAL="$WORK/real/sdk/nodejs"
    echo "published SDK: $CHECKOUT at $REF ($(git -C "$CHECKOUT" rev-parse "$REF^{commit}"))"
fi
[ -f "$REAL/index.ts" ] || { echo "error: $REAL/index.ts not found" >&2; exit 2; }
echo "local SDK:     $SDK (@pulumi/vsphere $VERSION)"

echo "== 1. API comparison"
node "$SDK/verify/compare-api.js" "$SDK" "$REAL"

# A tsconfig mapping @pulumi/vsphere to $1 and @pulumi/pulumi to the project's copy.
tsconfig() { # <file> <vsphere entry> <include json array> [extends]
    local ext=""
    [ -n "${4:-}" ] && ext="\"extends\": \"$4\","
    cat >"$1" <<JSON
{
  $ext
  "compilerOptions": {
    "target": "ES2022", "module": "commonjs", "moduleResolution": "node", "lib": ["ES2022"],
    "strict": true, "noEmit": true, "skipLibCheck": true, "esModuleInterop": true, "resolveJsonModule": true,
    "types": ["node"], "typeRoots": ["$NM/@types"],
    "paths": {
      "@pulumi/vsphere": ["$2"],
      "@pulumi/pulumi": ["$NM/@pulumi/pulumi"],
      "@pulumi/pulumi/*": ["$NM/@pulumi/pulumi/*"]
    }
  },
  "include": $3
}
JSON
}

echo "== 2. exercise.ts against the local package and the published sources"
tsconfig "$WORK/tsconfig.exercise-local.json" "$SDK/index.d.ts" "[\"$SDK/verify/exercise.ts\"]"
tsconfig "$WORK/tsconfig.exercise-real.json" "$REAL/index.ts" "[\"$SDK/verify/exercise.ts\"]"
for side in local real; do
    if ! "$TSC" -p "$WORK/tsconfig.exercise-$side.json"; then
        echo "   FAILED: exercise.ts does not type-check against the $side SDK" >&2
        exit 1
    fi
    echo "   $side: ok"
done

echo "== 3. the program against the published sources"
IMPORT_RE='(from|require\(|import\() *"@pulumi/vsphere"'
USERS="$(grep -rlsE --include='*.ts' "$IMPORT_RE" "$ROOT/index.ts" "$ROOT/program.ts" "$ROOT/components" "$ROOT/stacks" "$ROOT/scripts" "$ROOT/test" || true)"
if [ -n "$USERS" ]; then
    # The project's own tsconfig (its includes), with @pulumi/vsphere remapped.
    INCLUDE="$(node -p "JSON.stringify(require('$ROOT/tsconfig.json').include.map(p => require('path').join('$ROOT', p)))")"
    tsconfig "$WORK/tsconfig.program-local.json" "$SDK/index.d.ts" "$INCLUDE" "$ROOT/tsconfig.json"
    tsconfig "$WORK/tsconfig.program-real.json" "$REAL/index.ts" "$INCLUDE" "$ROOT/tsconfig.json"
    # Only diagnostics the published SDK adds count (its own sources are not held to the project's
    # lint options such as noUnusedLocals; errors the program already has with the local SDK are
    # someone else's work in progress).
    (cd "$ROOT" && "$TSC" -p "$WORK/tsconfig.program-local.json" --pretty false || true) | grep -E '^[^ ].*error TS' | sort >"$WORK/local.txt" || true
    (cd "$ROOT" && "$TSC" -p "$WORK/tsconfig.program-real.json" --pretty false || true) | grep -E '^[^ ].*error TS' \
        | grep -vF "$(basename "$WORK")/real/" | sort >"$WORK/real.txt" || true
    comm -13 "$WORK/local.txt" "$WORK/real.txt" >"$WORK/new.txt"
    if [ -s "$WORK/new.txt" ]; then
        echo "   FAILED: type errors with the published SDK that the local one does not have:" >&2
        sed 's/^/   /' "$WORK/new.txt" >&2
        exit 1
    fi
    echo "   ok: $(echo "$USERS" | wc -l) program file(s) import @pulumi/vsphere, no new diagnostics ($(wc -l <"$WORK/local.txt") pre-existing, unrelated)"
else
    echo "   skipped: no program file imports @pulumi/vsphere yet"
fi
echo "verify-vsphere-sdk: OK"
