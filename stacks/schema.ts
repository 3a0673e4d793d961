// The cluster description: one zod schema is the single source of truth for the stack config's
// shape, the TypeScript types, the README's config reference and the first half of validation
// (the cross-field rules in rules.ts are the second half).
import { z } from "zod";
import * as formats from "./formats";
import { authorizedKeyProblem } from "./ssh-keys";
import { addonsSchema } from "./schema-addons";
import { adoptionSchema } from "./schema-adoption";
import { DEFAULT_CHECK_TIMEOUT_SECONDS, checksSchema } from "./schema-checks";
import { DEFAULT_RENEW_BEFORE_DAYS, certificatesSchema } from "./schema-certificates";
import { hardeningFields } from "./schema-hardening";
import { nodeOperationsSchema } from "./schema-node-operations";
import { checked, cidr, dnsLabel, dnsName, httpUrl, ipv4, labelMap, port, sizing } from "./schema-primitives";

/** Kubernetes minors this program renders configs and package repositories for. */
export const SUPPORTED_KUBERNETES_MINORS = ["1.30", "1.31", "1.32", "1.33", "1.34", "1.35", "1.36"] as const;

export { TESTED_KUBERNETES_VERSION } from "./kubernetes-releases";

/** OS releases node preparation is written and tested for, per family. */
export const SUPPORTED_OS_VERSIONS = {
  ubuntu: ["22.04", "24.04"],
  debian: ["12", "13"],
  rhel: ["8", "9"],
  redos: ["7.3", "8"],
} as const;
export type OsFamily = keyof typeof SUPPORTED_OS_VERSIONS;
export const OS_FAMILIES = Object.keys(SUPPORTED_OS_VERSIONS) as [OsFamily, ...OsFamily[]];

/** Keys of the secrets the program reads with `config.requireSecret`, outside the description. */
export const SECRET_KEYS = {
  sshPrivateKey: "PEM private key Pulumi uses to reach every node over SSH",
  vspherePassword: "vCenter password (platform.type vsphere; also used by vSphere CSI)",
  proxmoxApiToken: "Proxmox VE API token `user@realm!tokenid=uuid` (platform.type proxmox)",
  proxmoxSshPrivateKey: "PEM private key for SSH to the Proxmox nodes, which snippet uploads need (platform.proxmox.ssh without agent)",
  veleroS3Credentials: "Velero's S3 credentials file content (addons.backups.velero.enabled)",
  etcdSnapshotS3Credentials: "AWS credentials file (aws_access_key_id, aws_secret_access_key) the etcd snapshot job signs its S3 requests with (addons.backups.etcdSnapshots.s3)",
} as const;
export type SecretKey = keyof typeof SECRET_KEYS;

const vsphereSchema = z
  .strictObject({
    server: checked(formats.vcenterServerProblem, "write vCenter's host name or address, e.g. vcenter.example.internal").describe("vCenter host name or address"),
    user: checked(formats.singleLineProblem, "write the user on one line, e.g. svc-k8s@vsphere.local").describe("vCenter user; the password is the secret `vspherePassword`"),
    allowUnverifiedSsl: z.boolean().default(false).describe("accept vCenter's self-signed certificate"),
    datacenter: checked(formats.singleLineProblem, "write the datacenter's name as vCenter shows it").describe("datacenter name"),
    computeCluster: z.string().min(1).optional().describe("compute cluster name (DRS anti-affinity rules live here)"),
    resourcePool: z.string().min(1).optional().describe("resource pool path; defaults to the compute cluster's root pool"),
    datastore: z.string().min(1).describe("datastore for the machines' disks"),
    folder: z.string().min(1).optional().describe("VM folder path"),
    network: z.string().min(1).describe("port group / NSX segment name of the node network"),
    nsx: z
      .boolean()
      .default(false)
      .describe("the node network is an NSX-T segment, so the distributed firewall and SpoofGuard apply: the plan renders the DFW rules and the SpoofGuard allow-list for it"),
    template: z.string().min(1).describe("name of the VM template to clone (cloud-init enabled, e.g. Ubuntu 24.04)"),
    linkedClone: z.boolean().default(false).describe("linked instead of full clones (template must have a snapshot)"),
    tags: z.array(z.string().min(1)).default([]).describe("vSphere tags `category/tag` attached to every machine"),
    antiAffinity: z.boolean().optional().describe("DRS rule keeping control planes on distinct hosts (profile default)"),
  })
  .describe("vSphere connection and placement");

