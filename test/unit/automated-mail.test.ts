import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classifyAutomated, type AutomatedMailInput } from '../../src/domain/automated-mail.ts';
import { parseDeliveryStatus } from '../../src/domain/delivery-report.ts';
import type { DeliveryReport } from '../../src/domain/inbound-email.ts';
import { elapsed, HUGE, LINEAR_BOUND_MS } from './hostile-input.ts';

const OWN_DOMAIN = 'support.shop.example';

function email(overrides: Partial<AutomatedMailInput> = {}): AutomatedMailInput {
  return {
    headers: new Map(),
    from: { address: 'jane@example.com', name: 'Jane Doe' },
    contentType: 'text/plain',
    reportType: null,
    messageId: 'CAKsfaBUUGqVZiaMrmH3TRPfq1odQPtM7Ey5YW1SgyJJRHtAjgw@mail.gmail.com',
    deliveryReport: null,
    subject: 'Where is my order?',
    ...overrides,
  };
}

function withHeaders(entries: Array<[string, string[]]>, overrides: Partial<AutomatedMailInput> = {}) {
  return classifyAutomated(email({ headers: new Map(entries), ...overrides }), OWN_DOMAIN);
}

describe('classifyAutomated: a person wrote it', () => {
  it('returns null for a normal customer email', () => {
    const headers = new Map([
      ['from', ['Jane Doe <jane@example.com>']],
      ['to', ['support@shop.example']],
      ['subject', ['Where is my order?']],
      ['return-path', ['<jane@example.com>']],
      ['x-mailer', ['iPhone Mail (8J2)']],
    ]);
    expect(classifyAutomated(email({ headers }), OWN_DOMAIN)).toBeNull();
  });

  it('treats Auto-Submitted: no as human, whatever its case and spacing', () => {
    expect(withHeaders([['auto-submitted', ['no']]])).toBeNull();
    expect(withHeaders([['auto-submitted', ['  No ']]])).toBeNull();
    expect(withHeaders([['auto-submitted', ['NO (sent by a person)']]])).toBeNull();
  });

  it('does not classify on a subject a person could write', () => {
    // "Automatic reply: …" and "Réponse automatique" are software's words: they count since issue 16 (see below).
    for (const subject of [
      'Out of office',
      'Absence du bureau',
      'Delivery failed',
      'My parcel was returned',
      'Auto parts question',
      'Re: Undeliverable parcel',
    ]) {
      expect(classifyAutomated(email({ subject }), OWN_DOMAIN)).toBeNull();
    }
  });

  it('does not take a "Mail Delivery Subsystem" display name alone as a bounce', () => {
    const from = { address: 'jane@example.com', name: 'Mail Delivery Subsystem' };
    expect(classifyAutomated(email({ from }), OWN_DOMAIN)).toBeNull();
  });

  it('ignores an empty X-Auto-Response-Suppress, a real Return-Path and other precedences', () => {
    expect(withHeaders([['x-auto-response-suppress', ['']]])).toBeNull();
    expect(withHeaders([['x-auto-response-suppress', ['   ']]])).toBeNull();
    expect(withHeaders([['return-path', ['<jane@example.com>']]])).toBeNull();
    expect(withHeaders([['precedence', ['first-class']]])).toBeNull();
    expect(withHeaders([['precedence', ['']]])).toBeNull();
  });

  it('does not take a Message-ID from another domain, or without our prefix, as a loop', () => {
    expect(classifyAutomated(email({ messageId: 'ticketrelay.83.x@other.example' }), OWN_DOMAIN)).toBeNull();
    expect(classifyAutomated(email({ messageId: 'abc.83@support.shop.example' }), OWN_DOMAIN)).toBeNull();
    expect(classifyAutomated(email({ messageId: 'ticketrelay.83@evil-support.shop.example' }), OWN_DOMAIN)).toBeNull();
    expect(classifyAutomated(email({ messageId: 'ticketrelay.83.x@support.shop.example' }), '')).toBeNull();
  });
});

