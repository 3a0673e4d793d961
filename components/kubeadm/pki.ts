// Pure helpers around the cluster PKI and bootstrap tokens that Pulumi generates itself
// (see ARCHITECTURE: no upload-certs, no scraping `kubeadm init` output).
import { X509Certificate, createHash, createPublicKey } from "node:crypto";

/**
 * kubeadm's `--discovery-token-ca-cert-hash` for a CA: `sha256:` + hex SHA-256 of the CA
 * certificate's DER-encoded SubjectPublicKeyInfo (not of the whole certificate), which is
 * what `kubeadm join` pins the cluster CA against.
 */
export function discoveryTokenCaCertHash(caCertPem: string): string {
  const cert = new X509Certificate(caCertPem);
  const spkiDer = cert.publicKey.export({ type: "spki", format: "der" });
  return `sha256:${createHash("sha256").update(spkiDer).digest("hex")}`;
}

/**
 * The same hash from the CA's public key (PEM, SubjectPublicKeyInfo or PKCS#1): a certificate's
 * SubjectPublicKeyInfo is its key's public half, so the hash can be computed from
 * tls.PrivateKey.publicKeyPem before (or without) parsing the self-signed certificate.
 */
export function discoveryTokenCaCertHashFromPublicKey(publicKeyPem: string): string {
  const spkiDer = createPublicKey(publicKeyPem).export({ type: "spki", format: "der" });
  return `sha256:${createHash("sha256").update(spkiDer).digest("hex")}`;
}

/** kubeadm bootstrap token: 6-char id, a dot, 16-char secret, lowercase alphanumerics only. */
export const BOOTSTRAP_TOKEN_PATTERN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
export const BOOTSTRAP_TOKEN_ID_LENGTH = 6;
export const BOOTSTRAP_TOKEN_SECRET_LENGTH = 16;
/** Alphabet a random generator (e.g. @pulumi/random RandomString: upper=false, special=false) must use. */
export const BOOTSTRAP_TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

export interface BootstrapTokenParts {
  /** Public part; becomes the Secret name `bootstrap-token-<id>` in kube-system. */
  id: string;
  /** Private part; together with the id it authenticates a joining kubelet. */
  secret: string;
}

export function isBootstrapToken(token: string): boolean {
  return BOOTSTRAP_TOKEN_PATTERN.test(token);
}

/** Validates kubeadm's token format and splits it; the error never echoes the secret. */
export function parseBootstrapToken(token: string): BootstrapTokenParts {
  const match = BOOTSTRAP_TOKEN_PATTERN.exec(token);
  if (!match) {
    throw new Error(
      `bootstrap token must match [a-z0-9]{6}.[a-z0-9]{16} (got ${token.length} characters); ` +
        "generate it with lowercase letters and digits only",
    );
  }
  return { id: match[1]!, secret: match[2]! };
}

/** Joins an id and a secret (e.g. two RandomString results) into a validated token. */
export function formatBootstrapToken(parts: BootstrapTokenParts): string {
  const token = `${parts.id}.${parts.secret}`;
  parseBootstrapToken(token);
  return token;
}
