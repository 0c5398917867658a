/**
 * Reply templates (issue 20, review 2.1): a key, a title, tags, optional actions and one body per
 * language (fr, en). Bodies hold variables, `{{customer.first_name}}`, with an optional fallback
 * (`{{customer.first_name|Madame, Monsieur}}` or `{{customer.first_name | default: "Madame, Monsieur"}}`),
 * and `{{ask:numero_suivi}}` fields the agent fills. Every occurrence is replaced; a variable with no
 * value and no fallback blocks the send with one sentence naming it (never a blank in the email).
 */
import { closestWord } from './wording.ts';
import { CATEGORIES, PRIORITIES, type Category, type Priority } from './ticket.ts';

export const TEMPLATE_LANGUAGES = ['fr', 'en'] as const;
export type TemplateLanguage = (typeof TEMPLATE_LANGUAGES)[number];
export const TEMPLATE_VARIABLES = [
  'customer.first_name',
  'customer.last_name',
  'ticket.number',
  'order.number',
  'agent.first_name',
  'agent.name',
  'shop.name',
  'sla.first_response_due',
] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

/** Applied only once the mail server accepted the reply, in the same audited operation. */
export interface TemplateActions {
  readonly status?: 'pending' | 'closed';
  readonly priority?: Priority;
  readonly category?: Category;
  readonly note?: string;
}

export interface ReplyTemplate {
  readonly key: string;
  readonly title: string;
  readonly tags: readonly string[];
  readonly actions: TemplateActions;
  readonly bodies: Readonly<Partial<Record<TemplateLanguage, string>>>;
}
export interface StoredTemplate extends ReplyTemplate {
  readonly version: number;
}

export const KEY_PATTERN = /^[a-z0-9][a-z0-9_-]{0,79}$/;
const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;

interface Placeholder {
  readonly raw: string;
  readonly name: string;
  readonly ask: boolean;
  readonly fallback: string | null;
}

function parsePlaceholder(inner: string): Placeholder | string {
  const bar = inner.indexOf('|');
  const head = (bar === -1 ? inner : inner.slice(0, bar)).trim();
  let fallback: string | null = null;
  if (bar !== -1) {
    const tail = inner.slice(bar + 1).trim();
    const m = /^default:\s*"([^"]*)"$/.exec(tail);
    fallback = m ? m[1]! : tail;
  }
  const ask = /^ask:/i.exec(head);
  if (ask) {
    const name = head.slice(4).trim();
    if (!/^[a-z0-9_]{1,40}$/i.test(name))
      return `"{{${inner}}}" asks for a field without a usable name (letters, digits and _ only)`;
    return { raw: inner, name, ask: true, fallback };
  }
  if (!(TEMPLATE_VARIABLES as readonly string[]).includes(head)) {
    const near = closestWord(head, TEMPLATE_VARIABLES, 4);
    return `unknown variable "{{${head}}}"${near ? ` (did you mean {{${near}}}?)` : ''}; known: ${TEMPLATE_VARIABLES.join(', ')}`;
  }
  return { raw: inner, name: head, ask: false, fallback };
}

/** Problems of one body: unbalanced braces, unknown variables, emptiness, hard-coded delays (warnings). */
export function checkBody(body: string): { readonly errors: string[]; readonly warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  if (!body.trim()) errors.push('the body is empty');
  const stripped = body.replace(PLACEHOLDER, '');
  if (stripped.includes('{{') || stripped.includes('}}')) errors.push('unbalanced "{{" or "}}"');
  for (const m of body.matchAll(PLACEHOLDER)) {
    const p = parsePlaceholder(m[1]!);
    if (typeof p === 'string') errors.push(p);
  }
  const delay = /\b(sous|dans les|within|in)\s+\d+\s*(h|heures?|hours?|jours?|days?)\b/i.exec(body);
  if (delay)
    warnings.push(
      `the body promises a fixed delay ("${delay[0]}"); use {{sla.first_response_due}} so it follows the business calendar`,
    );
  return { errors, warnings };
}

/** The `{{ask:…}}` fields of a body, in order, once each. */
export function askFields(body: string): string[] {
  const names: string[] = [];
  for (const m of body.matchAll(PLACEHOLDER)) {
    const p = parsePlaceholder(m[1]!);
    if (typeof p !== 'string' && p.ask && !names.includes(p.name)) names.push(p.name);
  }
  return names;
}

export type RenderResult =
  { readonly ok: true; readonly text: string } | { readonly ok: false; readonly missing: readonly string[] };

/** Every placeholder replaced by its value, else its fallback; missing ones listed (nothing is blanked). */
export function renderBody(
  body: string,
  values: Readonly<Partial<Record<string, string | null>>>,
  asks: Readonly<Record<string, string>>,
): RenderResult {
  const missing: string[] = [];
  const text = body.replace(PLACEHOLDER, (whole, inner: string) => {
    const p = parsePlaceholder(inner);
    if (typeof p === 'string') {
      missing.push(whole);
      return whole;
    }
    const value = (p.ask ? asks[p.name] : values[p.name])?.trim();
    if (value) return value;
    if (p.fallback !== null) return p.fallback;
    const label = p.ask ? `{{ask:${p.name}}}` : `{{${p.name}}}`;
    if (!missing.includes(label)) missing.push(label);
    return whole;
  });
  return missing.length ? { ok: false, missing } : { ok: true, text };
}

