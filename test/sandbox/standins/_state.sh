# Shared by the sandbox stand-ins: state lives under /var/lib/sandbox, every call is logged.
STATE=/var/lib/sandbox
mkdir -p "$STATE"
log_call() { printf '%s %s\n' "$(basename "$0")" "$*" >>"$STATE/calls.log"; }

# Kill points: $STATE/kill-point names one point (a kubeadm phase such as join/etcd-member-added,
# or "<tool> <args...>" for any call that starts so of a stand-in or of another script sourcing
# this file, a package's maintainer script say). There the stand-in SIGKILLs the script that
# called it (the `bash -s` the step runs, and every process between them: apt-get and dpkg under a
# maintainer script) and dies itself, as when the run is killed at that line (the node restarted,
# the session gone). Each point fires once; $STATE/killed-at lists those that fired.
kill_point() {
  local point pid comm chain=()
  [[ -f "$STATE/kill-point" ]] || return 0
  point=$(cat "$STATE/kill-point")
  [[ "$1" == "$point" || "$1" == "$point "* ]] || return 0
  rm -f "$STATE/kill-point"
  echo "$point" >>"$STATE/killed-at"
  pid=$PPID
  for _ in 1 2 3 4 5 6 7 8; do
    [[ -r "/proc/$pid/cmdline" ]] || break
    chain+=("$pid")
    comm=$(tr '\0' ' ' <"/proc/$pid/cmdline")
    [[ "$comm" == "bash -s " ]] && break
    pid=$(awk '{ print $4 }' "/proc/$pid/stat")
  done
  kill -9 "${chain[@]}" 2>/dev/null
  exit 137
}
kill_point "$(basename "$0") $*"