describe('classifyAutomated: Auto-Submitted', () => {
  it('auto-replied → auto_reply', () => {
    expect(withHeaders([['auto-submitted', ['auto-replied']]])).toEqual({
      kind: 'auto_reply',
      code: 'auto_reply.auto_submitted',
      reason: 'Auto-Submitted: auto-replied',
    });
  });

  it('reads the value case-insensitively and ignores parameters', () => {
    expect(withHeaders([['auto-submitted', ['  Auto-Replied; owner-email="jane@example.com"']]])).toEqual({
      kind: 'auto_reply',
      code: 'auto_reply.auto_submitted',
      reason: 'Auto-Submitted: auto-replied',
    });
  });

  it('auto-generated and auto-notified → auto_reply', () => {
    expect(withHeaders([['auto-submitted', ['auto-generated']]])).toEqual({
      kind: 'auto_reply',
      code: 'auto_reply.auto_submitted',
      reason: 'Auto-Submitted: auto-generated',
    });
    expect(withHeaders([['auto-submitted', ['Auto-Notified']]])?.kind).toBe('auto_reply');
  });

  it('any value other than no counts, including an unknown or empty one', () => {
    expect(withHeaders([['auto-submitted', ['yes']]])?.kind).toBe('auto_reply');
    expect(withHeaders([['auto-submitted', ['']]])).toEqual({
      kind: 'auto_reply',
      code: 'auto_reply.auto_submitted',
      reason: 'Auto-Submitted: (empty)',
    });
    expect(withHeaders([['auto-submitted', ['no', 'auto-replied']]])?.kind).toBe('auto_reply');
  });

  it('auto-generated gives way to bounce evidence', () => {
    expect(
      withHeaders([
        ['auto-submitted', ['auto-generated']],
        ['x-failed-recipients', ['x@y.example']],
      ])?.kind,
    ).toBe('bounce');
    expect(
      withHeaders([
        ['auto-submitted', ['auto-generated']],
        ['return-path', ['<>']],
      ]),
    ).toEqual({
      kind: 'bounce',
      code: 'bounce.null_sender',
      reason: 'Return-Path: <>',
    });
    expect(
      withHeaders([['auto-submitted', ['auto-notified']]], { from: { address: 'mailer-daemon@mx.example', name: '' } })
        ?.kind,
    ).toBe('bounce');
  });

  it('an explicit auto-reply sent with a null Return-Path (RFC 3834, Sieve vacation) stays an auto_reply', () => {
    expect(
      withHeaders([
        ['auto-submitted', ['auto-replied']],
        ['return-path', ['<>']],
      ])?.kind,
    ).toBe('auto_reply');
  });
});

describe('classifyAutomated: Precedence', () => {
  it('list → list, bulk/junk → bulk, auto_reply → auto_reply', () => {
    expect(withHeaders([['precedence', ['list']]])).toEqual({
      kind: 'list',
      code: 'list.precedence',
      reason: 'Precedence: list',
    });
    expect(withHeaders([['precedence', ['bulk']]])).toEqual({
      kind: 'bulk',
      code: 'bulk.precedence',
      reason: 'Precedence: bulk',
    });
    expect(withHeaders([['precedence', [' JUNK ']]])).toEqual({
      kind: 'bulk',
      code: 'bulk.precedence',
      reason: 'Precedence: junk',
    });
    expect(withHeaders([['precedence', ['Auto_Reply']]])).toEqual({
      kind: 'auto_reply',
      code: 'auto_reply.precedence',
      reason: 'Precedence: auto_reply',
    });
  });
});

