import { test, expect } from '@playwright/test';
import { enrolledStaff, linkFromMailbox } from './accounts';

// A data-subject request from the privacy page, sent and confirmed without scripts (as a
// buyer with JavaScript off would), then taken on by Support staff in the console, who
// extend its deadline with a reason the requester is mailed. The pages leave no cookie
// the privacy policy does not list.

const LISTED_COOKIES = ['saleonix-session', '__Host-saleonix-session'];

test('a person asks about their data without scripts, confirms by the link, and support extends it', async ({ page, browser }) => {
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

  await page.goto('/dev/mailbox');
  await expect(page.locator(`article.mail[data-to="${requester}"]`, { hasText: 'We need more time' })).toHaveCount(1);
  for (const cookie of await page.context().cookies()) {
    expect(LISTED_COOKIES).toContain(cookie.name);
  }
});
