/**
 * Deterministic generator of realistic support emails for the car-parts shop
 * (benchmarks and tests). Same (count, seed, options) → byte-identical output.
 *
 * Mix (roughly): 70 % new tickets, 20 % replies to an earlier email of the batch,
 * 4 % out-of-office auto-replies, 3 % bounces (DSN), 3 % newsletters;
 * 55 % French / 45 % English.
 */
import { dayPhrase, local, MONTH_EN, MONTH_FR, quoteHeader, rfc5322Date } from './corpus/dates.ts';
import {
  attachmentPart,
  type Cte,
  encodeSubject,
  encodeWordsQ,
  fakeAttachment,
  formatAddress,
  multipart,
  NON_ASCII,
  type Part,
  textPart,
} from './corpus/mime.ts';
import { CRLF, DAY, type Lang, Rand } from './corpus/random.ts';
import { addTypos, escHtml, stripAccents, textToHtml, wrapText } from './corpus/text.ts';
import {
  ATTACH_LINE,
  cap,
  CLOSE1,
  type Ctx,
  DETAIL,
  DISCLAIMER,
  FOLLOWUP,
  GREET,
  LAZY_SUBJ,
  MOBILE,
  OPENER,
  pickTopic,
  SIGNOFF,
  type T,
  type Topic,
} from './corpus/topics.ts';
import { CARRIERS, caseVariant, type Customer, makeCustomers, type Order, PARTS } from './corpus/vocabulary.ts';

export interface GeneratedEmail {
  raw: Buffer;
  messageId: string | null;
  kind: 'new' | 'reply' | 'auto_reply' | 'bounce' | 'list';
  language: 'fr' | 'en';
}

export interface GenerateOptions {
  /** End of the 30-day window the Date headers are spread over. Fixed by default so output is deterministic. */
  now?: Date | number;
}

type Kind = GeneratedEmail['kind'];

const DEFAULT_NOW = Date.UTC(2024, 10, 15, 17, 0, 0); // 2024-11-15T17:00:00Z
const SUPPORT = 'support@ticketrelay.test';

// ---------------------------------------------------------------------------
// Generator

interface Sent {
  idx: number;
  customer: Customer;
  from: string; // exact address used
  subject: string;
  text: string;
  t: number;
  messageId: string | null;
  references: string[];
  lang: Lang;
  ctx: Ctx;
}

const MAILERS = [
  'User-Agent: Mozilla Thunderbird',
  'X-Mailer: Apple Mail (2.3774.500.171.1.1)',
  'X-Mailer: Microsoft Outlook 16.0',
  '',
  'X-Mailer: iPhone Mail (21H16)',
];

function fmtAmount(v: number, lang: Lang): string {
  const s = v.toFixed(2);
  return lang === 'fr' ? `${s.replace('.', ',')} €` : `€${s}`;
}

function orderMention(r: Rand, o: Order, lang: Lang): { ord: string; my: string } {
  if (lang === 'fr') {
    const k = r.int(4);
    if (k === 0) return { ord: o.cmd, my: `ma commande n° ${o.cmd}` };
    if (k === 1) return { ord: o.cmd, my: `ma commande ${o.cmd}` };
    if (k === 2) return { ord: o.num, my: `ma commande n°${o.num}` };
    return { ord: o.num, my: `ma commande n° ${o.num}` };
  }
  const k = r.int(3);
  if (k === 0) return { ord: `#${o.num}`, my: `my order #${o.num}` };
  if (k === 1) return { ord: o.cmd, my: `my order ${o.cmd}` };
  return { ord: `#${o.num}`, my: `order number ${o.num}` };
}

