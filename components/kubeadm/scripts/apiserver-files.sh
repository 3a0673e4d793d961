#!/usr/bin/env bash
# shellcheck disable=SC2034  # variables are read by the sourcing scripts (settings.sh)
# The apiserver's configuration files (components/kubeadm/hardening.ts) on a control plane: the
# audit policy, Pod Security's AdmissionConfiguration, the OIDC AuthenticationConfiguration and
# the EncryptionConfiguration, in $APISERVER_CONFIG_DIR (mounted read-only into the apiserver).
# Shipped after lib.sh by the PKI step (before init or join) and the settings step (before the
# manifests are rewritten): every control plane gets the same files. Defines functions only.
#
# Parameters (environment): APISERVER_AUDIT_POLICY APISERVER_ADMISSION_CONFIG
#   APISERVER_AUTHENTICATION_CONFIG APISERVER_ENCRYPTION_CONFIG   file contents, "" when off
# Secrets: APISERVER_ENCRYPTION_KEY, during a key rotation also APISERVER_ENCRYPTION_KEY_PREVIOUS
#   (base64 of 32 bytes each), substituted for their placeholders.
# Sets APISERVER_FILES_CHANGED=true when a file changed: a running apiserver reads them only at
# its start, so the settings step then restarts it (and records that it must, in
# $APISERVER_RESTART_PENDING, until it has).
set -euo pipefail

APISERVER_CONFIG_DIR=/etc/kubernetes/apiserver
AUDIT_LOG_DIR=/var/log/kubernetes/audit
APISERVER_RESTART_PENDING=/var/lib/onprem-k8s/apiserver-restart-pending
APISERVER_FILES_CHANGED=false

# A setting turned off leaves its file: an apiserver still running with the flag (until the
# settings step restarts it) must find the file if it restarts on its own meanwhile.
place_apiserver_file() {
  local file="$2" content="${!1:-}"
  [[ -n "$content" ]] || return 0
  ensure_file "$APISERVER_CONFIG_DIR/$file" 600 "$content"
  [[ "$FILE_CHANGED" == false ]] || APISERVER_FILES_CHANGED=true
}

encryption_key_valid() { [[ "$1" =~ ^[A-Za-z0-9+/]{43}=$ ]]; }

place_encryption_config() {
  local content="${APISERVER_ENCRYPTION_CONFIG:-}"
  [[ -n "$content" ]] || return 0
  require_env APISERVER_ENCRYPTION_KEY
  encryption_key_valid "$APISERVER_ENCRYPTION_KEY" ||
    die "APISERVER_ENCRYPTION_KEY is not the base64 of a 32-byte key (the program's encryption key); nothing was written"
  # shellcheck disable=SC2016  # the literal placeholder text
  if [[ "$content" == *'${APISERVER_ENCRYPTION_KEY_PREVIOUS}'* ]]; then
    require_env APISERVER_ENCRYPTION_KEY_PREVIOUS
    encryption_key_valid "$APISERVER_ENCRYPTION_KEY_PREVIOUS" ||
      die "APISERVER_ENCRYPTION_KEY_PREVIOUS is not the base64 of a 32-byte key; nothing was written"
    # shellcheck disable=SC2016  # the literal placeholder text
    content="${content//'${APISERVER_ENCRYPTION_KEY_PREVIOUS}'/$APISERVER_ENCRYPTION_KEY_PREVIOUS}"
  fi
  # shellcheck disable=SC2016  # the literal placeholder text
  content="${content//'${APISERVER_ENCRYPTION_KEY}'/$APISERVER_ENCRYPTION_KEY}"
  ensure_file "$APISERVER_CONFIG_DIR/encryption.yaml" 600 "$content"
  [[ "$FILE_CHANGED" == false ]] || APISERVER_FILES_CHANGED=true
}

write_apiserver_files() {
  step "apiserver configuration in $APISERVER_CONFIG_DIR"
  mkdir -p "$APISERVER_CONFIG_DIR"
  chmod 700 "$APISERVER_CONFIG_DIR"
  place_apiserver_file APISERVER_AUDIT_POLICY audit-policy.yaml
  place_apiserver_file APISERVER_ADMISSION_CONFIG admission.yaml
  place_apiserver_file APISERVER_AUTHENTICATION_CONFIG authentication.yaml
  place_encryption_config
  if [[ -n "${APISERVER_AUDIT_POLICY:-}" ]]; then
    mkdir -p "$AUDIT_LOG_DIR"
    chmod 700 "$AUDIT_LOG_DIR"
  fi
  ok "apiserver configuration files in place"
}
