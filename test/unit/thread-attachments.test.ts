/**
 * The files under an email of `/ticket view`, as each renderer shows them: whole, within Slack's and
 * Discord's limits, with the text of a long email giving way to them.
 */
import { describe, expect, it } from 'vitest';
import { renderReply as renderDiscord } from '../../adapters/discord/discord-render.ts';
import { renderReply as renderSlack } from '../../adapters/slack/slack-render.ts';
import {
  formatCard,
  formatSize,
  notKeptReason,
  type CommandReply,
  type ThreadAttachment,
  type TicketCard,
} from '../../src/domain/command.ts';

const at = new Date('2026-03-14T09:30:00Z');
const photo: ThreadAttachment = { filename: 'mirror.png', contentType: 'image/png', size: 70, notKept: null };
const video: ThreadAttachment = {
  filename: 'noise.mp4',
  contentType: 'video/mp4',
  size: 31_457_280,
  notKept: notKeptReason('oversized', 31_457_280, 25 * 1024 * 1024),
};

/** The texts of a Slack message's sections, as Slack shows them. */
function sectionTexts(reply: CommandReply): string[] {
  const blocks = (renderSlack(reply).attachments?.[0]?.blocks ?? []) as unknown as {
    type: string;
    text?: { text: string };
  }[];
  return blocks.filter((b) => b.type === 'section').map((b) => b.text?.text ?? '');
}

function card(text: string, attachments: readonly ThreadAttachment[]): CommandReply {
  const view: TicketCard = {
    kind: 'ticket',
    ticket: {
      ticketId: 12,
      subject: 'Strange noise',
      customer: 'lena.roy@customer.example',
      status: 'open',
      priority: 'normal',
      category: 'technical',
      createdAt: at,
      assignee: null,
      triaged: true,
    },
    customerEmail: 'lena.roy@customer.example',
    reasons: [],
    thread: [
      { from: 'lena.roy@customer.example', at, text: 'It rattles.', byStaff: false, internal: false, attachments: [] },
      { from: 'lena@work.example', at, text, byStaff: false, internal: false, attachments },
    ],
    actions: ['reply'],
  };
  return { ok: true, ephemeral: true, text: formatCard(view), view };
}

describe('attachments in /ticket view', () => {
  it('sizes files in KB and MB, and says why one was not kept', () => {
    expect([70, 3 * 1024, 48_900, 1_047_000, 1_048_400, 2.5 * 1024 * 1024, 25 * 1024 * 1024].map(formatSize)).toEqual([
      '70 B',
      '3 KB',
      '48 KB',
      '1022 KB',
      '1 MB',
      '2.5 MB',
      '25 MB',
    ]);
    expect(notKeptReason('oversized', 30 * 1024 * 1024, 25 * 1024 * 1024)).toBe('larger than the 25 MB limit');
    // The limit was raised since: the one the file broke is not known any more.
    expect(notKeptReason('oversized', 3 * 1024, 10 * 1024 * 1024)).toBe('larger than the size limit when it arrived');
  });

  it('prints one line per file under its email on the console', () => {
    const lines = card('Here is the video.', [photo, video]).text.split('\n');
    expect(lines.slice(-3)).toEqual([
      '  Here is the video.',
      '  Attachment: mirror.png · image/png · 70 B',
      '  Attachment: noise.mp4 · video/mp4 · 30 MB · not kept: larger than the 25 MB limit',
    ]);
    expect(lines.filter((l) => l.includes('Attachment:'))).toHaveLength(2);
  });

  it('keeps the files whole under a long email in Slack, within a section text', () => {
    const many = [
      video,
      ...Array.from({ length: 6 }, (_, i) => ({ ...photo, filename: `photo-${i}-${'x'.repeat(200)}.png` })),
    ];
    const entry = sectionTexts(card('word '.repeat(2000), many)).find((t) =>
      t.startsWith(':email: *lena@work.example*'),
    );
    expect(entry).toBeDefined();
    expect(entry!.length).toBeLessThanOrEqual(2000);
    expect(entry).toContain('word word');
    expect(entry).toContain(
      '…\n:no_entry_sign: noise.mp4 · video/mp4 · 30 MB · not kept: larger than the 25 MB limit\n:paperclip: photo-0-',
    );
    expect(entry!.endsWith('\n:paperclip: _and 2 more_')).toBe(true);
    // Nothing changes for an email without files.
    const plain = sectionTexts(card('word '.repeat(2000), [])).find((t) => t.startsWith(':email: *lena@work.example*'));
    expect(plain).toHaveLength(2000);
    expect(plain).not.toContain(':paperclip:');
  });

  it('keeps the files whole under a long email in Discord, within a field', () => {
    const fields =
      renderDiscord(card('word '.repeat(2000), [photo, video, photo, photo, photo])).embeds[0]?.fields ?? [];
    const entry = fields.find((f) => f.name === '✉️ lena@work.example');
    expect(entry?.value.length).toBeLessThanOrEqual(1024);
    expect(entry?.value).toContain('word word');
    expect(
      entry?.value.endsWith(
        '…\n📎 mirror.png · image/png · 70 B\n🚫 noise.mp4 · video/mp4 · 30 MB · not kept: larger than the 25 MB limit\n📎 mirror.png · image/png · 70 B\n📎 and 2 more',
      ),
    ).toBe(true);
    expect(fields.find((f) => f.name === '✉️ lena.roy@customer.example')?.value).toMatch(/\nIt rattles\.$/);
  });
});
