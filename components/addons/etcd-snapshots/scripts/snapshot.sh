#!/usr/bin/env bash
# One etcd snapshot, on the control plane this runs on (the etcd-snapshot CronJob of
# components/addons/etcd-snapshots chroots its Pod into the host): taken from the first healthy
# member (this host's own first), verified with `etcdutl snapshot status`, written off the node (an
# S3-compatible store with the host's curl and SigV4, or an NFS export), verified again where it
# landed (read back: same SHA-256, and etcdutl reads the copy), then the oldest beyond RETAIN are
# deleted there. etcdctl and etcdutl are the ones in kubeadm's etcd image, run in this host's etcd
# container. Safe to re-run from any point: every run writes a new snapshot named by its time and
# host, and leaves nothing behind on the node.
#
# Environment: CLUSTER_NAME, TARGET (s3 | nfs | node), RETAIN, ETCD_ENDPOINTS (every member's
# client URL, comma-separated);
#   s3:   S3_URL, S3_BUCKET, S3_REGION, S3_PREFIX, S3_CREDENTIALS (an AWS credentials file's text:
#         aws_access_key_id, aws_secret_access_key of [default]);
#   nfs:  NFS_SERVER, NFS_PATH, NFS_PREFIX;
#   node: LOCAL_DIR.
# Optional: ETCD_PKI (/etc/kubernetes/pki/etcd), ETCD_DATA_DIR (/var/lib/etcd: kubeadm mounts it at
# the same path into the etcd container, so a file there is seen by both), CRI_SOCKET,
# LOCAL_ENDPOINT (this host's member, tried first: https://127.0.0.1:2379).
set -euo pipefail

