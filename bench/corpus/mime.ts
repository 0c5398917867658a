/**
 * MIME for the generated emails: RFC 2045 quoted-printable and base64, RFC 2047 encoded words, RFC 2231
 * file names, and the parts an email is assembled from.
 */
import { p2 } from './dates.ts';
import { CRLF, type Lang, Rand } from './random.ts';

// ---------------------------------------------------------------------------
// Encodings (RFC 2045 quoted-printable / base64, RFC 2047 encoded-words)

export const HEX = '0123456789ABCDEF';
export const QP_TOKENS: string[] = [];
for (let b = 0; b < 256; b++) {
  QP_TOKENS.push(b >= 33 && b <= 126 && b !== 61 ? String.fromCharCode(b) : '=' + HEX[b >> 4] + HEX[b & 15]);
}

/** Quoted-printable, hard line breaks from '\n', soft breaks so no line exceeds 76 chars. */
export function encodeQuotedPrintable(text: string): string {
  let out = '';
  let cur = '';
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      out += cur + CRLF;
      cur = '';
      continue;
    }
    let tok: string;
    if (c < 128) {
      const atEol = i + 1 === n || text.charCodeAt(i + 1) === 10;
      tok = (c === 32 || c === 9) && !atEol ? (c === 32 ? ' ' : '\t') : (QP_TOKENS[c] as string);
    } else {
      let ch = text[i] as string;
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) ch += text[++i];
      tok = '';
      for (const b of Buffer.from(ch, 'utf8')) tok += QP_TOKENS[b] as string;
    }
    if (cur.length + tok.length > 75) {
      out += cur + '=' + CRLF;
      cur = '';
    }
    cur += tok;
  }
  return out + cur;
}

export function wrap76(s: string): string {
  if (s.length <= 76) return s;
  const parts: string[] = [];
  for (let i = 0; i < s.length; i += 76) parts.push(s.slice(i, i + 76));
  return parts.join(CRLF);
}

export function encodeBase64(data: Buffer | string): string {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return wrap76(buf.toString('base64'));
}

export const NON_ASCII = /[^\x20-\x7e]/;

/** Splits into code-point chunks whose UTF-8 size is at most maxBytes. */
export function utf8Chunks(s: string, maxBytes: number): string[] {
  const chunks: string[] = [];
  let cur = '';
  let size = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (size + n > maxBytes && cur) {
      chunks.push(cur);
      cur = '';
      size = 0;
    }
    cur += ch;
    size += n;
  }
  if (cur) chunks.push(cur);
  return chunks;
}

/** RFC 2047 B encoded-words, each ≤ 75 chars, folded with CRLF SP. */
export function encodeWordsB(s: string): string {
  return utf8Chunks(s, 45)
    .map((c) => `=?UTF-8?B?${Buffer.from(c, 'utf8').toString('base64')}?=`)
    .join(CRLF + ' ');
}

export function qWordChar(ch: string): string {
  if (/^[A-Za-z0-9!*+\-/]$/.test(ch)) return ch;
  if (ch === ' ') return '_';
  let s = '';
  for (const b of Buffer.from(ch, 'utf8')) s += '=' + HEX[b >> 4] + HEX[b & 15];
  return s;
}

/** RFC 2047 Q encoded-words (phrase rules), each ≤ 75 chars. */
export function encodeWordsQ(s: string): string {
  const words: string[] = [];
  let cur = '';
  for (const ch of s) {
    const t = qWordChar(ch);
    if (cur.length + t.length > 63) {
      words.push(cur);
      cur = '';
    }
    cur += t;
  }
  if (cur) words.push(cur);
  return words.map((w) => `=?UTF-8?Q?${w}?=`).join(CRLF + ' ');
}

export function encodeSubject(s: string): string {
  return NON_ASCII.test(s) ? encodeWordsB(s) : s;
}

