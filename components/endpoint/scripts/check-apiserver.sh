#!/bin/sh
# keepalived vrrp_script: succeeds only while this node can serve the Kubernetes API through
# its local haproxy, i.e. haproxy is up AND routes to at least one apiserver whose /readyz
# answers 200. When it fails, keepalived moves this node's VRRP instance to FAULT and the VIP
# moves to a node that can serve. A bare `killall -0 haproxy` (seed 004) would keep the VIP on
# a node whose haproxy runs but has no ready backend.
#
# Usage: check-apiserver.sh [HAPROXY_PORT] [HOST]
#   HAPROXY_PORT  haproxy's API frontend port on this node (default 8443)
#   HOST          address to probe (default 127.0.0.1: haproxy binds all addresses)
#
# TLS verification is skipped on purpose: the probe goes to loopback, /readyz is readable
# without credentials, and the apiserver certificate need not carry 127.0.0.1.
set -eu

port="${1:-8443}"
host="${2:-127.0.0.1}"

case "$port" in
  '' | *[!0-9]*)
    echo "check-apiserver: port must be a number, got '$port'" >&2
    exit 2
    ;;
esac

case "$host" in
  *:*) url_host="[$host]" ;;
  *) url_host="$host" ;;
esac

exec curl --silent --show-error --fail --insecure --noproxy '*' \
  --max-time 3 --output /dev/null "https://${url_host}:${port}/readyz"
