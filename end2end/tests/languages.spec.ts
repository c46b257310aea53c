import { test, expect } from '@playwright/test';
import { APPROVE, checkout, ipRulesOff, ipRulesOn } from './payments';

// The buyer's pages in the buyer's language: Albanian by default, the browser's language
// when Saleonix writes it, and the switcher's choice above both, kept across pages.

test.describe.configure({ mode: 'serial' });
test.beforeAll(ipRulesOff);
test.afterAll(ipRulesOn);

test('an Albanian browser pays in Albanian, and the gateway page opens in Albanian', async ({ browser }) => {
  const context = await browser.newContext({ locale: 'sq-AL' });
  const page = await context.newPage();
  const token = checkout(123450);
  await page.goto(`/pay/${token}`);
  await expect(page.locator('html')).toHaveAttribute('lang', 'sq');
  await expect(page.getByText('Saleonix është shitësi ligjor')).toBeVisible();
  await page.getByLabel('Email-i për dëftesën').fill('bleresi@example.com');
  await page.getByRole('button', { name: 'Paguaj 1.234,50 €' }).click();
  await expect(page).toHaveURL(/\/fim\/est3Dgate/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'sq');
  await page.getByLabel('Card number').fill(APPROVE);
  await page.getByLabel('Expiry (MM/YY)').fill('12/30');
  await page.getByLabel('CVV').fill('000');
  await page.getByLabel('Name on card').fill('Arbër Çela');
  await page.getByRole('button', { name: 'Pay' }).click();
  await page.getByLabel('Password').fill('a');
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page.getByRole('heading', { name: 'Pagesa u pranua' })).toBeVisible();
  await page.getByRole('link', { name: 'Shihni dëftesën' }).click();
  await expect(page.getByRole('heading', { name: 'Dëftesa' })).toBeVisible();
  await context.close();
});

test('the switcher changes the language for this page and the next', async ({ browser }) => {
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  const token = checkout(990);
  await page.goto(`/pay/${token}`);
  await expect(page.getByRole('button', { name: 'Pay €9.90' })).toBeVisible();
  const languages = page.getByRole('navigation', { name: 'Language' });
  await expect(languages.getByRole('link', { name: 'English' })).toHaveAttribute('aria-current', 'true');
  await languages.getByRole('link', { name: 'Srpski' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'sr-Latn');
  await expect(page.getByRole('button', { name: 'Platite 9,90 €' })).toBeVisible();
  // The choice holds on the next page, over the browser's English.
  await page.goto('/portal');
  await expect(page.getByRole('heading', { name: 'Vaše pretplate' })).toBeVisible();
  await page.getByRole('navigation', { name: 'Jezik' }).getByRole('link', { name: 'Shqip' }).click();
  await expect(page.getByRole('heading', { name: 'Abonimet tuaja' })).toBeVisible();
  await context.close();
});
