// Adoption of a hand-built single-master cluster (stacks/schema-adoption.ts, docs/adoption.md):
// what the description must say for the program to take a running cluster over. What only the
// running node can tell (its version, a stacked etcd, that kubeadm built it) is checked on the
// node before anything changes (components/kubeadm/scripts/adopt-inspect.sh).
import { nodesOf } from "../spec";
import { type Rule, error } from "./common";

export const adoptionRules: Rule[] = [
  {
    uses: ["adoption", "platform", "controlPlane", "kubeadm"],
    check(c) {
      if (!c.adoption) return [];
      const problems = [];
      const adopted = c.adoption.controlPlane;
      if (c.platform.type !== "existing") {
        problems.push(
          error(
            "platform.type",
            c.platform.type,
            `adoption takes over hosts that already run the cluster, but platform.type ${c.platform.type} creates new machines`,
            "set platform.type to existing and list the running hosts' addresses",
          ),
        );
      }
      const controlPlanes = nodesOf(c).filter((n) => n.role === "control-plane");
      const first = controlPlanes[0];
      if (first && first.name !== adopted) {
        const listed = controlPlanes.some((n) => n.name === adopted);
        problems.push(
          error(
            "adoption.controlPlane",
            adopted,
            listed
              ? `${adopted} is listed, but not first: the first control plane is the one the cluster was initialised on (${first.name} here)`
              : `${adopted} is not a control plane of controlPlane.names (${controlPlanes.map((n) => n.name).join(", ")})`,
            `list the running control plane first in controlPlane.names and controlPlane.addresses, under the name its Node has (kubectl get nodes)`,
          ),
        );
      }
      if (c.kubeadm.resetStaleState) {
        problems.push(
          error(
            "kubeadm.resetStaleState",
            true,
            "an adopted cluster's nodes hold the only copy of its state: a node whose apiserver is slow to answer would be reset",
            "remove kubeadm.resetStaleState (or set it to false) while adoption is set",
          ),
        );
      }
      return problems;
    },
  },
];
