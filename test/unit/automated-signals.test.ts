/**
 * Issue 16: every robot the issue names is recognised, with a stable reason code; and a bounce is read
 * (who failed, hard or soft, which of our emails) whatever the mail server that wrote it.
 */
import { describe, expect, it } from 'vitest';
import { classifyAutomated, type AutomatedMailInput } from '../../src/domain/automated-mail.ts';
import { bounceDetails, messageIdFromVerp, verpReturnPath, type BounceInput } from '../../src/domain/bounce.ts';

const OWN = 'support.shop.example';

function mail(
  overrides: Partial<AutomatedMailInput> & { headerList?: Array<[string, string]> } = {},
): AutomatedMailInput {
  const headers = new Map<string, string[]>();
  for (const [k, v] of overrides.headerList ?? []) headers.set(k, [...(headers.get(k) ?? []), v]);
  const rest: Partial<AutomatedMailInput> & { headerList?: unknown } = { ...overrides };
  delete rest.headerList;
  return {
    headers,
    from: { address: 'jane@example.com', name: 'Jane' },
    contentType: 'text/plain',
    reportType: null,
    messageId: 'abc.1@mail.example.com',
    deliveryReport: null,
    subject: 'Where is my order?',
    text: 'Hello, my order 1234 has not arrived. Jane',
    replyTo: [],
    ...rest,
  };
}

const code = (input: AutomatedMailInput) => classifyAutomated(input, OWN)?.code ?? null;

