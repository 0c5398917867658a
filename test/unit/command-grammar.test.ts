import { describe, expect, it } from 'vitest';
import { describeList, formatList, formatWhen, parseCommand, shorten } from '../../src/domain/command.ts';

const ok = (line: string) => {
  const r = parseCommand(line);
  if (!r.ok) throw new Error(`expected "${line}" to parse: ${r.error}`);
  return r.command;
};
const error = (line: string) => {
  const r = parseCommand(line);
  if (r.ok) throw new Error(`expected "${line}" to be refused`);
  return r.error;
};

describe('the /ticket grammar', () => {
  it('reads list filters in any order, with words and a page', () => {
    expect(ok('/ticket list closed billing urgent brake pads page 3')).toEqual({
      name: 'list',
      status: 'closed',
      priority: 'urgent',
      category: 'billing',
      words: ['brake', 'pads'],
      page: 3,
    });
    expect(ok('list')).toEqual({ name: 'list', status: 'open', priority: null, category: null, words: [], page: 1 });
    expect(ok('/TICKET List ALL')).toMatchObject({ name: 'list', status: 'all' });
  });

  it('refuses two statuses, a missing or absurd page, with a sentence that says what to type', () => {
    expect(error('list open closed')).toMatch(/one status/);
    expect(error('list page')).toMatch(/page number/);
    expect(error('list page 0')).toMatch(/page number/);
    expect(error('list page 999999')).toMatch(/too deep/);
  });

  it('takes ticket numbers with or without #, and refuses anything else', () => {
    expect(ok('view #83')).toEqual({ name: 'view', ticketId: 83 });
    expect(error('view')).toMatch(/Give the ticket number after "view"/);
    expect(error('view abc')).toMatch(/"abc" is not a ticket number/);
    expect(error('close -4')).toMatch(/not a ticket number/);
  });

  it('keeps the text of a reply as written, line breaks included, and requires one', () => {
    expect(ok('/ticket reply 12 Hello Marie,\nyour parcel left today.')).toEqual({
      name: 'reply',
      ticketId: 12,
      text: 'Hello Marie,\nyour parcel left today.',
    });
    expect(error('reply 12')).toMatch(/Write the reply/);
    expect(ok('note 12 called the carrier')).toEqual({ name: 'note', ticketId: 12, text: 'called the carrier' });
    expect(ok('close 12 customer answered by phone')).toEqual({
      name: 'close',
      ticketId: 12,
      reason: 'customer answered by phone',
    });
    expect(ok('close 12')).toEqual({ name: 'close', ticketId: 12, reason: null });
  });

  it('assigns to me, to @someone, or to nobody', () => {
    expect(ok('assign 5 me')).toMatchObject({ target: { kind: 'me' } });
    expect(ok('assign 5 @marie')).toMatchObject({ target: { kind: 'agent', name: 'marie' } });
    expect(ok('assign 5 nobody')).toMatchObject({ target: { kind: 'nobody' } });
    expect(error('assign 5')).toMatch(/Say who takes ticket #5/);
  });

  it('checks priorities, categories and stats periods against their lists', () => {
    expect(ok('priority 5 URGENT')).toEqual({ name: 'priority', ticketId: 5, priority: 'urgent' });
    expect(error('priority 5 critical')).toMatch(/"critical" is not a priority: use one of urgent, high, normal, low/);
    expect(ok('category 5 billing')).toEqual({ name: 'category', ticketId: 5, category: 'billing' });
    expect(error('category 5')).toMatch(/Give the new category/);
    expect(ok('stats')).toEqual({ name: 'stats', period: '7d' });
    expect(ok('stats 30d')).toEqual({ name: 'stats', period: '30d' });
    expect(error('stats year')).toMatch(/today, 7d, 30d/);
  });

  it('answers help for nothing, and names an unknown command', () => {
    expect(ok('/ticket')).toEqual({ name: 'help' });
    expect(ok('  ')).toEqual({ name: 'help' });
    expect(error('/ticket frobnicate 3')).toBe(
      '"frobnicate" is not a /ticket command; type "/ticket help" for the list.',
    );
    // A misspelt command: the one meant, with what followed it.
    expect(error('/ticket lsit open urgent')).toBe(
      '"lsit" is not a /ticket command; did you mean "/ticket list open urgent"? Type "/ticket help" for the list.',
    );
    expect(error('/ticket veiw 83')).toMatch(/did you mean "\/ticket view 83"\?/);
    expect(error('/ticket xyzzy 83')).not.toMatch(/did you mean/);
  });
});

describe('what a list says it shows', () => {
  it('says "open and closed" for list all, never "all tickets" ("No all tickets matching …")', () => {
    const request = { status: 'all', priority: 'urgent', category: null, words: ['frein'], page: 1 } as const;
    expect(describeList(request)).toBe('urgent tickets (open and closed) matching "frein"');
    expect(
      formatList({ kind: 'list', items: [], page: 1, hasMore: false, filters: describeList(request) }, request),
    ).toBe('No urgent tickets (open and closed) matching "frein".');
    expect(describeList({ status: 'open', priority: null, category: 'billing', words: [], page: 1 })).toBe(
      'open billing tickets',
    );
  });

  it('cuts a long subject between words', () => {
    expect(shorten('Demande de remplacement batterie sous garantie pour ma Clio', 40)).toBe(
      'Demande de remplacement batterie sous…',
    );
    expect(shorten('Short one', 40)).toBe('Short one');
  });
});

describe('times on the console', () => {
  it("are the shop's time (DIGEST_TIMEZONE), named, winter and summer alike; UTC when no zone is given", () => {
    expect(formatWhen(new Date('2026-12-03T10:46:00Z'), 'Europe/Paris')).toBe('2026-12-03 11:46 Europe/Paris');
    expect(formatWhen(new Date('2026-07-01T23:30:00Z'), 'Europe/Paris')).toBe('2026-07-02 01:30 Europe/Paris');
    expect(formatWhen(new Date('2026-12-03T10:46:00Z'))).toBe('2026-12-03 10:46 UTC');
  });
});

describe('a filter misspelt in a list', () => {
  it('is searched for as a word, and the empty answer says which command was probably meant', () => {
    const request = { status: 'open', priority: null, category: null, words: ['waitting'], page: 1 } as const;
    expect(
      formatList({ kind: 'list', items: [], page: 1, hasMore: false, filters: describeList(request) }, request),
    ).toBe('No open tickets matching "waitting". Did you mean "/ticket list waiting"?');
    const plain = { status: 'open', priority: null, category: null, words: ['alternateur'], page: 1 } as const;
    expect(formatList({ kind: 'list', items: [], page: 1, hasMore: false, filters: describeList(plain) }, plain)).toBe(
      'No open tickets matching "alternateur".',
    );
  });
});

describe('SLA commands', () => {
  it('list due [page N] and sla N', () => {
    expect(parseCommand('/ticket list due')).toEqual({ ok: true, command: { name: 'due', page: 1 } });
    expect(parseCommand('list due page 3')).toEqual({ ok: true, command: { name: 'due', page: 3 } });
    expect(parseCommand('list due urgent')).toEqual({
      ok: false,
      error:
        '"/ticket list due" sorts every open ticket by its nearest SLA deadline and takes only a page, e.g. "/ticket list due page 2".',
    });
    expect(parseCommand('sla #12')).toEqual({ ok: true, command: { name: 'sla', ticketId: 12 } });
    expect(parseCommand('sla')).toEqual({
      ok: false,
      error: 'Give the ticket number after "sla", e.g. "/ticket sla 83".',
    });
  });
});
