/** A mistyped option gets exit 64 (EX_USAGE) and the option probably meant, from the command's own usage. */
import { describe, expect, it } from 'vitest';
import { runTicketrelay } from './harness.ts';

describe('a mistyped option', () => {
  it('names the option probably meant and exits 64, before anything starts', async () => {
    const start = await runTicketrelay(['start', '--role', 'worker'], {});
    expect(start.code).toBe(64);
    expect(start.stderr).toBe(
      `ticketrelay: Unknown option '--role'; did you mean --roles? ("npx ticketrelay start --help" lists its options)\n`,
    );
    const ingest = await runTicketrelay(['ingest', '--jsn', 'x.eml'], {});
    expect(ingest.code).toBe(64);
    expect(ingest.stderr).toContain("Unknown option '--jsn'; did you mean --json?");
    // Commands that print their usage after the sentence say it too.
    for (const [args, meant] of [
      [['export', '--fromat', 'csv'], '--format'],
      [['digest', '--now', '--prnt'], '--print'],
      [['agents', 'add', 'bob', '--staffid', '2'], '--staff-id'],
    ] as const) {
      const run = await runTicketrelay(args, {});
      expect(run.code, args.join(' ')).toBe(64);
      expect(run.stderr).toContain(
        `Unknown option '${args.find((a) => a.startsWith('--') && a !== '--now')}'; did you mean ${meant}?`,
      );
    }
    const far = await runTicketrelay(['ingest', '--colour', 'x.eml'], {});
    expect(far.stderr).toBe(
      `ticketrelay: Unknown option '--colour'. ("npx ticketrelay ingest --help" lists its options)\n`,
    );
  });
});