describe('issue 16: robots recognised, each with its code', () => {
  it('a bounce from "MAILER-DAEMON <>" or with no From at all is a bounce, not a sender-less email', () => {
    expect(
      code(
        mail({
          from: null,
          headerList: [['from', 'MAILER-DAEMON <>']],
          subject: 'Undeliverable: Brake pads',
          text: 'Delivery has failed to these recipients or groups:',
        }),
      ),
    ).toBe('bounce.no_sender');
    expect(code(mail({ from: null, subject: 'Delivery Status Notification (Failure)', text: '' }))).toBe(
      'bounce.no_sender',
    );
    expect(code(mail({ from: null, headerList: [['return-path', '<>']], subject: 'x', text: 'x' }))).toBe(
      'bounce.no_sender',
    );
    // A person's email that merely lost its From is not called a bounce.
    expect(
      code(mail({ from: null, subject: 'Delivery failed: my parcel', text: 'The parcel was returned to your depot.' })),
    ).toBeNull();
  });

  it('no-reply and post_master senders without a Reply-To a person reads: notification', () => {
    for (const address of [
      'no-reply@carrier.example',
      'noreply@shop-platform.example',
      'post_master@sms-gateway.example',
      'do-not-reply@bank.example',
      'donotreply@x.example',
      'ne-pas-repondre@transporteur.example',
    ]) {
      expect(code(mail({ from: { address, name: 'Robot' } })), address).toBe('notification.no_reply');
    }
    expect(
      code(
        mail({
          from: { address: 'noreply@carrier.example', name: '' },
          replyTo: [{ address: 'noreply@carrier.example', name: '' }],
        }),
      ),
    ).toBe('notification.no_reply');
    expect(
      code(
        mail({
          from: { address: 'noreply@partner.example', name: '' },
          replyTo: [{ address: 'claire@partner.example', name: 'Claire' }],
        }),
      ),
    ).toBeNull();
  });

  it('list managers: fml X-ML*, Loop Alert, Mailman, Sympa, majordomo, X-Loop', () => {
    expect(code(mail({ headerList: [['x-mlserver', 'fml [fml 4.0.3 release (20011202/4.0.3)]']] }))).toBe('list.x_ml');
    expect(code(mail({ headerList: [['x-ml-name', '2ndml']] }))).toBe('list.x_ml');
    expect(code(mail({ subject: 'Loop Alert: Duplicated Message-ID (2ndml ML)' }))).toBe('list.loop_alert');
    expect(code(mail({ headerList: [['x-mailman-version', '2.1.39']] }))).toBe('list.mailman');
    expect(code(mail({ from: { address: 'sympa@lists.example.org', name: 'SYMPA' } }))).toBe('list.sympa');
    expect(code(mail({ headerList: [['x-sympa-to', 'dev@lists.example.org']] }))).toBe('list.sympa');
    expect(code(mail({ from: { address: 'majordomo@lists.example.org', name: '' } }))).toBe('list.majordomo');
    expect(code(mail({ from: { address: 'parts-owner@lists.example.org', name: '' } }))).toBe('list.sender');
    expect(code(mail({ headerList: [['x-loop', 'helpdesk@vendor.example']] }))).toBe('list.x_loop');
  });

  it('vendor auto-replies: Apple, Exchange, and the subjects software writes', () => {
    expect(code(mail({ headerList: [['x-apple-action', 'VACATION']] }))).toBe('auto_reply.apple_vacation');
    expect(code(mail({ headerList: [['x-ms-exchange-generated-message-source', 'Mailbox Rules Agent']] }))).toBe(
      'auto_reply.exchange_generated',
    );
    expect(code(mail({ headerList: [['x-ms-exchange-inbox-rules-loop', 'jane@example.com']] }))).toBe(
      'auto_reply.exchange_rules_loop',
    );
    for (const subject of [
      'Auto reply: Brake pads',
      'Automatic reply: Brake pads',
      'Réponse automatique : Plaquettes',
      'Abwesenheitsnotiz: Bremsbeläge',
      '自動応答: ブレーキ',
      'AutoReply: order',
      'Out of Office: Brake pads',
      'Risposta automatica: freni',
      'Respuesta automática: frenos',
      // Exchange 2003's Latvian out-of-office, without its diacritics (bounce-email's test/non_bounces).
      'Arpus biroja atrasanas automatiska atbilde: subjecting',
      'Ārpus biroja atrašanās automātiskā atbilde: bremzes',
      'Automātiskā atbilde: bremzes',
    ]) {
      expect(code(mail({ subject })), subject).toBe('auto_reply.subject');
    }
    // Lotus Domino, and Exchange's out-of-office sent with a null sender (sisimai's rfc3834-02 and -01).
    expect(code(mail({ subject: 'AUTO: Smith, John is out of the office. (returning 05/01/2010)' }))).toBe(
      'auto_reply.subject',
    );
    expect(
      classifyAutomated(mail({ subject: 'Out of Office: I like turtles', headerList: [['return-path', '<>']] }), OWN)
        ?.kind,
    ).toBe('auto_reply');
  });

  it('Amazon SES / SNS bounce and complaint JSON in text/plain', () => {
    const bounce = JSON.stringify({
      notificationType: 'Bounce',
      bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'gone@example.com', status: '5.1.1' }] },
      mail: { messageId: 'x' },
    });
    expect(
      code(mail({ from: { address: 'no-reply@sns.amazonaws.com', name: 'AWS Notifications' }, text: bounce })),
    ).toBe('bounce.ses_json');
    const sns = JSON.stringify({
      Type: 'Notification',
      MessageId: 'm1',
      Message: JSON.stringify({ notificationType: 'Complaint', complaint: {} }),
    });
    expect(code(mail({ from: { address: 'ses@aws.example', name: '' }, text: sns }))).toBe('report.ses_complaint');
  });

  it('Hotmail abuse reports: an enclosed message with X-HmXmrOriginalRecipient', () => {
    const deliveryReport = {
      failedRecipients: [],
      originalMessageIds: [],
      action: null,
      enclosedHeaders: ['received', 'x-hmxmroriginalrecipient', 'message-id'],
    };
    expect(code(mail({ from: { address: 'staff@hotmail.com', name: '' }, deliveryReport }))).toBe(
      'report.hotmail_abuse',
    );
  });

  it('antivirus quarantine notices and challenge-response requests', () => {
    expect(
      code(
        mail({
          from: { address: 'mailscanner@gw.example', name: 'MailScanner' },
          subject: 'Virus detected in a message you sent',
          text: 'The attachment was infected and has been removed.',
        }),
      ),
    ).toBe('notification.antivirus');
    expect(
      code(
        mail({
          from: { address: 'admin@gw.example', name: '' },
          subject: '[QUARANTINE] message held',
          text: 'held in quarantine',
        }),
      ),
    ).toBe('notification.antivirus');
    expect(
      code(
        mail({
          from: { address: 'bob@example.org', name: 'Bob' },
          subject: 'Please confirm your message',
          text: 'I use a challenge-response system.',
        }),
      ),
    ).toBe('challenge.confirm_sender');
    expect(
      code(
        mail({
          from: { address: 'bob@example.org', name: 'Bob' },
          subject: 'Re: order',
          text: 'To have your message delivered, please click the link: https://www.spamarrest.com/x',
        }),
      ),
    ).toBe('challenge.confirm_sender');
    // Bluebottle-style: from the protected mailbox's own address, asking to be put on its allowed list.
    expect(
      code(
        mail({
          from: { address: 'exampleuser@bluebottle.example', name: '' },
          subject: 'RE: BLAH',
          text: "This account is protected by Bluebottle.  Please click on the\nfollowing link to have your address added to the recipient's allowed\nlist and to ensure delivery of your email.",
        }),
      ),
    ).toBe('challenge.confirm_sender');
    // A customer asking to be put on a safe-senders list is a customer.
    expect(
      code(
        mail({
          subject: 'Newsletter',
          text: 'Please add my address to your safe senders list, your mail lands in spam.',
        }),
      ),
    ).toBeNull();
    // A customer who mentions a virus is a customer.
    expect(
      code(mail({ subject: 'Virus in your PDF invoice?', text: 'My antivirus complains about the invoice you sent.' })),
    ).toBeNull();
  });

  it('bounces told by their subject or their words, not a customer writing about a parcel', () => {
    expect(
      code(
        mail({
          from: { address: 'e500_smtp_mail_service@example.org', name: '' },
          subject: 'Returned Mail - Error During Delivery',
          text: 'x',
        }),
      ),
    ).toBe('bounce.subject');
    expect(
      code(
        mail({
          from: { address: 'ndr@mx.example', name: '' },
          subject: 'Mail delivery failed: returning message to sender',
          text: 'x',
        }),
      ),
    ).toBe('bounce.subject');
    expect(
      code(
        mail({
          from: { address: 'gw@example.fr', name: '' },
          subject: 'RE: order : non remis (delivery failed)',
          text: 'Your message could not be delivered to\nuserx@example.com',
        }),
      ),
    ).toBe('bounce.text');
    expect(
      code(
        mail({
          subject: 'Delivery failed',
          text: 'Your parcel could not be delivered, the courier says the address is wrong.',
        }),
      ),
    ).toBeNull();
    expect(
      code(
        mail({
          subject: 'Fwd: Undelivered Mail Returned to Sender',
          text: 'Why does my email to you bounce? See below.',
        }),
      ),
    ).toBeNull();
    // bouncehammer's examples/17-messages.eml: a person forwards a bounce, whose lines they quote.
    const quotedBounce = [
      'Begin forwarded message:',
      '',
      '> From: Mail Delivery Subsystem <MAILER-DAEMON>',
      '> The original message was received at Thu, 16 Apr 2009 17:26:31 +0900',
      '>    ----- The following addresses had permanent fatal errors -----',
      '> Final-Recipient: RFC822; someone@docomo.ne.jp',
    ].join('\n');
    expect(code(mail({ subject: 'Fwd: Returned mail: see transcript for details', text: quotedBounce }))).toBeNull();
    expect(code(mail({ subject: 'TR: Delivery failure', text: quotedBounce.replace(/^> /gm, '') }))).toBeNull();
    expect(code(mail({ subject: 'Re: Returned mail: see transcript for details', text: quotedBounce }))).toBeNull();
    // The same words outside quoted lines, under a subject that is not a forward, stay a bounce.
    expect(code(mail({ subject: 'Delivery failure', text: quotedBounce.replace(/^> /gm, '') }))).toBe('bounce.text');
  });
});

