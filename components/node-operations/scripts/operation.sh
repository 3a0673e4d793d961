#!/usr/bin/env bash
# Runs one node operation of cluster.nodeOperations (components/node-operations) on one target,
# with its retries, and reports what it changed. Safe to run again from any point: each type
# compares the node with what it should be and changes only the difference.
#
# Parameters (stdin exports, components/node-operations/params.ts):
#   OP_NAME, OP_TYPE (file|patch|command|labels|taints|wait), ATTEMPTS, BACKOFF_SECONDS,
#   CONTINUE_ON_ERROR (true|false), STATE_DIR (what a failed onChange still owes), NODE_NAME (the target: its Node object for labels, taints
#   and node-ready, which run on a control plane through the API with ADMIN_KUBECONFIG);
#   file:    FILE_PATH, CONTENT, FILE_MODE, FILE_OWNER, ON_CHANGE
#   patch:   FILE_PATH, PATTERN (GNU sed -E), REPLACEMENT or LINE, CREATE_IF_MISSING, FILE_MODE,
#            FILE_OWNER (of a created file), ON_CHANGE
#   command: COMMAND, TIMEOUT_SECONDS
#   labels:  SET_LABELS (key=value lines), REMOVE_LABELS (key lines)
#   taints:  ADD_TAINTS (key[=value]:Effect lines), REMOVE_TAINTS (key[:Effect] lines)
#   wait:    WAIT_FOR (kubelet-healthy|node-ready|command), COMMAND, TIMEOUT_SECONDS, INTERVAL_SECONDS
# Output: "changed: ..." per change, "no changes: ..." when there was none; a failure continued
# past (CONTINUE_ON_ERROR) ends "failed, continuing: ..." and exits 0.
set -euo pipefail

: "${OP_NAME:?OP_NAME is required}" "${OP_TYPE:?OP_TYPE is required}"
ATTEMPTS="${ATTEMPTS:-1}"
BACKOFF_SECONDS="${BACKOFF_SECONDS:-5}"
CONTINUE_ON_ERROR="${CONTINUE_ON_ERROR:-false}"
ADMIN_KUBECONFIG="${ADMIN_KUBECONFIG:-/etc/kubernetes/admin.conf}"
KUBELET_HEALTHZ_PORT="${KUBELET_HEALTHZ_PORT:-10248}"
# sed's s command delimiter: validation refuses control characters in patterns and replacements.
SED_DELIMITER=$'\001'
STATE_DIR="${STATE_DIR:-/var/lib/onprem-k8s/node-operations}"
CHANGES=0

changed() { CHANGES=$((CHANGES + 1)); echo "changed: $*"; }
fail() { echo "error: $*" >&2; return 1; }

# Mode as stat prints it (no leading zeros) for the octal FILE_MODE.
normal_mode() { printf '%o' "$((8#$1))"; }

# Fails unless the owner's user (and group) exist on this node.
check_owner() {
  local user="${1%%:*}" group=""
  [[ "$1" == *:* ]] && group="${1#*:}"
  id -u "$user" >/dev/null 2>&1 || fail "owner $1: no user $user on this node"
  [[ -z "$group" ]] || getent group "$group" >/dev/null || fail "owner $1: no group $group on this node"
}

# An onChange still owed: the file changed but the command has not succeeded since (a run stopped
# or failed in between), so the next run runs it although the file is already as described.
pending_marker() { printf '%s/%s.on-change-pending' "$STATE_DIR" "$OP_NAME"; }

# Records that the file is about to change, before it does.
owe_change() {
  [[ -n "${ON_CHANGE:-}" ]] || return 0
  mkdir -p "$STATE_DIR"
  touch "$(pending_marker)"
}

# Runs ON_CHANGE when the file changed in this run or an earlier run still owes it.
after_change() {
  [[ -n "${ON_CHANGE:-}" ]] || return 0
  ((CHANGES > 0)) || [[ -e "$(pending_marker)" ]] || return 0
  echo "running onChange: $ON_CHANGE"
  bash -c "$ON_CHANGE" || fail "onChange failed: $ON_CHANGE"
  rm -f "$(pending_marker)"
}

# Puts $1 (a file beside FILE_PATH) in place with the wanted mode and owner, atomically.
install_file() {
  local staged="$1" mode="$2" owner="$3"
  chmod "$mode" "$staged"
  chown "$owner" "$staged"
  mv -f "$staged" "$FILE_PATH"
}

op_file() {
  : "${FILE_PATH:?}" "${CONTENT?CONTENT is required}"
  local mode="${FILE_MODE:-0644}" owner="${FILE_OWNER:-root:root}" staged
  check_owner "$owner"
  mkdir -p "$(dirname "$FILE_PATH")"
  staged="$(mktemp "$FILE_PATH.onprem-k8s.XXXXXX")"
  printf '%s' "$CONTENT" >"$staged"
  if [[ -f "$FILE_PATH" ]] && cmp -s "$staged" "$FILE_PATH" \
    && [[ "$(stat -c %a "$FILE_PATH")" == "$(normal_mode "$mode")" ]] \
    && [[ "$(stat -c %U:%G "$FILE_PATH")" == "$(owner_names "$owner")" ]]; then
    rm -f "$staged"
    after_change
    return 0
  fi
  owe_change
  install_file "$staged" "$mode" "$owner"
  changed "$FILE_PATH written (mode $mode, owner $owner)"
  after_change
}

