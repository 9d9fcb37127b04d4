// The subscriber portal, in French and in Dutch (or English), at phone and desktop widths:
// sign-in, my lines, renewing each kind of line, a renewal in grace, a declined card, the
// receipt and history, the store finder. Every page is checked with axe.
import { Page } from "@playwright/test";
import { test, expect, signIn, accessible, LOUISE } from "./fixtures";

const TEXT = {
  fr: {
    lines: "Mes lignes",
    quote: "Prix et coordonnées",
    syncing: "Synchronisation avec le réseau",
    failed: "Votre paiement n’a pas abouti",
    badPhone: "Saisissez un numéro au format international",
    badPromo: "Ce code promo n’est pas connu.",
    detailsConfirm: "Confirmez que vos coordonnées sont correctes",
    promotion: "Promotion appliquée",
    vat: "TVA (21 %)",
    receipt: "Reçu",
    credit: "Crédit",
    card: "Carte",
    history: "Historique",
    stores: "Trouver un magasin",
    grace: "En période de grâce",
    accountCentre: "Centre de compte",
    autoRenew: "Renouvellement automatique",
    autoRenewOn: "Activé",
    saved: "Enregistré.",
    badCap: "Indiquez le plafond comme un montant supérieur à zéro",
    checkUnknown: "Nous n'avons envoyé aucun message avec ce code.",
    calendarTitle: "Les échéances dans votre agenda",
  },
  nl: {
    lines: "Mijn lijnen",
    quote: "Prijs en gegevens",
    syncing: "Synchroniseert met het netwerk",
    failed: "Je betaling is niet gelukt",
    badPhone: "Vul een telefoonnummer in internationale vorm in",
    badPromo: "Deze promotiecode is niet bekend.",
    detailsConfirm: "Bevestig dat je gegevens kloppen",
    promotion: "Toegepaste promotie",
    vat: "Btw (21 %)",
    receipt: "Kasticket",
    credit: "Tegoed",
    card: "Kaart",
    history: "Geschiedenis",
    stores: "Winkelzoeker",
    grace: "In respijtperiode",
    accountCentre: "Accountcentrum",
    autoRenew: "Automatisch verlengen",
    autoRenewOn: "Aan",
    saved: "Bewaard.",
    badCap: "Geef de limiet als een bedrag boven nul",
    checkUnknown: "",
    calendarTitle: "",
  },
};

type Lang = keyof typeof TEXT;

/** From a line's renewal page to the price, choosing `plan` (a plan code) and `periods`. */
async function askPrice(page: Page, plan: string, periods: string, promo = "") {
  await page.locator(`input[name="plan"][value="${plan}"]`).check();
  await page.locator("#periods").selectOption(periods);
  if (promo) await page.locator("#promo_code").fill(promo);
  await page.locator('form[action$="/renew"] button[type="submit"]').click();
}

async function pay(page: Page, method: string, confirmDetails = true) {
  if (confirmDetails) await page.locator("#details_confirmed").check();
  await page.locator(`#method-${method}`).check();
  await page.locator("form[data-once] button[type=submit]").click();
}

