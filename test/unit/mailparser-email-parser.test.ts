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
    expect((await parser.parse(alternative(plain))).text).toBe('Hello, the pads I received do not fit my Clio.\n\nJane');
  });

  it('is the text part when it has words', async () => {
    const parser = new MailparserEmailParser({ attachmentDir: dir, attachmentMaxBytes: 1024 * 1024 });
    expect((await parser.parse(alternative('Hello, plain version.'))).text).toBe('Hello, plain version.');
  });
});
