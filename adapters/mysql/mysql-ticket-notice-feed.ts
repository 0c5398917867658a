/**
 * What the bots announce, read from the database rather than hooked into intake: tickets and
 * customers' replies that a channel has not been told about yet (an anti-join on support_chat_post).
 * Crash-safe (a restart finds what was not posted) and safe with several bots processes (the claim
 * in support_chat_post decides who posts). Each pass rescans a small window below the newest id it
 * saw, so a transaction that committed late (a lower id appearing after a higher one) is still found.
 */
import type { RowDataPacket } from 'mysql2/promise';
import { parseLegacyContent } from './legacy-format.ts';
import type { ChatPlatform } from '../../src/domain/platform.ts';
import type { NoticeFeed, PendingNotice } from '../../src/ports/notice-feed.ts';
import type { Database } from './database.ts';

/** Ids below the newest seen that are looked at again on every pass. */
const RESCAN = 200;
/** A ticket the old site created is announced when it is younger than this as it is adopted. */
const LEGACY_NEW_MS = 24 * 3_600_000;

export type { PendingNotice } from '../../src/ports/notice-feed.ts';

export class MysqlTicketNoticeFeed implements NoticeFeed {
  readonly #db: Database;
  readonly #platform: ChatPlatform;
  readonly #channel: string;
  #ticketFloor: number | null = null;
  #messageFloor: number | null = null;

  constructor(options: { database: Database; platform: ChatPlatform; channel: string }) {
    this.#db = options.database;
    this.#platform = options.platform;
    this.#channel = options.channel;
  }

  /**
   * Sets where reading starts. A channel that was never posted to starts at the newest rows (no
   * history is announced); otherwise a little below, and the anti-join skips what was posted.
   */
  async start(): Promise<void> {
    const [[tickets], [messages], [posted]] = await Promise.all([
      this.#db.pool.query<RowDataPacket[]>('SELECT COALESCE(MAX(ticket_id), 0) AS top FROM support_ticket'),
      this.#db.pool.query<RowDataPacket[]>('SELECT COALESCE(MAX(id), 0) AS top FROM support_message'),
      this.#db.pool.query<RowDataPacket[]>(
        'SELECT 1 FROM support_chat_post WHERE platform = ? AND channel = ? LIMIT 1',
        [this.#platform, this.#channel],
      ),
    ]);
    const back = posted.length > 0 ? RESCAN : 0;
    this.#ticketFloor = Math.max(0, Number(tickets[0]?.['top'] ?? 0) - back);
    this.#messageFloor = Math.max(0, Number(messages[0]?.['top'] ?? 0) - back);
  }

  /** New tickets and customers' replies not yet posted to this channel, oldest first. */
  async pending(limit = 100): Promise<PendingNotice[]> {
    if (this.#ticketFloor === null || this.#messageFloor === null) await this.start();
    const ticketFloor = this.#ticketFloor ?? 0;
    const messageFloor = this.#messageFloor ?? 0;
    // Read before the tickets: every id up to it that the pass does not return is posted or not to be announced.
    const [newest] = await this.#db.pool.query<RowDataPacket[]>(
      'SELECT COALESCE(MAX(ticket_id), 0) AS top FROM support_ticket',
    );
    const [[tickets], [replies]] = await Promise.all([
      this.#db.pool.query<RowDataPacket[]>(
        `SELECT t.ticket_id, t.subject, t.customer_email, t.priority, t.category, t.triaged,
                x.msg_content AS body
           FROM support_ticket t
           LEFT JOIN ___xtr_msg x ON x.msg_id = t.ticket_id
           LEFT JOIN support_chat_post p ON p.platform = ? AND p.channel = ? AND p.ticket_id = t.ticket_id AND p.kind = 'new'
          WHERE t.ticket_id > ? AND p.ticket_id IS NULL
            AND (t.source <> 'legacy' OR (t.status = 'open' AND t.created_at >= ?))
          ORDER BY t.ticket_id
          LIMIT ?`,
        // The old site's tickets are announced when they are new web-form tickets, not when its history is adopted.
        [this.#platform, this.#channel, ticketFloor, new Date(Date.now() - LEGACY_NEW_MS), limit],
      ),
      this.#db.pool.query<RowDataPacket[]>(
        `SELECT m.id, m.ticket_id, m.peer_address, x.msg_content AS body, t.subject, t.priority, t.category
           FROM support_message m
           JOIN support_ticket t ON t.ticket_id = m.ticket_id
           LEFT JOIN ___xtr_msg x ON x.msg_id = m.legacy_msg_id
           LEFT JOIN support_chat_post p ON p.platform = ? AND p.channel = ? AND p.ticket_id = m.ticket_id AND p.kind = CONCAT('reply:', m.id)
          WHERE m.id > ? AND m.direction = 'inbound' AND m.kind = 'reply' AND p.ticket_id IS NULL
          ORDER BY m.id
          LIMIT ?`,
        [this.#platform, this.#channel, messageFloor, limit],
      ),
    ]);
    // A short page: nothing below the newest id waits, so the next pass starts just below it (the old
    // site's history, adopted at once, is not walked again on every pass).
    if (tickets.length < limit)
      this.#ticketFloor = Math.max(this.#ticketFloor ?? 0, Number(newest[0]?.['top'] ?? 0) - RESCAN);
    const out: PendingNotice[] = [];
    for (const t of tickets) {
      const ticketId = Number(t['ticket_id']);
      this.#ticketFloor = Math.max(ticketFloor, ticketId - RESCAN, this.#ticketFloor ?? 0);
      out.push({
        key: 'new',
        triaged: Number(t['triaged']) === 1,
        notice: {
          kind: 'new',
          ticketId,
          subject: String(t['subject']),
          customer: String(t['customer_email']),
          priority: String(t['priority']),
          category: String(t['category']),
          lines: firstLines(t['body'], 2),
        },
      });
    }
    for (const m of replies) {
      const id = Number(m['id']);
      this.#messageFloor = Math.max(messageFloor, id - RESCAN, this.#messageFloor ?? 0);
      out.push({
        key: `reply:${id}`,
        triaged: true,
        notice: {
          kind: 'reply',
          ticketId: Number(m['ticket_id']),
          subject: String(m['subject']),
          customer: String(m['peer_address'] ?? ''),
          priority: String(m['priority']),
          category: String(m['category']),
          lines: firstLines(m['body'], 4),
        },
      });
    }
    return out;
  }
}

/** The first non-empty lines of a text, each cut to a reasonable length (never the whole email). */
export function firstLines(text: unknown, n: number): string[] {
  if (typeof text !== 'string') return [];
  // The legacy row's text ends with the metadata block the old site reads (not for people), and what
  // we wrote there is HTML-escaped for the old site: read back as the customer typed it.
  return parseLegacyContent(text)
    .text.split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('>'))
    .slice(0, n)
    .map((l) => (l.length > 200 ? `${l.slice(0, 199)}…` : l));
}
