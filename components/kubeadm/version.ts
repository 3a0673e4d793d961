// Which Kubernetes versions the kubeadm configs are rendered for, and in which config API. Pure.

/** Kubernetes minor versions this renderer supports (inclusive). */
export const SUPPORTED_KUBERNETES_MINORS = { min: 30, max: 36 } as const;
/** kubeadm.k8s.io/v1beta4 is the config API from Kubernetes 1.31 on; v1beta3 before. */
export const KUBEADM_V1BETA4_SINCE_MINOR = 31;

export type KubeadmApiVersion = "kubeadm.k8s.io/v1beta3" | "kubeadm.k8s.io/v1beta4";

export interface KubernetesVersion {
  major: number;
  minor: number;
  patch: number;
  /** With the leading "v", as kubeadm's kubernetesVersion expects: "v1.34.4". */
  tag: string;
}

/** Parses "1.34.4" or "v1.34.4" and checks it is in the supported range. */
export function parseKubernetesVersion(version: string): KubernetesVersion {
  const match = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(version.trim());
  if (!match) throw new Error(`kubernetesVersion must look like 1.34.4 or v1.34.4, got "${version}"`);
  const [major, minor, patch] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const { min, max } = SUPPORTED_KUBERNETES_MINORS;
  if (major !== 1 || minor < min || minor > max) {
    throw new Error(`kubernetesVersion ${version} is outside the supported range 1.${min} to 1.${max}`);
  }
  return { major, minor, patch, tag: `v${major}.${minor}.${patch}` };
}

export function kubeadmApiVersion(kubernetesVersion: string): KubeadmApiVersion {
  return parseKubernetesVersion(kubernetesVersion).minor >= KUBEADM_V1BETA4_SINCE_MINOR
    ? "kubeadm.k8s.io/v1beta4"
    : "kubeadm.k8s.io/v1beta3";
}
