/**
 * Automatic assignment end to end on MariaDB: two workers (two apps, each with its own pool) racing on
 * 1,000 tickets share them out evenly and never exceed a capacity; the console's /ticket away, back,
 * close, assign, view and stats agents; the reason posted in the ticket's Slack thread (Slack's Web API
 * is the local recording server).
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../src/domain/command.ts';
import { startRecordingServer, type RecordingServer } from '../fakes/recording-server.ts';
import { createTestApp, createTestDatabase, ingestTicket, type TestApp, type TestDatabase } from './harness.ts';

const CHANNEL = 'C0ASSIGN';
let api: RecordingServer;
let ts = 1_800_000_000;
/** The ts Slack answered for each post (by its recorded body). */
const issued = new Map<unknown, string>();
const dbs: TestDatabase[] = [];
const apps: TestApp[] = [];

async function assignmentFile(json: unknown): Promise<string> {
  const file = path.join(os.tmpdir(), `assignment-${process.pid}-${Date.now()}-${Math.random()}.json`);
  await writeFile(file, JSON.stringify(json, null, 2));
  return file;
}

async function app(db: TestDatabase, file: string, env: Record<string, string> = {}): Promise<TestApp> {
  const a = await createTestApp(db, { ACK_ENABLED: 'false', ASSIGNMENT_FILE: file, ...env });
  apps.push(a);
  return a;
}

async function agents(a: TestApp, names: readonly string[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const [i, name] of names.entries()) {
    const agent = await a.agents.upsert({
      name,
      role: name === 'zoe' ? 'manager' : 'agent',
      staffId: 40 + i,
      identities: [{ platform: 'console', kind: 'user', value: name }],
    });
    ids.set(name, agent.id);
  }
  return ids;
}

/** Open, triaged tickets written straight into our table (the race is about assignment, not intake). */
async function seedTickets(db: TestDatabase, from: number, count: number, category: string): Promise<number[]> {
  const ids = Array.from({ length: count }, (_, i) => from + i);
  const at = new Date();
  for (let i = 0; i < ids.length; i += 200) {
    const chunk = ids.slice(i, i + 200);
    await db.query(
      `INSERT INTO support_ticket (ticket_id, customer_id, customer_email, subject, status, priority, category, source, triaged, created_at, updated_at, last_message_at)
       VALUES ${chunk.map(() => "(?, ?, ?, ?, 'open', 'normal', ?, 'email', 1, ?, ?, ?)").join(', ')}`,
      chunk.flatMap((id) => [id, id, `c${id}@customer.example`, `Order ${id}`, category, at, at, at]),
    );
  }
  return ids;
}

/** Each worker takes every ticket, in its own order, a few at a time: they collide all the way. */
async function race(workers: readonly TestApp[], ids: readonly number[]): Promise<void> {
  await Promise.all(
    workers.map(async (w, n) => {
      const order = n % 2 === 0 ? [...ids] : [...ids].reverse();
      const lanes = Array.from({ length: 4 }, async (_, lane) => {
        for (let i = lane; i < order.length; i += 4) await w.assignment!.assign(order[i]!);
      });
      await Promise.all(lanes);
    }),
  );
}

async function perAgent(db: TestDatabase, ids: readonly number[]): Promise<number[]> {
  const rows = await db.query<{ n: number }>(
    `SELECT COUNT(*) AS n FROM support_ticket WHERE ticket_id IN (?) AND assignee_agent_id IS NOT NULL GROUP BY assignee_agent_id ORDER BY n`,
    [ids],
  );
  return rows.map((r) => Number(r.n));
}

beforeAll(async () => {
  api = await startRecordingServer();
  api.route('chat.postMessage', (call) => {
    const answer = `${(ts += 1)}.000100`;
    issued.set(call.body, answer);
    return { body: { ok: true, ts: answer, channel: CHANNEL } };
  });
});

afterAll(async () => {
  for (const a of apps) await a.close().catch(() => undefined);
  for (const db of dbs) await db.drop();
  await api?.close();
});

