/**
 * A local spam filter asked about one raw email (SpamAssassin's spamd, rspamd). `check` resolves with
 * the filter's verdict, or throws AppError 'spam.filter_unavailable' (retryable) when the filter cannot
 * be reached or answers nonsense: intake then takes the email without a filter verdict and says so.
 */
export interface SpamFilterVerdict {
  readonly spam: boolean;
  readonly score: number;
  readonly threshold: number;
  /** The filter's rule names that fired, when it says them (GTUBE, MISSING_DATE…). */
  readonly rules: readonly string[];
}

export interface SpamFilter {
  /** What the filter is, for the record: "spamd 127.0.0.1:30783". */
  readonly name: string;
  check(raw: Uint8Array): Promise<SpamFilterVerdict>;
}