/** The body in the ticket's language, else the other one with a warning (never silently). */
export function pickBody(
  template: ReplyTemplate,
  language: string | null,
): { readonly language: TemplateLanguage; readonly body: string; readonly warning: string | null } | null {
  const wanted: TemplateLanguage = language === 'en' ? 'en' : 'fr';
  const body = template.bodies[wanted];
  if (body) return { language: wanted, body, warning: null };
  const other: TemplateLanguage = wanted === 'fr' ? 'en' : 'fr';
  const fallback = template.bodies[other];
  if (!fallback) return null;
  return {
    language: other,
    body: fallback,
    warning: `Template "${template.key}" has no ${wanted} text; the ${other} text is used.`,
  };
}

/** The sentence that blocks a send for missing values. */
export function missingSentence(
  key: string,
  ticketId: number,
  missing: readonly string[],
  language: TemplateLanguage,
): string {
  const list = missing.join(', ');
  return language === 'fr'
    ? `Le modèle « ${key} » utilise ${list} mais le ticket #${ticketId} n'a pas cette valeur : ajoutez-la (ask:nom=valeur pour un champ demandé) ou modifiez le texte ; rien n'a été envoyé.`
    : `Template "${key}" uses ${list} but ticket #${ticketId} has no value for it: give it (ask:name=value for an asked field) or change the text; nothing was sent.`;
}

/** A template offered while an agent types (autocomplete, `/ticket templates`), shown in the ticket's language. */
export interface TemplateSuggestion {
  readonly key: string;
  readonly version: number;
  readonly title: string;
  readonly language: TemplateLanguage;
  /** The body's start in that language, placeholders as written, on one line. */
  readonly preview: string;
}

const fold = (text: string): string =>
  text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();

/**
 * Templates matching what the agent typed: every word in the key, the title, a tag or the body in the
 * ticket's language (accents and case ignored). A key starting with the text comes first, then a key
 * containing it, then the title and tags, then the body; alphabetical within each. Nothing typed: all.
 */
export function matchTemplates(
  templates: readonly StoredTemplate[],
  typed: string,
  language: string | null,
  limit: number,
): TemplateSuggestion[] {
  const query = fold(typed.trim()).slice(0, 100);
  const words = query.split(/\s+/).filter(Boolean);
  const ranked: { rank: number; suggestion: TemplateSuggestion }[] = [];
  for (const t of templates) {
    const picked = pickBody(t, language);
    const key = fold(t.key);
    const label = fold(`${t.title} ${t.tags.join(' ')}`);
    const body = fold(picked?.body ?? '');
    if (!words.every((w) => key.includes(w) || label.includes(w) || body.includes(w))) continue;
    const rank = !query
      ? 0
      : key.startsWith(query)
        ? 0
        : words.every((w) => key.includes(w))
          ? 1
          : words.every((w) => key.includes(w) || label.includes(w))
            ? 2
            : 3;
    ranked.push({
      rank,
      suggestion: {
        key: t.key,
        version: t.version,
        title: t.title,
        language: picked?.language ?? (language === 'en' ? 'en' : 'fr'),
        preview: (picked?.body ?? '').replace(/\s+/g, ' ').trim().slice(0, 200),
      },
    });
  }
  return ranked
    .sort((a, b) => a.rank - b.rank || a.suggestion.key.localeCompare(b.suggestion.key))
    .slice(0, Math.max(0, limit))
    .map((r) => r.suggestion);
}

/** "retard-livraison — Retard de livraison (fr): Bonjour {{customer.first_name…" clipped to `max` characters. */
export function suggestionLabel(s: TemplateSuggestion, max: number): string {
  const full = `${s.key} — ${s.title} (${s.language}): ${s.preview}`;
  return full.length > max ? `${full.slice(0, max - 1)}…` : full;
}

