#!/usr/bin/env bash
# The apiserver's configuration files (components/kubeadm/hardening.ts) on a control plane: the
# audit policy, Pod Security's AdmissionConfiguration, the OIDC AuthenticationConfiguration and
# the EncryptionConfiguration, in $APISERVER_CONFIG_DIR (mounted read-only into the apiserver).
# Shipped after lib.sh by the PKI step (before init or join) and the settings step (before the
# manifests are rewritten): every control plane gets the same files. Defines functions only.
#
# Parameters (environment): APISERVER_AUDIT_POLICY APISERVER_ADMISSION_CONFIG
#   APISERVER_AUTHENTICATION_CONFIG APISERVER_ENCRYPTION_CONFIG   file contents, "" when off
# Secret: APISERVER_ENCRYPTION_KEY (base64 of 32 bytes), substituted for its placeholder.
set -euo pipefail

APISERVER_CONFIG_DIR=/etc/kubernetes/apiserver
AUDIT_LOG_DIR=/var/log/kubernetes/audit

# A setting turned off leaves its file: an apiserver still running with the flag (until the
# settings step restarts it) must find the file if it restarts on its own meanwhile.
place_apiserver_file() {
  local file="$2" content="${!1:-}"
  [[ -n "$content" ]] || return 0
  ensure_file "$APISERVER_CONFIG_DIR/$file" 600 "$content"
}

place_encryption_config() {
  local content="${APISERVER_ENCRYPTION_CONFIG:-}"
  [[ -n "$content" ]] || return 0
  require_env APISERVER_ENCRYPTION_KEY
  [[ "$APISERVER_ENCRYPTION_KEY" =~ ^[A-Za-z0-9+/]{43}=$ ]] ||
    die "APISERVER_ENCRYPTION_KEY is not the base64 of a 32-byte key (the program's encryption key); nothing was written"
  # shellcheck disable=SC2016  # the literal placeholder text
  content="${content//'${APISERVER_ENCRYPTION_KEY}'/$APISERVER_ENCRYPTION_KEY}"
  ensure_file "$APISERVER_CONFIG_DIR/encryption.yaml" 600 "$content"
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
