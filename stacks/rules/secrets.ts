// Secrets the description needs.
import { type ClusterConfig, SECRET_KEYS, type SecretKey } from "../schema";
import type { Rule } from "./common";

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
          fix: `pulumi config set --secret ${key} ...${key.endsWith("PrivateKey") ? ` (or: pulumi config set --secret ${key} < ~/.ssh/id_ed25519)` : ""}`,
          severity: "error" as const,
        }));
    },
  },
];

/** The secrets a description needs, besides the SSH key every cluster needs. */
export function requiredSecretKeys(c: Pick<ClusterConfig, "platform" | "addons">): SecretKey[] {
  const needed: SecretKey[] = ["sshPrivateKey"];
  if (c.platform.type === "vsphere") needed.push("vspherePassword");
  if (c.platform.type === "proxmox") needed.push("proxmoxApiToken");
  const proxmoxSsh = c.platform.type === "proxmox" ? c.platform.proxmox?.ssh : undefined;
  if (proxmoxSsh && !proxmoxSsh.agent) needed.push("proxmoxSshPrivateKey");
  if (c.addons.backups.velero?.enabled) needed.push("veleroS3Credentials");
  return needed;
}
