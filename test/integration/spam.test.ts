/**
 * Spam and backscatter, end to end on the real adapters: SpamAssassin's spamd started by the
 * project's services script (GTUBE must come back as spam), the verdict headers our mail server
 * writes (and the forged ones it does not), acknowledgements refused to senders our server did not
 * authenticate, and the held spam listed and released from the console command and the CLI.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PngDigestChart } from '../../adapters/chart/png-digest-chart.ts';
import { LOCAL_ENDPOINTS, servicesUp } from '../../adapters/local-services/index.ts';
import { MysqlReportStore } from '../../adapters/mysql/mysql-report-store.ts';
import { dayInZone } from '../../src/domain/digest.ts';
import { DigestService } from '../../src/services/build-digest.ts';
import { PROJECT_ROOT } from '../../src/config.ts';
import type { IntakeResult } from '../../src/services/intake-result.ts';
import { eml } from './eml.ts';
import {
  commandEnv,
  createTestApp,
  runTicketrelay,
  startTestApp,
  type SmtpListener,
  type TestApp,
  type TestDatabase,
  type TestSetup,
} from './harness.ts';

const GTUBE = 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X';
const MX = 'mx.shop.example';

let setup: TestSetup;
let db: TestDatabase;
let smtp: SmtpListener;
let app: TestApp;

beforeAll(async () => {
  // The real filter, like MariaDB: installed with apt-get when missing (as root), started once, shared.
  await servicesUp({ dataDir: path.join(PROJECT_ROOT, '.data'), services: ['spamd'], log: () => undefined });
  setup = await startTestApp('spam', {
    smtp: true,
    env: { SPAM_FILTER: LOCAL_ENDPOINTS.spamFilterUrl, SPAM_TRUSTED_AUTHSERV_ID: MX },
  });
  ({ db, smtp, app } = setup);
  await app.agents.upsert({
    name: 'alice',
    role: 'agent',
    staffId: 12,
    identities: [{ platform: 'console', kind: 'user', value: 'alice' }],
  });
}, 180_000);

afterAll(async () => {
  await setup?.close();
});

const ingest = (raw: Buffer): Promise<IntakeResult> => app.intake.ingest(raw, { kind: 'test' });
const ticketsFrom = async (address: string) =>
  (await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM support_ticket WHERE customer_email = ?', [address]))[0]!.n;
const mailTo = (address: string) => smtp.received.filter((m) => m.envelopeTo.includes(address));
/** Lets the outbox finish what intake handed it, then gives a stray send a moment to show up at the listener. */
async function settle(): Promise<void> {
  await app.outbox.deliverPending();
  await app.outbox.idle();
  await new Promise((r) => setTimeout(r, 200));
}

describe('the local spam filter (spamd, for real)', () => {
  it('holds GTUBE as spam: no ticket, no acknowledgement, the raw kept; a normal email still opens a ticket', async () => {
    const spam = eml({
      from: 'Promo <gtube@sender.example>',
      subject: 'Special offer',
      body: `Buy now!\n\n${GTUBE}\n`,
    });
    const result = await ingest(spam.raw);
    expect(result).toMatchObject({
      outcome: 'spam',
      code: 'spam-filter',
      reason: expect.stringMatching(/spamd 127\.0\.0\.1:30783 scored it [\d.]+ of 5.*GTUBE/),
    });
    const [held] = await db.query<{ sender: string; code: string; raw_location: string; released_at: Date | null }>(
      'SELECT sender, code, raw_location, released_at FROM support_spam WHERE message_id = ?',
      [spam.messageId],
    );
    expect(held).toMatchObject({ sender: 'gtube@sender.example', code: 'spam-filter', released_at: null });
    expect(existsSync(held!.raw_location)).toBe(true);
    expect(await ticketsFrom('gtube@sender.example')).toBe(0);

    const ham = await ingest(
      eml({
        from: 'Claire <claire@customer.example>',
        subject: 'Plaquettes de frein',
        body: 'Bonjour, les plaquettes reçues ne vont pas sur ma Clio. Que faire ?\nClaire',
      }).raw,
    );
    expect(ham.outcome).toBe('created');
    await settle();
    expect(mailTo('gtube@sender.example')).toHaveLength(0);
    expect(mailTo('claire@customer.example')).toHaveLength(1);
  }, 60_000);
});