describe('classifyAutomated: auto-reply headers', () => {
  it('X-Auto-Response-Suppress with a value → auto_reply (Outlook)', () => {
    expect(withHeaders([['x-auto-response-suppress', ['All']]])).toEqual({
      kind: 'auto_reply',
      code: 'auto_reply.x_auto_response_suppress',
      reason: 'X-Auto-Response-Suppress: All',
    });
    expect(withHeaders([['x-auto-response-suppress', ['DR, RN, NRN, OOF, AutoReply']]])?.kind).toBe('auto_reply');
  });

  it.each([
    ['x-autoreply', 'X-Autoreply'],
    ['x-autorespond', 'X-Autorespond'],
    ['x-autoresponder', 'X-Autoresponder'],
    ['x-autoreply-from', 'X-AutoReply-From'],
    ['x-mail-autoreply', 'X-Mail-Autoreply'],
  ])('%s → auto_reply', (name, label) => {
    expect(withHeaders([[name, ['yes']]])).toEqual({
      kind: 'auto_reply',
      code: `auto_reply.${name.replace(/-/g, '_')}`,
      reason: `${label}: yes`,
    });
    expect(withHeaders([[name, ['']]])).toEqual({
      kind: 'auto_reply',
      code: `auto_reply.${name.replace(/-/g, '_')}`,
      reason: label,
    });
  });

  it('an explicit "no" in that family is not evidence', () => {
    expect(withHeaders([['x-autoreply', ['no']]])).toBeNull();
  });
});

describe('classifyAutomated: mailing lists', () => {
  it.each([
    ['list-id', 'List-Id', 'Shop news <news.shop.example>'],
    ['list-unsubscribe', 'List-Unsubscribe', '<mailto:unsubscribe@news.example>, <https://news.example/u/1>'],
    ['list-post', 'List-Post', '<mailto:dev@lists.example>'],
  ])('%s → list', (name, label, value) => {
    expect(withHeaders([[name, [value]]])).toEqual({
      kind: 'list',
      code: `list.${name.replace(/-/g, '_')}`,
      reason: `${label}: ${value}`,
    });
  });

  it('a list header wins over Precedence: bulk', () => {
    expect(
      withHeaders([
        ['precedence', ['bulk']],
        ['list-unsubscribe', ['<mailto:u@x.example>']],
      ])?.kind,
    ).toBe('list');
  });
});

describe('classifyAutomated: bounces', () => {
  it('Return-Path: <> → bounce', () => {
    expect(withHeaders([['return-path', ['<>']]])).toEqual({
      kind: 'bounce',
      code: 'bounce.null_sender',
      reason: 'Return-Path: <>',
    });
    expect(withHeaders([['return-path', ['  < >  ']]])?.kind).toBe('bounce');
  });

  it.each([
    'mailer-daemon@googlemail.com',
    'MAILER-DAEMON@CS.EXAMPLE.COM',
    'postmaster@example.no',
    'Postmaster@ci.com',
  ])('From %s → bounce', (address) => {
    const verdict = classifyAutomated(email({ from: { address, name: 'Mail Delivery Subsystem' } }), OWN_DOMAIN);
    expect(verdict).toEqual({ kind: 'bounce', code: 'bounce.mailer_daemon', reason: `From ${address}` });
  });

  it('multipart/report; report-type=delivery-status → bounce', () => {
    expect(
      classifyAutomated(email({ contentType: 'multipart/report', reportType: 'delivery-status' }), OWN_DOMAIN),
    ).toEqual({ kind: 'bounce', code: 'bounce.dsn', reason: 'multipart/report; report-type=delivery-status' });
    expect(
      classifyAutomated(email({ contentType: ' Multipart/Report ', reportType: ' "Delivery-Status" ' }), OWN_DOMAIN)
        ?.kind,
    ).toBe('bounce');
  });

  it('reads report-type from a raw Content-Type when the adapter left reportType empty', () => {
    const contentType = 'multipart/report; report-type=delivery-status; boundary="b1"';
    expect(classifyAutomated(email({ contentType }), OWN_DOMAIN)?.kind).toBe('bounce');
  });

  it('X-Failed-Recipients → bounce', () => {
    expect(withHeaders([['x-failed-recipients', ['user@example.comm']]])).toEqual({
      kind: 'bounce',
      code: 'bounce.x_failed_recipients',
      reason: 'X-Failed-Recipients: user@example.comm',
    });
  });

  it('a parsed delivery report with failed recipients → bounce', () => {
    const deliveryReport: DeliveryReport = {
      failedRecipients: ['demo@example.com'],
      originalMessageIds: [],
      action: 'failed',
    };
    expect(classifyAutomated(email({ deliveryReport }), OWN_DOMAIN)).toEqual({
      kind: 'bounce',
      code: 'bounce.report',
      reason: 'delivery report: failed for demo@example.com',
    });
  });

  it('a delivery report that only says "delayed" is still a bounce-type notice', () => {
    const deliveryReport: DeliveryReport = { failedRecipients: [], originalMessageIds: [], action: 'delayed' };
    expect(classifyAutomated(email({ deliveryReport }), OWN_DOMAIN)?.kind).toBe('bounce');
  });
});

