/**
 * Emails held as spam (never a ticket, never acknowledged), for agents to review and release. The raw
 * bytes are kept on disk (`rawLocation`); a released email is taken by intake as if it had just come.
 */
export interface HeldSpam {
  readonly id: number;
  readonly messageId: string;
  readonly sender: string | null;
  readonly subject: string;
  /** Why it was held: the verdict's sentence ("the mail server marked it as spam (X-Spam-Flag: YES)"). */
  readonly reason: string;
  readonly receivedAt: Date;
  /** Where the raw email is kept; null when there were no bytes to keep (the web form). */
  readonly rawLocation: string | null;
  readonly releasedAt: Date | null;
  readonly releasedBy: string | null;
  /** The ticket the released email opened (or joined). */
  readonly ticketId: number | null;
}

export interface SpamStore {
  /** Held emails not released yet, newest first. */
  list(limit: number, offset: number): Promise<{ readonly items: readonly HeldSpam[]; readonly total: number }>;
  get(id: number): Promise<HeldSpam | null>;
  /** Records the release; false when someone released it first. */
  markReleased(id: number, by: string, ticketId: number | null, at: Date): Promise<boolean>;
}

/** Stops every automatic email when tripped (the hourly cap on automatic mail was hit), until an operator resets it. */
export interface BreakerState {
  readonly tripped: boolean;
  readonly trippedAt: Date | null;
  readonly reason: string | null;
}

export interface MailBreaker {
  state(): Promise<BreakerState>;
  /** Lets automatic mail go again; false when it was not tripped. */
  reset(by: string, at: Date): Promise<boolean>;
}
