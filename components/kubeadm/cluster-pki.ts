// The cluster PKI, generated and held (as secrets) by Pulumi: cluster CA, etcd CA, front-proxy
// CA, the service-account key pair, and the admin client certificate signed by the cluster CA.
// kubeadm finds the CAs in /etc/kubernetes/pki (placed by pki.sh) and signs every other
// certificate itself, so control planes join without --upload-certs.
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { discoveryTokenCaCertHashFromPublicKey } from "./pki";
import { createPublicKey } from "node:crypto";
import { ADMIN_CLIENT_COMMON_NAME, ADMIN_CLIENT_ORGANIZATION } from "./kubeconfig";
import type { AdoptedPkiFile, AdoptionReport } from "./adoption";

/** kubeadm's own CA lifetime. */
export const CA_VALIDITY_HOURS = 10 * 365 * 24;
export const ADMIN_CERT_VALIDITY_HOURS = 365 * 24;
/**
 * `pulumi up` in the admin certificate's last 30 days issues a new one (and a new kubeconfig): the
 * default; the description's certificate renewal window (kubernetes.certificates) sets it.
 */
export const ADMIN_CERT_EARLY_RENEWAL_HOURS = 30 * 24;
export const CA_ALLOWED_USES = ["cert_signing", "crl_signing", "digital_signature", "key_encipherment"];
export const ADMIN_ALLOWED_USES = ["digital_signature", "key_encipherment", "client_auth"];
/** Private key outputs the tls provider returns; marked secret explicitly so mocks see them too. */
export const PRIVATE_KEY_OUTPUTS = ["privateKeyPem", "privateKeyPemPkcs8", "privateKeyOpenssh"];

export interface CertificateAuthority {
  certPem: pulumi.Output<string>;
  keyPem: pulumi.Output<string>;
  publicKeyPem: pulumi.Output<string>;
}

export interface ClusterPki {
  ca: CertificateAuthority;
  etcdCa: CertificateAuthority;
  frontProxyCa: CertificateAuthority;
  serviceAccountKeyPem: pulumi.Output<string>;
  serviceAccountPublicKeyPem: pulumi.Output<string>;
  /** `sha256:<hex>` pin of the cluster CA for kubeadm join discovery. */
  discoveryHash: pulumi.Output<string>;
  adminCertPem: pulumi.Output<string>;
  adminKeyPem: pulumi.Output<string>;
  /** When the admin certificate expires (RFC 3339; the tls provider's validityEndTime). */
  adminCertExpires: pulumi.Output<string>;
}

function rsaKey(name: string, opts: pulumi.CustomResourceOptions): tls.PrivateKey {
  return new tls.PrivateKey(name, { algorithm: "RSA", rsaBits: 2048 }, { ...opts, additionalSecretOutputs: PRIVATE_KEY_OUTPUTS });
}

function certificateAuthority(name: string, commonName: string, opts: pulumi.CustomResourceOptions): CertificateAuthority {
  const key = rsaKey(`${name}-key`, opts);
  const cert = new tls.SelfSignedCert(
    name,
    {
      privateKeyPem: key.privateKeyPem,
      subject: { commonName },
      isCaCertificate: true,
      validityPeriodHours: CA_VALIDITY_HOURS,
      allowedUses: CA_ALLOWED_USES,
    },
    opts,
  );
  return { certPem: cert.certPem, keyPem: pulumi.secret(key.privateKeyPem), publicKeyPem: key.publicKeyPem };
}

/**
 * `protect` (prod profile) guards the CAs and the service-account key: replacing one would cut
 * every node and token loose from the cluster.
 */
export function createClusterPki(cluster: string, parent: pulumi.Resource, protect: boolean, adminEarlyRenewalHours = ADMIN_CERT_EARLY_RENEWAL_HOURS): ClusterPki {
  const opts: pulumi.CustomResourceOptions = { parent, protect };
  const ca = certificateAuthority(`${cluster}-ca`, "kubernetes", opts);
  const etcdCa = certificateAuthority(`${cluster}-etcd-ca`, "etcd-ca", opts);
  const frontProxyCa = certificateAuthority(`${cluster}-front-proxy-ca`, "front-proxy-ca", opts);
  const serviceAccountKey = rsaKey(`${cluster}-service-account-key`, opts);

  return {
    ca,
    etcdCa,
    frontProxyCa,
    serviceAccountKeyPem: pulumi.secret(serviceAccountKey.privateKeyPem),
    serviceAccountPublicKeyPem: serviceAccountKey.publicKeyPem,
    discoveryHash: ca.publicKeyPem.apply(discoveryTokenCaCertHashFromPublicKey),
    ...adminCertificate(cluster, parent, ca, adminEarlyRenewalHours),
  };
}

