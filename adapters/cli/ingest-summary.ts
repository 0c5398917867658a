/**
 * What `ingest` prints at the end, apart from the command so that `ingest -` handing its email to
 * the lmtp role (handover.ts) prints the same summary without loading the intake.
 */
import type { IntakeResult } from '../../src/services/intake-result.ts';

export interface IngestSummary {
  total: number;
  created: number;
  replies: number;
  duplicates: number;
  automated: number;
  rejected: number;
  /** Emails held as spam (present once one was). */
  spam?: number;
  /** Emails not taken because something was temporarily down: run again later. */
  failed: number;
  seconds: number;
  messages?: Array<{ source: string } & (IntakeResult | { outcome: 'failed'; error: string; retryable: boolean })>;
}

export function formatSummary(s: IngestSummary): string {
  const rate = s.seconds > 0 ? ` (${Math.round(s.total / s.seconds)} emails/s)` : '';
  return [
    `${s.total} email${s.total === 1 ? '' : 's'} in ${s.seconds} s${rate}:`,
    `  created    ${s.created}`,
    `  replies    ${s.replies}`,
    `  duplicates ${s.duplicates}`,
    `  automated  ${s.automated}`,
    `  rejected   ${s.rejected}`,
    ...(s.spam ? [`  spam       ${s.spam}  (held for review: "npx ticketrelay spam list")`] : []),
    ...(s.failed
      ? [`  failed     ${s.failed}  (temporary failure: nothing was stored for them; run the same command again)`]
      : []),
  ].join('\n');
}
