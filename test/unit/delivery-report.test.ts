import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extractMessageIds, messageIdsFromHeaderBlock, parseDeliveryStatus } from '../../src/domain/delivery-report.ts';
import { elapsed, HUGE, LINEAR_BOUND_MS } from './hostile-input.ts';

const huge = HUGE;

// Excerpt of flanker/bounce/zed.eml (Postfix).
const POSTFIX = `Reporting-MTA: dns; mail.example.com
X-Postfix-Queue-ID: C99B61E8B12
X-Postfix-Sender: rfc822; foo@example.com
Arrival-Date: Tue,  7 Jul 2009 22:47:35 -0700 (PDT)

Final-Recipient: rfc822; asdfasdfasdfasdfasdfasdfewrqertrtyrthsfgdfgadfqeadvxzvz@gmail.com
Action: failed
Status: 5.1.1
Remote-MTA: dns; gmail-smtp-in.l.google.com
Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does
    not exist. Please try 550-5.1.1 double-checking the recipient's email
    address for typos or 550-5.1.1 unnecessary spaces. Learn more at
    550 5.1.1 http://mail.google.com/support/bin/answer.py?answer=6596
    17si20661415yxe.22
`;

// Excerpt of mikel/multipart_report_emails/multi_address_bounce1.eml, two of its recipients.
const TWO_RECIPIENTS = `Reporting-MTA: dns; lvmail01.LL.com
X-Postfix-Queue-ID: 9B7841BC027

Final-Recipient: rfc822; bbbbvhvbbvkjbhfbvbvjhb@gmail.com
Original-Recipient: rfc822;bbbbvhvbbvkjbhfbvbvjhb@gmail.com
Action: failed
Status: 5.1.1
Remote-MTA: dns; gmail-smtp-in.l.google.com

Final-Recipient: rfc822; bscdbcjhasbcjhbdscbhbsdhcbj@gmail.com
Original-Recipient: rfc822;bscdbcjhasbcjhbdscbhbsdhcbj@gmail.com
Action: failed
Status: 5.1.1
`;

