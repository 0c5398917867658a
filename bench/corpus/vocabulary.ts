/** The shop's world: names, domains, streets, vehicles, parts, carriers; customers and their orders. */
import { p2, type Zone } from './dates.ts';
import { type Lang, Rand } from './random.ts';

// ---------------------------------------------------------------------------
// Domain data

export const FIRST_FR = [
  'Sébastien',
  'Hélène',
  'Jérôme',
  'François',
  'Amélie',
  'Cécile',
  'Stéphane',
  'Noémie',
  'Loïc',
  'Zoé',
  'Gaëlle',
  'Raphaël',
  'Anaïs',
  'Benoît',
  'Céline',
  'Éric',
  'Agnès',
  'Frédéric',
  'Inès',
  'Léa',
  'Chloé',
  'Clément',
  'Jérémy',
  'Thibault',
  'Maëlle',
  'Joël',
  'Ophélie',
  'Julien',
  'Marie',
  'Nicolas',
  'Camille',
  'Thomas',
  'Sophie',
  'Pierre',
  'Isabelle',
  'Laurent',
  'Nathalie',
  'Mathieu',
  'Aurélie',
  'Émilie',
  'Grégory',
  'Valérie',
  'Hervé',
  'Béatrice',
  'Régis',
  'Séverine',
  'Jean-François',
  'Marie-Hélène',
  'Dominique',
  'Yannick',
];
export const LAST_FR = [
  'Lefèvre',
  'Bérenger',
  'Deschênes',
  'Gaillard',
  'Rousseau',
  'Lemaître',
  'Fontaine',
  'Chevalier',
  'Hébert',
  'Mercier',
  'Noël',
  'Girard',
  'Dubois',
  'Étienne',
  'Leroy',
  'Faure',
  'Thévenin',
  'Prévost',
  'Martin',
  'Bernard',
  'Moreau',
  'Lefebvre',
  'Garnier',
  'Perrin',
  'Benoît',
  'Léger',
  'Brûlé',
  'Dupré',
  'Ménard',
  'Boucher',
  'Lacroix',
  'Gauthier',
  'Chérif',
  'Nguyen',
  'Da Silva',
  'Lopès',
  'Rivière',
  'Lamothe',
  'Bégué',
  'Pérez',
];
export const FIRST_EN = [
  'James',
  'Emily',
  'Seán',
  'Zoë',
  'Renée',
  'Chloë',
  'Michael',
  'Sarah',
  'Daniel',
  'José',
  'Björn',
  'Marta',
  'Oliver',
  'Charlotte',
  'Harry',
  'Amelia',
  'George',
  'Olivia',
  'Jack',
  'Sophie',
  'William',
  'Grace',
  'Thomas',
  'Jessica',
  'Noël',
  'Aoife',
  'Siobhán',
  'Liam',
  'Hannah',
  'Matthew',
];
export const LAST_EN = [
  'Walker',
  'Carter',
  "O'Brien",
  'Hughes',
  'Parker',
  'Bennett',
  'Thompson',
  'Mitchell',
  'Kowalski',
  'García',
  'Larsen',
  'Nowak',
  'Smith',
  'Jones',
  'Taylor',
  'Brown',
  'Wilson',
  'Evans',
  'Roberts',
  'Müller',
  'Byrne',
  'Murphy',
  'Clarke',
  'Wright',
  'Green',
  'Hall',
  'Wood',
  'Jackson',
  'Núñez',
  'Brontë',
];
export const DOMAINS_FR = [
  'example.fr',
  'example.com',
  'mail.example.fr',
  'orange.example',
  'free.example',
  'laposte.example',
  'sfr.example',
  'wanadoo.example',
];
export const DOMAINS_EN = [
  'example.com',
  'example.co.uk',
  'example.org',
  'mail.example.net',
  'btinternet.example',
  'outlook.example',
  'example.ie',
];

