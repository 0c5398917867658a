/**
 * Slack's wire requests as the tests need them: a body POSTed to Bolt's receiver with Slack's v0
 * signature (HMAC-SHA256 of "v0:timestamp:body" with the signing secret), or with a given bad
 * signature or timestamp to see it refused.
 */
import { createHmac } from 'node:crypto';

export function signedSlackPost(
  url: string,
  secret: string,
  body: string,
  options: { timestamp?: number; signature?: string } = {},
): Promise<Response> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signature =
    options.signature ?? `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signature,
    },
    body,
  });
}

/** An interaction payload (team, app and legacy token filled in), signed and posted to Bolt's `/slack/events`. */
export function slackInteraction(base: string, secret: string, payload: Record<string, unknown>): Promise<Response> {
  const body = new URLSearchParams({
    payload: JSON.stringify({ team: { id: 'T0TEAM' }, api_app_id: 'A0APP', token: 'legacy', ...payload }),
  }).toString();
  return signedSlackPost(`${base}/slack/events`, secret, body);
}
