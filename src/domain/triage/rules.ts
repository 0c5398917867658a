/**
 * The operator's layer of triage: rules a person writes and reads. Keywords are matched on
 * accent-folded, lowercased text at the start of a word ("rembours" matches "Remboursé",
 * "remboursement"); patterns are regular expressions tested on that same folded text. A category rule
 * adds its weight to the model's log-odds of its category; a priority rule either adds weight or, with
 * "atLeast", raises the priority to at least its level. Loaded from JSON (TRIAGE_RULES_FILE) and
 * validated, every problem reported with its place in the file.
 */
import { z } from 'zod';
import { CATEGORIES, PRIORITIES, type Category, type Priority } from '../ticket.ts';
import { argmax } from './scores.ts';
import { foldText } from './text.ts';

const keywordList = z.array(z.string().min(2, 'a keyword of at least 2 characters')).default([]);
const patternList = z
  .array(
    z.string().superRefine((source, ctx) => {
      try {
        new RegExp(source, 'u');
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          message: `not a valid regular expression: ${error instanceof Error ? error.message : String(error)}`,
        });
      }
    }),
  )
  .default([]);

const comment = z.union([z.string(), z.array(z.string())]).optional();

const CategoryRuleSchema = z
  .object({
    $comment: comment,
    name: z.string().min(1),
    category: z.enum(CATEGORIES),
    keywords: keywordList,
    patterns: patternList,
    weight: z.number().min(-20).max(20).default(1.5),
  })
  .strict()
  .refine((r) => r.keywords.length + r.patterns.length > 0, 'a rule needs at least one keyword or pattern');

const PriorityRuleSchema = z
  .object({
    $comment: comment,
    name: z.string().min(1),
    priority: z.enum(PRIORITIES),
    keywords: keywordList,
    patterns: patternList,
    /** Added to the model's log-odds of this priority. */
    weight: z.number().min(-20).max(20).default(0),
    /** Raise the priority to at least this level when the rule fires. */
    atLeast: z.boolean().default(false),
  })
  .strict()
  .refine((r) => r.keywords.length + r.patterns.length > 0, 'a rule needs at least one keyword or pattern');

export const TriageRulesSchema = z
  .object({
    $comment: comment,
    categoryRules: z.array(CategoryRuleSchema).default([]),
    priorityRules: z.array(PriorityRuleSchema).default([]),
    /** Customers (VIP_CUSTOMERS) whose tickets get at least this priority. */
    vip: z
      .object({ atLeast: z.enum(PRIORITIES).default('high') })
      .strict()
      .default({ atLeast: 'high' }),
    /** The mailbox's category (IMAP_<NAME>_CATEGORY) adds this to that category's log-odds. */
    mailboxHint: z
      .object({ weight: z.number().min(0).max(20).default(1.5) })
      .strict()
      .default({ weight: 1.5 }),
    /** When the customer gave an order number: weights per category, and a minimum priority. */
    orderNumber: z
      .object({
        categoryWeights: z.partialRecord(z.enum(CATEGORIES), z.number().min(-20).max(20)).default({}),
        atLeast: z.enum(PRIORITIES).nullable().default(null),
      })
      .strict()
      .default({ categoryWeights: {}, atLeast: null }),
    /** A ticket whose sentiment is at or below this is escalated, like an urgent one. */
    escalation: z
      .object({ sentimentAtMost: z.number().min(-1).max(1).default(-0.6) })
      .strict()
      .default({ sentimentAtMost: -0.6 }),
  })
  .strict();

export type TriageRulesInput = z.input<typeof TriageRulesSchema>;
export type TriageRulesSpec = z.output<typeof TriageRulesSchema>;

/** A rule that fired, as agents see it in the reasons. */
export interface FiredRule {
  readonly rule: string;
  readonly effect: string;
}

interface CompiledRule {
  readonly name: string;
  readonly test: (folded: string) => string | null;
}

export interface CompiledRules {
  readonly spec: TriageRulesSpec;
  readonly category: readonly (CompiledRule & { readonly category: Category; readonly weight: number })[];
  readonly priority: readonly (CompiledRule & {
    readonly priority: Priority;
    readonly weight: number;
    readonly atLeast: boolean;
  })[];
}

