/**
 * The old module's web form: validation with a message per field, and the raw RFC 822 message built
 * from it, so the form goes through the same intake as email (dedupe, customer, ack, triage).
 */
import { createHash } from 'node:crypto';
import { detectLanguage } from '../../src/domain/language.ts';
import { CATEGORIES, PRIORITIES, type Category, type Priority } from '../../src/domain/ticket.ts';
import type { WebFormDetails } from '../../src/services/intake-result.ts';

export interface ContactForm {
  readonly name: string;
  readonly email: string;
  readonly phone: string | null;
  readonly subject: string;
  readonly message: string;
  readonly orderNumber: string | null;
  /** What the old site's page sends besides: the customer's choices, the vehicle, who they are logged in as. */
  readonly details: WebFormDetails;
}

/** The language the form's messages are answered in: the page's own (the old site's pages are French). */
export type FormLanguage = 'fr' | 'en';

/**
 * The old backend's rules, as its pages rely on them: name ≥ 2, subject ≥ 5 and message ≥ 10 characters, an
 * address with an @ and a dot, a phone of 8 or more digits, spaces, +, -, ( and ). Upper bounds are only the
 * columns' (it had none of its own): name 255, subject 500, order number 64, phone 32; a message 20,000 (the
 * body must fit MAX_BODY_BYTES, 64 KB, even in accented letters).
 */
const LIMITS = {
  name: [2, 255],
  subject: [5, 500],
  message: [10, 20_000],
  orderNumber: [1, 64],
  phone: [8, 32],
} as const;
const EMAIL_RE = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;
/** Digits, spaces, + - ( ) and dots, then optionally an extension ("poste 12", "ext. 12"). */
const PHONE_RE = /^\+?[\d\s().-]{8,}(?:\s*(?:poste|ext\.?|x)\s*\d{1,6})?$/i;

/** The old page's categories that are not ours, mapped to ours ('other': triage decides). */
const FORM_CATEGORIES: Readonly<Record<string, Category | null>> = {
  order: 'general',
  product: 'technical',
  commercial: 'general',
  other: null,
};

const WORDS = {
  fr: {
    required: (label: string) => `${label} est obligatoire.`,
    text: (label: string) => `${label} doit être du texte.`,
    short: (label: string, n: number) => `${label} doit contenir au moins ${n} caractères.`,
    long: (label: string, n: number) => `${label} doit contenir au plus ${n} caractères.`,
    oneLine: (label: string) => `${label} doit tenir sur une ligne.`,
    email: 'Email invalide : écrivez-le sous la forme nom@exemple.fr.',
    emailRouting: "L'adresse email ne peut contenir ni % ni ! : écrivez-la sous la forme nom@exemple.fr.",
    emailIp: "L'adresse email doit se terminer par un nom de domaine, pas une adresse IP : nom@exemple.fr.",
    phone: 'Numéro de téléphone invalide : chiffres, espaces, +, -, . et parenthèses, au moins 8 caractères.',
    priority: 'La priorité doit être urgent, high, normal ou low.',
    category: `La catégorie doit être l'une de : ${[...CATEGORIES, ...Object.keys(FORM_CATEGORIES)].join(', ')}.`,
    vehicle:
      'Les informations du véhicule doivent être un objet (marque, modèle, année, immatriculation) de textes courts.',
    customerId: "L'identifiant client doit être un nombre entier.",
    body: 'Envoyez un objet JSON avec name, email, subject et message.',
    labels: {
      name: 'Le nom',
      email: "L'adresse email",
      phone: 'Le numéro de téléphone',
      subject: 'Le sujet',
      message: 'Le message',
      orderNumber: 'Le numéro de commande',
      sourcePage: 'La page d’origine',
    },
    summary: (lines: string[]) => lines.join(' '),
  },
  en: {
    required: (label: string) => `${label} is required.`,
    text: (label: string) => `${label} must be text.`,
    short: (label: string, n: number) => `${label} is too short: at least ${n} characters.`,
    long: (label: string, n: number) => `${label} is too long: at most ${n} characters.`,
    oneLine: (label: string) => `${label} must fit on one line.`,
    email: 'Your email address is not valid: write it as name@example.com.',
    emailRouting: 'Your email address may not contain % or !: write it as name@example.com.',
    emailIp: 'Your email address must end with a domain name, not an IP address: write it as name@example.com.',
    phone: 'The phone number may contain only digits, spaces, +, -, ., ( and ), at least 8 of them.',
    priority: 'The priority must be urgent, high, normal or low.',
    category: `The category must be one of: ${[...CATEGORIES, ...Object.keys(FORM_CATEGORIES)].join(', ')}.`,
    vehicle: 'The vehicle information must be an object (brand, model, year, licence plate) of short texts.',
    customerId: 'The customer id must be a whole number.',
    body: 'Send a JSON object with name, email, subject and message.',
    labels: {
      name: 'Your name',
      email: 'Your email address',
      phone: 'The phone number',
      subject: 'The subject',
      message: 'The message',
      orderNumber: 'The order number',
      sourcePage: 'The source page',
    },
    summary: (lines: string[]) => `Some fields are not valid: ${lines.join(' ')}`,
  },
} as const;

