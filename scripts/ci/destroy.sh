#!/usr/bin/env bash
# Tears a PoC down, on demand (the teardown workflow). Only the poc stack, and only when the
# confirmation typed into the workflow is exactly "destroy poc": prod is never destroyed from CI
# (its destroy guard refuses anyway; docs/runbooks.md says how it is torn down on purpose).
# Usage: scripts/ci/destroy.sh <stack> <confirmation>
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "$0")/common.sh"
stack="$(ci_stack "${1:-}")"
confirmation="${2:-}"

[[ "$stack" == poc ]] || ci_die "the teardown destroys the poc stack only, not '$stack'"
[[ "$confirmation" == "destroy $stack" ]] || ci_die "confirmation '$confirmation' does not match: type exactly 'destroy $stack'"
pulumi destroy --yes -s "$stack" --non-interactive
