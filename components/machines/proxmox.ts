// Proxmox VE machines: clones of a cloud-init template spread over the Proxmox nodes, with the
// user-data uploaded as a snippet next to each VM and the static address given through ipConfigs.
//
// Resource classes (@muhlba91/pulumi-proxmoxve 8.x): `VmLegacy` is the provider's complete VM
// resource (clone block, cloud-init `initialization`, agent, disks, onBoot). `Vm` is marked
// experimental/"do not use", and `cloned.Vm` leaves cloud-init and the guest agent unmanaged, so
// neither can deliver a machine. `FileLegacy` uploads snippets (`download.File*` only fetches URLs).
import * as pulumi from "@pulumi/pulumi";
import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import type { ClusterContext } from "../context";
import type { ClusterConfig } from "../../stacks/schema";
import { machineCloudInit } from "./cloud-init";
import { placeOnProxmox, proxmoxDisks } from "./placement";
import { reachableStep } from "./reachable";
import { sshConnection } from "../remote/connection";
import type { Machine } from "./types";
import { prefixLength } from "../../stacks/network";

export function proxmoxDescription(cluster: string, role: string, node: string): string {
  return `${role} ${node} of Kubernetes cluster ${cluster}; created and managed by Pulumi (onprem-k8s)`;
}

/** Proxmox sorts VM tags; giving them sorted keeps previews free of spurious diffs. */
export function proxmoxTags(cluster: string, role: string): string[] {
  return ["onprem-k8s", cluster, role].sort();
}

type ProxmoxSshSettings = NonNullable<NonNullable<ClusterConfig["platform"]["proxmox"]>["ssh"]>;

/**
 * The provider's `ssh` block for snippet uploads: the login, the agent or the private key (a
 * secret), and per-node addresses where the API's idea of a node's address is not dialable.
 * Without settings the provider keeps its PROXMOX_VE_SSH_* environment.
 */
export function proxmoxProviderSsh(ssh: ProxmoxSshSettings | undefined, privateKey: pulumi.Input<string> | undefined): proxmoxve.types.input.ProviderSsh | undefined {
  if (!ssh) return undefined;
  if (!ssh.agent && privateKey === undefined) throw new Error("platform.proxmox.ssh: without agent: true the secret proxmoxSshPrivateKey is required");
  const nodes = Object.entries(ssh.nodeAddresses).map(([name, address]) => ({ name, address }));
  return {
    username: ssh.username,
    agent: ssh.agent,
    privateKey: ssh.agent ? undefined : pulumi.secret(privateKey!),
    nodes: nodes.length > 0 ? nodes : undefined,
  };
}

export class ProxmoxMachines extends pulumi.ComponentResource {
  readonly machines: Machine[];

  constructor(name: string, ctx: ClusterContext, opts?: pulumi.ComponentResourceOptions) {
    super("onprem-k8s:machines:ProxmoxMachines", name, {}, opts);
    const { spec, secrets, artifacts } = ctx;
    const settings = spec.platform.proxmox;
    if (!settings) throw new Error("platform.proxmox is required for platform type proxmox");
    if (!secrets.proxmoxApiToken) throw new Error("the secret proxmoxApiToken is required for platform type proxmox");

    // Snippet uploads go over SSH to the Proxmox node: platform.proxmox.ssh, else the provider's
    // PROXMOX_VE_SSH_* environment.
    const provider = new proxmoxve.Provider(
      `${name}-proxmox`,
      {
        endpoint: settings.endpoint,
        apiToken: secrets.proxmoxApiToken,
        insecure: settings.insecure,
        ssh: proxmoxProviderSsh(settings.ssh, secrets.proxmoxSshPrivateKey),
      },
      { parent: this, protect: false },
    );
    const subnetPrefixLength = prefixLength(spec.network.subnet);

    this.machines = placeOnProxmox(spec.nodes, settings.nodes, settings.vmIdStart, spec.workerPools.map((pool) => pool.name)).map(({ node, vmId, proxmoxNode }) => {
      const { userData } = machineCloudInit(spec, node, "proxmox");
      artifacts.add("cloud-init", `machines/${node.name}/user-data.yaml`, userData);

      // Protected like the VM: Proxmox rebuilds the cloud-init drive from the snippet at every
      // start, so a VM whose snippet is gone no longer boots.
      const snippet = new proxmoxve.FileLegacy(
        `${node.name}-user-data`,
        {
          nodeName: proxmoxNode,
          datastoreId: settings.snippetsDatastore,
          contentType: "snippets",
          sourceRaw: { fileName: `${spec.name}-${node.name}-user-data.yaml`, data: userData },
          overwrite: true,
        },
        { parent: this, provider, protect: spec.protect },
      );

      const vm = new proxmoxve.VmLegacy(
        node.name,
        {
          name: node.name,
          nodeName: proxmoxNode,
          vmId,
          description: proxmoxDescription(spec.name, node.role, node.name),
          tags: proxmoxTags(spec.name, node.role),
          clone: { vmId: settings.templateVmId, nodeName: settings.templateNode, full: settings.fullClone, datastoreId: settings.datastore, retries: 3 },
          cpu: { cores: node.cpus, sockets: 1, type: "x86-64-v2-AES" },
          memory: { dedicated: node.memoryMiB },
          agent: { enabled: true, trim: true },
          disks: proxmoxDisks(node, settings.datastore),
          networkDevices: [{ bridge: settings.bridge, vlanId: settings.vlanId, model: "virtio", mtu: spec.network.mtu }],
          operatingSystem: { type: "l26" },
          initialization: {
            datastoreId: settings.datastore,
            ipConfigs: [{ ipv4: { address: `${node.address}/${subnetPrefixLength}`, gateway: spec.network.gateway } }],
            dns: { servers: spec.network.dnsServers, domain: spec.network.searchDomains.length ? spec.network.searchDomains.join(" ") : undefined },
            userDataFileId: snippet.id,
          },
          onBoot: true,
          started: true,
        },
        { parent: this, provider, protect: spec.protect },
      );
      const machine = {
        node,
        connection: sshConnection(node, spec.ssh.user, spec.ssh.port, secrets.sshPrivateKey),
        platformId: vm.vmId.apply((id) => String(id)),
      };
      return { ...machine, ready: reachableStep(machine, this, [vm]) };
    });

    this.registerOutputs({
      machines: this.machines.map((m) => ({ name: m.node.name, role: m.node.role, address: m.node.address, vmId: m.platformId })),
    });
  }
}
