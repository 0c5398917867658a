import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailparserEmailParser } from '../../adapters/mailparser/mailparser-email-parser.ts';

/** A multipart/alternative email as some webmails send it: the message is in the HTML part only. */
function alternative(plain: string): Buffer {
  return Buffer.from(
    [
      'From: Jane Doe <jane@customer.example>',
      'To: support@shop.example',
      'Subject: Brake pads',
      'Message-ID: <alt.1@customer.example>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      plain,
      '--b1',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<html><body><p>Hello, the pads I received do not fit my Clio.</p><p>Jane</p></body></html>',
      '--b1--',
      '',
    ].join('\r\n'),
  );
}

describe('the body of a multipart/alternative email whose text part is blank', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ticketrelay-alt-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['a space', ' '],
    ['a newline', '\r\n'],
    ['spaces and tabs over lines', ' \t\r\n \r\n'],
  ])('is read from the HTML part when the text part is %s', async (_name, plain) => {
    const parser = new MailparserEmailParser({ attachmentDir: dir, attachmentMaxBytes: 1024 * 1024 });
    expect((await parser.parse(alternative(plain))).text).toBe(
      'Hello, the pads I received do not fit my Clio.\n\nJane',
    );
  });

  it('is the text part when it has words', async () => {
    const parser = new MailparserEmailParser({ attachmentDir: dir, attachmentMaxBytes: 1024 * 1024 });
    expect((await parser.parse(alternative('Hello, plain version.'))).text).toBe('Hello, plain version.');
  });
});

describe("Outlook's placeholders for inline images", () => {
  it('are left out of the text: a logo line and a photo pasted mid-sentence', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ticketrelay-cid-'));
    try {
      const parser = new MailparserEmailParser({ attachmentDir: dir, attachmentMaxBytes: 1024 * 1024 });
      const plain =
        'Bonjour,\r\n\r\nVoici la photo du compteur [cid:image002.jpg@01DB4513.1C2D3E40] prise ce matin.\r\n\r\nPaul\r\n[cid:image001.png@01DB4513.1C2D3E40]\r\nGarage Bellecour';
      const text = (await parser.parse(alternative(plain))).text;
      expect(text).toBe('Bonjour,\n\nVoici la photo du compteur prise ce matin.\n\nPaul\nGarage Bellecour');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a text part that holds only an inline image placeholder', () => {
  it('is read from the HTML part, where the words are', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ticketrelay-cid-'));
    try {
      const parser = new MailparserEmailParser({ attachmentDir: dir, attachmentMaxBytes: 1024 * 1024 });
      expect((await parser.parse(alternative('[cid:image001.png@01DB4512.3A8F2C10]'))).text).toBe(
        'Hello, the pads I received do not fit my Clio.\n\nJane',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** A multipart/mixed email whose second part is a message/rfc822 sent inline (mailparser renders it as text). */
function inlineEnclosed(enclosedHeaders: readonly string[]): Buffer {
  return Buffer.from(
    [
      'From: staff@mail.example',
      'To: fbl@shop.example',
      'Subject: complaint about message from 192.0.2.1',
      'Message-ID: <fbl.1@mail.example>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b2"',
      '',
      '--b2',
      'Content-Type: message/rfc822',
      'Content-Disposition: inline',
      '',
      ...enclosedHeaders,
      'From: Support <support@shop.example>',
      'To: someone@mail.example',
      'Subject: Your order',
      'Message-ID: <ticketrelay.1.a.00aa11bb22cc@shop.example>',
      '',
      'Hello',
      '',
      '--b2--',
      '',
    ].join('\r\n'),
  );
}

/** Parses one email with a parser of its own, in a folder removed afterwards. */
async function parseAlone(raw: Buffer) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ticketrelay-inline-'));
  try {
    return await new MailparserEmailParser({ attachmentDir: dir, attachmentMaxBytes: 1_000_000 }).parse(raw);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('a message/rfc822 part sent inline', () => {
  it("is read for its headers: an old Hotmail abuse report is a report citing our email's Message-ID", async () => {
    const email = await parseAlone(inlineEnclosed(['X-HmXmrOriginalRecipient: someone@mail.example']));
    expect(email.deliveryReport?.enclosedHeaders).toContain('x-hmxmroriginalrecipient');
    expect(email.deliveryReport?.originalMessageIds).toEqual(['ticketrelay.1.a.00aa11bb22cc@shop.example']);
  });

  it('makes no report of a person forwarding an email inline', async () => {
    const email = await parseAlone(inlineEnclosed([]));
    expect(email.deliveryReport).toBeNull();
    expect(email.text).toContain('Hello');
  });
});
