// SSH keys read as sshd and the SSH client read them (sshpk parses both formats): an authorized
// key sshd would ignore, a private key the program could not use, and whether the private key's
// public part is among the keys the nodes accept.
import sshpk from "sshpk";

/** Key types a current OpenSSH server still accepts for logins by default. */
const REFUSED_TYPES: Record<string, string> = {
  dsa: "DSA keys (ssh-dss) are refused by OpenSSH since 7.0 and no longer built since 9.8",
};

/** OpenSSH's RequiredRSASize default (9.1 and later): shorter RSA keys are refused. */
const MIN_RSA_BITS = 1024;

/** Key type names an authorized_keys line starts with, after any options. */
const KEY_TYPE = /(^|\s)((ssh|ecdsa|sk)-[a-z0-9@.-]+ )/;

/** The key part of an authorized_keys line (`[options] type base64 [comment]`). */
function keyPart(line: string): string {
  const match = KEY_TYPE.exec(line);
  return match ? line.slice(match.index + match[1].length) : line;
}

function parsePublic(line: string): sshpk.Key {
  return sshpk.parseKey(keyPart(line.trim()), "ssh");
}

/** Why sshd would not accept this authorized_keys line; undefined when it would. */
export function authorizedKeyProblem(line: string): string | undefined {
  if (/[\r\n]/.test(line)) return "holds a line break: one key per list entry";
  let key: sshpk.Key;
  try {
    key = parsePublic(line);
  } catch {
    return "not an OpenSSH public key sshd can read (`type base64 comment` as in a .pub file; `ssh-keygen -l -f` on it must print a fingerprint)";
  }
  const refused = REFUSED_TYPES[key.type];
  if (refused) return refused;
  if (key.type === "rsa" && key.size < MIN_RSA_BITS) return `a ${key.size}-bit RSA key, below OpenSSH's minimum of ${MIN_RSA_BITS} bits`;
  return undefined;
}

/** The SHA-256 fingerprint of an authorized key, or undefined when it cannot be read. */
export function authorizedKeyFingerprint(line: string): string | undefined {
  try {
    return parsePublic(line).fingerprint("sha256").toString();
  } catch {
    return undefined;
  }
}

export type PrivateKeyCheck = { fingerprint: string } | { problem: string; fix: string };

/** Reads a private key as the SSH client would (PEM or OpenSSH format, no passphrase). */
export function checkPrivateKey(text: string): PrivateKeyCheck {
  try {
    const key = sshpk.parsePrivateKey(text, "auto");
    return { fingerprint: key.toPublic().fingerprint("sha256").toString() };
  } catch (thrown) {
    if (thrown instanceof Error && thrown.name === "KeyEncryptedError") {
      return { problem: "the key is protected by a passphrase, which the program cannot type", fix: "store a key without a passphrase (ssh-keygen -p -N '' -f <copy of the key>), or a dedicated deployment key" };
    }
    return { problem: "not a private key the SSH client can read (PEM or OpenSSH format)", fix: "set the whole key file: pulumi config set --secret sshPrivateKey < ~/.ssh/id_ed25519 (the file without .pub)" };
  }
}
