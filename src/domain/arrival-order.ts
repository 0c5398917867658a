/**
 * Keeps emails that arrive together (an IMAP catch-up, an import of a folder) in the order they
 * came, although they are parsed in parallel and a small one finishes before a large one: each takes
 * a place when it arrives and, once read, waits until every earlier one has gone ahead (or failed).
 * Ticket numbers then follow arrival, and a quick follow-up finds the email it answers already in
 * hand instead of opening a ticket of its own. An earlier email that takes very long to read (tens
 * of megabytes) holds the others up only for `maxWaitMs`.
 */
export class ArrivalOrder {
  #issued = 0;
  /** The lowest place that has not gone ahead yet: every place below it has. */
  #front = 0;
  readonly #gone = new Set<number>();
  readonly #waiting = new Map<number, () => void>();

  constructor(readonly maxWaitMs: number) {}

  /** A place in the line, taken when the email arrives. */
  take(): number {
    return this.#issued++;
  }

  /** Resolves when every earlier place has gone ahead, or after maxWaitMs. */
  turn(place: number): Promise<void> {
    if (place <= this.#front) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiting.delete(place);
        resolve();
      };
      const timer = setTimeout(done, this.maxWaitMs);
      timer.unref?.();
      this.#waiting.set(place, done);
    });
  }

  /** This place has gone ahead (or will never need to): the next in line may follow. Idempotent. */
  leave(place: number): void {
    if (place < this.#front) return;
    this.#gone.add(place);
    while (this.#gone.delete(this.#front)) this.#front++;
    this.#waiting.get(this.#front)?.();
  }
}
