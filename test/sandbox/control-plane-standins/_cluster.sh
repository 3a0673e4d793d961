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
http_code() { cat "$CLUSTER/http/$(endpoint_key "$1" "$2")" 2>/dev/null || true; }
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
