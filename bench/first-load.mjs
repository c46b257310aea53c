// The merchant dashboard's first load on a slow network (README, "Performance"):
//
//   node bench/first-load.mjs [base URL]        (default http://127.0.0.1:3000)
//
// against a running `./dev up` (debug) or `./dev up --release` (production). In Debian's
// Chromium through Playwright, as the browser tests launch it: signs in as a member of the
// demo merchant "Dardania Crafts" (made in the database and given a password through the
// development mailbox the first time), then opens /dashboard in a fresh context with an
// empty cache on a network of 150 ms round trip, 1.6 Mbit/s down and 750 kbit/s up
// (Lighthouse's "slow 4G", through CDP's Network.emulateNetworkConditions), and reports:
//   - bytes transferred until the page is hydrated and in all (the sum of CDP's
//     encodedDataLength, headers included: what crossed the network);
//   - the time from navigation until hydrated: the WASM marks <html data-hydrated> once
//     the page's section is loaded and hydration returns (frontend/src/lib.rs);
//   - each response with its size and encoding.
// DATABASE_URL names the database the server uses (default: ./dev's, on 127.0.0.1:5432).
import { execFileSync } from 'node:child_process';
import { chromium } from '@playwright/test';

const BASE = (process.argv[2] ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/saleonix';
const EMAIL = 'first-load-bench@example.com';
const PASSWORD = 'amber-kettle-harbour-57';
const NETWORK = {
  offline: false,
  latency: 150, // ms, round trip
  downloadThroughput: (1.6 * 1e6) / 8, // bytes/s
  uploadThroughput: (0.75 * 1e6) / 8,
};
const TARGET = { bytes: 600 * 1024, ms: 5000 };

const LAUNCH = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
};

function sql(statement) {
  return execFileSync('psql', ['-qtA', '-v', 'ON_ERROR_STOP=1', DATABASE_URL, '-c', statement]).toString().trim();
}

/** The newest reset link the development mailbox holds for the bench's address. */
async function resetLink(page) {
  for (let tries = 0; tries < 40; tries++) {
    await page.goto(`${BASE}/dev/mailbox`);
    const mails = page.locator(`article.mail[data-to="${EMAIL}"] pre`);
    if ((await mails.count()) > 0) {
      const found = (await mails.first().innerText()).match(/https?:\/\/\S+\/reset-password\?token=\S+/);
      if (found) return found[0];
    }
    await page.waitForTimeout(500);
  }
  throw new Error('no reset link arrived in /dev/mailbox: is this a development server?');
}

/** The bench's member of the demo merchant, with its password: made once per database. */
async function ensureMember(page) {
  const exists = sql(`SELECT count(*) FROM users WHERE email = '${EMAIL}'`) === '1';
  if (exists) return;
  // A hash-shaped value no password matches: the reset below sets the real password.
  sql(`INSERT INTO users (id, email, full_name, kind, password_hash, email_verified_at)
       VALUES (gen_random_uuid(), '${EMAIL}', 'Bench Member', 'merchant', '$argon2id$no-password-yet', now())`);
  sql(`INSERT INTO merchant_members (merchant_id, user_id, role)
       SELECT (SELECT id FROM merchants WHERE business_name = 'Dardania Crafts' ORDER BY created_at LIMIT 1), id, 'owner'
       FROM users WHERE email = '${EMAIL}'`);
  await page.goto(`${BASE}/forgot-password`);
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByRole('button', { name: 'Send the link' }).click();
  await page.getByText('If an account uses that address').waitFor();
  await page.goto(await resetLink(page));
  await page.getByLabel('New password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Save the new password' }).click();
  await page.getByText('Your password is changed').waitFor();
}

/** Signs in on an unthrottled page; answers the session cookies. */
async function signIn(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await ensureMember(page);
  await page.goto(`${BASE}/sign-in`);
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/dashboard$/);
  const cookies = await context.cookies();
  await context.close();
  return cookies;
}

async function firstLoad(browser, cookies) {
  const context = await browser.newContext();
  await context.addCookies(cookies);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', NETWORK);

  const responses = new Map();
  let hydratedAt = null;
  let bytesAtHydration = null;
  let bytes = 0;
  cdp.on('Network.responseReceived', ({ requestId, response }) => {
    responses.set(requestId, {
      url: response.url.replace(BASE, ''),
      status: response.status,
      encoding: response.headers['content-encoding'] ?? response.headers['Content-Encoding'] ?? 'identity',
      bytes: 0,
    });
  });
  cdp.on('Network.loadingFinished', ({ requestId, encodedDataLength }) => {
    bytes += encodedDataLength;
    const entry = responses.get(requestId);
    if (entry) entry.bytes = encodedDataLength;
  });

  const started = Date.now();
  await page.goto(`${BASE}/dashboard`, { waitUntil: 'commit', timeout: 600_000 });
  await page.waitForSelector('html[data-hydrated]', { state: 'attached', timeout: 600_000 });
  hydratedAt = Date.now() - started;
  bytesAtHydration = bytes;
  await page.waitForLoadState('networkidle', { timeout: 600_000 });
  if (!page.url().endsWith('/dashboard')) throw new Error(`ended on ${page.url()}, not the dashboard`);
  await context.close();
  return { hydratedAt, bytesAtHydration, bytes, responses: [...responses.values()] };
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

const browser = await chromium.launch(LAUNCH);
try {
  const cookies = await signIn(browser);
  const run = await firstLoad(browser, cookies);
  console.log(`first load of ${BASE}/dashboard (150 ms RTT, 1.6 Mbit/s down, empty cache):`);
  for (const r of run.responses) {
    console.log(`  ${String(r.status).padStart(3)} ${kb(r.bytes).padStart(11)} ${r.encoding.padEnd(8)} ${r.url}`);
  }
  console.log(`transferred until hydrated: ${kb(run.bytesAtHydration)} (target < ${kb(TARGET.bytes)})`);
  console.log(`transferred in all:         ${kb(run.bytes)}`);
  console.log(`hydrated after:             ${(run.hydratedAt / 1000).toFixed(2)} s (target < ${TARGET.ms / 1000} s)`);
  const met = run.bytesAtHydration < TARGET.bytes && run.hydratedAt < TARGET.ms;
  console.log(met ? 'targets met' : 'targets NOT met');
} finally {
  await browser.close();
}