export const STREETS = [
  'rue des Tilleuls',
  'avenue Jean Jaurès',
  'rue de la République',
  'chemin des Vignes',
  'boulevard Gambetta',
  'rue Victor Hugo',
  'impasse des Lilas',
  'route de Bordeaux',
  "place de l'Église",
  'allée des Châtaigniers',
];
export const CITIES = [
  '69003 Lyon',
  '33000 Bordeaux',
  '31400 Toulouse',
  '44000 Nantes',
  '59800 Lille',
  '67000 Strasbourg',
  '13006 Marseille',
  '35000 Rennes',
  '21000 Dijon',
  '63000 Clermont-Ferrand',
  '74000 Annecy',
  '29200 Brest',
  '87000 Limoges',
  '38000 Grenoble',
  '06000 Nice',
];
export const CITIES_EN = [
  'London SW1A 1AA',
  'Manchester M1 2AB',
  'Bristol BS1 4DJ',
  'Dublin 2',
  'Leeds LS1 4AP',
  'Brighton BN1 1AA',
  'Edinburgh EH1 1YZ',
  'Cardiff CF10 1AA',
];

export interface Vehicle {
  make: string;
  model: string;
  engine: string;
  code: string;
  years: [number, number];
  wmi: string;
}
export const VEHICLES: Vehicle[] = [
  { make: 'Peugeot', model: '308 II', engine: '1.6 BlueHDi 120', code: 'BH01', years: [2014, 2019], wmi: 'VF3' },
  { make: 'Renault', model: 'Clio IV', engine: '0.9 TCe 90', code: 'H4B 400', years: [2013, 2019], wmi: 'VF1' },
  { make: 'Citroën', model: 'C3 III', engine: '1.2 PureTech 82', code: 'EB2F', years: [2016, 2022], wmi: 'VF7' },
  { make: 'Volkswagen', model: 'Golf VII', engine: '2.0 TDI 150', code: 'CRBC', years: [2013, 2019], wmi: 'WVW' },
  { make: 'Dacia', model: 'Sandero II', engine: '1.5 dCi 90', code: 'K9K 612', years: [2013, 2020], wmi: 'UU1' },
  { make: 'Renault', model: 'Mégane III', engine: '1.5 dCi 110', code: 'K9K 636', years: [2009, 2016], wmi: 'VF1' },
  { make: 'Peugeot', model: '208', engine: '1.2 PureTech 82', code: 'HMZ', years: [2012, 2019], wmi: 'VF3' },
  { make: 'Ford', model: 'Focus III', engine: '1.0 EcoBoost 125', code: 'M1DA', years: [2012, 2018], wmi: 'WF0' },
  { make: 'Toyota', model: 'Yaris III', engine: '1.33 VVT-i', code: '1NR-FE', years: [2011, 2020], wmi: 'VNK' },
  { make: 'BMW', model: 'Série 1 (F20)', engine: '118d', code: 'N47D20C', years: [2011, 2015], wmi: 'WBA' },
  { make: 'Audi', model: 'A3 (8V)', engine: '1.6 TDI 110', code: 'CLHA', years: [2012, 2018], wmi: 'WAU' },
  { make: 'Opel', model: 'Corsa E', engine: '1.4 90', code: 'B14XER', years: [2014, 2019], wmi: 'W0L' },
  { make: 'Fiat', model: '500', engine: '1.2 8V 69', code: '169A4000', years: [2008, 2020], wmi: 'ZFA' },
  { make: 'Citroën', model: 'Berlingo II', engine: '1.6 HDi 90', code: '9HX', years: [2008, 2015], wmi: 'VF7' },
  { make: 'Renault', model: 'Kangoo II', engine: '1.5 dCi 75', code: 'K9K 808', years: [2010, 2020], wmi: 'VF1' },
  { make: 'Skoda', model: 'Octavia III', engine: '1.6 TDI 105', code: 'CXXB', years: [2013, 2019], wmi: 'TMB' },
  {
    make: 'Mercedes-Benz',
    model: 'Classe A (W176)',
    engine: 'A 180 CDI',
    code: 'OM607.951',
    years: [2012, 2018],
    wmi: 'WDD',
  },
  { make: 'Nissan', model: 'Qashqai (J11)', engine: '1.5 dCi 110', code: 'K9K 646', years: [2014, 2021], wmi: 'SJN' },
  { make: 'Volkswagen', model: 'Polo V', engine: '1.2 TSI 90', code: 'CBZB', years: [2010, 2017], wmi: 'WVW' },
  { make: 'Peugeot', model: '3008', engine: '1.5 BlueHDi 130', code: 'DV5RC', years: [2018, 2023], wmi: 'VF3' },
];

