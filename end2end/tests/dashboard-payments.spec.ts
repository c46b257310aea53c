import { test, expect, type Page } from '@playwright/test';
import { signIn, sql, verifiedMerchant } from './accounts';

/**
 * Collects uncaught exceptions and console errors (hydration panics and CSP violations are
 * console errors), except the browser's note of a refused request: the validation answer
 * below is a 422 on purpose.
 */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/** Opens a dashboard section from its navigation, then waits for the page to hydrate. */
async function openSection(page: Page, name: string, path: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`${path}$`));
  await page.goto(path, { waitUntil: 'networkidle' });
  // Every dashboard screen carries the Test Mode banner.
  await expect(page.getByRole('region', { name: 'Mode' }).getByText('Test Mode', { exact: true })).toBeVisible();
}

test('a verified merchant makes a product, a payment link and a checkout in Test Mode', async ({ page }) => {
  const email = `drita-pay-${Date.now()}@example.com`;
  const errors = watchErrors(page);
  await verifiedMerchant(page, email);
  // Staff have verified the business too: Live Mode is open, but the dashboard starts in Test Mode.
  sql(`UPDATE merchants SET verified_at = now()
       WHERE id = (SELECT m.merchant_id FROM merchant_members m JOIN users u ON u.id = m.user_id WHERE u.email = '${email}')`);
  await signIn(page, email);
  await expect(page).toHaveURL(/\/dashboard$/);
  await page.goto('/dashboard', { waitUntil: 'networkidle' });
  const mode = page.getByRole('region', { name: 'Mode' });
  await expect(mode.getByText('Test Mode', { exact: true })).toBeVisible();
  await expect(mode.getByRole('button', { name: 'Switch to Live Mode' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'Paid volume per day (EUR)' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'Paid payments per day' })).toBeVisible();
  await expect(page.getByText('No payments in these days yet.')).toBeVisible();

  await openSection(page, 'Products', '/dashboard/products');
  await page.getByLabel('Name', { exact: true }).fill('Filigree earrings');
  await page.getByLabel('Price in euro').fill('12.505');
  await page.getByRole('button', { name: 'Create the product' }).click();
  await expect(page.getByText('Enter an amount in euro such as 12.50.')).toBeVisible();
  await page.getByLabel('Price in euro').fill('12.50');
  await page.getByRole('button', { name: 'Create the product' }).click();
  await expect(page.getByText('The product is created.')).toBeVisible();
  const product = page.getByRole('row').filter({ hasText: 'Filigree earrings' });
  await expect(product).toContainText('12.50 EUR');

  await openSection(page, 'Links', '/dashboard/links');
  await page.getByLabel('Product').selectOption({ label: 'Filigree earrings (12.50 EUR)' });
  await page.getByLabel('Maximum payments (optional)').fill('5');
  await page.getByRole('button', { name: 'Create the link' }).click();
  const linkReady = page.getByRole('status').filter({ hasText: 'The link is ready' });
  await expect(linkReady.locator('code')).toHaveText(/^http:\/\/[^/]+\/pay\/pl_[A-Za-z0-9]{22}$/);
  const linkUrl = await linkReady.locator('code').innerText();
  const link = page.getByRole('row').filter({ hasText: linkUrl });
  await expect(link).toContainText('Filigree earrings');
  await expect(link).toContainText('0 of 5');

  await openSection(page, 'Checkouts', '/dashboard/checkouts');
  await page.getByLabel('Line 1: product').selectOption({ label: 'Filigree earrings (12.50 EUR)' });
  await page.getByLabel('Line 1: quantity').fill('2');
  await page.getByRole('button', { name: 'Add a line' }).click();
  await page.getByLabel('Line 2: name').fill('Gift wrap');
  await page.getByLabel('Line 2: unit price in euro').fill('1.50');
  await page.getByLabel('Buyer email (optional)').fill('besa@example.com');
  await page.getByLabel('Reference (optional)').fill('ORD-7');
  await expect(page.getByLabel('Payable for')).toHaveValue('1440');
  await page.getByRole('button', { name: 'Create the checkout' }).click();
  const checkoutReady = page.getByRole('status').filter({ hasText: 'The checkout is ready' });
  await expect(checkoutReady.locator('code')).toHaveText(/^http:\/\/[^/]+\/pay\/cs_[A-Za-z0-9]{22}$/);
  const checkoutUrl = await checkoutReady.locator('code').innerText();
  const checkout = page.getByRole('row').filter({ hasText: checkoutUrl });
  await expect(checkout).toContainText('26.50 EUR');
  await expect(checkout).toContainText('open');
  await expect(checkout).toContainText('ORD-7');

  await openSection(page, 'Payments', '/dashboard/payments');
  await expect(page.getByText('No payments match.')).toBeVisible();
  await page.getByLabel('Search').fill('ORD-7');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByText('No payments match.')).toBeVisible();
  expect(errors).toEqual([]);
});

test('Live Mode is offered only once the business is verified', async ({ page }) => {
  const email = `arben-pay-${Date.now()}@example.com`;
  await verifiedMerchant(page, email);
  await signIn(page, email);
  await expect(page).toHaveURL(/\/dashboard$/);
  await page.goto('/dashboard/products', { waitUntil: 'networkidle' });
  const mode = page.getByRole('region', { name: 'Mode' });
  await expect(mode.getByText('Test Mode', { exact: true })).toBeVisible();
  await expect(mode.getByText('Live Mode opens once Saleonix has verified your business.')).toBeVisible();
  await expect(mode.getByRole('button')).toHaveCount(0);

  sql(`UPDATE merchants SET verified_at = now()
       WHERE id = (SELECT m.merchant_id FROM merchant_members m JOIN users u ON u.id = m.user_id WHERE u.email = '${email}')`);
  await page.reload({ waitUntil: 'networkidle' });
  await mode.getByRole('button', { name: 'Switch to Live Mode' }).click();
  await expect(mode.getByText('Live Mode', { exact: true })).toBeVisible();
  // Back on the same page (the server clears its error marker from the address, which can leave a bare "?").
  await expect(page).toHaveURL(/\/dashboard\/products\??$/);
  await expect(page.getByText('No products in this mode yet.')).toBeVisible();
  await mode.getByRole('button', { name: 'Switch to Test Mode' }).click();
  await expect(mode.getByText('Test Mode', { exact: true })).toBeVisible();
});
