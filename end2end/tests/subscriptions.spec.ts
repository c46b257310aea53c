import { test, expect, type Browser, type Page } from '@playwright/test';
import { ageSecondFactor, confirmStepUp, signIn, turnOnTwoFactor, verifiedMerchant } from './accounts';
import { expectAccessible } from './accessibility';
import { APPROVE, CARDS_USED, ipRulesOff, ipRulesOn, query } from './payments';

// Subscriptions on the gateway's recurring series: a merchant makes a plan and sign-up
// checkouts, buyers agree to the repeated payments and pay on the Payten sandbox's page
// (keyboard only for the consent); one cancels in the portal their receipt links to, and
// the merchant ends the other with its period, keeps it, and cancels it now, with a fresh
// second factor.

test.describe.configure({ mode: 'serial' });

test.beforeAll(ipRulesOff);
test.afterAll(ipRulesOn);

test('buyers sign up for a plan with consent; one cancels in the portal, the merchant cancels the other', async ({ page, browser }) => {
  const email = `drita-plans-${Date.now()}@example.com`;
  await verifiedMerchant(page, email);
  await signIn(page, email);
  await expect(page).toHaveURL(/\/dashboard$/);
  const codes = await turnOnTwoFactor(page);

  await page.goto('/dashboard/subscriptions', { waitUntil: 'networkidle' });
  await expect(page.getByRole('region', { name: 'Mode' }).getByText('Test Mode', { exact: true })).toBeVisible();
  await expect(page.getByText('No subscriptions in this mode yet.')).toBeVisible();
  await page.getByLabel('Name', { exact: true }).fill('Coffee of the month');
  await page.getByLabel('Each payment in euro').fill('9.905');
  await page.getByLabel('Interval').selectOption('month');
  await page.getByLabel('Payments in all').fill('3');
  await page.getByRole('button', { name: 'Create the plan' }).click();
  await expect(page.getByText('Enter an amount in euro such as 12.50.')).toBeVisible();
  await page.getByLabel('Each payment in euro').fill('9.90');
  await page.getByRole('button', { name: 'Create the plan' }).click();
  await expect(page.getByText('The plan is created.')).toBeVisible();
  const plan = page.getByRole('row').filter({ hasText: 'Coffee of the month' });
  await expect(plan).toContainText('every month, 3 payments');
  const stamp = Date.now();
  const first = `besa-${stamp}@example.com`;
  const second = `arben-${stamp}@example.com`;

  // The first buyer signs up, ticking the consent by keyboard, and later cancels in the
  // portal their receipt links to.
  await signUp(page, browser, first);
  const buyer = await browser.newContext();
  const portal = await buyer.newPage();
  await portal.goto(await portalLink(portal, first));
  await expect(portal.getByRole('heading', { name: 'Your subscriptions with Dardania Crafts' })).toBeVisible();
  await expect(portal.getByText('Payment 1 of 3')).toBeVisible();
  await expect(portal.getByRole('link', { name: 'Receipt' })).toBeVisible();
  await expectAccessible(portal);
  await portal.getByRole('button', { name: 'Cancel Coffee of the month' }).click();
  await expect(portal.getByText('Cancelled: no further payment is taken')).toBeVisible();
  await buyer.close();

  // The second buyer signs up; the merchant sees both, ends the second with its period
  // (a recovery code as the fresh second factor), keeps it after all, then cancels it now.
  await signUp(page, browser, second);
  await page.goto('/dashboard/subscriptions', { waitUntil: 'networkidle' });
  await expect(page.getByRole('row').filter({ hasText: first })).toContainText('Cancelled');
  const row = page.getByRole('row').filter({ hasText: second });
  await expect(row).toContainText('Active');
  await expect(row).toContainText('1 of 3');
  ageSecondFactor(email);
  await row.getByRole('button', { name: `End the subscription of ${second} with its period` }).click();
  await confirmStepUp(page, codes[0]);
  await expect(row).toContainText('Ends with its period');
  await expect(row).toContainText('None: ends');
  await row.getByRole('button', { name: `Keep the subscription of ${second}` }).click();
  await expect(row).toContainText('Active');
  await row.getByRole('button', { name: `Cancel the subscription of ${second}` }).click();
  await expect(row).toContainText('Cancelled');
  await expect(row.getByRole('button')).toHaveCount(0);
  expect(
    query(`SELECT string_agg(s.status::text, ',') FROM subscriptions s JOIN payments p ON p.id = s.first_payment_id
           WHERE p.buyer_email IN ('${first}', '${second}')`),
  ).toBe('cancelled,cancelled');
});

/** A sign-up checkout made on the dashboard's Plans list, paid by `buyerEmail` in a browser of their own. */
async function signUp(page: Page, browser: Browser, buyerEmail: string): Promise<void> {
  await page.goto('/dashboard/subscriptions', { waitUntil: 'networkidle' });
  const plan = page.getByRole('row').filter({ hasText: 'Coffee of the month' });
  await plan.getByRole('button', { name: 'Make a sign-up checkout for Coffee of the month' }).click();
  const ready = page.getByRole('status').filter({ hasText: 'The sign-up checkout is ready' });
  await expect(ready.locator('code')).toHaveText(/\/pay\/cs_[A-Za-z0-9]{22}$/);
  const url = await ready.locator('code').innerText();

  // The buyer's page states the terms; the consent box is required and ticked by keyboard.
  const buyer = await browser.newContext();
  const pay = await buyer.newPage();
  await pay.goto(url);
  await expect(pay.getByText('Subscription: €9.90 every month, 3 payments in all.')).toBeVisible();
  await expectAccessible(pay);
  await pay.getByLabel('Email for your receipt').fill(buyerEmail);
  const consent = pay.getByRole('checkbox', { name: /I agree that .* charges €9\.90 to my card every month/ });
  await expect(consent).toHaveAttribute('required', '');
  await pay.getByLabel('Email for your receipt').press('Tab');
  await expect(consent).toBeFocused();
  await pay.keyboard.press('Space');
  await expect(consent).toBeChecked();
  await pay.keyboard.press('Tab');
  await expect(pay.getByRole('button', { name: 'Subscribe and pay €9.90 today' })).toBeFocused();
  await pay.keyboard.press('Enter');
  await expect(pay.getByRole('heading', { name: /^Pay / })).toBeVisible(); // the sandbox's card page
  CARDS_USED.add(APPROVE);
  await pay.getByLabel('Card number').fill(APPROVE);
  await pay.getByLabel('Expiry (MM/YY)').fill('12/30');
  await pay.getByLabel('CVV').fill('000');
  await pay.getByLabel('Name on card').fill('Arbër Çela');
  await pay.getByRole('button', { name: 'Pay' }).click();
  await pay.getByLabel('Password').fill('a');
  await pay.getByRole('button', { name: 'Submit' }).click();
  await expect(pay.getByRole('heading', { name: 'Payment received' })).toBeVisible();
  await buyer.close();
}

/** The portal link in the newest receipt to `to` in the local mailbox. */
async function portalLink(page: Page, to: string): Promise<string> {
  let link = '';
  await expect(async () => {
    await page.goto('/dev/mailbox');
    const body = await page.locator(`article.mail[data-to="${to}"] pre`).first().innerText({ timeout: 1000 });
    const found = body.match(/https?:\/\/\S+\/portal\/sp_[A-Za-z0-9]{32}/);
    expect(found).not.toBeNull();
    link = found![0];
  }).toPass({ timeout: 20_000 });
  return link;
}