function bounce(overrides: Partial<BounceInput>): BounceInput {
  return {
    text: '',
    deliveryReport: null,
    inReplyTo: [],
    references: [],
    from: { address: 'mailer-daemon@mx.example', name: '' },
    to: [{ address: 'support@shop.example', name: '' }],
    subject: 'Undeliverable',
    ...overrides,
  };
}

describe('bounceDetails: who failed, hard or soft, which email', () => {
  it('RFC 3464: each recipient with its own status; 5.x.x hard, 4.x.x soft', () => {
    const d = bounceDetails(
      bounce({
        deliveryReport: {
          failedRecipients: ['a@example.com'],
          originalMessageIds: ['ticketrelay.4.abc.0123456789ab@shop.example'],
          action: 'failed',
          recipients: [
            { address: 'a@example.com', action: 'failed', status: '5.1.1', diagnostic: 'smtp; 550 5.1.1 user unknown' },
            { address: 'b@example.com', action: 'delayed', status: '4.4.7', diagnostic: null },
          ],
        },
      }),
    );
    expect(d).toEqual({
      source: 'dsn',
      originalMessageIds: ['ticketrelay.4.abc.0123456789ab@shop.example'],
      recipients: [
        { address: 'a@example.com', hard: true, status: '5.1.1' },
        { address: 'b@example.com', hard: false, status: '4.4.7' },
      ],
    });
  });

  it("Postfix, qmail, Exim and Exchange in plain text, with the original's Message-ID quoted", () => {
    const postfix = bounce({
      text: 'This is the mail system at host mx.example.\n\n<gone@example.com>: host mx.example.com said: 550 5.1.1 <gone@example.com>: Recipient address rejected: User unknown\n\n--- Original message ---\nMessage-ID: <ticketrelay.9.k1.00aa11bb22cc@shop.example>\nFrom: support@shop.example\n',
    });
    expect(bounceDetails(postfix)).toMatchObject({
      source: 'text',
      recipients: [{ address: 'gone@example.com', hard: true, status: '5.1.1' }],
      originalMessageIds: ['ticketrelay.9.k1.00aa11bb22cc@shop.example'],
    });
    const qmail = bounce({
      text: "Hi. This is the qmail-send program at mx.example.\nI'm afraid I wasn't able to deliver your message to the following addresses.\n\n<full@example.net>:\n552 mailbox full, try again later\n\n--- Below this line is a copy of the message.\n\nMessage-Id: <ticketrelay.2.k2.00aa11bb22cd@shop.example>\n",
    });
    // A full mailbox is not a dead address, whatever the class of the code (sisimai and
    // Mail::DeliveryStatus::BounceParser agree): it is retried, never flagged.
    expect(bounceDetails(qmail)).toMatchObject({
      recipients: [{ address: 'full@example.net', hard: false }],
      originalMessageIds: ['ticketrelay.2.k2.00aa11bb22cd@shop.example'],
    });
    const eximDelay = bounce({
      text: 'This message was created automatically by mail delivery software.\nA message that you sent has not yet been delivered to one or more of its\nrecipients after more than 24 hours on the queue.\n\n  later@example.org\n    Delay reason: SMTP error from remote mail server after RCPT TO: 451 4.3.0 try again later\n',
    });
    expect(bounceDetails(eximDelay).recipients).toEqual([
      { address: 'later@example.org', hard: false, status: '4.3.0' },
    ]);
    const exchange = bounce({
      text: 'Delivery has failed to these recipients or groups:\n\nJohn Smith<mailto:john.smith@eu.example.com>\n\nDiagnostic information for administrators:\n\njohn.smith@eu.example.com\n#550 5.2.3 RESOLVER.RST.RecipSizeLimit; message too large ##\n',
    });
    // Too large for that mailbox (X.2.3): the address works, so it is not flagged.
    expect(bounceDetails(exchange).recipients[0]).toMatchObject({ address: 'john.smith@eu.example.com', hard: false });
    const unknown = bounce({
      text: 'Delivery has failed to these recipients or groups:\n\ngone@eu.example.com\n#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##\n',
    });
    expect(bounceDetails(unknown).recipients[0]).toMatchObject({ address: 'gone@eu.example.com', hard: true });
    // AOL names its users bare, under the daemon's own domain.
    const aol = bounce({
      from: { address: 'MAILER-DAEMON@aol.com', name: 'Mail Delivery Subsystem' },
      text: 'Sorry support@shop.example. Your mail to the following recipients could not be delivered because they are not accepting mail with attachments or embedded images:\n\tscreenname\n',
    });
    expect(bounceDetails(aol).recipients.map((r) => r.address)).toEqual(['screenname@aol.com']);
  });

  it('Amazon SES JSON, bare or inside SNS: Permanent is hard, Transient soft, the Message-ID from its headers', () => {
    const ses = {
      notificationType: 'Bounce',
      bounce: { bounceType: 'Transient', bouncedRecipients: [{ emailAddress: 'Full <full@example.com>' }] },
      mail: { headers: [{ name: 'Message-ID', value: '<ticketrelay.5.k3.00aa11bb22ce@shop.example>' }] },
    };
    expect(bounceDetails(bounce({ text: JSON.stringify(ses) }))).toEqual({
      source: 'ses',
      recipients: [{ address: 'full@example.com', hard: false, status: null }],
      originalMessageIds: ['ticketrelay.5.k3.00aa11bb22ce@shop.example'],
    });
    const sns = {
      Type: 'Notification',
      Message: JSON.stringify({
        ...ses,
        bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'gone@example.com' }] },
      }),
    };
    expect(bounceDetails(bounce({ text: JSON.stringify(sns) })).recipients).toEqual([
      { address: 'gone@example.com', hard: true, status: null },
    ]);
  });

  it('VERP: a return path per email, and only ours is read back', () => {
    const id = 'ticketrelay.83.mb2x1.4f0c2a9e11b3@shop.example';
    const path = verpReturnPath('support@shop.example', id);
    expect(path).toBe('support+bounce-83.mb2x1.4f0c2a9e11b3@shop.example');
    expect(messageIdFromVerp(['Support <support@shop.example>', `<${path}>`], 'shop.example')).toBe(id);
    expect(messageIdFromVerp(['support+other@shop.example'], 'shop.example')).toBeNull();
    expect(verpReturnPath('support@shop.example', 'CAF123@mail.gmail.com')).toBeNull();
  });
});