export interface PartDef {
  fr: { def: string; un: string; bare: string; pl: boolean; f: boolean };
  en: { def: string; a: string; bare: string; pl: boolean };
  refs: readonly (readonly [string, string])[]; // brand, reference
  price: [number, number];
}
export const PARTS: PartDef[] = [
  {
    fr: {
      def: 'les plaquettes de frein avant',
      un: 'un jeu de plaquettes de frein avant',
      bare: 'plaquettes de frein',
      pl: true,
      f: true,
    },
    en: { def: 'the front brake pads', a: 'a set of front brake pads', bare: 'brake pads', pl: true },
    refs: [
      ['Bosch', '0 986 494 524'],
      ['TRW', 'GDB1330'],
      ['Brembo', 'P 85 020'],
      ['Ferodo', 'FDB1617'],
    ],
    price: [24, 69],
  },
  {
    fr: {
      def: 'les disques de frein',
      un: 'une paire de disques de frein',
      bare: 'disques de frein',
      pl: true,
      f: false,
    },
    en: { def: 'the brake discs', a: 'a pair of brake discs', bare: 'brake discs', pl: true },
    refs: [
      ['Brembo', '09.A185.11'],
      ['ATE', '24.0128-0197.1'],
      ['Zimmermann', '150.2900.20'],
    ],
    price: [45, 140],
  },
  {
    fr: { def: 'le filtre à huile', un: 'un filtre à huile', bare: 'filtre à huile', pl: false, f: false },
    en: { def: 'the oil filter', a: 'an oil filter', bare: 'oil filter', pl: false },
    refs: [
      ['Mann-Filter', 'W 712/75'],
      ['Purflux', 'LS933'],
      ['Bosch', 'F 026 407 183'],
    ],
    price: [6, 19],
  },
  {
    fr: { def: "le filtre d'habitacle", un: "un filtre d'habitacle", bare: 'filtre habitacle', pl: false, f: false },
    en: { def: 'the cabin filter', a: 'a cabin air filter', bare: 'cabin filter', pl: false },
    refs: [
      ['Valeo', '715600'],
      ['Mann-Filter', 'CUK 2862'],
      ['Bosch', '1 987 432 397'],
    ],
    price: [9, 29],
  },
  {
    fr: { def: 'le filtre à air', un: 'un filtre à air', bare: 'filtre à air', pl: false, f: false },
    en: { def: 'the air filter', a: 'an air filter', bare: 'air filter', pl: false },
    refs: [
      ['Purflux', 'A1274'],
      ['Mann-Filter', 'C 27 009'],
      ['Bosch', 'F 026 400 287'],
    ],
    price: [11, 34],
  },
  {
    fr: { def: 'la batterie', un: 'une batterie', bare: 'batterie', pl: false, f: true },
    en: { def: 'the battery', a: 'a battery', bare: 'battery', pl: false },
    refs: [
      ['Varta', 'E11 Blue Dynamic 74Ah'],
      ['Bosch', 'S4 005'],
      ['Exide', 'EA722'],
      ['Fulmen', 'FA640'],
    ],
    price: [79, 189],
  },
  {
    fr: { def: "le kit d'embrayage", un: "un kit d'embrayage", bare: 'embrayage', pl: false, f: false },
    en: { def: 'the clutch kit', a: 'a clutch kit', bare: 'clutch kit', pl: false },
    refs: [
      ['Valeo', '826317'],
      ['LuK', '623 3090 00'],
      ['Sachs', '3000 951 029'],
    ],
    price: [119, 389],
  },
  {
    fr: { def: 'le phare avant gauche', un: 'un phare avant gauche', bare: 'phare', pl: false, f: false },
    en: { def: 'the left headlight', a: 'a left-hand headlight', bare: 'headlight', pl: false },
    refs: [
      ['Valeo', '046652'],
      ['Hella', '1EL 010 330-051'],
      ['TYC', '20-12345-05-2'],
    ],
    price: [89, 349],
  },
  {
    fr: { def: 'les ampoules H7', un: 'deux ampoules H7', bare: 'ampoules H7', pl: true, f: true },
    en: { def: 'the H7 bulbs', a: 'two H7 bulbs', bare: 'H7 bulbs', pl: true },
    refs: [
      ['Philips', '12972XVPS2'],
      ['Osram', '64210NL-HCB'],
    ],
    price: [14, 42],
  },
  {
    fr: {
      def: "les balais d'essuie-glace",
      un: "une paire de balais d'essuie-glace",
      bare: 'essuie-glaces',
      pl: true,
      f: false,
    },
    en: { def: 'the wiper blades', a: 'a pair of wiper blades', bare: 'wiper blades', pl: true },
    refs: [
      ['Bosch', 'Aerotwin A 863 S'],
      ['Valeo', 'Silencio VF 820'],
      ['Champion', 'AFL6050'],
    ],
    price: [17, 45],
  },
  {
    fr: { def: 'les amortisseurs arrière', un: 'deux amortisseurs arrière', bare: 'amortisseurs', pl: true, f: false },
    en: { def: 'the rear shock absorbers', a: 'two rear shock absorbers', bare: 'shock absorbers', pl: true },
    refs: [
      ['Monroe', 'G1093'],
      ['KYB', '343 463'],
      ['Sachs', '313 467'],
    ],
    price: [59, 179],
  },
  {
    fr: {
      def: 'le kit de distribution',
      un: 'un kit de distribution avec pompe à eau',
      bare: 'kit distribution',
      pl: false,
      f: false,
    },
    en: { def: 'the timing belt kit', a: 'a timing belt kit with water pump', bare: 'timing belt kit', pl: false },
    refs: [
      ['Gates', 'KP15603XS'],
      ['Dayco', 'KTBWP7880'],
      ['Contitech', 'CT1139WP1'],
    ],
    price: [99, 259],
  },
  {
    fr: {
      def: 'les bougies de préchauffage',
      un: 'quatre bougies de préchauffage',
      bare: 'bougies',
      pl: true,
      f: true,
    },
    en: { def: 'the glow plugs', a: 'four glow plugs', bare: 'glow plugs', pl: true },
    refs: [
      ['NGK', 'Y-1002AS'],
      ['Bosch', '0 250 403 009'],
      ['Beru', 'GE102'],
    ],
    price: [29, 79],
  },
  {
    fr: { def: "l'alternateur", un: 'un alternateur', bare: 'alternateur', pl: false, f: false },
    en: { def: 'the alternator', a: 'an alternator', bare: 'alternator', pl: false },
    refs: [
      ['Valeo', '439669'],
      ['Bosch', '0 124 525 091'],
    ],
    price: [169, 429],
  },
  {
    fr: { def: 'le rétroviseur droit', un: 'un rétroviseur droit', bare: 'rétroviseur', pl: false, f: false },
    en: { def: 'the right wing mirror', a: 'a right-hand wing mirror', bare: 'wing mirror', pl: false },
    refs: [
      ['Van Wezel', '4029808'],
      ['Blic', '5402-04-1121227P'],
    ],
    price: [39, 129],
  },
  {
    fr: { def: "l'huile moteur 5W30", un: "un bidon d'huile 5W30 de 5 L", bare: 'huile 5W30', pl: false, f: true },
    en: { def: 'the 5W30 engine oil', a: 'a 5 L can of 5W30 engine oil', bare: '5W30 oil', pl: false },
    refs: [
      ['Total', 'Quartz Ineo ECS 5W30'],
      ['Castrol', 'Edge 5W-30 LL'],
      ['Motul', '8100 X-clean 5W30'],
    ],
    price: [32, 64],
  },
];
export const CARRIERS = ['Colissimo', 'Chronopost', 'DPD', 'GLS', 'UPS', 'Mondial Relay', 'DHL'];

