// actionlint, the linter of .github/workflows (test/ci-workflows.test.ts), built from its Go module
// (tools/actionlint) by the test setup and cached like the other Go tools.
import * as path from "node:path";
import { buildOnce, cacheDir, goBuild, toolsModule } from "./go-binaries";

/** Keep in step with tools/actionlint/go.mod. */
export const PINNED_ACTIONLINT_VERSION = "v1.7.12";

/** actionlint, built on first use (one small Go build). */
export function actionlintBinary(): Promise<string> {
  return buildOnce(path.join(cacheDir, `actionlint-${PINNED_ACTIONLINT_VERSION}`), (target) =>
    goBuild(target, toolsModule("actionlint"), "github.com/rhysd/actionlint/cmd/actionlint", `-s -w -X github.com/rhysd/actionlint.version=${PINNED_ACTIONLINT_VERSION}`),
  );
}
