// The shipped stacks (Pulumi.poc.yaml, Pulumi.prod.yaml) under the real Pulumi engine.
import { engineStackSuite } from "./stack-suite";

engineStackSuite("poc", "poc");
engineStackSuite("prod", "prod");
