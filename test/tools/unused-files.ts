// Which cached files of one kind may go: a cache shared by several worktrees (the lab's image
// tarballs, one per build of an image) must keep every build some worktree still uses, so a file
// goes only once nobody has used it for a long time. Every user marks its file used (its mtime)
// each time it takes it. Pure.

export interface CachedFile {
  name: string;
  /** When a user last took it (its mtime). */
  lastUsedMs: number;
}

/**
 * The files of the family `prefix`…`suffix` (one image's tarballs, say) other than `keep` that
 * nobody has used for `unusedForMs`: another worktree's build in use stays.
 */
export function unusedSiblings(files: CachedFile[], family: { prefix: string; suffix: string }, keep: string, nowMs: number, unusedForMs: number): string[] {
  return files
    .filter((f) => f.name !== keep && f.name.startsWith(family.prefix) && f.name.endsWith(family.suffix))
    .filter((f) => nowMs - f.lastUsedMs > unusedForMs)
    .map((f) => f.name)
    .sort();
}