function makeCtx(r: Rand, c: Customer, lang: Lang, t: number, order: Order | null): Ctx {
  const part = r.pick(PARTS);
  const [brand, ref] = r.pick(part.refs);
  const v = c.vehicle;
  const om = order ? orderMention(r, order, lang) : null;
  const base = {
    lang,
    brand,
    ref,
    veh: `${v.make} ${v.model} ${v.engine}`,
    make: v.make,
    maMake: `${/^[AEIOU]/.test(v.make) ? 'mon' : 'ma'} ${v.make}`,
    maVeh: `${/^[AEIOU]/.test(v.make) ? 'mon' : 'ma'} ${v.make} ${v.model} ${v.engine}`,
    laMake: /^[AEIOU]/.test(v.make) ? `l'${v.make}` : `la ${v.make}`,
    year: c.year,
    code: v.code,
    vin: c.vin,
    hasOrder: !!om,
    ord: om ? om.ord : '',
    myOrder: om ? om.my : lang === 'fr' ? 'ma commande' : 'my order',
    orderDate: dayPhrase(t - r.range(2, 20) * DAY, lang, c.zone),
    amount: fmtAmount(r.range(part.price[0] * 100, part.price[1] * 100) / 100, lang),
    carrier: r.pick(CARRIERS),
    days: r.range(3, 21),
  };
  if (lang === 'fr') {
    const p = part.fr;
    return {
      ...base,
      part: p.def,
      partA: p.un,
      partBare: p.bare,
      pl: p.pl,
      f: p.f,
      be: p.pl ? 'sont' : 'est',
      pro: p.pl ? (p.f ? 'elles' : 'ils') : p.f ? 'elle' : 'il',
    };
  }
  const p = part.en;
  return {
    ...base,
    part: p.def,
    partA: p.a,
    partBare: p.bare,
    pl: p.pl,
    f: false,
    be: p.pl ? 'are' : 'is',
    pro: p.pl ? 'they' : 'it',
  };
}

function signature(r: Rand, c: Customer, lang: Lang): string[] {
  const lines: string[] = [];
  lines.push(r.pick(SIGNOFF[lang]));
  const nameStyle = r.int(4);
  lines.push(nameStyle === 0 ? c.first : nameStyle === 1 ? c.name.toUpperCase() : c.name);
  if (r.chance(0.3)) {
    lines.push('');
    lines.push('-- ');
    lines.push(c.name);
    if (r.chance(0.6)) lines.push(c.address);
    lines.push(lang === 'fr' ? `Tél : ${c.phone}` : `Mob: ${c.phone}`);
  }
  if (r.chance(0.18)) lines.push('', r.pick(MOBILE[lang]));
  if (r.chance(0.07)) lines.push('', r.pick(DISCLAIMER[lang]));
  return lines;
}

function newBody(
  r: Rand,
  c: Customer,
  ctx: Ctx,
  topic: Topic,
  lang: Lang,
  attach: boolean,
  unique: string | null,
): string {
  const lines: string[] = [r.pick(GREET[lang]), ''];
  const para: string[] = [];
  if (r.chance(0.3)) para.push(r.pick(OPENER[lang]));
  const probs = topic.prob[lang];
  const nProb = r.range(1, Math.min(3, probs.length));
  const start = r.int(probs.length);
  for (let k = 0; k < nProb; k++) para.push((probs[(start + k) % probs.length] as T)(ctx));
  if (ctx.hasOrder && !para.some((s) => s.includes(ctx.ord.replace('#', '')))) {
    para.push(lang === 'fr' ? `(${ctx.myOrder.replace(/^ma /, '')})` : `(${ctx.myOrder.replace(/^my /, '')})`);
  }
  lines.push(...(r.chance(0.5) ? [para.join(' ')] : para));
  const details: string[] = [];
  for (const d of topic.details) if (r.chance(0.35)) details.push(r.pick(DETAIL[d][lang])(ctx));
  if (unique) details.push(unique);
  if (details.length) lines.push('', ...(r.chance(0.5) ? [details.join(' ')] : details));
  if (attach) lines.push('', r.pick(ATTACH_LINE[lang]));
  if (r.chance(0.85)) lines.push('', r.pick(topic.ask[lang])(ctx));
  if (r.chance(0.5)) lines.push('', r.pick(CLOSE1[lang]));
  lines.push('', ...signature(r, c, lang));
  let text = lines.join('\n');
  if (r.chance(0.15)) text = addTypos(r, text, r.range(1, 3));
  if (lang === 'fr' && r.chance(0.05)) text = stripAccents(text);
  if (c.wraps) text = wrapText(text, 72);
  return text;
}

function quoteText(text: string, maxLines: number): string {
  const src = text.split('\n');
  const out: string[] = [];
  for (const l of src.slice(0, maxLines)) out.push(l === '' ? '>' : l.startsWith('>') ? '>' + l : '> ' + l);
  return out.join('\n');
}

