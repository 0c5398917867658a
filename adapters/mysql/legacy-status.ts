/**
 * Opening or closing a ticket in the legacy table, the one way every path does it (agents' commands,
 * the old module's HTTP API, a customer's reply reopening it): the flags the old site filters on, and
 * the `"status"` our intake wrote into the metadata block, so the block never says "open" on a closed
 * ticket. Only that key, only inside the block (after its marker): the customer's own text is never
 * touched, and a block the old site wrote without a status stays as it was.
 */
import { type TicketStatus } from '../../src/domain/ticket.ts';
import { METADATA_MARKER } from './legacy-format.ts';

export function legacyStatusUpdate(ticketId: number, status: TicketStatus): { sql: string; params: unknown[] } {
  const other: TicketStatus = status === 'open' ? 'closed' : 'open';
  const block = 'SUBSTRING_INDEX(msg_content, ?, -1)';
  return {
    sql: `UPDATE ___xtr_msg
             SET msg_open = ?, msg_close = ?,
                 msg_content = IF(LOCATE(?, msg_content) > 0,
                                  CONCAT(LEFT(msg_content, CHAR_LENGTH(msg_content) - CHAR_LENGTH(${block})), REGEXP_REPLACE(${block}, ?, ?)),
                                  msg_content)
           WHERE msg_id = ?`,
    params: [
      status === 'open' ? '1' : '0',
      status === 'closed' ? '1' : '0',
      METADATA_MARKER,
      METADATA_MARKER,
      METADATA_MARKER,
      // Compact as we write it, or spaced as a pretty-printed block of the old site has it.
      `"status"[[:space:]]*:[[:space:]]*"${other}"`,
      `"status":${JSON.stringify(status)}`,
      ticketId,
    ],
  };
}
