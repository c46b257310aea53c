import { test, expect, type Page } from '@playwright/test';

/** Collects console errors and uncaught exceptions (CSP violations are console errors). */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

test('the landing page hydrates, navigates on the client and logs no errors', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('/', { waitUntil: 'networkidle' });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText("Card payments for Kosovo's online sellers");

  // A client-side navigation keeps the window: only a hydrated router does that.
  await page.evaluate(() => ((window as any).__sameDocument = true));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Security & Compliance' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Security & Compliance');
  await expect(page).toHaveURL(/\/security$/);
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
  expect(errors).toEqual([]);
});

test('a page loads only its own section of the WASM, and the next section when it is opened', async ({ page }) => {
  // `split_<section>_<id>[.<hash>].wasm`: one module per section (app/src/routes.rs).
  const sections: string[] = [];
  page.on('request', (request) => {
    const found = /\/pkg\/split_([a-z_]+?)_\d+[.]/.exec(new URL(request.url()).pathname);
    if (found) sections.push(found[1]);
  });
  const errors = watchErrors(page);
  await page.goto('/', { waitUntil: 'networkidle' });
  await expect(page.locator('html[data-hydrated]')).toBeAttached();
  expect(sections).toEqual(['public']);

  await page.getByRole('link', { name: 'Sign in' }).first().click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in');
  expect(sections).toEqual(['public', 'sign_in']);
  expect(errors).toEqual([]);
});

test('the contact form works hydrated and shows a field error inline', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('/', { waitUntil: 'networkidle' });
  const form = page.locator('#contact form');
  await form.getByLabel('Your name').fill('Luan Hoxha');
  // The browser accepts this address; the server's stricter check names the field.
  await form.getByLabel('Email').fill('luan@localhost');
  await form.getByLabel('Message').fill('We sell handmade rugs.');
  await form.getByRole('button', { name: 'Send' }).click();
  await expect(page.locator('#email-error')).toHaveText('Please give an email address we can answer.');

  await form.getByLabel('Email').fill('luan@example.com');
  await form.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByText('Thank you. We have your message')).toBeVisible();
  // Chromium logs the deliberate 422 above as a failed resource; nothing else may appear.
  expect(errors.filter((e) => !e.includes('status of 422'))).toEqual([]);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the contact form still works as a plain HTML form', async ({ page }) => {
    await page.goto('/');
    const form = page.locator('#contact form');
    await form.getByLabel('Your name').fill('Drita Berisha');
    await form.getByLabel('Email').fill('drita@example.com');
    await form.getByLabel('Message').fill('Please call me about payment links.');
    await form.getByRole('button', { name: 'Send' }).click();
    await expect(page.getByText('Thank you. We have your message')).toBeVisible();
  });
});
