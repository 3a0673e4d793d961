// What the real engine should do, derived from the offline plan (the program under Pulumi's mocks,
// scripts/plan): the resources a preview creates, and what a description change does to an
// existing stack. URNs differ between the two in the stack's name and in how much of the parent
// chain they spell out (the mocks name the stack's type, the engine does not), so resources are
// compared by their own type and name, which the program keeps unique.
import type { PlanResult } from "../harness";
import type { PreviewResult } from "./stack";

/** "<type>::<name>" of a URN. */
export function urnKey(urn: string): string {
  const [, , types = "", ...name] = urn.split("::");
  return `${types.split("$").at(-1)}::${name.join("::")}`;
}

const STACK_TYPE = "pulumi:pulumi:Stack";
/** Steps that change nothing (a read of the self-StackReference is a read, not a change). */
const UNCHANGED = new Set(["same", "read", "refresh"]);

/** Keys of the resources a plan registers (the stack itself and providers excluded). */
export function planKeys(plan: PlanResult): Set<string> {
  return new Set(plan.resources.filter((r) => r.type !== STACK_TYPE && !r.type.startsWith("pulumi:providers:") && r.type !== "pulumi:pulumi:StackReference").map((r) => urnKey(r.urn)));
}

export interface Changes {
  create: string[];
  delete: string[];
  /** Updated or replaced in place of the old one. */
  change: string[];
}

const sorted = (keys: Iterable<string>) => [...keys].sort();

/** What a preview would do, by resource, leaving out the stack, providers and reads. */
export function previewChanges(preview: PreviewResult): Changes {
  const create = new Set<string>();
  const del = new Set<string>();
  const change = new Set<string>();
  for (const step of preview.steps) {
    const type = step.urn.split("::")[2]?.split("$").at(-1) ?? "";
    if (UNCHANGED.has(step.op) || type === STACK_TYPE || type.startsWith("pulumi:providers:") || type === "pulumi:pulumi:StackReference") continue;
    const key = urnKey(step.urn);
    if (step.op === "create") create.add(key);
    else if (step.op === "delete") del.add(key);
    else change.add(key);
  }
  return { create: sorted(create), delete: sorted(del), change: sorted(change) };
}

/** The changes from plan `before` to plan `after`: added, removed, and kept with other inputs. */
export function planChanges(before: PlanResult, after: PlanResult): Changes {
  const old = new Map(before.resources.map((r) => [urnKey(r.urn), r]));
  const now = new Map(after.resources.map((r) => [urnKey(r.urn), r]));
  const keys = planKeys(after);
  const oldKeys = planKeys(before);
  const create = [...keys].filter((k) => !oldKeys.has(k));
  const del = [...oldKeys].filter((k) => !keys.has(k));
  const change = [...keys].filter((k) => oldKeys.has(k) && now.get(k)!.custom && JSON.stringify(old.get(k)!.inputs) !== JSON.stringify(now.get(k)!.inputs));
  return { create: sorted(create), delete: sorted(del), change: sorted(change) };
}
