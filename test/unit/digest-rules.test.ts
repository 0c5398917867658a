import { describe, expect, it } from 'vitest';
import {
  addDays,
  composeDigestMessage,
  dayInZone,
  dayRange,
  formatChange,
  median,
  percentile,
  startOfDay,
  type Digest,
} from '../../src/domain/digest.ts';
import { formatDuration } from '../../src/domain/wording.ts';
import { MetricsRegistry, intakeMetrics } from '../../src/services/metrics.ts';

describe('day boundaries in a time zone', () => {
  it('are 24 h on an ordinary day, 23 h and 25 h across daylight-saving changes', () => {
    const hours = (day: string, zone: string) => {
      const r = dayRange(day, zone);
      return (r.end.getTime() - r.start.getTime()) / 3_600_000;
    };
    expect(hours('2026-03-10', 'Europe/Paris')).toBe(24);
    expect(hours('2026-03-29', 'Europe/Paris')).toBe(23);
    expect(hours('2026-10-25', 'Europe/Paris')).toBe(25);
    expect(hours('2026-03-08', 'America/New_York')).toBe(23);
    expect(startOfDay('2026-03-29', 'Europe/Paris').toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(startOfDay('2026-03-30', 'Europe/Paris').toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(startOfDay('2026-06-01', 'Asia/Kolkata').toISOString()).toBe('2026-05-31T18:30:00.000Z');
  });

  it('handle a zone whose midnight does not exist (Santiago springs forward at 00:00)', () => {
    const start = startOfDay('2026-09-06', 'America/Santiago');
    expect(dayInZone(start, 'America/Santiago')).toBe('2026-09-06');
    expect(dayInZone(new Date(start.getTime() - 1), 'America/Santiago')).toBe('2026-09-05');
  });

  it('step calendar days without a time zone', () => {
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
  });
});

describe('percentiles and formatting', () => {
  it('median averages the middle pair; p95 is the nearest rank', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
    expect(
      percentile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        95,
      ),
    ).toBe(95);
    expect(percentile([10, 20], 95)).toBe(20);
  });
  it('says durations and changes plainly', () => {
    expect(formatDuration(45 * 60)).toBe('45 min');
    expect(formatDuration(3 * 3600 + 20 * 60)).toBe('3 h 20 min');
    expect(formatDuration(52 * 3600)).toBe('2 d 4 h');
    expect(formatChange(6, 4)).toBe('+2 (+50%)');
    expect(formatChange(3, 4)).toBe('−1 (−25%)');
    expect(formatChange(0, 0)).toBe('±0');
  });
  it('composes a text with the figures', () => {
    const zero = { general: 0, technical: 0, billing: 0, complaint: 0, suggestion: 0 };
    const pz = { urgent: 0, high: 0, normal: 0, low: 0 };
    const digest: Digest = {
      day: '2026-03-10',
      timeZone: 'Europe/Paris',
      start: new Date(0),
      end: new Date(86_400_000),
      asOf: new Date(86_400_000),
      untriaged: 0,
      created: { value: 3, previousDay: 1, sameDayLastWeek: 2 },
      closed: { value: 2, previousDay: 0, sameDayLastWeek: 1 },
      backlog: { value: 4, previousDay: 3, sameDayLastWeek: 2 },
      createdByCategory: { ...zero, billing: 3 },
      createdByPriority: pz,
      backlogByPriority: { ...pz, urgent: 1 },
      oldestOpen: [],
      urgentOpen: {
        count: 1,
        tickets: [{ ticketId: 7, subject: 'Down', priority: 'urgent', category: 'technical', createdAt: new Date(0) }],
      },
      firstResponse: { count: 0, median: null, p95: null },
      resolution: { count: 1, median: 3600, p95: 3600 },
      automated: { total: 0, byKind: {} },
      history: [],
    };
    const m = composeDigestMessage(digest);
    expect(m.text).toContain('New tickets: *3*  (+2 (+200%) vs the day before, +1 (+50%) vs the same day last week)');
    expect(m.text).toContain('New by category: billing 3');
    expect(m.text).toContain('#7 Down — urgent, open 24 h');
    expect(m.text).toContain('Open backlog at the end of the day: *4*');
    expect(m.text).toContain('Resolution (1 ticket): median 1 h');
    expect(m.fields.find((f) => f.name === 'Resolution')?.value).toBe('median 1 h, p95 1 h');
    // A day not over yet (a digest of today, asked for at 10:00): ages and backlog as of now, and it says so.
    const today = composeDigestMessage({ ...digest, asOf: new Date(10 * 3_600_000) });
    expect(today.title).toBe('Support digest — 2026-03-10 (Europe/Paris), so far (the day is not over)');
    expect(today.text).toContain('#7 Down — urgent, open 10 h');
    expect(today.text).toContain('Open backlog now: *4*');
    expect(m.text).not.toContain('Not triaged yet');
    expect(composeDigestMessage({ ...digest, untriaged: 2 }).text).toContain(
      'Not triaged yet: 2 tickets, counted as normal and general above: is a triage worker running?',
    );
    expect(m.text).not.toContain('could not be read');
    expect(composeDigestMessage({ ...digest, rejected: 2 }).text).toContain(
      'Emails that could not be read: 2 — kept aside, no ticket',
    );
  });
});

describe('metrics registry', () => {
  it('renders counters, gauges and histograms in the Prometheus text format', async () => {
    const r = new MetricsRegistry();
    r.counter('x_total', 'X.').inc({ outcome: 'created' }, 2);
    r.gauge('q_jobs', 'Q.').set({ queue: 'triage', state: 'waiting' }, 5);
    r.histogram('d_seconds', 'D.', [0.1, 1]).observe({}, 0.5);
    r.addCollector('broken', async () => {
      throw new Error('down');
    });
    const text = await r.render();
    expect(text).toContain('# TYPE x_total counter\nx_total{outcome="created"} 2');
    expect(text).toContain('q_jobs{queue="triage",state="waiting"} 5');
    expect(text).toContain(
      'd_seconds_bucket{le="0.1"} 0\nd_seconds_bucket{le="1"} 1\nd_seconds_bucket{le="+Inf"} 1\nd_seconds_sum 0.5\nd_seconds_count 1',
    );
    expect(text).toContain('ticketrelay_metrics_collector_up{collector="broken"} 0');
  });

  it('counts each email the intake tells it of, by outcome, and its suppressed acknowledgement', async () => {
    const r = new MetricsRegistry();
    const told = intakeMetrics(r);
    told({ outcome: 'created', acknowledgement: 'suppressed: rate' }, 0.01);
    told({ outcome: 'rejected' }, 0.002);
    expect(r.counter('ticketrelay_emails_total', '').get({ outcome: 'created' })).toBe(1);
    expect(r.counter('ticketrelay_emails_total', '').get({ outcome: 'rejected' })).toBe(1);
    expect(r.counter('ticketrelay_acknowledgements_total', '').get({ result: 'suppressed' })).toBe(1);
  });
});
