/**
 * Stored XSS through the legacy columns the old back office prints as HTML (security review, finding 2).
 * Every vector of the review, and the OWASP filter-evasion basics, goes in through email subjects,
 * display names, text and HTML bodies, attachment names, the web form and an agent's reply; each value
 * that landed in ___xtr_msg / ___xtr_customer (read from the real MariaDB rows) is then rendered in a
 * real headless Chromium as innerHTML, and after PHP's strip_tags($v, '<br><a><b><p>') (real php-cli):
 * no script may run, with no interaction, nor on hover, focus or click. Chromium and php-cli are
 * Debian packages installed here when missing (as root), like the project's services.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpFrontEnd, type HttpFrontEnd } from '../../src/roles/http.ts';
import { parseLegacyContent } from '../../adapters/mysql/legacy-format.ts';
import { eml, withAttachments } from './eml.ts';
import { createTestApp, createTestDatabase, type TestApp, type TestDatabase } from './harness.ts';

/** Each vector calls window.__xss(tag) when it runs; `T` is replaced by where it went in. */
const VECTORS: readonly string[] = [
  `<script>window.__xss('T-script')</script>`,
  `<img src=x onerror=window.__xss('T-img')>`,
  `<img/src=x/onerror=window.__xss('T-img2')>`,
  `<svg onload=window.__xss('T-svg')>`,
  `<svg/onload=window.__xss('T-svg2')>`,
  `<a href="javascript:window.__xss('T-ahref')">click me</a>`,
  `<a href="jav&#x09;ascript:window.__xss('T-tab')">tab</a>`,
  `<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;window.__xss('T-ent')">entities</a>`,
  `<a autofocus onfocus=window.__xss('T-focus') href=#x>focus</a>`,
  `<b onmouseover=window.__xss('T-bover')>hover me</b>`,
  `<p onclick=window.__xss('T-pclick')>click me</p>`,
  `<iframe src="javascript:parent.__xss('T-iframe')"></iframe>`,
  `<details open ontoggle=window.__xss('T-details')>`,
  `<scr<script>ipt>window.__xss('T-nested')</script>`,
  `"><img src=x onerror=window.__xss('T-breakout')>`,
  `<IMG SRC=x ONERROR=window.__xss('T-upper')>`,
  `<body onload=window.__xss('T-body')>`,
  `<br onpointerover=window.__xss('T-br')>`,
  // OWASP filter-evasion basics.
  `<a href="JaVaScRiPt:window.__xss('T-case')">case</a>`,
  `<a href=" &#14; javascript:window.__xss('T-space')">space</a>`,
  `<input autofocus onfocus=window.__xss('T-input')>`,
  `<a href='javascript:window.__xss(/T-single/.source)' style='position:fixed;top:0;left:0;width:100vw;height:100vh;display:block;opacity:0'>.</a>`,
  `<a href="javascript:window.__xss('T-overlay')" style="position:fixed;top:0;left:0;width:100vw;height:100vh;display:block;opacity:0">.</a>`,
  `<svg><animate onbegin=window.__xss('T-animate') attributeName=x dur=1s>`,
  `<object data="javascript:parent.__xss('T-object')"></object>`,
];

const encodedWord = (text: string) => `=?UTF-8?B?${Buffer.from(text).toString('base64')}?=`;
const at = (vector: string, where: string) => vector.replace(/T-/g, `${where}-`);

let db: TestDatabase;
let app: TestApp;
let front: HttpFrontEnd;
let browser: BrowserContext;
let workDir: string;

/** Debian's package when the command is missing: as root with apt-get, else the exact command to run. */
function ensurePackage(command: string, pkg: string): void {
  if (existsSync(command)) return;
  if (process.getuid?.() !== 0)
    throw new Error(
      `${command} is missing: run "sudo apt-get install -y ${pkg}" (this test renders stored values with it).`,
    );
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', pkg], {
    stdio: 'ignore',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 900_000,
  });
  if (!existsSync(command)) throw new Error(`apt-get install ${pkg} did not provide ${command}`);
}

