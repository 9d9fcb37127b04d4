// New eSIM lines in a real browser: a subscriber adds one on the portal, pays by the demo's
// card and gets its QR code, manual-entry strings and iPhone link once the simulated SM-DP+
// prepared it; an agent sells one at the counter to a new customer identified by eID, for
// cash, and shows them its QR code. Every page is checked with axe.
import { Page } from "@playwright/test";
import { test, expect, accessible, totp, signIn, Server } from "./fixtures";

async function agentSignIn(page: Page, server: Server, email: string) {
  const { password, key } = server.staff(email);
  await page.goto(`${server.base}/en/counter`);
  await page.locator("#email").fill(email);
  await page.locator("#password").fill(password);
  await page.locator("#totp_code").fill(totp(key));
  await page.locator("form button[type=submit]").click();
  await expect(page.locator("h1")).toHaveText("Counter");
}

/** Reloads the eSIM's page until its QR code shows (the network prepares it in seconds). */
async function waitForQr(page: Page) {
  await expect(async () => {
    await page.reload();
    await expect(page.locator("img.qr")).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 40_000 });
  const src = await page.locator("img.qr").getAttribute("src");
  const qr = await page.request.get(new URL(src!, page.url()).toString());
  expect(qr.status()).toBe(200);
  expect(qr.headers()["content-type"]).toBe("image/svg+xml");
  expect(await qr.text()).toContain("<svg");
}

test("en: a subscriber adds a new eSIM line on the portal and installs it by QR code", async ({ page, networked: server }) => {
  await signIn(page, server, "en");
  await page.locator('a[href="/en/esims/new"]').click();
  await expect(page.locator("h1")).toHaveText("A new eSIM line");
  await accessible(page);
  // An EID that is not one is named, and nothing is sold.
  await page.locator("#eid").fill("1234");
  await page.locator("form[data-once] button[type=submit]").click();
  await expect(page.locator("#form-error")).toContainText("32 digits");
  await accessible(page);
  await page.locator("#eid").fill("");
  await page.locator('input[name="plan"][value="LUMO-1GB-7D"]').check();
  await page.locator("form[data-once] button[type=submit]").click();
  await expect(page).toHaveURL(/\/en\/orders\/\d+$/);
  await accessible(page);
  await page.locator("#method-card").check();
  await page.locator("form[data-once] button[type=submit]").click();
  await expect(page).toHaveURL(/\/demo-card\//);
  await page.locator('button[value="approve"]').click();
  await page.locator('main a.button[href*="/esims/"]').click();
  await expect(page.locator("h1")).toContainText("Your eSIM");
  await accessible(page);
  await waitForQr(page);
  await accessible(page);
  await expect(page.locator("main")).toContainText("smdp.netsim.example");
  await expect(page.locator('a[href^="https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=LPA"]')).toBeVisible();
  // The simulated phone installs it: the page follows.
  await expect(async () => {
    await page.reload();
    await expect(page.locator('[role="status"] h2')).toHaveText("In use", { timeout: 1_000 });
  }).toPass({ timeout: 40_000 });
});

test("en: an agent sells a new eSIM line for cash to a customer identified by eID", async ({ page, networked: server }) => {
  await agentSignIn(page, server, "agent@lumo.example");
  await page.locator('a[href="/en/counter/esims/new"]').click();
  await expect(page.locator("h1")).toHaveText("A new eSIM line");
  await accessible(page);
  await page.locator("#name").fill("Jonas Peeters");
  await page.locator("#email").fill("jonas.peeters@mail.example");
  await page.locator("#language").selectOption("nl");
  await page.locator("#document_method").selectOption("eid");
  await page.locator("#document_number").fill("591-1234567-89");
  await page.locator('input[name="plan"][value="LUMO-5GB-30D"]').check();
  await page.locator("#method-cash").check();
  await page.locator("form[data-once] button[type=submit]").click();
  await expect(page.locator("h1")).toHaveText("Customer");
  await expect(page.locator("dd.big")).toHaveText("Jonas Peeters");
  await expect(page.locator("main")).toContainText("Belgian eID read");
  await accessible(page);
  await page.locator('main a[href*="/esims/"]').first().click();
  await waitForQr(page);
  await accessible(page);
});
