// Throwaway secrets for the engine tests' stacks: real ed25519 keys from ssh-keygen, random
// passwords and tokens, each distinctive enough to search the exported state for.
import { randomBytes, randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { SecretKey } from "../../stacks/schema";
import { runProcess } from "../tools/process";

async function ed25519Key(dir: string, name: string): Promise<string> {
  const file = path.join(dir, name);
  await runProcess("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `engine-test-${name}`, "-f", file]);
  return fs.readFileSync(file, "utf8");
}

/** A value for each key in `keys`; keys are written below `dir`. */
export async function testSecrets(dir: string, keys: readonly SecretKey[]): Promise<Partial<Record<SecretKey, string>>> {
  const secrets: Partial<Record<SecretKey, string>> = {};
  for (const key of keys) {
    switch (key) {
      case "sshPrivateKey":
      case "proxmoxSshPrivateKey":
        secrets[key] = await ed25519Key(dir, key);
        break;
      case "vspherePassword":
        secrets[key] = `vsphere-${randomBytes(12).toString("hex")}`;
        break;
      case "proxmoxApiToken":
        secrets[key] = `root@pam!pulumi=${randomUUID()}`;
        break;
      case "veleroS3Credentials":
      case "etcdSnapshotS3Credentials":
        secrets[key] = `[default]\naws_access_key_id=ENGINETEST${randomBytes(6).toString("hex").toUpperCase()}\naws_secret_access_key=${randomBytes(20).toString("base64")}\n`;
        break;
    }
  }
  return secrets;
}

/** The parts of a secret that must never show in state or logs (each line of a key, the whole value otherwise). */
export function secretNeedles(value: string): string[] {
  const lines = value.split("\n").map((l) => l.trim()).filter((l) => l.length >= 16 && !l.startsWith("-----"));
  return lines.length > 0 ? lines : [value];
}