/** Machines of one pool take VMIDs from their own block of this many (components/machines/placement.ts). */
export const PROXMOX_VMID_BLOCK = 100;

/** An NTP server or SSH target: a host name or an IPv4 address. */
const hostOrAddress = z
  .union([ipv4, dnsName], { error: "must be a host name or an IPv4 address" })
  .describe("a lower-case host name such as ntp1.example.internal, or an IPv4 address");

const proxmoxSshSchema = z
  .strictObject({
    username: checked(formats.userNameProblem, "use the Linux user name on the Proxmox nodes, e.g. root").describe("user on the Proxmox nodes that may write to the snippets storage (usually root)"),
    agent: z
      .boolean()
      .default(false)
      .describe("authenticate with the local SSH agent (SSH_AUTH_SOCK) instead of the secret `proxmoxSshPrivateKey`"),
    nodeAddresses: z
      .record(z.string().min(1), hostOrAddress)
      .default({})
      .describe("Proxmox node name -> address to dial, where the address the API reports is unreachable from Pulumi"),
  })
  .describe("SSH login on the Proxmox nodes: the provider uploads cloud-init snippets over SSH, not the API");

const proxmoxSchema = z
  .strictObject({
    endpoint: httpUrl.describe("Proxmox VE API URL, e.g. https://pve1.example.internal:8006/"),
    insecure: z.boolean().default(false).describe("accept the API's self-signed certificate"),
    nodes: z.array(z.string().min(1)).min(1).describe("Proxmox nodes machines are spread over"),
    templateVmId: z.number().int().min(100).describe("VMID of the cloud-init template to clone"),
    templateNode: z.string().min(1).describe("Proxmox node holding the template"),
    datastore: z.string().min(1).describe("storage for the machines' disks"),
    snippetsDatastore: z.string().min(1).default("local").describe("storage with the `snippets` content type for cloud-init user-data"),
    bridge: checked(formats.interfaceNameProblem, "use the bridge's name on the Proxmox nodes, e.g. vmbr0").default("vmbr0").describe("bridge of the node network"),
    vlanId: z.number().int().min(1).max(4094).optional().describe("VLAN tag on the bridge"),
    vmIdStart: z
      .number()
      .int()
      .min(100)
      .describe(
        `first VMID. Each pool has its own block of ${PROXMOX_VMID_BLOCK}: control plane n (from 0) gets vmIdStart + n, worker n of the i-th pool (from 0) vmIdStart + ${PROXMOX_VMID_BLOCK} * (i + 1) + n, so growing one pool never renumbers (re-creates) another; append new pools at the end`,
      ),
    fullClone: z.boolean().default(true).describe("full instead of linked clones"),
    ssh: proxmoxSshSchema.optional(),
  })
  .describe("Proxmox VE connection and placement");

const platformSchema = z
  .strictObject({
    type: z.enum(["vsphere", "proxmox", "existing"]).describe("where machines come from"),
    vsphere: vsphereSchema.optional(),
    proxmox: proxmoxSchema.optional(),
  })
  .describe("the platform the machines run on");

const networkSchema = z
  .strictObject({
    subnet: cidr.describe("node subnet, e.g. 192.168.100.0/24"),
    gateway: ipv4.describe("default gateway of the node subnet"),
    dnsServers: z.array(ipv4).min(1).describe("DNS servers of the nodes"),
    searchDomains: z.array(dnsName).default([]).describe("DNS search domains of the nodes"),
    interface: checked(formats.interfaceNameProblem, "use the NIC's name as `ip link` shows it, e.g. ens192").default("ens192").describe("node NIC name (kube-vip/keepalived bind to it)"),
    mtu: z.number().int().min(1280).max(9216).default(1500).describe("MTU of the node NIC (the underlay)"),
    ntpServers: z
      .array(hostOrAddress)
      .min(1)
      .optional()
      .describe("NTP servers of the nodes (host names or addresses), replacing the distribution's pools; isolated sites need their own. Default: the distribution's"),
    operatorCidr: cidr
      .optional()
      .describe("where the machine running Pulumi connects from (a /32 for one host): the source of the SSH and Kubernetes API rules in the NSX DFW table. Unset, the table names it as a placeholder to fill in"),
  })
  .describe("the node network");

