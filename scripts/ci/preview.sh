#!/usr/bin/env bash
# The preview a pull request gets, with the project's policy pack: a prod stack that breaks a rule
# fails here, a poc stack's violations are advisories (policy/rules.ts).
# Usage: scripts/ci/preview.sh <stack> [more pulumi preview flags]
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "$0")/common.sh"
stack="$(ci_stack "${1:-}")"
shift || true

pulumi preview -s "$stack" --policy-pack "$POLICY_PACK" --diff --non-interactive "$@"
