/**
 * One pass taking in what the old site did on the shared tables: its new tickets adopted, what it
 * closed, reopened or re-prioritised brought into our copy. Idempotent and safe to run from several
 * processes; the worker role runs it on a timer. How the old site's rows are read is the adapter's
 * business (no legacy column crosses this port). Throws when the database fails; the next pass retries.
 */
export interface LegacySyncPass {
  /** Tickets of the old site adopted in this pass. */
  readonly adopted: number;
  /** Tickets brought in line with what the old site changed. */
  readonly reconciled: number;
  /** How far the adoption has read, and the newest row it knows of (equal once caught up). */
  readonly position: number;
  readonly top: number;
}

export interface LegacySync {
  syncOnce(): Promise<LegacySyncPass>;
}
