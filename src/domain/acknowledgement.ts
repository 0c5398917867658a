import type { Language } from './language.ts';
import { cutText, taggedSubject } from './ticket.ts';

/** The sender's subject, as far as it goes into the acknowledgement's (for threading, not to be read). */
export const ACK_SUBJECT_MAX = 40;

/**
 * The acknowledgement a customer gets for a new ticket, in their language. It carries none of the
 * sender's free text (no name in the greeting, nothing of the body) beyond the start of the subject,
 * cut short and without links: whoever forged the sender cannot make us mail their words to a third
 * party (security review, finding 5).
 */
export function composeAcknowledgement(input: {
  readonly ticketId: number;
  readonly subject: string;
  readonly language: Language;
  readonly supportName: string;
}): { subject: string; text: string } {
  const { ticketId, language, supportName } = input;
  const subject = taggedSubject(ticketId, ackSubject(input.subject));
  const text =
    language === 'fr'
      ? [
          'Bonjour,',
          '',
          `Nous avons bien reçu votre message et ouvert la demande n° ${ticketId}.`,
          'Un membre de notre équipe vous répondra dès que possible, en général sous un jour ouvré.',
          '',
          `Pour compléter votre demande, répondez simplement à cet e-mail en gardant «\u00a0[#${ticketId}]\u00a0» dans l'objet.`,
          '',
          'Cordialement,',
          supportName,
        ]
      : [
          'Hello,',
          '',
          `We have received your message and opened ticket #${ticketId}.`,
          'Someone from our team will answer as soon as possible, usually within one working day.',
          '',
          `To add anything, just reply to this email and keep "[#${ticketId}]" in the subject.`,
          '',
          'Kind regards,',
          supportName,
        ];
  return { subject, text: text.join('\n') };
}

/** The subject cut at a word, its links and addresses taken out: "Visit http://spam.example now" → "Visit … now". */
export function ackSubject(subject: string): string {
  const bare = subject
    .replace(/\b(?:https?:\/\/|www\.)\S+/gi, '…')
    .replace(/\S+@\S+/g, '…')
    .replace(/\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b\S*/gi, '…')
    .replace(/\s+/g, ' ')
    .trim();
  if (bare.length <= ACK_SUBJECT_MAX) return bare;
  const cut = cutText(bare, ACK_SUBJECT_MAX);
  const space = cut.lastIndexOf(' ');
  return `${space > ACK_SUBJECT_MAX / 2 ? cut.slice(0, space) : cut}…`;
}

/** Headers every automatic email of ours carries, so that other robots do not answer it (RFC 3834). */
export function automaticReplyHeaders(ticketId: number | null): Record<string, string> {
  return {
    'Auto-Submitted': 'auto-replied',
    'X-Auto-Response-Suppress': 'All',
    Precedence: 'auto_reply',
    ...(ticketId === null ? {} : { 'X-Ticketrelay-Ticket': String(ticketId) }),
  };
}