describe('classifyAutomated: reports', () => {
  it.each([
    ['disposition-notification', 'multipart/report; report-type=disposition-notification'],
    ['feedback-report', 'multipart/report; report-type=feedback-report'],
    ['something-else', 'multipart/report; report-type=something-else'],
  ])('multipart/report %s → report', (reportType, reason) => {
    const code =
      reportType === 'feedback-report'
        ? 'report.arf'
        : reportType === 'disposition-notification'
          ? 'report.mdn'
          : 'report.other';
    expect(classifyAutomated(email({ contentType: 'multipart/report', reportType }), OWN_DOMAIN)).toEqual({
      kind: 'report',
      code,
      reason,
    });
  });

  it('multipart/report without a report type → report', () => {
    expect(classifyAutomated(email({ contentType: 'multipart/report' }), OWN_DOMAIN)).toEqual({
      kind: 'report',
      code: 'report.other',
      reason: 'multipart/report',
    });
  });

  it('a disposition (read receipt) found by the adapter → report', () => {
    const deliveryReport: DeliveryReport = { failedRecipients: [], originalMessageIds: [], action: 'displayed' };
    expect(classifyAutomated(email({ deliveryReport }), OWN_DOMAIN)?.kind).toBe('report');
  });

  it('a read receipt sent with a null Return-Path is a report, not a bounce', () => {
    expect(
      withHeaders([['return-path', ['<>']]], {
        contentType: 'multipart/report',
        reportType: 'disposition-notification',
      })?.kind,
    ).toBe('report');
  });
});

describe('classifyAutomated: loops', () => {
  it('our own Message-ID coming back → loop', () => {
    const verdict = classifyAutomated(
      email({ messageId: 'ticketrelay.83.1717405200000@support.shop.example' }),
      OWN_DOMAIN,
    );
    expect(verdict).toEqual({
      kind: 'loop',
      code: 'loop.message_id',
      reason: 'Message-ID: <ticketrelay.83.1717405200000@support.shop.example>',
    });
  });

  it('matches the domain case-insensitively and tolerates brackets', () => {
    expect(
      classifyAutomated(email({ messageId: '<TicketRelay.83.x@Support.Shop.Example>' }), 'SUPPORT.shop.example')?.kind,
    ).toBe('loop');
  });

  it('X-Ticketrelay-Ticket present → loop', () => {
    expect(withHeaders([['x-ticketrelay-ticket', ['83']]])).toEqual({
      kind: 'loop',
      code: 'loop.marker',
      reason: 'X-Ticketrelay-Ticket: 83',
    });
    expect(withHeaders([['x-ticketrelay-ticket', ['']]])?.kind).toBe('loop');
  });
});

