// Applying a fix's edits (Problem.edits) to a raw description: the validation tries each before
// offering it, and the tests apply them.
import type { FixEdit } from "./rules/common";

type Key = string | number;

/** Sets or removes the value at a path of a description (in place), making the mappings and lists on the way. */
export function applyAt(cluster: Record<Key, unknown>, path: Key[], change: { value?: unknown; remove?: boolean }): void {
  let owner = cluster;
  path.slice(0, -1).forEach((key, i) => {
    if (owner[key] === null || typeof owner[key] !== "object") owner[key] = typeof path[i + 1] === "number" ? [] : {};
    owner = owner[key] as Record<Key, unknown>;
  });
  const last = path.at(-1)!;
  if (!change.remove) owner[last] = change.value;
  else if (Array.isArray(owner)) owner.splice(last as number, 1);
  else delete owner[last];
}

/** A copy of the description with the edits applied. */
export function applyEdits(cluster: unknown, edits: FixEdit[]): unknown {
  const copy = structuredClone(cluster) as Record<Key, unknown>;
  for (const edit of edits) applyAt(copy, edit.path, "remove" in edit ? { remove: true } : { value: edit.value });
  return copy;
}
