#!/usr/bin/env bash
# Shared helpers for the node-preparation scripts.
# shellcheck disable=SC2034  # FILE_CHANGED, UNIT_STARTED and OS_FAMILY are read by the sourcing scripts
# Sourced by each script when run from a checkout; prepended to the script when
# shipped over SSH (see bundle.ts), so it must define functions only.
#
# Output contract of every script:
#   changed: <what>   one line per change made on the node
#   ok: <what>        state already as desired (informational)
#   no changes: ...   closing line when nothing changed
#   on failure: a block between "=== nodeprep diagnostics" and "=== end of diagnostics"
# All output goes through nodeprep_mask so proxy credentials never leak.
set -euo pipefail

NODEPREP_CHANGES=0
NODEPREP_STEP="start"
NODEPREP_UNIT=""
NODEPREP_PM_LOG=""

# Hide user:pass@ in URLs (with or without scheme).
nodeprep_mask() {
  sed -u -E \
    -e 's#([A-Za-z][A-Za-z0-9+.-]*://)[^/@[:space:]"'"'"']+@#\1***@#g' \
    -e 's#(^|[[:space:]=,"'"'"'])[^/@[:space:]=,"'"'"']+:[^/@[:space:]"'"'"']+@#\1***@#g'
}

nodeprep_begin() {
  NODEPREP_SCRIPT="$1"
  NODEPREP_MAIN_PID=$BASHPID
  NODEPREP_PM_LOG=$(mktemp /tmp/nodeprep-pm.XXXXXX)
  exec </dev/null
  exec > >(nodeprep_mask) 2>&1
  set -E
  trap 'nodeprep_on_err $? "$BASH_COMMAND" "$LINENO"' ERR
  trap 'rm -f "$NODEPREP_PM_LOG"' EXIT
}

nodeprep_end() {
  if (( NODEPREP_CHANGES == 0 )); then
    echo "no changes: $NODEPREP_SCRIPT: node already in the desired state"
  else
    echo "summary: $NODEPREP_SCRIPT: $NODEPREP_CHANGES change(s)"
  fi
}

step() { NODEPREP_STEP="$*"; NODEPREP_UNIT=""; }
changed() { NODEPREP_CHANGES=$((NODEPREP_CHANGES + 1)); echo "changed: $*"; }
ok() { echo "ok: $*"; }
note() { echo "note: $*"; }

# Work a change owes the node (a unit's restart, firewalld's reload), marked on the node BEFORE the
# change is made and cleared once done: a run killed between the two (its pulumi up stopped, the
# node restarted) would otherwise find the files as wanted on the next run and never do it
# (containerd left on its old cgroup driver, an opened port only in firewalld's permanent
# configuration). Marks live beside the kubeadm attempt marker; NODEPREP_MARKED lists this run's.
PENDING_DIR=/var/lib/onprem-k8s/pending
NODEPREP_MARKED=" "

pending_mark() {
  [[ -e "$PENDING_DIR/$1" ]] || { mkdir -p "$PENDING_DIR"; : >"$PENDING_DIR/$1"; }
  NODEPREP_MARKED+="$1 "
}
is_pending() { [[ -e "$PENDING_DIR/$1" ]]; }
pending_done() { rm -f "$PENDING_DIR/$1"; }
# Says so when the mark was left by an earlier run, not made by this one.
note_pending_from_earlier_run() {
  if [[ "$NODEPREP_MARKED" != *" $1 "* ]]; then
    note "an earlier run stopped before it finished: $2 left for this run"
  fi
}

# Restarts <unit> if a restart is owed (files written while RESTART_UNIT named it), unless
# UNIT_STARTED says it was just started (it read the new configuration then); the mark goes.
# A third argument, reload-or-restart, reloads a unit that can take its configuration live.
restart_if_pending() {
  local unit="$1" why="${2:-}" action="${3:-restart}"
  is_pending "restart-$unit" || return 0
  if [[ "${UNIT_STARTED:-false}" == false ]]; then
    note_pending_from_earlier_run "restart-$unit" "the restart of $unit"
    NODEPREP_UNIT=$unit
    if [[ "$action" == reload-or-restart ]]; then
      systemctl reload-or-restart "$unit"
      changed "reloaded $unit${why:+ ($why)}"
    else
      systemctl restart "$unit"
      changed "restarted $unit${why:+ ($why)}"
    fi
  fi
  pending_done "restart-$unit"
}

