import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { expect, type Browser, type Page } from '@playwright/test';
import { sql } from './accounts';

// Payments for the browser tests: Test Mode checkouts made straight in the database, paid
// by a buyer in Chromium through the Payten sandbox's card and 3-D Secure pages, so the
// sandbox knows each order (refunds and status queries ask it about them).

export const SANDBOX = process.env.E2E_SANDBOX_URL ?? 'http://127.0.0.1:8600';
export const APPROVE = '5571135571135575';
/** Every card number typed, for the search of the database and the logs. */
export const CARDS_USED = new Set<string>();

/** Runs SQL against the test server's database and answers its output, unaligned. */
export function query(statement: string): string {
  const url = process.env.E2E_DATABASE_URL;
  if (!url) throw new Error('E2E_DATABASE_URL is not set: run the browser tests through ./dev test');
  return execFileSync('psql', ['-qtA', '-v', 'ON_ERROR_STOP=1', url, '-c', statement]).toString().trim();
}

/**
 * A Test Mode checkout for `cents` of the merchant whose owner signs in as `owner` (by default
 * the seeded demo merchant); `expired` makes one already past its time.
 */
export function checkout(cents: number, { expired = false, owner }: { expired?: boolean; owner?: string } = {}): string {
  const token = 'cs_' + randomBytes(32).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 22);
  const times = expired ? "now() - interval '2 hours', now() - interval '1 minute'" : "now(), now() + interval '1 hour'";
  const merchant = owner
    ? `id = (SELECT m.merchant_id FROM merchant_members m JOIN users u ON u.id = m.user_id WHERE u.email = '${owner}')`
    : `business_name = 'Dardania Crafts' ORDER BY created_at LIMIT 1`;
  sql(`WITH s AS (
         INSERT INTO checkout_sessions (id, merchant_id, mode, token, amount_minor, currency, created_at, expires_at)
         SELECT gen_random_uuid(), id, 'test', '${token}', ${cents}, 'EUR', ${times} FROM merchants
         WHERE ${merchant} RETURNING id)
       INSERT INTO checkout_items (session_id, position, name, unit_amount_minor, quantity)
       SELECT id, 1, 'Silver filigree earrings', ${cents}, 1 FROM s`);
  return token;
}

/** The buyer on /pay/<token>: email, Pay, then the card and 3-D Secure pages of the sandbox. */
export async function pay(page: Page, token: string, card: string, password = 'a'): Promise<void> {
  CARDS_USED.add(card);
  await page.goto(`/pay/${token}`);
  await expect(page.getByText('Saleonix is the merchant of record')).toBeVisible();
  await page.getByLabel('Email for your receipt').fill('buyer@example.com');
  await page.getByRole('button', { name: /^Pay / }).click();
  await expect(page.getByRole('heading', { name: /^Pay / })).toBeVisible(); // the sandbox's card page
  expect(page.url()).toContain('/fim/est3Dgate');
  await page.getByLabel('Card number').fill(card);
  await page.getByLabel('Expiry (MM/YY)').fill('12/30');
  await page.getByLabel('CVV').fill('000');
  await page.getByLabel('Name on card').fill('Arbër Çela');
  await page.getByRole('button', { name: 'Pay' }).click();
  await expect(page.getByRole('heading', { name: '3-D Secure' })).toBeVisible();
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Submit' }).click();
}

// Every browser test pays from 127.0.0.1, so the fraud checks' per-address rules would soon
// block it (rightly: many attempts, most declined). Specs that pay turn those two rules off
// for their run; the other rules stay on.
const PER_ADDRESS_RULES = "('ip_velocity', 'ip_decline_ratio')";

export function ipRulesOff(): void {
  sql(`UPDATE risk_rules SET enabled = false WHERE rule IN ${PER_ADDRESS_RULES}`);
}

export function ipRulesOn(): void {
  sql(`UPDATE risk_rules SET enabled = true WHERE rule IN ${PER_ADDRESS_RULES}`);
}

/** Pays `cents` on a new checkout (of `owner`'s merchant, or the demo merchant) and answers the payment's id and order id. */
export async function paidPayment(browser: Browser, cents: number, owner?: string): Promise<{ id: string; order: string }> {
  const token = checkout(cents, { owner });
  const buyer = await browser.newContext();
  const page = await buyer.newPage();
  await pay(page, token, APPROVE);
  await expect(page.getByRole('heading', { name: 'Payment received' })).toBeVisible();
  await buyer.close();
  const [id, order] = query(`SELECT p.id || ' ' || p.order_id FROM payments p JOIN checkout_sessions s ON s.id = p.session_id
                             WHERE s.token = '${token}' AND p.status = 'paid'`).split(' ');
  return { id, order };
}