/** Validates rules (e.g. a parsed JSON file); the message lists every problem with its path. */
export function parseTriageRules(json: unknown, source = 'the triage rules'): CompiledRules {
  const parsed = TriageRulesSchema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
    throw new Error(`${source} are not valid:\n${lines.join('\n')}`);
  }
  return compileRules(parsed.data);
}

export function compileRules(spec: TriageRulesSpec): CompiledRules {
  return {
    spec,
    category: spec.categoryRules.map((r) => ({
      name: r.name,
      category: r.category,
      weight: r.weight,
      test: matcher(r.keywords, r.patterns),
    })),
    priority: spec.priorityRules.map((r) => ({
      name: r.name,
      priority: r.priority,
      weight: r.weight,
      atLeast: r.atLeast,
      test: matcher(r.keywords, r.patterns),
    })),
  };
}

/** Returns the first keyword or pattern match in folded text, or null. */
function matcher(keywords: readonly string[], patterns: readonly string[]): (folded: string) => string | null {
  // A keyword matches at the start of a word ("rembours": remboursé, remboursement); one ending in "$"
  // is a whole word only ("vin$": the VIN, not Vincent; "debit$": not débitmètre).
  const escaped = keywords.map((k) => {
    const whole = k.endsWith('$');
    const body = foldText(whole ? k.slice(0, -1) : k)
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      .replace(/\s+/g, '\\s+');
    return whole ? `${body}(?![a-z0-9])` : body;
  });
  const words = escaped.length ? new RegExp(`(?:^|[^a-z0-9])(${escaped.join('|')})`) : null;
  const regexes = patterns.map((p) => new RegExp(p, 'u'));
  return (folded) => {
    const m = words?.exec(folded);
    if (m) return m[1] ?? null;
    for (const re of regexes) {
      const r = re.exec(folded);
      if (r) return r[0];
    }
    return null;
  };
}

/**
 * The priority from the model's scores and the operator's rules: rule weights first, then the floors
 * ("at least": a rule, a VIP customer, an order number). `folded` is the ticket's folded own text.
 */
export function decidePriority(
  modelScores: Readonly<Record<string, number>>,
  rules: CompiledRules,
  folded: string,
  extras: { readonly vip: boolean; readonly orderNumber: string | null },
): { priority: Priority; confidence: number; fired: FiredRule[] } {
  const fired: FiredRule[] = [];
  const scores: Record<string, number> = { ...modelScores };
  const floors: { priority: Priority; why: FiredRule }[] = [];
  for (const rule of rules.priority) {
    const hit = rule.test(folded);
    if (!hit) continue;
    const current = scores[rule.priority];
    if (rule.weight !== 0 && current !== undefined) scores[rule.priority] = current + rule.weight;
    const effect = [
      rule.weight !== 0 ? `${signed(rule.weight)} ${rule.priority}` : '',
      rule.atLeast ? `at least ${rule.priority}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    const why = { rule: rule.name, effect: `${effect} ("${hit.trim()}")` };
    if (rule.atLeast) floors.push({ priority: rule.priority, why });
    else fired.push(why);
  }
  if (extras.vip)
    floors.push({
      priority: rules.spec.vip.atLeast,
      why: { rule: 'VIP customer', effect: `at least ${rules.spec.vip.atLeast}` },
    });
  if (extras.orderNumber && rules.spec.orderNumber.atLeast) {
    floors.push({
      priority: rules.spec.orderNumber.atLeast,
      why: { rule: `order number ${extras.orderNumber} present`, effect: `at least ${rules.spec.orderNumber.atLeast}` },
    });
  }
  let [priority, confidence] = argmax(scores, PRIORITIES);
  for (const floor of floors) {
    fired.push(floor.why);
    if (priorityRank(floor.priority) > priorityRank(priority)) {
      priority = floor.priority;
      // A rule that decides is as sure as the operator who wrote it; the model's view is kept as a floor.
      confidence = Math.max(0.9, confidence);
    }
  }
  return { priority, confidence, fired };
}

function signed(n: number): string {
  return n >= 0 ? `+${n}` : String(n);
}

export function priorityRank(p: Priority): number {
  return PRIORITIES.length - 1 - PRIORITIES.indexOf(p); // urgent 3 … low 0
}