export function formatAddress(name: string | null, addr: string, useQ: boolean): string {
  if (!name) return addr;
  if (NON_ASCII.test(name)) return `${useQ ? encodeWordsQ(name) : encodeWordsB(name)} <${addr}>`;
  if (/[^A-Za-z0-9 !#$%&'*+\-/=?^_`{|}~]/.test(name)) return `"${name.replace(/["\\]/g, '\\$&')}" <${addr}>`;
  return `${name} <${addr}>`;
}

export function rfc2231Filename(name: string): string {
  if (!NON_ASCII.test(name) && !/[ "\\]/.test(name)) return `filename="${name}"`;
  return `filename*=utf-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())}`;
}

// ---------------------------------------------------------------------------
// MIME assembly

export interface Part {
  headers: string[];
  body: string;
}
export type Cte = 'quoted-printable' | '8bit' | 'base64';

export function textPart(subtype: 'plain' | 'html', text: string, cte: Cte): Part {
  const body =
    cte === 'quoted-printable'
      ? encodeQuotedPrintable(text)
      : cte === 'base64'
        ? encodeBase64(text.replace(/\r?\n/g, CRLF))
        : text.replace(/\r?\n/g, CRLF);
  return { headers: [`Content-Type: text/${subtype}; charset=utf-8`, `Content-Transfer-Encoding: ${cte}`], body };
}

export function multipart(subtype: string, parts: Part[], boundary: string, params = ''): Part {
  let body = subtype === 'alternative' ? '' : 'This is a multi-part message in MIME format.' + CRLF;
  for (const p of parts) body += CRLF + '--' + boundary + CRLF + p.headers.join(CRLF) + CRLF + CRLF + p.body;
  body += CRLF + '--' + boundary + '--' + CRLF;
  return { headers: [`Content-Type: multipart/${subtype}; ${params}boundary="${boundary}"`], body };
}

export function fakeAttachment(r: Rand, lang: Lang, ord: string | null): { type: string; name: string; data: Buffer } {
  const size = r.range(1024, 40 * 1024);
  const kind = r.int(5);
  if (kind <= 1) {
    const head = Buffer.from(
      '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n',
      'latin1',
    );
    const tail = Buffer.from('\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1');
    const data = Buffer.concat([head, r.bytes(Math.max(0, size - head.length - tail.length)), tail]);
    const name = ord
      ? lang === 'fr'
        ? `facture_${ord}.pdf`
        : `invoice_${ord}.pdf`
      : r.pick(
          lang === 'fr'
            ? ['bon de livraison.pdf', 'carte_grise.pdf', 'relevé bancaire.pdf']
            : ['delivery note.pdf', 'registration.pdf', 'bank_statement.pdf'],
        );
    return { type: 'application/pdf', name, data };
  }
  if (kind === 4) {
    const head = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    return {
      type: 'image/png',
      name:
        lang === 'fr'
          ? `Capture d’écran ${r.range(2024, 2024)}-${p2(r.range(10, 11))}-${p2(r.range(1, 28))}.png`
          : `Screenshot_${r.range(100, 999)}.png`,
      data: Buffer.concat([head, r.bytes(size)]),
    };
  }
  const head = Buffer.from([
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x48, 0x00, 0x48, 0x00,
    0x00,
  ]);
  const name = r.pick(
    lang === 'fr'
      ? [`IMG_${r.range(1000, 9999)}.JPG`, 'photo pièce cassée.jpg', 'colis_abîmé.jpeg', `photo_${r.range(1, 9)}.jpg`]
      : [`IMG_${r.range(1000, 9999)}.JPG`, 'damaged part.jpg', `photo_${r.range(1, 9)}.jpeg`, 'box.jpg'],
  );
  return { type: 'image/jpeg', name, data: Buffer.concat([head, r.bytes(size - 22), Buffer.from([0xff, 0xd9])]) };
}

export function attachmentPart(a: { type: string; name: string; data: Buffer }): Part {
  const nameParam = NON_ASCII.test(a.name)
    ? `name="${encodeWordsB(a.name).replace(/\r\n /g, ' ')}"`
    : `name="${a.name}"`;
  return {
    headers: [
      `Content-Type: ${a.type}; ${nameParam}`,
      `Content-Disposition: attachment; ${rfc2231Filename(a.name)}`,
      'Content-Transfer-Encoding: base64',
    ],
    body: encodeBase64(a.data),
  };
}
