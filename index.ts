// Entry point for `pulumi up`/`preview`/`destroy`: the returned object becomes the stack outputs.
import { clusterProgram } from "./program";

export = () => clusterProgram();
