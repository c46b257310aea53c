import { test, expect } from '@playwright/test';
import { ageSecondFactor, confirmStepUp, signIn, turnOnTwoFactor, verifiedMerchant } from './accounts';

// The dashboard's Developers area in the hydrated app: a key made after the step-up
// prompt, its secret shown once, the key working against the API until it is revoked,
// and the API reference.

test('an owner makes a key after a step-up, sees it once, and revokes it', async ({ page }) => {
  const email = `drita-keys-${Date.now()}@example.com`;
  await verifiedMerchant(page, email);
  await signIn(page, email);
  await expect(page).toHaveURL(/\/dashboard$/);
  const codes = await turnOnTwoFactor(page);

  await page.goto('/dashboard', { waitUntil: 'networkidle' });
  await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Developers' }).click();
  await expect(page).toHaveURL(/\/dashboard\/developers$/);
  await expect(page.getByText('No keys yet.')).toBeVisible();

  // A stale check: making the key asks for a code first, then goes on by itself.
  ageSecondFactor(email);
  await page.getByLabel('Name', { exact: true }).fill('Shop backend');
  await page.getByRole('button', { name: 'Make the key' }).click();
  await confirmStepUp(page, codes[0]);
  await expect(page.getByText('This is the only time the key is shown.')).toBeVisible();
  const secret = await page.getByRole('textbox', { name: 'Secret key' }).inputValue();
  expect(secret).toMatch(/^sk_test_[A-Za-z0-9]{40}$/);
  const row = page.getByRole('row').filter({ hasText: 'Shop backend' });
  await expect(row).toContainText('Full access');
  await expect(row).toContainText('Active');
  await expect(row).toContainText(secret.slice(0, 12));

  const api = (key: string) => page.request.get('/v1/payments', { headers: { Authorization: `Bearer ${key}` } });
  expect((await api(secret)).status()).toBe(200);

  await page.getByRole('button', { name: 'I have stored it' }).click();
  await expect(page.getByRole('textbox', { name: 'Secret key' })).toHaveCount(0);
  await page.reload({ waitUntil: 'networkidle' });
  expect(await page.content()).not.toContain(secret);

  await row.locator('summary', { hasText: 'Revoke' }).click();
  await row.getByRole('button', { name: 'Yes, revoke “Shop backend”' }).click();
  await expect(page.getByText('The key is revoked')).toBeVisible();
  await expect(row).toContainText('Revoked');
  expect((await api(secret)).status()).toBe(401);

  await page.getByRole('link', { name: 'Read the API reference' }).click();
  await expect(page).toHaveURL(/\/dashboard\/developers\/reference$/);
  await expect(page.getByRole('heading', { name: 'Checkout sessions', level: 2 })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'POST /v1/checkout_sessions', exact: true })).toBeVisible();
});
