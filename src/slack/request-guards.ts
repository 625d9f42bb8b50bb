import { HTTPModuleFunctions } from '@slack/bolt';

/** Slack's window for X-Slack-Request-Timestamp: further than this from local time, either way, is refused. */
export const TIMESTAMP_WINDOW_SECONDS = 5 * 60;

type Functions = typeof HTTPModuleFunctions;
let installed = false;

/**
 * Tightens Bolt's HTTP receiver where it is laxer than Slack's rules:
 * - Bolt refuses only timestamps older than five minutes; a correctly signed request dated in the
 *   future (a replay prepared in advance, or a skewed clock) is refused too, with 401.
 * - Bolt dereferences the parsed body without checking it is an object, so a signed `null` or `42`
 *   would leave the request unanswered: such bodies are refused as malformed (400) instead.
 */
export function installRequestGuards(): void {
  if (installed) return;
  installed = true;
  const fns = HTTPModuleFunctions as { -readonly [K in keyof Functions]: Functions[K] };

  const verify = fns.parseAndVerifyHTTPRequest;
  fns.parseAndVerifyHTTPRequest = async (options, req, res) => {
    const buffered = await verify(options, req, res);
    const header = req.headers['x-slack-request-timestamp'];
    // Bolt let the request through unsigned only when verification is off or for Slack's ssl_check.
    if (options.enabled !== false && typeof header === 'string') {
      const skew = Number(header) - Math.floor(Date.now() / 1000);
      if (!(Math.abs(skew) <= TIMESTAMP_WINDOW_SECONDS)) throw new Error(`x-slack-request-timestamp is ${skew} s from local time (more than ${TIMESTAMP_WINDOW_SECONDS} s)`);
    }
    return buffered;
  };

  const parseBody = fns.parseHTTPRequestBody;
  fns.parseHTTPRequestBody = (req) => {
    const body = parseBody(req);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('the body is not a JSON object or form');
    return body;
  };
}
