# shellcheck shell=bash
# Sourced by the kubeadm stand-in: `kubeadm init phase ...` as the settings step runs it on a
# running control plane, and the component settings every manifest carries. A static Pod manifest
# written by init, join or a phase ends with the component's extraArgs/extraVolumes from the
# cluster's configuration (as comment lines), so a changed setting changes the manifest. A phase
# writes the file only when its content changes: kubelet restarts a Pod only then, and the crictl
# stand-in's container id follows the manifest's ctime.
#   certs apiserver             the apiserver's serving certificate with the config's SANs (adoption)
#   upload-config all|kubeadm   needs admin.conf; the config becomes the cluster's (later joins read
#                               it) and its ClusterConfiguration the kubeadm-config ConfigMap's
#   control-plane apiserver|controller-manager|scheduler|all, etcd local   rewrite the manifests
SETTINGS_SOURCE=$CLUSTER/configmaps/kube-system/kubeadm-config/onprem-k8s-settings-source

# The extraArgs/extraVolumes part of a top-level ClusterConfiguration section of a config file.
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

# What init and join write (static_pod_manifest), then the settings of the cluster's configuration.
append_component_settings() { # file
  local name
  for name in kube-apiserver kube-controller-manager kube-scheduler etcd; do
    component_settings "$name" "$1" >>"$K/manifests/$name.yaml"
  done
}

# init: its own configuration is the cluster's; join: the one init or upload-config kept.
settings_at_init_or_join() {
  if [[ "$cmd" == init ]]; then
    mkdir -p "$(dirname "$SETTINGS_SOURCE")"
    cp "$config" "$SETTINGS_SOURCE"
  fi
  append_component_settings "$SETTINGS_SOURCE"
}

phase_manifest() { # component
  local image="registry.k8s.io/$1:$(cluster_version)" text
  [[ "$1" == etcd ]] && image=registry.k8s.io/etcd:3.6.5-0
  text=$(printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\n  namespace: kube-system\nspec:\n  containers:\n  - name: %s\n    image: %s\n' "$1" "$1" "$image"; component_settings "$1" "$config")
  if [[ -f "$K/manifests/$1.yaml" ]] && [[ "$(cat "$K/manifests/$1.yaml")" == "$text" ]]; then return 0; fi
  printf '%s\n' "$text" >"$K/manifests/$1.yaml"
}

# certs apiserver: a real certificate (openssl) with the SANs the config names, kept when one is
# there ("Using existing", like kubeadm).
certs_apiserver() {
  if [[ -f "$K/pki/apiserver.crt" ]]; then echo "[certs] Using existing apiserver certificate and key on disk"; return 0; fi
  local sans node address endpoint
  node=$(yaml_value name) address=$(yaml_value advertiseAddress) endpoint=$(yaml_value controlPlaneEndpoint)
  sans="DNS:kubernetes,DNS:kubernetes.default,DNS:$node,IP:10.96.0.1,IP:$address"
  [[ -n "$endpoint" ]] && sans+=",$(sans_entry "${endpoint%:*}")"
  while IFS= read -r san; do sans+=",$(sans_entry "$san")"; done < <(awk '/^  certSANs:/ { on = 1; next } on && /^ +- / { sub(/^ +- /, ""); print; next } { on = 0 }' "$config")
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=kube-apiserver -days 365 \
    -addext "subjectAltName=$sans" -keyout "$K/pki/apiserver.key" -out "$K/pki/apiserver.crt" 2>/dev/null
  echo "[certs] Generating \"apiserver\" certificate and key"
  echo "[certs] apiserver serving cert is signed for DNS names and IPs [${sans//,/ }]"
}
sans_entry() { if [[ "$1" =~ ^[0-9.]+$ ]]; then echo "IP:$1"; else echo "DNS:$1"; fi; }

init_phase() { # phase words
  [[ -n "$config" && -f "$config" ]] || { echo "unable to read config from \"$config\": no such file or directory"; exit 1; }
  grep -q '^kind: InitConfiguration' "$config" || { echo "error: the config holds no InitConfiguration"; exit 1; }
  mkdir -p "$D/phase-configs"
  cp "$config" "$D/phase-configs/$(find "$D/phase-configs" -type f | wc -l)"
  case "$1 ${2:-}" in
    "certs apiserver") certs_apiserver ;;
    "upload-config all" | "upload-config kubeadm")
      [[ -f "$K/admin.conf" ]] || { echo "couldn't create a Kubernetes client from file \"$K/admin.conf\""; exit 1; }
      mkdir -p "$(dirname "$SETTINGS_SOURCE")"
      cp "$config" "$SETTINGS_SOURCE"
      awk 'BEGIN { RS = "---\n" } /kind: ClusterConfiguration/ { printf "%s", $0 }' "$config" >"$(dirname "$SETTINGS_SOURCE")/ClusterConfiguration"
      echo "[upload-config] Storing the configuration used in ConfigMap \"kubeadm-config\" in the \"kube-system\" Namespace" ;;
    "control-plane apiserver") phase_manifest kube-apiserver ;;
    "control-plane controller-manager") phase_manifest kube-controller-manager ;;
    "control-plane scheduler") phase_manifest kube-scheduler ;;
    "control-plane all") for name in kube-apiserver kube-controller-manager kube-scheduler; do phase_manifest "$name"; done ;;
    "etcd local") phase_manifest etcd ;;
    *) echo "kubeadm stand-in: unsupported: init phase $*" >&2; exit 1 ;;
  esac
}
