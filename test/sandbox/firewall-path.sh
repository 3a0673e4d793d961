#!/usr/bin/env bash
# Packets through a node's firewalld: a remote host and a pod, each in a network namespace of its
# own, wired to the node's namespace (where the firewalld under test runs) as Calico wires them: the
# node's NIC eth0 in the default zone, the pod's veth cali1 with a /32 route and proxy ARP. Prints
# one line per direction: "<from>-><to>: ok" or the connect error.
#
# Usage: firewall-path.sh <pid in the node's namespace> <sandbox root (for python3)> <pod address>
set -euo pipefail
node=/proc/$1/ns/net
root=$2
pod_ip=$3
tag=fwpath$$
remote=$tag-remote
pod=$tag-pod

in_node() { nsenter --net="$node" "$@"; }
cleanup() {
  ip netns del "$remote" 2>/dev/null || true
  ip netns del "$pod" 2>/dev/null || true
  in_node ip link del eth0 2>/dev/null || true
  in_node ip link del cali1 2>/dev/null || true
}
trap cleanup EXIT

ip netns add "$remote"
ip netns add "$pod"
in_node ip link add eth0 type veth peer name r0 netns "$remote"
in_node ip link add cali1 type veth peer name p0 netns "$pod"
in_node ip addr add 192.168.50.1/24 dev eth0
in_node ip link set lo up
in_node ip link set eth0 up
in_node ip link set cali1 up
in_node ip route add "$pod_ip/32" dev cali1
in_node sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.cali1.proxy_arp=1
ip -n "$remote" addr add 192.168.50.2/24 dev r0
ip -n "$remote" link set r0 up
ip -n "$remote" route add "$pod_ip/32" via 192.168.50.1
ip -n "$pod" addr add "$pod_ip/32" dev p0
ip -n "$pod" link set p0 up
ip -n "$pod" route add default dev p0

listen() {
  ip netns exec "$1" chroot "$root" timeout 10 python3 -c '
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 8080))
s.listen()
c, _ = s.accept()
c.send(b"ok")' &
  sleep 1
}
connect() {
  ip netns exec "$1" chroot "$root" timeout 6 python3 -c "
import socket
try:
    print(socket.create_connection(('$2', 8080), timeout=4).recv(2).decode())
except OSError as error:
    print(error)"
}

listen "$pod"
echo "remote->pod: $(connect "$remote" "$pod_ip")"
connect "$pod" "$pod_ip" >/dev/null 2>&1 || true # ends the listener when the first connect failed
wait
listen "$remote"
echo "pod->remote: $(connect "$pod" 192.168.50.2)"
connect "$remote" 192.168.50.2 >/dev/null 2>&1 || true
wait