for (const lang of ["fr", "nl"] as Lang[]) {
  const t = TEXT[lang];

  test.describe(`portal in ${lang}`, () => {
    test(`${lang}: renew a SIM card from credit, with a promo code`, async ({ page, server }) => {
      await signIn(page, server, lang);
      await expect(page.locator("h1")).toHaveText(t.lines);
      await expect(page.locator(".line")).toHaveCount(4);
      await expect(page.locator(`.line:has-text("${LOUISE.grace}") .badge`)).toHaveText(t.grace);
      await expect(page.locator("meter").first()).toHaveAttribute("max", "5000");

      await page.locator(`a[href="/${lang}/lines/${LOUISE.physical}/renew"]`).click();
      await accessible(page);
      // A promo code that does not exist: said in the page's language.
      await askPrice(page, "LUMO-5GB-30D", "1", "NOSUCHCODE");
      await expect(page.locator("#form-error")).toHaveText(t.badPromo);
      await accessible(page);
      await page.locator("#promo_code").fill("WELCOME10");
      await page.locator('form[action$="/renew"] button[type="submit"]').click();

      await expect(page.locator("h1")).toHaveText(t.quote);
      await expect(page.locator("table.price")).toContainText(t.vat);
      await expect(page.locator(".notice.success")).toContainText(t.promotion);
      await expect(page.locator("table.price .total")).toContainText("9,00");
      await accessible(page);
      // The details must be confirmed first.
      await pay(page, "credit", false);
      await expect(page.locator("#form-error")).toContainText(t.detailsConfirm);
      const form = page.locator("form[data-once]");
      const action = new URL(await form.getAttribute("action")!, server.base).href;
      const sent = {
        csrf: await form.locator('input[name="csrf"]').inputValue(),
        once: await form.locator('input[name="once"]').inputValue(),
        method: "credit",
        details_confirmed: "yes",
      };
      await pay(page, "credit");
      await expect(page.locator('[role="status"] h2').first()).toHaveText(t.syncing);
      await expect(page.locator(".card.highlight .big")).toBeVisible();
      await accessible(page);
      const order = page.url().match(/orders\/(\d+)/)![1];

      await page.goto(`${server.base}/${lang}/orders/${order}/receipt`);
      await expect(page.locator("h1")).toHaveText(t.receipt);
      await expect(page.locator(".receipt")).toContainText(t.credit);
      await expect(page.locator(".receipt table.price")).toContainText(t.vat);
      await accessible(page);

      await page.goto(`${server.base}/${lang}/orders`);
      await expect(page.locator("h1")).toHaveText(t.history);
      await expect(page.locator("table.history tbody tr")).toHaveCount(1);
      await accessible(page);

      // The same form sent again (a double click, a reload) leads to the same order and
      // orders nothing more.
      const again = await page.request.post(action, { form: sent });
      expect(new URL(again.url()).pathname).toBe(`/${lang}/orders/${order}`);
      await page.goto(`${server.base}/${lang}/orders`);
      await expect(page.locator("table.history tbody tr")).toHaveCount(1);
    });

    test(`${lang}: renew an eSIM by card, declined then approved`, async ({ page, server }) => {
      await signIn(page, server, lang);
      await page.goto(`${server.base}/${lang}/lines/${LOUISE.esim}/renew`);
      await askPrice(page, "LUMO-20GB-1M", "2");
      await expect(page.locator("h1")).toHaveText(t.quote);
      await pay(page, "card");
      // The simulated bank's step, clearly labelled.
      await expect(page).toHaveURL(/\/demo-card\//);
      await expect(page.locator(".notice.warning")).toBeVisible();
      await accessible(page);
      await page.locator('button[value="decline"]').click();
      await expect(page.locator('[role="alert"] h2')).toHaveText(t.failed);
      await accessible(page);
      // Pay the same order again, and approve this time.
      await page.locator("#method-card").check();
      await page.locator("form[data-once] button[type=submit]").click();
      await expect(page).toHaveURL(/\/demo-card\//);
      await page.locator('button[value="approve"]').click();
      await expect(page.locator('[role="status"] h2').first()).toHaveText(t.syncing);
      await expect(page.locator(".card.highlight .big")).toBeVisible();
      await accessible(page);
    });

    test(`${lang}: extend a virtual SIM in the account centre`, async ({ page, server }) => {
      await signIn(page, server, lang);
      await page.goto(`${server.base}/${lang}/lines/${LOUISE.virtual}/renew`);
      await expect(page.locator("h1")).toHaveText(t.accountCentre);
      await accessible(page);
      await askPrice(page, "LUMO-1GB-7D", "1");
      await pay(page, "credit");
      await expect(page.locator('[role="status"] h2').first()).toHaveText(t.syncing);
    });

    test(`${lang}: renew a line in grace`, async ({ page, server }) => {
      await signIn(page, server, lang);
      await page.goto(`${server.base}/${lang}/lines/${LOUISE.grace}/renew`);
      await askPrice(page, "LUMO-5GB-30D", "1");
      await pay(page, "credit");
      await expect(page.locator('[role="status"] h2').first()).toHaveText(t.syncing);
      await page.goto(`${server.base}/${lang}/lines`);
      await expect(page.locator(`.line:has-text("${LOUISE.grace}") .badge`)).toHaveText(t.syncing);
    });

    test(`${lang}: switch automatic renewal on, with a cap of one's own`, async ({ page, server }) => {
      await signIn(page, server, lang);
      await page.locator(`.line:has-text("${LOUISE.physical}") a[href$="/auto-renew"]`).click();
      await expect(page.locator("h1")).toContainText(t.autoRenew);
      await accessible(page);
      await page.locator("#enabled-on").check();
      await page.locator('input[name="plan"]').first().check();
      await page.locator("#pay-credit").check();
      // A cap that is not an amount is told in the page's language, on the field.
      await page.locator("#monthly_cap").fill("beaucoup");
      await page.locator('form[action$="/auto-renew"] button[type="submit"]').click();
      await expect(page.locator("#form-error")).toContainText(t.badCap);
      await expect(page.locator("#monthly_cap")).toHaveAttribute("aria-invalid", "true");
      await accessible(page);
      await page.locator("#monthly_cap").fill("25,00");
      await page.locator('form[action$="/auto-renew"] button[type="submit"]').click();
      await expect(page.locator('.notice.success[role="status"]')).toHaveText(t.saved);
      await expect(page.locator("#monthly_cap")).toHaveValue("25.00");
      await accessible(page);
      await page.goto(`${server.base}/${lang}/lines`);
      await expect(page.locator(`.line:has-text("${LOUISE.physical}") .facts`)).toContainText(t.autoRenewOn);
    });

    test(`${lang}: bad input is told in the page's language`, async ({ page, server }) => {
      await page.goto(`${server.base}/${lang}/sign-in?brand=lumo`);
      await page.locator("#phone").fill("0470 12");
      await page.locator("#phone").press("Enter");
      await expect(page.locator("#form-error")).toContainText(t.badPhone);
      await expect(page.locator("#phone")).toHaveAttribute("aria-invalid", "true");
      await accessible(page);
    });

    test(`${lang}: the store finder filters by what stores do`, async ({ page, server }) => {
      await page.goto(`${server.base}/${lang}/stores?brand=lumo`);
      await expect(page.locator("h1")).toHaveText(t.stores);
      await accessible(page);
      const all = await page.locator("ul.stores > li").count();
      await page.locator("#filter-esim").check();
      await page.locator("form.filters button").click();
      const esim = await page.locator("ul.stores > li").count();
      expect(esim).toBeGreaterThan(0);
      expect(esim).toBeLessThan(all);
      await accessible(page);
    });
  });
}

test("the language switch is remembered", async ({ page, server }) => {
  await page.goto(`${server.base}/fr/sign-in?brand=lumo`);
  await page.locator('footer a[hreflang="de"]').click();
  await expect(page.locator("h1")).toHaveText("Anmelden");
  await page.goto(`${server.base}/`);
  await expect(page).toHaveURL(/\/de\/sign-in$/);
});

test("a French page is French from the Accept-Language header", async ({ browser, server }) => {
  const context = await browser.newContext({ locale: "fr-BE" });
  const page = await context.newPage();
  await page.goto(`${server.base}/`);
  await expect(page).toHaveURL(/\/fr\/sign-in$/);
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  await context.close();
});

test("a message's code is checked, and the calendar feed is an iCalendar", async ({ page, server }) => {
  const t = TEXT.fr;
  await page.goto(`${server.base}/fr/check?brand=lumo`);
  await accessible(page);
  await page.locator("#code").fill("K7Q4M-ZPA2X");
  await page.locator('form[action$="/check"] button[type="submit"]').click();
  await expect(page.locator("#check-result")).toContainText(t.checkUnknown);
  await accessible(page);

  await signIn(page, server, "fr");
  await page.goto(`${server.base}/fr/account`);
  await expect(page.locator("#calendar h2")).toHaveText(t.calendarTitle);
  await page.locator('form[action$="/account/calendar"] button[type="submit"]').click();
  const url = await page.locator("#calendar-url").getAttribute("href");
  expect(url).toBeTruthy();
  await accessible(page);
  // The address is on the brand's portal; this demo serves it here.
  const here = (u: string) => `${server.base}${new URL(u).pathname}`;
  const feed = await page.request.get(here(url!));
  expect(feed.status()).toBe(200);
  expect(feed.headers()["content-type"]).toContain("text/calendar");
  const body = await feed.text();
  expect(body).toContain("BEGIN:VCALENDAR");
  expect(body).toContain(LOUISE.physical);
  // A new address ends the old one.
  await page.locator('form[action$="/account/calendar"] button[type="submit"]').click();
  const second = await page.locator("#calendar-url").getAttribute("href");
  expect(second).not.toBe(url);
  expect((await page.request.get(here(url!))).status()).toBe(404);
});