# user:group as stat prints it for an owner given as user, user:group or numeric ids.
owner_names() {
  local user="${1%%:*}" group
  if [[ "$1" == *:* ]]; then group="${1#*:}"; else group="$(id -gn "$user")"; fi
  printf '%s:%s' "$(id -un "$user")" "$(getent group "$group" | cut -d: -f1)"
}

# Writes FILE_PATH with the patch applied to $1 (the file's current text) into $2.
patched() {
  local from="$1" to="$2" numbers
  if [[ -n "${REPLACEMENT+set}" && -n "${PATTERN:-}" ]]; then
    sed -E "s${SED_DELIMITER}${PATTERN}${SED_DELIMITER}${REPLACEMENT}${SED_DELIMITER}" "$from" >"$to"
    return
  fi
  : "${LINE?LINE or REPLACEMENT is required}"
  numbers=""
  if [[ -n "${PATTERN:-}" ]]; then numbers="$(grep -nE -e "$PATTERN" "$from" | cut -d: -f1 | tr '\n' ' ' || true)"; fi
  if [[ -n "$numbers" ]]; then
    # The line is passed through the environment: awk -v would read its backslashes as escapes.
    NUMBERS="$numbers" awk 'BEGIN { n = split(ENVIRON["NUMBERS"], list, " "); for (i = 1; i <= n; i++) hit[list[i]] = 1 }
      { if (FNR in hit) print ENVIRON["LINE"]; else print }' "$from" >"$to"
  elif grep -qxF -e "$LINE" "$from"; then
    cat "$from" >"$to"
  else
    cat "$from" >"$to"
    # A last line without its newline gets one before the new line.
    if [[ -s "$to" && "$(tail -c 1 "$to" | od -An -c | tr -d ' ')" != '\n' ]]; then echo >>"$to"; fi
    printf '%s\n' "$LINE" >>"$to"
  fi
}

op_patch() {
  : "${FILE_PATH:?}"
  local staged again
  if [[ ! -e "$FILE_PATH" ]]; then
    [[ "${CREATE_IF_MISSING:-false}" == true ]] || fail "$FILE_PATH does not exist on this node (set createIfMissing: true to create it)"
    local mode="${FILE_MODE:-0644}" owner="${FILE_OWNER:-root:root}"
    check_owner "$owner"
    mkdir -p "$(dirname "$FILE_PATH")"
    staged="$(mktemp "$FILE_PATH.onprem-k8s.XXXXXX")"
    owe_change
    install_file "$staged" "$mode" "$owner"
    changed "$FILE_PATH created (mode $mode, owner $owner)"
  fi
  [[ -f "$FILE_PATH" ]] || fail "$FILE_PATH is not a regular file"
  staged="$(mktemp "$FILE_PATH.onprem-k8s.XXXXXX")"
  again="$(mktemp "$FILE_PATH.onprem-k8s.XXXXXX")"
  if ! patched "$FILE_PATH" "$staged" || ! patched "$staged" "$again"; then
    rm -f "$staged" "$again"
    fail "the patch could not be applied to $FILE_PATH"
  fi
  # A patch whose result it changes again would grow the file on every run: refused, not applied.
  if ! cmp -s "$staged" "$again"; then
    rm -f "$staged" "$again"
    fail "the patch is not idempotent: applied to its own result it changes $FILE_PATH again (make the replacement something the pattern no longer changes)"
  fi
  rm -f "$again"
  if cmp -s "$staged" "$FILE_PATH"; then
    rm -f "$staged"
    after_change
    return 0
  fi
  chmod --reference="$FILE_PATH" "$staged"
  chown --reference="$FILE_PATH" "$staged"
  diff -u "$FILE_PATH" "$staged" | sed -n '3,$p' | grep -E '^[-+]' | sed 's/^/  /' || true
  owe_change
  mv -f "$staged" "$FILE_PATH"
  changed "$FILE_PATH patched"
  after_change
}

op_command() {
  : "${COMMAND:?}"
  timeout "${TIMEOUT_SECONDS:-600}" bash -c "$COMMAND" || fail "the command failed (exit $?)"
  changed "ran: $(head -n 1 <<<"$COMMAND")"
}

kube() { kubectl --kubeconfig "$ADMIN_KUBECONFIG" "$@"; }

