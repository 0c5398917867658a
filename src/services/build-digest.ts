/**
 * The daily digest use case: compute a day's figures in the configured time zone, draw the chart, and
 * post it to each channel exactly once (the ledger decides who posts; see DigestLedger).
 */
import {
  addDays,
  composeDigestMessage,
  dayInZone,
  dayRange,
  durationStats,
  startOfDay,
  type DayString,
  type Digest,
  type Trend,
} from '../domain/digest.ts';
import type { ChatPlatform } from '../domain/platform.ts';
import { AppError, describeError, isAppError } from '../domain/errors.ts';
import type { DigestChartRenderer, DigestLedger, DigestPost, DigestPublisher } from '../ports/digest-publisher.ts';
import type { Logger } from '../ports/logger.ts';
import type { SlaFigures } from '../domain/digest.ts';
import type { ReportStore } from '../ports/report-store.ts';

const HISTORY_DAYS = 14;
const OLDEST_OPEN = 5;
const URGENT_LISTED = 5;
/** A claim older than this whose owner never started sending is taken over. */
export const DIGEST_CLAIM_STALE_MS = 10 * 60_000;

export interface DigestDeps {
  readonly store: ReportStore;
  readonly chart: DigestChartRenderer;
  readonly ledger: DigestLedger;
  /** By platform; a channel "slack:C123" goes to publishers.slack. */
  readonly publishers: Partial<Record<ChatPlatform, DigestPublisher>>;
  readonly timeZone: string;
  readonly logger: Logger;
  readonly clock?: () => Date;
  /** The SLA line's figures (SlaService.summary); absent: no SLA line. */
  readonly sla?: { summary(from: Date, to: Date): Promise<SlaFigures> };
  /** Tickets whose agent was removed (orphaned that day, or still held); absent: no such line. */
  readonly orphans?: { orphans(from: Date, to: Date): Promise<readonly number[]> };
}

export type ChannelOutcome =
  | { readonly channel: string; readonly outcome: 'posted'; readonly messageRef: string }
  | { readonly channel: string; readonly outcome: 'already_posted'; readonly messageRef: string | null }
  | { readonly channel: string; readonly outcome: 'busy' | 'uncertain'; readonly detail: string }
  | { readonly channel: string; readonly outcome: 'failed'; readonly detail: string; readonly retryable: boolean };

export class DigestService {
  readonly #deps: DigestDeps;
  readonly #log: Logger;

  constructor(deps: DigestDeps) {
    this.#deps = deps;
    this.#log = deps.logger.child({ component: 'digest' });
  }

  get timeZone(): string {
    return this.#deps.timeZone;
  }

