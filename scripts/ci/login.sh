#!/usr/bin/env bash
# Logs the Pulumi CLI in to the team's state backend, named by PULUMI_BACKEND_URL (a CI secret):
# s3://<bucket>?endpoint=https://<host>:<port>&region=<region>&use_path_style=true for a
# self-hosted S3-compatible store, with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the
# environment (docs/state-backend.md). Usage: scripts/ci/login.sh
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "$0")/common.sh"

[[ -n "${PULUMI_BACKEND_URL:-}" ]] || ci_die "PULUMI_BACKEND_URL is not set: add the state backend's URL as the CI secret PULUMI_BACKEND_URL (docs/state-backend.md)"
if [[ "$PULUMI_BACKEND_URL" == s3://* ]]; then
  [[ -n "${AWS_ACCESS_KEY_ID:-}" && -n "${AWS_SECRET_ACCESS_KEY:-}" ]] || ci_die "an s3:// backend needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (CI secrets) for the state bucket"
fi
[[ -n "${PULUMI_CONFIG_PASSPHRASE:-}" ]] || ci_die "PULUMI_CONFIG_PASSPHRASE is not set: the stacks' secrets are encrypted with it (CI secret PULUMI_CONFIG_PASSPHRASE)"
pulumi login "$PULUMI_BACKEND_URL" --non-interactive
