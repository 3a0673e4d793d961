// What runs on the nodes: Kubernetes version, OS release, mirrors and package repositories.
import { SUPPORTED_KUBERNETES_MINORS, SUPPORTED_OS_VERSIONS, TESTED_KUBERNETES_VERSION } from "../schema";
import { RELEASES_CHECKED, isReleasedPatch, latestPatchOf, oldestSupportedMinor, supportStatus } from "../kubernetes-releases";
import { type Problem, type Rule, error, warning } from "./common";

export const softwareRules: Rule[] = [
  {
    uses: ["kubernetes.version"],
    check(c, ctx) {
      const version = c.kubernetes.version;
      const match = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(version);
      if (!match) {
        return [error("kubernetes.version", version, "not an exact x.y.z version (packages are pinned to it)", `write the full version, e.g. ${TESTED_KUBERNETES_VERSION}`)];
      }
      const minor = `${match[1]}.${match[2]}`;
      if (!(SUPPORTED_KUBERNETES_MINORS as readonly string[]).includes(minor)) {
        return [error("kubernetes.version", version, `Kubernetes ${minor} is not supported`, `use a version of ${SUPPORTED_KUBERNETES_MINORS[0]} to ${SUPPORTED_KUBERNETES_MINORS.at(-1)}, e.g. ${TESTED_KUBERNETES_VERSION} (the version the tests validate)`)];
      }
      // The minor's support is said next to any other problem with the version, so fixing that one reveals nothing new.
      const support = supportStatus(version.replace(/^v/, ""), ctx.today);
      const target = oldestSupportedMinor(ctx.today);
      const endOfLife =
        support.status === "end-of-life"
          ? [warning("kubernetes.version", version, `Kubernetes ${minor} reached its upstream end of life on ${support.endOfLife}: it gets no security fixes or patches any more`, `plan an upgrade to a supported minor${target ? ` (${target} or newer, e.g. ${latestPatchOf(target)})` : ""}; upgrades go one minor at a time`)]
          : [];
      if (version.startsWith("v")) {
        return [error("kubernetes.version", version, "write the version without the leading v", `use ${version.slice(1)}`, { path: ["kubernetes", "version"], value: version.slice(1) }), ...endOfLife];
      }
      const released = isReleasedPatch(version);
      const latest = latestPatchOf(minor);
      if (released === false && latest) {
        return [error("kubernetes.version", version, `Kubernetes ${version} was never released: the newest ${minor} patch (as of ${RELEASES_CHECKED}) is ${latest}`, `use ${latest} or an earlier ${minor} patch; if ${version} was released since, add it to stacks/kubernetes-releases.ts`, { path: ["kubernetes", "version"], value: latest }), ...endOfLife];
      }
      if (released === undefined) {
        return [warning("kubernetes.version", version, `Kubernetes ${minor} is newer than the release list this program keeps (checked ${RELEASES_CHECKED}), so whether ${version} exists is not known`, `check that ${version} is released, then add ${minor} to stacks/kubernetes-releases.ts; or use ${TESTED_KUBERNETES_VERSION}, the version the tests validate`)];
      }
      return endOfLife;
    },
  },
  {
    uses: ["os"],
    check(c) {
      const problems: Problem[] = [];
      const supported: readonly string[] = SUPPORTED_OS_VERSIONS[c.os.family];
      if (!supported.includes(c.os.version)) {
        problems.push(error("os.version", c.os.version, `${c.os.family} ${JSON.stringify(c.os.version)} is not a supported release`, `use one of: ${supported.join(", ")}`));
      }
      if (!["enforcing", "permissive", "disabled"].includes(c.os.selinux.toLowerCase())) {
        problems.push(error("os.selinux", c.os.selinux, "not an SELinux mode", "use enforcing, permissive or disabled (any case)"));
      }
      // The default (permissive) says nothing; another mode on an apt family would be ignored.
      const aptFamily = c.os.family === "ubuntu" || c.os.family === "debian";
      if (aptFamily && c.os.selinux.toLowerCase() !== "permissive") {
        problems.push(warning("os.selinux", c.os.selinux, `${c.os.family} does not use SELinux, so this setting is ignored`, "remove cluster.os.selinux"));
      }
      if (aptFamily && c.os.firewall === "disabled") {
        problems.push(warning("os.firewall", "disabled", `node preparation manages firewalld only on the dnf family; on ${c.os.family} the host firewall is left as it is`, "remove cluster.os.firewall, and open the ports of the acceptance checklist in the host's own firewall if it runs one"));
      }
      return problems;
    },
  },
  {
    // Node preparation writes /etc/containerd/certs.d/<registry>/hosts.toml per key.
    uses: ["registries"],
    check(c) {
      return Object.keys(c.registries.containerdMirrors)
        .filter((registry) => !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d{1,5})?$/.test(registry))
        .map((registry) =>
          error(`registries.containerdMirrors.${registry}`, registry, "a mirror is keyed by the registry's host as images name it, not a URL or path", `use the host (and port), e.g. ${registry.replace(/^[a-z]+:\/\//i, "").split("/")[0].toLowerCase() || "docker.io"}: <mirror URL>`),
        );
    },
  },
  {
    // Node preparation appends core:/stable:/v<minor>/{deb,rpm}/ for the pinned minor itself.
    uses: ["kubernetes.packageRepository"],
    check(c) {
      const mirror = c.kubernetes.packageRepository;
      if (!mirror || !/\/core:\/stable:/.test(mirror)) return [];
      return [error("kubernetes.packageRepository", mirror, "this is one minor's repository; packages of the pinned version are looked up below the mirror's root", `give the root that mirrors https://pkgs.k8s.io, e.g. ${mirror.split("/core:/stable:")[0]}`)];
    },
  },
];
