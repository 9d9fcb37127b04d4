// Screenshots of the key pages at phone width, for docs/screenshots/ (and the README):
// `SIMRENEW_SCREENSHOTS=1 npx playwright test --project=phone screenshots`.
import * as path from "node:path";
import { Page } from "@playwright/test";
import { test, expect, signIn, totp, LOUISE } from "./fixtures";

const DIR = path.join(__dirname, "..", "..", "docs", "screenshots");
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(DIR, `${name}.png`), fullPage: true });

test.skip(!process.env.SIMRENEW_SCREENSHOTS, "only when asked for (SIMRENEW_SCREENSHOTS=1)");

test("key pages at phone width", async ({ page, server }, info) => {
  test.skip(info.project.name !== "phone", "phone width only");
  await page.goto(`${server.base}/en/sign-in?brand=lumo`);
  await shot(page, "01-sign-in");
  await signIn(page, server, "en");
  await shot(page, "02-my-lines");
  await page.goto(`${server.base}/en/lines/${LOUISE.physical}/renew`);
  await page.locator("#promo_code").fill("WELCOME10");
  await shot(page, "03-renew");
  await page.locator('form[action$="/renew"] button[type="submit"]').click();
  await expect(page.locator("table.price")).toBeVisible();
  await shot(page, "04-price-and-details");
  await page.locator("#details_confirmed").check();
  await page.locator("#method-card").check();
  await page.locator("form[data-once] button[type=submit]").click();
  await expect(page).toHaveURL(/demo-card/);
  await shot(page, "05-card-step");
  await page.locator('button[value="approve"]').click();
  await expect(page.locator(".card.highlight")).toBeVisible();
  await shot(page, "06-syncing-new-expiry");
  const order = page.url().match(/orders\/(\d+)/)![1];
  await page.goto(`${server.base}/en/orders/${order}/receipt`);
  await shot(page, "07-receipt");
  await page.goto(`${server.base}/en/stores?esim=on`);
  await shot(page, "08-store-finder");
  await page.goto(`${server.base}/fr/lines/${LOUISE.virtual}/renew`);
  await shot(page, "09-account-centre-fr");
  await page.goto(`${server.base}/en/lines/${LOUISE.esim}/auto-renew`);
  await shot(page, "11-auto-renew");
  await page.locator('form[action$="/sign-out"] button').click();

  const { password, key } = server.staff("agent@lumo.example");
  await page.goto(`${server.base}/en/counter`);
  await page.locator("#email").fill("agent@lumo.example");
  await page.locator("#password").fill(password);
  await page.locator("#totp_code").fill(totp(key));
  await page.locator("form button[type=submit]").click();
  await page.locator("#number").fill(LOUISE.physical);
  await page.locator('form[action$="/counter/look-up"] button').click();
  await shot(page, "10-counter-customer");
});
