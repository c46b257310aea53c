import { test, expect } from '@playwright/test';
import { PASSWORD, enrolledStaff, linkFromMailbox, signIn, signOut, sql, turnOnTwoFactor, verifiedMerchant } from './accounts';

test('a staff member holding only payments sees that module and is refused the rest', async ({ page }) => {
  const stamp = Date.now();
  const email = `arta-${stamp}@example.com`;
  const merchant = `Prishtina Roasters ${stamp}`;
  sql(`INSERT INTO merchants (id, business_name) VALUES (gen_random_uuid(), '${merchant}')`);
  await enrolledStaff(page, email, { payments: 'view' });

  const landing = await page.goto('/admin', { waitUntil: 'networkidle' });
  expect(landing?.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Admin console');
  const nav = page.getByRole('navigation', { name: 'Admin' });
  // Chargebacks belong to the payments module.
  await expect(nav.getByRole('link')).toHaveText(['Payments', 'Chargebacks']);
  await expect(nav.getByRole('link', { name: 'Payouts' })).toHaveCount(0);
  await expect(nav.getByRole('link', { name: 'Merchants' })).toHaveCount(0);
  await expect(nav.getByRole('link', { name: 'Staff' })).toHaveCount(0);
  await expect(page.getByText('Applications awaiting review')).toHaveCount(0);

  const payments = await page.goto('/admin/payments');
  expect(payments?.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Payments');
  await expect(page.getByRole('search', { name: 'Filter payments' })).toBeVisible();

  // Typed addresses outside the grant: the route guard answers before any page code runs.
  for (const path of ['/admin/merchants', '/admin/staff', '/dashboard']) {
    const refused = await page.goto(path);
    expect(refused?.status(), path).toBe(403);
    await expect(page.getByText(merchant)).toHaveCount(0);
  }
});

test('a merchant owner invites a team member, who accepts and works without team management', async ({ page }) => {
  const stamp = Date.now();
  const owner = `drita-${stamp}@example.com`;
  const member = `besa-${stamp}@example.com`;
  await verifiedMerchant(page, owner);
  await signIn(page, owner);
  await expect(page).toHaveURL(/\/dashboard$/);
  // Team changes need two-factor on, and a check within the step-up window: turning it on is one.
  const codes = await turnOnTwoFactor(page);
  await page.goto('/dashboard');
  await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Team' }).click();
  await expect(page).toHaveURL(/\/dashboard\/team$/);
  await page.goto('/dashboard/team', { waitUntil: 'networkidle' });

  await page.getByLabel('Email').fill(member);
  await page.getByLabel('Name').fill('Besa Gashi');
  await page.getByLabel('Role', { exact: true }).selectOption('finance');
  await page.getByRole('button', { name: 'Send the invitation' }).click();
  await expect(page.getByText('Invitation sent.')).toBeVisible();
  const row = page.getByRole('row').filter({ hasText: 'Besa Gashi' });
  await expect(row).toContainText('Invited');
  await expect(row.locator('td').nth(2)).toHaveText('Finance');

  await row.getByLabel('Role for Besa Gashi').selectOption('developer');
  await row.getByRole('button', { name: 'Change role' }).click();
  await expect(row.locator('td').nth(2)).toHaveText('Developer');

  // Accepting ends this browser's session (the owner's) like a password reset does.
  await page.goto(await linkFromMailbox(page, member, '/accept-invitation'));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Accept your invitation');
  await page.getByLabel('Choose a password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Set my password' }).click();
  await expect(page.getByText('Your password is set. Please sign in.')).toBeVisible();

  await signIn(page, member);
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Dardania Crafts');
  await expect(page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Team' })).toHaveCount(0);
  const refused = await page.goto('/dashboard/team');
  expect(refused?.status()).toBe(403);

  await page.goto('/dashboard');
  await signOut(page);
  await signIn(page, owner);
  // The second factor at sign-in is also the step-up that removing a member needs.
  await page.getByLabel('Code', { exact: true }).fill(codes[0]);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await page.goto('/dashboard/team', { waitUntil: 'networkidle' });
  await row.getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByText('They are removed')).toBeVisible();
  await expect(row).toHaveCount(0);
});
