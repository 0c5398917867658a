/**
 * The automatic emails (acknowledgements) one intake queued: those committed within the last hour, and
 * those of its transactions still running. ACK_MAX_PER_HOUR and ACK_MAX_TOTAL_PER_HOUR count the
 * database's rows of every other intake plus these, so that this intake's own are counted exactly,
 * whatever its transactions' snapshots show: a commit group does not see what another group committed
 * after it began, nor what running ones queued; a rolled-back group stored nothing of what it counted.
 * (Counting them twice, or a gap in the table's ids, cost the burst its hundredth acknowledgement.)
 * Across processes each sees the others' committed rows: their transactions still running can let the
 * caps be passed by a few, never by this intake's own.
 */

interface Entry {
  readonly mailbox: string;
  readonly at: number;
}

/** Automatic emails by normalised mailbox within the hour, and in all since the total's start. */
export interface OwnCounts {
  readonly mailbox: number;
  readonly total: number;
}

/** One attempt at storing an email, as the counts see it. */
export interface OwnAttempt {
  /** This attempt queues an automatic email to this normalised mailbox, dated `at`. */
  queue(mailbox: string, at: Date): void;
  /**
   * This intake's automatic emails to `mailbox` since `since` and in all since `totalSince`, committed or
   * queued by other attempts still running (not this attempt's own).
   */
  counts(mailbox: string, since: Date, totalSince: Date): OwnCounts;
  /** Its transaction runs again from the start (its group was rolled back): what it queued was never stored. */
  restart(): void;
  /** Its transaction committed: what it queued counts as sent. */
  commit(): void;
  /** Done (after commit, or given up: what was not committed is forgotten). */
  end(): void;
}

export class OwnAutomaticMail {
  /** Committed, in commit order; dropped once older than the hour any count asks about. */
  #committed: Entry[] = [];
  readonly #pending = new Map<object, Entry[]>();

  begin(): OwnAttempt {
    const token = {};
    const drop = () => void this.#pending.delete(token);
    return {
      queue: (mailbox, at) => {
        const entry = { mailbox, at: at.getTime() };
        const mine = this.#pending.get(token);
        if (mine) mine.push(entry);
        else this.#pending.set(token, [entry]);
      },
      counts: (mailbox, since, totalSince) => this.#counts(token, mailbox, since.getTime(), totalSince.getTime()),
      restart: drop,
      commit: () => {
        this.#committed.push(...(this.#pending.get(token) ?? []));
        drop();
      },
      end: drop,
    };
  }

  #counts(token: object, mailbox: string, since: number, totalSince: number): OwnCounts {
    if ((this.#committed[0]?.at ?? Infinity) < since) this.#committed = this.#committed.filter((e) => e.at >= since);
    let inMailbox = 0;
    let total = 0;
    for (const e of this.#committed) {
      if (e.mailbox === mailbox && e.at >= since) inMailbox++;
      if (e.at >= totalSince) total++;
    }
    for (const [owner, entries] of this.#pending) {
      if (owner === token) continue;
      for (const e of entries) {
        if (e.mailbox === mailbox) inMailbox++;
        total++;
      }
    }
    return { mailbox: inMailbox, total };
  }
}
