import { test, expect, type Browser, type Page } from '@playwright/test';
import {
  expectAccessible,
  expectNoAxeViolations,
  expectReflow,
  expectTargetSizes,
  expectVisibleLabels,
  tabTo,
} from './accessibility';
import { APPROVE, CARDS_USED, SANDBOX, checkout, ipRulesOff, ipRulesOn, query } from './payments';

// WCAG 2.2 AA on the buyer's pages, in each of the three languages: every page a buyer can
// meet, with and without the Test Mode notice, passes axe-core and the checks of
// ./accessibility; a buyer pays from the checkout to the receipt with the keyboard alone;
// a refused field takes the focus with its error; and nothing moves for reduced motion.
// (The portal with subscriptions and a plan's checkout are checked in subscriptions.spec.)

test.describe.configure({ mode: 'serial' });
test.beforeAll(ipRulesOff);
test.afterAll(ipRulesOn);

const DECLINE = '4000000000000051';

/** A new browser whose pages are in `lang` (the switcher's choice, kept in its cookie). */
async function buyerIn(browser: Browser, lang: string): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(`/accessibility?lang=${lang}`);
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
  return page;
}

/** Email, Pay, and `card` on the sandbox's pages (the gateway's, in English), back to Saleonix. */
async function payWith(page: Page, token: string, card: string): Promise<void> {
  CARDS_USED.add(card);
  await page.goto(`/pay/${token}`);
  await page.locator('#email').fill('bleresi@example.com');
  await page.locator('form.pay-form button[type=submit]').click();
  await expect(page).toHaveURL(/\/fim\/est3Dgate/);
  await page.getByLabel('Card number').fill(card);
  await page.getByLabel('Expiry (MM/YY)').fill('12/30');
  await page.getByLabel('CVV').fill('000');
  await page.getByLabel('Name on card').fill('Arbër Çela');
  await page.getByRole('button', { name: 'Pay' }).click();
  await page.getByLabel('Password').fill('a');
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page).toHaveURL(/\/pay\/(result|return)/);
}

/** The sandbox spoils the returns' hash (its `bad_hash` fault) until told to behave again. */
async function badHash(on: boolean): Promise<void> {
  const response = await fetch(`${SANDBOX}/sandbox/faults`, on
    ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'bad_hash' }) }
    : { method: 'DELETE' });
  expect(response.ok).toBeTruthy();
}

