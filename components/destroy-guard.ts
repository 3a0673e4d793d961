// What makes `pulumi destroy` of a protected (prod) stack refuse before it deletes anything.
//
// `protect` alone does not: the engine deletes dependents first and checks protection only when a
// protected resource's own turn comes, so a destroy of prod used to delete every step (running
// `kubeadm reset` and etcd member removals on the nodes), every Helm release and the namespace,
// and only then stop at the protected machines and CAs (found with the real engine).
// The guard is one protected, inert resource that depends on everything else in the stack. A
// destroy must delete it first (the engine deletes dependents before their dependencies, and a
// dependency on a component covers all of its children, also those a provider-side component
// registers), it is protected, so the destroy stops there with nothing deleted. It depends on
// resources only through dependsOn, never through inputs, so it never takes part in a replacement:
// day-2 changes that re-run or replace steps are not blocked. Lifting protection on purpose:
// `pulumi state unprotect --all` (README "Deploy for real").
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

export function guardAgainstDestroy(cluster: string, everything: pulumi.Resource[]): random.RandomString {
  return new random.RandomString(
    `${cluster}-destroy-guard`,
    { length: 8, special: false },
    { protect: true, dependsOn: everything },
  );
}