describe('two workers racing', () => {
  it('share 1,000 tickets over 3 agents within 1 of each other (round_robin, then least_open), each assigned once', async () => {
    const db = await createTestDatabase('assign_race');
    dbs.push(db);
    const file = await assignmentFile({
      capacity: 1000,
      agents: { ana: { hours: '24/7' }, bob: { hours: '24/7' }, chloe: { hours: '24/7' } },
      default: ['round_robin'],
      rules: [{ name: 'billing', category: ['billing'], strategies: ['least_open'] }],
    });
    const a = await app(db, file);
    const b = await app(db, file);
    await agents(a, ['ana', 'bob', 'chloe']);
    await a.assignment!.prepare();

    const general = await seedTickets(db, 10_000, 1000, 'general');
    const started = performance.now();
    await race([a, b], general);
    const seconds = (performance.now() - started) / 1000;
    const rr = await perAgent(db, general);
    expect(rr.reduce((x, y) => x + y, 0)).toBe(1000);
    expect(rr).toHaveLength(3);
    expect(rr.at(-1)! - rr[0]!).toBeLessThanOrEqual(1);
    // One decision per ticket, whoever raced: one audit event each, and each says why.
    const events = await db.query<{ n: number; tickets: number }>(
      `SELECT COUNT(*) AS n, COUNT(DISTINCT ticket_id) AS tickets FROM support_event WHERE type = 'auto_assigned' AND ticket_id IN (?)`,
      [general],
    );
    expect(events[0]).toMatchObject({ n: 1000, tickets: 1000 });
    const [reason] = await db.query<{ reason: string }>('SELECT reason FROM support_assignment WHERE ticket_id = ?', [
      general[0],
    ]);
    expect(reason!.reason).toMatch(/^assigned to (ana|bob|chloe) \(round robin, default rule; \d+\/1000 open\)$/);
    console.info(`assignment race: 1000 tickets, 2 workers × 4 lanes, ${(1000 / seconds).toFixed(0)} decisions/s`);

    // least_open, from an empty desk: the first batch closed, 1,000 billing tickets raced again.
    await db.query("UPDATE support_ticket SET status = 'closed', closed_at = NOW(3) WHERE ticket_id IN (?)", [general]);
    const billing = await seedTickets(db, 20_000, 1000, 'billing');
    await race([b, a], billing);
    const lo = await perAgent(db, billing);
    expect(lo.reduce((x, y) => x + y, 0)).toBe(1000);
    expect(lo.at(-1)! - lo[0]!).toBeLessThanOrEqual(1);
  }, 240_000);

  it('never take an agent past capacity: the rest waits in the queue, longest first', async () => {
    const db = await createTestDatabase('assign_cap');
    dbs.push(db);
    const file = await assignmentFile({
      capacity: 2,
      agents: { ana: { hours: '24/7' }, bob: { hours: '24/7' } },
      default: ['least_open'],
    });
    const a = await app(db, file);
    const b = await app(db, file);
    await agents(a, ['ana', 'bob']);
    const ids = await seedTickets(db, 500, 10, 'general');
    await race([a, b], ids);
    expect(await perAgent(db, ids)).toEqual([2, 2]);
    const queued = await db.query("SELECT ticket_id FROM support_assignment WHERE state = 'queued'");
    expect(queued).toHaveLength(6);
    const [r] = await db.query<{ reason: string }>(
      "SELECT reason FROM support_assignment WHERE state = 'queued' LIMIT 1",
    );
    expect(r!.reason).toBe(
      'queued: nobody can take it now (default rule; ana skipped: 2/2 open tickets; bob skipped: 2/2 open tickets)',
    );
  }, 60_000);
});

