// keepalived.conf for one control plane in keepalived + haproxy mode. VRRP runs unicast
// (unicast_src_ip + unicast_peer): multicast VRRP is commonly filtered on virtualised
// networks (NSX, cloud-like underlays), and then every node elects itself MASTER (seed 004).
// A vrrp_script probes /readyz through the local haproxy; while it fails the instance goes to
// FAULT and gives up the VIP.
//
// The VRRP password is rendered as the placeholder `${KEEPALIVED_AUTH_PASS}`; the node script
// substitutes it from an environment variable (see components/remote/placeholders.ts).
import * as ipaddr from "ipaddr.js";
import { secretPlaceholder } from "../remote/placeholders";
import { DEFAULT_HAPROXY_FRONTEND_PORT } from "./haproxy";

/** Environment variable carrying the VRRP authentication password on the node. */
export const KEEPALIVED_AUTH_PASS_ENV = "KEEPALIVED_AUTH_PASS";
export const KEEPALIVED_AUTH_PASS_PLACEHOLDER = secretPlaceholder(KEEPALIVED_AUTH_PASS_ENV);
export const DEFAULT_CHECK_SCRIPT_PATH = "/etc/keepalived/check-apiserver.sh";
/**
 * keepalived's conventional unprivileged script user; node preparation must create it
 * (`useradd --system --no-create-home --shell /usr/sbin/nologin keepalived_script`).
 */
export const DEFAULT_SCRIPT_USER = "keepalived_script";
/** Priority of the first control plane; each following one gets PRIORITY_STEP less. */
export const TOP_PRIORITY = 150;
export const PRIORITY_STEP = 10;

export interface KeepalivedPeer {
  name: string;
  /** The node's address on the VRRP interface. */
  address: string;
}

export interface KeepalivedConfigParams {
  /** Every control plane, in order: the first gets the highest priority and starts as MASTER. */
  controlPlanes: KeepalivedPeer[];
  /** Name of the control plane this file is for. */
  self: string;
  /** Interface carrying the node address and the VIP, e.g. "ens192". */
  interface: string;
  /** 1..255, unique per L2 segment among all VRRP users. */
  virtualRouterId: number;
  vip: string;
  /** Prefix length of the node subnet the VIP lives in, e.g. 24. */
  vipPrefixLength: number;
  /** haproxy's API frontend port, probed by the check script. */
  haproxyPort?: number;
  checkScriptPath?: string;
  scriptUser?: string;
  advertIntervalSeconds?: number;
}

/** VRRPv2 simple passwords are at most 8 characters; limited to characters safe in the config. */
export function isKeepalivedAuthPass(password: string): boolean {
  return /^[A-Za-z0-9]{1,8}$/.test(password);
}

/** Priority of the control plane at `index` in the ordered list (first highest). */
export function keepalivedPriority(index: number): number {
  const priority = TOP_PRIORITY - index * PRIORITY_STEP;
  if (index < 0 || priority < 1) throw new Error(`no VRRP priority for control plane #${index + 1}`);
  return priority;
}

function ipv4(address: string, what: string): string {
  const trimmed = address.trim();
  if (!ipaddr.IPv4.isValidFourPartDecimal(trimmed)) {
    // IPv6 VRRP needs VRRPv3, which has no authentication; not supported by this renderer.
    throw new Error(`${what}: ${address} is not an IPv4 address`);
  }
  return trimmed;
}

export function renderKeepalivedConfig(params: KeepalivedConfigParams): string {
  const nodes = params.controlPlanes.map((node) => ({ name: node.name, address: ipv4(node.address, `control plane ${node.name}`) }));
  const selfIndex = nodes.findIndex((node) => node.name === params.self);
  if (selfIndex < 0) throw new Error(`self ${params.self} is not among the control planes`);
  if (new Set(nodes.map((n) => n.name)).size !== nodes.length) throw new Error("control-plane names must be unique");
  if (new Set(nodes.map((n) => n.address)).size !== nodes.length) throw new Error("control-plane addresses must be unique");
  if (!Number.isInteger(params.virtualRouterId) || params.virtualRouterId < 1 || params.virtualRouterId > 255) {
    throw new Error(`virtualRouterId must be 1..255, got ${params.virtualRouterId}`);
  }
  const vip = ipv4(params.vip, "vip");
  if (nodes.some((n) => n.address === vip)) throw new Error(`vip ${vip} must not be a node address`);
  if (!Number.isInteger(params.vipPrefixLength) || params.vipPrefixLength < 1 || params.vipPrefixLength > 32) {
    throw new Error(`vipPrefixLength must be 1..32, got ${params.vipPrefixLength}`);
  }
  if (!/^[A-Za-z0-9_.:-]{1,15}$/.test(params.interface)) throw new Error(`invalid interface name ${params.interface}`);
  const scriptPath = params.checkScriptPath ?? DEFAULT_CHECK_SCRIPT_PATH;
  if (!/^\/[A-Za-z0-9_./-]+$/.test(scriptPath)) throw new Error(`checkScriptPath must be an absolute path, got ${scriptPath}`);
  const scriptUser = params.scriptUser ?? DEFAULT_SCRIPT_USER;
  if (!/^[a-z_][a-z0-9_-]*$/.test(scriptUser)) throw new Error(`invalid scriptUser ${scriptUser}`);
  const haproxyPort = params.haproxyPort ?? DEFAULT_HAPROXY_FRONTEND_PORT;

  const self = nodes[selfIndex]!;
  const peers = nodes.filter((_, index) => index !== selfIndex);
  const lines = [
    "# Rendered by onprem-k8s (components/endpoint/keepalived.ts). Do not edit on the host.",
    "global_defs {",
    `    router_id ${self.name}`,
    // Scripts run unprivileged, and keepalived refuses scripts writable by non-root users.
    `    script_user ${scriptUser}`,
    "    enable_script_security",
    "}",
    "",
    "vrrp_script check_apiserver {",
    `    script "${scriptPath} ${haproxyPort}"`,
    "    interval 3",
    "    timeout 5",
    "    fall 3",
    "    rise 2",
    "}",
    "",
    "vrrp_instance kube_apiserver_vip {",
    `    state ${selfIndex === 0 ? "MASTER" : "BACKUP"}`,
    `    interface ${params.interface}`,
    `    virtual_router_id ${params.virtualRouterId}`,
    `    priority ${keepalivedPriority(selfIndex)}`,
    `    advert_int ${params.advertIntervalSeconds ?? 1}`,
    `    unicast_src_ip ${self.address}`,
    "    unicast_peer {",
    ...peers.map((peer) => `        ${peer.address}`),
    "    }",
    "    authentication {",
    "        auth_type PASS",
    `        auth_pass ${KEEPALIVED_AUTH_PASS_PLACEHOLDER}`,
    "    }",
    "    virtual_ipaddress {",
    `        ${vip}/${params.vipPrefixLength} dev ${params.interface}`,
    "    }",
    "    track_script {",
    "        check_apiserver",
    "    }",
    "}",
  ];
  return `${lines.join("\n")}\n`;
}
