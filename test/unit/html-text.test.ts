import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { htmlToPlainText } from '../../adapters/mailparser/html-text.ts';
import { MailparserEmailParser } from '../../adapters/mailparser/mailparser-email-parser.ts';

describe('an HTML-only email (Outlook with an attachment) as the agent reads it', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ticketrelay-html-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a top-level HTML body the same way: table cells apart, entities decoded', async () => {
    const parser = new MailparserEmailParser({ attachmentDir: dir, attachmentMaxBytes: 1024 * 1024 });
    const raw = [
      'From: Table Person <table@customer.example>',
      'Subject: Parts list',
      'Message-ID: <table.1@customer.example>',
      'MIME-Version: 1.0',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<html><body><p>Hello, I need:</p><table><tr><td>Part</td><td>Qty</td></tr><tr><td>Filter</td><td>2</td></tr></table><p>Thanks &amp; regards</p></body></html>',
    ].join('\r\n');
    expect((await parser.parse(Buffer.from(raw))).text).toBe(
      'Hello, I need:\n\nPart Qty\nFilter 2\n\nThanks & regards',
    );
  });

  it('has its characters, paragraphs and list items, and no stray spaces', async () => {
    const parser = new MailparserEmailParser({ attachmentDir: dir, attachmentMaxBytes: 1024 * 1024 });
    const email = await parser.parse(
      await readFile(path.resolve(import.meta.dirname, '../../examples/02-compatibility-question-html-en.eml')),
    );
    expect(email.text).toBe(
      [
        'Hello,',
        '',
        'Before I order, could you confirm that the TRW front brake pads (ref. GDB1583) fit my car? The website lists them for the Focus III but not for my exact engine.',
        '',
        '- Make / model: Ford Focus III hatchback',
        '- Year: 2014 (first registered 03/2014)',
        '- Engine: 1.0 EcoBoost 125 hp, engine code M1DA',
        '- VIN: WF0KXXGCBKEJ12345',
        '',
        'I’ve attached a photo of the VIN plate. If they don’t fit, which pads would you recommend? I also need the matching discs (278 mm?).',
        '',
        'Many thanks,',
        '',
        'Oliver Bennett',
        '',
        '+44 7700 900123',
      ].join('\n'),
    );
    expect(email.attachments.map((a) => a.filename)).toEqual(['vin-plate.png']);
  });
});

describe('HTML to text', () => {
  it('decodes named and numeric character references', () => {
    expect(
      htmlToPlainText(
        '<p>Caf&eacute; &amp; cr&egrave;me: 5&nbsp;&euro; &lt;each&gt; &quot;ok&quot; &#8217;&#x2019;&#146; &hellip;</p>',
      ),
    ).toBe('Café & crème: 5 € <each> "ok" ’’’ …');
    // An unknown name stays as written; "&amp;lt;" is the text "&lt;", not "<".
    expect(htmlToPlainText('AT&T &madeup; &amp;lt;')).toBe('AT&T &madeup; &lt;');
  });

  it('keeps lines, nested lists and quoted blocks, and drops what a reader never sees', () => {
    const html = `<html><head><title>Re: order</title><style>p { color: red }</style></head>
      <body><!-- [if mso]><p>hidden</p><![endif] -->
        <div>First line<br>second line</div>
        <ol><li>one<ul><li>one a</li></ul></li><li><p>two</p></li></ol>
        <script>alert("x")</script>
        <blockquote><p>Quoted &gt; text</p><p>more</p></blockquote>
        <table><tr><td>Order</td><td>12345</td></tr></table>
        <pre>  keep   this
  as is</pre>
        <p>5 < 6 and <b>bold</b>, <a href="https://shop.example/?a=1&amp;b=2" title="x > y">link</a>.</p>
      </body></html>`;
    expect(htmlToPlainText(html)).toBe(
      [
        'First line',
        'second line',
        '',
        '- one',
        '  - one a',
        '- two',
        '',
        '> Quoted > text',
        '>',
        '> more',
        '',
        'Order 12345',
        '',
        '  keep   this',
        '  as is',
        '',
        '5 < 6 and bold, link.',
      ].join('\n'),
    );
  });

  it('stays fast on huge or hostile HTML', () => {
    const hostile = [
      '<div>'.repeat(200_000),
      '<a title="'.repeat(100_000),
      `<p x='${"'".repeat(200_000)}`,
      '<!--'.repeat(200_000),
      '&#'.repeat(500_000),
      `&${'a'.repeat(1_000_000)}`,
      '<style>'.repeat(100_000),
      `<p>${'word &amp; '.repeat(150_000)}</p>`.repeat(1),
      '< '.repeat(500_000),
      `${'<blockquote>'.repeat(100_000)}${'line<br>'.repeat(100_000)}`,
      `${'<ul>'.repeat(100_000)}${'<li>item'.repeat(100_000)}`,
    ];
    for (const html of hostile) {
      const started = performance.now();
      htmlToPlainText(html);
      expect(performance.now() - started, html.slice(0, 20)).toBeLessThan(2000);
    }
  });
});