function newSubject(r: Rand, topic: Topic, ctx: Ctx, lang: Lang, forceOrder: boolean): string {
  if (!forceOrder && r.chance(0.03)) return r.pick(LAZY_SUBJ[lang]);
  if (ctx.hasOrder && (forceOrder || r.chance(0.4))) {
    const short = r.pick(topic.short[lang]);
    if (lang === 'fr') {
      const k = r.int(3);
      return k === 0
        ? `Commande n° ${ctx.ord} : ${short}`
        : k === 1
          ? `Commande ${ctx.ord} - ${short}`
          : `${cap(short)} (commande ${ctx.ord})`;
    }
    const k = r.int(3);
    return k === 0
      ? `Order ${ctx.ord}: ${short}`
      : k === 1
        ? `Order ${ctx.ord} - ${short}`
        : `${cap(short)} (order ${ctx.ord})`;
  }
  let s = r.pick(topic.subj[lang])(ctx);
  if (r.chance(0.05)) s = s.toUpperCase();
  return s;
}

/** Strictly increasing timestamps (seconds) over the 30 days before `now`, biased to waking hours. */
function timestamps(r: Rand, count: number, now: number): number[] {
  const start = Math.floor((now - 30 * DAY) / 1000) * 1000;
  const ts: number[] = [];
  for (let i = 0; i < count; i++) {
    const day = r.int(30);
    const hour = r.chance(0.9) ? r.range(7, 22) : r.range(0, 23);
    const t = start + day * DAY + hour * 3_600_000 + r.int(3600) * 1000 - 3_600_000;
    ts.push(Math.min(Math.max(t, start), now - 60_000));
  }
  ts.sort((a, b) => a - b);
  for (let i = 1; i < ts.length; i++)
    if ((ts[i] as number) <= (ts[i - 1] as number)) ts[i] = (ts[i - 1] as number) + 1000;
  return ts;
}

export function generateEmails(count: number, seed = 1, options: GenerateOptions = {}): GeneratedEmail[] {
  const r = new Rand(seed);
  const now =
    options.now === undefined ? DEFAULT_NOW : typeof options.now === 'number' ? options.now : options.now.getTime();
  const nCustomers = Math.min(400, Math.max(30, Math.ceil(count / 5)));
  const customers = makeCustomers(r, nCustomers);
  const byLang: Record<Lang, Customer[]> = {
    fr: customers.filter((c) => c.lang === 'fr'),
    en: customers.filter((c) => c.lang === 'en'),
  };
  if (byLang.fr.length === 0) byLang.fr.push(customers[0] as Customer);
  if (byLang.en.length === 0) byLang.en.push(customers[0] as Customer);
  const ts = timestamps(r, count, now);
  const threadable: Sent[] = [];
  const out: GeneratedEmail[] = [];

  const pickCustomer = (lang: Lang): Customer => {
    const pool = byLang[lang];
    return pool[Math.floor(pool.length * Math.pow(r.next(), 1.6))] as Customer; // some customers write a lot
  };

  for (let i = 0; i < count; i++) {
    const t = ts[i] as number;
    const x = r.next();
    let kind: Kind = x < 0.7 ? 'new' : x < 0.9 ? 'reply' : x < 0.94 ? 'auto_reply' : x < 0.97 ? 'bounce' : 'list';
    if (kind === 'reply' && threadable.length === 0) kind = 'new';
    const n = i + 1;
    const hexId = r.hex(8);
    let email: GeneratedEmail;
    switch (kind) {
      case 'new':
      case 'reply': {
        const sent = kind === 'new' ? buildNew(r, i, t, hexId, pickCustomer) : buildReply(r, i, t, hexId, threadable);
        if (sent.sent.messageId) threadable.push(sent.sent);
        email = { raw: sent.raw, messageId: sent.sent.messageId, kind, language: sent.sent.lang };
        break;
      }
      case 'auto_reply': {
        const lang: Lang = r.chance(0.55) ? 'fr' : 'en';
        email = buildAutoReply(r, n, t, hexId, pickCustomer(lang), lang);
        break;
      }
      case 'bounce':
        email = buildBounce(r, n, t, hexId, customers);
        break;
      case 'list':
        email = buildList(r, n, t, hexId);
        break;
    }
    out.push(email);
  }
  return out;
}