/** The three closest keys, for an unknown one. */
export function closestKeys(key: string, keys: readonly string[]): string[] {
  return [...keys]
    .map((k) => ({ k, d: distance(key, k) }))
    .sort((a, b) => a.d - b.d || a.k.localeCompare(b.k))
    .slice(0, 3)
    .map((x) => x.k);
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

export interface FileProblem {
  readonly line: number;
  readonly key: string | null;
  readonly language: TemplateLanguage | null;
  readonly message: string;
  readonly warning: boolean;
}

/**
 * A templates file (JSON: an array, or `{ "templates": [...] }`) into the templates that are valid and
 * the problems of the others, each with its line (of its key, or of its language's body).
 */
export function parseTemplatesFile(source: string): {
  readonly templates: ReplyTemplate[];
  readonly problems: FileProblem[];
} {
  let data: unknown;
  try {
    data = JSON.parse(source);
  } catch (error) {
    const pos = /position (\d+)/.exec(String(error))?.[1];
    const line = pos ? source.slice(0, Number(pos)).split('\n').length : 1;
    return {
      templates: [],
      problems: [
        {
          line,
          key: null,
          language: null,
          warning: false,
          message: `not valid JSON (${error instanceof Error ? error.message : String(error)})`,
        },
      ],
    };
  }
  const list = Array.isArray(data) ? data : (data as { templates?: unknown } | null)?.templates;
  if (!Array.isArray(list))
    return {
      templates: [],
      problems: [
        {
          line: 1,
          key: null,
          language: null,
          warning: false,
          message: 'expected an array of templates, or { "templates": [ … ] }',
        },
      ],
    };
  const templates: ReplyTemplate[] = [];
  const problems: FileProblem[] = [];
  const seen = new Set<string>();
  let cursor = 0;
  for (const [index, raw] of list.entries()) {
    const item = (raw ?? {}) as Record<string, unknown>;
    const key = typeof item['key'] === 'string' ? item['key'] : null;
    const keyAt = key ? source.indexOf(JSON.stringify(key), cursor) : -1;
    if (keyAt !== -1) cursor = keyAt;
    const lineAt = (offset: number): number => source.slice(0, Math.max(0, offset)).split('\n').length;
    const line = lineAt(keyAt);
    const bad: FileProblem[] = [];
    const err = (message: string, language: TemplateLanguage | null = null, at = line, warning = false): void =>
      void bad.push({ line: at, key, language, message, warning });
    if (!key || !KEY_PATTERN.test(key))
      err(
        `template ${index + 1}: "key" must be lower-case letters, digits, - or _ (got ${JSON.stringify(item['key'] ?? null)})`,
      );
    else if (seen.has(key)) err(`duplicate key "${key}" in the file`);
    if (key) seen.add(key);
    const title = typeof item['title'] === 'string' && item['title'].trim() ? item['title'].trim() : (key ?? '');
    const tags = Array.isArray(item['tags']) ? item['tags'].filter((t): t is string => typeof t === 'string') : [];
    const actions = parseActions(item['actions'], (m) => err(m));
    const rawBodies = (item['bodies'] ?? item['body']) as Record<string, unknown> | undefined;
    const bodies: Partial<Record<TemplateLanguage, string>> = {};
    for (const language of TEMPLATE_LANGUAGES) {
      const body = rawBodies?.[language];
      const langAt = keyAt === -1 ? -1 : source.indexOf(`"${language}"`, keyAt);
      const bodyLine = langAt === -1 ? line : lineAt(langAt);
      if (typeof body !== 'string') {
        err(`missing the ${language} text (bodies.${language})`, language);
        continue;
      }
      const checked = checkBody(body);
      for (const e of checked.errors) err(e, language, bodyLine);
      for (const w of checked.warnings) err(w, language, bodyLine, true);
      bodies[language] = body;
    }
    problems.push(...bad);
    if (key && !bad.some((p) => !p.warning)) templates.push({ key, title, tags, actions, bodies });
  }
  return { templates, problems };
}

function parseActions(raw: unknown, err: (message: string) => void): TemplateActions {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    err('"actions" must be an object such as { "status": "closed", "priority": "low" }');
    return {};
  }
  const a = raw as Record<string, unknown>;
  const out: { -readonly [K in keyof TemplateActions]: TemplateActions[K] } = {};
  for (const name of Object.keys(a))
    if (!['status', 'priority', 'category', 'note'].includes(name))
      err(`unknown action "${name}" (status, priority, category, note)`);
  if (a['status'] !== undefined) {
    if (a['status'] === 'pending' || a['status'] === 'closed') out.status = a['status'];
    else err(`action status must be "pending" or "closed" (got ${JSON.stringify(a['status'])})`);
  }
  if (a['priority'] !== undefined) {
    if ((PRIORITIES as readonly unknown[]).includes(a['priority'])) out.priority = a['priority'] as Priority;
    else err(`action priority must be one of ${PRIORITIES.join(', ')}`);
  }
  if (a['category'] !== undefined) {
    if ((CATEGORIES as readonly unknown[]).includes(a['category'])) out.category = a['category'] as Category;
    else err(`action category must be one of ${CATEGORIES.join(', ')}`);
  }
  if (a['note'] !== undefined) {
    if (typeof a['note'] === 'string' && a['note'].trim()) out.note = a['note'].trim();
    else err('action note must be a non-empty text');
  }
  return out;
}

/** "file:line: [key/lang] message" as `templates check` prints it. */
export const formatProblem = (file: string, p: FileProblem): string =>
  `${file}:${p.line}: ${p.warning ? 'warning: ' : ''}${p.key ? `template "${p.key}"` : 'file'}${p.language ? ` (${p.language})` : ''}: ${p.message}`;
