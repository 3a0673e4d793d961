#!/usr/bin/env bash
# Selects the stack (creating it in the backend on its first run) and sets its secrets from the
# environment, where the workflow puts them from the CI secret store: each is written with
# `pulumi config set --secret` from stdin, never on a command line. Unset ones are left as they
# are; the program names any secret the description needs and lacks.
# Usage: scripts/ci/select-stack.sh <stack>
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "$0")/common.sh"
stack="$(ci_stack "${1:-}")"

pulumi stack select "$stack" --create --non-interactive
# config key : environment variable (the CI secret's name)
for pair in sshPrivateKey:SSH_PRIVATE_KEY vspherePassword:VSPHERE_PASSWORD proxmoxApiToken:PROXMOX_API_TOKEN \
  proxmoxSshPrivateKey:PROXMOX_SSH_PRIVATE_KEY veleroS3Credentials:VELERO_S3_CREDENTIALS \
  etcdSnapshotS3Credentials:ETCD_SNAPSHOT_S3_CREDENTIALS; do
  key="${pair%%:*}"
  variable="${pair#*:}"
  [[ -n "${!variable:-}" ]] || continue
  printf '%s' "${!variable}" | pulumi config set --secret "$key" -s "$stack" --non-interactive
  echo "ci: $key set as a secret from \$$variable"
done
