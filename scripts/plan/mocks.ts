// Stand-in answers for providers under the offline plan and the tests: every resource echoes its
// inputs, plus the outputs later layers read (a VM's address, a key's PEM, a token's value).
// Values are deterministic so plans and tests are repeatable.
import { createHash } from "node:crypto";
import type { MockCallArgs, MockResourceArgs, Mocks } from "@pulumi/pulumi/runtime/mocks";

function fakeText(seed: string, length: number, alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"): string {
  let out = "";
  let counter = 0;
  while (out.length < length) {
    const digest = createHash("sha256").update(`${seed}:${counter++}`).digest();
    for (const byte of digest) {
      if (out.length < length) out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}

type OutputFaker = (args: MockResourceArgs) => Record<string, unknown>;

/** Extra outputs per resource type; layers add their own types here as they need them. */
export const resourceOutputFakers: Record<string, OutputFaker> = {
  "random:index/randomString:RandomString": (args) => ({
    result: fakeText(args.name, Number(args.inputs.length ?? 16), args.inputs.upper || args.inputs.special ? undefined : "abcdefghijklmnopqrstuvwxyz0123456789"),
  }),
  "random:index/randomPassword:RandomPassword": (args) => ({ result: fakeText(args.name, Number(args.inputs.length ?? 24)) }),
  "random:index/randomId:RandomId": (args) => ({ hex: fakeText(args.name, Number(args.inputs.byteLength ?? 8) * 2, "0123456789abcdef") }),
};

export interface InvokeFaker {
  (args: MockCallArgs): Record<string, unknown>;
}

/** Answers for provider functions (data sources), keyed by token. */
export const invokeFakers: Record<string, InvokeFaker> = {};

export const planMocks: Mocks = {
  newResource(args: MockResourceArgs) {
    const faker = resourceOutputFakers[args.type];
    return {
      id: `${args.name}-id`,
      state: { ...args.inputs, ...(faker ? faker(args) : {}) },
    };
  },
  call(args: MockCallArgs) {
    const faker = invokeFakers[args.token];
    if (faker) return faker(args);
    // Data-source lookups by name: answer with an id derived from the name asked for.
    const name = typeof args.inputs.name === "string" ? args.inputs.name : args.token.split(":").pop();
    return { ...args.inputs, id: `${name}-id` };
  },
};
