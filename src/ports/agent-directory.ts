/** Placeholder: filled in below. */
export interface AgentDirectory {
  readonly __placeholder?: never;
}
