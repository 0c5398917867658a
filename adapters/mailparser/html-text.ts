/**
 * HTML → plain text for the bodies mailparser leaves unconverted: an HTML-only part inside
 * multipart/mixed (Outlook with an attachment), or HTML it gave up on (too long, nested too deep).
 * Agents read the result and triage classifies it, so it keeps what a reader sees: paragraphs, list
 * items as "- " lines, quoted blocks as "> " lines, and characters instead of entity references.
 *
 * One forward pass with indexOf and bounded regexes: it runs for every such email, and the HTML comes
 * from strangers, so time stays linear in the input whatever its shape (no nesting stack, no
 * backtracking on unclosed tags or quotes).
 */

/** Elements whose content is never shown. */
const HIDDEN = new Set(['script', 'style', 'title', 'template', 'noscript']);
/** Blocks set apart by a blank line. */
const PARAGRAPH = new Set([
  'p',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'blockquote',
  'pre',
  'table',
  'ul',
  'ol',
  'dl',
  'hr',
  'address',
  'figure',
]);
/** Blocks that start a new line. */
const LINE = new Set([
  'div',
  'li',
  'tr',
  'dt',
  'dd',
  'section',
  'article',
  'header',
  'footer',
  'nav',
  'aside',
  'main',
  'center',
  'caption',
  'figcaption',
  'fieldset',
  'details',
  'summary',
  'form',
]);
const CELL = new Set(['td', 'th']);
/** Whitespace an HTML reader collapses (and the no-break space, which only stands in for a space here). */
const COLLAPSIBLE = /[\t\n\f\r \u00a0]+/g;
const REFERENCE = /&(#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});/g;
const closingTagOf = new Map<string, RegExp>();
/** Quote marks and list indents shown at most this deep: 10 000 nested <blockquote>s would otherwise repeat on every line. */
const SHOWN_DEPTH = 8;

export function htmlToPlainText(html: string): string {
  const out: string[] = [];
  let written = false; // anything written at all: breaks before the first text are dropped
  let lineStart = true;
  let space = false;
  let breaks = 0;
  let marker = ''; // "- " of a list item, written before its first text
  let listDepth = 0;
  let quoteDepth = 0;
  let writtenQuoteDepth = 0; // that of the last line written
  let preDepth = 0;

  const write = (text: string): void => {
    if (written && breaks > 0) {
      out.push('\n');
      // A blank line is inside a quote only when the lines on both sides are.
      if (breaks > 1) out.push(`${'>'.repeat(Math.min(quoteDepth, writtenQuoteDepth, SHOWN_DEPTH))}\n`);
      lineStart = true;
    }
    breaks = 0;
    if (lineStart) {
      if (quoteDepth > 0) out.push('> '.repeat(Math.min(quoteDepth, SHOWN_DEPTH)));
      if (marker) out.push('  '.repeat(Math.min(Math.max(0, listDepth - 1), SHOWN_DEPTH)), marker);
      marker = '';
    } else if (space) {
      out.push(' ');
    }
    out.push(text);
    writtenQuoteDepth = quoteDepth;
    written = true;
    lineStart = false;
    space = false;
  };

  const text = (raw: string): void => {
    const decoded = raw.includes('&') ? decodeReferences(raw) : raw;
    if (preDepth > 0) {
      // Preformatted: lines and spaces as written.
      decoded.split('\n').forEach((line, i) => {
        if (i > 0) breaks++;
        if (line) write(line.replace(/\r$/, ''));
      });
      return;
    }
    const collapsed = decoded.replace(COLLAPSIBLE, ' ');
    if (collapsed === ' ' || collapsed === '') {
      if (collapsed) space = true;
      return;
    }
    if (collapsed.startsWith(' ')) space = true;
    const end = collapsed.endsWith(' ');
    write(collapsed.slice(collapsed.startsWith(' ') ? 1 : 0, end ? -1 : undefined));
    space = end;
  };

  const block = (name: string, closing: boolean): void => {
    if (name === 'br') {
      breaks++;
      return;
    }
    if (CELL.has(name)) {
      if (!closing) space = true;
      return;
    }
    const listsAround = listDepth; // lists this element is in (for a list: those around it)
    const step = closing ? -1 : 1;
    if (name === 'ul' || name === 'ol') listDepth = Math.max(0, listDepth + step);
    else if (name === 'blockquote') quoteDepth = Math.max(0, quoteDepth + step);
    else if (name === 'pre') preDepth = Math.max(0, preDepth + step);
    const inList = name === 'ul' || name === 'ol' ? (closing ? listDepth : listsAround) > 0 : listsAround > 0;
    // Inside a list a paragraph or a nested list is one line: the items stay together.
    if (PARAGRAPH.has(name)) breaks = Math.max(breaks, inList ? 1 : 2);
    else if (LINE.has(name)) breaks = Math.max(breaks, 1);
    if (name === 'li') marker = closing ? '' : '- ';
  };

  let i = 0; // start of the text not yet written
  let from = 0; // where to look for the next "<" (past a literal one)
  const n = html.length;
  while (i < n) {
    const lt = html.indexOf('<', from);
    if (lt === -1) {
      text(html.slice(i));
      break;
    }
    const next = html.charCodeAt(lt + 1);
    const closing = next === 0x2f; /* / */
    const nameStart = closing ? lt + 2 : lt + 1;
    if (next !== 0x21 /* ! */ && next !== 0x3f /* ? */ && !isLetter(html.charCodeAt(nameStart))) {
      // "a < b" and the like: a literal "<", part of the text around it.
      from = lt + 1;
      continue;
    }
    if (lt > i) text(html.slice(i, lt));
    if (next === 0x21 || next === 0x3f) {
      // A comment (Outlook's conditional blocks included), <!DOCTYPE …> or <?xml …?>.
      const comment = html.startsWith('<!--', lt);
      const end = comment ? html.indexOf('-->', lt + 4) : html.indexOf('>', lt + 2);
      if (end === -1) break;
      i = from = end + (comment ? 3 : 1);
      continue;
    }
    let nameEnd = nameStart;
    while (nameEnd < n && isNameChar(html.charCodeAt(nameEnd))) nameEnd++;
    const end = tagEnd(html, nameEnd);
    if (end === -1) break; // an unterminated tag hides the rest, as in a browser
    const name = html.slice(nameStart, nameEnd).toLowerCase();
    i = from = end + 1;
    if (!closing && HIDDEN.has(name)) {
      i = from = hiddenEnd(html, name, i);
      continue;
    }
    block(name, closing);
  }
  return out.join('').trimEnd();
}

/** The "&…;" references a mail client writes: every numeric one, and the named ones in use. */
export function decodeReferences(text: string): string {
  return text.replace(REFERENCE, (whole, ref: string) => {
    if (ref.charCodeAt(0) !== 0x23 /* # */) return NAMED.get(ref) ?? whole;
    const hex = ref.charCodeAt(1) === 0x78 || ref.charCodeAt(1) === 0x58;
    const code = Number.parseInt(ref.slice(hex ? 2 : 1), hex ? 16 : 10);
    // Old Outlook writes Windows-1252 codes (&#146; for ’); browsers read them so, and so do we.
    const windows = code >= 0x80 && code <= 0x9f ? WINDOWS_1252[code - 0x80] : undefined;
    if (windows) return windows;
    if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) || (code >= 0x80 && code <= 0x9f))
      return '\uFFFD';
    return String.fromCodePoint(code);
  });
}

function isLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

function isNameChar(c: number): boolean {
  // Letters, digits, "-" and ":" (Outlook's <o:p>).
  return isLetter(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x3a;
}

/** Index of the ">" that ends the tag whose name ends at `from`, skipping quoted attribute values; -1 if none. */
function tagEnd(html: string, from: number): number {
  let i = from;
  const n = html.length;
  while (i < n) {
    const c = html.charCodeAt(i);
    if (c === 0x3e /* > */) return i;
    if (c === 0x3d /* = */) {
      let j = i + 1;
      while (
        j < n &&
        (html.charCodeAt(j) === 0x20 ||
          html.charCodeAt(j) === 0x09 ||
          html.charCodeAt(j) === 0x0a ||
          html.charCodeAt(j) === 0x0d)
      )
        j++;
      const q = html.charCodeAt(j);
      if (q === 0x22 || q === 0x27) {
        const close = html.indexOf(q === 0x22 ? '"' : "'", j + 1);
        // An unclosed quote: the tag ends at the next ">" instead, so one stray quote cannot hide the email.
        if (close === -1) return html.indexOf('>', j + 1);
        i = close + 1;
        continue;
      }
      i = j;
      continue;
    }
    i++;
  }
  return -1;
}

/** Where the content of a hidden element (<style>, <script>…) ends: after its closing tag, or the end. */
function hiddenEnd(html: string, name: string, from: number): number {
  let closing = closingTagOf.get(name);
  if (!closing) {
    closing = new RegExp(`</${name}[\\s/>]`, 'gi');
    closingTagOf.set(name, closing);
  }
  closing.lastIndex = from;
  const found = closing.exec(html);
  if (!found) return html.length;
  const end = html.indexOf('>', found.index);
  return end === -1 ? html.length : end + 1;
}

const WINDOWS_1252 = [
  '€',
  '',
  '‚',
  'ƒ',
  '„',
  '…',
  '†',
  '‡',
  'ˆ',
  '‰',
  'Š',
  '‹',
  'Œ',
  '',
  'Ž',
  '',
  '',
  '‘',
  '’',
  '“',
  '”',
  '•',
  '–',
  '—',
  '˜',
  '™',
  'š',
  '›',
  'œ',
  '',
  'ž',
  'Ÿ',
];

/** Latin-1 (U+00A0…U+00FF) in code point order, then the other names mail clients write. */
const LATIN_1 =
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest ' +
  'Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig ' +
  'agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml';
const NAMED = new Map<string, string>([
  ...LATIN_1.split(' ').map((name, i): [string, string] => [name, String.fromCharCode(0xa0 + i)]),
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
  ['AMP', '&'],
  ['LT', '<'],
  ['GT', '>'],
  ['QUOT', '"'],
  ['OElig', 'Œ'],
  ['oelig', 'œ'],
  ['Scaron', 'Š'],
  ['scaron', 'š'],
  ['Yuml', 'Ÿ'],
  ['fnof', 'ƒ'],
  ['circ', 'ˆ'],
  ['tilde', '˜'],
  ['ensp', '\u2002'],
  ['emsp', '\u2003'],
  ['thinsp', '\u2009'],
  ['zwnj', '\u200c'],
  ['zwj', '\u200d'],
  ['lrm', '\u200e'],
  ['rlm', '\u200f'],
  ['ndash', '–'],
  ['mdash', '—'],
  ['lsquo', '‘'],
  ['rsquo', '’'],
  ['sbquo', '‚'],
  ['ldquo', '“'],
  ['rdquo', '”'],
  ['bdquo', '„'],
  ['dagger', '†'],
  ['Dagger', '‡'],
  ['bull', '•'],
  ['hellip', '…'],
  ['permil', '‰'],
  ['prime', '′'],
  ['Prime', '″'],
  ['lsaquo', '‹'],
  ['rsaquo', '›'],
  ['euro', '€'],
  ['trade', '™'],
  ['larr', '←'],
  ['uarr', '↑'],
  ['rarr', '→'],
  ['darr', '↓'],
  ['harr', '↔'],
  ['minus', '−'],
  ['le', '≤'],
  ['ge', '≥'],
  ['ne', '≠'],
  ['check', '✓'],
  ['hearts', '♥'],
  ['star', '☆'],
]);
