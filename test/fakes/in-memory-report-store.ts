/**
 * The digest's ports in memory, for unit tests of src/services/build-digest.ts: the figures computed
 * from tickets kept as domain records (as adapters/mysql/mysql-report-store.ts computes them in SQL),
 * a ledger of posts, a publisher that records what it posted and a chart that draws nothing.
 */
import type { DailyCounts, DayString, DigestMarkup, TicketBrief } from '../../src/domain/digest.ts';
import { CATEGORIES, PRIORITIES, type Category, type Priority } from '../../src/domain/ticket.ts';
import type {
  DigestChartRenderer,
  DigestClaim,
  DigestLedger,
  DigestPost,
  DigestPublisher,
} from '../../src/ports/digest-publisher.ts';
import type { ReportStore } from '../../src/ports/report-store.ts';

export interface ReportedTicket {
  readonly ticketId: number;
  readonly subject: string;
  readonly priority: Priority;
  readonly category: Category;
  readonly createdAt: Date;
  readonly firstResponseAt?: Date | null;
  readonly closedAt?: Date | null;
  readonly triaged?: boolean;
}

const zeroes = <K extends string>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
const seconds = (from: Date, to: Date) => Math.round((to.getTime() - from.getTime()) / 1000);

export class InMemoryReportStore implements ReportStore {
  readonly tickets: ReportedTicket[] = [];
  /** Automatic mail by kind, and rejected emails, with when they came. */
  readonly automated: { kind: string; at: Date }[] = [];
  readonly rejected: Date[] = [];

  #openAt(at: Date): ReportedTicket[] {
    return this.tickets.filter((t) => t.createdAt < at && (!t.closedAt || t.closedAt >= at));
  }

  async countPerRange(event: 'created' | 'closed', boundaries: readonly Date[]): Promise<number[]> {
    await Promise.resolve();
    return boundaries.slice(0, -1).map((from, i) => {
      const to = boundaries[i + 1]!;
      return this.tickets.filter((t) => {
        const at = event === 'created' ? t.createdAt : t.closedAt;
        return at != null && at >= from && at < to;
      }).length;
    });
  }

  async openAt(at: Date): Promise<{ total: number; byPriority: Record<Priority, number> }> {
    await Promise.resolve();
    const open = this.#openAt(at);
    const byPriority = zeroes(PRIORITIES);
    for (const t of open) byPriority[t.priority]++;
    return { total: open.length, byPriority };
  }

  async createdBreakdown(
    from: Date,
    to: Date,
  ): Promise<{ byCategory: Record<Category, number>; byPriority: Record<Priority, number> }> {
    await Promise.resolve();
    const byCategory = zeroes(CATEGORIES);
    const byPriority = zeroes(PRIORITIES);
    for (const t of this.tickets.filter((x) => x.createdAt >= from && x.createdAt < to)) {
      byCategory[t.category]++;
      byPriority[t.priority]++;
    }
    return { byCategory, byPriority };
  }

  async oldestOpenAt(at: Date, limit: number, priority?: Priority): Promise<TicketBrief[]> {
    await Promise.resolve();
    return this.#openAt(at)
      .filter((t) => !priority || t.priority === priority)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .slice(0, limit)
      .map(({ ticketId, subject, priority: p, category, createdAt }) => ({
        ticketId,
        subject,
        priority: p,
        category,
        createdAt,
      }));
  }

  async firstResponseSeconds(from: Date, to: Date): Promise<number[]> {
    await Promise.resolve();
    return this.tickets.flatMap((t) =>
      t.firstResponseAt && t.firstResponseAt >= from && t.firstResponseAt < to
        ? [seconds(t.createdAt, t.firstResponseAt)]
        : [],
    );
  }

  async resolutionSeconds(from: Date, to: Date): Promise<number[]> {
    await Promise.resolve();
    return this.tickets.flatMap((t) =>
      t.closedAt && t.closedAt >= from && t.closedAt < to ? [seconds(t.createdAt, t.closedAt)] : [],
    );
  }

  async automatedCount(from: Date, to: Date): Promise<Record<string, number>> {
    await Promise.resolve();
    const counts: Record<string, number> = {};
    for (const a of this.automated.filter((x) => x.at >= from && x.at < to)) counts[a.kind] = (counts[a.kind] ?? 0) + 1;
    return counts;
  }

  async rejectedCount(from: Date, to: Date): Promise<number> {
    await Promise.resolve();
    return this.rejected.filter((at) => at >= from && at < to).length;
  }

  async untriagedAt(at: Date): Promise<number> {
    await Promise.resolve();
    return this.tickets.filter((t) => t.createdAt < at && t.triaged === false).length;
  }
}

/** Whoever claims a (channel, day) first posts; the rest are told it is posted or being posted. */
export class InMemoryDigestLedger implements DigestLedger {
  readonly rows = new Map<string, { token: string; sending: boolean; messageRef: string | null; claimedAt: Date }>();
  #next = 1;

  async claim(channel: string, day: DayString, now: Date, staleMs: number): Promise<DigestClaim> {
    await Promise.resolve();
    const key = `${channel} ${day}`;
    const row = this.rows.get(key);
    if (row?.messageRef) return { state: 'posted', messageRef: row.messageRef };
    if (row?.sending) return { state: 'uncertain', claimedAt: row.claimedAt };
    if (row && now.getTime() - row.claimedAt.getTime() < staleMs) return { state: 'busy', claimedAt: row.claimedAt };
    const token = `t${this.#next++}`;
    this.rows.set(key, { token, sending: false, messageRef: null, claimedAt: now });
    return { state: 'claimed', token };
  }
  async markSending(channel: string, day: DayString, token: string): Promise<void> {
    await Promise.resolve();
    const row = this.rows.get(`${channel} ${day}`);
    if (row?.token === token) row.sending = true;
  }
  async markPosted(channel: string, day: DayString, token: string, messageRef: string): Promise<void> {
    await Promise.resolve();
    const row = this.rows.get(`${channel} ${day}`);
    if (row?.token === token) row.messageRef = messageRef;
  }
  async release(channel: string, day: DayString, token: string): Promise<void> {
    await Promise.resolve();
    if (this.rows.get(`${channel} ${day}`)?.token === token) this.rows.delete(`${channel} ${day}`);
  }
  async forget(channel: string, day: DayString): Promise<boolean> {
    await Promise.resolve();
    return this.rows.delete(`${channel} ${day}`);
  }
}

/** Markup as Slack's mrkdwn escapes and bolds (the publishers' own markup is their adapters' business). */
const SLACK_LIKE: DigestMarkup = {
  escape: (t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
  bold: (t) => `*${t}*`,
};

/** A chat platform that keeps what it was asked to post (the text in its markup, as a publisher posts it). */
export class RecordingDigestPublisher implements DigestPublisher {
  readonly posts: { channel: string; text: string; title: string }[] = [];
  constructor(readonly platform: 'slack' | 'discord') {}
  async publish(channel: string, digest: DigestPost): Promise<string> {
    await Promise.resolve();
    this.posts.push({ channel, title: digest.title, text: digest.textIn(SLACK_LIKE) });
    return `${this.platform}-message-${this.posts.length}`;
  }
}

export const blankChart: DigestChartRenderer = { render: (_history: readonly DailyCounts[]) => new Uint8Array() };
