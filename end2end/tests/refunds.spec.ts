import { test, expect } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { demoMerchantMember, enrolledStaff, signIn, turnOnTwoFactor, verifiedMerchant } from './accounts';
import { ipRulesOff, ipRulesOn, paidPayment, query } from './payments';

// Refunds from the merchant dashboard and the admin console, and the console's Risk module.
// A refund asks the Payten sandbox, so each payment is paid there first by a buyer in a
// browser context of their own.

test.describe.configure({ mode: 'serial' });

test.beforeAll(ipRulesOff);
test.afterAll(ipRulesOn);

test('an owner refunds part of a payment and sees what is left to refund', async ({ page, browser }) => {
  const email = `drita-refund-${Date.now()}@example.com`;
  await verifiedMerchant(page, email);
  const payment = await paidPayment(browser, 4500, email);
  await signIn(page, email);
  await expect(page).toHaveURL(/\/dashboard$/);
  // Refunds need two-factor on, and a check within the step-up window: turning it on is one.
  await turnOnTwoFactor(page);

  await page.goto('/dashboard/payments', { waitUntil: 'networkidle' });
  const row = page.getByRole('row').filter({ hasText: payment.order });
  await expect(row).toContainText('Paid');
  await row.getByRole('link').click();
  await expect(page).toHaveURL(new RegExp(`/dashboard/payments/${payment.id}$`));
  await expect(page.getByText('Refunded 0.00 EUR; 45.00 EUR can still be refunded.')).toBeVisible();
  await expect(page.getByText('No refunds yet.')).toBeVisible();
  const amount = page.getByLabel('Amount in euro');
  await expect(amount).toHaveValue('45.00');

  // More than was paid is refused beside the field, and nothing is sent.
  await amount.fill('50.00');
  await page.locator('summary', { hasText: 'Refund' }).click();
  await page.getByRole('button', { name: 'Yes, refund' }).click();
  await expect(page.getByText('At most 45.00 EUR can be refunded.')).toBeVisible();

  await amount.fill('15.00');
  await page.getByLabel('Reason (optional)').fill('One earring was missing');
  await expect(page.getByText("Refund 15.00 EUR to the buyer's card? This cannot be undone.")).toBeVisible();
  await page.getByRole('button', { name: 'Yes, refund' }).click();
  await expect(page.getByText('Refunded 15.00 EUR.', { exact: true })).toBeVisible();
  await expect(page.getByText('Refunded 15.00 EUR; 30.00 EUR can still be refunded.')).toBeVisible();
  const refund = page.getByRole('row').filter({ hasText: 'One earring was missing' });
  await expect(refund).toContainText('15.00 EUR');
  await expect(refund).toContainText('Credit to the card');
  await expect(refund).toContainText('Succeeded');
  // The form starts again from what is left, with a new request id.
  await expect(amount).toHaveValue('30.00');
  expect(query(`SELECT count(*) FROM refunds WHERE payment_id = '${payment.id}'`)).toBe('1');

  await page.goto('/dashboard/payments', { waitUntil: 'networkidle' });
  await expect(row).toContainText('Partially refunded');
});

test('a developer sees the refunds but cannot refund', async ({ page, browser }) => {
  const email = `besa-refund-${Date.now()}@example.com`;
  const payment = await paidPayment(browser, 3000);
  await demoMerchantMember(page, email, 'developer');
  await signIn(page, email);
  await expect(page).toHaveURL(/\/dashboard$/);

  await page.goto(`/dashboard/payments/${payment.id}`, { waitUntil: 'networkidle' });
  await expect(page.getByText('Refunded 0.00 EUR; 30.00 EUR can still be refunded.')).toBeVisible();
  await expect(page.getByLabel('Amount in euro')).toHaveCount(0);
  await expect(page.locator('summary', { hasText: 'Refund' })).toHaveCount(0);
  // The function refuses too, before any of its code runs.
  const refused = await page.request.post('/api/payments/refund', {
    form: { payment_id: payment.id, request_id: randomUUID(), amount: '30.00', reason: '' },
  });
  expect(refused.status()).toBe(403);
  expect(query(`SELECT count(*) FROM refunds WHERE payment_id = '${payment.id}'`)).toBe('0');
});

test('staff refund a payment found by its order id, and block a buyer email', async ({ page, browser }) => {
  const stamp = Date.now();
  const payment = await paidPayment(browser, 2000);
  await enrolledStaff(page, `arta-money-${stamp}@example.com`, { refunds: 'act', risk: 'act' });

  await page.goto('/admin/refunds', { waitUntil: 'networkidle' });
  await page.getByLabel('Gateway order id').fill(payment.order);
  await page.getByRole('button', { name: 'Find the payment' }).click();
  await expect(page).toHaveURL(new RegExp(`/admin/refunds\\?order=${payment.order}$`));
  await page.waitForLoadState('networkidle');
  await expect(page.getByRole('heading', { name: 'Dardania Crafts' })).toBeVisible();
  await expect(page.getByText('Refunds above 100.00 EUR ask for a code from your authenticator app first.')).toBeVisible();
  await page.getByLabel('Reason (optional)').fill('The buyer cancelled the order');
  await page.locator('summary', { hasText: 'Refund' }).click();
  await page.getByRole('button', { name: 'Yes, refund' }).click();
  await expect(page.getByText('Refunded 20.00 EUR.', { exact: true })).toBeVisible();
  // The whole amount on the day it was paid: the sale is voided, not credited.
  const refund = page.getByRole('row').filter({ hasText: 'The buyer cancelled the order' });
  await expect(refund).toContainText('Void (cancelled before settlement)');
  await expect(page.getByText('Refunded 20.00 EUR; 0.00 EUR can still be refunded.')).toBeVisible();
  await expect(page.getByLabel('Amount in euro')).toHaveCount(0);

  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Risk' }).click();
  await expect(page).toHaveURL(/\/admin\/risk$/);
  await page.goto('/admin/risk', { waitUntil: 'networkidle' });
  await expect(page.locator('form.rule')).toHaveCount(5);
  const blocked = `mallory-${stamp}@example.com`;
  await page.getByLabel('Kind').selectOption('email');
  await page.getByLabel('Value').fill(blocked.toUpperCase());
  await page.getByLabel('Note (optional)').fill('Card testing');
  await page.getByRole('button', { name: 'Add to the blocklist' }).click();
  // Kept in its canonical form.
  const entry = page.getByRole('row').filter({ hasText: blocked });
  await expect(entry).toContainText('Card testing');

  await page.getByLabel('Value').fill(blocked);
  await page.getByRole('button', { name: 'Add to the blocklist' }).click();
  await expect(page.getByText('This is already on the blocklist.')).toBeVisible();

  await entry.getByRole('button', { name: `Remove ${blocked} from the blocklist` }).click();
  await expect(entry).toHaveCount(0);
});
