#!/usr/bin/env bash
# Kubernetes package repository and kubeadm/kubelet/kubectl pinned to one version and held
# (functions in packages-lib.sh). A package already installed at a newer version (an upgrade
# moved it) is left alone and said so: this step never downgrades.
#
# Parameters (environment):
#   KUBERNETES_VERSION        required, exact version without revision, e.g. 1.30.14
#   KUBERNETES_REPO_URL       repository URL; default pkgs.k8s.io core:/stable:/v<minor>/{deb,rpm}/
#                             (apt: a flat repository, "deb <url> /")
#   KUBERNETES_REPO_KEY       signing key, ASCII-armored, given as data (preferred for offline sites)
#   KUBERNETES_REPO_KEY_URL   signing key URL; default <url>Release.key (apt) or
#                             <url>repodata/repomd.xml.key (dnf); unused when KUBERNETES_REPO_KEY is set
#   KUBERNETES_REPO_RETRIES              attempts to fetch the repository metadata (default 5)
#   KUBERNETES_REPO_RETRY_DELAY_SECONDS  delay between attempts (default 10)
set -euo pipefail
# shellcheck source=lib.sh
[[ "$(type -t nodeprep_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=packages-lib.sh
[[ "$(type -t install_packages)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/packages-lib.sh"

main() {
  nodeprep_begin kubernetes-packages
  require_env KUBERNETES_VERSION
  K8S_VERSION=$KUBERNETES_VERSION
  [[ "$K8S_VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "KUBERNETES_VERSION: invalid value '$K8S_VERSION'; expected <major>.<minor>.<patch>, e.g. 1.30.14"
  RETRIES=${KUBERNETES_REPO_RETRIES:-5}
  RETRY_DELAY=${KUBERNETES_REPO_RETRY_DELAY_SECONDS:-10}
  detect_os_family
  default_repo_url
  configure_kubernetes_repository
  install_packages "${PACKAGES[@]}"
  step "kubelet service"
  NODEPREP_UNIT=kubelet
  if ! unit_enabled kubelet; then
    systemctl enable kubelet
    changed "enabled kubelet"
  fi
  nodeprep_end
}

main "$@"