/** Keys the old site's pages send and our own form never did: such a form is the old French page's. */
const OLD_PAGE_KEYS = [
  'priority',
  'category',
  'vehicleInfo',
  'vehicle_info',
  'customerId',
  'customer_id',
  'order_number',
  'source_page',
  'metadata',
];

/**
 * The language to answer a form in: an explicit `lang`, else the Accept-Language the caller sent, else the
 * language the customer wrote in, else French for the old site's page (its fields say so), else English.
 */
export function formLanguage(body: unknown, acceptLanguage: string | undefined): FormLanguage {
  const b = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const explicit = typeof b['lang'] === 'string' ? b['lang'] : typeof b['language'] === 'string' ? b['language'] : '';
  if (/^(fr|en)\b/i.test(explicit)) return explicit.slice(0, 2).toLowerCase() as FormLanguage;
  if (acceptLanguage && /^\s*(fr|en)\b/i.test(acceptLanguage))
    return acceptLanguage.trim().slice(0, 2).toLowerCase() as FormLanguage;
  const written = [b['subject'], b['message']].filter((v): v is string => typeof v === 'string').join('\n');
  const detected = written.trim() ? detectLanguage(written).language : null;
  if (detected === 'fr' || detected === 'en') return detected;
  return OLD_PAGE_KEYS.some((k) => b[k] !== undefined) ? 'fr' : 'en';
}

/**
 * A field the pages keep hidden from people (CSS), named like one a form-filling program fills: a
 * post that fills it is a program's. Pages that lack it (the old one) post as before.
 */
export const HONEYPOT_FIELD = 'website';

/**
 * The form, or a message per field that is wrong (in the form's language) and one sentence for them all;
 * `honeypot`: the hidden field was filled.
 */
export function validateContactForm(
  body: unknown,
  language: FormLanguage = 'en',
): { ok: true; form: ContactForm; honeypot: boolean } | { ok: false; fields: Record<string, string>; message: string } {
  const words = WORDS[language];
  const fields: Record<string, string> = {};
  const fail = () => ({ ok: false as const, fields, message: words.summary(Object.values(fields)) });
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    fields['body'] = words.body;
    return fail();
  }
  const b = body as Record<string, unknown>;
  // The page sends camelCase, its API module snake_case: either is taken; the field named in an error is the one sent.
  const pick = (...keys: string[]): [string, unknown] => {
    const key = keys.find((k) => b[k] !== undefined && b[k] !== null && b[k] !== '') ?? keys[0]!;
    return [key, b[key]];
  };
  const text = (
    keys: string[],
    label: keyof typeof words.labels,
    limits: readonly [number, number],
    required: boolean,
    numbersToo = false,
  ): string | null => {
    const [key, v] = pick(...keys);
    if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) {
      if (required) fields[key] = words.required(words.labels[label]);
      return null;
    }
    if (typeof v !== 'string' && !(numbersToo && typeof v === 'number' && Number.isFinite(v))) {
      fields[key] = words.text(words.labels[label]);
      return null;
    }
    const t = String(v).trim();
    if ([...t].length < limits[0]) fields[key] = words.short(words.labels[label], limits[0]);
    else if (t.length > limits[1]) fields[key] = words.long(words.labels[label], limits[1]);
    else if (label !== 'message' && /[\r\n]/.test(t)) fields[key] = words.oneLine(words.labels[label]);
    return t;
  };
  const name = text(['name'], 'name', LIMITS.name, true);
  const email = text(['email'], 'email', [3, 254], true);
  if (email !== null && !fields['email'] && !EMAIL_RE.test(email)) fields['email'] = words.email;
  // No IP literal and no "%" or "!" routing through the domain's server: the acknowledgement is not a relay.
  else if (email !== null && !fields['email'] && /[%!]/.test(email.split('@')[0] ?? ''))
    fields['email'] = words.emailRouting;
  else if (email !== null && !fields['email'] && /@\[|@[\d.]+$|@.*:/.test(email)) fields['email'] = words.emailIp;
  const phone = text(['phone'], 'phone', [1, LIMITS.phone[1]], false, true);
  if (phone !== null && !fields['phone'] && !PHONE_RE.test(phone)) fields['phone'] = words.phone;
  const subject = text(['subject'], 'subject', LIMITS.subject, true);
  const message = text(['message'], 'message', LIMITS.message, true);
  const orderNumber = text(['orderNumber', 'order_number'], 'orderNumber', LIMITS.orderNumber, false, true);
  const sourcePage = text(['source_page', 'sourcePage'], 'sourcePage', [1, 2_000], false);

  const priorityRaw = b['priority'];
  let priority: Priority | null = null;
  if (priorityRaw !== undefined && priorityRaw !== null && priorityRaw !== '') {
    if (typeof priorityRaw === 'string' && (PRIORITIES as readonly string[]).includes(priorityRaw.trim().toLowerCase()))
      priority = priorityRaw.trim().toLowerCase() as Priority;
    else fields['priority'] = words.priority;
  }
  const categoryRaw = b['category'];
  let category: Category | null = null;
  let categoryAsSent: string | null = null;
  if (categoryRaw !== undefined && categoryRaw !== null && categoryRaw !== '') {
    const c = typeof categoryRaw === 'string' ? categoryRaw.trim().toLowerCase() : '';
    if ((CATEGORIES as readonly string[]).includes(c)) category = c as Category;
    else if (c in FORM_CATEGORIES) category = FORM_CATEGORIES[c] ?? null;
    else fields['category'] = words.category;
    if (!fields['category']) categoryAsSent = c;
  }
  const [vehicleKey, vehicleRaw] = pick('vehicleInfo', 'vehicle_info');
  const vehicle = vehicleInfo(vehicleRaw);
  if (vehicle === false) fields[vehicleKey] = words.vehicle;
  const [customerKey, customerRaw] = pick('customerId', 'customer_id');
  let claimedCustomerId: number | null = null;
  if (customerRaw !== undefined && customerRaw !== null && customerRaw !== '') {
    const t =
      typeof customerRaw === 'number' ? String(customerRaw) : typeof customerRaw === 'string' ? customerRaw.trim() : '';
    if (/^\d{1,10}$/.test(t) && Number(t) > 0 && Number(t) <= 4_294_967_295) claimedCustomerId = Number(t);
    else fields[customerKey] = words.customerId;
  }
  if (Object.keys(fields).length > 0 || !name || !email || !subject || !message) return fail();
  const trap = b[HONEYPOT_FIELD];
  const honeypot = trap !== undefined && trap !== null && !(typeof trap === 'string' && trap.trim() === '');
  return {
    ok: true,
    honeypot,
    form: {
      name,
      email: email.toLowerCase(),
      phone,
      subject,
      message,
      orderNumber,
      details: {
        priority,
        category,
        categoryAsSent,
        orderNumber,
        vehicleInfo: vehicle || null,
        claimedCustomerId,
        sourcePage,
        language,
      },
    },
  };
}

