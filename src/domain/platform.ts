/**
 * Where people talk to ticketrelay, spelled once. A chat platform is one we post to (notices, digests);
 * an identity platform is one an agent is recognised on; `http` is the web module's API, which calls
 * commands on nobody's behalf. A new platform is added here, and the compiler lists what must handle it.
 */
export const CHAT_PLATFORMS = ['slack', 'discord'] as const;
/** Slack and Discord: the platforms notices and digests are posted to. */
export type ChatPlatform = (typeof CHAT_PLATFORMS)[number];
/** Where an agent has an identity (a chat platform, or the terminal). */
export type IdentityPlatform = ChatPlatform | 'console';
/** Where a command comes from. */
export type Platform = IdentityPlatform | 'http';

export function isChatPlatform(name: string): name is ChatPlatform {
  return (CHAT_PLATFORMS as readonly string[]).includes(name);
}
