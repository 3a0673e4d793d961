// Platform settings: vSphere and Proxmox.
import { PROXMOX_VMID_BLOCK } from "../schema";
import { type Problem, type Rule, error, warning } from "./common";

export const platformRules: Rule[] = [
  {
    uses: ["platform"],
    check(c) {
      const problems: Problem[] = [];
      const { type } = c.platform;
      for (const name of ["vsphere", "proxmox"] as const) {
        if (type === name && !c.platform[name]) {
          problems.push(error(`platform.${name}`, undefined, `platform type ${name} needs its connection and placement settings`, `add cluster.platform.${name} (see the README's config reference)`));
        }
        if (type !== name && c.platform[name]) {
          problems.push(error(`platform.${name}`, "{...}", `settings for ${name} are given but platform type is ${type}`, `remove cluster.platform.${name}, or set cluster.platform.type to ${name}`));
        }
      }
      const vsphere = c.platform.vsphere;
      if (type === "vsphere" && vsphere && !vsphere.computeCluster && !vsphere.resourcePool) {
        problems.push(error("platform.vsphere.computeCluster", undefined, "no placement: neither a compute cluster nor a resource pool is given", "set cluster.platform.vsphere.computeCluster (or resourcePool)"));
      }
      if (type === "vsphere" && vsphere?.antiAffinity && !vsphere.computeCluster) {
        problems.push(error("platform.vsphere.antiAffinity", true, "DRS anti-affinity rules need a compute cluster", "set cluster.platform.vsphere.computeCluster, or antiAffinity: false"));
      }
      return problems;
    },
  },
  {
    uses: ["platform", "controlPlane", "workerPools"],
    check(c) {
      const proxmox = c.platform.proxmox;
      if (c.platform.type !== "proxmox" || !proxmox) return [];
      const problems: Problem[] = [];
      // Each pool's VMIDs come from its own block (components/machines/placement.ts).
      const blocks = [
        { path: "controlPlane.addresses", pool: "control plane", machines: c.controlPlane.addresses.length },
        ...c.workerPools.map((pool, i) => ({ path: `workerPools[${i}].addresses`, pool: `worker pool ${pool.name}`, machines: pool.addresses.length })),
      ];
      blocks.forEach((block, i) => {
        if (block.machines <= PROXMOX_VMID_BLOCK) return;
        const first = proxmox.vmIdStart + PROXMOX_VMID_BLOCK * i;
        problems.push(error(block.path, block.machines, `${block.machines} machines in the ${block.pool}, but its Proxmox VMID block ${first}-${first + PROXMOX_VMID_BLOCK - 1} holds ${PROXMOX_VMID_BLOCK}`, `split it into pools of at most ${PROXMOX_VMID_BLOCK} machines`));
      });
      const last = proxmox.vmIdStart + PROXMOX_VMID_BLOCK * blocks.length - 1;
      if (proxmox.templateVmId >= proxmox.vmIdStart && proxmox.templateVmId <= last) {
        problems.push(
          error(
            "platform.proxmox.vmIdStart",
            proxmox.vmIdStart,
            `the VMID blocks of the ${blocks.length} pools (${PROXMOX_VMID_BLOCK} each) span ${proxmox.vmIdStart}-${last} and include the template's VMID ${proxmox.templateVmId}`,
            `start above ${proxmox.templateVmId} (e.g. vmIdStart: ${Math.ceil((proxmox.templateVmId + 1) / 100) * 100}), or at most ${proxmox.templateVmId - PROXMOX_VMID_BLOCK * blocks.length}, or move the template to another VMID`,
          ),
        );
      }
      const controlPlanes = c.controlPlane.addresses.length;
      if (controlPlanes > 1 && proxmox.nodes.length < controlPlanes) {
        problems.push(warning("platform.proxmox.nodes", proxmox.nodes, `${controlPlanes} control planes on ${proxmox.nodes.length} Proxmox node(s): losing one host can take etcd quorum with it`, `list at least ${controlPlanes} Proxmox nodes to spread control planes`));
      }
      return problems;
    },
  },
  {
    // Machine-platform settings the schema cannot check field by field (components/machines).
    uses: ["platform", "controlPlane", "workerPools"],
    check(c) {
      const problems: Problem[] = [];
      const vsphere = c.platform.type === "vsphere" ? c.platform.vsphere : undefined;
      if (vsphere) {
        vsphere.tags.forEach((tag, i) => {
          if (!/^[^/]+\/[^/]+$/.test(tag)) {
            problems.push(error(`platform.vsphere.tags[${i}]`, tag, "a vSphere tag is looked up by its category and its name", "write it as category/tag, e.g. k8s/poc"));
          }
        });
        if (vsphere.antiAffinity && c.controlPlane.addresses.length < 2) {
          problems.push(warning("platform.vsphere.antiAffinity", true, "a single control plane has nothing to be kept apart from, so no DRS rule is created", "add control planes (3 for HA), or set antiAffinity: false"));
        }
      }
      if (c.platform.type === "existing") {
        c.workerPools.forEach((pool, i) => {
          if (pool.dataDiskGiB !== undefined) {
            problems.push(warning(`workerPools[${i}].dataDiskGiB`, pool.dataDiskGiB, "existing hosts are not created by the program, so no data disk is added to them; this setting is ignored", "attach the disk to the hosts yourself and remove dataDiskGiB"));
          }
        });
      }
      const proxmox = c.platform.type === "proxmox" ? c.platform.proxmox : undefined;
      if (proxmox) {
        proxmox.nodes.forEach((node, i) => {
          const first = proxmox.nodes.indexOf(node);
          if (first !== i) problems.push(error(`platform.proxmox.nodes[${i}]`, node, `Proxmox node ${node} is listed twice (also at cluster.platform.proxmox.nodes[${first}]), which would put machines spread over "distinct" nodes on the same host`, "list every Proxmox node once"));
        });
        const last = proxmox.vmIdStart + PROXMOX_VMID_BLOCK * (c.workerPools.length + 1) - 1;
        if (last > 999_999_999) {
          problems.push(error("platform.proxmox.vmIdStart", proxmox.vmIdStart, `the pools' VMID blocks would reach ${last}, above Proxmox's largest VMID 999999999`, "start the range lower"));
        }
        const known = new Set([...proxmox.nodes, proxmox.templateNode]);
        for (const name of Object.keys(proxmox.ssh?.nodeAddresses ?? {})) {
          if (!known.has(name)) {
            problems.push(error(`platform.proxmox.ssh.nodeAddresses.${name}`, name, `${name} is not a Proxmox node of this cluster, so its address would never be dialled`, `key the address by one of: ${[...known].join(", ")}`));
          }
        }
        if (!proxmox.ssh) {
          problems.push(warning("platform.proxmox.ssh", undefined, "cloud-init snippets are uploaded over SSH to the Proxmox nodes, and no SSH login is described: the provider falls back to its PROXMOX_VE_SSH_* environment", "set cluster.platform.proxmox.ssh.username (and the secret proxmoxSshPrivateKey, or agent: true)"));
        }
        const elsewhere = proxmox.nodes.filter((node) => node !== proxmox.templateNode);
        if (!proxmox.fullClone && elsewhere.length > 0) {
          problems.push(warning("platform.proxmox.fullClone", false, `linked clones of template ${proxmox.templateVmId} on ${proxmox.templateNode} can only be placed on ${elsewhere.join(", ")} if the template's storage is shared`, "use full clones (fullClone: true), shared storage, or list only the template's node"));
        }
      }
      return problems;
    },
  },
];
