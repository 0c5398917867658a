/**
 * What operators' endpoints read from the system of record: that it answers (/readyz), and the counts
 * that hold across processes (/metrics). Read-only and bounded; no table or column crosses it.
 */
export interface DatabaseGauges {
  /** Acknowledgement emails by delivery state ('none' when not decided yet). */
  readonly acknowledgements: Readonly<Record<string, number>>;
  /** Support tickets by status. */
  readonly tickets: Readonly<Record<string, number>>;
  /** Inbound emails recorded, by outcome. */
  readonly emailsStored: Readonly<Record<string, number>>;
  /** Seconds from creation to triage, for tickets triaged since the date asked (at most 10,000). */
  readonly triageSeconds: readonly number[];
}

export interface OperationsStore {
  /** Resolves when the database answers; rejects with why otherwise. */
  ping(): Promise<void>;
  gauges(triagedSince: Date): Promise<DatabaseGauges>;
}