: "${CLUSTER_NAME:?}" "${TARGET:?}" "${RETAIN:?}" "${ETCD_ENDPOINTS:?}"
ETCD_PKI=${ETCD_PKI:-/etc/kubernetes/pki/etcd}
ETCD_DATA_DIR=${ETCD_DATA_DIR:-/var/lib/etcd}
CRI_SOCKET=${CRI_SOCKET:-unix:///run/containerd/containerd.sock}
LOCAL_ENDPOINT=${LOCAL_ENDPOINT:-https://127.0.0.1:2379}
HOST_NAME=$(hostname)
EMPTY_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855

log() { echo "etcd-snapshot: $*"; }
die() {
  echo "etcd-snapshot: FAILED on $HOST_NAME: $*" >&2
  exit 1
}

staging="$ETCD_DATA_DIR/snapshot-staging"
mount_dir=""
cleanup() {
  rm -rf "$staging"
  if [[ -n "$mount_dir" ]]; then
    umount "$mount_dir" 2>/dev/null || true
    rmdir "$mount_dir" 2>/dev/null || true
  fi
}
trap cleanup EXIT

container=$(crictl --runtime-endpoint "$CRI_SOCKET" ps --name '^etcd$' --state running --quiet 2>/dev/null | head -n 1 || true)
[[ -n "$container" ]] || die "no running etcd container on this control plane (crictl ps -a --name etcd); the Job's next attempt runs on another one"
in_etcd() { crictl --runtime-endpoint "$CRI_SOCKET" exec "$container" "$@"; }
etcdctl() { in_etcd etcdctl --cacert="$ETCD_PKI/ca.crt" --cert="$ETCD_PKI/healthcheck-client.crt" --key="$ETCD_PKI/healthcheck-client.key" "$@"; }

# The first healthy member: this host's own, else any other (its etcd container still runs etcdctl).
chosen="" report=""
IFS=',' read -r -a endpoints <<<"$LOCAL_ENDPOINT,$ETCD_ENDPOINTS"
for endpoint in "${endpoints[@]}"; do
  [[ -n "$endpoint" ]] || continue
  if health=$(etcdctl --endpoints="$endpoint" --dial-timeout=3s --command-timeout=5s endpoint health 2>&1); then
    chosen=$endpoint
    break
  fi
  report+="  $endpoint: $(echo "$health" | tail -n 2 | tr '\n' ' ')"$'\n'
done
[[ -n "$chosen" ]] || die "no etcd member is healthy, so no consistent snapshot can be taken:"$'\n'"$report"
[[ -z "$report" ]] || log "unhealthy members skipped:"$'\n'"$report"

stamp=$(date -u +%Y%m%dT%H%M%SZ)
name="etcd-snapshot-$stamp-$HOST_NAME.db"
rm -rf "$staging"
mkdir -p "$staging"
chmod 700 "$staging"
saved=$(etcdctl --endpoints="$chosen" --command-timeout=10m snapshot save "$staging/$name" 2>&1) || die "etcdctl snapshot save from $chosen failed:"$'\n'"$saved"
# etcdutl exits non-zero on a file it cannot read as a snapshot; no keys means it holds nothing.
status_of() {
  local json keys
  json=$(in_etcd etcdutl snapshot status "$1" --write-out=json) || die "etcdutl snapshot status cannot read $2"
  keys=$(sed -n 's/.*"totalKey":\([0-9]*\).*/\1/p' <<<"$json")
  [[ -n "$keys" && "$keys" -gt 0 ]] || die "$2 holds no keys: $json"
  echo "$json"
}
status=$(status_of "$staging/$name" "the snapshot taken from $chosen")
sha=$(sha256sum "$staging/$name" | cut -d' ' -f1)
size=$(stat -c %s "$staging/$name")
log "saved $name from $chosen ($size bytes, sha256 $sha): $status"

# Snapshot names sort by time; all but the newest RETAIN go.
oldest_beyond_retain() { grep -E '(^|/)etcd-snapshot-[0-9]{8}T[0-9]{6}Z-[A-Za-z0-9.-]+\.db$' | sort | head -n "-$RETAIN"; }

# --- S3: curl signs each request (SigV4); the keys go to curl on stdin, never on a command line.
s3_config() {
  local file_key id secret
  credential() {
    awk -v want="$1" '
      /^[[:space:]]*\[/ { section = $0; gsub(/[][[:space:]]/, "", section); next }
      section == "default" && index($0, "=") {
        key = substr($0, 1, index($0, "=") - 1); gsub(/[[:space:]]/, "", key)
        if (key == want) { value = substr($0, index($0, "=") + 1); gsub(/^[[:space:]]+|[[:space:]]+$/, "", value); print value; exit }
      }' <<<"$S3_CREDENTIALS"
  }
  id=$(credential aws_access_key_id)
  secret=$(credential aws_secret_access_key)
  [[ -n "$id" && -n "$secret" ]] || die "the secret etcdSnapshotS3Credentials has no aws_access_key_id and aws_secret_access_key under [default]"
  file_key="$id:$secret"
  file_key=${file_key//\\/\\\\}
  printf 'user = "%s"\n' "${file_key//\"/\\\"}"
}
# s3 <payload sha256> <path and query below the bucket> [curl arguments...]
s3() {
  local payload=$1 path=$2
  shift 2
  s3_config | curl --silent --show-error --fail-with-body --retry 3 --config - \
    --aws-sigv4 "aws:amz:$S3_REGION:s3" -H "x-amz-content-sha256: $payload" "$@" "${S3_URL%/}/$S3_BUCKET$path"
}

to_s3() {
  curl --help all 2>/dev/null | grep -q -- '--aws-sigv4' || die "curl on this control plane has no --aws-sigv4 (curl 7.75 or newer): $(curl --version | head -n 1)"
  local key="$S3_PREFIX/$name" listing keys deleted=0 old
  local answer
  answer=$(s3 "$sha" "/$key" --upload-file "$staging/$name" 2>&1) || die "upload of $key to ${S3_URL%/}/$S3_BUCKET failed; the store answered:"$'\n'"$answer"
  answer=$(s3 "$EMPTY_SHA256" "/$key" --output "$staging/read-back.db" 2>&1) || die "$key cannot be read back from the store:"$'\n'"$answer"
  [[ "$(sha256sum "$staging/read-back.db" | cut -d' ' -f1)" == "$sha" ]] || die "$key read back from the store differs from the snapshot taken"
  status_of "$staging/read-back.db" "$key as stored" >/dev/null
  log "stored and read back: ${S3_URL%/}/$S3_BUCKET/$key"
  # Keys are listed with the prefix percent-encoded: curl signs the query as it is written.
  listing=$(s3 "$EMPTY_SHA256" "?list-type=2&prefix=${S3_PREFIX//\//%2F}%2Fetcd-snapshot-" 2>&1) || die "listing s3://$S3_BUCKET/$S3_PREFIX/ failed:"$'\n'"$listing"
  [[ "$listing" != *"<IsTruncated>true</IsTruncated>"* ]] || log "more snapshots under $S3_PREFIX/ than one listing holds: only the first page is pruned"
  keys=$(grep -o '<Key>[^<]*</Key>' <<<"$listing" | sed -e 's/^<Key>//' -e 's/<\/Key>$//' || true)
  for old in $(oldest_beyond_retain <<<"$keys"); do
    answer=$(s3 "$EMPTY_SHA256" "/$old" --request DELETE 2>&1) || die "deleting the old snapshot $old failed:"$'\n'"$answer"
    log "deleted $old (beyond the newest $RETAIN)"
    deleted=$((deleted + 1))
  done
  log "done: s3://$S3_BUCKET/$key verified; $deleted old snapshot(s) deleted"
}

# --- A directory: the NFS export (mounted for this run) or the node's own.
to_directory() {
  local dir=$1 where=$2 deleted=0 old
  mkdir -p "$dir"
  cp "$staging/$name" "$dir/.$name.partial"
  mv "$dir/.$name.partial" "$dir/$name"
  [[ "$(sha256sum "$dir/$name" | cut -d' ' -f1)" == "$sha" ]] || die "$where/$name differs from the snapshot taken"
  log "stored: $where/$name"
  for old in $(find "$dir" -maxdepth 1 -type f -printf '%f\n' | oldest_beyond_retain); do
    rm -f -- "${dir:?}/$old"
    log "deleted $old (beyond the newest $RETAIN)"
    deleted=$((deleted + 1))
  done
  log "done: $where/$name verified; $deleted old snapshot(s) deleted"
}

case "$TARGET" in
  s3) to_s3 ;;
  nfs)
    command -v mount.nfs >/dev/null || die "no NFS client on this control plane (mount.nfs: the nfs-common or nfs-utils package)"
    mount_dir=$(mktemp -d /run/etcd-snapshot-nfs.XXXXXX)
    mount -t nfs -o hard,timeo=600 "$NFS_SERVER:$NFS_PATH" "$mount_dir" || die "mounting $NFS_SERVER:$NFS_PATH failed"
    to_directory "$mount_dir/$NFS_PREFIX" "$NFS_SERVER:$NFS_PATH/$NFS_PREFIX" ;;
  node) to_directory "$LOCAL_DIR" "$HOST_NAME:$LOCAL_DIR" ;;
  *) die "unknown TARGET $TARGET (s3, nfs or node)" ;;
esac
