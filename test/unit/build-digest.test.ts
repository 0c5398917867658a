/**
 * The daily digest service on in-memory ports: the lines a channel reads for a day in the shop's time
 * zone, and one post per channel and day whoever else tries. test/integration/digest.test.ts runs the
 * same service on MySQL and Slack's recording server.
 */
import { describe, expect, it } from 'vitest';
import { DigestService } from '../../src/services/build-digest.ts';
import { silentLogger } from '../fakes/fake-ports.ts';
import {
  blankChart,
  InMemoryDigestLedger,
  InMemoryReportStore,
  RecordingDigestPublisher,
  type ReportedTicket,
} from '../fakes/in-memory-report-store.ts';

const ZONE = 'Europe/Paris';
/** 10 March 2026 in Paris runs from 09-Mar 23:00 UTC to 10-Mar 23:00 UTC. */
const at = (iso: string) => new Date(iso);
const NEXT_MORNING = at('2026-03-11T06:00:00Z');

function setup(tickets: ReportedTicket[]) {
  const store = new InMemoryReportStore();
  store.tickets.push(...tickets);
  const ledger = new InMemoryDigestLedger();
  const slack = new RecordingDigestPublisher('slack');
  const digests = new DigestService({
    store,
    chart: blankChart,
    ledger,
    publishers: { slack },
    timeZone: ZONE,
    logger: silentLogger,
    clock: () => NEXT_MORNING,
  });
  return { store, ledger, slack, digests };
}

const ticket = (ticketId: number, createdAt: string, extra: Partial<ReportedTicket> = {}): ReportedTicket => ({
  ticketId,
  subject: `Ticket ${ticketId}`,
  priority: 'normal',
  category: 'general',
  createdAt: at(createdAt),
  ...extra,
});

describe('the daily digest', () => {
  it("reports yesterday in the shop's time zone: new, closed, backlog, breakdowns, response times, urgent and oldest", async () => {
    const { store, digests } = setup([
      // 9 March (the day before): one still open at the end of it, one closed on the 10th.
      ticket(1, '2026-03-09T08:00:00Z', { subject: 'Clutch <noise>', priority: 'urgent', category: 'technical' }),
      ticket(2, '2026-03-09T09:00:00Z', { closedAt: at('2026-03-10T10:00:00Z') }),
      // 10 March, Paris time: 23:30 UTC on the 9th is already the 10th there.
      ticket(3, '2026-03-09T23:30:00Z', {
        category: 'billing',
        firstResponseAt: at('2026-03-10T00:30:00Z'),
        closedAt: at('2026-03-10T01:30:00Z'),
      }),
      ticket(4, '2026-03-10T12:00:00Z', { priority: 'high', firstResponseAt: at('2026-03-10T14:00:00Z') }),
      ticket(5, '2026-03-10T22:30:00Z', { triaged: false }),
      // 11 March in Paris (23:10 UTC on the 10th): not yesterday's.
      ticket(6, '2026-03-10T23:10:00Z'),
    ]);
    store.automated.push({ kind: 'bounce', at: at('2026-03-10T08:00:00Z') });
    expect(digests.reportedDay()).toBe('2026-03-10');
    const { text } = await digests.compose('2026-03-10');
    // Worked by hand: created on the 10th (Paris) #3 #4 #5, the day before #1 #2; closed #2 (25 h) and
    // #3 (2 h); first responses 1 h and 2 h; open at the day's end #1 #4 #5; #6 is the 11th's.
    expect(text.split('\n')).toEqual([
      '*Support digest — 2026-03-10 (Europe/Paris)*',
      'New tickets: *3*  (+1 (+50%) vs the day before, +3 vs the same day last week)',
      'Closed: *2*  (+2 vs the day before, +2 vs the same day last week)',
      'Open backlog at the end of the day: *3*  (+1 (+50%) vs the day before, +3 vs the same day last week)',
      'New by category: general 2 · billing 1',
      'New by priority: high 1 · normal 2',
      'Backlog by priority: urgent 1 · high 1 · normal 1',
      'First response (2 tickets): median 1 h 30 min, p95 2 h',
      'Resolution (2 tickets): median 13 h 30 min, p95 25 h',
      'Automated mail filtered: 1 (bounce 1)',
      'Not triaged yet: 1 ticket, counted as normal and general above: is a triage worker running?',
      'Urgent tickets still open: 1',
      '  • #1 Clutch <noise> — urgent, open 39 h',
      'Oldest open tickets:',
      '  • #1 Clutch <noise> — urgent, open 39 h',
      '  • #4 Ticket 4 — high, open 11 h',
      '  • #5 Ticket 5 — normal, open 30 min',
    ]);
    expect(text).not.toContain('#6 ');
  });

  it('posts once per channel and day, escaped for the chat, and says so to the next process that tries', async () => {
    const { slack, digests } = setup([
      ticket(1, '2026-03-10T08:00:00Z', { subject: 'Clutch <!channel>', priority: 'urgent' }),
    ]);
    const first = await digests.post('2026-03-10', ['slack:C0123', 'teams:X1']);
    expect(first).toEqual([
      { channel: 'slack:C0123', outcome: 'posted', messageRef: 'slack-message-1' },
      {
        channel: 'teams:X1',
        outcome: 'failed',
        detail: '"teams:X1" is not a channel name such as slack:C0123456789 or discord:123456789012345678',
        retryable: false,
      },
    ]);
    expect(slack.posts).toHaveLength(1);
    expect(slack.posts[0]!.text).toContain('Clutch &lt;!channel&gt;');
    expect(slack.posts[0]!.text).not.toContain('<!channel>');
    const again = await digests.post('2026-03-10', ['slack:C0123']);
    expect(again).toEqual([{ channel: 'slack:C0123', outcome: 'already_posted', messageRef: 'slack-message-1' }]);
    expect(slack.posts).toHaveLength(1);
  });
});
