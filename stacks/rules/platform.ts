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
  {
    // Names and the endpoint as the providers (and the platforms behind them) read them.
    uses: ["platform"],
    check(c) {
      const problems: Problem[] = [];
      const proxmox = c.platform.type === "proxmox" ? c.platform.proxmox : undefined;
      if (proxmox) {
        const endpointProblem = proxmoxEndpointProblem(proxmox.endpoint);
        if (endpointProblem) problems.push(error("platform.proxmox.endpoint", proxmox.endpoint, endpointProblem.problem, endpointProblem.fix, endpointProblem.value ? { path: ["platform", "proxmox", "endpoint"], value: endpointProblem.value } : undefined));
        const nodes = [...proxmox.nodes.map((node, i) => ({ path: `platform.proxmox.nodes[${i}]`, node })), { path: "platform.proxmox.templateNode", node: proxmox.templateNode }];
        for (const { path, node } of nodes) {
          if (!PVE_NODE_NAME.test(node)) problems.push(error(path, node, "not a Proxmox node name (a host name: letters, digits and '-', as `pvecm nodes` lists it)", "use the node's name as the Proxmox web UI shows it, e.g. pve1"));
        }
        for (const key of ["datastore", "snippetsDatastore"] as const) {
          if (!PVE_STORAGE_ID.test(proxmox[key])) problems.push(error(`platform.proxmox.${key}`, proxmox[key], "not a Proxmox storage ID (a letter first, then letters, digits, '-', '_' or '.')", "use the storage's ID as Datacenter > Storage lists it, e.g. local-lvm"));
        }
      }
      const vsphere = c.platform.type === "vsphere" ? c.platform.vsphere : undefined;
      if (vsphere) {
        for (const key of ["datacenter", "computeCluster", "resourcePool", "datastore", "folder", "network", "template"] as const) {
          const value = vsphere[key];
          const long = value?.split("/").find((part) => part.length > VSPHERE_NAME_MAX);
          if (long) problems.push(error(`platform.vsphere.${key}`, value, `${long.length} characters; vSphere inventory names have at most ${VSPHERE_NAME_MAX}`, "use the object's name as vCenter shows it"));
        }
        const folder = vsphere.folder;
        const relative = folder?.replace(/^\/+/, "").replace(new RegExp(`^${escapeRegExp(vsphere.datacenter)}/vm(/|$)`), "");
        if (folder && relative !== folder) {
          problems.push(error("platform.vsphere.folder", folder, "the VM folder is a path below the datacenter's VM folder (/<datacenter>/vm), which the provider prepends itself", relative ? `write ${relative}` : "remove folder to use the datacenter's VM folder", relative ? { path: ["platform", "vsphere", "folder"], value: relative } : { path: ["platform", "vsphere", "folder"], remove: true }));
        }
      }
      return problems;
    },
  },
];

/** Proxmox node names (PVE's pve-node format). */
const PVE_NODE_NAME = /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
/** Proxmox storage IDs (PVE's pve-storage-id format). */
const PVE_STORAGE_ID = /^[a-z][a-z0-9\-_.]*[a-z0-9]$/i;
/** vSphere inventory object names (VMs, folders, datastores, port groups). */
const VSPHERE_NAME_MAX = 80;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The Proxmox provider dials `<endpoint>/api2/json/...` over TLS: only the https origin belongs in it. */
function proxmoxEndpointProblem(endpoint: string): { problem: string; fix: string; value?: string } | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return undefined; // the schema reports it
  }
  const origin = `https://${url.host}${url.port ? "" : ":8006"}/`;
  if (url.protocol !== "https:") return { problem: "the Proxmox VE API answers only over TLS (https, port 8006)", fix: `use ${origin}`, value: origin };
  if (url.username || url.password) return { problem: "credentials in the URL; the provider authenticates with the secret proxmoxApiToken", fix: `use ${origin}`, value: origin };
  if (url.pathname !== "/" || url.search || url.hash) return { problem: `the provider appends /api2/json itself, so a path (${url.pathname}${url.search}) would be dialled twice`, fix: `give only the origin: ${origin}`, value: origin };
  return undefined;
}