const taintSchema = z.strictObject({
  key: checked(formats.labelKeyProblem, "write a label-style key, e.g. dedicated or example.com/dedicated"),
  value: checked(formats.labelValueProblem, "use at most 63 letters, digits, '-', '_' or '.'").optional(),
  effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]),
});

const controlPlaneSchema = z
  .strictObject({
    count: z.number().int().min(1).optional().describe("number of control planes (odd: 1, 3, 5); default: the number of addresses"),
    ...sizing,
    addresses: z.array(ipv4).describe("one static address per control plane, in order"),
    names: z.array(dnsLabel).optional().describe("machine/node names; default `<cluster>-cp-<n>`"),
  })
  .describe("the control-plane nodes (stacked etcd)");

const workerPoolSchema = z.strictObject({
  name: dnsLabel.describe("pool name; node names default to `<cluster>-<pool>-<n>`"),
  count: z.number().int().min(0).optional().describe("number of workers in the pool; default: the number of addresses"),
  ...sizing,
  addresses: z.array(ipv4).describe("one static address per worker, in order"),
  names: z.array(dnsLabel).optional().describe("node names; default `<cluster>-<pool>-<n>`"),
  labels: labelMap.default({}).describe("node labels"),
  taints: z.array(taintSchema).default([]).describe("node taints"),
  dataDiskGiB: z.number().int().min(1).optional().describe("size of an extra data disk (e.g. for an NFS server)"),
});

const endpointSchema = z
  .strictObject({
    mode: z.enum(["kube-vip", "keepalived-haproxy", "external"]).describe("how the API VIP is provided"),
    vip: ipv4.optional().describe("the API virtual IP (required for kube-vip and keepalived-haproxy)"),
    dnsName: dnsName.optional().describe("DNS name of the API endpoint. When set it IS the endpoint: controlPlaneEndpoint, the kubeconfig's server and the add-ons' API server (and a certificate SAN). The nodes get it in /etc/hosts on the VIP; the machine running Pulumi needs a DNS record for it (the program warns when it does not resolve)"),
    port: port.optional().describe("API endpoint port; default 6443, or 8443 for keepalived-haproxy"),
    virtualRouterId: z.number().int().min(1).max(255).default(51).describe("VRRP router id (keepalived-haproxy)"),
  })
  .describe("the single API endpoint every node and client uses");

const kubernetesSchema = z
  .strictObject({
    version: z.string().describe("exact Kubernetes version x.y.z"),
    podCidr: cidr.default("10.244.0.0/16").describe("pod network"),
    serviceCidr: cidr.default("10.96.0.0/12").describe("service network"),
    clusterDomain: dnsName.default("cluster.local").describe("cluster DNS domain"),
    kubeProxy: z.boolean().optional().describe("run kube-proxy; default: off when Cilium replaces it, on otherwise"),
    imageRepository: checked(formats.registryProblem, "write the registry host (and path) as images name it, e.g. registry.corp.example:5000/k8s").optional().describe("registry for control-plane images (offline mirror)"),
    packageRepository: httpUrl.optional().describe("mirror of pkgs.k8s.io for kubeadm/kubelet/kubectl (offline sites)"),
    upgrade: z
      .strictObject({
        workerBatchSize: z.number().int().min(1).describe("workers drained and upgraded at once when `version` changes (control planes go one at a time); profile default: prod 1, poc 2"),
      })
      .describe("the rolling upgrade a change of `version` runs (docs/upgrades.md)"),
    certificates: certificatesSchema.default({ renewBeforeDays: DEFAULT_RENEW_BEFORE_DAYS }),
    ...hardeningFields,
  })
  .describe("Kubernetes itself");

