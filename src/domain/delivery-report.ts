/**
 * Reads the machine-readable parts of delivery reports (RFC 3464) and the attached headers of the
 * original message, so a bounce can be tied to the ticket reply that caused it.
 */

// A real report is a few KB; a thousand recipients fit in 256 KB. Anything past that is not worth a
// worker's time and must not be allowed to cost it.
const MAX_REPORT_CHARS = 256 * 1024;
const MAX_HEADER_BLOCK_CHARS = 256 * 1024;
// Longer than a header line may be (RFC 5322): not an id anyone will ever look up.
const MAX_ID_LENGTH = 998;
// A References header of a long thread is a few KB. Past this it is hostile or broken, and the oldest
// ids (the thread's root, i.e. the ticket's first email) come first, so keeping the head loses nothing.
const MAX_ID_VALUE_CHARS = 256 * 1024;
const WHITESPACE = /\s/;

interface RecipientBlock {
  recipient: string | null;
  action: string | null;
  status: string | null;
  diagnostic: string | null;
  hasFinal: boolean;
}

export function parseDeliveryStatus(text: string): { failedRecipients: string[]; action: string | null } {
  const { failedRecipients, action } = readDeliveryStatus(text);
  return { failedRecipients, action };
}

/** parseDeliveryStatus, plus each recipient with its own Action, Status and Diagnostic-Code. */
export function readDeliveryStatus(text: string): {
  failedRecipients: string[];
  action: string | null;
  recipients: { address: string; action: string | null; status: string | null; diagnostic: string | null }[];
} {
  const recipients: RecipientBlock[] = [];
  let current: RecipientBlock | null = null;

  const flush = (): void => {
    if (current !== null && (current.recipient !== null || current.action !== null || current.status !== null)) {
      recipients.push(current);
    }
    current = null;
  };

  for (const field of fields(text.slice(0, MAX_REPORT_CHARS))) {
    if (field === null) {
      flush();
      continue;
    }
    const { name, value } = field;
    if (name === 'final-recipient' || name === 'original-recipient') {
      const address = recipientAddress(value);
      // Broken MTAs run recipients together without the blank line between them.
      if (name === 'final-recipient' && current?.hasFinal === true) flush();
      current ??= { recipient: null, action: null, status: null, diagnostic: null, hasFinal: false };
      // Final-Recipient names where delivery actually failed; Original-Recipient is only a fallback.
      if (name === 'final-recipient' && address !== null) {
        current.recipient = address;
        current.hasFinal = true;
      } else if (current.recipient === null) {
        current.recipient = address;
      }
    } else if (name === 'action') {
      current ??= { recipient: null, action: null, status: null, diagnostic: null, hasFinal: false };
      current.action = firstWord(value);
    } else if (name === 'status') {
      current ??= { recipient: null, action: null, status: null, diagnostic: null, hasFinal: false };
      current.status = /\d\.\d{1,3}\.\d{1,3}/.exec(value)?.[0] ?? (value.trim().slice(0, 32) || null);
    } else if (name === 'diagnostic-code' && current !== null) {
      current.diagnostic = value.trim().slice(0, 300);
    }
  }
  flush();

  const failedRecipients: string[] = [];
  const listed: { address: string; action: string | null; status: string | null; diagnostic: string | null }[] = [];
  const seen = new Set<string>();
  let action: string | null = null;
  let sawRecipient = false;
  for (const block of recipients) {
    if (block.recipient === null) continue;
    if (listed.length < 100)
      listed.push({
        address: block.recipient,
        action: block.action,
        status: block.status,
        diagnostic: block.diagnostic,
      });
    if (!sawRecipient) {
      sawRecipient = true;
      action = block.action;
    }
    const failed = block.action !== null ? block.action === 'failed' : (block.status ?? '').startsWith('5');
    if (failed && !seen.has(block.recipient)) {
      seen.add(block.recipient);
      failedRecipients.push(block.recipient);
    }
  }
  return { failedRecipients, action, recipients: listed };
}