beforeAll(async () => {
  ensurePackage('/usr/bin/chromium', 'chromium');
  ensurePackage('/usr/bin/php', 'php-cli');
  workDir = await mkdtemp(path.join(os.tmpdir(), 'ticketrelay-xss-'));
  db = await createTestDatabase('xss');
  app = await createTestApp(db, {
    ACK_ENABLED: 'false',
    API_TOKENS: `oldsite:read:${READ_TOKEN}`,
    FORM_RATE_PER_IP: '1000/min',
    FORM_RATE_TOTAL: '10000/hour',
  });
  front = await startHttpFrontEnd(app, { port: 0, host: '127.0.0.1', dbMetricsCacheMs: 0 });
  // A fresh profile each run (playwright passes it as --user-data-dir).
  browser = await chromium.launchPersistentContext(path.join(workDir, 'profile'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await front?.close();
  await app?.close();
  await db?.drop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function ingest(raw: Buffer): Promise<number> {
  const result = await app.intake.ingest(raw, { kind: 'test' });
  if (result.outcome !== 'created') throw new Error(`expected a new ticket, got ${JSON.stringify(result)}`);
  return result.ticketId;
}

/** What the old site prints: subject, content, the customer's names, for each of our tickets and their replies. */
async function storedValues(): Promise<{ where: string; value: string }[]> {
  const rows = await db.query<{
    msg_id: number;
    msg_parent_id: string | null;
    msg_subject: string;
    msg_content: string;
    cst_fname: string | null;
    cst_name: string | null;
  }>(
    'SELECT m.msg_id, m.msg_parent_id, m.msg_subject, m.msg_content, c.cst_fname, c.cst_name FROM ___xtr_msg m LEFT JOIN ___xtr_customer c ON c.cst_id = m.msg_cst_id ORDER BY m.msg_id',
  );
  return rows.flatMap((r) => [
    { where: `#${r.msg_id} msg_subject`, value: r.msg_subject },
    { where: `#${r.msg_id} msg_content`, value: r.msg_content },
    { where: `#${r.msg_id} cst_fname cst_name`, value: `${r.cst_fname ?? ''} ${r.cst_name ?? ''}` },
  ]);
}

/** PHP 8's strip_tags keeping <br><a><b><p> (attributes survive it), as the back office prints msg_content. */
async function stripTags(values: readonly string[]): Promise<string[]> {
  const input = path.join(workDir, 'values.json');
  await writeFile(input, JSON.stringify(values));
  const out = execFileSync(
    'php',
    [
      '-r',
      `echo json_encode(array_map(fn($v) => strip_tags($v, '<br><a><b><p>'), json_decode(file_get_contents($argv[1]), true)));`,
      input,
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(out.toString()) as string[];
}

/** In the page: every value as innerHTML of its own box; window.__xss (and alert) record what ran. */
const SETUP = `(list) => {
  const root = document.getElementById('root');
  for (const v of list) {
    const box = document.createElement('div');
    box.className = 'value';
    box.dataset.where = v.where;
    box.innerHTML = v.html;
    root.appendChild(box);
  }
}`;
/** In the page: every element of the values hovered, pressed, focused and clicked; how many there were. */
const INTERACT = `() => {
  const all = [...document.querySelectorAll('#root .value *')];
  for (const el of all) {
    for (const type of ['pointerover', 'mouseover', 'mouseenter', 'pointerdown', 'mousedown', 'mouseup']) el.dispatchEvent(new MouseEvent(type, { bubbles: true }));
    if (el.focus) el.focus();
    if (el.click) el.click();
    if (el.tagName === 'DETAILS') el.open = !el.open;
  }
  return all.length;
}`;

/** Renders every value as innerHTML in one page; what ran with no interaction, then after hover, focus and click on everything. */
async function render(
  values: readonly { where: string; html: string }[],
): Promise<{ idle: string[]; interaction: string[]; elements: number }> {
  const page = await browser.newPage();
  // Reported to this process from any frame, and across a navigation a javascript: link may cause.
  const ran: string[] = [];
  await page.exposeFunction('__xssReport', (tag: unknown) => void ran.push(String(tag)));
  const hooks =
    'window.__xss = (tag) => { window.__xssReport(String(tag)); }; window.alert = (m) => { window.__xssReport("alert:" + String(m)); };';
  await page.addInitScript(hooks);
  try {
    await page.setContent('<!doctype html><html><body><main id="root"></main></body></html>');
    await page.evaluate(hooks);
    await page.evaluate(`(${SETUP})(${JSON.stringify(values)})`);
    await page.waitForTimeout(1_000);
    const idle = [...ran];
    // The mouse over and a click in the middle of the page (an invisible full-page link), then every element.
    await page.mouse.move(300, 300);
    await page.mouse.click(300, 300);
    const elements = (await page.evaluate(`(${INTERACT})()`).catch(() => -1)) as number;
    await page.waitForTimeout(500);
    const interaction = [...ran];
    return { idle, interaction, elements };
  } finally {
    await page.close();
  }
}

const READ_TOKEN = 'old-site-read-token-0123456789abcdef';

describe('what lands in the legacy columns is safe to print as HTML', () => {
  it('no vector runs from any stored value, as innerHTML or after strip_tags, idle or on hover, focus and click', async () => {
    const tickets: number[] = [];
    // Each vector in a subject, a display name and a text body.
    for (const [i, v] of VECTORS.entries()) {
      tickets.push(
        await ingest(
          eml({
            from: `${encodedWord(at(v, `name${i}`))} <xss${i}@attacker.example>`,
            subject: encodedWord(at(v, `subject${i}`)),
            body: `Hello,\n${at(v, `text${i}`)}\nBye`,
          }).raw,
        ),
      );
    }
    // An HTML-only body whose vectors are entity-encoded (decoded into text), and one with raw markup.
    const entities = VECTORS.map((v, i) =>
      at(v, `ent${i}`).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
    ).join('<br>');
    tickets.push(
      await ingest(
        eml({
          from: 'Html Entities <html1@attacker.example>',
          subject: 'html entities',
          mime: { contentType: 'text/html; charset=utf-8', body: `<html><body><p>${entities}</p></body></html>` },
        }).raw,
      ),
    );
    const rawHtml = VECTORS.map((v, i) => at(v, `html${i}`)).join('<br>');
    tickets.push(
      await ingest(
        eml({
          from: 'Html Raw <html2@attacker.example>',
          subject: 'html raw',
          mime: { contentType: 'text/html; charset=utf-8', body: `<html><body><div>${rawHtml}</div></body></html>` },
        }).raw,
      ),
    );
    // Attachment names: they are in the metadata block.
    const files = [
      { name: `<img src=x onerror=window.__xss('fname-img')>.png`, type: 'image/png', data: Buffer.from('x') },
      {
        name: `<a href='javascript:window.__xss(/fname-a/.source)' style='position:fixed;top:0;left:0;width:100vw;height:100vh;display:block'>invoice</a>.pdf`,
        type: 'application/pdf',
        data: Buffer.from('%PDF-1.4'),
      },
      { name: `"><svg onload=window.__xss('fname-svg')>.txt`, type: 'text/plain', data: Buffer.from('x') },
    ];
    tickets.push(
      await ingest(
        eml({ from: 'Files <files@attacker.example>', subject: 'files', mime: withAttachments('see the files', files) })
          .raw,
      ),
    );
    // The web form.
    for (const [i, v] of [VECTORS[1]!, VECTORS[4]!, VECTORS[21]!].entries()) {
      const res = await fetch(`${front.server.url}/api/support/contact`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          name: at(v, `form-name${i}`).slice(0, 100),
          email: `form${i}@attacker.example`,
          subject: at(v, `form-subject${i}`).slice(0, 200),
          message: `Hello ${at(v, `form-message${i}`)} bye`,
        }),
      });
      expect(res.status).toBe(201);
      tickets.push(Number(((await res.json()) as { ticketNumber: number }).ticketNumber));
    }
    // An agent's reply quoting the customer's vectors: written to ___xtr_msg too.
    await app.agents.upsert({
      name: 'alice',
      role: 'agent',
      staffId: 7,
      identities: [{ platform: 'console', kind: 'user', value: 'alice' }],
    });
    const replied = await app.commands.run(
      { platform: 'console', userId: 'alice' },
      `reply ${tickets[0]} You wrote ${at(VECTORS[1]!, 'agent')} and ${at(VECTORS[22]!, 'agent2')}`,
    );
    expect(replied.ok).toBe(true);

    const stored = await storedValues();
    // Everything went in (the rows hold the vectors' words), and nothing of it is markup any more.
    expect(stored.filter((s) => s.value.includes('__xss')).length).toBeGreaterThanOrEqual(VECTORS.length * 3 + 6);

    const stripped = await stripTags(stored.map((s) => s.value));
    const started = Date.now();
    const result = await render([
      ...stored.map((s) => ({ where: s.where, html: s.value })),
      ...stored.map((s, i) => ({ where: `${s.where} (strip_tags)`, html: stripped[i]! })),
    ]);
    expect(result.idle).toEqual([]);
    expect(result.interaction).toEqual([]);
    expect(result.elements).toBe(0);
    expect(Date.now() - started).toBeLessThan(60_000);
    for (const s of stored) expect(s.value, s.where).not.toMatch(/[<>]/);
  }, 180_000);

  it('reads back as the customer typed it: the card, the API and the quoting never show &lt; or &amp;lt;', async () => {
    const vector = `<b onmouseover=x()>"Brake" & 'pads' &lt;sic&gt;</b>`;
    const raw = eml({
      from: `${encodedWord("Zoé <b>O'Hara</b>")} <zoe@customer.example>`,
      subject: encodedWord(vector),
      body: `Text ${vector}`,
    }).raw;
    const ticketId = await ingest(raw);
    const [row] = await db.query<{ msg_subject: string; msg_content: string }>(
      'SELECT msg_subject, msg_content FROM ___xtr_msg WHERE msg_id = ?',
      [ticketId],
    );
    expect(row!.msg_subject).toBe(
      '&lt;b onmouseover=x()&gt;&quot;Brake&quot; &amp; &#39;pads&#39; &amp;lt;sic&amp;gt;&lt;/b&gt;',
    );
    expect(parseLegacyContent(row!.msg_content).text).toBe(`Text ${vector}`);
    const [customer] = await db.query<{ cst_fname: string; cst_name: string }>(
      "SELECT cst_fname, cst_name FROM ___xtr_customer WHERE cst_mail = 'zoe@customer.example'",
    );
    expect(`${customer!.cst_fname} ${customer!.cst_name}`).toBe('Zoé &lt;b&gt;O&#39;Hara&lt;/b&gt;');
    // The agent of the test before (registered again: this test stands on its own).
    await app.agents.upsert({
      name: 'alice',
      role: 'agent',
      staffId: 7,
      identities: [{ platform: 'console', kind: 'user', value: 'alice' }],
    });
    const view = await app.commands.run({ platform: 'console', userId: 'alice' }, `view ${ticketId}`);
    expect(view.text, view.text).toContain(vector);
    expect(view.text).not.toMatch(/&amp;|&lt;b|&quot;|&#39;/);
    const api = (await (
      await fetch(`${front.server.url}/api/support/contact/ticket/${ticketId}`, {
        headers: { authorization: `Bearer ${READ_TOKEN}` },
      })
    ).json()) as {
      subject: string;
      content: string;
    };
    expect(api.subject).toBe(vector);
    expect(api.content).toBe(`Text ${vector}`);
  });
});