function mailerHeader(c: Customer): string[] {
  const h = MAILERS[c.agent] as string;
  return h ? [h] : [];
}

function received(r: Rand, fromHost: string, t: number): string {
  return `Received: from ${fromHost} (${fromHost} [203.0.113.${r.range(2, 254)}])${CRLF}\tby mx1.ticketrelay.test (Postfix) with ESMTPS id ${r.alnum(12, 'BCDFGHJKLMNPQRSTVWXZ0123456789')}${CRLF}\tfor <${SUPPORT}>; ${rfc5322Date(t + r.range(1, 9) * 1000, 'paris')}`;
}

function finish(headers: string[], part: Part): Buffer {
  return Buffer.from(
    headers.join(CRLF) +
      CRLF +
      part.headers.join(CRLF) +
      CRLF +
      CRLF +
      part.body +
      (part.body.endsWith(CRLF) ? '' : CRLF),
    'utf8',
  );
}

function pickCte(r: Rand): Cte {
  const x = r.next();
  return x < 0.5 ? 'quoted-printable' : x < 0.83 ? '8bit' : 'base64';
}

/** Body structure: plain (85 %), multipart/alternative (10 %), HTML only (5 %), optionally wrapped in multipart/mixed with an attachment. */
function bodyPart(
  r: Rand,
  n: number,
  text: string,
  attachment: { type: string; name: string; data: Buffer } | null,
): Part {
  const x = r.next();
  let main: Part;
  if (x < 0.85) main = textPart('plain', text, pickCte(r));
  else if (x < 0.95) {
    const html = textToHtml(text, r);
    main = multipart(
      'alternative',
      [textPart('plain', text, pickCte(r)), textPart('html', html, r.chance(0.7) ? 'quoted-printable' : 'base64')],
      `000000000000${r.hex(12)}${n.toString(16)}`,
    );
  } else if (!attachment) main = textPart('html', textToHtml(text, r), r.chance(0.6) ? 'quoted-printable' : 'base64');
  // (no HTML-only body next to an attachment: mailparser only derives text from a root-level HTML part)
  else main = textPart('plain', text, pickCte(r));
  if (!attachment) return main;
  return multipart('mixed', [main, attachmentPart(attachment)], `----=_Part_${n}_${r.hex(10)}`);
}

function msgIdFor(n: number, hexId: string, addr: string): string {
  const domain = (addr.split('@')[1] ?? 'example.com').toLowerCase();
  return `<gen.${n}.${hexId}@${domain}>`;
}

function buildNew(
  r: Rand,
  i: number,
  t: number,
  hexId: string,
  pickCustomer: (l: Lang) => Customer,
): { raw: Buffer; sent: Sent } {
  const n = i + 1;
  const lang: Lang = r.chance(0.55) ? 'fr' : 'en';
  const c = pickCustomer(lang);
  const noMsgId = r.chance(0.07);
  const topic = pickTopic(r);
  let order: Order | null = null;
  if (noMsgId) {
    // Unique per email index (7919 is coprime with 90000/900000): with the unique Date, no two are alike.
    order = { cmd: `CMD-2024-${10000 + ((i * 7919) % 90000)}`, num: String(100000 + ((i * 7919) % 900000)) };
  } else if (r.chance(topic.orderP)) order = r.pick(c.orders);
  const ctx = makeCtx(r, c, lang, t, order);
  const attach = r.chance(0.09);
  const unique = noMsgId
    ? lang === 'fr'
      ? `Référence de ma demande : ${ctx.ord} (${n})`
      : `My reference: ${ctx.ord} (${n})`
    : null;
  const text = newBody(r, c, ctx, topic, lang, attach, unique);
  const subject = newSubject(r, topic, ctx, lang, noMsgId);
  const from = r.chance(0.1) ? caseVariant(r, c.email) : c.email;
  const messageId = noMsgId ? null : msgIdFor(n, hexId, from);
  const headers = [
    `Return-Path: <${from}>`,
    received(r, `mail.${from.split('@')[1] ?? 'example.com'}`.toLowerCase(), t),
    `From: ${formatAddress(c.noName ? null : c.name, from, c.useQ)}`,
    `To: ${r.chance(0.1) ? `Support <${SUPPORT}>` : SUPPORT}`,
    `Subject: ${encodeSubject(subject)}`,
    `Date: ${rfc5322Date(t, c.zone)}`,
    ...(messageId ? [`Message-ID: ${messageId}`] : []),
    'MIME-Version: 1.0',
    ...mailerHeader(c),
  ];
  const attachment = attach ? fakeAttachment(r, lang, ctx.hasOrder ? ctx.ord.replace('#', '') : null) : null;
  const raw = finish(headers, bodyPart(r, n, text, attachment));
  return { raw, sent: { idx: i, customer: c, from, subject, text, t, messageId, references: [], lang, ctx } };
}

