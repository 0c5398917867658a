/**
 * Conditions a test waits for on a fake server: `wake()` on every event the fake sees, and
 * `until(check)` resolves once the check holds, or rejects after timeoutMs with `describe()`'s text.
 */
export class Waiters {
  readonly #waiting = new Set<() => void>();

  wake(): void {
    for (const w of [...this.#waiting]) w();
  }

  until(check: () => boolean, timeoutMs: number, failure: () => string): Promise<void> {
    return new Promise((resolve, reject) => {
      const test = () => {
        if (!check()) return;
        this.#waiting.delete(test);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiting.delete(test);
        reject(new Error(failure()));
      }, timeoutMs);
      this.#waiting.add(test);
      test();
    });
  }
}
