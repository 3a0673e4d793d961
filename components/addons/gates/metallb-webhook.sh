#!/usr/bin/env bash
# Readiness gate before MetalLB custom resources (seed 000, T-047..T-050): waits until the webhook
# Service has a ready endpoint AND the API server accepts a server-side dry-run of an
# IPAddressPool, which goes through the same CRD, webhook, TLS CA bundle and endpoint path as the
# real apply. Bounded retries; on timeout it prints the diagnostics an operator would collect and
# fails. It never touches the webhook configuration. Read-only: safe to re-run.
#
# Environment: KUBECONFIG (admin kubeconfig on the control plane), METALLB_NAMESPACE,
#   GATE_ATTEMPTS, GATE_DELAY_SECONDS.
set -euo pipefail

: "${KUBECONFIG:?}"
: "${METALLB_NAMESPACE:?}"
attempts="${GATE_ATTEMPTS:-60}"
delay="${GATE_DELAY_SECONDS:-5}"
[[ "$attempts" =~ ^[1-9][0-9]*$ ]] || { echo "metallb-webhook: GATE_ATTEMPTS must be a positive integer, got '$attempts'" >&2; exit 2; }
[[ "$delay" =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "metallb-webhook: GATE_DELAY_SECONDS must be a number of seconds, got '$delay'" >&2; exit 2; }
export KUBECONFIG

probe_pool() {
  cat <<YAML
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata:
  name: readiness-probe
  namespace: ${METALLB_NAMESPACE}
spec:
  addresses: ["192.0.2.1/32"]
  autoAssign: false
YAML
}

ready_endpoints() {
  kubectl -n "$METALLB_NAMESPACE" get endpointslices -l kubernetes.io/service-name=metallb-webhook-service \
    -o jsonpath='{range .items[*].endpoints[?(@.conditions.ready==true)]}{.addresses[0]}{"\n"}{end}' 2>/dev/null | grep -c . || true
}

for i in $(seq 1 "$attempts"); do
  count="$(ready_endpoints)"
  if [ "${count:-0}" -gt 0 ]; then
    if output="$(probe_pool | kubectl create --dry-run=server -o name -f - 2>&1)"; then
      echo "metallb-webhook: ready after $i attempt(s): $count endpoint(s), dry-run accepted ($output)"
      exit 0
    fi
    echo "metallb-webhook: attempt $i/$attempts: endpoints ready but dry-run failed: $output"
  else
    echo "metallb-webhook: attempt $i/$attempts: no ready endpoint behind metallb-webhook-service yet"
  fi
  if [ "$i" -lt "$attempts" ]; then sleep "$delay"; fi
done

echo "metallb-webhook: not ready after $attempts attempts; diagnostics follow" >&2
kubectl -n "$METALLB_NAMESPACE" get pods -o wide >&2 || true
kubectl -n "$METALLB_NAMESPACE" get endpointslices -o wide >&2 || true
kubectl get validatingwebhookconfigurations -o name >&2 || true
kubectl -n "$METALLB_NAMESPACE" get events --sort-by=.lastTimestamp >&2 || true
kubectl -n "$METALLB_NAMESPACE" logs deploy/metallb-controller --tail=50 >&2 || true
exit 1