function buildReply(r: Rand, i: number, t: number, hexId: string, threadable: Sent[]): { raw: Buffer; sent: Sent } {
  const n = i + 1;
  const window = Math.min(threadable.length, 300);
  const orig = threadable[threadable.length - 1 - Math.floor(Math.pow(r.next(), 1.3) * window)] as Sent;
  const { customer: c, lang, from } = orig;
  const ctx = orig.ctx;
  const lines: string[] = [r.chance(0.8) ? r.pick(GREET[lang]) : c.first + (lang === 'fr' ? ' ici.' : ' here.'), ''];
  const fu = r.pick(FOLLOWUP[lang]);
  lines.push(fu);
  if (fu.endsWith(':')) {
    lines.push(r.pick(DETAIL.vehicle[lang])(ctx), r.pick(DETAIL.vin[lang])(ctx));
  } else if (r.chance(0.4)) {
    const d = r.pick(['urgent', 'ref', 'amount', 'carrier'] as const);
    lines.push(r.pick(DETAIL[d][lang])(ctx));
  }
  const attach = r.chance(0.09);
  if (attach) lines.push('', r.pick(ATTACH_LINE[lang]));
  lines.push('', r.chance(0.5) ? c.first : r.pick(SIGNOFF[lang]) + '\n' + c.first);
  if (r.chance(0.15)) lines.push('', r.pick(MOBILE[lang]));
  let fresh = lines.join('\n');
  if (r.chance(0.1)) fresh = addTypos(r, fresh, 1);
  const qh = quoteHeader(orig.t, lang, c.zone, c.name, orig.from, r.int(2));
  const text = `${fresh}\n\n${qh}\n${quoteText(orig.text, 40)}`;
  const base = orig.subject.replace(/^((re|tr|fwd?)\s?:\s*)+/i, '');
  const subject = `${r.chance(0.1) ? 'RE: ' : 'Re: '}${base}`;
  const messageId = msgIdFor(n, hexId, from);
  const references = [...orig.references, orig.messageId as string].slice(-10);
  const headers = [
    `Return-Path: <${from}>`,
    received(r, `mail.${from.split('@')[1] ?? 'example.com'}`.toLowerCase(), t),
    `From: ${formatAddress(c.noName ? null : c.name, from, c.useQ)}`,
    `To: ${SUPPORT}`,
    `Subject: ${encodeSubject(subject)}`,
    `Date: ${rfc5322Date(t, c.zone)}`,
    `Message-ID: ${messageId}`,
    `In-Reply-To: ${orig.messageId as string}`,
    `References: ${references.join(CRLF + ' ')}`,
    'MIME-Version: 1.0',
    ...mailerHeader(c),
  ];
  const attachment = attach ? fakeAttachment(r, lang, ctx.hasOrder ? ctx.ord.replace('#', '') : null) : null;
  const raw = finish(headers, bodyPart(r, n, text, attachment));
  return { raw, sent: { idx: i, customer: c, from, subject, text, t, messageId, references, lang, ctx } };
}

