/** A carrier's notice a customer forwards from Outlook (French), below their own words: a fixture shared by the tests of quote cutting and of intake. */
export const OUTLOOK_FORWARD_FR = [
  'Bonjour,',
  '',
  "Voici le message du transporteur, le colis n'est toujours pas arrivé.",
  '',
  'Thomas',
  '',
  'De : Chronopost <noreply@chronopost.example>',
  'Envoyé : mardi 1 décembre 2026 08:12',
  'À : thomas@customer.example',
  'Objet : Votre colis XY123456 est en point relais',
  '',
  "Bonjour, votre colis XY123456 vous attend au relais Tabac du Centre jusqu'au 8 décembre.",
].join('\n');