nodeprep_diagnostics() {
  local failed_command="$1" line="$2" code="$3"
  echo "=== nodeprep diagnostics: $NODEPREP_SCRIPT failed ==="
  echo "step: $NODEPREP_STEP"
  echo "failed command: $failed_command (line $line, exit code $code)"
  if [[ -n "$NODEPREP_UNIT" ]]; then
    echo "--- systemctl status $NODEPREP_UNIT ---"
    systemctl status "$NODEPREP_UNIT" --no-pager 2>&1 | tail -n 20 || true
    echo "--- journalctl -u $NODEPREP_UNIT -n 50 ---"
    journalctl -u "$NODEPREP_UNIT" -n 50 --no-pager 2>&1 || true
  fi
  if [[ -s "$NODEPREP_PM_LOG" ]]; then
    echo "--- package manager output (last 40 lines) ---"
    tail -n 40 "$NODEPREP_PM_LOG"
  fi
  echo "=== end of diagnostics ==="
}

nodeprep_on_err() {
  local code="$1" command="$2" line="$3"
  trap - ERR
  # A failure inside $(...) is reported once, by the main shell.
  if [[ "$BASHPID" != "$NODEPREP_MAIN_PID" ]]; then exit "$code"; fi
  echo "error: command failed"
  nodeprep_diagnostics "$command" "$line" "$code"
  exit "$code"
}

die() {
  trap - ERR
  echo "error: $*"
  nodeprep_diagnostics "${FUNCNAME[1]:-main}: $*" "${BASH_LINENO[0]}" 1
  exit 1
}

# Run a package-manager command; its output is kept for the diagnostic block.
pm_run() {
  echo "+ $*" >>"$NODEPREP_PM_LOG"
  "$@" >>"$NODEPREP_PM_LOG" 2>&1
}

# retry_backoff <attempts> <first-delay> <max-delay> cmd...: doubling delays (seed 000, T-038).
retry_backoff() {
  local attempts="$1" delay="$2" max="$3" n=1
  shift 3
  until "$@"; do
    if (( n >= attempts )); then
      echo "attempt $n/$attempts failed: $1"
      return 1
    fi
    echo "attempt $n/$attempts failed, retrying in ${delay}s: $1"
    sleep "$delay"
    n=$((n + 1))
    delay=$(( delay * 2 > max ? max : delay * 2 ))
  done
}

# retry <attempts> <delay> cmd...: the same with a fixed delay.
retry() {
  local attempts="$1" delay="$2"
  shift 2
  retry_backoff "$attempts" "$delay" "$delay" "$@"
}

require_env() {
  local name
  for name in "$@"; do
    [[ -n "${!name:-}" ]] || die "required parameter $name is empty"
  done
}

# OS family from /etc/os-release: sets OS_FAMILY (apt|dnf).
detect_os_family() {
  [[ -r /etc/os-release ]] || die "/etc/os-release not found: cannot tell the OS family"
  local os_id os_like word
  # shellcheck disable=SC1091
  os_id=$(. /etc/os-release && echo "${ID:-}")
  # shellcheck disable=SC1091
  os_like=$(. /etc/os-release && echo "${ID_LIKE:-}")
  OS_FAMILY=""
  for word in $os_id $os_like; do
    case "$word" in
      ubuntu|debian) OS_FAMILY=apt; break ;;
      rhel|rocky|almalinux|centos|redos|fedora) OS_FAMILY=dnf; break ;;
    esac
  done
  [[ -n "$OS_FAMILY" ]] || die "unsupported OS: ID='$os_id' ID_LIKE='$os_like'; supported: ubuntu, debian (apt) and rhel, rocky, almalinux, centos, redos (dnf)"
}