function buildAutoReply(r: Rand, n: number, t: number, hexId: string, c: Customer, lang: Lang): GeneratedEmail {
  const ticket = r.range(1000, 99999);
  const theirSubject =
    lang === 'fr'
      ? r.pick([
          `Re: Votre demande a bien été reçue [#${ticket}]`,
          `Votre demande [#${ticket}]`,
          `Re: Commande ${r.pick(c.orders).cmd} [#${ticket}]`,
        ])
      : r.pick([
          `Re: Your request has been received [#${ticket}]`,
          `Your request [#${ticket}]`,
          `Re: Order #${r.pick(c.orders).num} [#${ticket}]`,
        ]);
  const subject =
    lang === 'fr'
      ? r.pick([
          `Réponse automatique : ${theirSubject}`,
          `Absent(e) du bureau : ${theirSubject}`,
          'Absence du bureau',
          `Réponse automatique: ${theirSubject}`,
        ])
      : r.pick([
          `Automatic reply: ${theirSubject}`,
          `Out of Office: ${theirSubject}`,
          'Out of office',
          `Auto: ${theirSubject}`,
        ]);
  const back = dayPhrase(t + r.range(2, 15) * DAY, lang, c.zone);
  const text =
    lang === 'fr'
      ? r.pick([
          `Bonjour,\n\nJe suis absent(e) du bureau et de retour ${back}, sans accès à ma messagerie.\nPour toute urgence, merci de contacter le standard au 04 72 00 00 00.\n\nCordialement,\n${c.name}`,
          `Merci pour votre message.\nJe suis actuellement en congés jusqu'au ${back.replace(/^le /, '')} inclus. Votre e-mail ne sera pas transféré.\n\n${c.first}`,
          `Bonjour,\n\nJe suis en déplacement avec un accès limité à mes e-mails. Je vous répondrai dès mon retour ${back}.\n\nBien cordialement,\n${c.name}`,
        ])
      : r.pick([
          `Thank you for your email.\n\nI am out of the office and back ${back} with limited access to email. Your message will not be forwarded.\n\nKind regards,\n${c.name}`,
          `Hi,\n\nI'm on annual leave until ${back.replace(/^on /, '')}. For anything urgent please call ${c.phone}.\n\nThanks,\n${c.first}`,
          `I am currently away and will reply when I return ${back}.\n\n${c.name}`,
        ]);
  const from = c.email;
  const supportId = `<ticketrelay.ack.${ticket}@ticketrelay.test>`;
  const messageId = msgIdFor(n, hexId, from);
  const headers = [
    `Return-Path: <${from}>`,
    `From: ${formatAddress(c.noName ? null : c.name, from, c.useQ)}`,
    `To: ${SUPPORT}`,
    `Subject: ${encodeSubject(subject)}`,
    `Date: ${rfc5322Date(t, c.zone)}`,
    `Message-ID: ${messageId}`,
    ...(r.chance(0.7) ? [`In-Reply-To: ${supportId}`, `References: ${supportId}`] : []),
    'Auto-Submitted: auto-replied',
    ...(r.chance(0.5) ? ['X-Auto-Response-Suppress: All'] : []),
    'MIME-Version: 1.0',
  ];
  return { raw: finish(headers, textPart('plain', text, pickCte(r))), messageId, kind: 'auto_reply', language: lang };
}