describe('parseDeliveryStatus', () => {
  it('reads a Postfix report with a folded Diagnostic-Code', () => {
    expect(parseDeliveryStatus(POSTFIX)).toEqual({
      failedRecipients: ['asdfasdfasdfasdfasdfasdfewrqertrtyrthsfgdfgadfqeadvxzvz@gmail.com'],
      action: 'failed',
    });
  });

  it('reads every recipient block, in order', () => {
    expect(parseDeliveryStatus(TWO_RECIPIENTS)).toEqual({
      failedRecipients: ['bbbbvhvbbvkjbhfbvbvjhb@gmail.com', 'bscdbcjhasbcjhbdscbhbsdhcbj@gmail.com'],
      action: 'failed',
    });
  });

  it('accepts "RFC822; <addr>" (InterMail) and "rfc822;addr" (no space), and lower-cases', () => {
    const text = `Reporting-MTA: dns; schemailmta04.ci.com

Original-Recipient: rfc822;u@ci.com
Final-Recipient: RFC822; <U@CI.com>
Action: failed
Status: 5.3.0
`;
    expect(parseDeliveryStatus(text)).toEqual({ failedRecipients: ['u@ci.com'], action: 'failed' });
  });

  it('trusts Action over Status: "failed" with a 4.x.x status is a failure (flanker/bounce/delayed.eml)', () => {
    const text = `Reporting-MTA: dns; cs.example.com

Original-Recipient: rfc822;foo@example.com
Final-Recipient: rfc822;foo@example.com
Action: failed
Status: 4.0.0
Diagnostic-Code: smtp; 426 connection timed out
`;
    expect(parseDeliveryStatus(text)).toEqual({ failedRecipients: ['foo@example.com'], action: 'failed' });
  });

  it('a delayed recipient is not failed (flanker/bounce/no-mx.eml)', () => {
    const text = `Reporting-MTA: dns; example.com
Arrival-Date: Tue, 10 Jul 2012 00:09:18 -0600

Final-Recipient: rfc822; user@example.com
Status: 4.4.4
Action: delayed
Diagnostic-Code: smtp; 454 4.4.4 [internal] no MX or A for domain
`;
    expect(parseDeliveryStatus(text)).toEqual({ failedRecipients: [], action: 'delayed' });
  });

  it('without an Action, a 5.x.x Status means failed and a 4.x.x one does not', () => {
    const text = `Final-Recipient: rfc822; a@example.com
Status: 5.1.1

Final-Recipient: rfc822; b@example.com
Status: 4.4.1
`;
    expect(parseDeliveryStatus(text)).toEqual({ failedRecipients: ['a@example.com'], action: null });
  });

  it("reports the first recipient's action even when a later one failed", () => {
    const text = `Final-Recipient: rfc822; a@example.com
Action: Delayed
Status: 4.4.7

Final-Recipient: rfc822; b@example.com
Action: FAILED
Status: 5.1.1
`;
    expect(parseDeliveryStatus(text)).toEqual({ failedRecipients: ['b@example.com'], action: 'delayed' });
  });

  it('tolerates MIME headers mixed into the fields (flanker/bounce/delayed-broken.eml)', () => {
    const text = `MIME-Version: 1.0
Reporting-Mta: dns; a92.example.com
Arrival-Date: Mon, 25 Jul 2011 08:14:55 +0000
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: 7bit

MIME-Version: 1.0
Final-Recipient: RFC822; <demo@example.com>
Action: failed
Status: 4.2.2
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: 7bit
`;
    expect(parseDeliveryStatus(text)).toEqual({ failedRecipients: ['demo@example.com'], action: 'failed' });
  });

  it('handles CRLF line endings, duplicates and recipients run together without a blank line', () => {
    const text = [
      'Final-Recipient: rfc822; a@example.com',
      'Action: failed',
      'Status: 5.1.1',
      'Final-Recipient: rfc822; A@Example.com',
      'Action: failed',
      'Final-Recipient: rfc822; c@example.com',
      'Action: delivered',
      'Status: 2.0.0',
      '',
    ].join('\r\n');
    expect(parseDeliveryStatus(text)).toEqual({ failedRecipients: ['a@example.com'], action: 'failed' });
  });

  it('falls back to Original-Recipient when Final-Recipient is missing', () => {
    expect(parseDeliveryStatus('Original-Recipient: rfc822; o@example.com\nAction: failed\n')).toEqual({
      failedRecipients: ['o@example.com'],
      action: 'failed',
    });
  });

  it('returns nothing for free text, an empty part, or a recipient that is not an address', () => {
    const freeText = `This Message was undeliverable due to the following reason:


<u@ci.com> has restricted SMS e-mail

Please reply to <Postmaster@ci.com>
if you feel this message to be in error.
`;
    expect(parseDeliveryStatus(freeText)).toEqual({ failedRecipients: [], action: null });
    expect(parseDeliveryStatus('')).toEqual({ failedRecipients: [], action: null });
    expect(parseDeliveryStatus('Final-Recipient: x400; c=fr;a=atlas\nAction: failed\n')).toEqual({
      failedRecipients: [],
      action: null,
    });
  });

  it('stays fast on 2 MB of hostile input', () => {
    const ms = elapsed(() => {
      parseDeliveryStatus(`Final-Recipient: rfc822; ${' '.repeat(huge)}a@b\nAction: failed\n`);
      parseDeliveryStatus('\n'.repeat(huge));
      parseDeliveryStatus(':'.repeat(huge));
      parseDeliveryStatus(' '.repeat(huge));
      parseDeliveryStatus('Final-Recipient: rfc822; a@b\n'.repeat(huge / 28));
      parseDeliveryStatus(`Diagnostic-Code: smtp;\n${'  x\n'.repeat(huge / 4)}`);
    });
    expect(ms).toBeLessThan(LINEAR_BOUND_MS);
  });
});

