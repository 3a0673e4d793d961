#!/usr/bin/env bash
# Pre-pulls the container images kubeadm will start, during node preparation: init and the joins
# then find them present instead of pulling on the critical path. The list is kubeadm's own
# (`kubeadm config images list` for the cluster's version and image repository, so a mirror named
# by kubernetes.imageRepository is used); pulls go through containerd (crictl), so they take
# containerd's proxy (proxy.sh) and registry mirrors (containerd.sh). An image already present is
# not pulled again: on a template that has them, this step only looks.
#
# Parameters (environment):
#   IMAGES_KUBERNETES_VERSION    required, e.g. 1.34.4 (kubeadm must be installed: kubernetes-packages)
#   IMAGES_REPOSITORY            kubernetes.imageRepository (default: kubeadm's, registry.k8s.io)
#   IMAGES_ROLE                  control-plane (every image kubeadm lists) | worker (only the pause image,
#                                every Pod's sandbox; the rest of a worker's images are not on the critical path)
#   IMAGES_KUBE_PROXY            true | false: whether the cluster runs kube-proxy (default true)
#   IMAGES_EXTRA                 more images, space-separated (add-on images the description names)
#   IMAGES_RETRIES               attempts per pull (default 5), doubling delays from
#   IMAGES_RETRY_DELAY_SECONDS   (default 5, at most 60)
#   CRI_ENDPOINT                 default unix:///run/containerd/containerd.sock
set -euo pipefail
# shellcheck source=lib.sh
[[ "$(type -t nodeprep_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# wanted_images <image>...: of kubeadm's list, the images this node needs (one a line), then IMAGES_EXTRA.
wanted_images() {
  local image name
  for image in "$@"; do
    name=${image##*/}
    name=${name%%:*}
    [[ "$name" == kube-proxy && "$KUBE_PROXY" != true ]] && continue
    [[ "$IMAGES_ROLE" == worker && "$name" != pause ]] && continue
    echo "$image"
  done
  for image in ${IMAGES_EXTRA:-}; do echo "$image"; done
}

image_present() { crictl --runtime-endpoint "$CRI_ENDPOINT" inspecti "$1" >/dev/null 2>&1; }

pull_image() { crictl --runtime-endpoint "$CRI_ENDPOINT" pull "$1" >>"$NODEPREP_PM_LOG" 2>&1; }

main() {
  nodeprep_begin images
  require_env IMAGES_KUBERNETES_VERSION IMAGES_ROLE
  [[ "$IMAGES_KUBERNETES_VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "IMAGES_KUBERNETES_VERSION: invalid value '$IMAGES_KUBERNETES_VERSION'; expected <major>.<minor>.<patch>, e.g. 1.34.4"
  [[ "$IMAGES_ROLE" == control-plane || "$IMAGES_ROLE" == worker ]] || die "IMAGES_ROLE: invalid value '$IMAGES_ROLE'; expected control-plane or worker"
  KUBE_PROXY=${IMAGES_KUBE_PROXY:-true}
  CRI_ENDPOINT=${CRI_ENDPOINT:-unix:///run/containerd/containerd.sock}
  local retries=${IMAGES_RETRIES:-5} delay=${IMAGES_RETRY_DELAY_SECONDS:-5} images image present=0
  step "image list"
  local list=(config images list --kubernetes-version "v$IMAGES_KUBERNETES_VERSION") listed
  [[ -n "${IMAGES_REPOSITORY:-}" ]] && list+=(--image-repository "$IMAGES_REPOSITORY")
  listed=$(kubeadm "${list[@]}" 2>>"$NODEPREP_PM_LOG") || die "kubeadm ${list[*]} failed"
  # shellcheck disable=SC2086  # one image a word
  images=$(wanted_images $listed)
  for image in $images; do
    step "image $image"
    if image_present "$image"; then
      present=$((present + 1))
      continue
    fi
    retry_backoff "$retries" "$delay" 60 pull_image "$image" || die "could not pull $image after $retries attempts (through containerd: its proxy and registry mirrors apply)"
    changed "pulled $image"
  done
  ok "$present of $(wc -w <<<"$images") images already present"
  nodeprep_end
}

main "$@"