function buildBounce(r: Rand, n: number, t: number, hexId: string, customers: Customer[]): GeneratedEmail {
  const c = r.pick(customers);
  const [localPart = 'x', domain = 'example.com'] = c.email.split('@');
  const rcpt = r.chance(0.4)
    ? `${localPart}@${domain.replace(/^([a-z]+)/, (m) => (m.length > 3 ? `${m[0]}${m[2]}${m[1]}${m.slice(3)}` : m + 'e'))}`
    : c.email;
  const mx = `mx${r.range(1, 4)}.example.net`;
  const queueId = r.alnum(12, 'BCDFGHJKLMNPQRSTVWXZ0123456789');
  const lang: Lang = r.chance(0.7) ? 'en' : 'fr';
  const ticket = r.range(1000, 99999);
  const diag = `550 5.1.1 <${rcpt}>: Recipient address rejected: User unknown in virtual mailbox table`;
  const notice =
    lang === 'en'
      ? `This is the mail system at host ${mx}.\n\nI'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients. It's attached below.\n\nFor further assistance, please send mail to postmaster.\n\nIf you do so, please include this problem report. You can\ndelete your own text from the attached returned message.\n\n                   The mail system\n\n<${rcpt}>: host ${mx}[192.0.2.${r.range(2, 254)}] said: ${diag} (in reply to RCPT TO command)`
      : `Ceci est le système de messagerie de ${mx}.\n\nNous sommes désolés de vous informer que votre message n'a pas pu\nêtre remis à un ou plusieurs destinataires. Les en-têtes du message sont joints ci-dessous.\n\nL'adresse du destinataire est inconnue ou n'existe plus.\n\n<${rcpt}> : le serveur ${mx} a répondu : ${diag}`;
  const tsent = t - r.range(2, 30) * 1000;
  const supportSubject =
    lang === 'en' ? `Your request has been received [#${ticket}]` : `Votre demande a bien été reçue [#${ticket}]`;
  const dsn = [
    `Reporting-MTA: dns; ${mx}`,
    `X-Postfix-Queue-ID: ${queueId}`,
    `X-Postfix-Sender: rfc822; ${SUPPORT}`,
    `Arrival-Date: ${rfc5322Date(tsent, 'paris')}`,
    '',
    `Final-Recipient: rfc822; ${rcpt}`,
    `Original-Recipient: rfc822;${rcpt}`,
    'Action: failed',
    'Status: 5.1.1',
    `Remote-MTA: dns; ${mx}`,
    `Diagnostic-Code: smtp; ${diag.replace(' Recipient address rejected:', ' Recipient address' + CRLF + '    rejected:')}`,
  ].join(CRLF);
  const origHeaders = [
    `Return-Path: <${SUPPORT}>`,
    `From: Support <${SUPPORT}>`,
    `To: ${rcpt}`,
    `Subject: ${encodeWordsQ(supportSubject)}`,
    `Date: ${rfc5322Date(tsent, 'paris')}`,
    `Message-ID: <ticketrelay.ack.${ticket}@ticketrelay.test>`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
  ].join(CRLF);
  const boundary = `${queueId}.${Math.floor(t / 1000)}/${mx}`;
  const noticePart = textPart('plain', notice, lang === 'en' ? '8bit' : 'quoted-printable');
  noticePart.headers.unshift('Content-Description: Notification');
  const report = multipart(
    'report',
    [
      noticePart,
      { headers: ['Content-Description: Delivery report', 'Content-Type: message/delivery-status'], body: dsn },
      {
        headers: ['Content-Description: Undelivered Message Headers', 'Content-Type: text/rfc822-headers'],
        body: origHeaders,
      },
    ],
    boundary,
    'report-type=delivery-status;' + CRLF + '\t',
  );
  const subject =
    lang === 'en'
      ? r.pick([
          'Undelivered Mail Returned to Sender',
          'Delivery Status Notification (Failure)',
          'Mail delivery failed: returning message to sender',
        ])
      : r.pick(['Échec de la remise du message', 'Message non remis', 'Non remis : ' + supportSubject]);
  const messageId = `<gen.${n}.${hexId}@${mx}>`;
  const headers = [
    'Return-Path: <>',
    `Received: by ${mx} (Postfix)${CRLF}\tid ${queueId}; ${rfc5322Date(t, 'paris')}`,
    `Date: ${rfc5322Date(t, 'paris')}`,
    `From: Mail Delivery System <MAILER-DAEMON@${mx}>`,
    `Subject: ${encodeSubject(subject)}`,
    `To: ${SUPPORT}`,
    'Auto-Submitted: auto-replied',
    `Message-ID: ${messageId}`,
    'MIME-Version: 1.0',
  ];
  report.headers.push('Content-Transfer-Encoding: 8bit');
  return { raw: finish(headers, report), messageId, kind: 'bounce', language: lang };
}

const LISTS = [
  {
    name: 'Équip’Auto Pro',
    addr: 'newsletter@news.equipauto.example',
    id: 'Lettre pro <pro-news.equipauto.example>',
    lang: 'fr' as Lang,
  },
  {
    name: 'Bosch Aftermarket',
    addr: 'news@mailing.bosch-aftermarket.example',
    id: 'Bosch partner news <partners.bosch-aftermarket.example>',
    lang: 'en' as Lang,
  },
  {
    name: 'La Lettre du Garagiste',
    addr: 'infos@lettre-garagiste.example',
    id: '<lettre.lettre-garagiste.example>',
    lang: 'fr' as Lang,
  },
  {
    name: 'Valeo Service',
    addr: 'marketing@valeo-service.example',
    id: 'Valeo Service <promo.valeo-service.example>',
    lang: 'en' as Lang,
  },
  {
    name: 'Pièces Auto Grossiste',
    addr: 'promo@grossiste-pieces.example',
    id: '<offres.grossiste-pieces.example>',
    lang: 'fr' as Lang,
  },
];

