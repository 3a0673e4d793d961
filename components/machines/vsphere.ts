// vSphere machines: template clones placed by name (datacenter, cluster or pool, datastore,
// folder, network), with static addressing and the admin user delivered by cloud-init through
// guestinfo, and in prod a DRS rule keeping the control planes on distinct hosts.
import * as pulumi from "@pulumi/pulumi";
import * as vsphere from "@pulumi/vsphere";
import type { ClusterContext } from "../context";
import { guestinfoExtraConfig, machineCloudInit, renderVsphereMetadata } from "./cloud-init";
import { vsphereDisks, type TemplateDisk } from "./placement";
import { reachableStep } from "./reachable";
import { sshConnection } from "../remote/connection";
import type { Machine } from "./types";

/** `category/tag` as written in platform.vsphere.tags. */
export function parseVsphereTag(text: string): { category: string; tag: string } {
  const parts = text.split("/");
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw new Error(`platform.vsphere.tags: "${text}" is not category/tag`);
  return { category: parts[0], tag: parts[1] };
}

/** The VM folder as vSphere's folder lookup wants it: an absolute inventory path. */
export function vsphereFolderPath(datacenter: string, folder: string): string {
  return `/${datacenter}/vm/${folder.replace(/^\/+|\/+$/g, "")}`;
}

export function vsphereAnnotation(cluster: string, role: string, node: string): string {
  return `${role} ${node} of Kubernetes cluster ${cluster}; created and managed by Pulumi (onprem-k8s), do not edit by hand`;
}

export class VsphereMachines extends pulumi.ComponentResource {
  readonly machines: Machine[];

  constructor(name: string, ctx: ClusterContext, opts?: pulumi.ComponentResourceOptions) {
    super("onprem-k8s:machines:VsphereMachines", name, {}, opts);
    const { spec, secrets, artifacts } = ctx;
    const settings = spec.platform.vsphere;
    if (!settings) throw new Error("platform.vsphere is required for platform type vsphere");
    if (!secrets.vspherePassword) throw new Error("the secret vspherePassword is required for platform type vsphere");

    // Infrastructure plumbing is never protected: deleting a provider or a lookup loses nothing.
    const provider = new vsphere.Provider(
      `${name}-vsphere`,
      { vsphereServer: settings.server, user: settings.user, password: secrets.vspherePassword, allowUnverifiedSsl: settings.allowUnverifiedSsl },
      { parent: this, protect: false },
    );
    const invoke = { parent: this, provider };
    const datacenter = vsphere.getDatacenterOutput({ name: settings.datacenter }, invoke);
    const datacenterId = datacenter.apply((dc) => dc.id);
    const computeCluster = settings.computeCluster ? vsphere.getComputeClusterOutput({ name: settings.computeCluster, datacenterId }, invoke) : undefined;
    const resourcePoolId = settings.resourcePool
      ? vsphere.getResourcePoolOutput({ name: settings.resourcePool, datacenterId }, invoke).apply((pool) => pool.id)
      : computeCluster!.apply((cluster) => cluster.resourcePoolId);
    const datastoreId = vsphere.getDatastoreOutput({ name: settings.datastore, datacenterId }, invoke).apply((ds) => ds.id);
    const networkId = vsphere.getNetworkOutput({ name: settings.network, datacenterId }, invoke).apply((net) => net.id);
    const template = vsphere.getVirtualMachineOutput({ name: settings.template, datacenterId }, invoke);
    // The folder must exist; the VM takes its path relative to the datacenter.
    const folder = settings.folder
      ? vsphere.getFolderOutput({ path: vsphereFolderPath(settings.datacenter, settings.folder) }, invoke).apply(() => settings.folder!.replace(/^\/+|\/+$/g, ""))
      : undefined;
    const tagIds = settings.tags.map((text) => {
      const { category, tag } = parseVsphereTag(text);
      const categoryId = vsphere.getTagCategoryOutput({ name: category }, invoke).apply((c) => c.id!);
      return vsphere.getTagOutput({ name: tag, categoryId }, invoke).apply((t) => t.id!);
    });

    const vms = new Map<string, vsphere.VirtualMachine>();
    this.machines = spec.nodes.map((node) => {
      const cloudInit = machineCloudInit(spec, node, "vsphere");
      const metadata = renderVsphereMetadata(node.name, cloudInit.network);
      artifacts.add("cloud-init", `machines/${node.name}/user-data.yaml`, cloudInit.userData);
      artifacts.add("cloud-init", `machines/${node.name}/meta-data.yaml`, metadata);

      const vm = new vsphere.VirtualMachine(
        node.name,
        {
          name: node.name,
          annotation: vsphereAnnotation(spec.name, node.role, node.name),
          resourcePoolId,
          datastoreId,
          folder,
          numCpus: node.cpus,
          memory: node.memoryMiB,
          // Hardware the guest was installed with comes from the template.
          guestId: template.guestId,
          firmware: template.firmware,
          scsiType: template.scsiType,
          networkInterfaces: [{ networkId, adapterType: template.networkInterfaceTypes.apply((types) => types[0] ?? "vmxnet3") }],
          disks: template.disks.apply((disks: TemplateDisk[]) => vsphereDisks(disks, node, settings.linkedClone)),
          clone: { templateUuid: template.id, linkedClone: settings.linkedClone },
          // vSphere CSI identifies volumes by disk UUID.
          enableDiskUuid: true,
          extraConfig: guestinfoExtraConfig(cloudInit.userData, metadata),
          tags: tagIds,
        },
        { parent: this, provider, protect: spec.protect },
      );
      vms.set(node.name, vm);
      const machine = {
        node,
        connection: sshConnection(node, spec.ssh.user, spec.ssh.port, secrets.sshPrivateKey),
        platformId: vm.uuid,
      };
      return { ...machine, ready: reachableStep(machine, this, [vm]) };
    });

    // A DRS rule with one VM is refused by vCenter, and there is nothing to keep apart.
    const controlPlaneVms = spec.controlPlanes.map((node) => vms.get(node.name)!);
    if (settings.antiAffinity && computeCluster && controlPlaneVms.length > 1) {
      new vsphere.ComputeClusterVmAntiAffinityRule(
        `${spec.name}-control-planes-apart`,
        {
          name: `${spec.name}-control-planes-apart`,
          computeClusterId: computeCluster.apply((cluster) => cluster.id),
          virtualMachineIds: controlPlaneVms.map((vm) => vm.id),
          enabled: true,
          // Not mandatory: HA must still be able to restart a control plane when a host fails.
          mandatory: false,
        },
        { parent: this, provider, protect: false },
      );
    }

    this.registerOutputs({
      machines: this.machines.map((m) => ({ name: m.node.name, role: m.node.role, address: m.node.address, uuid: m.platformId })),
    });
  }
}