/** The admin client certificate (kubeadm:cluster-admins) signed by the cluster CA, held by Pulumi. */
function adminCertificate(cluster: string, parent: pulumi.Resource, ca: CertificateAuthority, adminEarlyRenewalHours: number): Pick<ClusterPki, "adminCertPem" | "adminKeyPem" | "adminCertExpires"> {
  const adminKey = rsaKey(`${cluster}-admin-key`, { parent });
  const adminCsr = new tls.CertRequest(
    `${cluster}-admin-csr`,
    { privateKeyPem: adminKey.privateKeyPem, subject: { commonName: ADMIN_CLIENT_COMMON_NAME, organization: ADMIN_CLIENT_ORGANIZATION } },
    { parent },
  );
  const adminCert = new tls.LocallySignedCert(
    `${cluster}-admin-cert`,
    {
      certRequestPem: adminCsr.certRequestPem,
      caPrivateKeyPem: ca.keyPem,
      caCertPem: ca.certPem,
      validityPeriodHours: ADMIN_CERT_VALIDITY_HOURS,
      earlyRenewalHours: adminEarlyRenewalHours,
      allowedUses: ADMIN_ALLOWED_USES,
    },
    { parent },
  );
  return { adminCertPem: adminCert.certPem, adminKeyPem: pulumi.secret(adminKey.privateKeyPem), adminCertExpires: adminCert.validityEndTime };
}

function pemOf(report: AdoptionReport, file: AdoptedPkiFile): string {
  const pem = report.pki[file];
  if (!pem) throw new Error(`the adopted cluster's report lacks ${file}`);
  return pem;
}

/** The public half of a PEM private key (SubjectPublicKeyInfo PEM): a CA's certificate carries the same key. */
function publicKeyOf(privateKeyPem: string): string {
  return createPublicKey(privateKeyPem).export({ type: "spki", format: "pem" }).toString();
}

/**
 * The PKI of an adopted cluster (docs/adoption.md): the CAs and the service-account key read from
 * its running control plane (`report`, the adopt-inspect step's output) instead of generated, so
 * every node and token of the cluster stays valid; the admin certificate is Pulumi's, signed by
 * the adopted CA. Everything secret: the report holds the keys.
 */
export function adoptedClusterPki(cluster: string, parent: pulumi.Resource, report: pulumi.Output<AdoptionReport>, adminEarlyRenewalHours = ADMIN_CERT_EARLY_RENEWAL_HOURS): ClusterPki {
  const file = (name: AdoptedPkiFile) => pulumi.secret(report.apply((r) => pemOf(r, name)));
  const authority = (cert: AdoptedPkiFile, key: AdoptedPkiFile): CertificateAuthority => ({
    certPem: file(cert),
    keyPem: file(key),
    publicKeyPem: pulumi.unsecret(report.apply((r) => publicKeyOf(pemOf(r, key)))),
  });
  const ca = authority("ca.crt", "ca.key");
  return {
    ca,
    etcdCa: authority("etcd/ca.crt", "etcd/ca.key"),
    frontProxyCa: authority("front-proxy-ca.crt", "front-proxy-ca.key"),
    serviceAccountKeyPem: file("sa.key"),
    serviceAccountPublicKeyPem: file("sa.pub"),
    discoveryHash: ca.publicKeyPem.apply(discoveryTokenCaCertHashFromPublicKey),
    ...adminCertificate(cluster, parent, ca, adminEarlyRenewalHours),
  };
}

/** The PKI as pki.sh reads it (all secret: the certificates travel with their keys). */
export function pkiSecretEnv(pki: ClusterPki): Record<string, pulumi.Input<string>> {
  return {
    PKI_CA_CRT: pki.ca.certPem,
    PKI_CA_KEY: pki.ca.keyPem,
    PKI_ETCD_CA_CRT: pki.etcdCa.certPem,
    PKI_ETCD_CA_KEY: pki.etcdCa.keyPem,
    PKI_FRONT_PROXY_CA_CRT: pki.frontProxyCa.certPem,
    PKI_FRONT_PROXY_CA_KEY: pki.frontProxyCa.keyPem,
    PKI_SA_KEY: pki.serviceAccountKeyPem,
    PKI_SA_PUB: pki.serviceAccountPublicKeyPem,
  };
}