describe('classifyAutomated: order of evidence', () => {
  it('loop before bounce', () => {
    expect(
      withHeaders(
        [
          ['x-ticketrelay-ticket', ['83']],
          ['return-path', ['<>']],
        ],
        {
          from: { address: 'mailer-daemon@mx.example', name: '' },
        },
      )?.kind,
    ).toBe('loop');
  });

  it('bounce before report and auto_reply (Office 365 NDRs carry Auto-Submitted: auto-replied)', () => {
    expect(
      withHeaders([['auto-submitted', ['auto-replied']]], {
        contentType: 'multipart/report',
        reportType: 'delivery-status',
        from: { address: 'postmaster@example.no', name: '' },
      }),
    ).toEqual({ kind: 'bounce', code: 'bounce.dsn', reason: 'multipart/report; report-type=delivery-status' });
  });

  it('report before auto_reply and list (AOL complaints carry Precedence: list)', () => {
    expect(
      withHeaders(
        [
          ['precedence', ['list']],
          ['auto-submitted', ['auto-generated']],
        ],
        {
          contentType: 'multipart/report',
          reportType: 'feedback-report',
        },
      )?.kind,
    ).toBe('report');
  });

  it('auto_reply before list and bulk', () => {
    expect(
      withHeaders([
        ['list-id', ['<l.example>']],
        ['auto-submitted', ['auto-generated']],
      ])?.kind,
    ).toBe('auto_reply');
    expect(
      withHeaders([
        ['precedence', ['bulk']],
        ['x-autoreply', ['yes']],
      ])?.kind,
    ).toBe('auto_reply');
  });
});

describe('classifyAutomated: hostile input', () => {
  const huge = HUGE;

  it('keeps reasons short when a header value is huge', () => {
    const verdict = withHeaders([['list-id', ['x'.repeat(huge)]]]);
    expect(verdict?.kind).toBe('list');
    expect(verdict?.reason.length).toBeLessThan(200);
  });

  it('handles 2 MB header values of spaces, brackets and semicolons quickly', () => {
    const ms = elapsed(() => {
      expect(
        withHeaders([
          ['auto-submitted', [' '.repeat(huge) + 'no']],
          ['precedence', [';'.repeat(huge)]],
          ['return-path', ['<'.repeat(huge)]],
          ['x-auto-response-suppress', [' '.repeat(huge)]],
        ]),
      ).toBeNull();
      expect(
        classifyAutomated(
          email({
            contentType: 'multipart/report;' + ' '.repeat(huge),
            messageId: 'ticketrelay.' + '>'.repeat(huge),
            from: { address: 'x'.repeat(huge) + '@example.com', name: '' },
          }),
          OWN_DOMAIN,
        )?.kind,
      ).toBe('report');
    });
    expect(ms).toBeLessThan(LINEAR_BOUND_MS);
  });
});

const CORPUS = fileURLToPath(new URL('../../../shared/corpus/mime/', import.meta.url));
const hasCorpus = existsSync(CORPUS);

/**
 * Just enough of an .eml reader for these tests: the top-level headers, unfolded and lower-cased, and
 * the body of the message/delivery-status part that has fields in it.
 */
function loadEml(relative: string): AutomatedMailInput {
  const raw = readFileSync(`${CORPUS}${relative}`, 'latin1').replace(/\r\n/g, '\n');
  const headEnd = raw.indexOf('\n\n');
  const head = headEnd === -1 ? raw : raw.slice(0, headEnd);
  const headers = new Map<string, string[]>();
  let last: string[] | null = null;
  for (const line of head.split('\n')) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && last !== null) {
      last[last.length - 1] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    last = headers.get(name) ?? [];
    last.push(line.slice(colon + 1).trim());
    headers.set(name, last);
  }
  const contentType = headers.get('content-type')?.[0] ?? 'text/plain';
  const reportType = /report-type="?([\w-]+)/i.exec(contentType)?.[1]?.toLowerCase() ?? null;
  const fromValue = headers.get('from')?.[0] ?? '';
  const address = (/<([^>]*)>/.exec(fromValue)?.[1] ?? fromValue).trim().toLowerCase();

  let deliveryReport: DeliveryReport | null = null;
  for (const match of raw.matchAll(/content-type:\s*message\/delivery-status[^\n]*\n/gi)) {
    const partStart = match.index + match[0].length;
    const bodyStart = raw.indexOf('\n\n', partStart - 1);
    if (bodyStart === -1) continue;
    const boundary = raw.indexOf('\n--', bodyStart);
    const parsed = parseDeliveryStatus(raw.slice(bodyStart, boundary === -1 ? raw.length : boundary));
    if (parsed.action !== null || parsed.failedRecipients.length > 0) {
      deliveryReport = { ...parsed, originalMessageIds: [] };
      break;
    }
  }

  return {
    headers,
    from: address === '' ? null : { address, name: '' },
    contentType: (contentType.split(';')[0] ?? '').trim().toLowerCase(),
    reportType,
    messageId: null,
    deliveryReport,
    subject: headers.get('subject')?.[0] ?? '',
  };
}