const osSchema = z
  .strictObject({
    family: z.enum(OS_FAMILIES).describe("ubuntu, debian (apt) or rhel, redos (dnf)"),
    version: z.string().min(1).describe("OS release, e.g. 24.04, 12, 9, 8"),
    selinux: z.string().default("permissive").describe("SELinux mode for the dnf family: enforcing, permissive or disabled"),
    firewall: z.enum(["firewalld", "disabled"]).default("firewalld").describe("dnf family: open ports in firewalld per role, or turn it off"),
  })
  .describe("the node operating system");

const sshSchema = z
  .strictObject({
    user: checked(formats.userNameProblem, "use a Linux user name such as k8sadmin").describe("admin user on every node (created by cloud-init)"),
    port: port.default(22),
    authorizedKeys: z.array(checked(authorizedKeyProblem, "paste the whole line of the public key file (~/.ssh/id_ed25519.pub), e.g. ssh-ed25519 AAAAC3Nza... user@host")).min(1).describe("public keys allowed to log in; the private key is the secret `sshPrivateKey`"),
  })
  .describe("SSH access for node preparation");

const proxySchema = z
  .strictObject({
    http: httpUrl.describe("HTTP proxy URL"),
    https: httpUrl.optional().describe("HTTPS proxy URL; defaults to the HTTP proxy"),
    noProxy: z.array(checked(formats.noProxyEntryProblem, "give each host, domain or CIDR as its own list entry")).default([]).describe("extra no_proxy entries (hosts, domains, CIDRs)"),
    extendNoProxy: z
      .boolean()
      .default(true)
      .describe("add localhost, the API endpoint, every node, the pod/service CIDRs and the cluster domain to noProxy"),
  })
  .describe("HTTP proxy of the site (packages, images)");

const registriesSchema = z
  .strictObject({
    imageRegistry: checked(formats.registryProblem, "write the registry host (and path) as images name it, e.g. registry.corp.example:5000/k8s").optional().describe("mirror that replaces every add-on's image registry"),
    chartRepository: checked(formats.chartRepositoryProblem, "write the mirror's address with its scheme, e.g. https://charts.corp.example/k8s or oci://registry.corp.example/charts").optional().describe("mirror serving every pinned Helm chart (offline sites)"),
    containerdMirrors: z.record(z.string(), httpUrl).default({}).describe("containerd registry mirrors: registry host -> mirror URL"),
  })
  .describe("offline mirrors");

export const clusterSchema = z
  .strictObject({
    name: dnsLabel.describe("cluster name, prefix of machine names"),
    profile: z.enum(["poc", "prod"]).describe("environment profile supplying defaults (stacks/profiles.ts)"),
    protect: z.boolean().describe("protect machines against `pulumi destroy` (profile default)"),
    platform: platformSchema,
    network: networkSchema,
    controlPlane: controlPlaneSchema,
    workerPools: z.array(workerPoolSchema).default([]),
    endpoint: endpointSchema,
    kubernetes: kubernetesSchema,
    os: osSchema,
    ssh: sshSchema,
    proxy: proxySchema.optional(),
    addons: addonsSchema,
    checks: checksSchema.default({ enabled: true, skip: [], vipFailover: false, keepTestObjects: false, timeoutSeconds: DEFAULT_CHECK_TIMEOUT_SECONDS }),
    registries: registriesSchema.default({ containerdMirrors: {} }),
    kubeadm: z
      .strictObject({
        resetStaleState: z.boolean().default(false).describe("kubeadm reset a half-initialised control plane instead of stopping"),
      })
      .default({ resetStaleState: false }),
    nodeOperations: nodeOperationsSchema,
    adoption: adoptionSchema.optional(),
  })
  .describe("the cluster description (`onprem-k8s:cluster`)");

/** What a stack file may contain (before profile defaults). */
export type ClusterInput = z.input<typeof clusterSchema>;
/** The description after schema defaults. */
export type ClusterConfig = z.output<typeof clusterSchema>;
export type WorkerPoolConfig = ClusterConfig["workerPools"][number];
export type Taint = z.output<typeof taintSchema>;