describe('the console and the Slack thread', () => {
  let db: TestDatabase;
  let w: TestApp;
  const as = (name: string): Caller => ({ platform: 'console', userId: name });
  const posts = (ticketId: number) =>
    api
      .callsTo('chat.postMessage')
      .map((c) => c.body as Record<string, unknown>)
      .filter((b) => String(b['text']).includes(`ticket #${ticketId}`));

  beforeAll(async () => {
    db = await createTestDatabase('assign_flow');
    dbs.push(db);
    const file = await assignmentFile({
      capacity: 1,
      agents: { ana: { hours: '24/7' }, bob: { hours: '24/7' } },
      default: ['round_robin'],
    });
    w = await app(db, file, { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_NOTIFY_CHANNEL: CHANNEL, SLACK_API_URL: api.url });
    await agents(w, ['ana', 'bob', 'zoe']);
  });

  async function newTicket(subject: string): Promise<number> {
    const { ticketId } = await ingestTicket(w, {
      from: `Cy <cy${Date.now()}@customer.example>`,
      subject,
      body: 'Hello.',
    });
    return ticketId;
  }

  it('posts the reason in the ticket thread and shows it in /ticket view; away queues, back drains the queue', async () => {
    // The ticket's announcement in the channel, then the assignment under it.
    const first = await newTicket('Where is my parcel?');
    for (const n of w.notifiers)
      await n.notify({
        kind: 'new',
        ticketId: first,
        subject: 'Where is my parcel?',
        customer: 'cy',
        priority: 'normal',
        category: 'general',
        lines: [],
      });
    const anchor = posts(first)[0]!;
    const outcome = await w.assignment!.assign(first);
    expect(outcome).toMatchObject({ done: 'decided', decision: { kind: 'assign', agentName: 'ana' } });
    const thread = posts(first).filter((p) => String(p['text']).startsWith('Assignment:'));
    expect(thread).toHaveLength(1);
    expect(thread[0]!['text']).toBe(
      `Assignment: ticket #${first} — Assigned to ana (round robin, default rule; 1/1 open)`,
    );
    // In the ticket's thread: under the message that announced it.
    expect(thread[0]!['thread_ts']).toBe(issued.get(anchor));
    expect(issued.get(anchor)).toMatch(/^\d+\.000100$/);
    const view = await w.commands.run(as('zoe'), `view ${first}`);
    expect(view.text).toContain('assigned to ana');
    expect(view.text).toMatch(/Assignment: assigned to ana \(round robin, default rule; 1\/1 open\) \(automatic, /);

    // Bob goes away; ana is full: the next ticket waits, and the channel is told why.
    const away = await w.commands.run(as('bob'), 'away until 2099-01-01');
    expect(away).toMatchObject({ ok: true, text: expect.stringContaining('bob is away until Fri 2099-01-02 00:00') });
    const second = await newTicket('Refund please');
    await w.assignment!.assign(second);
    const waiting = await w.commands.run(as('zoe'), `view ${second}`);
    expect(waiting.text).toContain('unassigned');
    expect(waiting.text).toContain(
      'Assignment: queued: nobody can take it now (default rule; ana skipped: 1/1 open tickets; bob skipped: away until Fri 2099-01-02 00:00)',
    );
    expect(posts(second).map((p) => p['text'])).toContain(
      `Assignment: ticket #${second} — Queued: nobody can take it now (default rule; ana skipped: 1/1 open tickets; bob skipped: away until Fri 2099-01-02 00:00)`,
    );

    // Bob is back: the queue drains at once, to him.
    const back = await w.commands.run(as('bob'), 'back');
    expect(back.text).toBe('Welcome back, bob: tickets are assigned to you again (1 queued ticket assigned just now).');
    const taken = await w.commands.run(as('zoe'), `view ${second}`);
    expect(taken.text).toContain('assigned to bob');
    expect(taken.text).toMatch(
      /Assignment: assigned to bob \(round robin, default rule; 1\/1 open; ana skipped: 1\/1 open tickets\)/,
    );

    // Both full: a third ticket waits; ana closes hers, which frees her place and drains the queue.
    const third = await newTicket('Wrong size');
    await w.assignment!.assign(third);
    expect((await db.query('SELECT assignee_agent_id FROM support_ticket WHERE ticket_id = ?', [third]))[0]).toEqual({
      assignee_agent_id: null,
    });
    const closed = await w.commands.run(as('ana'), `close ${first}`);
    expect(closed.ok).toBe(true);
    expect((await w.commands.run(as('zoe'), `view ${third}`)).text).toContain('assigned to ana');
  });

  it('manual assignment wins: a queued ticket a person gives away is never reassigned, nor one assigned before the worker', async () => {
    const queued = await newTicket('Queued then given');
    await w.assignment!.assign(queued); // both full: queued
    // bob is full (1/1): a person is asked first, then their confirmation wins.
    const asked = await w.commands.run(as('zoe'), `assign ${queued} @bob`);
    expect(asked).toMatchObject({ ok: false, confirm: { command: `assign ${queued} @bob confirm` } });
    const given = await w.commands.run(as('zoe'), `assign ${queued} @bob confirm`);
    expect(given).toMatchObject({
      ok: true,
      text: `Ticket #${queued} assigned to bob by zoe, past bob's capacity (2/1 open tickets; confirmed by zoe).`,
    });
    await w.commands.run(as('bob'), `close ${await firstOpenOf('bob', queued)}`); // bob frees a place: a drain runs
    expect(await w.assignment!.assign(queued)).toEqual({ done: 'skipped', why: 'manual' });
    const view = await w.commands.run(as('zoe'), `view ${queued}`);
    expect(view.text).toContain('assigned to bob');
    expect(view.text).toMatch(/Assignment: assigned by a person \(bob\), .*: never changed automatically/);

    const early = await newTicket('Taken before triage');
    // ana is full too: taking one herself past her capacity is confirmed the same way.
    expect((await w.commands.run(as('ana'), `assign ${early} me`)).ok).toBe(false);
    expect((await w.commands.run(as('ana'), `assign ${early} me confirm`)).ok).toBe(true);
    expect(await w.assignment!.assign(early)).toEqual({ done: 'skipped', why: 'manual' });
    const row = await db.query(
      'SELECT a.name FROM support_ticket t JOIN support_agent a ON a.id = t.assignee_agent_id WHERE t.ticket_id = ?',
      [early],
    );
    expect(row[0]).toEqual({ name: 'ana' });
  });

  it('/ticket stats agents: open over capacity, assigned and closed today, away, the queue', async () => {
    await w.commands.run(as('ana'), 'away 2h');
    const stats = await w.commands.run(as('zoe'), 'stats agents');
    expect(stats.ok).toBe(true);
    expect(stats.text).toMatch(/^Agents — today \(Europe\/Paris\):/);
    expect(stats.text).toMatch(
      /\nana: \d+\/1 open \(\d+ % of capacity\) · [1-9]\d* assigned today · 1 closed today · away until /,
    );
    expect(stats.text).toMatch(
      /\nbob: \d+\/1 open \(\d+ % of capacity\) · [1-9]\d* assigned today · 1 closed today · available/,
    );
    expect(stats.text).toMatch(
      /\nzoe: 0 open \(not assigned automatically\) · 0 assigned today · 0 closed today · available/,
    );
    expect(stats.text).toMatch(/\nQueue: (empty|\d+ tickets? waiting)/);
    const refused = await w.commands.run(as('ana'), 'away yesterday');
    expect(refused).toMatchObject({ ok: false, text: expect.stringContaining('"yesterday" is not understood') });
    const stranger = await w.commands.run({ platform: 'console', userId: 'nobody' }, 'back');
    expect(stranger.ok).toBe(false);
  });

  async function firstOpenOf(name: string, except: number): Promise<number> {
    const rows = await db.query<{ ticket_id: number }>(
      `SELECT t.ticket_id FROM support_ticket t JOIN support_agent a ON a.id = t.assignee_agent_id
        WHERE a.name = ? AND t.status = 'open' AND t.ticket_id <> ? ORDER BY t.ticket_id LIMIT 1`,
      [name, except],
    );
    return Number(rows[0]!.ticket_id);
  }
});
