import { test, expect } from '@playwright/test';
import { PASSWORD, linkFromMailbox, signOut } from './accounts';

test('a merchant signs up, confirms the email from the local mailbox, signs in and out', async ({ page }) => {
  const email = `drita-${Date.now()}@example.com`;
  await page.goto('/sign-up', { waitUntil: 'networkidle' });
  await page.getByLabel('Your name').fill('Drita Berisha');
  await page.getByLabel('Business name').fill('Dardania Crafts');
  await page.getByLabel('Email').fill(email);
  // The server's strength check answers beside the field, without a page load.
  await page.getByLabel('Password').fill('password1234');
  await page.getByRole('button', { name: 'Open my account' }).click();
  await expect(page.locator('#password-error')).toContainText('too easy to guess');

  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Open my account' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your email');

  await page.goto(await linkFromMailbox(page, email, '/verify-email'));
  await page.getByRole('button', { name: 'Confirm my email' }).click();
  await expect(page.getByText('Your email address is confirmed')).toBeVisible();

  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Dardania Crafts');
  await expect(page.getByText('Test Mode', { exact: true })).toBeVisible();

  await signOut(page);
  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/sign-in$/);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('a failed sign-in shows its error on the page', async ({ page }) => {
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill('nobody@example.com');
    await page.getByLabel('Password').fill('wrong-password-entirely');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'We could not sign you in' })).toBeVisible();
  });
});
