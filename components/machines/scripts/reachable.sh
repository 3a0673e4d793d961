#!/usr/bin/env bash
# First SSH step on every machine: proves it answers over SSH and waits, bounded, for cloud-init's
# first boot (hostname, admin user, guest agent) before node preparation touches it. Hosts without
# cloud-init (or with it disabled) pass at once. Runs as the admin user; needs no root.
#
# Parameters (environment):
#   NODE_NAME                    node name, for messages
#   CLOUD_INIT_TIMEOUT_SECONDS   maximum wait for cloud-init (default 900)
set -uo pipefail

node=${NODE_NAME:?NODE_NAME is required}
limit=${CLOUD_INIT_TIMEOUT_SECONDS:-900}
if ! [[ "$limit" =~ ^[0-9]+$ ]]; then
  echo "reachable: $node: CLOUD_INIT_TIMEOUT_SECONDS '$limit' is not a number of seconds" >&2
  exit 2
fi

echo "reachable: $node answers over SSH as $(id -un) on $(hostname)"
if [[ "$(hostname -s)" != "$node" ]]; then
  echo "reachable: $node: note: the host calls itself '$(hostname -s)'"
fi

if ! command -v cloud-init >/dev/null 2>&1; then
  echo "reachable: $node: cloud-init is not installed, nothing to wait for"
  exit 0
fi

code=0
timeout "$limit" cloud-init status --wait >/dev/null 2>&1 || code=$?
details() { cloud-init status --long 2>&1 | tr '\n' ' '; }
case "$code" in
  0) echo "reachable: $node: cloud-init has finished" ;;
  # 2: finished with recoverable errors (cloud-init 23.4 and later), e.g. deprecated keys.
  2) echo "reachable: $node: cloud-init finished with recoverable errors: $(details)" ;;
  124)
    echo "reachable: $node: cloud-init is still running after ${limit}s; look at /var/log/cloud-init-output.log on the machine" >&2
    exit 1
    ;;
  *)
    echo "reachable: $node: cloud-init failed (exit $code): $(details); look at /var/log/cloud-init.log on the machine" >&2
    exit 1
    ;;
esac
