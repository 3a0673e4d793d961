// The types of run-compiled.js, which is plain JavaScript so that it starts without a TypeScript loader.
/** Compiles a .ts entry point into .cache/compiled/ unless that is up to date; resolves to the output's path. */
export function compile(entry: string): Promise<string>;
