// What every layer of the cluster receives: the validated description, the secrets, and the
// artifact sink. Layers take it as their args so they stay free of config reading.
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec } from "../stacks/spec";
import type { VersionHistory } from "../stacks/upgrade";
import type { ArtifactSink } from "./artifacts";

export interface ClusterSecrets {
  sshPrivateKey: pulumi.Output<string>;
  vspherePassword?: pulumi.Output<string>;
  proxmoxApiToken?: pulumi.Output<string>;
  proxmoxSshPrivateKey?: pulumi.Output<string>;
  veleroS3Credentials?: pulumi.Output<string>;
  etcdSnapshotS3Credentials?: pulumi.Output<string>;
}

/** What an adopted cluster's running control plane reported (components/kubeadm/adoption.ts parses it). */
export interface AdoptionReport {
  /** /etc/kubernetes/pki file -> PEM: the CAs and the service-account key pair. */
  pki: Record<string, string>;
  /** The cluster's ClusterConfiguration as kubeadm-config holds it. */
  clusterConfiguration: string;
}

/** An adoption in progress (docs/adoption.md): the step every node waits for, and what it read. */
export interface AdoptedCluster {
  /** The adopt-inspect step: nothing changes on any node before it has passed. */
  inspect: pulumi.Resource;
  /** Secret. */
  report: pulumi.Output<AdoptionReport>;
}

export interface ClusterContext {
  spec: ClusterSpec;
  secrets: ClusterSecrets;
  artifacts: ArtifactSink;
  /**
   * The versions the stack deployed (its previous outputs): each existing node's day-1 steps keep
   * the version it was installed at, and the upgrade steps know whether there is work. Absent: a
   * first deployment, every node at cluster.kubernetes.version.
   */
  history?: VersionHistory;
  /** This stack's previous `certificates` output (components/kubeadm/renewal.ts reads it); none on a first deployment. */
  previousCertificates?: unknown;
  /** This stack's previous `encryption` output (components/kubeadm/encryption-rotation.ts); none on a first deployment. */
  previousEncryption?: unknown;
  /** An adopted cluster (description `adoption`, docs/adoption.md): what its running control plane reported. */
  adoption?: AdoptedCluster;
}