export function extractMessageIds(fullValue: string): string[] {
  const value = fullValue.length > MAX_ID_VALUE_CHARS ? fullValue.slice(0, MAX_ID_VALUE_CHARS) : fullValue;
  const ids: string[] = [];
  const seen = new Set<string>();
  const add = (raw: string): void => {
    if (raw === '' || raw.length > MAX_ID_LENGTH) return;
    // Obsolete syntax allows folding whitespace inside the brackets; the id itself never has any.
    const id = WHITESPACE.test(raw) ? raw.replace(/\s+/g, '') : raw;
    if (id === '' || seen.has(id)) return;
    seen.add(id);
    ids.push(id);
  };

  // One pass with indexOf rather than a regex: "<<<<…" or a 2 MB value must stay linear.
  let open = value.indexOf('<');
  while (open !== -1) {
    const close = value.indexOf('>', open + 1);
    if (close === -1) break;
    const nextOpen = value.lastIndexOf('<', close);
    // "<<a@b>" or "<junk <a@b>": the id is what the nearest '<' opens.
    add(value.slice(nextOpen + 1, close));
    open = value.indexOf('<', close + 1);
  }
  if (ids.length > 0) return ids;

  const bare = value.trim();
  if (bare !== '' && bare.includes('@') && !WHITESPACE.test(bare) && !bare.includes('<') && !bare.includes('>')) {
    add(bare);
  }
  return ids;
}

/** Lower-cased names of the fields of a header block (the enclosed original of a report), at most `max`. */
export function headerNamesOfBlock(headersText: string, max = 100): string[] {
  const names = new Set<string>();
  let started = false;
  for (const field of fields(headersText.slice(0, MAX_HEADER_BLOCK_CHARS))) {
    if (field === null) {
      if (started) break;
      continue;
    }
    started = true;
    names.add(field.name);
    if (names.size >= max) break;
  }
  return [...names];
}

export function messageIdsFromHeaderBlock(headersText: string): string[] {
  const byName: Record<'message-id' | 'in-reply-to' | 'references', string[]> = {
    'message-id': [],
    'in-reply-to': [],
    references: [],
  };
  let started = false;
  for (const field of fields(headersText.slice(0, MAX_HEADER_BLOCK_CHARS))) {
    if (field === null) {
      // Some reports put a blank line before the attached headers; the first blank after them ends the head.
      if (started) break;
      continue;
    }
    started = true;
    if (field.name === 'message-id' || field.name === 'in-reply-to' || field.name === 'references') {
      byName[field.name].push(field.value);
    }
  }

  // The original's own Message-ID first: that is the id our outgoing mail was stored under.
  const ids: string[] = [];
  const seen = new Set<string>();
  for (const value of [...byName['message-id'], ...byName['in-reply-to'], ...byName.references]) {
    for (const id of extractMessageIds(value)) {
      if (!seen.has(id)) {
        seen.add(id);
        ids.push(id);
      }
    }
  }
  return ids;
}

interface Field {
  /** Lower-cased field name. */
  name: string;
  /** Unfolded value, continuation lines joined with one space. */
  value: string;
}

/**
 * Header-style fields of a block, unfolded, with null for each blank line (a block separator). Lines that
 * are not "Name: value" are skipped: reports from broken MTAs mix free text into their fields.
 */
function* fields(text: string): Generator<Field | null> {
  let pending: { name: string; parts: string[] } | null = null;
  let pos = 0;
  while (pos <= text.length) {
    const nl = text.indexOf('\n', pos);
    const end = nl === -1 ? text.length : nl;
    let line = text.slice(pos, end);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    pos = end + 1;

    const blank = line.trim() === '';
    if (!blank && (line.startsWith(' ') || line.startsWith('\t'))) {
      pending?.parts.push(line.trim());
      if (nl === -1) break;
      continue;
    }
    if (pending !== null) {
      yield { name: pending.name, value: pending.parts.join(' ') };
      pending = null;
    }
    if (blank) {
      yield null;
    } else {
      const colon = line.indexOf(':');
      const name = colon === -1 ? '' : line.slice(0, colon).trim();
      if (isFieldName(name)) pending = { name: name.toLowerCase(), parts: [line.slice(colon + 1).trim()] };
    }
    if (nl === -1) break;
  }
  if (pending !== null) yield { name: pending.name, value: pending.parts.join(' ') };
}

function isFieldName(name: string): boolean {
  if (name === '' || name.length > 76) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    // Printable ASCII except space and ':' (RFC 5322 ftext).
    if (c < 33 || c > 126) return false;
  }
  return true;
}

/** "rfc822; <Jane@Example.com>" → "jane@example.com"; null when no address is there. */
function recipientAddress(value: string): string | null {
  const semi = value.indexOf(';');
  let address = (semi === -1 ? value : value.slice(semi + 1)).trim();
  const open = address.indexOf('<');
  const close = open === -1 ? -1 : address.indexOf('>', open + 1);
  if (open !== -1 && close !== -1) address = address.slice(open + 1, close).trim();
  const space = address.search(/\s/);
  if (space !== -1) address = address.slice(0, space);
  return address.includes('@') ? address.toLowerCase() : null;
}

function firstWord(value: string): string | null {
  const word =
    value
      .trim()
      .split(/[\s;(]/, 1)[0]
      ?.toLowerCase() ?? '';
  return word === '' ? null : word;
}