describe('extractMessageIds', () => {
  it('returns every <id> without brackets, in order, de-duplicated', () => {
    expect(extractMessageIds('<a@x.example> <b@x.example>\r\n <a@x.example>\t<c@x.example>')).toEqual([
      'a@x.example',
      'b@x.example',
      'c@x.example',
    ]);
  });

  it('accepts a single bare token with an @', () => {
    expect(extractMessageIds('  20171013111011.20866@ninomail.com ')).toEqual(['20171013111011.20866@ninomail.com']);
  });

  it('rejects bare text that is not a single id', () => {
    expect(extractMessageIds('')).toEqual([]);
    expect(extractMessageIds('   ')).toEqual([]);
    expect(extractMessageIds('no-at-sign')).toEqual([]);
    expect(extractMessageIds('your message of 3 June a@b.example')).toEqual([]);
  });

  it('copes with junk around and inside the brackets', () => {
    expect(extractMessageIds('<<a@b.example>')).toEqual(['a@b.example']);
    expect(extractMessageIds('Your message <a@b.example> of Monday')).toEqual(['a@b.example']);
    expect(extractMessageIds('< a@b.example >')).toEqual(['a@b.example']);
    expect(extractMessageIds('<a@b.example')).toEqual([]);
    expect(extractMessageIds('<>')).toEqual([]);
  });

  it('keeps the head of an absurdly long References value (the oldest ids come first)', () => {
    const ids = extractMessageIds(Array.from({ length: 100_000 }, (_, i) => `<${i}@shop.example>`).join(' '));
    expect(ids[0]).toBe('0@shop.example');
    expect(ids.length).toBeGreaterThan(10_000);
    expect(ids.length).toBeLessThan(100_000);
  });

  it('drops an id longer than a header line may be', () => {
    expect(extractMessageIds(`<${'x'.repeat(2000)}@a.example> <ok@a.example>`)).toEqual(['ok@a.example']);
  });

  it('stays fast on 2 MB of brackets', () => {
    const ms = elapsed(() => {
      expect(extractMessageIds('<'.repeat(huge))).toEqual([]);
      expect(extractMessageIds('>'.repeat(huge))).toEqual([]);
      expect(extractMessageIds('<>'.repeat(huge / 2))).toEqual([]);
      expect(extractMessageIds(`<${'x'.repeat(huge)}>`)).toEqual([]);
      expect(extractMessageIds('<a@b>'.repeat(huge / 5))).toEqual(['a@b']);
      expect(extractMessageIds(`${' '.repeat(huge)}a@b`)).toEqual([]);
    });
    expect(ms).toBeLessThan(LINEAR_BOUND_MS);
  });
});

describe('messageIdsFromHeaderBlock', () => {
  it('reads Message-ID from a text/rfc822-headers part (flanker/bounce/no-mx.eml)', () => {
    const headers = `X-AuditID: ac11311d-b7f6f6d000002466-22-4ff6b94e1bef
From: <support@example.net>
To: <user@example.com>
Cc: 
Subject: Notification
Date: Fri, 6 Jul 2012 04:17:30 -0600
Message-ID: <19E44CA63F984902B7D654F8FF40F89D@bo>
MIME-Version: 1.0
Content-Type: multipart/alternative;
	boundary="----=_NextPart_000_0000_01CD5B2E.428C0BF0"
`;
    expect(messageIdsFromHeaderBlock(headers)).toEqual(['19E44CA63F984902B7D654F8FF40F89D@bo']);
  });

  it('puts Message-ID first, then In-Reply-To, then folded References, whatever the header order', () => {
    const headers = [
      'References: <r1@shop.example>',
      '\t<r2@shop.example>',
      '  <ticketrelay.83.1@support.shop.example>',
      'In-Reply-To: <ticketrelay.83.1@support.shop.example>',
      'Message-Id: <ticketrelay.83.2@support.shop.example>',
      'Subject: Re: order',
    ].join('\r\n');
    expect(messageIdsFromHeaderBlock(headers)).toEqual([
      'ticketrelay.83.2@support.shop.example',
      'ticketrelay.83.1@support.shop.example',
      'r1@shop.example',
      'r2@shop.example',
    ]);
  });

  it('stops at the end of the head of a message/rfc822, after skipping leading blank lines', () => {
    const message = `

Return-Path: <foo@example.com>
Message-ID: <head@example.com>
Subject: hi

Message-ID: <in-the-body@example.com>
`;
    expect(messageIdsFromHeaderBlock(message)).toEqual(['head@example.com']);
  });

  it('accepts a Message-ID folded onto the next line and a bare one', () => {
    expect(messageIdsFromHeaderBlock('Message-ID:\n <folded@example.com>\n')).toEqual(['folded@example.com']);
    expect(messageIdsFromHeaderBlock('Message-ID: bare@example.com\n')).toEqual(['bare@example.com']);
  });

  it('returns nothing when there is no id', () => {
    expect(messageIdsFromHeaderBlock('')).toEqual([]);
    expect(messageIdsFromHeaderBlock('Subject: hello\nFrom: a@b\n')).toEqual([]);
  });

  it('stays fast on 2 MB of hostile input', () => {
    const ms = elapsed(() => {
      messageIdsFromHeaderBlock(`Message-ID: ${'<'.repeat(huge)}`);
      messageIdsFromHeaderBlock(`References: <a@b>\n${' <a@b>\n'.repeat(huge / 7)}`);
      messageIdsFromHeaderBlock('\n'.repeat(huge));
      messageIdsFromHeaderBlock(' '.repeat(huge));
    });
    expect(ms).toBeLessThan(LINEAR_BOUND_MS);
  });
});

