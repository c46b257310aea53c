import { test, expect } from '@playwright/test';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// The sandbox's built-in development store (sandbox-only values, see sandbox/README.md).
const SANDBOX = process.env.E2E_SANDBOX_URL ?? 'http://127.0.0.1:8600';
const CLIENT_ID = '520000001';
const STORE_KEY = 'SANDBOX-STORE-KEY-TEST';

/** Payten's ver3 hash (../shared/payten-nestpay.md, section 2) for the plain field names used here. */
function ver3(fields: Record<string, string>, storeKey: string): string {
  const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/\|/g, '\\|');
  const names = Object.keys(fields)
    .filter((n) => !['hash', 'encoding'].includes(n.toLowerCase()))
    .sort((a, b) => (a.toUpperCase() < b.toUpperCase() ? -1 : 1));
  const plain = names.map((n) => escape(fields[n])).join('|') + '|' + escape(storeKey);
  return createHash('sha512').update(plain, 'utf8').digest('base64');
}

/** A stand-in merchant site: serves the auto-posting form and records what comes back. */
let merchant: Server;
let merchantUrl = '';
const received: Record<string, string>[] = [];

test.beforeAll(async () => {
  merchant = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      if (req.method === 'POST') {
        const fields = Object.fromEntries(new URLSearchParams(body));
        received.push({ path: req.url ?? '', ...fields });
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(req.url === '/callback' ? 'Approved' : `<h1>Back at ${req.url}</h1><p id="response">${fields.Response}</p>`);
        return;
      }
      const oid = `E2E${Date.now()}`.slice(0, 20);
      const fields: Record<string, string> = {
        clientid: CLIENT_ID,
        storetype: '3d_pay_hosting',
        TranType: 'Auth',
        amount: '12.50',
        currency: '978',
        oid,
        okUrl: `${merchantUrl}/ok`,
        failUrl: `${merchantUrl}/fail`,
        callbackUrl: `${merchantUrl}/callback`,
        rnd: `${Math.random()}`.slice(2),
        hashAlgorithm: 'ver3',
        lang: 'en',
        Instalment: '',
        encoding: 'UTF-8',
      };
      fields.hash = ver3(fields, STORE_KEY);
      const inputs = Object.entries(fields)
        .map(([n, v]) => `<input type="hidden" name="${n}" value="${v}">`)
        .join('');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<form method="post" action="${SANDBOX}/fim/est3Dgate">${inputs}<button>Pay with card</button></form>`);
    });
  });
  await new Promise<void>((resolve) => merchant.listen(0, '127.0.0.1', resolve));
  merchantUrl = `http://127.0.0.1:${(merchant.address() as AddressInfo).port}`;
});

test.afterAll(() => merchant.close());

test('the hosted card page accepts a test card and returns to okUrl', async ({ page }) => {
  await page.goto(`${merchantUrl}/start`);
  await page.getByRole('button', { name: 'Pay with card' }).click();

  await page.getByLabel('Card number').fill('5571135571135575');
  await page.getByLabel('Expiry (MM/YY)').fill('12/30');
  await page.getByLabel('CVV').fill('000');
  await page.getByLabel('Name on card').fill('Arbër Çela');
  await page.getByRole('button', { name: 'Pay' }).click();
  await page.getByLabel('Password').fill('a');
  await page.getByRole('button', { name: 'Submit' }).click();

  await expect(page.getByRole('heading', { name: 'Back at /ok' })).toBeVisible();
  await expect(page.locator('#response')).toHaveText('Approved');
  const ret = received.find((r) => r.path === '/ok')!;
  expect(ret.ProcReturnCode).toBe('00');
  expect(ret.MaskedPan).not.toContain('5571135571135575');
  // The return is signed with the store key; verifying it proves it came from the gate.
  const { path, HASH, ...signed } = ret;
  expect(ver3(signed, STORE_KEY)).toBe(HASH);
});
