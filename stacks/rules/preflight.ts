// What kubeadm's preflight checks refuse on a node, checked before any machine exists: a control
// plane needs 2 CPUs (NumCPU) and 1700 MiB of memory as the kernel reports it (Mem). Only where
// the program sizes the machines; existing hosts are as they are.
import { type Problem, type Rule, error, warning } from "./common";

/** kubeadm's ControlPlaneNumCPU. */
export const KUBEADM_MIN_CPUS = 2;
/** kubeadm's ControlPlaneMem, compared with the memory the kernel reports (MiB). */
export const KUBEADM_MIN_MEMORY_MIB = 1700;
/** The kernel keeps part of a machine's memory for itself; below this a 1700 MiB check is a gamble. */
export const SAFE_CONTROL_PLANE_MEMORY_MIB = 2048;

export const preflightRules: Rule[] = [
  {
    uses: ["platform", "controlPlane"],
    check(c) {
      if (c.platform.type === "existing") return [];
      const { cpus, memoryMiB } = c.controlPlane;
      const problems: Problem[] = [];
      if (cpus < KUBEADM_MIN_CPUS) {
        problems.push(error("controlPlane.cpus", cpus, `kubeadm's preflight refuses a control plane with fewer than ${KUBEADM_MIN_CPUS} CPUs (NumCPU)`, `give control planes at least ${KUBEADM_MIN_CPUS} vCPUs`, { path: ["controlPlane", "cpus"], value: KUBEADM_MIN_CPUS }));
      }
      if (memoryMiB < KUBEADM_MIN_MEMORY_MIB) {
        problems.push(error("controlPlane.memoryMiB", memoryMiB, `kubeadm's preflight refuses a control plane with less than ${KUBEADM_MIN_MEMORY_MIB} MiB of memory (Mem)`, `give control planes at least ${SAFE_CONTROL_PLANE_MEMORY_MIB} MiB`, { path: ["controlPlane", "memoryMiB"], value: SAFE_CONTROL_PLANE_MEMORY_MIB }));
      } else if (memoryMiB < SAFE_CONTROL_PLANE_MEMORY_MIB) {
        problems.push(warning("controlPlane.memoryMiB", memoryMiB, `kubeadm's preflight wants ${KUBEADM_MIN_MEMORY_MIB} MiB as the kernel reports it, which is less than the machine's ${memoryMiB} MiB by what the kernel reserves`, `give control planes at least ${SAFE_CONTROL_PLANE_MEMORY_MIB} MiB`, { path: ["controlPlane", "memoryMiB"], value: SAFE_CONTROL_PLANE_MEMORY_MIB }));
      }
      return problems;
    },
  },
];
