import { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { expect, type Page } from '@playwright/test';

export const PASSWORD = 'vivid-otter-lantern-92';

/** The newest link to `path` in the local mailbox's mail to `to` (the worker delivers within a second or two). */
export async function linkFromMailbox(page: Page, to: string, path: string): Promise<string> {
  let link = '';
  await expect(async () => {
    await page.goto('/dev/mailbox');
    const body = await page.locator(`article.mail[data-to="${to}"] pre`).first().innerText({ timeout: 1000 });
    const found = body.match(new RegExp(`https?://\\S+${path}\\?token=\\S+`));
    expect(found).not.toBeNull();
    link = found![0];
  }).toPass({ timeout: 20_000 });
  return link;
}

/** Signs a new merchant up and confirms the address; the page ends on the sign-in form. */
export async function verifiedMerchant(page: Page, email: string): Promise<void> {
  await page.goto('/sign-up', { waitUntil: 'networkidle' });
  await page.getByLabel('Your name').fill('Drita Berisha');
  await page.getByLabel('Business name').fill('Dardania Crafts');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Open my account' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your email');
  await page.goto(await linkFromMailbox(page, email, '/verify-email'));
  await page.getByRole('button', { name: 'Confirm my email' }).click();
  await expect(page.getByText('Your email address is confirmed')).toBeVisible();
}

export async function signIn(page: Page, email: string): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByText('You are signed out.')).toBeVisible();
}

/** A user made in the database as `kind`, the address already verified, who sets a password through a reset link. */
async function userWithPassword(page: Page, email: string, fullName: string, kind: 'merchant' | 'staff'): Promise<void> {
  // A hash-shaped value no password matches: the reset below sets the real password.
  sql(`INSERT INTO users (id, email, full_name, kind, password_hash, email_verified_at)
       VALUES (gen_random_uuid(), '${email}', '${fullName}', '${kind}', '$argon2id$no-password-yet', now())`);
  await page.goto('/forgot-password', { waitUntil: 'networkidle' });
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Send the link' }).click();
  await expect(page.getByText('If an account uses that address')).toBeVisible();
  await page.goto(await linkFromMailbox(page, email, '/reset-password'), { waitUntil: 'networkidle' });
  await page.getByLabel('New password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Save the new password' }).click();
  await expect(page.getByText('Your password is changed')).toBeVisible();
}

/**
 * A member of the seeded demo merchant with `role`, made in the database (no sign-up, so
 * the sign-up limit per address is left to the tests of sign-up). The page ends signed out.
 */
export async function demoMerchantMember(page: Page, email: string, role: string): Promise<void> {
  await userWithPassword(page, email, 'Besa Gashi', 'merchant');
  sql(`INSERT INTO merchant_members (merchant_id, user_id, role)
       SELECT (SELECT id FROM merchants WHERE business_name = 'Dardania Crafts' ORDER BY created_at LIMIT 1), id, '${role}'
       FROM users WHERE email = '${email}'`);
}

/**
 * A staff member holding `grants` (module to level), made in the database, who sets a
 * password and, since staff must use two-factor authentication, turns it on at the first
 * sign-in. The page ends signed in, on the recovery codes.
 */
export async function enrolledStaff(page: Page, email: string, grants: Record<string, 'view' | 'act'>): Promise<void> {
  await userWithPassword(page, email, 'Arta Krasniqi', 'staff');
  for (const [module, level] of Object.entries(grants)) {
    sql(`INSERT INTO staff_permissions (user_id, module, level) SELECT id, '${module}', '${level}' FROM users WHERE email = '${email}'`);
  }

  // Staff must use two-factor authentication: signing in leads to the set-up first.
  await signIn(page, email);
  await expect(page).toHaveURL(/\/account\/two-factor$/);
  await turnOnTwoFactor(page);
}

/** Turns on two-factor authentication for the signed-in user; the page ends on the recovery codes, which it answers. */
export async function turnOnTwoFactor(page: Page, password: string = PASSWORD): Promise<string[]> {
  await page.goto('/account/two-factor', { waitUntil: 'networkidle' });
  await page.getByLabel('Your password').fill(password);
  await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
  const secret = (await page.locator('.totp-secret').getAttribute('data-secret'))!;
  await page.getByLabel('Enter the 6-digit code the app shows').fill(totp(secret));
  await page.getByRole('button', { name: 'Turn on' }).click();
  await expect(page.getByRole('heading', { name: 'Your recovery codes' })).toBeVisible();
  return page.locator('.codes code').allInnerTexts();
}

/** Moves the last second-factor check of every session of `email` six minutes back, past the step-up window. */
export function ageSecondFactor(email: string): void {
  sql(`UPDATE sessions SET data = jsonb_set(data, '{auth,second_factor_at}',
         to_jsonb((data -> 'auth' ->> 'second_factor_at')::bigint - 360))
       WHERE user_id = (SELECT id FROM users WHERE email = '${email}')`);
}

/** Answers the step-up prompt with a recovery code. */
export async function confirmStepUp(page: Page, code: string): Promise<void> {
  await expect(page.getByRole('heading', { name: 'Confirm it is you' })).toBeVisible();
  await page.getByLabel('Code', { exact: true }).fill(code);
  await page.getByRole('button', { name: 'Confirm and continue' }).click();
}

function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of text.replace(/=+$/, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The RFC 6238 code (SHA-1, 6 digits, 30 s) an authenticator app shows `steps` steps from now. */
export function totp(secretBase32: string, steps = 0): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30) + steps));
  const mac = createHmac('sha1', base32Decode(secretBase32)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const number = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(number).padStart(6, '0');
}

/** Runs SQL against the test server's database (./dev test passes its URL). */
export function sql(statement: string): void {
  const url = process.env.E2E_DATABASE_URL;
  if (!url) throw new Error('E2E_DATABASE_URL is not set: run the browser tests through ./dev test');
  execFileSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', url, '-c', statement]);
}
