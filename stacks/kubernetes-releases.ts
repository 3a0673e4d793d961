// The Kubernetes releases this program knows about, in one place: each minor's upstream end of
// life and its released patches. Updated on purpose (never fetched at plan time), next to the
// version the tests validate with, so a version that does not exist is refused before any machine
// exists and a minor out of upstream support is said out loud. The day-2 upgrade steps call the
// same functions.
//
// Sources, checked 2026-12-06: kubernetes/website data/releases/eol.yaml (final patches and EOL
// dates of 1.30 to 1.32), the kubernetes.io/releases/<minor> pages (EOL dates and latest patches
// of 1.33 to 1.37) and the Go module proxy's k8s.io/kubernetes versions.

/** The Kubernetes version the tests validate configs with (kubeadm v1.34.x); fixes suggest it. */
export const TESTED_KUBERNETES_VERSION = "1.34.4";

/** When the list below was last brought up to date. */
export const RELEASES_CHECKED = "2026-12-06";

export interface MinorRelease {
  /** Upstream end of life (YYYY-MM-DD): no patches, no security fixes after it. */
  endOfLife: string;
  /** The highest patch released as of RELEASES_CHECKED; every patch from 0 to it exists. */
  latestPatch: number;
}

export const KUBERNETES_RELEASES: Readonly<Record<string, MinorRelease>> = {
  "1.30": { endOfLife: "2025-07-15", latestPatch: 14 },
  "1.31": { endOfLife: "2025-11-11", latestPatch: 14 },
  "1.32": { endOfLife: "2026-02-28", latestPatch: 13 },
  "1.33": { endOfLife: "2026-06-28", latestPatch: 13 },
  "1.34": { endOfLife: "2026-10-27", latestPatch: 6 },
  "1.35": { endOfLife: "2027-02-28", latestPatch: 4 },
  "1.36": { endOfLife: "2027-06-28", latestPatch: 4 },
  "1.37": { endOfLife: "2027-10-28", latestPatch: 2 },
};

export interface ParsedVersion {
  major: number;
  minor: number;
  patch: number;
  /** `1.34` */
  minorText: string;
}

/** `1.34.4` (no leading v, no suffix); undefined for anything else. */
export function parseKubernetesVersion(version: string): ParsedVersion | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,4})$/.exec(version);
  if (!match) return undefined;
  const [major, minor, patch] = match.slice(1).map(Number);
  return { major, minor, patch, minorText: `${major}.${minor}` };
}

/** Minors the list covers, oldest first. */
export function knownMinors(): string[] {
  return Object.keys(KUBERNETES_RELEASES).sort((a, b) => Number(a.split(".")[1]) - Number(b.split(".")[1]));
}

/**
 * Whether a version was released: true or false for a minor the list covers, undefined for one it
 * does not (newer than the list, or older than the program supports), where it cannot know.
 */
export function isReleasedPatch(version: string): boolean | undefined {
  const parsed = parseKubernetesVersion(version);
  if (!parsed) return false;
  const release = KUBERNETES_RELEASES[parsed.minorText];
  if (!release) return undefined;
  return parsed.patch <= release.latestPatch;
}

/** The newest released patch of a minor the list covers (`1.34.6`). */
export function latestPatchOf(minor: string): string | undefined {
  const release = KUBERNETES_RELEASES[minor];
  return release ? `${minor}.${release.latestPatch}` : undefined;
}

export type SupportStatus =
  | { status: "supported"; endOfLife: string }
  | { status: "end-of-life"; endOfLife: string }
  | { status: "unknown" };

/** Upstream support of a version's minor on a day (YYYY-MM-DD, default today). */
export function supportStatus(version: string, today: string = new Date().toISOString().slice(0, 10)): SupportStatus {
  const parsed = parseKubernetesVersion(version) ?? parseKubernetesVersion(`${version}.0`);
  const release = parsed && KUBERNETES_RELEASES[parsed.minorText];
  if (!release) return { status: "unknown" };
  return today > release.endOfLife ? { status: "end-of-life", endOfLife: release.endOfLife } : { status: "supported", endOfLife: release.endOfLife };
}

/** The oldest minor still supported upstream on a day, for fixes that suggest an upgrade target. */
export function oldestSupportedMinor(today: string = new Date().toISOString().slice(0, 10)): string | undefined {
  return knownMinors().find((minor) => KUBERNETES_RELEASES[minor].endOfLife >= today);
}
