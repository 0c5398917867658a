/** Builds raw RFC 5322 emails for tests, the way a mail client would write them. */
export interface EmlOptions {
  from?: string | null;
  to?: string;
  cc?: string;
  subject?: string;
  messageId?: string | null;
  inReplyTo?: string;
  references?: string;
  date?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Full MIME body with its own Content-Type (replaces body). */
  mime?: { contentType: string; body: string };
}

let counter = 0;

export function eml(options: EmlOptions = {}): { raw: Buffer; messageId: string | null } {
  counter++;
  const messageId =
    options.messageId === undefined
      ? `test.${Date.now()}.${counter}.${Math.random().toString(36).slice(2)}@customer.example`
      : options.messageId;
  const lines: string[] = [];
  if (options.from !== null) lines.push(`From: ${options.from ?? 'Marie Curie <marie.curie@customer.example>'}`);
  lines.push(`To: ${options.to ?? 'Support <support@ticketrelay.test>'}`);
  if (options.cc) lines.push(`Cc: ${options.cc}`);
  lines.push(`Subject: ${options.subject ?? 'Question about my order'}`);
  lines.push(`Date: ${options.date ?? new Date().toUTCString()}`);
  if (messageId) lines.push(`Message-ID: <${messageId}>`);
  if (options.inReplyTo) lines.push(`In-Reply-To: ${options.inReplyTo}`);
  if (options.references) lines.push(`References: ${options.references}`);
  for (const [k, v] of Object.entries(options.headers ?? {})) lines.push(`${k}: ${v}`);
  lines.push('MIME-Version: 1.0');
  if (options.mime) {
    lines.push(`Content-Type: ${options.mime.contentType}`, '', options.mime.body);
  } else {
    lines.push(
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      options.body ?? 'Hello, my order has not arrived yet. Can you check?\n\nMarie',
    );
  }
  return { raw: Buffer.from(lines.join('\r\n').replace(/(?<!\r)\n/g, '\r\n'), 'utf8'), messageId };
}

/** A multipart/mixed body for `mime`: the text, then each file as a base64 attachment, as a mail client writes it. */
export function withAttachments(
  text: string,
  files: readonly { name: string; type: string; data: Buffer }[],
): { contentType: string; body: string } {
  const boundary = `files-${Math.random().toString(36).slice(2)}`;
  const parts = [
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    text,
  ];
  for (const f of files) {
    parts.push(
      `--${boundary}`,
      `Content-Type: ${f.type}; name="${f.name}"`,
      `Content-Disposition: attachment; filename="${f.name}"`,
      'Content-Transfer-Encoding: base64',
      '',
      f.data.toString('base64').replace(/.{76}/g, '$&\r\n'),
    );
  }
  parts.push(`--${boundary}--`, '');
  return { contentType: `multipart/mixed; boundary="${boundary}"`, body: parts.join('\r\n') };
}

/** A 1×1 PNG (70 bytes), for attachments that must be real images. */
export const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** A DSN as Postfix writes it; `original` is the returned headers (Message-ID of the email it is about). */
export function dsn(options: {
  from?: string;
  to?: string;
  subject?: string;
  recipient: string;
  status: string;
  action: string;
  original?: string;
  text?: string;
}) {
  const body = [
    '--rep',
    'Content-Type: text/plain',
    '',
    options.text ??
      "This is the mail system at host mx.customer.example.\n\nI'm sorry to have to inform you that your message could not be delivered.",
    '--rep',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.customer.example',
    '',
    `Final-Recipient: rfc822; ${options.recipient}`,
    `Action: ${options.action}`,
    `Status: ${options.status}`,
    `Diagnostic-Code: smtp; ${options.status.startsWith('5') ? '550 5.1.1 user unknown' : '452 4.2.2 mailbox full'}`,
    '--rep',
    'Content-Type: text/rfc822-headers',
    '',
    options.original ?? 'Message-ID: <CAF0000@mail.example.net>\nSubject: something else',
    '--rep--',
  ].join('\r\n');
  return eml({
    from: options.from ?? 'Mail Delivery System <MAILER-DAEMON@mx.customer.example>',
    ...(options.to ? { to: options.to } : {}),
    subject: options.subject ?? 'Undelivered Mail Returned to Sender',
    mime: { contentType: 'multipart/report; report-type=delivery-status; boundary="rep"', body },
  }).raw;
}
