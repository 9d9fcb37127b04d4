// A fresh simrenew for each test: a copy of the seeded demo database, served on a free port
// of 127.0.0.1 by `simrenew demo`, whose output gives the staff's passwords and TOTP keys and
// whose log gives the sign-in codes it "sends". Helpers sign in, read codes and check pages
// with axe.
import { test as base, expect, Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { ChildProcess, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { binary, RUN_DIR } from "../global-setup";

export type Server = {
  base: string;
  log: () => string;
  output: () => string;
  /** The demo's password and TOTP key of a member of staff, as it printed them. */
  staff: (email: string) => { password: string; key: string };
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

async function start(
  name: string,
  network = false,
): Promise<{ server: Server; child: ChildProcess; dir: string }> {
  const dir = fs.mkdtempSync(path.join(RUN_DIR, name.replace(/[^a-z0-9]+/gi, "-").slice(0, 40) + "-"));
  for (const suffix of ["", "-wal", "-shm"]) {
    const from = path.join(RUN_DIR, `template.db${suffix}`);
    if (fs.existsSync(from)) fs.copyFileSync(from, path.join(dir, `demo.db${suffix}`));
  }
  fs.copyFileSync(path.join(RUN_DIR, "simrenew-demo.secret"), path.join(dir, "simrenew-demo.secret"));
  const port = await freePort();
  let out = "";
  let err = "";
  const child = spawn(
    binary(),
    ["--database-url", `sqlite:${path.join(dir, "demo.db")}`, "demo", "--listen", `127.0.0.1:${port}`],
    {
      cwd: dir,
      env: {
        ...process.env,
        SIMRENEW_LOG: "info,sqlx=warn",
        NO_COLOR: "1",
        SIMRENEW_DEMO_NETWORK: network ? "on" : "off",
      },
    },
  );
  child.stdout!.on("data", (d) => (out += d.toString()));
  child.stderr!.on("data", (d) => (err += d.toString()));
  const base = `http://localhost:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`simrenew exited: ${err}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error(`simrenew did not start: ${err}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const server: Server = {
    base,
    log: () => err,
    output: () => out,
    staff: (email) => {
      const esc = email.replace(/[.]/g, "\\.");
      const m =
        out.match(new RegExp(`${esc}[^\\n]*?password ([0-9a-f]{16})[^\\n]*?key ([A-Z2-7]{32})`)) ||
        out.match(new RegExp(`agent ${esc}, password ([0-9a-f]{16})[\\s\\S]*?scan the code\\): ([A-Z2-7]{32})`));
      if (!m) throw new Error(`the demo printed no sign-in for ${email}:\n${out}`);
      return { password: m[1], key: m[2] };
    },
  };
  return { server, child, dir };
}

async function served(title: string, network: boolean, use: (s: Server) => Promise<void>) {
  const { server, child, dir } = await start(title, network);
  await use(server);
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  fs.rmSync(dir, { recursive: true, force: true });
}

/** `server`: the demo with its network off (orders stay "syncing", which the tests look at);
 * `networked`: with its simulated network and SM-DP+, for what needs them to answer. */
export const test = base.extend<{ server: Server; networked: Server }>({
  server: async ({}, use, testInfo) => served(testInfo.title, false, use),
  networked: async ({}, use, testInfo) => served(testInfo.title, true, use),
});

export { expect };

/** The newest sign-in code the demo "sent" to `address`. */
export async function codeFor(server: Server, address: string, after = 0): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const lines = server.log().split("\n").filter((l) => l.includes(address) && /code is \d{6}/.test(l));
    if (lines.length > after) return lines[lines.length - 1].match(/code is (\d{6})/)![1];
    if (Date.now() > deadline) throw new Error(`no code was sent to ${address}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The current RFC 6238 code of a base32 key. */
export function totp(key: string, at = Date.now()): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of key.replace(/=+$/, "")) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const bytes = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const h = createHmac("sha1", bytes).update(counter).digest();
  const o = h[h.length - 1] & 0xf;
  const n = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return (n % 1_000_000).toString().padStart(6, "0");
}

/** No serious or critical accessibility violation on the page as it is now. */
export async function accessible(page: Page) {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    `accessibility of ${page.url()}`,
  ).toEqual([]);
}

export const LOUISE = {
  physical: "+32470999001",
  esim: "+32470999002",
  virtual: "+32470999003",
  grace: "+32470999004",
  email: "louise.maes@example.be",
};

/** Signs in to the portal in `lang` with a code sent to `phone`. */
export async function signIn(page: Page, server: Server, lang: string, phone = LOUISE.physical) {
  await page.goto(`${server.base}/${lang}/sign-in?brand=lumo`);
  await accessible(page);
  const before = server.log().split("\n").filter((l) => l.includes(phone) && /code is/.test(l)).length;
  await page.locator("#phone").fill(phone);
  await page.locator("#phone").press("Enter");
  await page.waitForURL(/\/sign-in\/code/);
  await accessible(page);
  await page.locator("#code").fill(await codeFor(server, phone, before));
  await page.locator("#code").press("Enter");
  await page.waitForURL(new RegExp(`/${lang}/lines$`));
  await accessible(page);
}
