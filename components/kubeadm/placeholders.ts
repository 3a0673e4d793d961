// Placeholder names of the control-plane layer's secrets (components/remote/placeholders.ts).

/** Environment variable carrying the kubeadm bootstrap token on the node. */
export const KUBEADM_TOKEN_ENV = "KUBEADM_TOKEN";
