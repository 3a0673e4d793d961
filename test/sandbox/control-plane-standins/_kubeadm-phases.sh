# shellcheck shell=bash
# Sourced by the kubeadm stand-in: `kubeadm init phase ...` as the settings step runs it on a
# running control plane, and the component settings every manifest carries. A static Pod manifest
# written by init, join or a phase ends with the component's extraArgs/extraVolumes from the
# cluster's configuration (as comment lines), so a changed setting changes the manifest, and a
# phase writes the file only when its content changes (kubelet restarts a Pod only then; the crictl
# stand-in's container id follows the manifest's ctime).
#   upload-config all|kubeadm   needs admin.conf; keeps the config as the cluster's (later joins use it)
#   control-plane apiserver|controller-manager|scheduler|all, etcd local   rewrite the manifests
SETTINGS_SOURCE=$CLUSTER/configmaps/kube-system/kubeadm-config/onprem-k8s-settings-source

# The extraArgs/extraVolumes part of a top-level ClusterConfiguration section in a config file.
component_settings() { # component file
  local section
  case "$1" in
    kube-apiserver) section=apiServer ;;
    kube-controller-manager) section=controllerManager ;;
    kube-scheduler) section=scheduler ;;
    etcd) section=etcd ;;
  esac
  [[ -f "$2" ]] || return 0
  awk -v s="$section:" '$0 == s { f = 1; next } /^[^ -]/ { f = 0 } f' "$2" | sed -n '/extra/,$p' | sed 's/^/# /'
}

# The manifest the stand-in writes for a component, given the configuration it is rendered from.
manifest_text() { # component file
  static_pod_manifest "$1" "$(cluster_version)"
  cat "$K/manifests/$1.yaml"
  component_settings "$1" "$2"
}

write_manifest_from() { # component file
  local text
  mkdir -p "$K/manifests"
  text=$(manifest_text "$1" "$2")
  if [[ -f "$K/manifests/$1.yaml.written" ]] && [[ "$(cat "$K/manifests/$1.yaml.written")" == "$text" ]]; then
    cp -p "$K/manifests/$1.yaml.written" "$K/manifests/$1.yaml"
    return 0
  fi
  printf '%s\n' "$text" >"$K/manifests/$1.yaml"
  cp -p "$K/manifests/$1.yaml" "$K/manifests/$1.yaml.written"
}
