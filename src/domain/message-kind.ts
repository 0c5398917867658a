/** What a stored email is: a customer's new ticket or reply, automatic mail, one we rejected, our acknowledgement, an agent's reply. */
export type MessageKind = 'ticket' | 'reply' | 'automated' | 'rejected' | 'ack' | 'agent_reply';
