/**
 * The shop's two legacy tables, exactly as in shared/legacy-schema.sql. Never altered by this project:
 * drizzle-kit does not manage them (drizzle.config.ts points at schema.ts only); `ticketrelay db
 * create-legacy` creates them in a development database from legacy-ddl.sql.
 */
import { index, int, mediumtext, mysqlTable, text, varchar } from 'drizzle-orm/mysql-core';

export const xtrCustomer = mysqlTable(
  '___xtr_customer',
  {
    cstId: int('cst_id', { unsigned: true }).autoincrement().primaryKey(),
    cstMail: varchar('cst_mail', { length: 255 }),
    cstPswd: varchar('cst_pswd', { length: 255 }),
    cstKeylog: varchar('cst_keylog', { length: 255 }),
    cstCivility: varchar('cst_civility', { length: 16 }),
    cstName: varchar('cst_name', { length: 255 }),
    cstFname: varchar('cst_fname', { length: 255 }),
    cstAddress: text('cst_address'),
    cstZipCode: varchar('cst_zip_code', { length: 16 }),
    cstCity: varchar('cst_city', { length: 255 }),
    cstCountry: varchar('cst_country', { length: 64 }),
    cstTel: varchar('cst_tel', { length: 32 }),
    cstGsm: varchar('cst_gsm', { length: 32 }),
    cstIsCpy: varchar('cst_is_cpy', { length: 1 }).default('0'),
    cstRs: varchar('cst_rs', { length: 255 }),
    cstSiret: varchar('cst_siret', { length: 32 }),
    cstIsPro: varchar('cst_is_pro', { length: 1 }).default('0'),
    cstActiv: varchar('cst_activ', { length: 1 }).default('1'),
    cstLevel: varchar('cst_level', { length: 8 }).default('1'),
  },
  (t) => [index('idx_cst_mail').on(t.cstMail)],
);

export const xtrMsg = mysqlTable(
  '___xtr_msg',
  {
    msgId: int('msg_id', { unsigned: true }).autoincrement().primaryKey(),
    msgCstId: varchar('msg_cst_id', { length: 32 }),
    msgOrdId: varchar('msg_ord_id', { length: 64 }),
    msgOrlId: varchar('msg_orl_id', { length: 32 }),
    msgOrlEquivId: varchar('msg_orl_equiv_id', { length: 32 }),
    msgCnfaId: varchar('msg_cnfa_id', { length: 32 }),
    msgDate: varchar('msg_date', { length: 32 }),
    msgSubject: text('msg_subject'),
    msgContent: mediumtext('msg_content'),
    msgParentId: varchar('msg_parent_id', { length: 32 }),
    msgOpen: varchar('msg_open', { length: 1 }).default('0'),
    msgClose: varchar('msg_close', { length: 1 }).default('0'),
  },
  (t) => [
    index('idx_msg_cst_id').on(t.msgCstId),
    index('idx_msg_parent_id').on(t.msgParentId),
    index('idx_msg_ord_id').on(t.msgOrdId),
  ],
);
