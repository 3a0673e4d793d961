// The adoption section of the description (`adoption`): a single-master kubeadm cluster built by
// hand (seed 003) taken over by this program instead of built from nothing. The running control
// plane's CAs and service-account key become the stack's, the API endpoint is put in front of it,
// every node's kubeconfigs move to the endpoint one node at a time, then the new control planes
// and workers join as in a fresh build (docs/adoption.md). Its rules: stacks/rules/adoption.ts.
import { z } from "zod";
import { dnsLabel } from "./schema-primitives";

/** Where the adopted control plane keeps what adoption replaced (the old apiserver pair, the old kubeconfigs). */
export const DEFAULT_ADOPTION_BACKUP_DIR = "/var/lib/onprem-k8s/adoption";

export const adoptionSchema = z
  .strictObject({
    controlPlane: dnsLabel.describe(
      "name of the running control plane (where `kubeadm init` was run by hand, as its Node is named); it must be the first control plane of controlPlane.names. Its CAs, service-account key, front-proxy and etcd CAs become the stack's secrets",
    ),
    backupDir: z
      .string()
      .regex(/^\/[A-Za-z0-9_./-]+$/, { error: "must be an absolute path of letters, digits, '_', '.', '/' or '-'" })
      .default(DEFAULT_ADOPTION_BACKUP_DIR)
      .describe("directory on every adopted node that keeps what adoption replaced (the old apiserver certificate and key, the old kubeconfigs); the rollback commands read it"),
  })
  .describe("adopt a running single-master kubeadm cluster this program did not build (docs/adoption.md)");

export type AdoptionConfig = z.output<typeof adoptionSchema>;