function buildList(r: Rand, n: number, t: number, hexId: string): GeneratedEmail {
  const l = r.pick(LISTS);
  const lang = l.lang;
  const pct = r.pick([10, 15, 20, 25, 30]);
  const part = r.pick(PARTS);
  const [brand] = r.pick(part.refs);
  const subject =
    lang === 'fr'
      ? r.pick([
          `-${pct} % sur ${part.fr.def} ${brand} cette semaine !`,
          `Nouveautés ${MONTH_FR[local(t, 'paris').getUTCMonth()]} : ${part.fr.bare}`,
          `Votre lettre d'information n°${r.range(100, 400)}`,
          `Offre réservée aux pros : ${part.fr.bare} ${brand}`,
        ])
      : r.pick([
          `${pct}% off ${brand} ${part.en.bare} this week`,
          `What's new in ${MONTH_EN[local(t, 'paris').getUTCMonth()]}: ${part.en.bare}`,
          `Partner newsletter #${r.range(100, 400)}`,
          `Trade offer: ${brand} ${part.en.bare}`,
        ]);
  const token = r.hex(16);
  const unsubUrl = `https://${l.addr.split('@')[1] ?? 'example.com'}/u/${token}`;
  const text =
    lang === 'fr'
      ? `${subject}\n\nBonjour,\n\nProfitez de -${pct} % sur toute la gamme ${brand} (${part.fr.bare}) jusqu'à dimanche minuit.\nLivraison offerte dès 60 € d'achat pour les professionnels.\n\nVoir les offres : https://${l.addr.split('@')[1] ?? ''}/offres?utm_source=newsletter\n\nVous recevez cet e-mail car vous êtes inscrit à notre lettre d'information.\nSe désinscrire : ${unsubUrl}`
      : `${subject}\n\nHello,\n\nGet ${pct}% off the whole ${brand} range (${part.en.bare}) until Sunday midnight.\nFree delivery on trade orders over €60.\n\nSee the offers: https://${l.addr.split('@')[1] ?? ''}/offers?utm_source=newsletter\n\nYou are receiving this email because you subscribed to our newsletter.\nUnsubscribe: ${unsubUrl}`;
  const html = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escHtml(subject)}</title></head><body style="margin:0;background:#f2f2f2"><table width="100%" cellpadding="0" cellspacing="0"><tr><td align="center"><table width="600" style="background:#fff;font-family:Arial"><tr><td style="padding:20px"><h1 style="color:#c00">${escHtml(subject)}</h1>${text
    .split('\n\n')
    .slice(1)
    .map((p) => `<p>${escHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join(
      '',
    )}<p style="font-size:10px;color:#888"><a href="${unsubUrl}">${lang === 'fr' ? 'Se désinscrire' : 'Unsubscribe'}</a></p></td></tr></table></td></tr></table></body></html>`;
  const messageId = `<gen.${n}.${hexId}@${l.addr.split('@')[1] ?? 'example.com'}>`;
  const headers = [
    `Return-Path: <bounce-${token}@${l.addr.split('@')[1] ?? 'example.com'}>`,
    `From: ${formatAddress(l.name, l.addr, false)}`,
    `To: ${SUPPORT}`,
    `Subject: ${encodeSubject(subject)}`,
    `Date: ${rfc5322Date(t, 'paris')}`,
    `Message-ID: ${messageId}`,
    `List-Id: ${NON_ASCII.test(l.id) ? encodeWordsQ(l.id) : l.id}`,
    `List-Unsubscribe: <mailto:unsubscribe-${token}@${l.addr.split('@')[1] ?? 'example.com'}>, <${unsubUrl}>`,
    'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
    'Precedence: bulk',
    'MIME-Version: 1.0',
  ];
  const body = r.chance(0.8)
    ? multipart(
        'alternative',
        [textPart('plain', text, 'quoted-printable'), textPart('html', html, 'quoted-printable')],
        `=_nl_${r.hex(16)}`,
      )
    : textPart('html', html, 'base64');
  return { raw: finish(headers, body), messageId, kind: 'list', language: lang };
}
