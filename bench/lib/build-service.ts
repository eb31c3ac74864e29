import { execFileSync } from "node:child_process";
import { join } from "node:path";

/** Compiles the service in `root` as the image build does (`tsc -p tsconfig.build.json` → dist/). */
export function buildService(root: string, log: (line: string) => void): void {
  log(`building the service in ${root} (tsc -p tsconfig.build.json)`);
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "tsconfig.build.json")], { cwd: root, stdio: "inherit" });
}
