import { readFileSync } from 'node:fs';
import { test, expect } from '@playwright/test';
import { PASSWORD, ageSecondFactor, confirmStepUp, signIn, signOut, totp, turnOnTwoFactor, verifiedMerchant } from './accounts';

test('a merchant turns on two-factor authentication, then signs in with a code and with a recovery code', async ({ page }) => {
  const email = `vjosa-${Date.now()}@example.com`;
  await verifiedMerchant(page, email);
  await signIn(page, email);
  await expect(page).toHaveURL(/\/dashboard$/);

  await page.goto('/account/two-factor', { waitUntil: 'networkidle' });
  // The password first: a session alone does not put an authenticator app on the account.
  await page.getByLabel('Your password').fill('not-the-password-at-all');
  await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
  await expect(page.getByText('That password is not right.')).toBeVisible();
  await expect(page.locator('.totp-secret')).toHaveCount(0);
  await page.getByLabel('Your password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
  await expect(page.getByRole('img', { name: 'QR code for your authenticator app' }).locator('svg')).toBeVisible();
  const secret = (await page.locator('.totp-secret').getAttribute('data-secret'))!;
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await page.getByLabel('Enter the 6-digit code the app shows').fill(totp(secret));
  await page.getByRole('button', { name: 'Turn on' }).click();

  await expect(page.getByRole('heading', { name: 'Your recovery codes' })).toBeVisible();
  const codes = await page.locator('.codes code').allInnerTexts();
  expect(codes).toHaveLength(10);
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download as a text file' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('saleonix-recovery-codes.txt');
  const saved = readFileSync(await file.path(), 'utf8');
  for (const code of codes) expect(saved).toContain(code);
  await expect(page.getByText('10 of 10 recovery codes left.')).toBeVisible();

  // The enrolment spent this step's code, so sign-in uses the next one (one step ahead is accepted).
  await signOut(page);
  await signIn(page, email);
  await expect(page).toHaveURL(/\/sign-in\/two-factor$/);
  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/sign-in\/two-factor$/);
  await page.getByLabel('Code', { exact: true }).fill(totp(secret, 1));
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Dardania Crafts');

  await signOut(page);
  await signIn(page, email);
  await page.getByLabel('Code', { exact: true }).fill(codes[0]);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
});

test('turning it off asks for a fresh code when the last one is old, then finishes what was typed', async ({ page }) => {
  const email = `arben-${Date.now()}@example.com`;
  await verifiedMerchant(page, email);
  await signIn(page, email);
  const codes = await turnOnTwoFactor(page);

  // Six minutes pass since the last check.
  ageSecondFactor(email);

  await page.goto('/account/two-factor', { waitUntil: 'networkidle' });
  await page.getByLabel('Your password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Turn off two-factor authentication' }).click();
  await confirmStepUp(page, codes[1]);
  await expect(page.getByText('Two-factor authentication is off.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Set up two-factor authentication' })).toBeVisible();
});