// ---------------------------------------------------------------------------
// Customers

export interface Order {
  cmd: string;
  num: string;
}
export interface Customer {
  name: string;
  first: string;
  email: string;
  lang: Lang;
  zone: Zone;
  phone: string;
  address: string;
  orders: Order[];
  vehicle: Vehicle;
  year: number;
  vin: string;
  useQ: boolean;
  noName: boolean;
  wraps: boolean;
  agent: number;
}

export const VIN_ALPHA = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';

export function asciiFold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9-]/g, '')
    .toLowerCase();
}

export function makeOrder(r: Rand, year: number): Order {
  return { cmd: `CMD-${year}-${r.range(10000, 99999)}`, num: String(r.range(100000, 999999)) };
}

export function makeCustomers(r: Rand, n: number): Customer[] {
  const seen = new Set<string>();
  const out: Customer[] = [];
  for (let i = 0; i < n; i++) {
    const lang: Lang = r.chance(0.55) ? 'fr' : 'en';
    const first = r.pick(lang === 'fr' ? FIRST_FR : FIRST_EN);
    const last = r.pick(lang === 'fr' ? LAST_FR : LAST_EN);
    const f = asciiFold(first);
    const l = asciiFold(last);
    const domain = r.pick(lang === 'fr' ? DOMAINS_FR : DOMAINS_EN);
    const style = r.int(6);
    let local =
      style === 0
        ? `${f}.${l}`
        : style === 1
          ? `${f[0]}.${l}`
          : style === 2
            ? `${f}${l}${r.range(10, 99)}`
            : style === 3
              ? `${l}.${f}`
              : style === 4
                ? `${f}_${l}`
                : `${f}.${l}${r.range(1, 9)}`;
    while (seen.has(`${local}@${domain}`)) local += r.range(0, 9);
    seen.add(`${local}@${domain}`);
    const v = r.pick(VEHICLES);
    const nOrders = r.range(1, 3);
    const orders: Order[] = [];
    for (let k = 0; k < nOrders; k++) orders.push(makeOrder(r, 2024));
    out.push({
      name: `${first} ${last}`,
      first,
      email: `${local}@${domain}`,
      lang,
      zone: lang === 'fr' ? 'paris' : r.chance(0.6) ? 'london' : 'paris',
      phone:
        lang === 'fr'
          ? `0${r.pick(['6', '7'])} ${p2(r.int(100))} ${p2(r.int(100))} ${p2(r.int(100))} ${p2(r.int(100))}`
          : `+44 7700 ${r.range(900000, 900999)}`,
      address:
        lang === 'fr'
          ? `${r.range(1, 120)} ${r.pick(STREETS)}, ${r.pick(CITIES)}`
          : `${r.range(1, 220)} ${r.pick(['High Street', 'Station Road', 'Church Lane', 'Victoria Road', 'Park Avenue'])}, ${r.pick(CITIES_EN)}`,
      orders,
      vehicle: v,
      year: r.range(v.years[0], v.years[1]),
      vin: v.wmi + r.alnum(14, VIN_ALPHA),
      useQ: r.chance(0.5),
      noName: r.chance(0.05),
      wraps: r.chance(0.35),
      agent: r.int(5),
    });
  }
  return out;
}

/** Same mailbox, different case (customers are not consistent). */
export function caseVariant(r: Rand, email: string): string {
  const [localPart = '', domain = ''] = email.split('@');
  switch (r.int(3)) {
    case 0:
      return `${localPart.replace(/(^|[._])([a-z])/g, (_m, a: string, b: string) => a + b.toUpperCase())}@${domain}`;
    case 1:
      return `${localPart}@${domain.toUpperCase()}`;
    default:
      return email.toUpperCase();
  }
}
