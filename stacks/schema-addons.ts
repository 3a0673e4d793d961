// The add-ons section of the description: CNI, load balancer, ingress, storage, metrics, NodeLocal
// DNSCache and backups.
import { z } from "zod";
import * as formats from "./formats";
import { addressBlock, checked, dnsLabel, httpUrl, ipv4, labelMap } from "./schema-primitives";
import { backupsSchema } from "./schema-backups";

const cniSchema = z
  .strictObject({
    type: z.enum(["cilium", "calico"]),
    mode: z.enum(["vxlan", "geneve", "native", "ipip"]).describe("encapsulation: vxlan, geneve (Cilium), ipip (Calico) or native routing"),
    mtu: z.number().int().min(1000).max(9216).optional().describe("pod MTU; default: the node MTU minus the encapsulation overhead"),
    kubeProxyReplacement: z.boolean().optional().describe("Cilium replaces kube-proxy (default true with Cilium)"),
    hubble: z.boolean().default(false).describe("Cilium Hubble relay and UI"),
    checksumOffloadWorkaround: z.boolean().default(false).describe("Calico VXLAN on vSphere vmxnet3: disable checksum offload"),
  })
  .describe("pod networking");

const lbPoolSchema = z.strictObject({
  name: dnsLabel,
  addresses: z.array(addressBlock).min(1).describe("CIDRs or ranges a-b"),
  autoAssign: z.boolean().default(true),
});

const loadBalancerSchema = z
  .strictObject({
    type: z.enum(["metallb", "none"]),
    mode: z.enum(["l2", "bgp"]).default("l2"),
    pools: z.array(lbPoolSchema).default([]),
    nodeSelector: labelMap.default({}).describe("announce only from nodes with these labels"),
    bgp: z
      .strictObject({
        localAsn: z.number().int().min(1).max(4294967295),
        peers: z.array(z.strictObject({ address: ipv4, asn: z.number().int().min(1).max(4294967295) })).min(1),
      })
      .optional(),
  })
  .describe("Service type LoadBalancer addresses");

/**
 * The Gateway API release whose standard-channel CRDs the traefik ingress installs: the version
 * Traefik v3.7 implements (its docs: v1.6.1). Since v1.5 TLSRoute's CEL validation needs
 * Kubernetes 1.31 or newer (gateway-api CHANGELOG/1.5), so older clusters are refused for it.
 */
export const GATEWAY_API_CRDS = { version: "v1.6.1", minimumKubernetesMinor: 31 } as const;

const ingressSchema = z
  .strictObject({
    type: z
      .enum(["traefik", "ingress-nginx", "none"])
      .describe("traefik: Traefik v3 as the Gateway API implementation (a GatewayClass and a Gateway on loadBalancerIP; Ingress objects keep working), maintained; ingress-nginx: retired upstream (no releases or security fixes since March 2026), kept for sites that run it"),
    loadBalancerIP: ipv4.optional().describe("fixed address from a LoadBalancer pool"),
    replicas: z.number().int().min(1).optional().describe("controller replicas (profile default)"),
    gatewayApiCrdsUrl: httpUrl
      .optional()
      .describe(`traefik: where the Gateway API ${GATEWAY_API_CRDS.version} standard-install.yaml (the CRDs) is fetched at deploy time; offline sites serve a copy of the same release's file. Default: the release on github.com`),
  })
  .describe("HTTP(S) ingress");

const storageSchema = z
  .strictObject({
    type: z.enum(["vsphere-csi", "nfs", "none"]),
    defaultClass: z.boolean().default(true).describe("make the class the cluster's default StorageClass"),
    vsphereCsi: z
      .strictObject({
        storagePolicy: z.string().min(1).optional().describe("SPBM storage policy name"),
        datastoreUrl: checked(formats.datastoreUrlProblem, "copy the URL from the datastore's summary in vCenter, e.g. ds:///vmfs/volumes/<uuid>/").optional().describe("datastore URL, e.g. ds:///vmfs/volumes/<uuid>/"),
        manifestUrl: httpUrl
          .optional()
          .describe("where the pinned vSphere CSI driver manifest is fetched at deploy time; offline sites serve a copy of the same release's file. Default: the release on raw.githubusercontent.com"),
      })
      .optional(),
    nfs: z
      .strictObject({
        server: checked(formats.nfsServerProblem, "write only the server's host name or address, e.g. 10.0.20.5, and the export in cluster.addons.storage.nfs.path").optional().describe("external NFS server (host name or address); omit to run one on `serverNode`"),
        path: checked(formats.exportPathProblem, "write the exported directory as an absolute path without blanks, e.g. /srv/nfs/k8s").default("/srv/nfs/k8s").describe("exported path"),
        serverNode: dnsLabel.optional().describe("node name of the in-cluster NFS server"),
        dataDisk: z
          .strictObject({
            device: checked(formats.devicePathProblem, "write the device path, e.g. /dev/sdb").describe("block device for the export, e.g. /dev/sdb"),
            allowSystemDisk: z.boolean().default(false).describe("override the guard refusing the system disk"),
          })
          .optional(),
      })
      .optional(),
  })
  .describe("dynamic volumes");

export const addonsSchema = z.strictObject({
  cni: cniSchema,
  loadBalancer: loadBalancerSchema.default({ type: "none", mode: "l2", pools: [], nodeSelector: {} }),
  ingress: ingressSchema.default({ type: "none" }),
  storage: storageSchema.default({ type: "none", defaultClass: true }),
  metrics: z
    .strictObject({
      enabled: z.boolean().default(true),
      insecureKubeletTls: z.boolean().default(false).describe("skip kubelet certificate checks instead of signed serving certificates"),
    })
    .default({ enabled: true, insecureKubeletTls: false }),
  nodeLocalDns: z.strictObject({ enabled: z.boolean().default(false) }).default({ enabled: false }),
  backups: backupsSchema.default({}),
});
