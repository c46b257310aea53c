import { readFileSync } from 'node:fs';
import { test, expect } from '@playwright/test';
import { PASSWORD, enrolledStaff, linkFromMailbox, signIn, verifiedMerchant } from './accounts';

// A data-subject request from the privacy page, sent and confirmed without scripts (as a
// buyer with JavaScript off would), then taken on by Support staff in the console, who
// extend its deadline with a reason the requester is mailed; then an access request
// answered with the export, downloaded once. The pages leave no cookie the privacy
// policy does not list.

const LISTED_COOKIES = ['saleonix-session', '__Host-saleonix-session'];

test('a person asks about their data without scripts, confirms by the link, support extends one request and exports another, downloaded once', async ({ page, browser }) => {
  test.slow(); // a staff enrolment
  const requester = `drita-privacy-${Date.now()}@example.com`;

  const plain = await browser.newContext({ javaScriptEnabled: false });
  const form = await plain.newPage();
  await form.goto('/privacy');
  await expect(form.getByRole('heading', { name: 'What we hold, why, and for how long' })).toBeVisible();
  await expect(form.getByRole('heading', { name: 'Buyers' })).toBeVisible();
  await expect(form.getByRole('cell', { name: 'saleonix-session', exact: true })).toBeVisible();
  await form.getByLabel('Your email address').fill(requester);
  await form.getByLabel('What are you asking for?').selectOption('correction');
  await form.getByLabel('Details').fill('My surname is Berisha, not Berish.');
  await form.getByRole('button', { name: 'Send the request' }).click();
  await expect(form.getByRole('heading', { level: 1 })).toHaveText('Check your email');

  await form.goto(await linkFromMailbox(page, requester, '/privacy/confirm'));
  await form.getByRole('button', { name: 'Confirm my request' }).click();
  await expect(form.getByRole('heading', { level: 1 })).toHaveText('Request confirmed');
  await expect(form.getByRole('status')).toContainText(/We answer by email by \d{4}-\d{2}-\d{2}/);
  for (const cookie of await plain.cookies()) {
    expect(LISTED_COOKIES).toContain(cookie.name);
  }
  await plain.close();

  const staff = `arta-support-${Date.now()}@example.com`;
  await enrolledStaff(page, staff, { support: 'act' });
  await page.goto('/admin/support', { waitUntil: 'networkidle' });
  const row = page.locator('li.hit', { hasText: requester });
  await expect(row).toContainText('asks for correction');
  await expect(row).toContainText('days left');
  await row.getByRole('button', { name: 'Take it on' }).click();
  await expect(row).toContainText('Assigned to: Arta Krasniqi');
  await row.getByLabel('Reason or outcome (mailed to the requester)').fill('We are checking every receipt you were sent.');
  await row.getByRole('button', { name: 'Extend by two months' }).click();
  await expect(row).toContainText('Extended: We are checking every receipt you were sent.');
  await expect(row.getByRole('button', { name: 'Extend by two months' })).toHaveCount(0);

  // The delivery worker writes the mail within a second or two.
  await expect(async () => {
    await page.goto('/dev/mailbox');
    await expect(page.locator(`article.mail[data-to="${requester}"]`, { hasText: 'We need more time' })).toHaveCount(1, { timeout: 1000 });
  }).toPass({ timeout: 20_000 });

  // The same person asks for a copy of their data; support sends the export; the link
  // hands the archive over once, again without scripts.
  const buyer = await browser.newContext({ javaScriptEnabled: false });
  const plainPage = await buyer.newPage();
  await plainPage.goto('/privacy');
  await plainPage.getByLabel('Your email address').fill(requester);
  await plainPage.getByLabel('What are you asking for?').selectOption('access');
  await plainPage.getByRole('button', { name: 'Send the request' }).click();
  await expect(plainPage.getByRole('heading', { level: 1 })).toHaveText('Check your email');
  await plainPage.goto(await linkFromMailbox(page, requester, '/privacy/confirm'));
  await plainPage.getByRole('button', { name: 'Confirm my request' }).click();
  await expect(plainPage.getByRole('heading', { level: 1 })).toHaveText('Request confirmed');

  await page.goto('/admin/support', { waitUntil: 'networkidle' });
  const access = page.locator('li.hit', { hasText: `${requester} asks for access` });
  await access.getByRole('button', { name: 'Send the export' }).click();
  await expect(access).toContainText('fulfilled');

  await plainPage.goto(await linkFromMailbox(page, requester, '/privacy/export'));
  const [download] = await Promise.all([
    plainPage.waitForEvent('download'),
    plainPage.getByRole('button', { name: 'Download my data' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('saleonix-personal-data.zip');
  const archive = readFileSync((await download.path())!);
  expect(archive.subarray(0, 2).toString()).toBe('PK');
  await plainPage.getByRole('button', { name: 'Download my data' }).click();
  await expect(plainPage.getByText('This archive has already been downloaded, and its copy erased.')).toBeVisible();
  await buyer.close();
  for (const cookie of await page.context().cookies()) {
    expect(LISTED_COOKIES).toContain(cookie.name);
  }
});

test('a merchant emails themself a copy of their data, then closes the account and the business with it', async ({ page }) => {
  const email = `drita-leaving-${Date.now()}@example.com`;
  await verifiedMerchant(page, email);
  await signIn(page, email);
  await expect(page).toHaveURL(/\/dashboard/);

  await page.goto('/account', { waitUntil: 'networkidle' });
  const panel = page.getByRole('region', { name: 'Your data' });
  await panel.getByRole('button', { name: 'Email me a copy of my data' }).click();
  await expect(panel.getByText('The link is on its way to your email address.')).toBeVisible();
  expect(await linkFromMailbox(page, email, '/privacy/export')).toContain('/privacy/export?token=');

  await page.goto('/account', { waitUntil: 'networkidle' });
  const closing = page.getByRole('region', { name: 'Your data' });
  await closing.getByLabel('Your password').fill('not-my-password');
  await closing.getByLabel('I understand that closing my account cannot be undone.').check();
  await closing.getByRole('button', { name: 'Close my account' }).click();
  await expect(closing.getByText('That is not your password.')).toBeVisible();
  await closing.getByLabel('Your password').fill(PASSWORD);
  await closing.getByRole('button', { name: 'Close my account' }).click();
  await expect(page).toHaveURL(/\/sign-in\?closed=1/);
  await expect(page.getByText('Your account is closed and your personal data erased.')).toBeVisible();

  await signIn(page, email);
  await expect(page).toHaveURL(/\/sign-in/);
  await expect(async () => {
    await page.goto('/dev/mailbox');
    await expect(page.locator(`article.mail[data-to="${email}"]`, { hasText: 'its merchant account is closed too' })).toHaveCount(1, { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
});
