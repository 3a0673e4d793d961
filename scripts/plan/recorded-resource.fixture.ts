// A RecordedResource for the plan's unit tests: a remote command unless said otherwise.
import type { RecordedResource } from "./monitor";

export function recordedResource(name: string, opts: Partial<RecordedResource> = {}): RecordedResource {
  return {
    urn: `urn:${name}`,
    type: opts.custom === false ? "test:index:Component" : "command:remote:Command",
    name,
    custom: true,
    protect: false,
    dependencies: [],
    inputs: {},
    secretPaths: [],
    additionalSecretOutputs: [],
    ignoreChanges: [],
    replaceOnChanges: [],
    deleteBeforeReplace: false,
    ...opts,
  };
}
