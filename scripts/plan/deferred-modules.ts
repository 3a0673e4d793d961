// Imported first by the plan's entry points (plan.ts, bench-one.ts). Loading @pulumi/pulumi also
// loads npm's arborist (for closure serialization's package walk) and TypeScript (for its ts-node
// support): about 0.3 s and 50 MiB of every plan, which runs under mocks and uses neither. Each
// becomes a stand-in object that loads the real module the first time anything on it is read.
import Module from "node:module";

export const DEFERRED_MODULES = ["@npmcli/arborist", "typescript"];

type Loaded = Record<PropertyKey, unknown>;

/** A module object that requires the real one on first use. */
export function deferredModule(load: () => Loaded): Loaded {
  let real: Loaded | undefined;
  const get = () => (real ??= load());
  return new Proxy({} as Loaded, {
    get(_target, key) {
      // TypeScript's __importStar returns a module marked __esModule as it is, without reading
      // every export (which would load it at once); `default` is then the module itself.
      if (key === "__esModule") return true;
      const module = get();
      if (key === "default" && !module.__esModule) return module.default ?? module;
      return module[key];
    },
    has: (_target, key) => key in get(),
    ownKeys: () => Reflect.ownKeys(get()),
    getOwnPropertyDescriptor: (_target, key) => {
      const descriptor = Object.getOwnPropertyDescriptor(get(), key);
      return descriptor && { ...descriptor, configurable: true };
    },
  });
}

let installed = false;

/** Makes require() of DEFERRED_MODULES, from anywhere in this process, return deferred modules. */
export function deferHeavyModules(): void {
  if (installed) return;
  installed = true;
  const prototype = Module.prototype as unknown as { require: (this: NodeJS.Module, id: string) => unknown };
  const original = prototype.require;
  prototype.require = function (this: NodeJS.Module, id: string) {
    if (!DEFERRED_MODULES.includes(id)) return original.call(this, id);
    return deferredModule(() => original.call(this, id) as Loaded);
  };
}

deferHeavyModules();
