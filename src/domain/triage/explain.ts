/** Triage's reasons as lines a person reads: in `triage explain`, `triage classify` and escalation posts. */
import type { TriageReasons } from './classifier.ts';

export interface ExplainedDecision {
  readonly category: string;
  readonly categoryConfidence: number | null;
  readonly priority: string;
  readonly priorityConfidence: number | null;
  readonly sentiment: number | null;
  readonly language: string | null;
  readonly reasons: unknown;
  /** An agent set the category or priority after triage: the confidences were triage's, not theirs. */
  readonly corrected?: boolean;
}

export function reasonLines(decision: ExplainedDecision): string[] {
  const decided = decision.corrected
    ? `category ${decision.category}, priority ${decision.priority} (an agent's correction: triage's confidence no longer applies)`
    : `category ${decision.category}${confidence(decision.categoryConfidence)}, priority ${decision.priority}${confidence(decision.priorityConfidence)}`;
  const lines = [
    `${decided}, sentiment ${decision.sentiment === null ? '?' : decision.sentiment.toFixed(2)}, language ${decision.language ?? 'unknown'}`,
  ];
  const r = asReasons(decision.reasons);
  if (!r) return lines;
  for (const rule of r.rules) lines.push(`rule "${rule.rule}": ${rule.effect}`);
  const whose = decision.corrected ? "triage's model" : 'the model';
  // The model's words, toward the model's choice: "the model alone said" below tells when a rule changed it.
  if (r.categoryTerms.length)
    lines.push(`words ${whose} weighed toward ${r.model.category}: ${r.categoryTerms.join(', ')}`);
  if (r.priorityTerms.length)
    lines.push(`words ${whose} weighed toward ${r.model.priority}: ${r.priorityTerms.join(', ')}`);
  const toneModel =
    typeof r.veryNegative === 'number' ? `the model: ${Math.round(r.veryNegative * 100)} % very negative` : null;
  if (r.sentimentTerms.length || toneModel)
    lines.push(`tone: ${[r.sentimentTerms.join(', '), toneModel].filter(Boolean).join(' — ')}`);
  if (r.model.category !== decision.category || r.model.priority !== decision.priority) {
    lines.push(`the model alone said ${r.model.category} / ${r.model.priority}`);
  }
  return lines;
}

function confidence(c: number | null): string {
  return c === null ? '' : ` (${Math.round(c * 100)} %)`;
}

/** Stored reasons come back from JSON: read them defensively. */
function asReasons(value: unknown): TriageReasons | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Partial<TriageReasons>;
  if (!Array.isArray(v.rules) || !v.model) return null;
  return {
    rules: v.rules,
    categoryTerms: Array.isArray(v.categoryTerms) ? v.categoryTerms : [],
    priorityTerms: Array.isArray(v.priorityTerms) ? v.priorityTerms : [],
    sentimentTerms: Array.isArray(v.sentimentTerms) ? v.sentimentTerms : [],
    model: v.model,
    ...(typeof v.veryNegative === 'number' ? { veryNegative: v.veryNegative } : {}),
  };
}
