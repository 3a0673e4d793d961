// `npm run test:day2` (and `npm run test:minor-upgrade`): the whole day-2 journey on one real cluster
// (test/engine/day2/journey.ts, docs/testing-day2.md). The default suite runs its sample from
// test/lab-serial.test.ts, with the lab's other cluster files.
import { describe, it } from "vitest";
import { FULL_JOURNEY, day2Journey } from "./day2/journey";

if (FULL_JOURNEY) day2Journey();
else describe("the whole day-2 journey", () => it.skip("runs with npm run test:day2; npm test runs its sample (test/lab-serial.test.ts)", () => {}));