  /** The day a digest sent at `at` reports on: the day before, in the digest's zone. */
  reportedDay(at: Date = this.#now()): DayString {
    return addDays(dayInZone(at, this.#deps.timeZone), -1);
  }

  /** The figures of one day. */
  async build(day: DayString): Promise<Digest> {
    const { store, timeZone } = this.#deps;
    const { start, end } = dayRange(day, timeZone);
    // A day not over yet is counted up to now: its backlog and ages are today's, not tomorrow midnight's.
    const now = this.#now();
    const asOf = now.getTime() < end.getTime() ? now : end;
    // One boundary per day start, 14 days back: the history, the previous day and the same weekday last week.
    const firstDay = addDays(day, -(HISTORY_DAYS - 1));
    const boundaries = Array.from({ length: HISTORY_DAYS + 1 }, (_, i) => startOfDay(addDays(firstDay, i), timeZone));
    const [
      created,
      closed,
      openEnd,
      openPrev,
      openWeek,
      breakdown,
      oldest,
      urgent,
      firstResponse,
      resolution,
      automated,
      untriaged,
      rejected,
      spam,
    ] = await Promise.all([
      store.countPerRange('created', boundaries),
      store.countPerRange('closed', boundaries),
      store.openAt(asOf),
      store.openAt(start),
      store.openAt(startOfDay(addDays(day, -6), timeZone)),
      store.createdBreakdown(start, end),
      store.oldestOpenAt(asOf, OLDEST_OPEN),
      store.oldestOpenAt(asOf, URGENT_LISTED, 'urgent'),
      store.firstResponseSeconds(start, end),
      store.resolutionSeconds(start, end),
      store.automatedCount(start, end),
      store.untriagedAt(asOf),
      store.rejectedCount(start, end),
      store.spamCount ? store.spamCount(start, end) : Promise.resolve(0),
    ]);
    const sla = this.#deps.sla ? await this.#deps.sla.summary(start, end) : null;
    const orphans = this.#deps.orphans ? await this.#deps.orphans.orphans(start, end) : [];
    const last = HISTORY_DAYS - 1;
    const trend = (series: number[]): Trend => ({
      value: series[last] ?? 0,
      previousDay: series[last - 1] ?? 0,
      sameDayLastWeek: series[last - 7] ?? 0,
    });
    return {
      day,
      timeZone,
      start,
      end,
      asOf,
      created: trend(created),
      closed: trend(closed),
      // Open at the end of the day before = open at this day's start; a week ago: at the end of day-7.
      backlog: { value: openEnd.total, previousDay: openPrev.total, sameDayLastWeek: openWeek.total },
      createdByCategory: breakdown.byCategory,
      createdByPriority: breakdown.byPriority,
      backlogByPriority: openEnd.byPriority,
      oldestOpen: oldest,
      urgentOpen: { count: openEnd.byPriority.urgent, tickets: urgent },
      firstResponse: durationStats(firstResponse),
      resolution: durationStats(resolution),
      automated: { total: Object.values(automated).reduce((a, b) => a + b, 0), byKind: automated },
      untriaged,
      rejected,
      ...(spam > 0 ? { spam } : {}),
      sla,
      ...(orphans.length ? { orphans } : {}),
      history: Array.from({ length: HISTORY_DAYS }, (_, i) => ({
        day: addDays(firstDay, i),
        created: created[i] ?? 0,
        closed: closed[i] ?? 0,
      })),
    };
  }

  /** The digest as posted: text, fields and chart. */
  async compose(day: DayString): Promise<DigestPost & { digest: Digest }> {
    const digest = await this.build(day);
    const message = composeDigestMessage(digest);
    return {
      ...message,
      textIn: (markup) => composeDigestMessage(digest, markup).text,
      day,
      png: this.#deps.chart.render(digest.history),
      digest,
    };
  }

  /**
   * Posts the day's digest to each channel ("slack:C123", "discord:123") at most once per channel and
   * day, whoever else is trying at the same time. A channel that fails does not stop the others.
   */
  async post(day: DayString, channels: readonly string[]): Promise<ChannelOutcome[]> {
    let composed: Promise<DigestPost> | null = null;
    const outcomes: ChannelOutcome[] = [];
    for (const channel of channels) {
      outcomes.push(await this.#postOne(channel, day, () => (composed ??= this.compose(day))));
    }
    return outcomes;
  }

  /** After an operator checked the channel: forget an uncertain claim, so the next post goes out. */
  forget(channel: string, day: DayString): Promise<boolean> {
    return this.#deps.ledger.forget(channel, day);
  }

  async #postOne(channel: string, day: DayString, compose: () => Promise<DigestPost>): Promise<ChannelOutcome> {
    const log = this.#log.child({ channel, day });
    const target = parseChannel(channel);
    const publisher = target ? this.#deps.publishers[target.platform] : undefined;
    if (!target || !publisher) {
      const detail = target
        ? `${target.platform} is not configured (set ${target.platform === 'slack' ? 'SLACK_BOT_TOKEN' : 'DISCORD_TOKEN'})`
        : `"${channel}" is not a channel name such as slack:C0123456789 or discord:123456789012345678`;
      log.error({}, `digest not posted: ${detail}`);
      return { channel, outcome: 'failed', detail, retryable: false };
    }
    const { ledger } = this.#deps;
    const claim = await ledger.claim(channel, day, this.#now(), DIGEST_CLAIM_STALE_MS);
    switch (claim.state) {
      case 'posted':
        log.info({ messageRef: claim.messageRef }, 'digest already posted: nothing sent');
        return { channel, outcome: 'already_posted', messageRef: claim.messageRef };
      case 'busy':
        log.info({ claimedAt: claim.claimedAt }, 'digest being posted by another process: nothing sent');
        return { channel, outcome: 'busy', detail: `another process claimed it at ${claim.claimedAt.toISOString()}` };
      case 'uncertain': {
        const detail = `a process began posting it at ${claim.claimedAt.toISOString()} and stopped before confirming; check the channel, then run "npx ticketrelay digest --now --channel ${channel} --day ${day} --retake" if it is missing`;
        log.error({ claimedAt: claim.claimedAt }, `digest not posted again: ${detail}`);
        return { channel, outcome: 'uncertain', detail };
      }
      case 'claimed':
        break;
    }
    let post: DigestPost;
    try {
      post = await compose();
    } catch (error) {
      await ledger.release(channel, day, claim.token).catch(() => undefined);
      throw error;
    }
    await ledger.markSending(channel, day, claim.token);
    let messageRef: string;
    try {
      messageRef = await publisher.publish(target.id, post);
    } catch (error) {
      // The platform answered with a refusal: nothing is in the channel, a later attempt may post.
      const retryable = isAppError(error) ? error.retryable : false;
      const definite = isAppError(error) && error.code === 'digest.post_refused';
      if (definite) await ledger.release(channel, day, claim.token).catch(() => undefined);
      log.error({ err: describeError(error), retryable }, 'digest post failed');
      return { channel, outcome: 'failed', detail: describeError(error), retryable: retryable && definite };
    }
    await ledger.markPosted(channel, day, claim.token, messageRef, this.#now());
    log.info({ messageRef }, 'digest posted');
    return { channel, outcome: 'posted', messageRef };
  }

  #now(): Date {
    return this.#deps.clock ? this.#deps.clock() : new Date();
  }
}

/** "slack:C123" → { platform: 'slack', id: 'C123' }; null when it is neither. */
export function parseChannel(channel: string): { platform: ChatPlatform; id: string } | null {
  const m = /^(slack|discord):([A-Za-z0-9_-]+)$/.exec(channel.trim());
  if (!m?.[1] || !m[2]) return null;
  if (m[1] === 'discord' && !/^\d+$/.test(m[2])) return null;
  return { platform: m[1] as ChatPlatform, id: m[2] };
}

/** The configured channels as internal names. */
export function digestChannels(slack: readonly string[], discord: readonly string[]): string[] {
  return [...slack.map((c) => `slack:${c}`), ...discord.map((c) => `discord:${c}`)];
}

export function assertDay(day: string): DayString {
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(day) ||
    Number.isNaN(Date.parse(`${day}T00:00:00Z`)) ||
    new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day
  ) {
    throw new AppError('digest.bad_day', `"${day}" is not a date: give the day as YYYY-MM-DD, e.g. 2026-03-29.`);
  }
  return day;
}
