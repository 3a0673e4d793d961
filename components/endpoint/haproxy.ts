// haproxy.cfg for the keepalived + haproxy endpoint mode: every control plane runs haproxy,
// keepalived moves the VIP between them, and haproxy spreads TCP connections over every
// apiserver. haproxy listens on its own port (8443 by default) because the local apiserver
// already binds 6443 on the same host (seed 004). Backends are health-checked with an HTTPS
// `GET /readyz`, not a bare TCP connect, so an apiserver that accepts connections but is not
// ready (etcd down, still starting) gets no traffic (seed 000).
import * as ipaddr from "ipaddr.js";

export const DEFAULT_HAPROXY_FRONTEND_PORT = 8443;
export const DEFAULT_APISERVER_PORT = 6443;
/** Runtime API socket: stats and server state for operators, root-only, no password anywhere. */
export const DEFAULT_HAPROXY_ADMIN_SOCKET = "/run/haproxy/admin.sock";

export interface HaproxyBackendServer {
  /** Server name in haproxy's logs and stats, usually the node name. */
  name: string;
  address: string;
  /** apiserver port; defaults to 6443. */
  port?: number;
}

export interface HaproxyHealthCheckParams {
  /** Time between checks, in milliseconds. */
  intervalMs?: number;
  /** Consecutive failures before a server is marked down. */
  fall?: number;
  /** Consecutive successes before it is marked up again. */
  rise?: number;
}

export interface HaproxyConfigParams {
  /** Port of the API frontend; must differ from the apiserver port on the same host. */
  frontendPort?: number;
  /**
   * Address to bind; defaults to all addresses so the frontend answers on the VIP wherever
   * keepalived moves it, without needing net.ipv4.ip_nonlocal_bind.
   */
  bindAddress?: string;
  /** Every control plane's apiserver. */
  backends: HaproxyBackendServer[];
  healthCheck?: HaproxyHealthCheckParams;
  /**
   * CA bundle to verify the apiservers' certificates during health checks, e.g.
   * /etc/kubernetes/pki/ca.crt. Without it, checks use TLS without verification: they only
   * read /readyz, and client traffic is passed through untouched either way.
   */
  healthCheckCaFile?: string;
  /** Optional local-only HTTP stats page (no credentials, bound to loopback). */
  statsPort?: number;
  adminSocket?: string;
}

function validPort(port: number, what: string): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${what}: invalid port ${port}`);
  return port;
}

/** haproxy names: letters, digits, '-', '_', '.', ':' only. */
function serverName(name: string): string {
  if (!/^[A-Za-z0-9_.:-]+$/.test(name)) throw new Error(`backend name "${name}" may only contain letters, digits, - _ . :`);
  return name;
}

function hostPort(address: string, port: number): string {
  const trimmed = address.trim();
  if (!ipaddr.isValid(trimmed)) throw new Error(`backend address ${address} is not an IP address`);
  const ip = ipaddr.parse(trimmed);
  return ip.kind() === "ipv6" ? `[${ip.toString()}]:${port}` : `${ip.toString()}:${port}`;
}

export function renderHaproxyConfig(params: HaproxyConfigParams): string {
  const frontendPort = validPort(params.frontendPort ?? DEFAULT_HAPROXY_FRONTEND_PORT, "frontendPort");
  if (params.backends.length === 0) throw new Error("haproxy needs at least one apiserver backend");
  const names = params.backends.map((b) => serverName(b.name));
  if (new Set(names).size !== names.length) throw new Error("backend names must be unique");
  for (const backend of params.backends) {
    const port = validPort(backend.port ?? DEFAULT_APISERVER_PORT, `backend ${backend.name}`);
    if (port === frontendPort) {
      throw new Error(`frontend port ${frontendPort} collides with the apiserver port of ${backend.name} on the same host`);
    }
  }
  const bind = params.bindAddress ?? "*";
  if (bind !== "*" && bind !== "::" && !ipaddr.isValid(bind)) throw new Error(`bindAddress ${bind} is not an IP address`);
  const bindSpec = bind === "::" ? `:::${frontendPort} v4v6` : bind.includes(":") ? `[${bind}]:${frontendPort}` : `${bind}:${frontendPort}`;

  const check = params.healthCheck ?? {};
  const interval = check.intervalMs ?? 2000;
  const fall = check.fall ?? 3;
  const rise = check.rise ?? 2;
  const verify = params.healthCheckCaFile ? `verify required ca-file ${params.healthCheckCaFile}` : "verify none";

  const lines = [
    "# Rendered by onprem-k8s (components/endpoint/haproxy.ts). Do not edit on the host.",
    "global",
    "    log /dev/log local0",
    "    chroot /var/lib/haproxy",
    `    stats socket ${params.adminSocket ?? DEFAULT_HAPROXY_ADMIN_SOCKET} mode 600 level admin`,
    "    stats timeout 30s",
    "    user haproxy",
    "    group haproxy",
    "    daemon",
    "",
    "defaults",
    "    log global",
    "    mode tcp",
    "    option tcplog",
    "    option dontlognull",
    "    retries 3",
    "    timeout connect 5s",
    // kubectl exec/logs -f and watches are long-lived: generous client/server timeouts.
    "    timeout client 4h",
    "    timeout server 4h",
    "    timeout tunnel 4h",
    "    timeout client-fin 30s",
    "    timeout server-fin 30s",
    "    timeout check 5s",
    "",
    "frontend kube-apiserver",
    `    bind ${bindSpec}`,
    "    mode tcp",
    "    option tcplog",
    "    default_backend kube-apiserver",
    "",
    "backend kube-apiserver",
    "    mode tcp",
    "    balance roundrobin",
    "    option httpchk",
    "    http-check send meth GET uri /readyz ver HTTP/1.1 hdr Host kubernetes",
    "    http-check expect status 200",
    `    default-server check check-ssl ${verify} inter ${interval} downinter ${interval} fall ${fall} rise ${rise} on-marked-down shutdown-sessions`,
    ...params.backends.map(
      (backend) => `    server ${backend.name} ${hostPort(backend.address, backend.port ?? DEFAULT_APISERVER_PORT)}`,
    ),
  ];

  if (params.statsPort !== undefined) {
    const statsPort = validPort(params.statsPort, "statsPort");
    if (statsPort === frontendPort) throw new Error("statsPort must differ from frontendPort");
    lines.push(
      "",
      // Loopback only: reachable from the host itself (ssh + curl), so no credentials are needed.
      "frontend stats",
      `    bind 127.0.0.1:${statsPort}`,
      "    mode http",
      "    timeout client 30s",
      "    stats enable",
      "    stats uri /stats",
      "    stats refresh 10s",
    );
  }
  return `${lines.join("\n")}\n`;
}
