// Where the vSphere CSI driver's release manifest comes from and how its images follow the site's
// mirror. The manifest is applied as the maintainers ship it (no Helm chart exists), so an offline
// site points `addons.storage.vsphereCsi.manifestUrl` at its own copy of the pinned release.
import type * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec } from "../../../stacks/spec";
import { withRegistry } from "../charts";
import { vsphereCsiManifestUrl } from "../plan";

/** The manifest the driver is applied from: the site's copy when described, else the pinned release on GitHub. */
export function vsphereCsiManifestLocation(spec: Pick<ClusterSpec, "addons">): string {
  return spec.addons.storage.vsphereCsi?.manifestUrl ?? vsphereCsiManifestUrl();
}

/**
 * Resource transform: every container image of a workload moves to the mirror registry. Given as
 * the `transforms` resource option of a yaml/v2 ConfigFile: unlike the v1 `transformations`
 * argument, transforms also reach the resources such a provider-side component registers.
 */
export function rewriteImages(registry: string): pulumi.ResourceTransform {
  return (args) => {
    const props = structuredClone(args.props) as Record<string, unknown>;
    const podSpec = (props.spec as { template?: { spec?: Record<string, unknown> } } | undefined)?.template?.spec;
    if (!podSpec) return undefined;
    for (const key of ["containers", "initContainers"]) {
      for (const c of (podSpec[key] as { image?: string }[] | undefined) ?? []) {
        if (typeof c.image === "string") c.image = withRegistry(c.image, registry);
      }
    }
    return { props, opts: args.opts };
  };
}
