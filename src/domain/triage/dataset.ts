/**
 * The labelled set (data/triage/labelled-*.jsonl: one support email per line, labelled by people) and
 * the deterministic held-out split of `eval:triage`.
 */
import { z } from 'zod';
import { CATEGORIES, PRIORITIES } from '../ticket.ts';
import type { TrainingExample } from './model.ts';

const LabelledEmailSchema = z.object({
  id: z.union([z.string().min(1), z.number()]).transform(String),
  lang: z.string().optional(),
  from_name: z.string().optional().nullable(),
  subject: z.string().default(''),
  body: z.string(),
  category: z.enum(CATEGORIES),
  priority: z.enum(PRIORITIES),
  sentiment: z.unknown().optional(),
  /** Which addition to the set the email came with (1: the first). Each is split on its own: see splitHeldOut. */
  batch: z.number().int().positive().default(1),
});

export type LabelledEmail = z.output<typeof LabelledEmailSchema>;

/** Parses a JSON-lines file; a bad line is reported with its number and skipped, never guessed. */
export function parseLabelledSet(text: string, source: string): { emails: LabelledEmail[]; problems: string[] } {
  const emails: LabelledEmail[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      problems.push(`${source}:${i + 1}: not valid JSON`);
      return;
    }
    const parsed = LabelledEmailSchema.safeParse(json);
    if (parsed.success) emails.push(parsed.data);
    else
      problems.push(
        `${source}:${i + 1}: ${parsed.error.issues.map((x) => `${x.path.join('.') || 'line'} ${x.message}`).join('; ')}`,
      );
  });
  return { emails, problems };
}

/** Sentiment at or below this is "very negative" (the labelling guide: angry complaints, threats, safety scares). */
export const VERY_NEGATIVE = -0.6;

export function toTrainingExample(email: LabelledEmail): TrainingExample {
  const sentiment = typeof email.sentiment === 'number' && Number.isFinite(email.sentiment) ? email.sentiment : null;
  // tone: the model learns what a very negative email reads like (the lexicon alone escalated calm ones).
  const tone = sentiment === null ? {} : { tone: sentiment <= VERY_NEGATIVE ? 'very_negative' : 'other' };
  return {
    id: email.id,
    subject: email.subject,
    body: email.body,
    labels: { category: email.category, priority: email.priority, ...tone },
  };
}

/**
 * Stratified split by a hash of the id: within each (category, priority, language) group, emails are
 * ordered by hash and every fourth goes to the held-out part. The same set always splits the same way,
 * whatever order its lines are in, and no email is ever on both sides. Emails added later carry a
 * higher `batch` and are split among themselves, so adding to the set never moves an email from one
 * side to the other: a held-out email stays held out, and one that was trained on (and looked at
 * while rules were written) never becomes a test email.
 */
export function splitHeldOut<
  T extends Pick<LabelledEmail, 'id' | 'category' | 'priority' | 'lang'> & { readonly batch?: number },
>(emails: readonly T[], heldOutEvery = 4): { train: T[]; test: T[] } {
  const groups = new Map<string, T[]>();
  for (const e of emails) {
    const key = `${e.category}|${e.priority}|${e.lang ?? ''}${(e.batch ?? 1) === 1 ? '' : `|batch ${e.batch}`}`;
    const list = groups.get(key) ?? [];
    list.push(e);
    groups.set(key, list);
  }
  const train: T[] = [];
  const test: T[] = [];
  for (const key of [...groups.keys()].sort()) {
    const list = groups
      .get(key)!
      .slice()
      .sort((a, b) => hash(a.id) - hash(b.id) || a.id.localeCompare(b.id));
    // Offset by the group's hash, so that small groups do not all start on the training side.
    const offset = hash(key) % heldOutEvery;
    list.forEach((e, i) => ((i + offset) % heldOutEvery === heldOutEvery - 1 ? test : train).push(e));
  }
  return { train, test };
}

function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
