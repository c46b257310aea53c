import { test, expect } from '@playwright/test';
import { ageSecondFactor, confirmStepUp, enrolledStaff, sql } from './accounts';
import { query } from './payments';

// The console's Settings module: a platform administrator sets the Live gateway account
// after a fresh code; the addresses come from the configuration and the secrets are never
// shown again, only when they were set and by whom.

const STORE_KEY = 'E2E-LIVE-STORE-KEY';
const API_PASSWORD = 'E2E-LIVE-API-PASSWORD';

test('an administrator sets the Live gateway account with a fresh code and never sees its secrets again', async ({ page }) => {
  const email = `vjosa-settings-${Date.now()}@example.com`;
  await enrolledStaff(page, email, {});
  const codes = await page.locator('.codes code').allInnerTexts();
  sql(`UPDATE users SET kind = 'platform_admin' WHERE email = '${email}'`);
  // Six minutes pass since the code of the sign-in.
  ageSecondFactor(email);

  await page.goto('/admin/settings', { waitUntil: 'networkidle' });
  const live = page.getByRole('region', { name: 'Live Mode gateway account' });
  await expect(live.getByText('https://pgw.bkt-ks.com/fim/api')).toBeVisible();
  await live.getByLabel('Client id').fill('520000888');
  await live.getByLabel('API user').fill('saleonix-live');
  await live.getByLabel('Store key').fill(STORE_KEY);
  await live.getByLabel('API password').fill(API_PASSWORD);
  await live.getByRole('button', { name: 'Save the Live Mode account' }).click();

  // The code is asked for, then the save goes on with what was typed.
  await confirmStepUp(page, codes[0]);
  await expect(live.getByText('The Live Mode account is saved.')).toBeVisible();
  await expect(live.getByText('520000888')).toBeVisible();
  await expect(live.getByText(/^set on .* by Arta Krasniqi$/)).toHaveCount(2);
  await expect(live.getByLabel('Store key')).toHaveValue('');

  await page.reload({ waitUntil: 'networkidle' });
  const html = await page.content();
  expect(html).not.toContain(STORE_KEY);
  expect(html).not.toContain(API_PASSWORD);
  expect(query(`SELECT count(*) FROM audit.events e
                WHERE e.event_type = 'gateway_account.update' AND e.outcome = 'success'
                  AND e.detail ->> 'client_id' = '520000888'
                  AND e.actor_id = (SELECT id FROM users WHERE email = '${email}')`)).toBe('1');
  expect(query(`SELECT count(*) FROM audit.events e WHERE e::text LIKE '%${STORE_KEY}%' OR e::text LIKE '%${API_PASSWORD}%'`)).toBe('0');
});
