#!/usr/bin/env bash
# Wait for cloud-init to finish first boot (package locks, hostname, users), bounded.
#
# Parameters (environment):
#   CLOUD_INIT_TIMEOUT_SECONDS   maximum wait (default 600)
set -euo pipefail
# shellcheck source=lib.sh
[[ "$(type -t nodeprep_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

main() {
  nodeprep_begin wait-cloud-init
  local timeout=${CLOUD_INIT_TIMEOUT_SECONDS:-600} code=0
  [[ "$timeout" =~ ^[0-9]+$ ]] || die "CLOUD_INIT_TIMEOUT_SECONDS: invalid value '$timeout'; expected seconds"
  step "cloud-init"
  if ! command -v cloud-init >/dev/null; then
    ok "cloud-init not installed, nothing to wait for"
    nodeprep_end
    return 0
  fi
  NODEPREP_UNIT=cloud-final
  timeout "$timeout" cloud-init status --wait >/dev/null || code=$?
  case "$code" in
    0) ok "cloud-init finished" ;;
    # 2: finished with recoverable errors (deprecated keys and the like).
    2) note "cloud-init finished with recoverable errors: $(cloud-init status --long 2>&1 | tr '\n' ' ')" ;;
    124) die "cloud-init still running after ${timeout}s" ;;
    *) die "cloud-init failed (exit $code): $(cloud-init status --long 2>&1 | tr '\n' ' ')" ;;
  esac
  nodeprep_end
}

main "$@"
