// The real-node lab's cluster files, one after another in this one test worker. The lab runs one
// cluster at a time (a lock): as files of their own, the ones waiting for the lock each held one of
// the suite's three workers, so the rest of the suite ran on one worker for most of the lab's time.
import { FULL_JOURNEY, day2Journey } from "./engine/day2/journey";
import "./cluster/lab.suite";
import "./cluster/poc.suite";

// The day-2 journey's sample (under `npm run test:day2` its own file runs the whole journey instead).
if (!FULL_JOURNEY) day2Journey();
