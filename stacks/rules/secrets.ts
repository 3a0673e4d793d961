// Secrets the description needs.
import { type ClusterConfig, SECRET_KEYS, type SecretKey } from "../schema";
import type { Problem, Rule } from "./common";

export const secretsRules: Rule[] = [
  {
    uses: ["platform", "addons.backups"],
    check(c, ctx) {
      if (ctx.planMode) return [];
      return requiredSecretKeys(c)
        .filter((key) => !ctx.secretsPresent.has(key))
        .map((key) => ({
          path: `onprem-k8s:${key}`,
          value: undefined,
          problem: `the secret ${key} is not set (${SECRET_KEYS[key]})`,
          fix: key === "etcdSnapshotS3Credentials" ? setSecretCommand(key) : `pulumi config set --secret ${key} ...${key.endsWith("PrivateKey") ? ` (or: pulumi config set --secret ${key} < ~/.ssh/id_ed25519)` : ""}`,
          severity: "error" as const,
        }));
    },
  },
  {
    // A secret set without --secret sits in Pulumi.<stack>.yaml in clear text.
    uses: ["profile"],
    check(c, ctx) {
      return [...(ctx.plainSecrets ?? [])].map((key): Problem => ({
        path: `onprem-k8s:${key}`,
        value: "(plain text, not shown)",
        problem: `the secret ${key} is set as plain config, so it is stored in clear text in the stack file${c.profile === "prod" ? "; the prod profile refuses that" : ""}`,
        fix: `${setSecretCommand(key)}, then rotate the ${key.endsWith("PrivateKey") ? "key" : "credential"} if the stack file was ever committed or shared`,
        severity: c.profile === "prod" ? "error" : "warning",
      }));
    },
  },
];

/** The command that stores a secret encrypted; files (keys, credentials) are read from stdin. */
export function setSecretCommand(key: SecretKey): string {
  if (key.endsWith("PrivateKey")) return `pulumi config set --secret ${key} < ~/.ssh/id_ed25519`;
  if (key === "veleroS3Credentials") return `pulumi config set --secret ${key} < velero-credentials`;
  if (key === "etcdSnapshotS3Credentials") return `pulumi config set --secret ${key} < etcd-snapshot-credentials`;
  return `pulumi config set --secret ${key} '<value>'`;
}

/** The secrets a description needs, besides the SSH key every cluster needs. */
export function requiredSecretKeys(c: Pick<ClusterConfig, "platform" | "addons">): SecretKey[] {
  const needed: SecretKey[] = ["sshPrivateKey"];
  if (c.platform.type === "vsphere") needed.push("vspherePassword");
  if (c.platform.type === "proxmox") needed.push("proxmoxApiToken");
  const proxmoxSsh = c.platform.type === "proxmox" ? c.platform.proxmox?.ssh : undefined;
  if (proxmoxSsh && !proxmoxSsh.agent) needed.push("proxmoxSshPrivateKey");
  if (c.addons.backups.velero?.enabled) needed.push("veleroS3Credentials");
  const snapshots = c.addons.backups.etcdSnapshots;
  if (snapshots?.enabled && snapshots.s3) needed.push("etcdSnapshotS3Credentials");
  return needed;
}
