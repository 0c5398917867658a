/**
 * Requests as Slack sends them to Bolt's receiver, signed with the app's signing secret: a slash command's
 * form, or an interaction's payload (block_suggestion, view_submission…).
 */
import { createHmac } from 'node:crypto';

/** Posts a form body to `${base}/slack/events` with Slack's signature headers. */
export function signedSlackPost(base: string, secret: string, body: string): Promise<Response> {
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return fetch(`${base}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signature,
    },
    body,
  });
}

/** An interaction payload (team, app and legacy token filled in), signed and posted. */
export function slackInteraction(base: string, secret: string, payload: Record<string, unknown>): Promise<Response> {
  const body = new URLSearchParams({
    payload: JSON.stringify({ team: { id: 'T0TEAM' }, api_app_id: 'A0APP', token: 'legacy', ...payload }),
  }).toString();
  return signedSlackPost(base, secret, body);
}
