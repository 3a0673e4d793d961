# shellcheck shell=bash
# Sourced by the CI wrappers (scripts/ci/*.sh), which the workflows in .github/workflows call and
# test/engine/s3-state-backend.test.ts runs against the real CLI: the project directory, the stack
# argument checked against its stack file, and the policy pack every preview and update runs.
set -euo pipefail

# The project's root: the wrappers run from anywhere (a workflow step, a test's copy of the project).
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

ci_die() {
  echo "ci: $*" >&2
  exit 1
}

# The stack named by the first argument, refused unless Pulumi.<stack>.yaml describes it.
ci_stack() {
  local stack="${1:-}"
  [[ -n "$stack" ]] || ci_die "name the stack, e.g. poc or prod"
  [[ "$stack" =~ ^[A-Za-z0-9_.-]+$ ]] || ci_die "stack name '$stack' has characters a stack name cannot have"
  [[ -f "Pulumi.$stack.yaml" ]] || ci_die "no stack file Pulumi.$stack.yaml: describe the stack there first (docs/first-deployment.md)"
  printf '%s' "$stack"
}

# The policy pack's directory (policy/); tests point it at their copy.
POLICY_PACK="${ONPREM_K8S_POLICY_PACK:-policy}"
export POLICY_PACK
