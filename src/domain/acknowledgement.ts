import type { Language } from './language.ts';
import { taggedSubject } from './ticket.ts';

/** The acknowledgement a customer gets for a new ticket, in their language. */
export function composeAcknowledgement(input: {
  readonly ticketId: number;
  readonly subject: string;
  readonly language: Language;
  readonly customerFirstName: string | null;
  readonly supportName: string;
}): { subject: string; text: string } {
  const { ticketId, language, supportName } = input;
  const name = input.customerFirstName?.trim();
  const subject = taggedSubject(ticketId, input.subject);
  const text =
    language === 'fr'
      ? [
          name ? `Bonjour ${name},` : 'Bonjour,',
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
          name ? `Hello ${name},` : 'Hello,',
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

/** Headers every automatic email of ours carries, so that other robots do not answer it (RFC 3834). */
export function automaticReplyHeaders(ticketId: number | null): Record<string, string> {
  return {
    'Auto-Submitted': 'auto-replied',
    'X-Auto-Response-Suppress': 'All',
    Precedence: 'auto_reply',
    ...(ticketId === null ? {} : { 'X-Ticketrelay-Ticket': String(ticketId) }),
  };
}
