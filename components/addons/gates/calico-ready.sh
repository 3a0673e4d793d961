#!/usr/bin/env bash
# Readiness gate after the tigera-operator release: Helm only waits for the operator; pod networking
# exists once the operator has rolled out Calico (TigeraStatus "calico" Available). Bounded wait;
# diagnostics on timeout. Read-only: safe to re-run.
#
# Environment: KUBECONFIG (admin kubeconfig on the control plane), GATE_TIMEOUT_SECONDS (the bound,
#   default 900), GATE_INTERVAL_SECONDS (pause between checks, default 10).
set -euo pipefail

: "${KUBECONFIG:?}"
timeout="${GATE_TIMEOUT_SECONDS:-900}"
interval="${GATE_INTERVAL_SECONDS:-10}"
[[ "$timeout" =~ ^[1-9][0-9]*$ ]] || { echo "calico-ready: GATE_TIMEOUT_SECONDS must be a positive integer, got '$timeout'" >&2; exit 2; }
[[ "$interval" =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "calico-ready: GATE_INTERVAL_SECONDS must be a number of seconds, got '$interval'" >&2; exit 2; }
export KUBECONFIG
deadline=$(( $(date +%s) + timeout ))

# Until the deadline: the TigeraStatus object appears only once the operator has reconciled the
# Installation; then wait for Available. A wait that fails early (API hiccup, object recreated) is
# retried instead of ending the gate with time left. The first check runs even when a slow start
# used up a short bound.
checked=0
while remaining=$(( deadline - $(date +%s) )); [ "$remaining" -gt 0 ] || [ "$checked" -eq 0 ]; do
  checked=1
  [ "$remaining" -gt 0 ] || remaining=1
  if kubectl get tigerastatus calico >/dev/null 2>&1; then
    if kubectl wait --for=condition=Available tigerastatus/calico --timeout="${remaining}s"; then
      echo "calico-ready: Calico is Available"
      exit 0
    fi
    echo "calico-ready: tigerastatus/calico not Available yet"
  else
    echo "calico-ready: waiting for tigerastatus/calico to exist"
  fi
  sleep "$interval"
done

echo "calico-ready: Calico not Available within ${timeout}s; diagnostics follow" >&2
kubectl get tigerastatus -o wide >&2 || true
kubectl -n tigera-operator get pods -o wide >&2 || true
kubectl -n calico-system get pods -o wide >&2 || true
kubectl -n calico-system get events --sort-by=.lastTimestamp >&2 || true
kubectl -n tigera-operator logs deploy/tigera-operator --tail=50 >&2 || true
exit 1
