// cloud-init documents for created machines, as pure functions of the node and the description.
// The user-data is deliberately minimal (hostname, one admin user, SSH keys, no passwords, the
// guest agent): everything else happens over SSH in node preparation, which is re-runnable,
// while cloud-init runs once per instance. Both platforms get it through cloud-init: vSphere
// in guestinfo (VMware datasource), Proxmox as a snippet (NoCloud drive).
import { stringify } from "yaml";
import type { OsFamily } from "../../stacks/schema";
import type { ClusterSpec, NodeSpec } from "../../stacks/spec";
import { prefixLength } from "../../stacks/network";

export type MachinePlatform = "vsphere" | "proxmox";

/** Guest agent per platform: the hypervisor reads the VM's addresses and shuts it down through it. */
export interface GuestAgent {
  package: string;
  /** Whether cloud-init installs it. */
  install: boolean;
}

/**
 * open-vm-tools must already be in a vSphere template: the VMware datasource reads guestinfo with
 * its tools, so a template without them would never see this user-data. Installing it again
 * would only add a package-repository dependency to first boot (offline and proxied sites).
 * Proxmox cloud images usually lack qemu-guest-agent, and the provider waits for it, so
 * cloud-init installs it there.
 */
export function guestAgentFor(platform: MachinePlatform): GuestAgent {
  return platform === "vsphere" ? { package: "open-vm-tools", install: false } : { package: "qemu-guest-agent", install: true };
}

const APT_FAMILIES: readonly OsFamily[] = ["ubuntu", "debian"];

export interface UserDataInput {
  hostname: string;
  adminUser: string;
  authorizedKeys: string[];
  osFamily: OsFamily;
  guestAgent: GuestAgent;
  /** The site's proxy, so first-boot package installs reach the repositories. */
  proxy?: { http: string; https?: string };
}

/** The `#cloud-config` user-data of one machine. */
export function renderUserData(input: UserDataInput): string {
  if (input.authorizedKeys.length === 0) throw new Error(`user-data for ${input.hostname}: at least one SSH public key is required (cluster.ssh.authorizedKeys)`);
  const document: Record<string, unknown> = {
    hostname: input.hostname,
    preserve_hostname: false,
    users: [
      {
        name: input.adminUser,
        gecos: "onprem-k8s admin (node preparation over SSH)",
        shell: "/bin/bash",
        sudo: "ALL=(ALL) NOPASSWD:ALL",
        lock_passwd: true,
        ssh_authorized_keys: input.authorizedKeys,
      },
    ],
    disable_root: true,
    ssh_pwauth: false,
  };
  const apt = APT_FAMILIES.includes(input.osFamily);
  if (input.guestAgent.install) {
    if (input.proxy && apt) {
      document.apt = { http_proxy: input.proxy.http, https_proxy: input.proxy.https ?? input.proxy.http };
    }
    if (input.proxy && !apt) {
      // dnf has no cloud-init proxy key; node preparation's proxy.sh later replaces this
      // unmanaged line with its own managed block.
      document.write_files = [{ path: "/etc/dnf/dnf.conf", append: true, content: `proxy=${input.proxy.http}\n` }];
    }
    document.packages = [input.guestAgent.package];
    document.runcmd = [["systemctl", "start", input.guestAgent.package]];
  }
  return `#cloud-config\n${stringify(document, { lineWidth: 0 })}`;
}

export interface NetworkConfigInput {
  interface: string;
  address: string;
  prefixLength: number;
  gateway: string;
  dnsServers: string[];
  searchDomains: string[];
  mtu: number;
}

/** Network config version 2 with a static address (netplan syntax; cloud-init renders it on every distro). */
export function renderNetworkConfig(input: NetworkConfigInput): Record<string, unknown> {
  return {
    version: 2,
    ethernets: {
      [input.interface]: {
        dhcp4: false,
        dhcp6: false,
        addresses: [`${input.address}/${input.prefixLength}`],
        // 0.0.0.0/0 rather than `default`: older netplan and cloud-init's sysconfig renderer read it.
        routes: [{ to: "0.0.0.0/0", via: input.gateway }],
        nameservers: { addresses: input.dnsServers, ...(input.searchDomains.length ? { search: input.searchDomains } : {}) },
        mtu: input.mtu,
      },
    },
  };
}

/** Instance metadata for the VMware datasource: identity plus the network config. */
export function renderVsphereMetadata(hostname: string, network: Record<string, unknown>): string {
  return stringify({ "instance-id": hostname, "local-hostname": hostname, network }, { lineWidth: 0 });
}

/** The VMX keys the VMware datasource reads (cloud-init >= 21.3), base64 so any content survives. */
export function guestinfoExtraConfig(userData: string, metadata: string): Record<string, string> {
  const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
  return {
    "guestinfo.metadata": base64(metadata),
    "guestinfo.metadata.encoding": "base64",
    "guestinfo.userdata": base64(userData),
    "guestinfo.userdata.encoding": "base64",
  };
}

/** Everything a created machine gets through cloud-init, from the description. */
export interface MachineCloudInit {
  userData: string;
  network: Record<string, unknown>;
}

export function machineCloudInit(spec: ClusterSpec, node: NodeSpec, platform: MachinePlatform): MachineCloudInit {
  const proxy = spec.proxy ? { http: spec.proxy.http, https: spec.proxy.https } : undefined;
  return {
    userData: renderUserData({
      hostname: node.name,
      adminUser: spec.ssh.user,
      authorizedKeys: spec.ssh.authorizedKeys,
      osFamily: spec.os.family,
      guestAgent: guestAgentFor(platform),
      proxy,
    }),
    network: renderNetworkConfig({
      interface: spec.network.interface,
      address: node.address,
      prefixLength: prefixLength(spec.network.subnet),
      gateway: spec.network.gateway,
      dnsServers: spec.network.dnsServers,
      searchDomains: spec.network.searchDomains,
      mtu: spec.network.mtu,
    }),
  };
}
