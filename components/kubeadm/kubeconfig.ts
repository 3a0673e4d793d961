// The admin kubeconfig: a client certificate signed by the Pulumi-held cluster CA, so no
// kubeconfig is ever scraped from a node. Pure: PEM texts in, kubeconfig YAML out.
import { stringify } from "yaml";
import { formatApiEndpoint, type ApiEndpoint } from "./config";

/** Subject of the admin client certificate: the group kubeadm (1.29+) binds to cluster-admin. */
export const ADMIN_CLIENT_ORGANIZATION = "kubeadm:cluster-admins";
export const ADMIN_CLIENT_COMMON_NAME = "onprem-k8s-admin";

export interface AdminKubeconfigParams {
  clusterName: string;
  server: ApiEndpoint;
  caCertPem: string;
  clientCertPem: string;
  clientKeyPem: string;
}

const PEM = /^-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]+?\r?\n-----END \1-----\s*$/;

function pemData(what: string, pem: string): string {
  if (!PEM.test(pem.trim())) throw new Error(`${what} is not a PEM block`);
  return Buffer.from(`${pem.trim()}\n`, "utf8").toString("base64");
}

export function renderAdminKubeconfig(params: AdminKubeconfigParams): string {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(params.clusterName)) throw new Error(`cluster name ${params.clusterName} is not a DNS label`);
  const user = `${params.clusterName}-admin`;
  const context = `${user}@${params.clusterName}`;
  return stringify(
    {
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        {
          name: params.clusterName,
          cluster: { server: `https://${formatApiEndpoint(params.server)}`, "certificate-authority-data": pemData("CA certificate", params.caCertPem) },
        },
      ],
      users: [
        {
          name: user,
          user: {
            "client-certificate-data": pemData("client certificate", params.clientCertPem),
            "client-key-data": pemData("client key", params.clientKeyPem),
          },
        },
      ],
      contexts: [{ name: context, context: { cluster: params.clusterName, user } }],
      "current-context": context,
      preferences: {},
    },
    { lineWidth: 0 },
  );
}

export interface DiscoveryKubeconfigParams {
  clusterName: string;
  /** The apiserver the join talks to (the fallback: the first control plane's own apiserver). */
  server: ApiEndpoint;
  caCertPem: string;
}

/** User name kubeadm gives the bootstrap token user (discovery.TokenUser); carries no credential here. */
export const DISCOVERY_USER = "tls-bootstrap-token-user";

/**
 * A kubeadm discovery file: the cluster CA and one apiserver, no credentials (the bootstrap token
 * travels as the JoinConfiguration's tlsBootstrapToken, substituted on the node). Public.
 */
export function renderDiscoveryKubeconfig(params: DiscoveryKubeconfigParams): string {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(params.clusterName)) throw new Error(`cluster name ${params.clusterName} is not a DNS label`);
  const context = `${DISCOVERY_USER}@${params.clusterName}`;
  return stringify(
    {
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: params.clusterName, cluster: { server: `https://${formatApiEndpoint(params.server)}`, "certificate-authority-data": pemData("CA certificate", params.caCertPem) } }],
      users: [{ name: DISCOVERY_USER, user: {} }],
      contexts: [{ name: context, context: { cluster: params.clusterName, user: DISCOVERY_USER } }],
      "current-context": context,
      preferences: {},
    },
    { lineWidth: 0 },
  );
}