const CORPUS = fileURLToPath(new URL('../../../shared/corpus/mime/', import.meta.url));

/** The body of the named part of a message: after the part's headers, up to the next boundary line. */
function partBodies(relative: string, contentType: string): string[] {
  const raw = readFileSync(`${CORPUS}${relative}`, 'latin1').replace(/\r\n/g, '\n');
  const bodies: string[] = [];
  const marker = new RegExp(`content-type:\\s*${contentType.replace('/', '\\/')}[^\\n]*\\n`, 'gi');
  for (const match of raw.matchAll(marker)) {
    const bodyStart = raw.indexOf('\n\n', match.index + match[0].length - 1);
    if (bodyStart === -1) continue;
    const boundary = raw.indexOf('\n--', bodyStart);
    bodies.push(raw.slice(bodyStart + 2, boundary === -1 ? raw.length : boundary));
  }
  return bodies;
}

describe.skipIf(!existsSync(CORPUS))('delivery reports of the public MIME corpus (../shared/corpus/mime)', () => {
  it.each([
    ['flanker/bounce/delayed.eml', ['foo@example.com'], 'failed'],
    ['flanker/bounce/delayed-broken.eml', ['demo@example.com'], 'failed'],
    ['flanker/bounce/mailbox-full.eml', ['user@aol.com'], 'failed'],
    ['flanker/bounce/no-mx.eml', [], 'delayed'],
    ['flanker/bounce/office365.eml', ['noname@example.com'], 'failed'],
    ['flanker/bounce/zed.eml', ['asdfasdfasdfasdfasdfasdfewrqertrtyrthsfgdfgadfqeadvxzvz@gmail.com'], 'failed'],
    [
      'mikel/multipart_report_emails/multi_address_bounce1.eml',
      [
        'bbbbvhvbbvkjbhfbvbvjhb@gmail.com',
        'bscdbcjhasbcjhbdscbhbsdhcbj@gmail.com',
        'egyfefsdvsfvvhjsd@gmail.com',
        'kfhejkfbsjkjsbhds@gmail.com',
        'qfvhgsvhgsduiohncdhcvhsdfvsfygusd@gmail.com',
      ],
      'failed',
    ],
    ['mikel/multipart_report_emails/report_422.eml', [], 'delayed'],
    ['mikel/multipart_report_emails/report_530.eml', ['edwin@zzzzzzz.com'], 'failed'],
  ])('%s', (file, failedRecipients, action) => {
    const [body] = partBodies(file, 'message/delivery-status');
    expect(body).toBeDefined();
    expect(parseDeliveryStatus(body ?? '')).toEqual({ failedRecipients, action });
  });

  it('multipart_report_multiple_status.eml: a free-text part, then the real one', () => {
    const bodies = partBodies(
      'mikel/multipart_report_emails/multipart_report_multiple_status.eml',
      'message/delivery-status',
    );
    expect(bodies.map((body) => parseDeliveryStatus(body))).toEqual([
      { failedRecipients: [], action: null },
      { failedRecipients: ['u@ci.com'], action: 'failed' },
    ]);
  });

  it.each([
    ['flanker/bounce/no-mx.eml', 'text/rfc822-headers', ['19E44CA63F984902B7D654F8FF40F89D@bo']],
    [
      'mikel/multipart_report_emails/report_422.eml',
      'text/rfc822-headers',
      ['15655788.13.1200472642578.JavaMail.Administrator@mail.ttttt.com.au'],
    ],
    [
      'mikel/multipart_report_emails/report_530.eml',
      'text/rfc822-headers',
      ['200712232303.lBNN3jDq002941@mail12.rrrr.com.au'],
    ],
  ])('original Message-ID of %s', (file, type, ids) => {
    const [block] = partBodies(file, type);
    expect(messageIdsFromHeaderBlock(block ?? '')).toEqual(ids);
  });

  it('original Message-ID of the attached message/rfc822 in office365.eml', () => {
    const [block] = partBodies('flanker/bounce/office365.eml', 'message/rfc822');
    expect(messageIdsFromHeaderBlock(block ?? '')).toContain('20171013111011.20866.254C2F3A4D7AA526@ninomail.com');
  });
});
