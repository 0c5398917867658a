/** SLA clocks on the pure core: ms of CPU to compute one ticket's clocks and alerts, and a year of business time. Run: npx tsx bench/sla-clocks.bench.ts */
import { defaultCalendar, instantOf } from '../src/domain/business-calendar.ts';
import { DEFAULT_SLA, computeClocks, dueAlerts } from '../src/domain/sla.ts';
const cal = defaultCalendar();
const policy = DEFAULT_SLA.policies[2]!;
const base = instantOf('2026-06-01', 600, 'Europe/Paris').getTime();
const N = 20000;
let t = performance.now();
for (let i = 0; i < N; i++) {
  const created = new Date(base + (i % 5000) * 97_000);
  const events = [
    { at: new Date(created.getTime() + 3 * 3600_000), kind: 'agent_reply' as const },
    { at: new Date(created.getTime() + 26 * 3600_000), kind: 'customer_message' as const },
  ];
  const now = new Date(created.getTime() + 30 * 3600_000);
  const clocks = computeClocks({ createdAt: created, events, policy, calendar: cal, settings: DEFAULT_SLA, now });
  dueAlerts(clocks, policy, cal, now);
}
const per = (performance.now() - t) / N;
t = performance.now();
const y = cal.addBusinessMinutes(new Date(base), 366 * 540);
const year = performance.now() - t;
console.log(
  JSON.stringify({
    ticketsComputed: N,
    msPerTicket: Number(per.toFixed(4)),
    yearOfBusinessTimeMs: Number(year.toFixed(1)),
    due: y.due.toISOString(),
  }),
);
