import AxeBuilder from '@axe-core/playwright';
import { expect, type Locator, type Page } from '@playwright/test';

// The accessibility checks the browser tests run on a page (issue 18, WCAG 2.2 AA): axe-core
// for what a machine can judge, and the checks it cannot make (sideways scrolling when
// narrow, target sizes without its exceptions, visible labels, the focus ring at each stop).

/** axe-core's tags for the rules of WCAG 2.0, 2.1 and 2.2 at levels A and AA. */
const WCAG_22_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** No failure of WCAG 2.2 A or AA that axe-core finds on the page as it stands. */
export async function expectNoAxeViolations(page: Page): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG_22_AA).analyze();
  const found = violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
  expect(found, `axe-core on ${page.url()}`).toEqual([]);
}

/**
 * No sideways scrolling at 320 CSS pixels (WCAG 1.4.10), nor at 640, which is what a
 * 1280-pixel window shows at 200 % zoom (WCAG 1.4.4); the window is put back after.
 */
export async function expectReflow(page: Page): Promise<void> {
  const before = page.viewportSize();
  for (const width of [320, 640]) {
    await page.setViewportSize({ width, height: 640 });
    const { scroll, client } = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    expect(scroll, `${page.url()} is ${scroll} pixels wide in a ${client}-pixel window`).toBeLessThanOrEqual(client);
  }
  if (before) await page.setViewportSize(before);
}

/** Every link, button and field shown is at least 24 by 24 pixels (WCAG 2.5.8, without its exceptions). */
export async function expectTargetSizes(page: Page): Promise<void> {
  const small = await page.evaluate(() =>
    [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea')]
      .filter((el) => el.getClientRects().length > 0)
      .map((el) => ({ el: el.outerHTML.slice(0, 100), box: el.getBoundingClientRect() }))
      .filter(({ box }) => box.width < 24 || box.height < 24)
      .map(({ el, box }) => `${el}: ${box.width}×${box.height}`),
  );
  expect(small, `targets under 24×24 on ${page.url()}`).toEqual([]);
}

/** Every field shown has a label that is shown too, with words in it (WCAG 3.3.2). */
export async function expectVisibleLabels(page: Page): Promise<void> {
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLInputElement>('input:not([type=hidden]), select, textarea')]
      .filter((field) => field.getClientRects().length > 0)
      .filter((field) => ![...(field.labels ?? [])].some((l) => l.getClientRects().length > 0 && l.innerText.trim() !== ''))
      .map((field) => field.outerHTML.slice(0, 100)),
  );
  expect(unlabelled, `fields without a visible label on ${page.url()}`).toEqual([]);
}

/** All of the above on the page as it stands. */
export async function expectAccessible(page: Page): Promise<void> {
  await expectNoAxeViolations(page);
  await expectVisibleLabels(page);
  await expectTargetSizes(page);
  await expectReflow(page);
}

/**
 * Presses Tab until `target` has the focus, at most `limit` times. On Saleonix's pages
 * (`ring`), every stop on the way must show a focus ring of at least 2 pixels (WCAG 2.4.7);
 * the gateway's page has its own styles.
 */
export async function tabTo(page: Page, target: Locator, { ring = true, limit = 25 } = {}): Promise<void> {
  for (let stop = 0; stop < limit; stop++) {
    await page.keyboard.press('Tab');
    if (ring) {
      const focus = await page.evaluate(() => {
        const el = document.activeElement ?? document.body;
        const style = getComputedStyle(el);
        return { el: el.outerHTML.slice(0, 100), style: style.outlineStyle, width: parseFloat(style.outlineWidth) };
      });
      expect(focus.style, `the focus ring on ${focus.el}`).not.toBe('none');
      expect(focus.width, `the focus ring's width on ${focus.el}`).toBeGreaterThanOrEqual(2);
    }
    if (await target.evaluate((el) => el === document.activeElement)) return;
  }
  throw new Error(`${target} not reached with ${limit} presses of Tab on ${page.url()}`);
}
