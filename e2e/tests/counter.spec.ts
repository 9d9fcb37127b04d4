// The store counter console, in French and English: an agent signs in with password and
// TOTP, looks the customer up by number and by ICCID, checks the details on record, renews
// for cash or on the card terminal and prints the receipt; a cash-only kiosk is offered cash
// only, and a forced card payment is refused.
import { Page } from "@playwright/test";
import { test, expect, accessible, totp, LOUISE, Server } from "./fixtures";

const TEXT = {
  fr: {
    signIn: "Connexion au comptoir",
    counter: "Comptoir",
    customer: "Client",
    wrong: "Adresse e-mail, mot de passe ou code erroné.",
    receipt: "Reçu",
    cash: "Espèces",
    terminal: "Terminal de paiement",
    refused: "Votre magasin n’accepte pas ce moyen de paiement.",
    identification: "Lecture de l’eID belge",
  },
  en: {
    signIn: "Counter sign-in",
    counter: "Counter",
    customer: "Customer",
    wrong: "Wrong e-mail address, password or code.",
    receipt: "Receipt",
    cash: "Cash",
    terminal: "Card terminal",
    refused: "Your store does not take this payment method.",
    identification: "Belgian eID read",
  },
};

type Lang = keyof typeof TEXT;

async function agentSignIn(page: Page, server: Server, lang: Lang, email: string) {
  const { password, key } = server.staff(email);
  await page.goto(`${server.base}/counter`);
  await page.goto(`${server.base}/${lang}/counter`);
  await expect(page.locator("h1")).toHaveText(TEXT[lang].signIn);
  await accessible(page);
  await page.locator("#email").fill(email);
  await page.locator("#password").fill(password);
  await page.locator("#totp_code").fill(totp(key));
  await page.locator("form button[type=submit]").click();
  await expect(page.locator("h1")).toHaveText(TEXT[lang].counter);
  await accessible(page);
}

async function lookUp(page: Page, number: string) {
  await page.locator("#number").fill(number);
  await page.locator('form[action$="/counter/look-up"] button').click();
}

for (const lang of ["fr", "en"] as Lang[]) {
  const t = TEXT[lang];

  test(`${lang}: an agent renews for cash and prints the receipt`, async ({ page, server }) => {
    // A wrong code first: refused, in the page's language.
    const { password } = server.staff("agent@lumo.example");
    await page.goto(`${server.base}/${lang}/counter`);
    await page.locator("#email").fill("agent@lumo.example");
    await page.locator("#password").fill(password);
    await page.locator("#totp_code").fill("000000");
    await page.locator("form button[type=submit]").click();
    await expect(page.locator("#form-error")).toHaveText(t.wrong);

    await agentSignIn(page, server, lang, "agent@lumo.example");
    await lookUp(page, LOUISE.physical);
    await expect(page.locator("h1")).toHaveText(t.customer);
    await expect(page.locator("dd.big")).toHaveText("Louise Maes");
    await expect(page.locator("main")).toContainText(t.identification);
    await accessible(page);
    const iccid = (await page.locator("[data-iccid]").textContent())!.trim();

    await page.locator('input[name="plan"][value="LUMO-5GB-30D"]').check();
    await page.locator('form[action$="/counter/quote"] button').click();
    await accessible(page);
    await expect(page.locator('label[for="method-cash"]')).toHaveText(t.cash);
    await expect(page.locator('label[for="method-card_terminal"]')).toHaveText(t.terminal);
    await page.locator("#method-cash").check();
    await page.locator("form[data-once] button[type=submit]").click();
    await expect(page.locator("h1")).toHaveText(t.receipt);
    await expect(page.locator(".receipt")).toContainText(t.cash);
    await expect(page.locator(".receipt")).toContainText("21");
    await accessible(page);

    // The next customer, found by the SIM card's number.
    await page.goto(`${server.base}/${lang}/counter/customer?msisdn=${encodeURIComponent(LOUISE.physical)}`);
    await page.locator('form[action$="/counter/next"] button').click();
    await lookUp(page, iccid);
    await expect(page.locator("h1")).toHaveText(t.customer);
    await expect(page.locator("[data-iccid]")).toHaveText(iccid);

    // The card terminal needs its reference.
    await page.locator('input[name="plan"][value="LUMO-1GB-7D"]').check();
    await page.locator('form[action$="/counter/quote"] button').click();
    await page.locator("#method-card_terminal").check();
    await page.locator("#terminal_ref").fill("TRX-0042");
    await page.locator("form[data-once] button[type=submit]").click();
    await expect(page.locator(".receipt")).toContainText(t.terminal);
  });

  test(`${lang}: a cash-only kiosk is offered cash only, and a card is refused`, async ({ page, server }) => {
    await agentSignIn(page, server, lang, "kiosk@lumo.example");
    await lookUp(page, LOUISE.esim);
    await page.locator('input[name="plan"]').first().check();
    await page.locator('form[action$="/counter/quote"] button').click();
    await expect(page.locator("#method-cash")).toBeVisible();
    await expect(page.locator("#method-card_terminal")).toHaveCount(0);
    await accessible(page);
    // Forcing the terminal anyway: refused, and nothing is sold.
    const form = page.locator("form[data-once]");
    const action = new URL((await form.getAttribute("action"))!, server.base).href;
    const forced = await page.request.post(action, {
      form: {
        csrf: await form.locator('input[name="csrf"]').inputValue(),
        once: await form.locator('input[name="once"]').inputValue(),
        store: await form.locator('input[name="store"]').inputValue(),
        method: "card_terminal",
        terminal_ref: "TRX-1",
      },
    });
    expect(forced.status()).toBe(403);
    expect(await forced.text()).toContain(t.refused);
  });
}

test("fr: an agent sells a new line on a SIM card of the store's stock, and that card only once", async ({ page, server }) => {
  const card = server.output().match(/a card of [^\n]*'s stock: (\d{19,20})/)![1];
  await agentSignIn(page, server, "fr", "agent@lumo.example");
  await page.locator('a[href="/fr/counter/sims/new"]').click();
  await expect(page.locator("h1")).toHaveText("Une nouvelle ligne sur carte SIM");
  await accessible(page);
  const sell = async (iccid: string) => {
    await page.locator("#name").fill("Sofie Claes");
    await page.locator("#language").selectOption("nl");
    await page.locator("#iccid").fill(iccid);
    await page.locator('input[name="plan"][value="LUMO-5GB-30D"]').check();
    await page.locator("#method-cash").check();
    await page.locator("form[data-once] button[type=submit]").click();
  };
  // A mistyped card number: said in French, on the field, and nothing is sold.
  const typo = card.slice(0, -1) + String((Number(card.slice(-1)) + 1) % 10);
  await sell(typo);
  await expect(page.locator("#form-error")).toHaveText("Ce numéro de carte SIM n’est pas valide : vérifiez les chiffres.");
  await expect(page.locator("#iccid")).toHaveAttribute("aria-invalid", "true");
  await accessible(page);

  await sell(card);
  await expect(page.locator("h1")).toHaveText("Client");
  await expect(page.locator("dd.big")).toHaveText("Sofie Claes");
  await expect(page.locator("[data-iccid]")).toHaveText(card);
  await accessible(page);

  // The same card again: it is on a line now.
  await page.goto(`${server.base}/fr/counter/sims/new`);
  await sell(card);
  await expect(page.locator("#form-error")).toHaveText("Cette carte SIM est déjà sur une ligne : prenez une autre carte du stock.");
});
