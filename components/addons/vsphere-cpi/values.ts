import { withRegistry } from "../charts";
import type { HelmValues } from "../types";

export interface VsphereCpiValuesParams {
  vcenterHost: string;
  /** The chart's config template lists one datacenter. */
  datacenter: string;
  /** Secret in kube-system with "<vcenterHost>.username" / "<vcenterHost>.password"; created by us, not the chart. */
  credentialsSecretName: string;
  thumbprint?: string;
  imageRegistry?: string;
}

/**
 * vSphere cloud controller manager. Nodes started with --cloud-provider=external stay tainted
 * uninitialized until it sets their providerID, which vSphere CSI needs to attach volumes.
 */
export function vsphereCpiValues(p: VsphereCpiValuesParams): HelmValues {
  const values: HelmValues = {
    config: {
      enabled: true,
      vcenter: p.vcenterHost,
      datacenter: p.datacenter,
      thumbprint: p.thumbprint ?? "",
      secret: { create: false, name: p.credentialsSecretName },
    },
  };
  if (p.imageRegistry) {
    values.daemonset = {
      image: withRegistry("registry.k8s.io/cloud-pv-vsphere/cloud-provider-vsphere", p.imageRegistry),
    };
  }
  return values;
}

/** stringData of the credentials Secret the CPI reads (keys are prefixed by the vCenter host). */
export function vsphereCpiCredentialsData(vcenterHost: string, user: string, password: string): Record<string, string> {
  return { [`${vcenterHost}.username`]: user, [`${vcenterHost}.password`]: password };
}
