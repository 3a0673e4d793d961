#!/usr/bin/env bash
# Deploys a stack with the policy pack, then checks that a second look changes nothing (README
# "Deploy for real"). Usage: scripts/ci/up.sh <stack>
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "$0")/common.sh"
stack="$(ci_stack "${1:-}")"

pulumi up --yes -s "$stack" --policy-pack "$POLICY_PACK" --non-interactive
pulumi preview --expect-no-changes -s "$stack" --non-interactive