describe.skipIf(!hasCorpus)('classifyAutomated on the public MIME corpus (../shared/corpus/mime)', () => {
  it.each([
    ['flanker/bounce/broken-mime.eml', 'From postmaster@example.com'],
    ['flanker/bounce/delayed-broken.eml', 'delivery report: failed for demo@example.com'],
    ['flanker/bounce/delayed.eml', 'multipart/report; report-type=delivery-status'],
    ['flanker/bounce/gmail-invalid-address.eml', 'X-Failed-Recipients: awfawfawfawfawfaw@someserverhere.com'],
    ['flanker/bounce/gmail-no-dns.eml', 'X-Failed-Recipients: user@example.comm'],
    ['flanker/bounce/mailbox-full.eml', 'multipart/report; report-type=delivery-status'],
    ['flanker/bounce/no-mx.eml', 'multipart/report; report-type=delivery-status'],
    ['flanker/bounce/office365.eml', 'multipart/report; report-type=delivery-status'],
    ['flanker/bounce/zed.eml', 'multipart/report; report-type=delivery-status'],
    ['mikel/multipart_report_emails/multi_address_bounce1.eml', 'multipart/report; report-type=delivery-status'],
    [
      'mikel/multipart_report_emails/multipart_report_multiple_status.eml',
      'multipart/report; report-type=delivery-status',
    ],
    ['mikel/multipart_report_emails/report_422.eml', 'multipart/report; report-type=delivery-status'],
    ['mikel/multipart_report_emails/report_530.eml', 'multipart/report; report-type=delivery-status'],
  ])('%s is a bounce', (file, reason) => {
    const code = reason.startsWith('From ')
      ? 'bounce.mailer_daemon'
      : reason.startsWith('X-Failed')
        ? 'bounce.x_failed_recipients'
        : reason.startsWith('delivery report')
          ? 'bounce.report'
          : 'bounce.dsn';
    expect(classifyAutomated(loadEml(file), OWN_DOMAIN)).toEqual({ kind: 'bounce', code, reason });
  });

  it.each([
    ['flanker/complaints/aol.eml', 'multipart/report; report-type=feedback-report'],
    ['flanker/complaints/yahoo.eml', 'multipart/report; report-type=feedback-report'],
    ['flanker/disposition-notification.eml', 'multipart/report; report-type=disposition-notification'],
  ])('%s is a report', (file, reason) => {
    const code = reason.includes('feedback-report') ? 'report.arf' : 'report.mdn';
    expect(classifyAutomated(loadEml(file), OWN_DOMAIN)).toEqual({ kind: 'report', code, reason });
  });

  it('a mailing-list message is list, a Precedence: bulk one is bulk', () => {
    expect(classifyAutomated(loadEml('stalwart/thirdparty/014.eml'), OWN_DOMAIN)?.kind).toBe('list');
    expect(classifyAutomated(loadEml('flanker/apache-message-news-mime.eml'), OWN_DOMAIN)).toEqual({
      kind: 'bulk',
      code: 'bulk.precedence',
      reason: 'Precedence: bulk',
    });
  });

  it.each([
    'flanker/iphone.eml',
    'flanker/text-only.eml',
    'flanker/outlook-express.eml',
    'flanker/bilingual-simple.eml',
  ])('%s was written by a person', (file) => {
    expect(classifyAutomated(loadEml(file), OWN_DOMAIN)).toBeNull();
  });
});
