/** Text as people type it: wrapped, without accents, with typos, and as HTML. */
import { Rand } from './random.ts';

// ---------------------------------------------------------------------------
// Text helpers

export function wrapText(text: string, width: number): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line.length <= width || line.startsWith('>')) {
      out.push(line);
      continue;
    }
    let cur = '';
    for (const w of line.split(' ')) {
      if (cur && cur.length + 1 + w.length > width) {
        out.push(cur);
        cur = w;
      } else cur = cur ? `${cur} ${w}` : w;
    }
    out.push(cur);
  }
  return out.join('\n');
}

export function stripAccents(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .normalize('NFC');
}

/** A few human typos in word bodies (never touches order numbers/refs: only lowercase alphabetic words). */
export function addTypos(r: Rand, text: string, n: number): string {
  const words = text.split(' ');
  for (let k = 0; k < n; k++) {
    const i = r.int(words.length);
    const w = words[i];
    if (!w || w.length < 5 || !/^[a-zà-ÿ]+$/.test(w)) continue;
    const j = r.range(1, w.length - 3);
    const mode = r.int(3);
    words[i] =
      mode === 0
        ? w.slice(0, j) + w[j + 1] + w[j] + w.slice(j + 2)
        : mode === 1
          ? w.slice(0, j) + w.slice(j + 1)
          : w.slice(0, j) + w[j] + w.slice(j);
  }
  return words.join(' ');
}

export const escHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function textToHtml(text: string, r: Rand): string {
  const body: string[] = [];
  for (const block of text.split('\n\n')) {
    // Runs of quoted ("> ") lines become a blockquote, the rest a div.
    let run: string[] = [];
    let quoted = false;
    const flush = (): void => {
      if (!run.length) return;
      body.push(
        quoted
          ? `<blockquote style="margin:0 0 0 .8ex;border-left:1px solid #ccc;padding-left:1ex">${run.map((l) => escHtml(l.replace(/^> ?/, ''))).join('<br>\n')}</blockquote>`
          : `<div>${run.map(escHtml).join('<br>\n')}</div>`,
      );
      run = [];
    };
    for (const line of block.split('\n')) {
      const q = line.startsWith('>');
      if (q !== quoted) flush();
      quoted = q;
      run.push(line);
    }
    flush();
    body.push('<div><br></div>');
  }
  const font = r.pick(['Arial, sans-serif', 'Calibri, sans-serif', 'Helvetica', 'Verdana']);
  return `<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>\n<body><div dir="ltr" style="font-family:${font};font-size:11pt">\n${body.join('\n')}\n</div></body></html>`;
}
