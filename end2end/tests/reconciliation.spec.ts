import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { enrolledStaff, sql } from './accounts';
import { ipRulesOff, ipRulesOn, paidPayment, query } from './payments';

// The console's Reconciliation module: an exception the worker opened (the bank voided a
// sale the platform holds as paid), closed by staff accepting the gateway's state, and the
// daily report with its CSV. The payment is paid through the sandbox first, so it is real;
// the exception is then written as the worker writes it for a voided sale.

test.beforeAll(ipRulesOff);
test.afterAll(ipRulesOn);

test('staff accept the gateway\'s state for a voided sale, and read the daily report', async ({ page, browser }) => {
  test.slow(); // a payment through the sandbox and a staff enrolment
  const stamp = Date.now();
  const payment = await paidPayment(browser, 4500);
  // What the worker writes when the gateway says the sale was voided: one open exception,
  // and the payment marked as disagreeing with no further check due.
  const exception = query(`INSERT INTO reconciliation_exceptions
      (id, payment_id, merchant_id, mode, kind, platform_state, gateway_state, gateway_status, gateway_refunded_minor)
      SELECT gen_random_uuid(), id, merchant_id, mode, 'mismatch', 'paid 45.00 EUR, refunded 0.00 EUR', 'voided',
             'refunded', amount_minor
      FROM payments WHERE id = '${payment.id}' RETURNING id`);
  sql(`UPDATE payments SET recon_state = 'mismatched', recon_due_at = NULL, recon_attempts = recon_attempts + 1,
       recon_checked_at = now() WHERE id = '${payment.id}'`);
  const today = query(`SELECT (now() AT TIME ZONE 'UTC')::date`);

  // A staff member with `view` only sees the queue, but nothing to close it with, and the
  // function refuses them. (One staff member for the whole test: every user made here costs
  // two of the ten password resets an address may ask for in an hour, which the suite shares.)
  const staff = `arta-recon-${stamp}@example.com`;
  await enrolledStaff(page, staff, { reconciliation: 'view' });
  await page.goto('/admin/reconciliation', { waitUntil: 'networkidle' });
  const exceptions = page.getByRole('region', { name: 'Exceptions' });
  const row = exceptions.getByRole('row').filter({ hasText: payment.order });
  await expect(row).toContainText('Dardania Crafts');
  await expect(row.getByRole('cell').last()).toHaveText('Open');
  await expect(row.getByRole('button')).toHaveCount(0);
  await expect(row.getByRole('textbox')).toHaveCount(0);
  const refused = await page.request.post('/api/admin/reconciliation/close', {
    form: { id: exception, resolution: 'accept', note: 'Trying anyway' },
  });
  expect(refused.status()).toBe(403);
  expect(query(`SELECT count(*) FROM reconciliation_exceptions WHERE id = '${exception}' AND resolved_at IS NULL`)).toBe('1');

  // Given `act` (it applies on the next request), they see both sides of the disagreement.
  sql(`UPDATE staff_permissions SET level = 'act' WHERE module = 'reconciliation'
       AND user_id = (SELECT id FROM users WHERE email = '${staff}')`);
  await page.goto('/admin/reconciliation', { waitUntil: 'networkidle' });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Reconciliation');
  await expect(row).toContainText('Dardania Crafts');
  await expect(row).toContainText('Test');
  await expect(row).toContainText('Disagreement');
  await expect(row).toContainText('paid 45.00 EUR, refunded 0.00 EUR');
  await expect(row).toContainText('voided');

  // The report of the day counts the payment as disagreeing, for now.
  const report = page.getByRole('region', { name: 'Daily report' });
  await expect(report.getByLabel('Day (UTC)')).toHaveValue(today);
  const line = report.getByRole('row').filter({ hasText: 'Dardania Crafts' }).filter({ hasText: 'Test' });
  await expect(line).toHaveCount(1);
  await expect(line.getByRole('cell').nth(7)).not.toHaveText('0');

  // A note is required: the browser stops the form, and nothing is closed.
  const note = row.getByLabel(`Note on ${payment.order}`);
  const accept = row.getByRole('button', { name: "Accept the gateway's state" });
  await accept.click();
  expect(await note.evaluate((input: HTMLInputElement) => input.validity.valueMissing)).toBe(true);
  // And the server stops it too when the browser's check is bypassed.
  await note.evaluate((input: HTMLInputElement) => input.removeAttribute('required'));
  await note.fill('   ');
  await accept.click();
  await expect(exceptions.getByText('This field is required', { exact: false })).toBeVisible();
  expect(query(`SELECT count(*) FROM reconciliation_exceptions WHERE id = '${exception}' AND resolved_at IS NULL`)).toBe('1');
  expect(query(`SELECT status || ' ' || refunded_minor FROM payments WHERE id = '${payment.id}'`)).toBe('paid 0');

  await note.fill('The bank confirmed the void on the phone');
  await accept.click();
  // The exception leaves the open queue, and shows with the closed ones.
  await expect(row).toHaveCount(0);
  expect(query(`SELECT resolution || ' ' || note FROM reconciliation_exceptions WHERE id = '${exception}'`)).toBe(
    'accepted_gateway The bank confirmed the void on the phone',
  );
  await page.getByRole('link', { name: 'Show closed exceptions too' }).click();
  await expect(row).toContainText("Gateway's state accepted");
  await expect(row).toContainText('The bank confirmed the void on the phone');

  // The payment took the gateway's state through the transition function, audited.
  expect(query(`SELECT status || ' ' || refunded_minor || ' ' || amount_minor FROM payments WHERE id = '${payment.id}'`)).toBe(
    'refunded 4500 4500',
  );
  expect(
    query(`SELECT count(*) FROM audit.events e JOIN users u ON u.id = e.actor_id
           WHERE e.event_type = 'reconciliation.accept' AND e.target_type = 'payment' AND e.target_id = '${payment.order}'
             AND e.outcome = 'success' AND u.email = '${staff}' AND e.detail->>'exception_id' = '${exception}'`),
  ).toBe('1');

  // The daily report: a line for the demo merchant in Test Mode, and its CSV.
  await page.goto('/admin/reconciliation', { waitUntil: 'networkidle' });
  await expect(line).toHaveCount(1);
  await expect(line.getByRole('cell').nth(2)).not.toHaveText('0'); // payments counted
  await page.getByRole('button', { name: 'Export the day as CSV' }).click();
  const link = page.getByRole('link', { name: `Download saleonix-reconciliation-${today}.csv` });
  const download = page.waitForEvent('download');
  await link.click();
  const file = await download;
  expect(file.suggestedFilename()).toBe(`saleonix-reconciliation-${today}.csv`);
  const csv = readFileSync(await file.path(), 'utf8');
  expect(csv.split(/\r?\n/)[0]).toContain('day,merchant,mode,currency,payments');
  expect(csv).toMatch(new RegExp(`^${today},Dardania Crafts,test,EUR,[1-9]`, 'm'));
  expect(
    query(`SELECT count(*) FROM audit.events e JOIN users u ON u.id = e.actor_id
           WHERE e.event_type = 'reconciliation.report_exported' AND u.email = '${staff}'`),
  ).toBe('1');
});
