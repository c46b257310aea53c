import { test, expect, type Page } from '@playwright/test';
import { ageSecondFactor, confirmStepUp, enrolledStaff, signIn, turnOnTwoFactor, verifiedMerchant } from './accounts';
import { query } from './payments';

// Seller verification end to end: a new merchant fills in the application with files and
// a payout account, staff ask for a change, the merchant makes it, another staff member
// approves (four eyes), and Live Mode opens on the merchant's dashboard.

const IBAN = 'XK051212012345678906';
const PDF = (text: string) => Buffer.from(`%PDF-1.4\n% ${text}\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n`);
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

async function upload(page: Page, legend: string, name: string, buffer: Buffer, mimeType: string): Promise<void> {
  const form = page.getByRole('group', { name: legend });
  await form.getByLabel(/^(File|Replace with a new file)$/).setInputFiles({ name, mimeType, buffer });
  await form.getByRole('button', { name: 'Upload' }).click();
  await expect(page.getByText('The document is uploaded.')).toBeVisible();
}

function checklistState(page: Page, item: string) {
  return page.getByRole('region', { name: 'Checklist' }).locator('li', { hasText: item }).locator('.checklist-state');
}

test('a merchant is verified: application with files, a change asked and made, approval by a second reviewer, Live Mode open', async ({ browser }) => {
  test.setTimeout(240_000);
  const stamp = Date.now();
  const owner = `drita-kyc-${stamp}@example.com`;
  const merchantPage = await (await browser.newContext()).newPage();
  await verifiedMerchant(merchantPage, owner);
  await signIn(merchantPage, owner);
  const codes = await turnOnTwoFactor(merchantPage);
  const merchantId = query(`SELECT merchant_id FROM merchant_members m JOIN users u ON u.id = m.user_id WHERE u.email = '${owner}'`);

  // Until approved, Live Mode is closed and the dashboard says where to go.
  await merchantPage.goto('/dashboard', { waitUntil: 'networkidle' });
  await expect(merchantPage.getByRole('button', { name: 'Switch to Live Mode' })).toHaveCount(0);
  await merchantPage.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Verification' }).click();
  await expect(merchantPage).toHaveURL(/\/dashboard\/verification$/);
  await expect(checklistState(merchantPage, 'Business details')).toHaveText('Missing');

  // 1. The business, with one bad field first: nothing is saved until it is right.
  const m = merchantPage;
  await m.getByLabel('Legal form').selectOption({ label: 'Limited liability company (SH.P.K.)' });
  await m.getByLabel('Registered name').fill('Dardania Crafts');
  await m.getByLabel('Business registration number (NUI)').fill('81000001');
  await m.getByLabel('Fiscal number').fill('600000001');
  await m.getByLabel('Registered address: street and number').fill('Rruga Garibaldi 12');
  await m.getByLabel('City').fill('Prishtinë');
  await m.getByLabel('Postal code').fill('10000');
  await m.getByLabel('Website, or where you sell').fill('https://dardania-crafts.example');
  await m.getByLabel('What you sell').selectOption({ label: 'Physical goods (shop, e-commerce)' });
  await m.getByLabel('Expected payments per month, in euro').fill('20000');
  await m.getByLabel('Average payment, in euro').fill('35.50');
  await m.getByRole('button', { name: 'Save the business details' }).click();
  const nui = m.getByLabel('Business registration number (NUI)');
  await expect(nui).toHaveAccessibleDescription('The NUI (ARBK number) has exactly 9 digits.');
  await expect(checklistState(m, 'Business details')).toHaveText('Missing');
  await nui.fill('810000001');
  await m.getByRole('button', { name: 'Save the business details' }).click();
  await expect(m.getByText('Saved. You can continue with the next step.')).toBeVisible();
  await expect(checklistState(m, 'Business details')).toHaveText('Ready for review');

  // 2. The legal representative, who owns the business and carries a passport.
  await m.getByLabel('Ownership, in percent').fill('100');
  await m.getByLabel('Full name').fill('Drita Berisha');
  await m.getByLabel('Date of birth').fill('1985-04-12');
  await m.getByLabel('Nationality').fill('XK');
  await m.getByLabel('Personal number or passport number').fill('1234567890');
  await m.getByLabel('Home address').fill('Rruga Agim Ramadani 5, Prishtinë');
  await m.getByLabel('Identity document').selectOption('passport');
  await m.getByRole('button', { name: 'Add the person' }).click();
  await expect(checklistState(m, 'Representative and owners')).toHaveText('Ready for review');
  await expect(m.getByText('•••••••890')).toBeVisible();

  // 3. Documents, judged by their content: a PNG passport page, PDFs otherwise.
  await upload(m, 'Business registration certificate', 'certificate.pdf', PDF('certificate, first page only'), 'application/pdf');
  await upload(m, 'Drita Berisha: passport photo page', 'passport.png', PNG, 'image/png');
  await upload(m, 'Proof of the bank account (a bank letter or statement)', 'bank-letter.pdf', PDF('bank letter'), 'application/pdf');
  await expect(checklistState(m, 'Identity documents')).toHaveText('Ready for review');

  // 4. The payout account: saving asks for a fresh code, and the IBAN is shown masked only.
  // The checklist and sections reload after the uploads; typing into a section while it is
  // being replaced would be lost, so the page settles first.
  await m.waitForLoadState('networkidle');
  ageSecondFactor(owner);
  await m.getByLabel('Account holder').fill('Dardania Crafts');
  await m.getByLabel('IBAN').fill(IBAN);
  await m.getByRole('button', { name: 'Save the account' }).click();
  await confirmStepUp(m, codes[0]);
  await expect(m.getByText('The account is saved.')).toBeVisible();
  await expect(m.getByText('XK05 **** **** **** 8906')).toBeVisible();
  expect(await m.content()).not.toContain(IBAN);

  // 5. Send it.
  await m.getByRole('button', { name: 'Send the application' }).click();
  await expect(m.getByText('Saleonix is reviewing your application.')).toBeVisible();

  // The first reviewer accepts all but the certificate, and asks for a whole one.
  const first = await (await browser.newContext()).newPage();
  await enrolledStaff(first, `arta-kyc-${stamp}@example.com`, { merchants: 'act' });
  await first.goto('/admin/kyc', { waitUntil: 'networkidle' });
  await first.getByRole('region', { name: 'Waiting for review' }).locator(`a[href="/admin/kyc/${merchantId}"]`).click();
  await expect(first.getByRole('heading', { level: 1 })).toHaveText('Dardania Crafts');
  await expect(first.getByRole('heading', { name: 'Sanctions screening' })).toBeVisible();
  for (const item of ['business details', 'representative and owners', 'identity documents', 'proof of the bank account', 'bank account for payouts']) {
    await first.getByRole('button', { name: `Accept ${item}` }).click();
    await expect(first.getByRole('button', { name: `Accept ${item}` })).toHaveCount(0);
  }
  const certificateRow = first.getByRole('row', { name: /Business registration certificate/ });
  await certificateRow.getByText('Ask for changes').click();
  await certificateRow.getByLabel(/What should change in business registration certificate/).fill('The certificate is cut off: upload every page.');
  await certificateRow.getByRole('button', { name: 'Send back for changes' }).click();
  await expect(first.getByText('The certificate is cut off: upload every page.')).toBeVisible();

  // The merchant reads the reason on the checklist, uploads the whole certificate and sends it again.
  await m.reload({ waitUntil: 'networkidle' });
  await expect(checklistState(m, 'Business registration certificate')).toHaveText('Needs changes');
  await expect(m.getByText('Saleonix asks: The certificate is cut off: upload every page.')).toBeVisible();
  await expect(checklistState(m, 'Business details')).toHaveText('Accepted');
  await upload(m, 'Business registration certificate', 'certificate-full.pdf', PDF('certificate, every page'), 'application/pdf');
  await m.getByRole('button', { name: 'Send the application' }).click();
  await expect(m.getByText('Saleonix is reviewing your application.')).toBeVisible();

  // The first reviewer accepts the new certificate but may not approve: four eyes.
  await first.reload({ waitUntil: 'networkidle' });
  await first.getByRole('button', { name: 'Accept business registration certificate' }).click();
  await expect(first.getByText(/Four eyes: you asked for changes on this application/)).toBeVisible();
  await expect(first.getByRole('button', { name: 'Approve: open Live Mode' })).toHaveCount(0);

  // A second reviewer approves, after a fresh code.
  const second = await (await browser.newContext()).newPage();
  const reviewer = `besnik-kyc-${stamp}@example.com`;
  await enrolledStaff(second, reviewer, { merchants: 'act' });
  const reviewerCodes = await second.locator('.codes code').allInnerTexts();
  ageSecondFactor(reviewer);
  await second.goto(`/admin/kyc/${merchantId}`, { waitUntil: 'networkidle' });
  await second.getByRole('button', { name: 'Approve: open Live Mode' }).click();
  await confirmStepUp(second, reviewerCodes[0]);
  await expect(second.getByText('Live Mode is open.')).toBeVisible();

  // Live Mode is now the merchant's to choose.
  await m.goto('/dashboard/verification', { waitUntil: 'networkidle' });
  await expect(m.getByText(/^Verified: with Saleonix since/)).toBeVisible();
  await m.goto('/dashboard', { waitUntil: 'networkidle' });
  await m.getByRole('button', { name: 'Switch to Live Mode' }).click();
  await expect(m.getByText('Payments charge real cards.')).toBeVisible();

  // Every step is in the audit trail, and no IBAN or personal number is.
  const events = query(`SELECT string_agg(event_type, ',' ORDER BY id) FROM audit.events
                        WHERE merchant_id = '${merchantId}' AND event_type LIKE ANY (ARRAY['kyc.%', 'bank_account.%'])`);
  for (const type of ['kyc.submit', 'kyc.item.accept', 'kyc.item.request_changes', 'kyc.approve', 'bank_account.change']) {
    expect(events.split(',')).toContain(type);
  }
  expect(query(`SELECT count(*) FROM audit.events e WHERE e::text LIKE '%${IBAN}%' OR e::text LIKE '%1234567890%'`)).toBe('0');
});