/**
 * The vehicle as the page sends it ({brand, model, year, licensePlate}; snake_case from its API module): kept
 * as sent, with only short texts and numbers; empty fields dropped. null when nothing was given, false when
 * it is not such an object.
 */
function vehicleInfo(value: unknown): Readonly<Record<string, string | number>> | null | false {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) return false;
  const kept: Record<string, string | number> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (!/^[A-Za-z_]{1,32}$/.test(key)) return false;
    if (v === undefined || v === null || v === '') continue;
    if (typeof v === 'number' && Number.isFinite(v)) kept[key] = v;
    else if (typeof v === 'string' && v.trim().length <= 100 && !/[\r\n]/.test(v)) kept[key] = v.trim();
    else if (typeof v === 'number')
      continue; // the page's parseInt of an empty year: NaN, sent as null
    else return false;
  }
  return Object.keys(kept).length ? kept : null;
}

/** RFC 2047 for a header value that is not plain ASCII. */
function encodeWord(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

/**
 * The form as an email from the customer to the support address. Its Message-ID is a hash of the
 * sender, subject and text within a 10-minute window: a double submit is one ticket (a duplicate).
 */
export function contactFormToEmail(form: ContactForm, options: { supportAddress: string; now: Date }): Uint8Array {
  const window = Math.floor(options.now.getTime() / 600_000);
  const hash = createHash('sha256')
    .update(`${form.email}\n${form.subject}\n${form.message}\n${window}`)
    .digest('hex')
    .slice(0, 32);
  const domain = form.email.split('@')[1] ?? 'web.invalid';
  const extra = [
    ...(form.orderNumber
      ? [`${form.details.language === 'fr' ? 'Commande n° ' : 'Order number: '}${form.orderNumber}`]
      : []),
    ...(form.phone ? [`${form.details.language === 'fr' ? 'Téléphone : ' : 'Phone: '}${form.phone}`] : []),
  ];
  const body = `${form.message}${extra.length ? `\n\n--\n${extra.join('\n')}` : ''}\n`;
  const displayName = form.name.replace(/["\\]/g, '');
  const headers = [
    `From: ${/^[\x20-\x7e]*$/.test(displayName) ? `"${displayName}"` : encodeWord(displayName)} <${form.email}>`,
    `To: <${options.supportAddress}>`,
    `Subject: ${encodeWord(form.subject)}`,
    `Date: ${options.now.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <web-form.${hash}@${domain}>`,
    'X-Ticketrelay-Source: web-form',
    ...(form.phone ? [`X-Customer-Phone: ${form.phone}`] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
  ];
  const encoded = (
    Buffer.from(body, 'utf8')
      .toString('base64')
      .match(/.{1,76}/g) ?? []
  ).join('\r\n');
  return Buffer.from(`${headers.join('\r\n')}\r\n\r\n${encoded}\r\n`, 'utf8');
}
