import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { APPROVE, CARDS_USED, SANDBOX, checkout, ipRulesOff, ipRulesOn, pay, query } from './payments';

// The buyer's checkout in Chromium, through the Payten sandbox's card and 3-D Secure pages.
// Checkouts are made for the seeded demo merchant straight in the database; the merchant's
// own screens for making them have their own test.

function latestStatus(token: string): string {
  return query(`SELECT p.status FROM payments p JOIN checkout_sessions s ON s.id = p.session_id
                WHERE s.token = '${token}' ORDER BY p.created_at DESC LIMIT 1`);
}

async function fault(kind: string): Promise<void> {
  const response = await fetch(`${SANDBOX}/sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind }),
  });
  expect(response.ok).toBeTruthy();
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(ipRulesOff);
test.afterAll(ipRulesOn);

test.beforeEach(async () => {
  await fetch(`${SANDBOX}/sandbox/faults`, { method: 'DELETE' });
});

test('an approved card pays, shows the receipt and the checkout cannot be paid twice', async ({ page }) => {
  const token = checkout(4500);
  await page.goto(`/pay/${token}`);
  await expect(page.locator('input[name="pan"], input[name="cvv"]')).toHaveCount(0);
  await pay(page, token, APPROVE);
  await expect(page.getByRole('heading', { name: 'Payment received' })).toBeVisible();
  await expect(page.getByText('You paid €45.00 to Dardania Crafts.')).toBeVisible();
  await page.getByRole('link', { name: 'View your receipt' }).click();
  await expect(page.getByRole('heading', { name: 'Receipt' })).toBeVisible();
  await expect(page.getByText(/557113\*+5575/)).toBeVisible();
  await expect(page.getByText('Saleonix SH.P.K.', { exact: false }).first()).toBeVisible();
  await page.goto(`/pay/${token}`);
  await expect(page.getByText('This checkout is already paid.')).toBeVisible();
  await expect(page.getByRole('button', { name: /^Pay / })).toHaveCount(0);
});

const DECLINES: [string, RegExp][] = [
  ['4000000000000051', /bank declined the payment/],
  ['4000000000000127', /refused this transaction as invalid/],
  ['4000000000000515', /insufficient funds/],
  ['4000000000000549', /has expired/],
  ['4000000000000572', /may not be used for this purchase/],
  ['4000000000000622', /restricted/],
  ['4000000000000309', /3-D Secure check did not succeed/],
  ['4000000000000994', /payment service had a problem/],
];

for (const [card, reason] of DECLINES) {
  test(`card ${card} is refused in plain words and the buyer may try again`, async ({ page }) => {
    const token = checkout(1250);
    await pay(page, token, card);
    await expect(page.getByRole('heading', { name: 'Payment not completed' })).toBeVisible();
    await expect(page.getByText(reason)).toBeVisible();
    await expect(page.getByText('No money was taken.', { exact: true })).toBeVisible();
    await page.getByRole('link', { name: 'Try again' }).click();
    await expect(page.getByRole('button', { name: 'Pay €12.50' })).toBeVisible();
  });
}

test('a wrong 3-D Secure password fails the check', async ({ page }) => {
  const token = checkout(1250);
  await pay(page, token, APPROVE, 'wrong');
  await expect(page.getByText(/3-D Secure check did not succeed/)).toBeVisible();
  expect(latestStatus(token)).toBe('declined');
});

test('a lost browser return is settled by the callback', async ({ page }) => {
  await fault('drop_return');
  const token = checkout(2000);
  await pay(page, token, APPROVE);
  await expect(page.getByRole('heading', { name: 'Payment processed' })).toBeVisible(); // still at the sandbox
  await expect.poll(() => latestStatus(token)).toBe('paid');
  await page.goto(`/pay/${token}`);
  await expect(page.getByText('This checkout is already paid.')).toBeVisible();
});

test('a lost callback is settled by the browser return', async ({ page }) => {
  await fault('drop_callback');
  const token = checkout(2000);
  await pay(page, token, APPROVE);
  await expect(page.getByRole('heading', { name: 'Payment received' })).toBeVisible();
  expect(latestStatus(token)).toBe('paid');
});

test('a return sent twice leaves one payment', async ({ page }) => {
  await fault('double_return');
  const token = checkout(2000);
  await pay(page, token, APPROVE);
  await expect(page.getByRole('heading', { name: 'Payment received' })).toBeVisible();
  const paid = query(`SELECT count(*) FROM payment_events e JOIN payments p ON p.id = e.payment_id
                      JOIN checkout_sessions s ON s.id = p.session_id WHERE s.token = '${token}' AND e.to_status = 'paid'`);
  expect(paid).toBe('1');
  await expect.poll(() => query(`SELECT count(*) FROM payment_events e JOIN payments p ON p.id = e.payment_id
      JOIN checkout_sessions s ON s.id = p.session_id WHERE s.token = '${token}' AND e.note = 'duplicate'`)).not.toBe('0');
});

test('a tampered return changes nothing', async ({ page }) => {
  await fault('bad_hash');
  const token = checkout(2000);
  await pay(page, token, APPROVE);
  await expect(page.getByRole('heading', { name: 'We could not verify this payment' })).toBeVisible();
  expect(latestStatus(token)).toBe('pending');
  const denied = query(`SELECT count(*) FROM audit.events WHERE event_type IN ('payment.return', 'payment.callback')
                        AND outcome = 'denied' AND reason = 'bad_hash'`);
  expect(Number(denied)).toBeGreaterThan(0);
});

test('an expired checkout says so and offers no Pay button', async ({ page }) => {
  const token = checkout(2000, { expired: true });
  await page.goto(`/pay/${token}`);
  await expect(page.getByText('This checkout has expired.')).toBeVisible();
  await expect(page.getByRole('button', { name: /^Pay / })).toHaveCount(0);
});

test('the checkout works without JavaScript up to the gateway', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const token = checkout(990);
  await page.goto(`/pay/${token}`);
  await page.getByLabel('Email for your receipt').fill('buyer@example.com');
  await page.getByRole('button', { name: 'Pay €9.90' }).click();
  await page.getByRole('button', { name: 'Continue to the payment page' }).click();
  await expect(page.getByLabel('Card number')).toBeVisible();
  await context.close();
});

test('no card number is in the database or in any log line', async () => {
  expect(CARDS_USED.size).toBeGreaterThan(5);
  const url = process.env.E2E_DATABASE_URL!;
  const dump = execFileSync('pg_dump', ['--data-only', url], { maxBuffer: 256 * 1024 * 1024 }).toString();
  expect(dump).toContain('557113'); // the dump is real: it holds the masked numbers
  // Both logs must be there and hold something: a scan of a missing log proves nothing.
  const logs = ['E2E_SERVER_LOG', 'E2E_SANDBOX_LOG']
    .map((name) => {
      const path = process.env[name];
      expect(path, `${name} names the log to search`).toBeTruthy();
      expect(existsSync(path!), `${name} (${path}) exists`).toBe(true);
      const text = readFileSync(path!, 'utf8');
      expect(text.length, `${name} (${path}) is not empty`).toBeGreaterThan(0);
      return text;
    })
    .join('\n');
  for (const card of CARDS_USED) {
    expect(dump.includes(card), `card ${card} in the database dump`).toBe(false);
    expect(logs.includes(card), `card ${card} in a log line`).toBe(false);
  }
});
