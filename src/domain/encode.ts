/**
 * Output encoding, one function per sink. Text from outside (customers, the old site) is data
 * everywhere it goes: HTML for the legacy columns the old back office prints, Slack's mrkdwn,
 * Discord's markdown, and terminals. Pure: no I/O.
 */

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Text → HTML text for a column the old site prints as HTML (msg_content, msg_subject, cst_fname,
 * cst_name): `& < > " '` escaped. Entities already in the text are escaped again, so an HTML body's
 * `&lt;img onerror&gt;` (decoded to `<img onerror>` when it became text) prints as the characters it was.
 */
export function htmlText(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** htmlText within a column's length: whole characters and whole entities only (varchar(255) holds 255 characters). */
export function htmlTextWithin(text: string, max: number): string {
  let out = '';
  for (const c of text) {
    const e = HTML_ESCAPES[c] ?? c;
    if (out.length + e.length > max) break;
    out += e;
  }
  return out;
}

/** Inverse of htmlText for what we read back from those columns (only its five entities; anything else stays). */
export function decodeHtmlText(html: string): string {
  if (!html.includes('&')) return html;
  return html.replace(/&(?:amp|lt|gt|quot|#39|#x27);/g, (e) =>
    e === '&amp;' ? '&' : e === '&lt;' ? '<' : e === '&gt;' ? '>' : e === '&quot;' ? '"' : "'",
  );
}

/**
 * A value as JSON safe to print inside HTML: `<`, `>`, `&` and `'` (which JSON leaves alone) become
 * \u escapes inside its strings, so the JSON still parses to the original values and holds no markup.
 * Those four characters never occur outside strings in JSON text, so a global replace is exact.
 */
export function htmlSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&'\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Text → Slack mrkdwn text: `&`, `<` and `>` escaped, as Slack documents, so no `<!channel>`,
 * `<@U…>`, `<#C…>`, `<!subteam^…>` or `<url|text>` in it is a mention or a link. Also right for the
 * top-level `text` and attachment fallbacks, which Slack parses the same way.
 */
export function slackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * What Discord turns into a link by itself and, in a message, into an embed of the page: a URL with a
 * scheme, without the punctuation that usually follows one in a sentence.
 */
const URL_TEXT = String.raw`[a-z][a-z0-9+.-]*:\/\/[^\s<>]*[^\s<>.,:;"')\]]`;
/** One pass, so that nothing inside a URL is escaped and nothing escaped is taken for a URL. */
const DISCORD_MARKUP = new RegExp(
  `(${URL_TEXT})|^([ \\t]*)([>#-]|\\d+(?=\\.[ \\t]))|([\\\\*_~\`|<[\\]])|@(?=everyone|here)`,
  'gim',
);
const DISCORD_ESCAPED = new RegExp(`<(${URL_TEXT})>|\\\\([\\\\*_~\`|<[\\]>#.-])|@\u200b(?=everyone|here)`, 'gi');

/**
 * Text → Discord markdown that shows as typed: the characters that make emphasis, code, spoilers,
 * masked links and mentions are backslash-escaped anywhere, those that make quotes, headers and lists
 * only at the start of a line (Discord drops a backslash before punctuation). `@everyone`/`@here` get
 * a zero-width space, so they do not even look like a mention. A URL is kept whole inside `<…>`: it
 * still links, but shows no embed of its page and is read as the address it is (never the text of a
 * masked link). Ordinary text (an address, "ticket #4 (closed).") is left as it reads.
 */
export function discordText(text: string): string {
  return text.replace(DISCORD_MARKUP, (match, url?: string, indent?: string, lineStart?: string, char?: string) =>
    url !== undefined
      ? `<${url}>`
      : lineStart !== undefined
        ? /\d/.test(lineStart)
          ? `${indent}${lineStart}\\` // "1." → "1\." (the dot makes the list)
          : `${indent}\\${lineStart}`
        : char !== undefined
          ? `\\${char}`
          : `${match}\u200b`,
  );
}

/** Inverse of discordText: the text an agent typed, read back from a preview we escaped. */
export function discordPlain(markdown: string): string {
  return markdown.replace(DISCORD_ESCAPED, (_match, url?: string, char?: string) => url ?? char ?? '@');
}

/**
 * Encoded text (Slack's mrkdwn, Discord's markdown) within `max` characters, with "…" when cut: never
 * inside an escape, an entity or a <…> of ours (a URL cut out of its <…> would be a bare one again).
 */
export function clipEncoded(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text
    .slice(0, max - 1)
    .replace(/(?<=(?:^|[^\\])(?:\\\\)*)<[^<>]*$/, '')
    .replace(/&[a-z0-9#]*$/i, '');
  if ((/\\+$/.exec(cut)?.[0].length ?? 0) % 2 === 1) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** What no terminal should receive from outside: escape sequences whole, then any other control. */
const ANSI_SEQUENCE =
  /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]|(?:\u001b[\]P^_X]|[\u009d\u0090\u009e\u009f\u0098])[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)|\u001b[ -~]/g;
// C0 but \t and \n, DEL, C1; the bidirectional overrides that make text read in another order.
const TERMINAL_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from outside → text safe to print on a terminal: escape sequences (colours, titles, OSC 8
 * links, OSC 52 clipboard writes, cursor moves) and every other C0/C1 control removed, tabs as
 * spaces, carriage returns dropped. With `lines: false` newlines become spaces too (one-line output).
 */
export function terminalText(text: string, options: { lines?: boolean } = {}): string {
  const clean = text
    .replace(ANSI_SEQUENCE, '')
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, '    ')
    .replace(TERMINAL_CONTROLS, '');
  return options.lines === false ? clean.replace(/\n+/g, ' ') : clean;
}