# Write a file only if its content or mode differs. Sets FILE_CHANGED=true|false. While
# RESTART_UNIT names a unit, a change marks that unit's restart pending first (restart_if_pending).
# The new content is written beside the file under a hidden name and renamed over it, so the file
# is never half-written; a hidden file a killed run left there is removed (the directories read
# every file in them, kubelet's static Pod manifests, but skip hidden ones).
ensure_file() {
  local path="$1" mode="$2" content tmp dir base
  dir=$(dirname "$path")
  base=$(basename "$path")
  rm -f "$dir/.$base.onprem-k8s."??????
  # Compared the way $(cat) reads the file back: without trailing newlines.
  content=$(printf '%s' "$3")
  FILE_CHANGED=false
  if [[ -f "$path" ]] && [[ "$(cat "$path")" == "$content" ]]; then
    if [[ "$(stat -c %a "$path")" != "$mode" ]]; then
      if [[ -n "${RESTART_UNIT:-}" ]]; then pending_mark "restart-$RESTART_UNIT"; fi
      chmod "$mode" "$path"
      FILE_CHANGED=true
      changed "mode of $path set to $mode"
    fi
    return 0
  fi
  mkdir -p "$dir"
  tmp=$(mktemp "$dir/.$base.onprem-k8s.XXXXXX")
  printf '%s\n' "$content" >"$tmp"
  chmod "$mode" "$tmp"
  if [[ -n "${RESTART_UNIT:-}" ]]; then pending_mark "restart-$RESTART_UNIT"; fi
  mv -f "$tmp" "$path"
  FILE_CHANGED=true
  changed "wrote $path"
}

# download_file <attempts> <delay> <path> <url>: the file whole or not at all, as ensure_file
# writes: a download cut off by a kill would otherwise stay half there, pass the next run's
# "already downloaded" check and fail apt's signature checks from then on.
download_file() {
  local attempts="$1" delay="$2" path="$3" url="$4" dir base tmp
  dir=$(dirname "$path")
  base=$(basename "$path")
  mkdir -p "$dir"
  rm -f "$dir/.$base.onprem-k8s."??????
  tmp=$(mktemp "$dir/.$base.onprem-k8s.XXXXXX")
  if ! retry "$attempts" "$delay" curl -fsSL -o "$tmp" "$url"; then
    rm -f "$tmp"
    return 1
  fi
  chmod 644 "$tmp"
  mv -f "$tmp" "$path"
}

# Remove a file if present. Sets FILE_CHANGED=true|false (and marks RESTART_UNIT as ensure_file).
ensure_absent() {
  local path="$1"
  FILE_CHANGED=false
  if [[ -e "$path" ]]; then
    if [[ -n "${RESTART_UNIT:-}" ]]; then pending_mark "restart-$RESTART_UNIT"; fi
    rm -f "$path"
    FILE_CHANGED=true
    changed "removed $path"
  fi
}

# Replace (or add, or with empty content remove) a block between markers in a file,
# in place. Sets FILE_CHANGED=true|false. An absent block is inserted after the first
# line matching <anchor-regex> when given, else appended.
ensure_block() {
  local path="$1" name="$2" content="$3" anchor="${4:-}"
  local begin="# BEGIN onprem-k8s $name" end="# END onprem-k8s $name" current="" new has_block=0
  [[ -f "$path" ]] && current=$(cat "$path")
  if grep -qxF -- "$begin" <<<"$current"; then has_block=1; fi
  new=$(print_lines "$current" | BLOCK_BEGIN="$begin" BLOCK_END="$end" BLOCK="$content" ANCHOR="$anchor" HAS_BLOCK="$has_block" awk '
    BEGIN { begin = ENVIRON["BLOCK_BEGIN"]; end = ENVIRON["BLOCK_END"]; block = ENVIRON["BLOCK"]
            anchor = ENVIRON["ANCHOR"]; has_block = ENVIRON["HAS_BLOCK"] == "1"; done = 0 }
    function emit() { if (block != "") { print begin; print block; print end }; done = 1 }
    $0 == begin { skipping = 1; emit(); next }
    skipping { if ($0 == end) skipping = 0; next }
    { print }
    !has_block && !done && anchor != "" && $0 ~ anchor { emit() }
    END { if (!done) emit() }
  ')
  FILE_CHANGED=false
  [[ "$new" == "$current" ]] && return 0
  ensure_file "$path" "$(stat -c %a "$path" 2>/dev/null || echo 644)" "$new"
}

# printf that prints nothing (not an empty line) for an empty string.
print_lines() {
  if [[ -n "$1" ]]; then printf '%s\n' "$1"; fi
}

unit_active() { systemctl is-active --quiet "$1"; }
unit_enabled() { systemctl is-enabled --quiet "$1" 2>/dev/null; }

# Sets UNIT_STARTED=true when the unit had to be started (a restart is then pointless).
ensure_unit_enabled_and_running() {
  local unit="$1"
  NODEPREP_UNIT="$unit"
  UNIT_STARTED=false
  if ! unit_enabled "$unit"; then
    systemctl enable "$unit"
    changed "enabled $unit"
  fi
  if ! unit_active "$unit"; then
    systemctl start "$unit"
    UNIT_STARTED=true
    changed "started $unit"
  fi
}

pkg_installed() {
  case "$OS_FAMILY" in
    apt) [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]] ;;
    dnf) rpm -q "$1" >/dev/null 2>&1 ;;
  esac
}

