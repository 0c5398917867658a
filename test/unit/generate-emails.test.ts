import { describe, expect, it } from 'vitest';
import { encodeQuotedPrintable } from '../../bench/corpus/mime.ts';
import { generateEmails, type GeneratedEmail } from '../../bench/generate-emails.ts';

function header(raw: Buffer, name: string): string | null {
  const head = raw.toString('latin1').split('\r\n\r\n')[0] ?? '';
  const m = new RegExp(`^${name}:[ \\t]*((?:.*)(?:\\r\\n[ \\t].*)*)`, 'im').exec(head);
  return m ? (m[1] ?? '').replace(/\r\n[ \t]+/g, ' ') : null;
}

function count(emails: GeneratedEmail[], pred: (e: GeneratedEmail) => boolean): number {
  return emails.filter(pred).length;
}

describe('generateEmails', () => {
  const emails = generateEmails(2000, 7);

  it('generates the requested number of emails', () => {
    expect(emails).toHaveLength(2000);
    expect(generateEmails(0, 1)).toEqual([]);
    expect(generateEmails(1, 1)).toHaveLength(1);
  });

  it('is deterministic: same seed → byte-identical output, other seed → different', () => {
    const again = generateEmails(2000, 7);
    expect(again.map((e) => e.raw.toString('base64'))).toEqual(emails.map((e) => e.raw.toString('base64')));
    expect(again.map((e) => [e.messageId, e.kind, e.language])).toEqual(
      emails.map((e) => [e.messageId, e.kind, e.language]),
    );
    const other = generateEmails(50, 8);
    expect(other[0]?.raw.equals(emails[0]?.raw ?? Buffer.alloc(0))).toBe(false);
  });

  it('has roughly the requested mix of kinds and languages', () => {
    const share = (k: GeneratedEmail['kind']): number => count(emails, (e) => e.kind === k) / emails.length;
    expect(share('new')).toBeGreaterThan(0.63);
    expect(share('new')).toBeLessThan(0.77);
    expect(share('reply')).toBeGreaterThan(0.15);
    expect(share('reply')).toBeLessThan(0.25);
    for (const k of ['auto_reply', 'bounce', 'list'] as const) {
      expect(share(k)).toBeGreaterThan(0.01);
      expect(share(k)).toBeLessThan(0.07);
    }
    const fr = count(emails, (e) => e.language === 'fr') / emails.length;
    expect(fr).toBeGreaterThan(0.48);
    expect(fr).toBeLessThan(0.62);
    const noId = count(emails, (e) => e.messageId === null) / emails.length;
    expect(noId).toBeGreaterThan(0.02);
    expect(noId).toBeLessThan(0.09);
  });

  it('uses unique Message-IDs, and the header matches the returned messageId', () => {
    const ids = emails.flatMap((e) => (e.messageId ? [e.messageId] : []));
    expect(new Set(ids).size).toBe(ids.length);
    for (const e of emails) expect(header(e.raw, 'Message-ID')).toBe(e.messageId);
  });

  it('makes replies reference an earlier email of the batch, from the same address', () => {
    const index = new Map<string, number>();
    const replies = emails.filter((e) => e.kind === 'reply');
    expect(replies.length).toBeGreaterThan(0);
    emails.forEach((e, i) => {
      if (e.kind === 'reply') {
        const irt = header(e.raw, 'In-Reply-To');
        expect(irt).not.toBeNull();
        const j = index.get(irt as string);
        expect(j).toBeDefined();
        expect(j as number).toBeLessThan(i);
        const orig = emails[j as number] as GeneratedEmail;
        expect(['new', 'reply']).toContain(orig.kind);
        expect(header(e.raw, 'References')?.split(' ')).toContain(irt);
        const addr = (h: string | null): string => /<([^>]+)>\s*$/.exec(h ?? '')?.[1] ?? h ?? '';
        expect(addr(header(e.raw, 'From'))).toBe(addr(header(orig.raw, 'From')));
        expect(e.language).toBe(orig.language);
        expect(header(e.raw, 'Subject')).toMatch(/^(Re|RE): |^=\?UTF-8\?B\?/);
      }
      if (e.messageId) index.set(e.messageId, i);
    });
  });

  it('writes CRLF line endings, no line over 998 octets, and the expected automated-mail headers', () => {
    for (const e of emails) {
      const s = e.raw.toString('latin1');
      expect(/[^\r]\n/.test(s)).toBe(false);
      expect(s.split('\r\n').every((l) => l.length <= 998)).toBe(true);
      expect(header(e.raw, 'To')).toContain('support@ticketrelay.test');
      if (e.kind === 'auto_reply') expect(header(e.raw, 'Auto-Submitted')).toBe('auto-replied');
      if (e.kind === 'bounce') {
        expect(header(e.raw, 'From')).toMatch(/<MAILER-DAEMON@/);
        expect(header(e.raw, 'Content-Type')).toMatch(/multipart\/report; report-type=delivery-status/);
        expect(s).toMatch(/Action: failed\r\nStatus: 5\.1\.1/);
        expect(s).toContain('Content-Type: text/rfc822-headers');
      }
      if (e.kind === 'list') {
        expect(header(e.raw, 'List-Id')).not.toBeNull();
        expect(header(e.raw, 'List-Unsubscribe')).not.toBeNull();
        expect(header(e.raw, 'Precedence')).toBe('bulk');
      }
    }
  });

  it('never produces two identical emails without a Message-ID', () => {
    const noId = emails.filter((e) => e.messageId === null).map((e) => e.raw.toString('base64'));
    expect(noId.length).toBeGreaterThan(0);
    expect(new Set(noId).size).toBe(noId.length);
  });

  // How fast it generates is the benchmarks' business (they print their own set-up time), not a timed test's.
  it('generates 10,000 emails in one call, each with its own Message-ID or none', () => {
    const many = generateEmails(10_000, 3);
    expect(many).toHaveLength(10_000);
    const ids = many.map((e) => e.messageId).filter((id) => id !== null);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('encodeQuotedPrintable', () => {
  it('encodes UTF-8, trailing spaces and "=", and soft-wraps at 76 columns', () => {
    expect(encodeQuotedPrintable('Coût = 12 € ')).toBe('Co=C3=BBt =3D 12 =E2=82=AC=20');
    const long = encodeQuotedPrintable('é'.repeat(100)).split('\r\n');
    expect(long.every((l) => l.length <= 76)).toBe(true);
    expect(long.slice(0, -1).every((l) => l.endsWith('='))).toBe(true);
    expect(encodeQuotedPrintable('a\nb')).toBe('a\r\nb');
  });
});
