# Shared by the sandbox stand-ins: state lives under /var/lib/sandbox, every call is logged.
STATE=/var/lib/sandbox
mkdir -p "$STATE"
log_call() { printf '%s %s\n' "$(basename "$0")" "$*" >>"$STATE/calls.log"; }
