// Seeds one demo database, which every test copies: seeding (1,000 lines, hashed staff
// passwords) takes a while, a copy a moment.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export const RUN_DIR = path.join(__dirname, ".run");

export function binary(): string {
  const bin = process.env.SIMRENEW_BIN || path.join(__dirname, "..", "target", "debug", "simrenew");
  if (!fs.existsSync(bin)) {
    throw new Error(`no simrenew binary at ${bin}: build it (cargo build) or set SIMRENEW_BIN`);
  }
  return bin;
}

export default async function globalSetup() {
  fs.rmSync(RUN_DIR, { recursive: true, force: true });
  fs.mkdirSync(RUN_DIR, { recursive: true });
  execFileSync(
    binary(),
    ["--database-url", `sqlite:${path.join(RUN_DIR, "template.db")}`, "demo", "--seed-only"],
    { cwd: RUN_DIR, stdio: ["ignore", "ignore", "inherit"], timeout: 300_000, env: { ...process.env, SIMRENEW_LOG: "warn" } },
  );
}