describe("our mail server's verdict headers", () => {
  it('holds what it marked as spam, and DMARC fail under p=reject in its own Authentication-Results', async () => {
    const flagged = await ingest(
      eml({
        from: 'flag@sender.example',
        headers: { 'X-Spam-Flag': 'YES', 'X-Spam-Status': 'Yes, score=9.1 required=5.0' },
      }).raw,
    );
    expect(flagged).toMatchObject({ outcome: 'spam', code: 'x-spam-flag' });
    const rspamd = await ingest(
      eml({
        from: 'rs@sender.example',
        headers: { 'X-Spamd-Result': 'default: True [16.20 / 15.00]; BAYES_SPAM(5.1)[99%]' },
      }).raw,
    );
    expect(rspamd).toMatchObject({ outcome: 'spam', code: 'x-spamd-result' });
    const dmarc = await ingest(
      eml({
        from: 'Bank <security@bank.example>',
        headers: {
          'Authentication-Results': `${MX}; spf=fail smtp.mailfrom=bank.example; dkim=none; dmarc=fail (p=REJECT sp=REJECT dis=NONE) header.from=bank.example`,
        },
      }).raw,
    );
    expect(dmarc).toMatchObject({ outcome: 'spam', code: 'dmarc-reject' });
    await settle();
    for (const address of ['flag@sender.example', 'rs@sender.example', 'security@bank.example']) {
      expect(await ticketsFrom(address)).toBe(0);
      expect(mailTo(address)).toHaveLength(0);
    }
  });

  it('ignores the same verdict under a forged authserv-id, or below our own topmost instance', async () => {
    const forged = await ingest(
      eml({
        from: 'Ines <ines@customer.example>',
        headers: {
          'Authentication-Results': `mx.attacker.example; dmarc=fail (p=REJECT) header.from=customer.example`,
        },
      }).raw,
    );
    expect(forged.outcome).toBe('created');
    const planted = eml({
      from: 'Hugo <hugo@customer.example>',
      // What our server wrote comes first; the second "mx.shop.example" line came with the message.
      headers: {
        'Authentication-Results': `${MX}; dmarc=pass header.from=customer.example\r\nAuthentication-Results: ${MX}; dmarc=fail (p=reject) header.from=customer.example`,
      },
    });
    expect((await ingest(planted.raw)).outcome).toBe('created');
  });
});

describe('no backscatter', () => {
  it('acknowledges a sender our server authenticated, and not one it did not (a forged From, a Reply-To naming someone else)', async () => {
    const good = await ingest(
      eml({
        from: 'Lea <lea@authentic.example>',
        headers: {
          'Authentication-Results': `${MX}; spf=pass smtp.mailfrom=authentic.example; dkim=pass header.d=authentic.example; dmarc=pass header.from=authentic.example`,
        },
      }).raw,
    );
    expect(good).toMatchObject({ outcome: 'created', acknowledgement: 'queued' });

    const forgedFrom = await ingest(
      eml({
        from: 'Victim <victim@victim.example>',
        subject: 'You won 1000 EUR: claim at http://phish.example',
        headers: {
          'Authentication-Results': `${MX}; spf=fail smtp.mailfrom=victim.example; dkim=none; dmarc=none header.from=victim.example`,
        },
      }).raw,
    );
    expect(forgedFrom).toMatchObject({
      outcome: 'created',
      acknowledgement: expect.stringContaining('the sender is not authenticated'),
    });

    const relay = await ingest(
      eml({
        from: 'attacker@evil.example',
        headers: {
          'Reply-To': 'Win A Prize <victim2@third-party.example>',
          'Authentication-Results': `${MX}; spf=pass smtp.mailfrom=evil.example; dkim=pass header.d=evil.example; dmarc=pass header.from=evil.example`,
        },
      }).raw,
    );
    expect(relay).toMatchObject({
      outcome: 'created',
      acknowledgement: expect.stringContaining('did not authenticate third-party.example'),
    });
    await settle();
    expect(mailTo('lea@authentic.example')).toHaveLength(1);
    expect(mailTo('lea@authentic.example')[0]!.parsed.text).toMatch(/^Bonjour,|^Hello,/);
    expect(mailTo('victim@victim.example')).toHaveLength(0);
    expect(mailTo('victim2@third-party.example')).toHaveLength(0);
    const [row] = await db.query<{ delivery: string; automated_reason: string }>(
      "SELECT delivery, automated_reason FROM support_message WHERE kind = 'ack' AND peer_address = 'victim@victim.example'",
    );
    expect(row).toMatchObject({ delivery: 'suppressed', automated_reason: expect.stringContaining('victim.example') });
  });

  it('with ACK_UNAUTHENTICATED=skip, acknowledges nobody our server said nothing about', async () => {
    const strict = await createTestApp(db, {
      SMTP_URL: smtp.url,
      SMTP_ALLOW_PLAIN: 'true',
      ACK_UNAUTHENTICATED: 'skip',
      SPAM_TRUSTED_AUTHSERV_ID: MX,
    });
    try {
      const result = await strict.intake.ingest(eml({ from: 'nobody-said@unknown.example' }).raw, { kind: 'test' });
      expect(result).toMatchObject({
        outcome: 'created',
        acknowledgement:
          'suppressed: our mail server reported no authentication for the sender (ACK_UNAUTHENTICATED=skip)',
      });
      await strict.outbox.idle();
    } finally {
      await strict.close();
    }
    expect(mailTo('nobody-said@unknown.example')).toHaveLength(0);
  });
});

