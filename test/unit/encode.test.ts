import { describe, expect, it } from 'vitest';
import {
  decodeHtmlText,
  clipEncoded,
  discordPlain,
  discordText,
  htmlSafeJson,
  htmlText,
  htmlTextWithin,
  slackText,
  terminalText,
} from '../../src/domain/encode.ts';
import { composeLegacyContent, parseLegacyContent, replaceLegacyMetadata } from '../../adapters/mysql/legacy-format.ts';

describe('HTML for the columns the old site prints', () => {
  it('escapes the five characters, entities included, and reads back as typed', () => {
    const typed = `<img src=x onerror="a('b')"> &lt;b&gt; AT&T`;
    const stored = htmlText(typed);
    expect(stored).toBe('&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt; &amp;lt;b&amp;gt; AT&amp;T');
    expect(stored).not.toMatch(/[<>"']/);
    expect(decodeHtmlText(stored)).toBe(typed);
  });

  it('keeps a name within its column without cutting an entity', () => {
    expect(htmlTextWithin('ab<c', 5)).toBe('ab');
    expect(htmlTextWithin('ab<c', 6)).toBe('ab&lt;');
  });

  it('writes the metadata block as JSON with no markup that parses to the same values', () => {
    const metadata = {
      priority: 'normal',
      category: 'general',
      created_at: 'x',
      attachments: [{ name: `<a href='javascript:x()'>i</a>&.pdf` }],
    } as const;
    const json = htmlSafeJson(metadata);
    expect(json).not.toMatch(/[<>&']/);
    expect(JSON.parse(json)).toEqual(metadata);
    const content = composeLegacyContent('<svg onload=x()> "quoted"', metadata);
    expect(content).not.toMatch(/[<>']/);
    expect(parseLegacyContent(content)).toEqual({ text: '<svg onload=x()> "quoted"', metadata });
  });

  it('changes only the block of a row the old site wrote', () => {
    const old =
      '<p>Bonjour</p>\n\n--- MÉTADONNÉES ---\n{"priority":"haute","category":"x","created_at":"2024-1-1 10:00:00"}';
    const next = replaceLegacyMetadata(old, { priority: 'high', category: 'general', created_at: '2024-1-1 10:00:00' });
    expect(next.startsWith('<p>Bonjour</p>\n\n--- MÉTADONNÉES ---\n{"priority":"high"')).toBe(true);
  });
});

describe('Slack mrkdwn', () => {
  it('leaves no mention or link form', () => {
    for (const v of [
      '<!channel>',
      '<!here>',
      '<!everyone>',
      '<@UBOSS>',
      '<#CRED|general>',
      '<!subteam^S123>',
      '<https://phish.example|https://shop.example>',
    ]) {
      expect(slackText(v)).not.toMatch(/[<>]/);
    }
    expect(slackText('a & b')).toBe('a &amp; b');
  });
});

describe('Discord markdown', () => {
  it('escapes masked links, headers, spoilers, mentions and code, and reads back as typed', () => {
    const typed =
      '# HUGE\n> quote\n- item\n1. first\n[Verify](https://phish.example) ||spoiler|| @everyone <@123> `x` **b** ~~s~~ a\\.b';
    const out = discordText(typed);
    expect(out).toBe(
      '\\# HUGE\n\\> quote\n\\- item\n1\\. first\n\\[Verify\\](<https://phish.example>) \\|\\|spoiler\\|\\| @\u200beveryone \\<@123> \\`x\\` \\*\\*b\\*\\* \\~\\~s\\~\\~ a\\\\.b',
    );
    expect(discordPlain(out)).toBe(typed);
    expect(discordText('Ticket #4 "Brake (rear)" closed by ada@shop.example.')).toBe(
      'Ticket #4 "Brake (rear)" closed by ada@shop.example.',
    );
  });
});

describe('Discord links (security review, finding 10)', () => {
  it('keeps every URL whole inside <…> (a link, no embed, never a masked link) and reads back as typed', () => {
    const typed =
      'Log in at https://phish.example/login_now*x. or (https://phish.example/a) [shop](https://phish.example/b) ' +
      '[x](<https://phish.example/c>) <https://phish.example/d|https://shop.example> steam://run/1 @here https://x.example/@everyone';
    const out = discordText(typed);
    expect(out).toBe(
      'Log in at <https://phish.example/login_now*x>. or (<https://phish.example/a>) \\[shop\\](<https://phish.example/b>) ' +
        '\\[x\\](\\<<https://phish.example/c>>) \\<<https://phish.example/d|https://shop.example>> <steam://run/1> @\u200bhere <https://x.example/@everyone>',
    );
    // No URL outside our <…>, and no masked link: what the agent sees is the address the link goes to.
    expect(out.replace(/(?<!\\)<[a-z]+:\/\/[^\s<>]+>/g, '')).not.toMatch(/[a-z]+:\/\//);
    expect(out).not.toMatch(/(?<!\\)\]\(/);
    expect(discordPlain(out)).toBe(typed);
  });

  it('clips encoded text without cutting an escape, an entity or a <URL> in two', () => {
    const link = discordText('see https://phish.example/a-long-path-here');
    expect(clipEncoded(link, 20)).toBe('see …');
    expect(clipEncoded(discordText('a **b**'), 6)).toBe('a \\*…');
    expect(clipEncoded(slackText('a <!channel>'), 6)).toBe('a …');
    expect(clipEncoded('short', 5)).toBe('short');
  });
});

describe('terminals', () => {
  it('removes escape sequences and controls, keeps lines when asked', () => {
    const hostile =
      'Order late\u001b]0;PWNED\u0007\u001b]52;c;Y3VybA==\u0007\u001b[2J\u001b[1;1HAll good\n\u001b[8mhidden\u001b[0m\t\u001b]8;;https://phish.example\u001b\\https://shop.example\u001b]8;;\u001b\\\r\u009b31m\u202eevil\u0000';
    const out = terminalText(hostile);
    expect(out).toBe('Order lateAll good\nhidden    https://shop.example\nevil');
    expect(terminalText('a\nb', { lines: false })).toBe('a b');
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });
});
