// Browser tests of the portal and the counter console, on Debian's Chromium (no browser is
// ever downloaded: PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1). Each test gets its own simrenew
// process on a fresh copy of a demo database (see fixtures.ts).
import { defineConfig } from "@playwright/test";

const chromium = {
  executablePath: process.env.SIMRENEW_CHROMIUM || "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};

export default defineConfig({
  testDir: "./tests",
  globalSetup: "./global-setup.ts",
  timeout: 120_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: process.env.CI ? 2 : 2,
  retries: 0,
  reporter: [["list"]],
  use: {
    launchOptions: chromium,
    locale: "en-GB",
    trace: "off",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "phone",
      use: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
    },
    {
      name: "desktop",
      use: { viewport: { width: 1280, height: 800 } },
    },
  ],
});