op_labels() {
  : "${NODE_NAME:?}"
  local entry key current
  while IFS= read -r entry; do
    [[ -n "$entry" ]] || continue
    key="${entry%%=*}"
    current="$(kube get node "$NODE_NAME" -o go-template="{{index .metadata.labels \"$key\"}}")"
    [[ "$current" != "${entry#*=}" ]] || continue
    kube label node "$NODE_NAME" "$entry" --overwrite >/dev/null
    changed "label $entry on node $NODE_NAME"
  done <<<"${SET_LABELS:-}"
  while IFS= read -r key; do
    [[ -n "$key" ]] || continue
    current="$(kube get node "$NODE_NAME" -o go-template="{{index .metadata.labels \"$key\"}}")"
    [[ "$current" != "<no value>" ]] || continue
    kube label node "$NODE_NAME" "$key-" >/dev/null
    changed "label $key removed from node $NODE_NAME"
  done <<<"${REMOVE_LABELS:-}"
}

# The Node's taints as key[=value]:Effect lines (kubectl's own notation).
node_taints() {
  kube get node "$NODE_NAME" -o jsonpath='{range .spec.taints[*]}{.key}{"="}{.value}{":"}{.effect}{"\n"}{end}' | sed -E 's/=:/:/'
}

op_taints() {
  : "${NODE_NAME:?}"
  local entry key effect present line
  while IFS= read -r entry; do
    [[ -n "$entry" ]] || continue
    present="$(node_taints)"
    grep -qxF -e "$entry" <<<"$present" && continue
    kube taint node "$NODE_NAME" "$entry" --overwrite >/dev/null
    changed "taint $entry on node $NODE_NAME"
  done <<<"${ADD_TAINTS:-}"
  while IFS= read -r entry; do
    [[ -n "$entry" ]] || continue
    key="${entry%%:*}" effect=""
    [[ "$entry" == *:* ]] && effect="${entry#*:}"
    while IFS= read -r line; do
      [[ -n "$line" ]] || continue
      [[ "${line%%[=:]*}" == "$key" ]] || continue
      [[ -z "$effect" || "${line##*:}" == "$effect" ]] || continue
      kube taint node "$NODE_NAME" "$key:${line##*:}-" >/dev/null
      changed "taint $line removed from node $NODE_NAME"
    done <<<"$(node_taints)"
  done <<<"${REMOVE_TAINTS:-}"
}

# kubelet's health endpoint, without curl: one HTTP request over bash's /dev/tcp.
kubelet_healthy() {
  local reply
  reply="$(timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$KUBELET_HEALTHZ_PORT && printf 'GET /healthz HTTP/1.0\r\n\r\n' >&3 && cat <&3" 2>/dev/null)" || return 1
  [[ "$reply" == *$'\r\n\r\nok'* || "$reply" == *$'\n\nok'* ]]
}

node_ready() {
  [[ "$(kube get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" == True ]]
}

op_wait() {
  : "${WAIT_FOR:?}"
  local limit="${TIMEOUT_SECONDS:-300}" interval="${INTERVAL_SECONDS:-5}" checks=1
  # As many checks as intervals fit in the time limit (the checks' own time aside).
  until case "$WAIT_FOR" in
    kubelet-healthy) kubelet_healthy ;;
    node-ready) node_ready ;;
    command) timeout "$limit" bash -c "$COMMAND" ;;
    *) fail "unknown WAIT_FOR $WAIT_FOR" ;;
  esac; do
    ((checks * interval < limit)) || fail "$WAIT_FOR not reached within $limit s ($checks checks, ${interval} s apart)"
    sleep "$interval"
    checks=$((checks + 1))
  done
  echo "ok: $WAIT_FOR"
}

run_once() {
  case "$OP_TYPE" in
    file) op_file ;;
    patch) op_patch ;;
    command) op_command ;;
    labels) op_labels ;;
    taints) op_taints ;;
    wait) op_wait ;;
    *) fail "unknown OP_TYPE $OP_TYPE" ;;
  esac
}

main() {
  local attempt=1 delay="$BACKOFF_SECONDS" status
  echo "operation $OP_NAME ($OP_TYPE)${NODE_NAME:+ on $NODE_NAME}"
  while :; do
    # errexit holds inside the subshell only when it is not part of a condition.
    set +e
    (
      set -e
      run_once
      ((CHANGES > 0)) || echo "no changes: $OP_NAME: already as described"
    )
    status=$?
    set -e
    ((status != 0)) || return 0
    if ((attempt >= ATTEMPTS)); then
      if [[ "$CONTINUE_ON_ERROR" == true ]]; then
        echo "failed, continuing: $OP_NAME failed after $attempt attempt(s) (exit $status); continueOnError lets the run go on"
        return 0
      fi
      echo "error: $OP_NAME failed after $attempt attempt(s) (exit $status)" >&2
      return "$status"
    fi
    echo "attempt $attempt/$ATTEMPTS of $OP_NAME failed (exit $status), retrying in ${delay}s"
    sleep "$delay"
    attempt=$((attempt + 1))
    delay=$((delay * 2))
  done
}

main