# A package-manager run that was cut off (its pulumi up stopped, the node restarted) leaves
# dpkg's journal in /var/lib/dpkg/updates, and every later apt-get install refuses: "E: dpkg was
# interrupted, you must manually run 'dpkg --configure -a' to correct the problem." That is run
# first; while a dpkg or apt-get still running from that run holds dpkg's lock, it is waited for
# (APT_LOCK_WAIT_SECONDS, as apt-get waits through DPkg::Lock::Timeout). A package killed in its
# maintainer script is left "reinstreq": dpkg --configure -a cannot configure it and fails, but it
# merges the journal, and the apt-get install that follows reinstalls the package.
apt_finish_interrupted() {
  [[ -n "$(ls -A /var/lib/dpkg/updates 2>/dev/null)" ]] || return 0
  note "dpkg was interrupted by an earlier run that stopped while it installed packages; finishing it (dpkg --configure -a)"
  local deadline=$(( SECONDS + ${APT_LOCK_WAIT_SECONDS:-300} )) from waited=false
  # Each attempt's own output is read for the lock error (the log also holds earlier commands').
  from=$(( $(wc -l <"$NODEPREP_PM_LOG") + 1 ))
  until pm_run env DEBIAN_FRONTEND=noninteractive dpkg --force-confdef --force-confold --configure -a; do
    if ! tail -n +"$from" "$NODEPREP_PM_LOG" | grep -q 'locked by another process'; then
      note "dpkg --configure -a could not configure every package (a package cut off in its maintainer script is reinstalled by the install that follows)"
      break
    fi
    (( SECONDS < deadline )) || die "dpkg's lock on $(hostname) was still held after ${APT_LOCK_WAIT_SECONDS:-300}s by the package manager of an earlier run (see the package manager output)"
    if [[ "$waited" == false ]]; then
      note "dpkg's lock is held by another process (a package manager still running from the stopped run); waiting for it"
      waited=true
    fi
    sleep 5
    from=$(( $(wc -l <"$NODEPREP_PM_LOG") + 1 ))
  done
  [[ -z "$(ls -A /var/lib/dpkg/updates 2>/dev/null)" ]] ||
    die "dpkg --configure -a on $(hostname) did not finish the interrupted package installation (/var/lib/dpkg/updates is not empty; see the package manager output)"
  changed "finished the interrupted dpkg run (dpkg --configure -a)"
}

apt_install() {
  apt_finish_interrupted
  pm_run env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout="${APT_LOCK_WAIT_SECONDS:-300}" install -y --no-install-recommends "$@"
}

ensure_packages() {
  local pkg missing=()
  for pkg in "$@"; do
    pkg_installed "$pkg" || missing+=("$pkg")
  done
  (( ${#missing[@]} == 0 )) && return 0
  case "$OS_FAMILY" in
    apt)
      pm_run env DEBIAN_FRONTEND=noninteractive apt-get update
      apt_install "${missing[@]}"
      ;;
    dnf) pm_run dnf install -y "${missing[@]}" ;;
  esac
  changed "installed ${missing[*]}"
}
