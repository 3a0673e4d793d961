# Shared by the control-plane stand-ins. Per host: $STATE (/var/lib/sandbox). The cluster as the
# hosts of one test cluster see it lives in $CLUSTER, a directory every host's root shares (a bind
# mount): which https://host:port answers and with which status (http/<host>:<port>, no file:
# nothing listens), the API's Nodes and Secrets, the etcd members.
# shellcheck source=../standins/_state.sh
. /usr/local/sbin/_state.sh
CLUSTER=$STATE/cluster
mkdir -p "$CLUSTER/http" "$CLUSTER/nodes" "$CLUSTER/secrets" "$CLUSTER/etcd"

host_address() { cat "$STATE/host-address" 2>/dev/null || echo 127.0.0.1; }

# host:port as this host reaches it: loopback means this host's own address.
endpoint_key() {
  local host=${1#[}
  host=${host%]}
  case "$host" in 127.0.0.1 | localhost | ::1) host=$(host_address) ;; esac
  printf '%s:%s' "$host" "$2"
}
# An apiserver that listens answers /readyz 500 while etcd has no quorum.
http_code() {
  local code
  code=$(cat "$CLUSTER/http/$(endpoint_key "$1" "$2")" 2>/dev/null || true)
  if [[ "$code" == 200 ]] && ! etcd_quorum; then code=500; fi
  echo "$code"
}
# etcd has quorum while more than half of its members run. $CLUSTER/etcd-down/<name>: a member
# that does not run (its node restarted and its kubelet not started again, or its data wiped).
etcd_quorum() {
  local member total=0 down=0
  for member in "$CLUSTER"/etcd/*; do
    [[ -f "$member" ]] || continue
    total=$((total + 1))
    [[ -e "$CLUSTER/etcd-down/$(basename "$member")" ]] && down=$((down + 1))
  done
  (( (total - down) * 2 > total || total == 0 ))
}
set_http() { echo "$3" >"$CLUSTER/http/$(endpoint_key "$1" "$2")"; }
clear_http() { rm -f "$CLUSTER/http/$(endpoint_key "$1" "$2")"; }

# split_url https://host:port/path -> URL_HOST URL_PORT URL_PATH
split_url() {
  local rest=${1#*://} hostport
  hostport=${rest%%/*}
  URL_PATH=/${rest#*/}
  [[ "$rest" == */* ]] || URL_PATH=/
  if [[ "$hostport" == \[* ]]; then
    URL_HOST=${hostport%%]*}; URL_HOST=${URL_HOST#[}; URL_PORT=${hostport##*]:}
  else
    URL_HOST=${hostport%:*}; URL_PORT=${hostport##*:}
  fi
  [[ "$URL_PORT" != "$hostport" && -n "$URL_PORT" ]] || URL_PORT=443
}

journal_line() { mkdir -p "$STATE/journal"; echo "$(date '+%b %d %T') sandbox $1[1]: $2" >>"$STATE/journal/$1.log"; }

# The version of an installed Kubernetes package as its binary reports it ("v1.34.3" from the
# package 1.34.3-1.1), or the stand-ins' own version where none is installed.
package_version() {
  local v
  v=$(dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true)
  v=${v%-*}
  echo "v${v:-1.34.4}"
}
# The Node's kubeletVersion: what the kubelet installed on this host reports once (re)started.
record_kubelet_version() {
  [[ -d "$CLUSTER/nodes/$1" ]] && package_version kubelet >"$CLUSTER/nodes/$1/kubelet-version"
  return 0
}
# A Node registered by its kubelet: Ready (nodes/<name>/ready) while its kubelet runs, and until the
# sleep stand-in has let the node-monitor grace period pass once its kubelet stopped.
mark_node_registered() {
  mkdir -p "$CLUSTER/nodes/$1"
  touch "$CLUSTER/nodes/$1/labels" "$CLUSTER/nodes/$1/taints" "$CLUSTER/nodes/$1/annotations" "$CLUSTER/nodes/$1/ready"
  rm -f "$CLUSTER/nodes/$1/heartbeat-stopped"
}
# Whether version $1 is at least $2 (v1.34.3 style).
version_at_least() { [[ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n 1)" == "$2" ]]; }