for (const lang of ['sq', 'sr-Latn', 'en']) {
  test(`every buyer page meets WCAG 2.2 AA in ${lang}`, async ({ browser }) => {
    const page = await buyerIn(browser, lang);
    const banner = page.locator('.pay-test');

    // The statement itself, without the Test Mode notice: the plain style's colours.
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expect(banner).toHaveCount(0);
    await expectAccessible(page);

    // The checkout, with the notice's colours; then refused, with the error on its field.
    const token = checkout(123450);
    await page.goto(`/pay/${token}`);
    await expect(banner).toBeVisible();
    await expectAccessible(page);
    const email = page.locator('#email');
    await email.fill('bleresi@example'); // an address the browser takes and Saleonix refuses
    await page.locator('form.pay-form button[type=submit]').click();
    await expect(page.getByRole('alert')).toBeVisible();
    await expect(email).toBeFocused();
    await expect(email).toHaveAttribute('aria-invalid', 'true');
    await expect(email).toHaveAccessibleDescription(await page.getByRole('alert').innerText());
    await expectAccessible(page);

    // Paid, its receipt, and the page that says it is paid already.
    await payWith(page, token, APPROVE);
    await expect(page).toHaveURL(/\/pay\/result\//);
    await expect(banner).toBeVisible();
    await expectAccessible(page);
    await page.locator(`a[href^="/pay/receipt/"]`).click();
    await expect(page).toHaveURL(/\/pay\/receipt\//);
    await expectAccessible(page);
    await page.goto(`/pay/${token}`);
    await expect(page.locator('form.pay-form')).toHaveCount(0);
    await expectAccessible(page);

    // Declined, with the way to try again; an expired checkout; an unknown one.
    const declined = checkout(990);
    await payWith(page, declined, DECLINE);
    await expect(page.locator(`a[href="/pay/${declined}"]`)).toBeVisible();
    await expectAccessible(page);
    await page.goto(`/pay/${checkout(990, { expired: true })}`);
    await expect(page.locator('form.pay-form')).toHaveCount(0);
    await expectAccessible(page);
    await page.goto('/pay/cs_AAAAAAAAAAAAAAAAAAAAAA');
    await expectAccessible(page);

    // A return that fails its check, and the result page of the payment it leaves waiting
    // for the bank, which offers to check again rather than reloading by itself.
    const unverified = checkout(990);
    await badHash(true);
    await payWith(page, unverified, APPROVE).finally(() => badHash(false));
    await expect(page).toHaveURL(/\/pay\/return/);
    await expectAccessible(page);
    const order = query(`SELECT p.order_id FROM payments p JOIN checkout_sessions s ON s.id = p.session_id
                         WHERE s.token = '${unverified}' AND p.status = 'pending'`);
    await page.goto(`/pay/result/${order}`);
    await expect(page.locator('meta[http-equiv="refresh"]')).toHaveCount(0);
    await expect(page.locator(`a[href="/pay/result/${order}"]`)).toBeVisible();
    await expectAccessible(page);

    // The portal's request form, refused, and the answer that a link went out.
    await page.goto('/portal');
    await expect(banner).toHaveCount(0);
    await expectAccessible(page);
    await page.locator('#email').fill('bleresi@example');
    await page.locator('form.pay-form button[type=submit]').click();
    await expect(page.locator('#email')).toBeFocused();
    await expectAccessible(page);
    await page.locator('#email').fill('bleresi@example.com');
    await page.locator('form.pay-form button[type=submit]').click();
    await expect(page.locator('#email')).toHaveCount(0);
    await expectAccessible(page);
    await page.context().close();
  });
}

test('the page that passes the buyer on to the gateway is accessible, its button there for scripts off', async ({ browser }) => {
  const context = await browser.newContext({ locale: 'sq-AL' });
  const page = await context.newPage();
  // The gateway answers its form with 204 No Content here, so the browser stays on the page.
  await page.route('**/fim/est3Dgate', (route) => route.fulfill({ status: 204 }));
  const gateway = page.waitForRequest('**/fim/est3Dgate');
  await page.goto(`/pay/${checkout(2500)}`);
  await page.getByLabel('Email-i për dëftesën').fill('bleresi@example.com');
  await page.getByRole('button', { name: /^Paguaj / }).click();
  await gateway; // the page's script has posted the form
  await expect(page.locator('form#to-gateway button')).toBeVisible();
  await expectAccessible(page);
  await context.close();
});

test('a buyer pays from the checkout to the receipt with the keyboard alone, the focus always shown', async ({ browser }) => {
  const context = await browser.newContext({ locale: 'sq-AL' });
  const page = await context.newPage();
  await page.goto(`/pay/${checkout(2500)}`);
  await tabTo(page, page.getByLabel('Email-i për dëftesën'));
  await page.keyboard.type('bleresi@example.com');
  await tabTo(page, page.getByRole('button', { name: 'Paguaj 25,00 €' }));
  await page.keyboard.press('Enter');

  // The gateway's card page and its 3-D Secure step (the sandbox's here, Payten's in production).
  await expect(page).toHaveURL(/\/fim\/est3Dgate/);
  CARDS_USED.add(APPROVE);
  for (const [label, value] of [['Card number', APPROVE], ['Expiry (MM/YY)', '12/30'], ['CVV', '000'], ['Name on card', 'Arbër Çela']]) {
    await tabTo(page, page.getByLabel(label), { ring: false });
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(value);
  }
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: '3-D Secure' })).toBeVisible();
  await tabTo(page, page.getByLabel('Password'), { ring: false });
  await page.keyboard.type('a');
  await page.keyboard.press('Enter');

  await expect(page.getByRole('heading', { name: 'Pagesa u pranua' })).toBeVisible();
  await tabTo(page, page.getByRole('link', { name: 'Shihni dëftesën' }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Dëftesa' })).toBeVisible();
  // And on to the statement at the foot of the page, past every link above it.
  await tabTo(page, page.getByRole('link', { name: 'Qasshmëria' }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Deklarata e qasshmërisë' })).toBeVisible();
  await context.close();
});

test('nothing moves on the buyer pages when the device asks for reduced motion', async ({ browser }) => {
  const context = await browser.newContext({ reducedMotion: 'reduce' });
  const page = await context.newPage();
  for (const path of [`/pay/${checkout(990)}`, '/portal', '/accessibility']) {
    await page.goto(path);
    const moving = await page.evaluate(() => ({
      asked: matchMedia('(prefers-reduced-motion: reduce)').matches,
      running: document.getAnimations().filter((a) => a.playState === 'running').length,
      slow: [...document.querySelectorAll('*')]
        .map((el) => getComputedStyle(el))
        .flatMap((s) => [...s.transitionDuration.split(','), ...s.animationDuration.split(',')])
        .map((d) => parseFloat(d) * (d.trim().endsWith('ms') ? 1 : 1000))
        .filter((ms) => ms > 0.01).length,
    }));
    expect(moving, path).toEqual({ asked: true, running: 0, slow: 0 });
  }
  await context.close();
});

test('the accessibility statement reads in each language and says where to report a barrier', async ({ browser }) => {
  const page = await buyerIn(browser, 'sr-Latn');
  await expect(page.getByRole('heading', { name: 'Izjava o pristupačnosti' })).toBeVisible();
  await expect(page.getByText('WCAG) 2.2 na nivou AA')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Prijavite prepreku' })).toBeVisible();
  await expect(page.getByRole('link', { name: /@/ })).toHaveAttribute('href', /^mailto:/);
  await page.getByRole('navigation', { name: 'Jezik' }).getByRole('link', { name: 'English' }).click();
  await expect(page.getByRole('heading', { name: 'Accessibility statement' })).toBeVisible();
  await expectNoAxeViolations(page);
  await page.context().close();
});

test('each check fails on a page spoilt the way it looks for (their control)', async ({ page }) => {
  await page.goto('/accessibility');
  await page.evaluate(() => {
    const main = document.querySelector('main')!;
    (main.querySelector('p') as HTMLElement).style.color = '#bbbbbb';
    const wide = document.createElement('div');
    wide.style.width = '1000px';
    wide.textContent = 'wide';
    main.append(wide);
    const field = document.createElement('input');
    field.id = 'unlabelled';
    main.append(field);
    const link = document.querySelector('body > footer a') as HTMLElement;
    Object.assign(link.style, { display: 'inline', fontSize: '8px', padding: '0', minHeight: '0' });
    for (const a of document.querySelectorAll('a')) (a as HTMLElement).style.outline = 'none';
  });
  await expect(expectNoAxeViolations(page)).rejects.toThrow(/color-contrast/);
  await expect(expectVisibleLabels(page)).rejects.toThrow(/unlabelled/);
  await expect(expectTargetSizes(page)).rejects.toThrow(/under 24/);
  await expect(tabTo(page, page.locator('body > footer a'))).rejects.toThrow(/focus ring/);
  await expect(expectReflow(page)).rejects.toThrow(/pixels wide/);
});
