/**
 * The old module's web form: validation with a message per field, and the raw RFC 822 message built
 * from it, so the form goes through the same intake as email (dedupe, customer, ack, triage).
 */
import { createHash } from 'node:crypto';

export interface ContactForm {
  readonly name: string;
  readonly email: string;
  readonly phone: string | null;
  readonly subject: string;
  readonly message: string;
  readonly orderNumber: string | null;
}

const EMAIL_RE = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]{2,}$/;
/** A mailbox at a domain name: no IP literal, no "%" or "!" routing through the domain's server. */
const MAILBOX_RE = /^[\p{L}\p{N}.#$&'*+/=?^_`{|}~-]+@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+(?:\p{L}{2,63}|xn--[a-z0-9-]{1,59})$/iu;

/**
 * A field the pages keep hidden from people (CSS), named like one a form-filling program fills: a
 * post that fills it is a program's. Pages that lack it (the old one) post as before.
 */
export const HONEYPOT_FIELD = 'website';

/** The form, or a message per field that is wrong; `honeypot`: the hidden field was filled. */
export function validateContactForm(body: unknown): { ok: true; form: ContactForm; honeypot: boolean } | { ok: false; fields: Record<string, string> } {
  const fields: Record<string, string> = {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, fields: { body: 'Send a JSON object with name, email, subject and message.' } };
  const b = body as Record<string, unknown>;
  const text = (key: string, label: string, min: number, max: number, required: boolean): string | null => {
    const v = b[key];
    if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) {
      if (required) fields[key] = `${label} is required.`;
      return null;
    }
    if (typeof v !== 'string') {
      fields[key] = `${label} must be text.`;
      return null;
    }
    const t = v.trim();
    if (t.length < min) fields[key] = `${label} is too short: at least ${min} characters.`;
    else if (t.length > max) fields[key] = `${label} is too long: at most ${max} characters.`;
    return t;
  };
  const name = text('name', 'Your name', 2, 100, true);
  const email = text('email', 'Your email address', 3, 254, true);
  if (email !== null && !fields['email'] && !EMAIL_RE.test(email)) fields['email'] = 'Your email address is not valid: write it as name@example.com.';
  else if (email !== null && !fields['email'] && /[%!]/.test(email.split('@')[0] ?? '')) fields['email'] = 'Your email address may not contain % or !: write it as name@example.com.';
  else if (email !== null && !fields['email'] && /@\[|@[\d.]+$|@.*:/.test(email)) fields['email'] = 'Your email address must end with a domain name, not an IP address: write it as name@example.com.';
  else if (email !== null && !fields['email'] && !MAILBOX_RE.test(email)) fields['email'] = 'Your email address is not valid: write it as name@example.com.';
  const phone = text('phone', 'The phone number', 6, 25, false);
  if (phone !== null && !fields['phone'] && !/^\+?[0-9 ().-]{6,25}$/.test(phone)) fields['phone'] = 'The phone number may contain only digits, spaces, +, -, ., ( and ).';
  const subject = text('subject', 'The subject', 3, 200, true);
  const message = text('message', 'The message', 10, 10_000, true);
  const orderNumber = text('orderNumber', 'The order number', 1, 64, false);
  if (orderNumber !== null && !fields['orderNumber'] && !/^[A-Za-z0-9-]+$/.test(orderNumber)) fields['orderNumber'] = 'The order number may contain only letters, digits and -.';
  if (name && /[\r\n]/.test(name)) fields['name'] = 'Your name must fit on one line.';
  if (subject && /[\r\n]/.test(subject)) fields['subject'] = 'The subject must fit on one line.';
  if (Object.keys(fields).length > 0 || !name || !email || !subject || !message) return { ok: false, fields };
  const trap = b[HONEYPOT_FIELD];
  const honeypot = trap !== undefined && trap !== null && !(typeof trap === 'string' && trap.trim() === '');
  return { ok: true, form: { name, email: email.toLowerCase(), phone, subject, message, orderNumber }, honeypot };
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
  const hash = createHash('sha256').update(`${form.email}\n${form.subject}\n${form.message}\n${window}`).digest('hex').slice(0, 32);
  const domain = form.email.split('@')[1] ?? 'web.invalid';
  const extra = [
    ...(form.orderNumber ? [`Order number: ${form.orderNumber}`] : []),
    ...(form.phone ? [`Phone: ${form.phone}`] : []),
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
  const encoded = (Buffer.from(body, 'utf8').toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
  return Buffer.from(`${headers.join('\r\n')}\r\n\r\n${encoded}\r\n`, 'utf8');
}