describe('reviewing held spam', () => {
  it('lists it and releases it from the console command: the released email becomes a ticket as if it had just come', async () => {
    const held = eml({
      from: 'Marc <marc@garage.example>',
      subject: 'Commande de disques',
      headers: { 'X-Spam-Flag': 'YES' },
      body: 'Bonjour, je voudrais commander 4 disques de frein.\nMarc',
    });
    expect((await ingest(held.raw)).outcome).toBe('spam');
    const [{ id }] = (await db.query<{ id: number }>('SELECT id FROM support_spam WHERE message_id = ?', [
      held.messageId,
    ])) as [{ id: number }];
    const alice = { platform: 'console' as const, userId: 'alice' };

    const list = await app.commands.run(alice, '/ticket spam');
    expect(list.ok).toBe(true);
    expect(list.text).toContain(`#${id} `);
    expect(list.text).toContain('marc@garage.example');
    expect(list.text).toContain('"Commande de disques"');
    // Someone who is not an agent sees nothing of it.
    expect((await app.commands.run({ platform: 'console', userId: 'mallory' }, '/ticket spam')).ok).toBe(false);
    expect((await app.commands.run({ platform: 'console', userId: 'mallory' }, `/ticket spam release ${id}`)).ok).toBe(
      false,
    );

    const released = await app.commands.run(alice, `/ticket spam release ${id}`);
    expect(released).toMatchObject({
      ok: true,
      text: expect.stringMatching(
        /released by alice \(console\): it is now ticket #\d+ \(the sender is acknowledged\)/,
      ),
    });
    const ticketId = Number(/ticket #(\d+)/.exec(released.text)![1]);
    const [ticket] = await db.query<{ customer_email: string; subject: string }>(
      'SELECT customer_email, subject FROM support_ticket WHERE ticket_id = ?',
      [ticketId],
    );
    expect(ticket).toEqual({ customer_email: 'marc@garage.example', subject: 'Commande de disques' });
    await settle();
    expect(mailTo('marc@garage.example').map((m) => m.parsed.subject)).toEqual([`[#${ticketId}] Commande de disques`]);
    const [row] = await db.query<{ released_by: string; ticket_id: number }>(
      'SELECT released_by, ticket_id FROM support_spam WHERE id = ?',
      [id],
    );
    expect(row).toEqual({ released_by: 'alice (console)', ticket_id: ticketId });
    // Twice: nothing more happens.
    expect(await app.commands.run(alice, `/ticket spam release ${id}`)).toMatchObject({
      ok: false,
      text: expect.stringContaining('already released by alice (console)'),
    });
    expect(await app.commands.run(alice, '/ticket spam release 999999')).toMatchObject({
      ok: false,
      text: expect.stringContaining('There is no held email #999999'),
    });
  });

  it('lists it and releases it from the CLI', async () => {
    const held = eml({
      from: 'Nora <nora@garage.example>',
      subject: 'Devis embrayage',
      headers: { 'X-Spam': 'Yes' },
      body: "Bonjour, pouvez-vous me faire un devis pour un kit d'embrayage ?\nNora",
    });
    expect((await ingest(held.raw)).outcome).toBe('spam');
    const [{ id }] = (await db.query<{ id: number }>('SELECT id FROM support_spam WHERE message_id = ?', [
      held.messageId,
    ])) as [{ id: number }];
    const env = {
      ...commandEnv(db, app),
      SMTP_URL: smtp.url,
      SMTP_ALLOW_PLAIN: 'true',
    };

    const list = await runTicketrelay(['spam', 'list'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`#${id} `);
    expect(list.stdout).toContain('nora@garage.example');
    expect(list.stdout).toContain('npx ticketrelay spam release ID');

    const release = await runTicketrelay(['spam', 'release', String(id)], env);
    expect(release.stderr).toBe('');
    expect(release.code).toBe(0);
    expect(release.stdout).toMatch(/released by cli:\S+: it is now ticket #\d+/);
    const ticketId = Number(/ticket #(\d+)/.exec(release.stdout)![1]);
    expect(await ticketsFrom('nora@garage.example')).toBe(1);
    // The command waits for its outbox before it exits: the acknowledgement is already at the listener.
    expect(mailTo('nora@garage.example').map((m) => m.parsed.subject)).toEqual([`[#${ticketId}] Devis embrayage`]);

    const again = await runTicketrelay(['spam', 'release', String(id)], env);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('already released');
    expect((await runTicketrelay(['spam', 'release', 'abc'], env)).code).toBe(64);
  }, 120_000);

  it("is counted in the day's digest", async () => {
    const store = new MysqlReportStore(db.database);
    const digest = new DigestService({
      store,
      ledger: store,
      chart: new PngDigestChart(),
      publishers: {},
      timeZone: 'UTC',
      logger: app.logger,
    });
    const [{ n }] = (await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM support_spam')) as [{ n: number }];
    expect(n).toBeGreaterThanOrEqual(4);
    const post = await digest.compose(dayInZone(new Date(), 'UTC'));
    expect(post.text).toContain(`Held as spam: ${n} — no ticket, no acknowledgement`);
  });
});
