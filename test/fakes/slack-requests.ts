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
