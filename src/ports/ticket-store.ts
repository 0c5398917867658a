/** Placeholder: filled in below. */
export interface TicketStore {
  readonly __placeholder?: never;
}
