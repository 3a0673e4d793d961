#!/usr/bin/env bash
# Readiness gate after the tigera-operator release: Helm only waits for the operator; pod networking
# exists once the operator has rolled out Calico (TigeraStatus "calico" Available). Bounded wait;
# diagnostics on timeout. Read-only: safe to re-run.
#
# Environment: KUBECONFIG (admin kubeconfig on the control plane), GATE_TIMEOUT_SECONDS.
set -euo pipefail

: "${KUBECONFIG:?}"
timeout="${GATE_TIMEOUT_SECONDS:-900}"
export KUBECONFIG
deadline=$(( $(date +%s) + timeout ))

# The TigeraStatus object appears only once the operator has reconciled the Installation.
until kubectl get tigerastatus calico >/dev/null 2>&1; do
  if [ "$(date +%s)" -ge "$deadline" ]; then break; fi
  echo "calico-ready: waiting for tigerastatus/calico to exist"
  sleep 10
done

remaining=$(( deadline - $(date +%s) ))
if [ "$remaining" -gt 0 ] && kubectl wait --for=condition=Available tigerastatus/calico --timeout="${remaining}s"; then
  echo "calico-ready: Calico is Available"
  exit 0
fi

echo "calico-ready: Calico not Available within ${timeout}s; diagnostics follow" >&2
kubectl get tigerastatus -o wide >&2 || true
kubectl -n calico-system get pods -o wide >&2 || true
kubectl -n tigera-operator logs deploy/tigera-operator --tail=50 >&2 || true
exit 1
