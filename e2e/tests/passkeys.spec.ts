// Passkeys in the browser, with Chromium's virtual authenticator: added on the account page,
// then offered by the browser at sign-in (conditional UI), signing the subscriber in
// without a code.
import { test, expect, signIn, accessible } from "./fixtures";

test("a subscriber adds a passkey and signs in with it", async ({ page, server }) => {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  await signIn(page, server, "en");
  await page.goto(`${server.base}/en/account`);
  await accessible(page);
  await page.locator("#passkey-label").fill("Test phone");
  await page.locator("[data-passkey-add]").click();
  await expect(page.locator("[data-passkey-added]")).toBeVisible();
  await page.waitForLoadState("load");
  await expect(page.locator("main")).toContainText("Test phone");

  await page.locator('form[action="/en/sign-out"] button').click();
  // The sign-in page asks the browser for a passkey in the background (conditional UI); the
  // virtual authenticator, like a person picking the offered passkey, answers at once, and no
  // code is asked for.
  await expect(page).toHaveURL(/\/en\/lines$/, { timeout: 15_000 });
  await expect(page.locator("h1")).toHaveText("My lines");
});
