import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, expect } from '@playwright/test';
import { ageSecondFactor, confirmStepUp, signIn, turnOnTwoFactor, verifiedMerchant } from './accounts';

// The webhooks screens in the hydrated app, against a receiver of the test's own: an
// endpoint added after a step-up, its secret shown once, a test event delivered by the
// server's job loop and verified here as a merchant's server would (Standard Webhooks),
// the attempt in the delivery log, a failing receiver's resend, an edit of the event
// types, and disabling the endpoint.

type Received = { headers: IncomingHttpHeaders; body: string };

/** An HTTP receiver on 127.0.0.1 that records each request and answers `status.code`. */
async function receiver(): Promise<{ server: Server; url: string; received: Received[]; status: { code: number } }> {
  const received: Received[] = [];
  const status = { code: 200 };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(status.code, { 'content-type': 'text/plain' });
      response.end(status.code === 200 ? 'thanks' : 'receiver down');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/hooks`, received, status };
}

/** Whether `headers` carry a Standard Webhooks signature of `body` by `secret`, made independently of Saleonix's code. */
function signedBy(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const id = String(headers['webhook-id']);
  const timestamp = String(headers['webhook-timestamp']);
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  // Several signatures, space-separated, while an old secret overlaps a new one.
  return String(headers['webhook-signature'])
    .split(' ')
    .filter((part) => part.startsWith('v1,'))
    .map((part) => Buffer.from(part.slice(3), 'base64'))
    .some((signature) => signature.length === expected.length && timingSafeEqual(signature, expected));
}

test('a merchant registers an endpoint, verifies a signed test event, resends a failure, edits and disables it', async ({ page }) => {
  test.setTimeout(120_000);
  const hooks = await receiver();
  try {
    const email = `drita-webhooks-${Date.now()}@example.com`;
    await verifiedMerchant(page, email);
    await signIn(page, email);
    await expect(page).toHaveURL(/\/dashboard$/);
    const codes = await turnOnTwoFactor(page);

    await page.goto('/dashboard/developers', { waitUntil: 'networkidle' });
    await page.getByRole('link', { name: 'webhooks', exact: true }).click();
    await expect(page).toHaveURL(/\/dashboard\/developers\/webhooks$/);
    await expect(page.getByText('No endpoints in this mode yet.')).toBeVisible();

    // Adding an endpoint asks for a fresh code, then goes on by itself.
    ageSecondFactor(email);
    await page.getByLabel('Endpoint URL').fill(hooks.url);
    await page.getByLabel('Description').fill('Shop backend');
    await page.getByRole('button', { name: 'Add the endpoint' }).click();
    await confirmStepUp(page, codes[0]);
    await expect(page.getByText('This is the only time the secret is shown.')).toBeVisible();
    const secret = await page.getByRole('textbox', { name: 'Signing secret' }).inputValue();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await expect(page.getByRole('textbox', { name: 'Signing secret' })).toHaveCount(0);

    const row = page.getByRole('row').filter({ hasText: hooks.url });
    await expect(row).toContainText('All events');
    await expect(row).toContainText('Enabled');
    await row.getByRole('button', { name: 'Send a test event' }).click();
    await expect(page.getByText('The test event is on its way')).toBeVisible();

    // The server's job loop delivers it; the receiver checks it as a merchant's server would.
    await expect.poll(() => hooks.received.length, { timeout: 20_000 }).toBe(1);
    const delivered = hooks.received[0];
    expect(signedBy(secret, delivered.headers, delivered.body)).toBe(true);
    expect(signedBy('whsec_' + Buffer.from('another secret').toString('base64'), delivered.headers, delivered.body)).toBe(false);
    const event = JSON.parse(delivered.body);
    expect(event.type).toBe('webhook.test');
    expect(delivered.headers['webhook-id']).toBe(event.id);
    const age = Date.now() / 1000 - Number(delivered.headers['webhook-timestamp']);
    expect(Math.abs(age)).toBeLessThan(300);

    // The delivery log shows the attempt and its answer.
    await row.getByRole('link', { name: hooks.url }).click();
    await expect(page).toHaveURL(/\/dashboard\/developers\/webhooks\/we_[0-9a-f]+$/);
    const attempts = page.locator('table.attempts tbody tr');
    // The receiver may have answered a moment before the attempt is recorded.
    const attemptsShown = (count: number) =>
      expect(async () => {
        await page.reload({ waitUntil: 'networkidle' });
        await expect(attempts).toHaveCount(count, { timeout: 1000 });
      }).toPass({ timeout: 20_000 });
    await attemptsShown(1);
    await expect(attempts.first()).toContainText(event.id);
    await expect(attempts.first()).toContainText('HTTP 200');

    // The receiver fails: a resend is a new attempt, shown as failed.
    hooks.status.code = 500;
    await attempts.first().getByRole('button', { name: 'Resend' }).click();
    await expect(page.getByText('The event is queued again for this endpoint.')).toBeVisible();
    await expect.poll(() => hooks.received.length, { timeout: 20_000 }).toBe(2);
    await attemptsShown(2);
    await expect(attempts.first()).toContainText('HTTP 500');
    await expect(attempts.first()).toContainText('sent by hand');
    await expect(attempts.nth(1)).toContainText('HTTP 200');

    // Editing the event types asks for a fresh code too.
    ageSecondFactor(email);
    await page.getByLabel('Only the types checked below').check();
    await page.getByLabel('payment.succeeded').check();
    await page.getByLabel('refund.failed').check();
    await page.getByRole('button', { name: 'Save the endpoint' }).click();
    await confirmStepUp(page, codes[1]);
    await expect(page.getByText('The endpoint is saved')).toBeVisible();
    await expect(page.getByText('Events: payment.succeeded, refund.failed')).toBeVisible();

    // Disabling it: the list says who did.
    await page.getByRole('link', { name: 'All endpoints' }).click();
    await expect(row).toContainText('payment.succeeded, refund.failed');
    await row.getByRole('button', { name: 'Disable' }).click();
    await expect(row).toContainText('Disabled by your team');
  } finally {
    hooks.server.close();
  }
});
